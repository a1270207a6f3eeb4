"""Helpers for the CLI tests (imported as `cli_helpers`; a unique name so it cannot clash with
other test folders): run `agentlog-tui` in-process (fast) or as a subprocess (real exit
codes and stderr), and the sample logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_logs"
PUBLISH = SAMPLES / "publish_post.jsonl"
MALFORMED = SAMPLES / "malformed.jsonl"
RESUMED = SAMPLES / "resumed_executor.jsonl"
LONG_RUN = SAMPLES / "long_run.jsonl"
REAL_LOGS = REPO.parent / "shared" / "real_logs"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


def _run_main(argv) -> int:
    from agentlog_tui.tui.cli import main

    try:
        code = main([os.fspath(a) for a in argv])
    except SystemExit as exc:  # `fail()` exits through SystemExit
        code = exc.code
    return 0 if code is None else code


def run_subprocess(*argv, cwd=None, timeout=60) -> Result:
    """`python -m agentlog_tui.tui.cli ARGV` in a child process."""
    p = subprocess.run(
        [sys.executable, "-m", "agentlog_tui.tui.cli", *[os.fspath(a) for a in argv]],
        check=False, capture_output=True, text=True, cwd=cwd, timeout=timeout,
        env={**os.environ, "PYTHONPATH": os.fspath(REPO)},
    )
    return Result(p.returncode, p.stdout, p.stderr)


def assert_usage_error(res: Result, name: str | os.PathLike[str]) -> None:
    """Exit 2, stderr is exactly one line `agentlog-tui: ...` naming `name`, no traceback."""
    assert res.code == 2, (res.code, res.out, res.err)
    assert "Traceback" not in res.err
    lines = res.err.splitlines()
    assert len(lines) == 1, res.err
    assert res.err.endswith("\n")
    assert lines[0].startswith("agentlog-tui: "), res.err
    assert os.fspath(name) in lines[0], (name, res.err)


def physical_lines(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def assert_accounted(doc: dict, path: Path) -> None:
    """Every physical line is exactly one record: event, malformed, blank or pending tail."""
    n = physical_lines(path)
    assert doc["lines"] == n
    assert doc["events"] + len(doc["malformed"]) + doc["blank_lines"] + int(doc["pending_tail"]) == n


def fingerprint(path: Path) -> tuple[bytes, int]:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns
