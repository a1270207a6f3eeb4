"""Gemini CLI chat recordings: detection, rewritten messages, the state at chosen points, a history
rewrite (compaction), and a rewind (a branch, not an error)."""

from __future__ import annotations

import orjson
from agent_fixtures import G_README, G_SID, GEMINI_CLI
from format_fixtures import BY_FORMAT

from agentlog_tui.core.analysis import open_analysis
from agentlog_tui.core.branches import branch_reports
from agentlog_tui.core.compaction import plan_compaction, write_compacted
from agentlog_tui.core.formats import REGISTRY


def test_a_gemini_recording_is_detected_and_nothing_else_is():
    assert REGISTRY.detect(GEMINI_CLI).name == "gemini-cli"
    assert REGISTRY.detect(GEMINI_CLI[1:]).name == "gemini-cli"  # without its metadata line
    for name, records in BY_FORMAT.items():
        if name != "gemini-cli":
            assert REGISTRY.detect(records).name != "gemini-cli", name


def test_every_record_is_an_event_with_a_readable_type(write_log):
    a = open_analysis(write_log(GEMINI_CLI))
    assert a.format.name == "gemini-cli" and a.n_events == len(GEMINI_CLI) and not a.malformed
    types = [a.type_of(p) for p in range(a.n_events)]
    assert types[:8] == ["session", "user", "set", "gemini.tool_calls", "gemini.tool_calls",
                         "gemini.tool_calls", "gemini.tool_calls", "gemini.text"]
    assert types[11] == "rewind" and types[14] == "set.messages" and types[17] == "error"
    s = a.format.summary(a.event(a.pos_of_seq(5)))
    assert s == "run_shell_command: ls [success]"


def test_a_message_written_three_times_counts_once(write_log):
    a = open_analysis(write_log(GEMINI_CLI))
    _, st = a.state_at(6)
    assert st["tools"]["call-1"]["status"] == "success"
    assert st["tools"]["call-1"]["result"] == "success (2 lines): README.md src"
    assert st["tokens"]["responses"] == 1 and st["tokens"]["input"] == 1000
    _, at4 = a.state_at(4)
    assert at4["tools"]["call-1"]["status"] == "executing" and "result" not in at4["tools"]["call-1"]


def test_state_after_the_answer(write_log):
    a = open_analysis(write_log(GEMINI_CLI))
    _, st = a.state_at(8)
    assert st["session"] == {"id": G_SID, "project_hash": "9a8b7c6d5e4f",
                             "started": "2026-04-01T12:00:00.000Z",
                             "last_updated": "2026-04-01T12:00:01.000Z", "kind": "main"}
    assert list(st["context"]) == ["g1", "g2", "g3", "g4"]
    assert st["files"] == {G_README: {"op": "read", "tool_call_id": "call-2",
                                      "ts": "2026-04-01T12:00:05.000Z"}}
    assert st["tokens"]["input"] == 3500 and st["tokens"]["responses"] == 3


def test_a_rewind_is_a_branch_and_its_messages_never_feed_the_state(write_log):
    a = open_analysis(write_log(GEMINI_CLI))
    assert sorted(a.event_lines[p] + 1 for p in a.tree.off) == [9, 10, 11]
    assert branch_reports(a) == [{"seq": 9, "line": 9, "events": 3, "last_seq": 11,
                                  "forks_at": 8, "forks_at_line": 8, "first_turn": 9}]
    _, st = a.state_at(13)
    assert list(st["context"]) == ["g1", "g2", "g3", "g4", "g8"]
    assert "call-3" not in st["tools"]  # the rm was on the rewound branch
    assert st["tokens"]["responses"] == 3
    assert a.integrity_problems() == 0  # not an error


def test_a_history_rewrite_replaces_the_context_and_is_a_compaction(write_log):
    a = open_analysis(write_log(GEMINI_CLI))
    b = a.boundaries[a.pos_of_seq(15)]
    assert (b.kind, b.label) == ("compaction", "history rewritten (2 messages)")
    _, st = a.state_at()
    assert list(st["context"]) == ["s1", "g9", "g10", "g11", "g12"]
    assert st["tools"] == {}
    assert st["compactions"] == [{"messages_before": 6, "messages_after": 2, "ts": None}]
    assert st["session"]["summary"] == "Read and summarise the README"


def test_compaction_drops_the_rewound_messages_with_their_rewind(write_log, tmp_path):
    a = open_analysis(write_log(GEMINI_CLI))
    plan = plan_compaction(a)
    assert plan.verified
    kept = {a.event_lines[p] + 1 for p in plan.kept}
    assert not kept & {9, 10, 11, 12}  # a rewind to a message no longer there would clear all
    out = tmp_path / "out.jsonl"
    write_compacted(a, plan, out)
    lines = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert not any("$rewindTo" in r for r in lines)


def test_live_tail_record_by_record_equals_the_whole_file(write_log):
    path = write_log(GEMINI_CLI[:1])
    a = open_analysis(path)
    for rec in GEMINI_CLI[1:]:
        with open(path, "ab") as f:
            f.write(orjson.dumps(rec) + b"\n")
        a.update()
    whole = open_analysis(write_log(GEMINI_CLI, name="whole.jsonl"))
    assert a.state == whole.state and a.tree.off == whole.tree.off


def test_rewinding_to_the_first_message_and_to_an_unknown_one(write_log):
    first = GEMINI_CLI[:8] + [{"$rewindTo": "g1"}, {"id": "n1", "timestamp": "2026-04-01T13:00:00Z",
                                                     "type": "user", "content": "again"}]
    a = open_analysis(write_log(first, name="first.jsonl"))
    assert sorted(a.event_lines[p] + 1 for p in a.tree.off) == [2, 4, 5, 6, 7, 8]
    assert list(a.state["context"]) == ["n1"]
    unknown = GEMINI_CLI[:8] + [{"$rewindTo": "nope"}]
    a = open_analysis(write_log(unknown, name="unknown.jsonl"))
    assert a.state["context"] == {}  # Gemini CLI clears the history for an unknown target


def test_details_show_thoughts_calls_and_outputs(write_log):
    a = open_analysis(write_log(GEMINI_CLI))
    d = a.format.details(a.event(a.pos_of_seq(6)))
    assert ("thought", "Listing the files\nRun ls first.") in d
    assert ("command", "ls") in d and ("output", "README.md\nsrc\n") in d


def test_the_validator_names_what_gemini_cli_would_trip_over():
    fmt = REGISTRY.get("gemini-cli")
    assert fmt.validate(GEMINI_CLI) == []
    assert fmt.validate(GEMINI_CLI[1:]) == ["line 1: no metadata line with sessionId and projectHash"]
    # a legacy recording (one JSON document) has its metadata around the messages, not among them
    assert fmt.validate([r for r in GEMINI_CLI if isinstance(r.get("id"), str)]) == []
    cut = GEMINI_CLI[:8] + GEMINI_CLI[11:12]
    assert fmt.validate(cut) == ["line 9: rewind to message g5, which is not before it"]


def test_unknown_message_types_are_counted_as_drift(write_log):
    from agentlog_tui.core.drift import unknown_kinds

    recs = [*GEMINI_CLI, {"id": "x1", "timestamp": "2026-04-01T13:00:00Z", "type": "tool_group",
                          "content": "new"}]
    a = open_analysis(write_log(recs))
    assert unknown_kinds(a) == [{"kind": "tool_group", "count": 1, "first_line": 20, "first_seq": 20}]


def test_a_legacy_recording_one_json_document_opens_as_gemini_cli(tmp_path):
    doc = {"sessionId": G_SID, "projectHash": "9a8b7c6d5e4f", "startTime": "2026-04-01T12:00:00Z",
           "lastUpdated": "2026-04-01T12:00:04Z",
           "messages": [r for r in GEMINI_CLI[:8] if isinstance(r.get("id"), str)][:1] + [GEMINI_CLI[5], GEMINI_CLI[7]]}
    path = tmp_path / "session-2026-04-01T12-00-5f0c1d2e.json"
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    a = open_analysis(path)
    assert a.format.name == "gemini-cli" and a.n_events == 3
    from agentlog_tui.core.integrity import format_findings

    assert format_findings(a) == []
    assert list(a.state["context"]) == ["g1", "g2", "g4"]


def test_check_reviews_a_history_rewrite_like_a_compaction(write_log):
    from agentlog_tui.core.context_review import compaction_reviews

    a = open_analysis(write_log(GEMINI_CLI))
    (c,) = compaction_reviews(a)
    assert (c["seq"], c["tokens_before"], c["tokens_after"], c["summary_seq"], c["dropped_events"]) == \
        (15, 1500, 300, 15, 5)  # g1 g2 g3 g4 g8 gone (the rewound g5-g7 were gone before)
    assert [p["seq"] for p in c["user_prompts"]] == [2, 13]
    assert c["files"] == [{"path": G_README, "read": True, "written": False, "in_summary": False}]
    assert c["calls_in_flight"] == [] and c["errors"] == []
