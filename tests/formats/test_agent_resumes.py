"""Resumes of real agents (DESIGN section 13): a Claude Code session continued from another (in
the same file, after its copied history) and a Codex turn started over an interrupted one. The
report names the earlier session and where it resumed from, the calls left unanswered, and side
effects completed before the resume and again after it."""

from __future__ import annotations

import json

import pytest
from format_fixtures import (
    CLAUDE_CODE_RESUMED,
    CODEX_META,
    SID,
    SID2,
    _usage,
    analysed,
    assistant,
    cx,
    msg,
    tool_result,
    tool_use,
    user,
)
from test_agent_writes import INTERRUPTED

from agentlog_tui.core.formats.base import side_effecting
from agentlog_tui.core.resumes import resume_reports


@pytest.fixture
def check(write_log, capsys):
    from agentlog_tui.tui.cli import main

    def run(records, *flags):
        path = write_log(records)
        capsys.readouterr()
        code = main(["check", str(path), *flags])
        out = capsys.readouterr().out
        return code, (json.loads(out) if "--json" in flags else out)

    return run


def _bash(uuid, parent, ts, tid, command, sid=SID):
    return assistant(uuid, parent, ts, f"m-{uuid}", tool_use(tid, "Bash", command=command), _usage(1, 1), sid=sid)


def _done(uuid, parent, ts, tid, sid=SID):
    rec = tool_result(uuid, parent, ts, tid, "ok", {"stdout": "ok", "stderr": ""})
    rec["sessionId"] = sid
    return rec


# Session A deploys, starts a migration that never answers; session B (same file, its copied
# history first) resumes from A's last record and deploys again.
CC_RESUME = [
    user("u1", None, "2026-01-02T09:00:00.000Z", "Deploy and migrate"),               # 1
    _bash("a1", "u1", "2026-01-02T09:00:01.000Z", "t1", "make deploy"),                # 2
    _done("u2", "a1", "2026-01-02T09:00:02.000Z", "t1"),                                # 3
    _bash("a2", "u2", "2026-01-02T09:00:03.000Z", "t2", "make migrate"),               # 4: never answered
    {"type": "file-history-snapshot", "messageId": "u3", "isSnapshotUpdate": False,
     "snapshot": {"messageId": "u3", "trackedFileBackups": {}, "timestamp": "x"}},      # 5
    user("u3", "a2", "2026-01-02T10:00:00.000Z", "continue", sid=SID2),                 # 6: resume
    _bash("a3", "u3", "2026-01-02T10:00:01.000Z", "t3", "make deploy", sid=SID2),      # 7
    _done("u4", "a3", "2026-01-02T10:00:02.000Z", "t3", sid=SID2),                      # 8: again
    _bash("a4", "u4", "2026-01-02T10:00:03.000Z", "t4", "ls -la", sid=SID2),           # 9
    _done("u5", "a4", "2026-01-02T10:00:04.000Z", "t4", sid=SID2),                      # 10
]


def test_claude_code_resume_says_where_from_what_hung_and_what_ran_twice(write_log):
    a = analysed(write_log(CC_RESUME))
    [rep] = resume_reports(a)
    doc = rep.to_json()
    assert doc["seq"] == 6 and doc["from_event"] == 4  # the record its parentUuid names
    assert doc["earlier_session"] == SID
    assert doc["missed"] == []  # the file-history backup between is not conversation
    assert doc["unanswered"] == [{"seq": 4, "line": 4, "call_id": "t2", "name": "Bash",
                                  "input": "Bash: make migrate"}]
    assert doc["duplicates"] == [{"seq": 8, "original_seq": 3, "entity": "shell",
                                  "subject": "make deploy"}]
    assert doc["findings"] == 2


def test_claude_code_resume_text_and_the_unanswered_call_is_told_once(check):
    code, doc = check(CC_RESUME, "--json")
    assert code == 1
    assert not [x for x in doc["anomalies"] if x["kind"] == "unanswered_call"]  # the resume tells it
    code, out = check(CC_RESUME)
    assert f"resume #6 from #4 (continues session {SID[:13]}): 2 finding(s)" in out
    assert "never answered: #4 Bash: make migrate (t2)" in out
    assert "possible duplicate effect: #8 repeats #3 (shell make deploy)" in out


def test_a_clean_claude_code_resume_names_its_origin(write_log):
    a = analysed(write_log(CLAUDE_CODE_RESUMED))
    [rep] = resume_reports(a)
    assert (rep.seq, rep.from_seq, rep.earlier_session, rep.findings) == (3, 2, SID, 0)
    assert a.boundaries[rep.pos].from_seq == 2  # the timeline's boundary knows it too


def test_a_resume_from_an_earlier_record_missed_the_conversation_after_it(write_log):
    log = [dict(r) for r in CC_RESUME[:4]] + [
        user("u3", "u2", "2026-01-02T10:00:00.000Z", "continue", sid=SID2)]  # branches off line 3
    a = analysed(write_log(log))
    [rep] = resume_reports(a)
    assert rep.from_seq == 3 and rep.missed == [4]


def test_codex_interrupted_turn_continued_later_is_a_resume(write_log):
    a = analysed(write_log(INTERRUPTED))
    assert {a.seqs[p]: b.kind for p, b in a.boundaries.items()} == {8: "resume"}
    [rep] = resume_reports(a)
    doc = rep.to_json()
    assert doc["from_event"] == 7 and doc["earlier_session"] == CODEX_META["id"]
    assert doc["unanswered"] == [{"seq": 6, "line": 6, "call_id": "call_d", "name": "shell",
                                  "input": "shell: make deploy"}]
    assert "call(s) unanswered" in a.boundaries[rep.pos].label


def _call(ts, cid, command):
    return cx(ts, "response_item", {"type": "function_call", "name": "shell", "call_id": cid,
                                    "arguments": json.dumps({"command": ["bash", "-lc", command]})})


def _out(ts, cid, code=0):
    return cx(ts, "response_item", {"type": "function_call_output", "call_id": cid,
                                    "output": json.dumps({"output": "", "metadata": {"exit_code": code}})})


CODEX_DUP = [
    cx("00:00.000", "session_meta", CODEX_META),                                    # 1
    cx("00:01.000", "response_item", msg("user", "Ship it")),                       # 2
    cx("00:01.001", "event_msg", {"type": "task_started"}),                          # 3
    _call("00:02.000", "c1", "make deploy"),                                         # 4
    _out("00:03.000", "c1"),                                                         # 5
    _call("00:04.000", "c2", "cat README.md"),                                       # 6
    _out("00:05.000", "c2"),                                                         # 7
    # the CLI died here: no task_complete; 20 minutes later the user goes on
    cx("20:00.000", "response_item", msg("user", "<environment_context>cwd</environment_context>")),  # 8
    cx("20:00.001", "response_item", msg("user", "go on")),                          # 9
    cx("20:00.002", "event_msg", {"type": "task_started"}),                          # 10
    _call("20:01.000", "c3", "make deploy"),                                         # 11
    _out("20:02.000", "c3"),                                                         # 12
    _call("20:03.000", "c4", "cat README.md"),                                       # 13
    _out("20:04.000", "c4"),                                                         # 14
    cx("20:05.000", "event_msg", {"type": "task_complete"}),                         # 15
]


def test_codex_duplicate_effect_after_an_unfinished_turn(write_log):
    a = analysed(write_log(CODEX_DUP))
    [rep] = resume_reports(a)
    doc = rep.to_json()
    assert doc["seq"] == 8 and doc["from_event"] == 7 and doc["unanswered"] == []
    # make deploy ran twice; reading a file twice is no effect
    assert doc["duplicates"] == [{"seq": 12, "original_seq": 5, "entity": "shell",
                                  "subject": "make deploy"}]
    assert "the turn never completed" in a.boundaries[rep.pos].label


def test_a_user_steering_a_running_turn_is_not_a_resume(write_log):
    log = CODEX_DUP[:7] + [cx("00:06.000", "response_item", msg("user", "also update the docs")),
                           _call("00:07.000", "c5", "make docs"), _out("00:08.000", "c5"),
                           cx("00:09.000", "event_msg", {"type": "task_complete"}),
                           cx("00:10.000", "response_item", msg("user", "thanks")),
                           cx("00:10.001", "event_msg", {"type": "task_started"})]
    a = analysed(write_log(log))
    assert resume_reports(a) == []


def test_codex_patch_written_again_after_a_resume(write_log):
    def patch(ts, cid):
        return cx(ts, "response_item", {"type": "custom_tool_call", "name": "apply_patch", "call_id": cid,
                                        "input": "*** Begin Patch\n*** Update File: app.py\n*** End Patch"})

    log = CODEX_DUP[:3] + [patch("00:02.000", "p1"),
                           cx("00:02.500", "response_item", {"type": "custom_tool_call_output",
                                                             "call_id": "p1", "output": "Success."}),
                           cx("30:00.000", "response_item", msg("user", "go on")),
                           patch("30:01.000", "p2"),
                           cx("30:01.500", "response_item", {"type": "custom_tool_call_output",
                                                             "call_id": "p2", "output": "Success."})]
    a = analysed(write_log(log))
    [rep] = resume_reports(a)
    assert [d.to_json() for d in rep.duplicates] == [
        {"seq": 8, "original_seq": 5, "entity": "write", "subject": "app.py"}]


@pytest.mark.parametrize(("command", "changes"), [
    ("ls -la", False), ("git status && git diff", False), ("cat a | grep b", False),
    ("sed -n 1,5p f", False), ("ls 2>/dev/null", False),
    ("make deploy", True), ("git push", True), ("echo x > f", True), ("sed -i s/a/b/ f", True),
    ("cd app && npm publish", True), ("FOO=1 rm -rf build", True),
])
def test_side_effecting_commands_heuristic(command, changes):
    assert side_effecting(command) is changes
