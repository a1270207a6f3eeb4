"""The Snapshot tab on a Claude Code session: at a context compaction it says what the model
lost (the user instructions the summary does not keep first); at a resume, the calls left
unanswered and the session it continues."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
from tui_helpers import ready, static_text

from agentlog_tui.tui.app import AgentlogApp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "formats"))
from format_fixtures import CLAUDE_CODE, tool_result, user
from test_agent_resumes import CC_RESUME

SIZE = (120, 40)
LOST = "Also add a --dry-run option to the deploy script"


def _write(tmp_path: Path, records: list[dict]) -> str:
    p = tmp_path / "session.jsonl"
    p.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return str(p)


async def test_snapshot_tab_at_a_compaction_lists_the_lost_instructions_first(tmp_path):
    log = [dict(r) for r in CLAUDE_CODE]
    log[21] = user("u7", "u6", "2026-01-01T10:00:07.500Z", LOST)
    log.insert(22, tool_result("ue", "u7", "2026-01-01T10:00:07.600Z", "t6", "denied", None, is_error=True))
    app = AgentlogApp(_write(tmp_path, log), {}, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await ready(pilot)
        await pilot.press("right_square_bracket")
        await ready(pilot)
        assert app.query_one("TabbedContent").active == "tab-snapshot"
        text = static_text(app, "#snapshot-view")
        assert "Context compaction at #25 (auto)" in text
        assert "5k → 65 tokens, 17 events left the context, summary at #26" in text
        assert "1 of 2 user instruction(s) not in the summary" in text
        assert text.index(LOST) < text.index("\nin the summary:\n")  # lost first
        assert "[in_progress] Run tests" in text
        assert "TodoWrite: denied" in text


async def test_snapshot_tab_at_a_claude_code_resume_shows_what_was_left_hanging(tmp_path):
    app = AgentlogApp(_write(tmp_path, CC_RESUME), {}, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await ready(pilot)
        await pilot.press("right_square_bracket")
        await ready(pilot)
        text = static_text(app, "#snapshot-view")
        assert "Resume at #6 from #4" in text
        assert "1 call(s) in flight never answered" in text and "Bash: make migrate" in text
        assert "#8 user.tool_result repeats #3" in text
        assert "continues session 11111111" in text
