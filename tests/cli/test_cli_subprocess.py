"""The CLI as a real process (`python -m agentlog_tui.tui.cli`): real exit codes, nothing but one line on stderr
for bad input, JSON on stdout."""

from __future__ import annotations

import json

from cli_helpers import MALFORMED, PUBLISH, RESUMED, assert_usage_error, run_subprocess


def test_state_json_process(tmp_path):
    res = run_subprocess("state", PUBLISH, "--at", "5", "--json", cwd=tmp_path)
    assert res.code == 0
    assert res.err == ""
    doc = json.loads(res.out)
    assert doc["seq"] == 5
    assert doc["state"]["publish"] == {"status": "failed", "error": "429 rate limited"}


def test_check_exit_codes_process(tmp_path):
    assert run_subprocess("check", PUBLISH, "--json", cwd=tmp_path).code == 0
    res = run_subprocess("check", MALFORMED, "--json", cwd=tmp_path)
    assert res.code == 1 and res.err == ""
    assert len(json.loads(res.out)["malformed"]) == 6
    res = run_subprocess("check", MALFORMED, cwd=tmp_path)  # plain text, with log bytes in it
    assert res.code == 1 and "Traceback" not in res.err


def test_diff_exit_code_process(tmp_path):
    res = run_subprocess("diff", RESUMED, "--json", cwd=tmp_path)
    assert res.code == 1 and res.err == ""
    assert [s["verdict"] for s in json.loads(res.out)["snapshots"]] == ["match", "drift"]


def test_missing_file_process(tmp_path):
    p = tmp_path / "nope.jsonl"
    for cmd in ("state", "check", "diff", "compact"):
        res = run_subprocess(cmd, p, "--json", cwd=tmp_path)
        assert_usage_error(res, p)
        assert res.out == ""


def test_bad_projection_process(tmp_path):
    proj = tmp_path / "raises_on_import.py"
    proj.write_text("1 / 0\n")
    res = run_subprocess("check", PUBLISH, "--projection", f"{proj}:fn", cwd=tmp_path)
    assert_usage_error(res, proj)


def test_compact_over_input_process(tmp_path):
    log = tmp_path / "p.jsonl"
    log.write_bytes(PUBLISH.read_bytes())
    res = run_subprocess("compact", log, "-o", log, cwd=tmp_path)
    assert_usage_error(res, log)
    assert log.read_bytes() == PUBLISH.read_bytes()


def test_binary_log_process(tmp_path):
    p = tmp_path / "junk.jsonl"
    p.write_bytes(bytes(range(256)) * 16)
    # not a log at all: one line saying what it looks like, exit 2 (was: a malformed record a line)
    res = run_subprocess("check", p, cwd=tmp_path)
    assert res.code == 2 and "Traceback" not in res.err and "it looks like binary data" in res.err
    res = run_subprocess("state", p, "--json", cwd=tmp_path)
    assert res.code == 2 and "Traceback" not in res.err and res.err.count("\n") == 1


def test_formats_process(tmp_path):
    res = run_subprocess("formats", cwd=tmp_path)
    assert res.code == 0 and "agentlog" in res.out
