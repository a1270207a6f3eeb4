"""The Claude Code format on hand-written transcripts: event types, summaries, state, marks."""

from __future__ import annotations

import pytest
from format_fixtures import (
    AGENTLOG,
    CLAUDE_CODE,
    CLAUDE_CODE_RESUMED,
    CODEX,
    OTHER,
    PARSE,
    SID,
    SID2,
    analysed,
    pos_of_line,
)

from agentlog_tui.core.compaction import plan_compaction
from agentlog_tui.core.formats import REGISTRY
from agentlog_tui.core.liveness import compute_marks


@pytest.fixture
def cc(write_log):
    return analysed(write_log(CLAUDE_CODE))


def test_detects_transcripts_and_nothing_else():
    fmt = REGISTRY.get("claude-code")
    assert fmt.detect(CLAUDE_CODE) == 1.0
    assert fmt.detect(AGENTLOG) == 0.0
    assert fmt.detect(CODEX) == 0.0
    # a generic log that happens to use `user`/`assistant` types is not a transcript
    assert fmt.detect([{"seq": 1, "type": "user", "data": {"message": {}}}]) == 0.0


def test_ids_are_line_numbers_and_time_is_timestamp(cc):
    assert cc.uses_line_numbers
    assert list(cc.seqs) == list(range(1, len(CLAUDE_CODE) + 1))
    assert cc.event(pos_of_line(cc, 4)).ts == "2026-01-01T10:00:01.000Z"
    assert cc.event(pos_of_line(cc, 2)).ts is None  # a file-history-snapshot has no time of its own


def test_event_types_read_well(cc):
    types = [cc.event(p).type for p in range(cc.n_events)]
    assert types == [
        "summary", "file_history_snapshot", "progress", "user.prompt",
        "assistant.thinking", "assistant.text", "assistant.tool_use", "progress", "progress",
        "user.tool_result", "assistant.tool_use", "progress", "user.tool_result",
        "assistant.tool_use", "user.tool_result", "assistant.tool_use", "user.tool_result",
        "assistant.tool_use", "user.tool_result", "assistant.tool_use", "user.tool_result",
        "system.turn_duration", "queue_operation", "system.compact_boundary",
        "user.compact_summary", "assistant.text", "assistant.tool_use", "progress",
    ]


def test_a_record_with_several_blocks_takes_the_most_meaningful_type_and_keeps_them_all(write_log):
    rec = dict(CLAUDE_CODE[6])
    rec["message"] = dict(rec["message"], content=[
        {"type": "thinking", "thinking": "hm"}, {"type": "text", "text": "Reading."},
        {"type": "tool_use", "id": "tx", "name": "Bash", "input": {"command": "pwd"}}])
    a = analysed(write_log([rec]))
    ev = a.event(0)
    assert ev.type == "assistant.tool_use"
    assert len(ev.data["message"]["content"]) == 3


@pytest.mark.parametrize("line, summary", [
    (1, "Fix the parser"),
    (3, "hook SessionStart:startup"),
    (4, "Fix the parser in src/parse.py"),
    (6, "Let me read it. Then fix it."),
    (7, f"Read: {PARSE}"),
    (10, f"Read {PARSE} (3 lines)"),
    (11, "Bash: ls -la"),
    (12, "bash output (1 lines so far)"),
    (13, "Bash (2 lines): a b"),
    (15, f"Edit {PARSE}"),
    (16, "TodoWrite: 2 todos, 0 completed"),
    (23, "enqueue also run the linter"),
    (24, "context compacted (auto, 5000 tokens before)"),
])
def test_summaries_say_what_happened_in_one_line(cc, line, summary):
    assert cc.format.summary(cc.event(pos_of_line(cc, line))) == summary


def test_a_huge_tool_output_is_truncated_in_the_summary_not_in_the_event(write_log):
    big = "x" * 5000 + "\n" + "y\n" * 300
    rec = dict(CLAUDE_CODE[12])
    rec["message"] = {"role": "user", "content": [
        {"tool_use_id": "t2", "type": "tool_result", "content": big, "is_error": False}]}
    rec["toolUseResult"] = {"stdout": big, "stderr": ""}
    a = analysed(write_log([rec]))
    s = a.format.summary(a.event(0))
    assert s.startswith("Bash (301 lines): xxx") and len(s) < 120
    assert a.event(0).data["toolUseResult"]["stdout"] == big


def test_the_compaction_is_a_boundary(cc):
    assert {cc.seqs[p]: b.kind for p, b in cc.boundaries.items()} == {24: "compaction"}


def test_a_new_session_id_mid_file_is_a_resume_boundary(write_log):
    a = analysed(write_log(CLAUDE_CODE_RESUMED))
    assert a.format.name == "claude-code"
    assert {a.seqs[p]: b.kind for p, b in a.boundaries.items()} == {3: "resume"}
    assert a.state["session"]["id"] == SID2
    assert a.state["session"]["resumed_from"] == SID
    # mapping the line again (the UI does, on demand) gives the same boundary
    a._cache.clear()
    assert a.format.boundary(a.event(2)).kind == "resume"
    assert a.format.boundary(a.event(3)) is None


def test_state_before_the_compaction(cc):
    s = cc.state_at_pos(pos_of_line(cc, 23))
    assert s["session"] == {"title": "Fix the parser", "id": SID, "cwd": "/home/dev/proj",
                            "version": "2.1.0", "branch": "main"}
    # the three streamed records of response m1 are one message
    assert list(s["context"]["m1"]["parts"]) == ["a1", "a2", "a3"]
    assert list(s["context"]) == ["u1", "m1", "u2", "m2", "u3", "m3", "u4", "m4", "u5", "m5",
                                  "u6", "m6", "u7"]
    assert s["tools"]["t1"] == {"name": "Read", "input": f"Read: {PARSE}", "status": "done",
                                "path": PARSE, "result": f"Read {PARSE} (3 lines)"}
    assert s["tools"]["t2"]["status"] == "done"
    assert s["progress"] == {"hook-start": {"kind": "hook_progress", "text": "hook SessionStart:startup"}}
    assert s["files"] == {PARSE: {"op": "read", "tool_use_id": "t5", "ts": "2026-01-01T10:00:06.500Z"}}
    assert s["todos"] == [{"content": "Fix parse", "status": "completed"},
                          {"content": "Run tests", "status": "in_progress"}]


def test_progress_shows_while_its_tool_runs(cc):
    s = cc.state_at_pos(pos_of_line(cc, 9))
    assert s["progress"]["t1"] == {"kind": "hook_progress", "text": "hook PostToolUse:Read"}
    assert s["tools"]["t1"]["status"] == "running"
    assert "t1" not in cc.state_at_pos(pos_of_line(cc, 10))["progress"]


def test_the_file_edit_is_the_last_access_until_the_file_is_read_again(cc):
    s = cc.state_at_pos(pos_of_line(cc, 15))
    assert s["files"][PARSE]["op"] == "edit"


def test_tokens_count_each_streamed_response_once(cc):
    tok = cc.state_at_pos(pos_of_line(cc, 7))["tokens"]
    # m1 streamed three records: usage 10/5, 10/5, 10/12 -> one response of 10 in, 12 out
    assert (tok["input"], tok["output"], tok["cache_read"], tok["responses"]) == (10, 12, 100, 1)
    head = cc.state["tokens"]
    assert head["input"] == 10 + 20 + 30 + 40 + 50 + 60 + 5
    assert head["output"] == 12 + 4 + 6 + 7 + 8 + 9 + 6
    assert head["responses"] == 7
    assert head["context"] == 5 + 50 + 10


def test_state_at_head_after_the_compaction(cc):
    s = cc.state
    assert list(s["context"]) == ["u8", "m7"]
    assert s["context"]["u8"]["parts"]["u8"].startswith("compact_summary: This session")
    assert s["tools"] == {"t7": {"name": "Read", "input": f"Read: {OTHER}", "status": "running",
                                 "path": OTHER}}
    assert s["progress"] == {"t7": {"kind": "hook_progress", "text": "hook PreToolUse:Read"}}
    assert s["compactions"] == {"c1": {"trigger": "auto", "pre_tokens": 5000,
                                       "ts": "2026-01-01T10:00:09.000Z"}}
    assert PARSE in s["files"]  # files outlive the context


def test_everything_only_in_context_before_the_compaction_is_superseded(cc):
    m = compute_marks(cc)
    for line in (4, 6, 10, 13, 17, 21):  # prompt, streamed text, tool results
        p = pos_of_line(cc, line)
        assert m.reason(p) == "overwritten", line
        assert 24 in m.superseded_by(p)
    # no context entry at the head was written before the boundary
    boundary = pos_of_line(cc, 24)
    for key in cc.state["context"]:
        assert cc.blame(("context", key)) >= boundary


def test_assistant_records_before_the_compaction_stay_live_only_through_token_totals(cc):
    m = compute_marks(cc)
    for line in (5, 7, 11, 14, 16, 18):
        assert m.reason(pos_of_line(cc, line)) == "read_by", line


def test_an_earlier_read_of_a_file_read_again_is_superseded(cc):
    m = compute_marks(cc)
    first_read, edit, second_read = pos_of_line(cc, 10), pos_of_line(cc, 15), pos_of_line(cc, 19)
    assert not m.is_live(first_read)
    assert 15 in m.superseded_by(first_read)  # the edit overwrote the first read's file entry
    assert not m.is_live(edit)
    assert 19 in m.superseded_by(edit)
    assert m.reason(second_read) == "visible"


def test_progress_is_superseded_by_the_next_progress_and_then_by_the_result(cc):
    m = compute_marks(cc)
    assert m.superseded_by(pos_of_line(cc, 8)) == [9]
    assert m.superseded_by(pos_of_line(cc, 9)) == [10]
    assert m.superseded_by(pos_of_line(cc, 12)) == [13]
    assert m.reason(pos_of_line(cc, 28)) == "visible"  # its tool is still running


def test_a_todo_list_is_superseded_by_the_next(cc):
    m = compute_marks(cc)
    assert m.reason(pos_of_line(cc, 20)) == "visible"
    # the first TodoWrite's list was replaced; it stays live only through token totals
    assert pos_of_line(cc, 16) not in [cc.blame(("todos", i)) for i in range(2)]


def test_records_the_projection_ignores_have_no_effect(cc):
    m = compute_marks(cc)
    for line in (2, 22, 23):
        assert m.reason(pos_of_line(cc, line)) == "no_effect"


def test_compaction_keeps_what_is_live_and_verifies(cc):
    plan = plan_compaction(cc)
    assert plan.verified
    kept_lines = [cc.seqs[p] for p in plan.kept]
    assert 24 in kept_lines and 25 in kept_lines and 19 in kept_lines
    assert not {4, 8, 9, 12} & set(kept_lines)
    # the calls at 7 and 11 stay (token totals), so their results at 10 and 13 stay with them:
    # Claude Code could not load a call without its result
    assert {7, 10, 11, 13} <= set(kept_lines)
    assert sorted(cc.seqs[p] for p in plan.selection.added) == [10, 13, 15, 17, 21]
    assert plan.valid and plan.reasons == []
