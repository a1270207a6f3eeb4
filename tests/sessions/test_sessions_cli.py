"""`agentlog-tui sessions` and `agentlog-tui find` on the fixture folder."""

from __future__ import annotations

import json
import os

from sessions_fixture import CODEX, FIXTURE, NOT_A_LOG, PARENT1, SUB1


def test_sessions_json_shape(run_cli):
    code, out, _err = run_cli("sessions", FIXTURE, "--json")
    doc = json.loads(out)
    assert code == 1  # a session has findings and a file is not a log
    assert doc["roots"] == [os.fspath(FIXTURE)]
    rows = doc["sessions"]
    assert next(r["path"] for r in rows) == os.fspath(PARENT1) and rows[-1]["path"] == os.fspath(NOT_A_LOG)
    assert len(rows) == 6
    first = rows[0]
    assert {k: first[k] for k in ("format", "project", "title", "events", "findings", "compactions", "resumes")} == {
        "format": "claude-code", "project": "/home/ana/shop", "title": "The checkout test fails, please fix it",
        "events": 11, "findings": 1, "compactions": 0, "resumes": 0}
    assert [s["path"] for s in first["subagents"]] == [os.fspath(SUB1)]
    assert first["subagents"][0]["agent_id"] == "a1b2c3d"
    assert rows[-1]["error"] == "no JSON object in its first lines"


def test_sessions_quick_leaves_the_expensive_columns_empty(run_cli):
    code, out, _ = run_cli("sessions", CODEX.parent, "--json", "--quick")
    (row,) = json.loads(out)["sessions"]
    assert code == 0 and row["events"] is None and row["title"] == "add a health endpoint and check it answers"


def test_sessions_text_lists_rows_with_counts(run_cli):
    _code, out, _ = run_cli("sessions", FIXTURE)
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["LAST", "ACTIVITY", "FORMAT"]
    assert "[1 subagent] The checkout test fails" in lines[1] and " 11 " in lines[1]
    assert lines[2].strip() == os.fspath(PARENT1)


def test_sessions_with_no_argument_reads_the_users_folders(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("CODEX_HOME", raising=False)
    code, _, err = run_cli("sessions")
    assert code == 2 and "no Claude Code or Codex session folders" in err and len(err.splitlines()) == 1
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(FIXTURE / "claude"))
    code, out, _ = run_cli("sessions", "--json", "--quick")
    assert {r["format"] for r in json.loads(out)["sessions"]} == {"claude-code"}


def test_find_prints_hits_with_event_ids_and_marks(run_cli):
    code, out, _ = run_cli("find", "permission denied", FIXTURE)
    assert code == 0
    assert out.splitlines() == [os.fspath(PARENT1),
                                ("  #3      user.tool_result       error      "
                                "E   PermissionError: [Errno 13] »Permission denied«: '/var/cache/shop'")]


def test_find_json_and_regex_with_options_between_arguments(run_cli):
    code, out, _ = run_cli("find", r"exit code \d", "--regex", FIXTURE, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["regex"] is True and doc["sessions_searched"] == 8
    assert [(h["path"], h["seq"], h["type"], h["field"], h["spans"]) for h in doc["hits"]] == [
        (os.fspath(PARENT1), 3, "user.tool_result", "error", [[0, 11]])]


def test_find_exit_codes(run_cli):
    assert run_cli("find", "no such words anywhere", FIXTURE)[0] == 1
    code, _, err = run_cli("find", "(", "--regex", FIXTURE)
    assert code == 2 and err.startswith("agentlog-tui: bad regex")
    code, _, err = run_cli("find", "x", FIXTURE / "nope")
    assert code == 2 and "nope: no such file or folder" in err


def test_the_app_with_no_argument_and_no_session_folders_says_so(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("CODEX_HOME", raising=False)
    code, _, err = run_cli()
    assert code == 2 and len(err.splitlines()) == 1
    assert "no Claude Code or Codex session folders here" in err
