"""Claude Code sessions are trees: a rewind leaves an abandoned branch that never feeds the state."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from format_fixtures import CLAUDE_CODE
from tree_fixtures import CLAUDE_CODE_REWIND, HELLO, TEST

from agentlog_tui.core.analysis import Analysis, open_analysis
from agentlog_tui.core.branches import branch_reports
from agentlog_tui.core.liveness import compute_marks


def test_the_rewound_prompt_and_its_answer_are_off_the_live_branch(write_log):
    a = open_analysis(write_log(CLAUDE_CODE_REWIND))
    assert a.format.name == "claude-code"
    off_lines = sorted(a.event_lines[p] + 1 for p in a.tree.off)
    assert off_lines == [5, 6, 7, 8]


def test_parallel_tool_calls_and_progress_are_not_a_branch(write_log):
    a = open_analysis(write_log(CLAUDE_CODE_REWIND))
    for line in (11, 12, 13):  # the second call, its progress and its result hang off the chain
        assert a.line_pos[line - 1] not in a.tree.off
    _, state = a.state_at()
    assert state["tools"]["t4"]["status"] == "done"
    assert state["files"][HELLO]["op"] == "read"


def test_the_state_never_sees_the_abandoned_branch(write_log):
    a = open_analysis(write_log(CLAUDE_CODE_REWIND))
    _, state = a.state_at()
    assert "t2" not in state["tools"]  # the rm of the abandoned branch
    assert set(state["context"]) >= {"u1", "u3", "m5", "m6"}
    assert not {"u2", "m3", "r2", "m4"} & set(state["context"])
    assert set(state["files"]) == {HELLO, TEST}
    # tokens count only the live branch's responses (m1, m2, m5, m6)
    assert state["tokens"]["responses"] == 4
    # the state at a record of the abandoned branch is the live branch's state up to there
    _, at8 = a.state_at(8)
    _, at4 = a.state_at(4)
    assert at8 == at4


def test_state_equals_a_replay_of_the_live_branch_alone(write_log, tmp_path):
    live = [r for i, r in enumerate(CLAUDE_CODE_REWIND, 1) if i not in (5, 6, 7, 8)]
    a = open_analysis(write_log(CLAUDE_CODE_REWIND))
    b = open_analysis(write_log(live, name="live.jsonl"))
    assert a.state == b.state


def test_branch_report_names_the_fork(write_log):
    a = open_analysis(write_log(CLAUDE_CODE_REWIND))
    assert branch_reports(a) == [{"seq": 5, "line": 5, "events": 4, "last_seq": 8,
                                  "forks_at": 4, "forks_at_line": 4, "first_turn": 5}]


def test_abandoned_records_are_superseded_and_compaction_drops_them_whole(write_log):
    a = open_analysis(write_log(CLAUDE_CODE_REWIND))
    marks = compute_marks(a)
    for line in (5, 6, 7, 8):
        assert not marks.is_live(a.line_pos[line - 1])


def test_an_unbranched_session_has_no_branch_and_no_second_pass(write_log):
    a = Analysis(write_log(CLAUDE_CODE))
    tracker = a.tracker
    a.run()
    assert a.tracker is tracker  # no replay from the start
    assert a.tree is not None and not a.tree.off
    assert branch_reports(a) == []


def test_live_tail_a_rewind_arriving_later_replays_once(write_log):
    path = write_log(CLAUDE_CODE_REWIND[:8])
    a = Analysis(path)
    a.run()
    assert not a.tree.off
    _, before = a.state_at()
    assert "t2" in before["tools"]  # the deletion is the live branch so far
    tracker = a.tracker
    with open(path, "ab") as f:
        f.writelines(orjson.dumps(rec) + b"\n" for rec in CLAUDE_CODE_REWIND[8:])
    a.update()
    assert a.tracker is not tracker  # re-analysed: verdicts already applied changed
    assert sorted(a.event_lines[p] + 1 for p in a.tree.off) == [5, 6, 7, 8]
    whole = open_analysis(write_log(CLAUDE_CODE_REWIND, name="whole.jsonl"))
    assert a.state == whole.state


def test_live_tail_record_by_record_equals_the_whole_file(write_log):
    path = write_log(CLAUDE_CODE_REWIND[:1])
    a = Analysis(path)
    a.run()
    for rec in CLAUDE_CODE_REWIND[1:]:
        with open(path, "ab") as f:
            f.write(orjson.dumps(rec) + b"\n")
        a.update()
    whole = open_analysis(write_log(CLAUDE_CODE_REWIND, name="whole.jsonl"))
    assert a.state == whole.state
    assert a.tree.off == whole.tree.off


def test_continuing_on_the_live_branch_in_tail_does_not_replay(write_log):
    path = write_log(CLAUDE_CODE_REWIND[:14])
    a = open_analysis(path)
    tracker = a.tracker
    with open(path, "ab") as f:
        f.write(orjson.dumps(CLAUDE_CODE_REWIND[14]) + b"\n")
    a.update()
    assert a.tracker is tracker
    assert sorted(a.event_lines[p] + 1 for p in a.tree.off) == [5, 6, 7, 8]


def test_compaction_of_a_branched_session_drops_the_branch_and_verifies(write_log):
    from agentlog_tui.core.compaction import plan_compaction

    a = open_analysis(write_log(CLAUDE_CODE_REWIND))
    plan = plan_compaction(a)
    assert plan.verified
    kept_lines = {a.event_lines[p] + 1 for p in plan.kept}
    assert not kept_lines & {5, 6, 7, 8}


def test_check_reports_the_branch_as_information_not_a_finding(write_log, capsys):
    from agentlog_tui.tui.cli import main

    path = write_log(CLAUDE_CODE_REWIND)
    assert main(["check", str(path), "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["branches"] == [{"seq": 5, "line": 5, "events": 4, "last_seq": 8,
                                "forks_at": 4, "forks_at_line": 4, "first_turn": 5}]
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 abandoned branch" in out
    assert "#5..#8 (4 events) forks at #4, off the live branch" in out


REAL_CC = Path(__file__).resolve().parents[2].parent / "shared" / "real_logs" / "claude_code"


@pytest.mark.skipif(not REAL_CC.is_dir(), reason=f"real agent logs not present at {REAL_CC}")
@pytest.mark.parametrize("name", sorted(p.name for p in REAL_CC.glob("*.jsonl")) if REAL_CC.is_dir() else [])
def test_real_claude_code_sessions_have_no_abandoned_branch_and_one_pass(name):
    """Their progress records and parallel tool results hang off the chain: not branches."""
    a = Analysis(REAL_CC / name)
    tracker = a.tracker
    a.run()
    assert a.tree is not None and a.tree.n_linked > 0
    assert branch_reports(a) == [] and not a.tree.off
    assert a.tracker is tracker
