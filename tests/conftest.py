"""Shared fixtures: paths to the sample logs and the optional real logs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# `--hypothesis-profile=long`: the fuzz campaign's long run (tests/fuzz, 10,000 cases; README)
settings.register_profile(
    "long", max_examples=10_000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

os.environ["TZ"] = "UTC"
if hasattr(time, "tzset"):
    time.tzset()

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_logs"
REAL_LOGS = ROOT.parent / "shared" / "real_logs"


def real_log_paths() -> list[Path]:
    """Every real agent log beside the project (none when ../shared/real_logs is absent)."""
    if not REAL_LOGS.is_dir():
        return []
    return sorted(REAL_LOGS.rglob("*.jsonl"))


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def write_log(tmp_path: Path):
    """Write lines (dicts or raw bytes/str) to a temp .jsonl file and return its path."""
    import orjson

    def _write(lines, name: str = "log.jsonl", terminated: bool = True) -> Path:
        chunks = []
        for line in lines:
            if isinstance(line, bytes):
                chunks.append(line)
            elif isinstance(line, str):
                chunks.append(line.encode())
            else:
                chunks.append(orjson.dumps(line))
        data = b"\n".join(chunks) + (b"\n" if terminated and chunks else b"")
        p = tmp_path / name
        p.write_bytes(data)
        return p

    return _write
