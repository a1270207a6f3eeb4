"""`agentlog-tui compact`: the review (dry run), verified writing, refusals, and that no command
ever touches its input (DESIGN 7, 10)."""

from __future__ import annotations

import shutil

import pytest
from cli_helpers import LONG_RUN, PUBLISH, assert_usage_error, fingerprint


@pytest.fixture
def log(tmp_path):
    """A private copy of publish_post.jsonl (mtime preserved) so nothing can touch the sample."""
    p = tmp_path / "publish_post.jsonl"
    shutil.copy2(PUBLISH, p)
    return p


KEPT_LINES = (1, 2, 3, 6, 8)


def _kept_bytes(path, lines=KEPT_LINES):
    all_lines = path.read_bytes().splitlines(keepends=True)
    return b"".join(all_lines[i - 1] for i in lines)


def test_compact_json_dry_run(cli, log):
    res = cli("compact", log, "--json")
    assert res.code == 0
    doc = res.json
    assert {"events", "kept", "dropped", "bytes_before", "bytes_after", "verified"} <= set(doc)
    assert doc["events"] == 8
    assert doc["kept"] == 5
    assert doc["verified"] is True
    assert doc["bytes_before"] == log.stat().st_size == 832
    assert doc["bytes_after"] == len(_kept_bytes(log))
    dropped = [(d["seq"], d["type"], d["reason"], d["superseded_by"]) for d in doc["dropped"]]
    assert dropped == [
        (4, "publish_attempted", "overwritten", [5]),
        (5, "publish_failed", "overwritten", [7]),
        (7, "publish_retried", "overwritten", [8]),
    ]
    assert doc.get("output") is None


def test_compact_plain_text_is_a_review(cli, log):
    res = cli("compact", log)
    assert res.code == 0
    assert "overwritten" in res.out
    assert "publish_failed" in res.out
    assert "#5" in res.out and "#7" in res.out and "#8" in res.out


def test_compact_output_is_the_kept_lines_byte_for_byte(cli, log, tmp_path):
    out = tmp_path / "compacted.jsonl"
    res = cli("compact", log, "-o", out, "--json")
    assert res.code == 0
    assert out.read_bytes() == _kept_bytes(log)
    assert res.json["bytes_after"] == out.stat().st_size
    # the compacted log replays to the same head state
    full = cli("state", log, "--json").json["state"]
    comp = cli("state", out, "--json").json
    assert comp["state"] == full
    assert comp["seq"] == 8  # ids never change
    # and compacting it again drops nothing
    again = cli("compact", out, "--json").json
    assert again["dropped"] == [] and again["kept"] == 5 and again["verified"] is True


def test_compact_output_plain_text(cli, log, tmp_path):
    out = tmp_path / "c.jsonl"
    res = cli("compact", log, "-o", out)
    assert res.code == 0
    assert out.read_bytes() == _kept_bytes(log)
    assert "c.jsonl" in res.out


def test_input_untouched_by_every_command(cli, log, tmp_path):
    before = fingerprint(log)
    sample_before = fingerprint(PUBLISH)
    snap = tmp_path / "snap.json"
    snap.write_text(cli("state", log, "--at", "5", "--json").out)
    runs = [
        ("state", log), ("state", log, "--json"), ("state", log, "--at", "3", "--json"),
        ("check", log), ("check", log, "--json"),
        ("diff", log), ("diff", log, "--json"), ("diff", log, "--snapshot", snap, "--json"),
        ("compact", log), ("compact", log, "--json"),
        ("compact", log, "-o", tmp_path / "out1.jsonl"),
        ("compact", log, "-o", tmp_path / "out2.jsonl", "--json", "--protect-last", "2"),
        ("compact", log, "-o", log),
    ]
    for argv in runs:
        cli(*argv)
        assert fingerprint(log) == before, argv
    assert fingerprint(PUBLISH) == sample_before


def test_compact_refuses_to_write_over_its_input(cli, log):
    before = fingerprint(log)
    res = cli("compact", log, "-o", log, "--json")
    assert_usage_error(res, log)
    assert res.out == ""
    assert fingerprint(log) == before


def test_compact_refuses_input_by_another_name(cli, log, tmp_path, monkeypatch):
    before = fingerprint(log)
    monkeypatch.chdir(tmp_path)
    res = cli("compact", log, "-o", "./publish_post.jsonl")
    assert res.code == 2 and "Traceback" not in res.err
    link = tmp_path / "alias.jsonl"
    link.symlink_to(log)
    res = cli("compact", log, "-o", link)
    assert_usage_error(res, link)
    hard = tmp_path / "hard.jsonl"
    hard.hardlink_to(log)
    res = cli("compact", log, "-o", hard)
    assert_usage_error(res, hard)
    assert fingerprint(log) == before


def test_protect_last_keeps_the_tail(cli, log):
    doc = cli("compact", log, "--protect-last", "2", "--json").json
    assert doc["verified"] is True
    assert doc["kept"] == 6
    dropped = {d["seq"] for d in doc["dropped"]}
    assert dropped == {4, 5}
    assert 7 not in dropped and 8 not in dropped
    # protecting more than there are events keeps everything
    doc = cli("compact", log, "--protect-last", "100", "--json").json
    assert doc["kept"] == 8 and doc["dropped"] == []


def test_protect_last_negative_is_a_usage_error(cli, log):
    res = cli("compact", log, "--protect-last", "-1")
    assert res.code == 2 and "Traceback" not in res.err
    assert len(res.err.splitlines()) == 1 and res.err.startswith("agentlog-tui: ")


def test_compact_long_run(cli, tmp_path):
    out = tmp_path / "long_compacted.jsonl"
    res = cli("compact", LONG_RUN, "-o", out, "--json")
    assert res.code == 0
    doc = res.json
    assert doc["events"] == 2995
    assert doc["verified"] is True
    # most of it is superseded: sample_logs/README.md measured 2651 before entity deletes stopped
    # reading what they delete; since then the 23 scratch files written and later deleted are
    # overwritten by their delete too (2674). Refinements may only drop more, never less.
    assert len(doc["dropped"]) >= 2651
    assert doc["kept"] + len(doc["dropped"]) == doc["events"]
    assert doc["bytes_before"] == LONG_RUN.stat().st_size
    assert doc["bytes_after"] == out.stat().st_size < doc["bytes_before"] // 2
    for d in doc["dropped"]:
        assert d["reason"] in ("overwritten", "no_effect")
        if d["reason"] == "overwritten":
            assert d["superseded_by"] and all(s > d["seq"] for s in d["superseded_by"])
    # the compacted file is a subsequence of the input's lines, and replays to the same head
    src = LONG_RUN.read_bytes().splitlines(keepends=True)
    kept = out.read_bytes().splitlines(keepends=True)
    it = iter(src)
    assert all(line in it for line in kept)
    assert cli("state", out, "--json").json == cli("state", LONG_RUN, "--json").json


IMPURE = """
n = 0


def proj(state, event):
    global n
    n += 1
    state["n"] = n
"""


def test_impure_projection_refused(cli, log, tmp_path):
    proj = tmp_path / "impure_proj.py"
    proj.write_text(IMPURE)
    out = tmp_path / "never.jsonl"
    res = cli("compact", log, "--projection", f"{proj}:proj", "-o", out, "--json")
    assert res.code == 1
    doc = res.json
    assert doc["verified"] is False
    assert ["n"] in doc.get("differing_paths", [])
    assert not out.exists()
    assert not list(tmp_path.glob(".never.jsonl*"))  # no temp file left behind
    # plain text too
    res = cli("compact", log, "--projection", f"{proj}:proj", "-o", out)
    assert res.code == 1
    assert not out.exists()


def test_compact_never_replaces_an_existing_file_unless_forced(cli, log, tmp_path):
    out = tmp_path / "existing.jsonl"
    out.write_bytes(b"old\n")
    out.chmod(0o644)
    res = cli("compact", log, "-o", out)
    assert_usage_error(res, out)
    assert "already exists" in res.err and "--force" in res.err
    assert out.read_bytes() == b"old\n"
    res = cli("compact", log, "-o", out, "--json")
    assert res.code == 2 and out.read_bytes() == b"old\n"
    proj = tmp_path / "impure2.py"
    proj.write_text(IMPURE)
    assert cli("compact", log, "--projection", f"{proj}:proj", "-o", out, "--force").code == 1
    assert out.read_bytes() == b"old\n"
    assert cli("compact", log, "-o", out, "--force").code == 0
    assert out.read_bytes() == _kept_bytes(log)


def test_compact_output_mode_follows_the_umask(cli, log, tmp_path):
    import os

    out = tmp_path / "fresh.jsonl"
    old = os.umask(0o022)
    try:
        assert cli("compact", log, "-o", out).code == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_compact_empty_output_name_is_a_usage_error(cli, log):
    assert_usage_error(cli("compact", log, "-o", ""), "-o")


def test_compact_output_in_missing_directory(cli, log, tmp_path):
    out = tmp_path / "no" / "such" / "dir.jsonl"
    res = cli("compact", log, "-o", out)
    assert_usage_error(res, out)


def test_compact_log_without_ids_says_so(cli, tmp_path):
    p = tmp_path / "flat.jsonl"
    p.write_text('{"type": "x_set", "path": "a", "v": 1}\n{"type": "x_set", "path": "b", "v": 2}\n'
                 '{"type": "x_set", "path": "a", "v": 3}\n')
    doc = cli("compact", p, "--json").json
    assert doc["verified"] is True
    assert [(d["seq"], d["superseded_by"]) for d in doc["dropped"]] == [(1, [3])]
    assert "line number" in doc.get("note", "")
