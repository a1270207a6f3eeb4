"""Shared fixtures for the UI tests: a fixed timezone, sample paths, waiting helpers."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

os.environ["TZ"] = "UTC"  # times on screen come from the log, rendered in a fixed zone
time.tzset()

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_logs"


@pytest.fixture
def copy_sample(tmp_path):
    """Copy a sample log into tmp_path (for tests that write beside the log)."""

    def _copy(name: str) -> str:
        dst = tmp_path / name
        shutil.copy(SAMPLES / name, dst)
        return str(dst)

    return _copy
