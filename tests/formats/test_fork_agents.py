"""Forks of Claude Code and Codex sessions (core/fork.py through the formats' writer): at every
event of the hand-made sessions, the written file is read as the same format, passes its
validator, and replays to the state of what it kept; calls in flight at the cut are left out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from format_fixtures import CLAUDE_CODE, CODEX

from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.compaction import event_objects, select_events, selection_state
from agentlog_tui.core.fork import ForkError, fork

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "real_logs"
REAL_LOGS = sorted(REAL.rglob("*.jsonl")) if REAL.is_dir() else []


def analysed(path) -> Analysis:
    a = Analysis(path)
    a.run()
    return a


def check_fork(a: Analysis, seq: int, out: Path, compact: bool = False) -> None:
    res = fork(a, seq, out, compact=compact)
    f = analysed(out)
    try:
        assert f.format.name == a.format.name
        problems = a.format.validate(event_objects(f))
        assert problems == [], problems
        pos = a.pos_of_seq(seq)
        left_out = {a.pos_of_seq(s) for s in res.dropped}
        assert left_out <= set(range(pos + 1))
        sel = select_events(a, [p for p in range(pos + 1) if p not in left_out], partners="drop")
        assert sel.removed == []  # what the fork left out is exactly what it says
        assert canonical(f.state) == canonical(selection_state(a, sel))
        assert res.validated == a.format.name
        if not compact:
            assert f.n_events == len(sel.positions) == pos + 1 - len(left_out)
    finally:
        f.close()


@pytest.mark.parametrize("records", [CLAUDE_CODE, CODEX], ids=["claude-code", "codex"])
def test_a_fork_at_every_event_of_a_session_loads_in_its_agent(records, tmp_path):
    log = tmp_path / "session.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in records))
    a = analysed(log)
    assert a.format.name in ("claude-code", "codex")
    dropped_somewhere = False
    for pos in range(a.n_events):
        seq = a.seqs[pos]
        out = tmp_path / f"fork-{seq}.jsonl"
        check_fork(a, seq, out)
        dropped_somewhere |= bool(fork(a, seq, tmp_path / f"again-{seq}.jsonl").dropped)
    assert dropped_somewhere  # the sessions have calls in flight at some cuts
    check_fork(a, a.seqs[a.n_events // 2], tmp_path / "compact.jsonl", compact=True)


@pytest.mark.skipif(not REAL_LOGS, reason=f"real agent logs not present at {REAL}")
@pytest.mark.parametrize("path", REAL_LOGS, ids=lambda p: p.name)
def test_forks_of_real_sessions_load_in_their_agent(path, tmp_path):
    a = analysed(path)
    for i, pos in enumerate(sorted({a.n_events // 3, (2 * a.n_events) // 3, a.n_events - 1})):
        check_fork(a, a.seqs[pos], tmp_path / f"f{i}.jsonl")


def test_an_agent_fork_goes_over_an_existing_file_only_when_asked(tmp_path):
    # the app's F asks before replacing a file; the CLI never replaces one
    log = tmp_path / "s.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in CLAUDE_CODE))
    a = analysed(log)
    existing = tmp_path / "x.jsonl"
    existing.write_text("keep me\n")
    seq = a.seqs[a.n_events - 1]
    with pytest.raises(ForkError, match="already exists"):
        fork(a, seq, existing)
    assert existing.read_text() == "keep me\n"
    fork(a, seq, existing, overwrite=True)
    assert analysed(existing).format.name == "claude-code"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.jsonl", "x.jsonl"]
