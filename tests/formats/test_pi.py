"""pi coding agent sessions: detection, events, the state at chosen points, compactions, branches."""

from __future__ import annotations

import orjson
from agent_fixtures import CALC, PI, PI_LINEAR, PI_SID
from format_fixtures import BY_FORMAT
from tree_fixtures import CLAUDE_CODE_REWIND

from agentlog_tui.core.analysis import open_analysis
from agentlog_tui.core.branches import branch_reports
from agentlog_tui.core.compaction import plan_compaction
from agentlog_tui.core.formats import REGISTRY


def test_a_pi_session_is_detected_as_pi_and_nothing_else_is():
    assert REGISTRY.detect(PI).name == "pi"
    assert REGISTRY.detect(PI[1:]).name == "pi"  # without its header (a cut file)
    for name, records in BY_FORMAT.items():
        if name != "pi":
            assert REGISTRY.detect(records).name != "pi", name
    assert REGISTRY.detect(CLAUDE_CODE_REWIND).name == "claude-code"


def test_events_have_readable_types_and_summaries(write_log):
    a = open_analysis(write_log(PI))
    assert a.format.name == "pi" and a.n_events == len(PI)
    types = [a.type_of(p) for p in range(a.n_events)]
    assert types[:9] == ["session", "model_change", "thinking_level_change", "user",
                         "assistant.tool_call", "tool_result", "assistant.tool_call", "tool_result", "bash"]
    assert {"compaction", "assistant.error", "label", "custom", "custom_message", "branch_summary",
            "session_info", "assistant.text"} <= set(types)
    s = {a.event_lines[p] + 1: a.format.summary(a.event(p)) for p in range(a.n_events)}
    assert s[5] == f"read: {CALC}"
    assert s[9] == "!python -m pytest -q (exit 0, 1 lines)"
    assert s[14] == "write error: EACCES: permission denied"
    assert s[15] == "error: Request was aborted"


def test_state_after_the_edit(write_log):
    a = open_analysis(write_log(PI))
    _, st = a.state_at(8)
    assert st["session"] == {"id": PI_SID, "cwd": "/home/dev/calc", "version": 3,
                             "started": "2026-03-01T09:00:00.000Z", "model": "anthropic/claude-test",
                             "thinking_level": "medium"}
    assert list(st["context"]) == ["e03", "e04", "e05", "e06", "e07"]
    assert st["tools"]["c2"]["status"] == "done"
    assert st["files"] == {CALC: {"op": "edit", "tool_call_id": "c2", "ts": "2026-03-01T09:00:03.500Z"}}
    assert st["tokens"] == {"input": 110, "output": 50, "cache_read": 150, "cache_write": 50,
                            "cost": 0.003, "responses": 2, "context": 160}


def test_a_compaction_keeps_the_context_from_its_first_kept_entry(write_log):
    a = open_analysis(write_log(PI_LINEAR))
    _, st = a.state_at(11)
    assert list(st["context"]) == ["e08", "e09", "e10"]
    assert st["context"]["e10"]["role"] == "compaction"
    assert st["compactions"] == {"e10": {"tokens_before": 12000, "first_kept": "e08",
                                         "ts": "2026-03-01T09:00:06.000Z", "from_hook": False}}
    assert "c1" not in st["tools"] and "e08" in st["tools"]  # calls of dropped entries go
    b = a.boundaries[a.pos_of_seq(11)]
    assert (b.kind, b.label) == ("compaction", "context compacted (12000 tokens before)")
    _, end = a.state_at()
    assert end["tools"]["c3"]["status"] == "error"
    assert end["errors"]["stop_reason"] == "aborted"
    assert end["labels"] == {"e10": "after compaction"}
    assert end["context"]["e17"]["role"] == "custom"


def test_going_back_with_tree_leaves_a_branch_that_never_feeds_the_state(write_log):
    a = open_analysis(write_log(PI))
    assert sorted(a.event_lines[p] + 1 for p in a.tree.off) == list(range(9, 19))
    assert branch_reports(a) == [{"seq": 9, "line": 9, "events": 10, "last_seq": 18,
                                  "forks_at": 8, "forks_at_line": 8, "first_turn": 9}]
    _, st = a.state_at()
    assert list(st["context"]) == ["e03", "e04", "e05", "e06", "e07", "e18", "e19", "e20", "e21", "e23"]
    assert st["context"]["e18"] == {"role": "branch_summary",
                                    "text": "Tried writing NOTES.md: permission denied."}
    assert st["compactions"] == {} and st["labels"] == {} and "errors" not in st
    assert set(st["tools"]) == {"c1", "c2", "c4"}
    assert st["session"]["name"] == "floats in add()"
    assert st["tokens"]["responses"] == 4
    # the compaction is on the abandoned branch: not a boundary of the live session
    assert not a.boundaries


def test_compaction_drops_the_branch_and_verifies(write_log):
    a = open_analysis(write_log(PI))
    plan = plan_compaction(a)
    assert plan.verified
    assert not {a.event_lines[p] + 1 for p in plan.kept} & set(range(9, 19))


def test_live_tail_entry_by_entry_equals_the_whole_file(write_log):
    path = write_log(PI[:1])
    a = open_analysis(path)
    for rec in PI[1:]:
        with open(path, "ab") as f:
            f.write(orjson.dumps(rec) + b"\n")
        a.update()
    whole = open_analysis(write_log(PI, name="whole.jsonl"))
    assert a.state == whole.state and a.tree.off == whole.tree.off


def test_details_show_calls_and_outputs(write_log):
    a = open_analysis(write_log(PI))
    d = dict(a.format.details(a.event(a.pos_of_seq(5))))
    assert d["call"] == "read (c1)" and d["path"] == CALC and d["thinking"] == "Read the file first."
    d = dict(a.format.details(a.event(a.pos_of_seq(14))))
    assert d["error"] == "EACCES: permission denied"
    d = dict(a.format.details(a.event(a.pos_of_seq(9))))
    assert d["command"] == "python -m pytest -q" and d["output"] == "1 passed\n"


def test_the_validator_accepts_the_session_and_names_what_pi_would_trip_over():
    fmt = REGISTRY.get("pi")
    assert fmt.validate(PI) == []
    assert fmt.validate(PI[1:]) == ["line 1: the first line is not a session header"]
    broken = [*PI[:5], {**PI[5], "parentId": "gone"}]
    assert fmt.validate(broken) == ["line 6: parentId gone names no earlier entry"]
    orphan = [PI[0], PI[5]]
    assert "tool result for c1 has no call before it" in fmt.validate(orphan)[-1]


def test_a_written_compaction_is_valid_for_pi_with_links_moved_to_kept_ancestors(write_log, tmp_path):
    from agentlog_tui.core.compaction import write_compacted

    a = open_analysis(write_log(PI))
    plan = plan_compaction(a)
    out = tmp_path / "compacted.jsonl"
    write_compacted(a, plan, out)
    written = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert written[0]["type"] == "session"
    assert REGISTRY.get("pi").validate(written) == []
    assert open_analysis(out).state == a.state


def test_a_prompt_after_an_unanswered_call_is_a_resume_with_its_report(write_log):
    from agent_fixtures import pi_assistant, pi_call, pi_result, pi_usage, pi_user

    from agentlog_tui.core.resumes import resume_reports

    recs = [*PI[:8],
            pi_assistant("k1", "e07", "00:20.000", [pi_call("c9", "bash", command="make deploy")],
                         pi_usage(5, 5), stop="toolUse"),                                    # 9: pi stopped
            pi_user("k2", "k1", "00:30.000", "go on"),                                      # 10: resume
            pi_assistant("k3", "k2", "00:31.000", [pi_call("c10", "bash", command="make deploy")],
                         pi_usage(5, 5), stop="toolUse"),                                    # 11
            pi_result("k4", "k3", "00:32.000", "c10", "bash", "deployed")]                  # 12
    a = open_analysis(write_log(recs))
    b = a.boundaries[a.pos_of_seq(10)]
    assert (b.kind, b.label) == ("resume", "resumed after 1 unanswered call")
    (rep,) = resume_reports(a)
    doc = rep.to_json()
    assert doc["unanswered"] == [{"seq": 9, "line": 9, "call_id": "c9", "name": "bash",
                                  "input": "bash: make deploy"}]
    aborted = [*PI[:8], pi_assistant("k1", "e07", "00:20.000", [], pi_usage(0, 0), stop="aborted"),
               pi_user("k2", "k1", "00:30.000", "go on")]
    a = open_analysis(write_log(aborted, name="aborted.jsonl"))
    assert a.boundaries[a.pos_of_seq(10)].label == "resumed after an aborted response"


def test_going_back_after_an_aborted_response_is_not_a_resume(write_log):
    a = open_analysis(write_log(PI))  # line 15 aborted, on the branch left by /tree
    assert not [b for b in a.boundaries.values() if b.kind == "resume"]


def test_check_reviews_a_pi_compaction_like_claude_codes(write_log):
    from agentlog_tui.core.context_review import compaction_reviews

    a = open_analysis(write_log(PI_LINEAR))
    (c,) = compaction_reviews(a)
    assert (c["seq"], c["tokens_before"], c["tokens_after"], c["summary_seq"], c["dropped_events"]) == \
        (11, 12000, 130, 11, 5)
    assert c["user_prompts"] == [{"seq": 4, "text": "Make add() in calc.py handle floats",
                                  "in_summary": False}]
    assert c["files"] == [{"path": CALC, "read": True, "written": True, "in_summary": False}]
    assert c["errors"] == [] and c["calls_in_flight"] == []
