"""No escape reaches the terminal: a hostile log (OSC 0/52, CSI, C1, bidi, DEL, in types, keys,
values, summaries, malformed lines and the pending tail) through every place that renders log
text, asserting that no ESC, C1, bidi or surrogate code point comes out.

To extend: add a command line to `CLI_RUNS` (text output, run in-process)."""

from __future__ import annotations

import os

import pytest
from hostile_log import unsafe_in, write_hostile_log

from agentlog_tui.tui.cli import main

# Every CLI command's text output (and, for the commands that have it, the JSON output: JSON
# escapes control characters itself, but a C1 or bidi character is valid raw JSON text).
CLI_RUNS = [
    ["state", "{log}"],
    ["state", "{log}", "--at", "3"],
    ["check", "{log}"],
    ["diff", "{log}"],
    ["compact", "{log}"],
    ["compact", "{log}", "-o", "{tmp}/out.jsonl"],
    ["formats"],
    ["brief", "{log}"],
    ["brief", "{log}", "--at", "3"],
    ["fork", "{log}", "--at", "3", "-o", "{tmp}/fork.jsonl"],
    ["sessions", "{tmp}"],
    ["find", "PWNED", "{tmp}"],
    ["find", "task", "{tmp}"],
]


def run_cli(argv, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main([os.fspath(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return (0 if code is None else code), out, err


@pytest.mark.parametrize("argv", CLI_RUNS, ids=lambda a: " ".join(a[:1] + a[2:]).replace("{tmp}/", ""))
def test_cli_text_output_has_no_escape(argv, tmp_path, capsys):
    log = write_hostile_log(tmp_path)
    argv = [a.format(log=log, tmp=tmp_path) for a in argv]
    code, out, err = run_cli(argv, capsys)
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err
    assert not unsafe_in(out), unsafe_in(out)
    assert not unsafe_in(err), unsafe_in(err)
