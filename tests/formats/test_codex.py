"""The Codex format on hand-written rollouts (both layouts): event types, summaries, state, marks."""

from __future__ import annotations

import pytest
from format_fixtures import (
    AGENTLOG,
    CLAUDE_CODE,
    CODEX,
    CODEX_LEGACY,
    TURN_CONTEXT,
    analysed,
    cx,
    msg,
    pos_of_line,
)

from agentlog_tui.core.compaction import plan_compaction
from agentlog_tui.core.formats import REGISTRY
from agentlog_tui.core.liveness import compute_marks


@pytest.fixture
def rollout(write_log):
    return analysed(write_log(CODEX))


def test_detects_both_layouts_and_nothing_else():
    fmt = REGISTRY.get("codex")
    assert fmt.detect(CODEX) == 1.0
    assert fmt.detect(CODEX_LEGACY) >= 0.5
    assert REGISTRY.detect(CODEX_LEGACY) is fmt
    assert fmt.detect(AGENTLOG) == 0.0
    assert fmt.detect(CLAUDE_CODE) == 0.0
    # a generic log with a `payload` field is not a rollout
    assert fmt.detect([{"seq": 1, "type": "response_item", "payload": {"type": "message"}}]) == 0.0


def test_event_types_join_the_record_type_and_the_payload_type(rollout):
    types = [rollout.event(p).type for p in range(rollout.n_events)]
    assert types[:12] == [
        "session_meta", "response_item.message", "response_item.message", "event_msg.user_message",
        "turn_context", "event_msg.task_started", "response_item.ghost_snapshot",
        "event_msg.agent_reasoning", "response_item.reasoning", "response_item.function_call",
        "response_item.function_call_output", "event_msg.token_count",
    ]
    assert rollout.event(pos_of_line(rollout, 23)).type == "compacted"
    assert rollout.event(pos_of_line(rollout, 22)).type == "event_msg.thread_rolled_back"
    # the event's payload is the record's payload; ids are line numbers
    assert rollout.event(0).data["cli_version"] == "0.60.0"
    assert rollout.uses_line_numbers and rollout.event(0).ts == "2026-01-03T08:00:00.000Z"


@pytest.mark.parametrize("line, summary", [
    (1, "session 019a0000-0000-7000-8000-000000000001 /home/dev/app cli 0.60.0 on main"),
    (3, "user: Add a --verbose flag"),
    (5, "model gpt-test effort high cwd /home/dev/app"),
    (7, "snapshot commit g1 of abc123"),
    (9, "**Looking at the CLI**"),
    (10, "shell: ls -la"),
    (11, "(2 lines, exit 0) a.py b.py"),
    (12, "total 110 tokens (in 100, out 10)"),
    (14, "apply_patch: *** Begin Patch *** Update File: a.py *** End Patch"),
    (19, "turn complete: Added --verbose."),
    (22, "rolled back 1 turns"),
    (23, "history compacted to 2 items: summary of the work so far"),
])
def test_summaries_say_what_happened_in_one_line(rollout, line, summary):
    assert rollout.format.summary(rollout.event(pos_of_line(rollout, line))) == summary


def test_boundaries_are_the_compaction_and_the_appended_session(rollout):
    assert {rollout.seqs[p]: b.kind for p, b in rollout.boundaries.items()} == {
        23: "compaction", 26: "resume"}


def test_calls_pair_with_their_outputs_by_call_id(rollout):
    s = rollout.state_at_pos(pos_of_line(rollout, 10))
    assert s["calls"]["call_1"] == {"name": "shell", "call": "shell: ls -la", "status": "running"}
    s = rollout.state_at_pos(pos_of_line(rollout, 15))
    assert s["calls"]["call_1"]["status"] == "done"
    assert s["calls"]["call_1"]["output"] == "(2 lines, exit 0) a.py b.py"
    assert s["calls"]["call_2"]["name"] == "apply_patch" and s["calls"]["call_2"]["status"] == "done"


def test_state_before_the_rollback_and_compaction(rollout):
    s = rollout.state_at_pos(pos_of_line(rollout, 21))
    assert [h.get("text") or h.get("call") or h.get("output") or h.get("reasoning")
            for h in s["history"]] == [
        "<environment_context>cwd</environment_context>", "Add a --verbose flag",
        "**Looking at the CLI**", "shell: ls -la", "(2 lines, exit 0) a.py b.py",
        "apply_patch: *** Begin Patch *** Update File: a.py *** End Patch",
        "(1 lines) Success. Updated a.py", "Added --verbose.", "Also add -q",
        "shell: grep -n verbose a.py"]
    assert s["turn_context"] == TURN_CONTEXT
    assert s["tokens"]["total"]["total_tokens"] == 280
    assert s["turn"] == {"status": "complete", "last_agent_message": "Added --verbose."}
    assert s["ghost_snapshots"] == {"g1": {"parent": "abc123"}}


def test_a_rollback_drops_the_last_turns(rollout):
    s = rollout.state_at_pos(pos_of_line(rollout, 22))
    assert s["history"][-1] == {"role": "assistant", "text": "Added --verbose."}
    assert s["rolled_back_turns"] == 1


def test_compacted_replaces_the_history_and_the_session_is_updated_at_head(rollout):
    s = rollout.state
    assert s["history"] == [{"role": "user", "text": "Add a --verbose flag"},
                            {"role": "assistant", "text": "Summary: flag added."},
                            {"role": "user", "text": "Now write the changelog"},
                            {"call": "shell: cat CHANGELOG.md", "call_id": "call_4"}]
    assert s["calls"] == {"call_4": {"name": "shell", "call": "shell: cat CHANGELOG.md",
                                     "status": "running"}}
    assert s["compactions"] == 1
    assert s["session"]["id"] == "019a0000-0000-7000-8000-000000000002"


def test_history_before_the_compaction_is_superseded(rollout):
    m = compute_marks(rollout)
    for line in (2, 3, 9, 10, 11, 14, 15, 17, 20, 21):
        p = pos_of_line(rollout, line)
        assert not m.is_live(p), line
        assert 23 in m.superseded_by(p) or 22 in m.superseded_by(p), line


def test_an_identical_turn_context_has_no_effect_and_echoes_neither(rollout):
    m = compute_marks(rollout)
    assert m.reason(pos_of_line(rollout, 5)) == "visible"
    assert m.reason(pos_of_line(rollout, 13)) == "no_effect"
    assert m.reason(pos_of_line(rollout, 8)) == "no_effect"  # agent_reasoning echoes the reasoning item
    assert m.reason(pos_of_line(rollout, 18)) == "no_effect"  # agent_message echoes the message item


def test_token_count_overwrites_the_totals(rollout):
    m = compute_marks(rollout)
    assert m.reason(pos_of_line(rollout, 16)) == "visible"
    assert not m.is_live(pos_of_line(rollout, 12)) or m.reason(pos_of_line(rollout, 12)) == "visible"
    assert rollout.blame(("tokens", "total", "total_tokens")) == pos_of_line(rollout, 16)


def test_compaction_verifies(rollout):
    assert plan_compaction(rollout).verified


def test_a_rollback_without_a_later_compaction_still_compacts_to_the_same_state(write_log):
    log = CODEX[:21] + [cx("07:00.000", "event_msg", {"type": "thread_rolled_back", "num_turns": 1})]
    a = analysed(write_log(log))
    assert a.state["history"][-1] == {"role": "assistant", "text": "Added --verbose."}
    m = compute_marks(a)
    assert m.reason(pos_of_line(a, 22)) == "visible"
    # the rolled-back items are gone from the state, but the rollback read them to find where
    # the last turn began, so a compacted log keeps them for it
    assert m.reason(pos_of_line(a, 20)) == "read_by" and 22 in m.read_by(pos_of_line(a, 20))
    assert plan_compaction(a).verified


def test_a_compacted_record_without_replacement_history_keeps_its_summary(write_log):
    log = CODEX[:3] + [cx("01:00.000", "compacted", {"message": "we did things"})]
    a = analysed(write_log(log))
    assert a.state["history"] == [{"summary": "we did things"}]


class TestOlderLayout:
    @pytest.fixture
    def legacy(self, write_log):
        return analysed(write_log(CODEX_LEGACY))

    def test_is_read_as_codex_with_every_line_an_event(self, legacy):
        assert legacy.format.name == "codex"
        assert legacy.n_events == len(CODEX_LEGACY) and not legacy.malformed

    def test_types(self, legacy):
        assert [legacy.event(p).type for p in range(legacy.n_events)] == [
            "session_meta", "state", "response_item.message", "response_item.reasoning",
            "response_item.function_call", "state", "response_item.function_call_output",
            "response_item.message"]

    def test_state(self, legacy):
        s = legacy.state
        assert s["session"] == {"id": "0c0ffee0-0000-0000-0000-000000000001", "branch": "dev"}
        assert s["calls"]["call_a"]["status"] == "done"
        assert s["history"][-1] == {"role": "assistant", "text": "Two files: x and y."}
        m = compute_marks(legacy)
        assert m.reason(1) == "no_effect"  # state lines
        assert legacy.boundaries == {}


def test_a_message_summary_is_one_line_even_with_newlines(write_log):
    a = analysed(write_log([CODEX[0], cx("01:00.000", "response_item", msg("assistant", "a\nb\r\nc"))]))
    assert a.format.summary(a.event(1)) == "assistant: a b c"
