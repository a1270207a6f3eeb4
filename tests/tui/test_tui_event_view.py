"""Pilot tests of the Event tab's readable view on a small hand-made Claude Code session."""

from __future__ import annotations

from pathlib import Path

from tui_fixtures import _assistant, _call, _result, _user, write
from tui_helpers import goto_seq, ready, static_text

from agentlog_tui.tui.app import AgentlogApp
from agentlog_tui.tui.commands import ACTIONS

SIZE = (160, 40)  # the timeline row has room for the first line of output
COMMAND = "seq 1 120 | sed 's/^/row /' && echo '<b>[bold]not markup[/bold]</b>'"
OUTPUT = "\n".join(f"row {i}" for i in range(1, 121)) + "\n<b>[bold]not markup[/bold]</b>\x1b[31m"
SESSION = [
    _user("u1", None, "00.000", "Count to 120, please."),                                     # 1
    _assistant("a1", "u1", "01.000", "m1",
               _call("t1", "Bash", command=COMMAND, description="Count rows")),                # 2
    _result("u2", "a1", "02.000", "t1", OUTPUT,
            tur={"stdout": OUTPUT, "stderr": "", "interrupted": False, "isImage": False}),    # 3
    _assistant("a2", "u2", "03.000", "m2", {"type": "text", "text": "Done: 120 rows."}),       # 4
]


def write_session(tmp_path: Path) -> str:
    return write(tmp_path / "session.jsonl", SESSION)


async def goto(pilot, seq: int) -> None:
    await goto_seq(pilot, seq)
    await ready(pilot)


def event_tab(app) -> str:
    return static_text(app, "#event-view")


async def test_bash_call_shows_its_command_and_description_in_the_event_tab(tmp_path):
    app = AgentlogApp(write_session(tmp_path), {}, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await goto(pilot, 2)
        text = event_tab(app)
        assert "#2 assistant.tool_use" in text
        assert "tool: Bash" in text
        assert "command\n" + COMMAND in text  # literal: the brackets are not eaten as markup
        assert "description: Count rows" in text
        assert '"tool_use"' not in text  # the JSON is one key away, not here


async def test_tool_result_shows_the_whole_output_the_timeline_cuts(tmp_path):
    app = AgentlogApp(write_session(tmp_path), {}, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await goto(pilot, 3)
        # the row (here drawn wide: it names the call it answers first) holds one line of output
        line = app.timeline.cursor_line
        row = app.timeline.row_text(line, 400).plain
        assert "user.tool_result" in row
        assert "row 1" in row and "row 120" not in row  # one line in the list
        text = event_tab(app)
        assert "result\nrow 1\nrow 2\n" in text
        assert "row 119\nrow 120\n<b>[bold]not markup[/bold]</b>␛[31m" in text  # whole, escape visible
        assert "\x1b" not in text


async def test_v_toggles_the_event_tab_to_json_and_the_raw_line_and_back(tmp_path):
    path = write_session(tmp_path)
    raw_line = Path(path).read_bytes().splitlines()[1].decode()
    app = AgentlogApp(path, {}, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await goto(pilot, 2)
        await pilot.press("v")
        await pilot.pause()
        assert app.query_one("TabbedContent").active == "tab-event"
        text = event_tab(app)
        assert "raw line:\n" + raw_line in text
        assert '"name": "Bash"' in text and "tool: Bash" not in text
        await goto(pilot, 3)  # the view stays JSON while moving
        assert "raw line:" in event_tab(app)
        await pilot.press("v")
        await pilot.pause()
        assert "raw line:" not in event_tab(app) and "result\nrow 1" in event_tab(app)


def test_the_toggle_is_in_the_command_palette():
    assert "toggle_event_view" in [a for a, _name, _help in ACTIONS]
    assert any(b.id == "toggle_event_view" and b.key == "v" and b.description
               for b in AgentlogApp.BINDINGS)
