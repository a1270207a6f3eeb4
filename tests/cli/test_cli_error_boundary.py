"""The error boundary: an unexpected exception in any command is one line naming the file and
the error, exit 3 ("internal error"); AGENTLOG_DEBUG=1 adds the traceback."""

from __future__ import annotations

import pytest
from cli_helpers import PUBLISH

from agentlog_tui.tui import cli as cli_mod


@pytest.fixture
def broken(monkeypatch):
    def boom(args):
        raise ValueError("something \x1b]0;odd\x07 happened\nsecond line")

    for name in list(cli_mod.COMMANDS):
        monkeypatch.setitem(cli_mod.COMMANDS, name, boom)


@pytest.mark.parametrize("cmd", ["state", "check", "diff", "compact"])
def test_unexpected_exception_is_one_line_exit_3(cli, broken, monkeypatch, cmd):
    monkeypatch.delenv("AGENTLOG_DEBUG", raising=False)
    res = cli(cmd, PUBLISH)
    assert res.code == 3
    assert res.out == ""
    lines = res.err.splitlines()
    assert len(lines) == 1, res.err
    line = lines[0]
    assert line.startswith("agentlog-tui: internal error: ")
    assert str(PUBLISH) in line and "ValueError: something" in line and "second line" in line
    assert "\x1b" not in line and "\x07" not in line
    assert "AGENTLOG_DEBUG=1" in line
    assert "Traceback" not in res.err


def test_debug_shows_the_traceback(cli, broken, monkeypatch):
    monkeypatch.setenv("AGENTLOG_DEBUG", "1")
    res = cli("state", PUBLISH)
    assert res.code == 3
    assert "Traceback (most recent call last)" in res.err
    assert res.err.splitlines()[-1].startswith("agentlog-tui: internal error: ")


def test_formats_has_no_file_to_name(cli, broken, monkeypatch):
    monkeypatch.delenv("AGENTLOG_DEBUG", raising=False)
    res = cli("formats")
    assert res.code == 3
    assert res.err.startswith("agentlog-tui: internal error: ValueError: ")


def test_exit_codes_are_in_help(cli):
    for argv in (["--help"], ["state", "--help"], ["check", "--help"], ["compact", "--help"]):
        res = cli(*argv)
        assert res.code == 0
        assert "3 internal error" in " ".join(res.out.split()), argv


def test_bad_input_stays_exit_2(cli, tmp_path):
    res = cli("state", tmp_path / "missing.jsonl")
    assert res.code == 2


import pytest


@pytest.mark.parametrize("opt", ["--format", "--projection", "--type-field", "--id-field",
                                 "--ts-field", "--data-field"])
def test_empty_option_values_are_refused(cli, opt):
    res = cli("state", PUBLISH, opt, "")
    assert res.code == 2
    assert res.err.startswith(f"agentlog-tui: {opt}: empty") and len(res.err.splitlines()) == 1


def test_empty_output_is_refused_not_a_dry_run(cli, tmp_path):
    res = cli("compact", PUBLISH, "-o", "")
    assert res.code == 2 and "-o" in res.err
