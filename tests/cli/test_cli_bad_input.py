"""Bad input: every exit-2 case is one line naming the file, never a traceback; odd but readable
files (empty, binary) are reported, not crashed on."""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys

import pytest
from cli_helpers import PUBLISH, assert_accounted, assert_usage_error, run_subprocess

COMMANDS = (("state",), ("state", "--json"), ("check",), ("check", "--json"), ("diff",),
            ("diff", "--json"), ("compact",), ("compact", "--json"))


@pytest.mark.parametrize("cmd", COMMANDS, ids=" ".join)
def test_missing_file(cli, tmp_path, cmd):
    p = tmp_path / "missing.jsonl"
    res = cli(cmd[0], p, *cmd[1:])
    assert_usage_error(res, p)
    assert res.out == ""


@pytest.mark.parametrize("cmd", COMMANDS, ids=" ".join)
def test_directory(cli, tmp_path, cmd):
    res = cli(cmd[0], tmp_path, *cmd[1:])
    assert_usage_error(res, tmp_path)


def test_not_a_directory_component(cli, tmp_path):
    p = tmp_path / "publish.jsonl" / "x.jsonl"
    (tmp_path / "publish.jsonl").write_text("")
    assert_usage_error(cli("check", p, "--json"), p)


def test_symlink_loop(cli, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.symlink_to(b)
    b.symlink_to(a)
    assert_usage_error(cli("state", a), a)


def test_dangling_symlink(cli, tmp_path):
    a = tmp_path / "dangling.jsonl"
    a.symlink_to(tmp_path / "gone.jsonl")
    assert_usage_error(cli("check", a), a)


def _import_engine():
    # everything the CLI imports lazily, imported while we can still read it
    import agentlog_tui.core.analysis
    import agentlog_tui.core.compaction
    import agentlog_tui.core.resumes
    import agentlog_tui.core.snapshots  # noqa: F401


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unreadable_file(cli, tmp_path):
    p = tmp_path / "secret.jsonl"
    p.write_bytes(PUBLISH.read_bytes())
    p.chmod(0)
    _import_engine()
    try:
        if os.geteuid() == 0:
            # root reads anything: drop the effective uid for the call, then take it back
            os.seteuid(65534)
        try:
            results = [cli("check", p, "--json"), cli("state", p), cli("compact", p, "--json")]
        finally:
            if os.getuid() == 0:
                os.seteuid(0)
    finally:
        p.chmod(stat.S_IRUSR | stat.S_IWUSR)
    for res in results:
        assert_usage_error(res, p)
        assert "permission denied" in res.err.lower()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_fifo_does_not_hang(tmp_path):
    """A named pipe with no writer: the reader must not block in open() forever. Either a one-line
    refusal (exit 2) or an empty log (exit 0); never a hang or a traceback."""
    p = tmp_path / "pipe.jsonl"
    os.mkfifo(p)
    try:
        res = run_subprocess("check", p, "--json", timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("`agentlog-tui check FIFO` (no writer) still running after 10 s: "
                    "core/reader.py LogFile.open blocks in os.open(path, O_RDONLY)")
    assert "Traceback" not in res.err
    if res.code == 2:
        assert_usage_error(res, p)
    else:
        assert res.code == 0, (res.code, res.err)


def test_empty_file(cli, tmp_path):
    p = tmp_path / "empty.jsonl"
    p.write_bytes(b"")
    res = cli("state", p, "--json")
    assert res.code == 0
    assert res.json == {"seq": 0, "state": {}}
    res = cli("check", p, "--json")
    assert res.code == 0
    doc = res.json
    assert doc["events"] == 0 and doc["malformed"] == [] and doc["anomalies"] == []
    assert doc["pending_tail"] is False
    assert_accounted(doc, p)
    assert cli("diff", p, "--json").code == 0
    comp = cli("compact", p, "--json")
    assert comp.code == 0 and comp.json["events"] == 0 and comp.json["kept"] == 0
    assert cli("state", p).code == 0
    assert cli("check", p).code == 0
    # --at on a log without events is bad usage
    assert_usage_error(cli("state", p, "--at", "1"), p)


def test_only_blank_lines(cli, tmp_path):
    p = tmp_path / "blank.jsonl"
    p.write_bytes(b"\n\n\r\n   \n")
    res = cli("check", p, "--json")
    assert "Traceback" not in res.err
    doc = res.json
    assert doc["events"] == 0
    assert_accounted(doc, p)
    assert cli("state", p, "--json").json == {"seq": 0, "state": {}}


def test_binary_file(cli, tmp_path):
    """Not a log at all: one line naming what it looks like (not thousands of malformed lines)."""
    p = tmp_path / "random.bin"
    p.write_bytes(random.Random(1234).randbytes(8192))
    for args in (("check", p, "--json"), ("check", p), ("state", p, "--json"), ("compact", p),
                 ("diff", p, "--json")):
        res = cli(*args)
        assert_usage_error(res, p)
        assert "it looks like binary data" in res.err


def test_binary_between_good_events(cli, tmp_path):
    p = tmp_path / "mixed.jsonl"
    good = PUBLISH.read_bytes().splitlines(keepends=True)
    junk = random.Random(99).randbytes(300).replace(b"\n", b"")
    p.write_bytes(b"".join(good[:4]) + b"\x00\x01" + junk + b"\n" + b"".join(good[4:]))
    res = cli("check", p, "--json")
    assert res.code == 1
    doc = res.json
    assert doc["events"] == 8
    assert [m["line"] for m in doc["malformed"]] == [5]
    assert doc["malformed"][0]["offset"] == len(b"".join(good[:4]))
    assert_accounted(doc, p)
    assert cli("state", p, "--json").json == cli("state", PUBLISH, "--json").json


def test_bad_usage_exit_2(cli):
    # argparse errors: exit 2, no traceback
    for argv in (("state", PUBLISH, "--at", "five"), ("compact", PUBLISH, "--protect-last", "x"),
                 ("state",), ("check", PUBLISH, "--no-such-flag")):
        res = cli(*argv)
        assert res.code == 2, argv
        assert "Traceback" not in res.err


def test_unknown_format(cli):
    res = cli("state", PUBLISH, "--format", "nosuchformat")
    assert res.code == 2 and "Traceback" not in res.err
    assert len(res.err.splitlines()) == 1 and "nosuchformat" in res.err
