"""The `cli` fixture: run `agentlog-tui` in-process with capsys."""

from __future__ import annotations

import pytest
from cli_helpers import Result, _run_main


@pytest.fixture
def cli(capsys):
    """`cli("state", path, "--json")` runs the CLI in-process and returns Result(code, out, err)."""

    def run(*argv) -> Result:
        capsys.readouterr()
        code = _run_main(argv)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run
