"""A custom projection that raises something other than an Exception midway (a class of its own
derived from BaseException) is an internal error of the command: one line, exit 3, no
traceback (it was a traceback and exit 1). A KeyboardInterrupt stays an interrupt (130)."""

from __future__ import annotations

import textwrap

import pytest
from cli_helpers import PUBLISH

HOSTILE = textwrap.dedent("""
    class Hostile(BaseException):
        pass

    def raises_midway(state, event):
        state[event.type] = event.seq
        if event.seq >= 4:
            raise Hostile("raised by the projection at #4")

    def interrupted(state, event):
        if event.seq >= 4:
            raise KeyboardInterrupt
""")


@pytest.fixture
def projfile(tmp_path):
    p = tmp_path / "hostile_projection.py"
    p.write_text(HOSTILE)
    return p


@pytest.mark.parametrize("command", ["state", "check", "compact"])
def test_a_base_exception_from_a_projection_is_one_line_and_exit_3(cli, projfile, command):
    res = cli(command, PUBLISH, "--projection", f"{projfile}:raises_midway")
    assert res.code == 3, res.err
    assert res.out == ""
    assert res.err.count("\n") == 1 and "Traceback" not in res.err
    assert res.err.startswith("agentlog-tui: internal error: ")
    assert f"{PUBLISH}: Hostile: raised by the projection at #4" in res.err


def test_a_keyboard_interrupt_from_a_projection_is_an_interrupt(cli, projfile):
    res = cli("state", PUBLISH, "--projection", f"{projfile}:interrupted")
    assert res.code == 130 and "Traceback" not in res.err
