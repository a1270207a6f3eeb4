"""Pilot: a Claude Code session with a rewind shows its abandoned branch and `o` hides it."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
from tui_helpers import goto_seq, ready, screen_rows, settled, static_text, wait_for

from agentlog_tui.tui.app import AgentlogApp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "formats"))
from tree_fixtures import CLAUDE_CODE_REWIND


def visible_seqs(app) -> list[int]:
    tl = app.timeline
    return [app.model.row(tl.line_of(r)).record.seq for r in range(tl.n_rows)]


async def test_the_abandoned_branch_is_marked_and_o_hides_it(tmp_path):
    path = tmp_path / "rewind.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in CLAUDE_CODE_REWIND))
    app = AgentlogApp(str(path), {}, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        rows = screen_rows(app)
        row5 = next(r for r in rows if " 5 " in r[:12])
        assert row5.lstrip("│").startswith("⎇") and row5.rstrip().endswith("↱#4")
        row6 = next(r for r in rows if " 6 " in r[:12])
        assert "off branch" in row6
        assert "⎇ 1 branch off" in static_text(app, "AppHeader")
        await goto_seq(pilot, 6)
        await wait_for(pilot, lambda: settled(app), what="inspector on #6")
        title = static_text(app, "#state-title")
        assert "state after #6" in title and "off the live branch (it forks at #4): not applied" in title
        await pilot.press("o")
        await wait_for(pilot, lambda: app.timeline.rows is not None, what="rows hidden")
        assert visible_seqs(app) == [1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15]
        await pilot.press("o")
        await wait_for(pilot, lambda: app.timeline.rows is None, what="rows shown")
        assert len(visible_seqs(app)) == 15
