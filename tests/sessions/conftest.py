"""Fixtures of the session tests (paths and helpers are in sessions_fixture.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sessions_fixture import FIXTURE


@pytest.fixture
def fixture_dir() -> Path:
    return FIXTURE


@pytest.fixture
def run_cli(capsys):
    """`run_cli("sessions", DIR, "--json")`: the CLI in-process; returns (code, out, err)."""
    import os

    from agentlog_tui.tui.cli import main

    def run(*argv):
        capsys.readouterr()
        try:
            code = main([os.fspath(a) for a in argv])
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return (0 if code is None else code), out, err

    return run
