"""`agentlog-tui fork`: one line saying what it wrote; never over a file; bad input exits 2."""

from __future__ import annotations

from cli_helpers import RESUMED, assert_usage_error, run_subprocess


def test_fork_writes_and_says_so_in_one_line(cli, tmp_path):
    out = tmp_path / "f.jsonl"
    res = cli("fork", RESUMED, "--at", "24", "-o", out)
    assert res.code == 0 and res.err == ""
    assert res.out.count("\n") == 1
    assert res.out.startswith("wrote fork of resumed_executor.jsonl at #24 executor_resumed to ")
    assert out.read_bytes() == b"".join(RESUMED.read_bytes().splitlines(keepends=True)[:24])
    state = cli("state", out, "--json").json
    assert state == cli("state", RESUMED, "--at", "24", "--json").json


def test_fork_json_and_compact(cli, tmp_path):
    out = tmp_path / "c.jsonl"
    doc = cli("fork", RESUMED, "--at", "24", "-o", out, "--compact", "--json").json
    assert doc["compact"] is True and doc["verified"] is True and doc["events"] < 24
    assert cli("state", out, "--json").json["state"] == cli("state", RESUMED, "--at", "24", "--json").json["state"]


def test_fork_refuses_existing_files_and_the_input(cli, tmp_path):
    out = tmp_path / "f.jsonl"
    out.write_text("mine\n")
    assert_usage_error(cli("fork", RESUMED, "--at", "3", "-o", out), out)
    assert out.read_text() == "mine\n"
    assert_usage_error(cli("fork", RESUMED, "--at", "3", "-o", RESUMED), RESUMED)


def test_fork_bad_id_and_missing_options(cli, tmp_path):
    assert_usage_error(cli("fork", RESUMED, "--at", "99", "-o", tmp_path / "x.jsonl"), RESUMED)
    assert not (tmp_path / "x.jsonl").exists()
    res = run_subprocess("fork", RESUMED, "--at", "3")
    assert res.code == 2 and "Traceback" not in res.err
