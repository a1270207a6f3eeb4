"""`check` on Claude Code and Codex sessions: every finding is one a user would act on, names its
line and says what to do; what their writers do not promise (timestamp order) is information."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from format_fixtures import (
    CLAUDE_CODE,
    CLAUDE_CODE_RESUMED,
    CODEX,
    CODEX_META,
    SID2,
    _usage,
    assistant,
    cx,
    msg,
    tool_result,
    tool_use,
    user,
)

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.formats import REGISTRY
from agentlog_tui.core.formats.base import promised_checks


@pytest.fixture
def check(write_log, capsys):
    """check LOG [--json]: (exit code, stdout or the JSON document)."""
    from agentlog_tui.tui.cli import main

    def run(records, *flags):
        path = write_log(records)
        capsys.readouterr()
        code = main(["check", str(path), *flags])
        out = capsys.readouterr().out
        return code, (json.loads(out) if "--json" in flags else out)

    return run


def _kinds(doc) -> list[tuple[str, int]]:
    return [(x["kind"], x["line"]) for x in doc["anomalies"]]


def test_agents_do_not_promise_timestamp_order():
    assert promised_checks(REGISTRY.get("claude-code")) == frozenset()
    assert promised_checks(REGISTRY.get("codex")) == frozenset()
    assert "ts_backwards" in promised_checks(REGISTRY.get("agentlog"))


def test_skewed_timestamps_of_concurrent_writers_are_information_not_findings(check):
    log = [dict(r) for r in CLAUDE_CODE]
    # a hook's progress record stamped 3 s before the record written before it
    log[8] = {**log[8], "timestamp": "2026-01-01T09:59:59.000Z"}
    code, doc = check(log, "--json")
    assert code == 0 and doc["anomalies"] == []
    assert [(x["kind"], x["line"]) for x in doc["information"]] == [("ts_backwards", 9)]
    code, out = check(log)
    assert code == 0 and "✓ no integrity problems" in out
    assert "1 ts_backwards (claude-code does not promise this: not a finding)" in out
    cx_log = [dict(r) for r in CODEX]
    cx_log[11] = {**cx_log[11], "timestamp": "2026-01-03T07:00:00.000Z"}
    code, doc = check(cx_log, "--json")
    assert not [x for x in doc["anomalies"] if x["kind"] == "ts_backwards"]
    assert [x["line"] for x in doc["information"]] == [12]


def test_a_generic_log_still_finds_timestamps_going_back(check):
    code, doc = check([{"seq": 1, "ts": "2026-01-01T00:00:02Z", "type": "a_set", "data": {}},
                       {"seq": 2, "ts": "2026-01-01T00:00:01Z", "type": "a_set", "data": {}}], "--json")
    assert code == 1 and _kinds(doc) == [("ts_backwards", 2)] and doc["information"] == []


def test_healthy_hand_made_sessions_have_no_findings(check):
    assert check(CLAUDE_CODE, "--json")[0] == 0
    assert check(CLAUDE_CODE_RESUMED, "--json")[0] == 0  # the resumed session's link is not dangling


def test_claude_code_findings_name_the_line_and_what_to_do(check):
    log = [
        user("u1", None, "2026-01-01T10:00:00.000Z", "Run the tests"),                     # 1
        assistant("a1", "u1", "2026-01-01T10:00:01.000Z", "m1",
                  tool_use("t1", "Bash", command="make test"), _usage(1, 1)),               # 2: never answered
        user("u2", "a1", "2026-01-01T10:01:00.000Z", "hello?"),                             # 3
        user("u2", "u2", "2026-01-01T10:01:01.000Z", "again"),                              # 4: duplicate uuid
        user("u3", "gone", "2026-01-01T10:01:02.000Z", "where was I"),                      # 5: dangling parent
        tool_result("u4", "u3", "2026-01-01T10:01:03.000Z", "t-none", "ok", {"stdout": "ok"}),  # 6: no call
        assistant("a2", "u4", "2026-01-01T10:01:04.000Z", "m2", {"type": "text", "text": "ok"}, _usage(1, 1)),
    ]
    code, doc = check(log, "--json")
    assert code == 1
    assert _kinds(doc) == [("unanswered_call", 2), ("duplicate_uuid", 4), ("dangling_parent", 5),
                           ("orphan_result", 6)]
    by = {x["kind"]: x for x in doc["anomalies"]}
    assert "Bash call t1 was never answered" in by["unanswered_call"]["text"]
    assert "already used on line 3" in by["duplicate_uuid"]["text"]
    assert "names no record" in by["dangling_parent"]["text"]
    assert "t-none" in by["orphan_result"]["text"]
    assert all(x["hint"] for x in doc["anomalies"])
    code, out = check(log)
    assert "line      2  unanswered_call" in out and "check whether it ran" in out


def test_a_call_still_in_flight_at_the_end_is_not_a_finding(check):
    log = [user("u1", None, "2026-01-01T10:00:00.000Z", "Run the tests"),
           assistant("a1", "u1", "2026-01-01T10:00:01.000Z", "m1",
                     tool_use("t1", "Bash", command="make test"), _usage(1, 1))]
    assert check(log, "--json")[0] == 0


def test_codex_findings_a_call_never_answered_and_an_output_without_call(check):
    log = [
        cx("00:00.000", "session_meta", CODEX_META),
        cx("00:01.000", "response_item", msg("user", "Deploy")),
        cx("00:01.001", "event_msg", {"type": "task_started"}),
        cx("00:02.000", "response_item", {"type": "function_call", "name": "shell", "call_id": "c1",
                                          "arguments": '{"command":["bash","-lc","make deploy"]}'}),
        cx("00:03.000", "response_item", {"type": "function_call_output", "call_id": "c0", "output": "?"}),
        cx("09:00.000", "response_item", msg("user", "go on")),
        cx("09:00.001", "event_msg", {"type": "task_started"}),
    ]
    code, doc = check(log, "--json")
    assert code == 1
    kinds = [(x["kind"], x["line"]) for x in doc["anomalies"] if x["kind"] != "ts_backwards"]
    # the unanswered call is told by the resume that left it behind (the new task at line 7)
    assert kinds == [("orphan_result", 5)]
    [resume] = doc["resumes"]
    assert resume["seq"] == 6 and [c["line"] for c in resume["unanswered"]] == [4]


def test_codex_call_never_answered_without_a_resume_is_an_audit_finding(check):
    log = [
        cx("00:00.000", "session_meta", CODEX_META),
        cx("00:01.000", "response_item", msg("user", "Deploy")),
        cx("00:02.000", "response_item", {"type": "function_call", "name": "shell", "call_id": "c1",
                                          "arguments": '{"command":["bash","-lc","make deploy"]}'}),
        cx("00:03.000", "response_item", msg("user", "and?")),  # no gap, no task: not a resume
    ]
    code, doc = check(log, "--json")
    assert code == 1 and doc["resumes"] == []
    assert [(x["kind"], x["line"]) for x in doc["anomalies"]] == [("unanswered_call", 3)]


def test_resumed_session_first_link_is_not_dangling_but_a_later_one_is(check):
    log = [dict(r) for r in CLAUDE_CODE_RESUMED]
    # the resumed session (SID2) first record names r2, which is in the file; make it name a record
    # of another file: still not a finding, since it starts a session
    log[2] = {**log[2], "parentUuid": "from-another-file"}
    assert log[2]["sessionId"] == SID2
    code, doc = check(log, "--json")
    assert code == 0, doc["anomalies"]
    log[3] = {**log[3], "parentUuid": "nowhere"}
    code, doc = check(log, "--json")
    assert _kinds(doc) == [("dangling_parent", 4)]


def test_analysis_keeps_timestamps_going_back_as_information(write_log):
    log = [dict(r) for r in CLAUDE_CODE]
    log[8] = {**log[8], "timestamp": "2026-01-01T09:59:59.000Z"}
    a = Analysis(write_log(log))
    a.run()
    assert a.anomalies == [] and [x.kind for x in a.information] == ["ts_backwards"]
    assert a.integrity_problems() == 0


_ROOT = Path(__file__).resolve().parents[2]
REAL = next((p for p in (_ROOT.parent / "shared" / "real_logs",
                         _ROOT.parent.parent / "shared" / "real_logs") if p.is_dir()), None)
REAL_LOGS = sorted(REAL.rglob("*.jsonl")) if REAL is not None else []


@pytest.mark.skipif(not REAL_LOGS, reason="no real agent logs in ../shared/real_logs")
@pytest.mark.parametrize("log", REAL_LOGS, ids=lambda p: p.name[:24])
def test_real_logs_have_no_timestamp_findings_and_no_audit_findings(log, capsys):
    from agentlog_tui.tui.cli import main

    capsys.readouterr()
    main(["check", str(log), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] in ("claude-code", "codex")
    assert not [x for x in doc["anomalies"] if x["kind"] == "ts_backwards"]
    assert doc["information"]  # they are there, as information
    audit_kinds = {"duplicate_uuid", "dangling_parent", "orphan_result", "unanswered_call",
                   "summary_unlinked"}
    assert not [x for x in doc["anomalies"] if x["kind"] in audit_kinds]
