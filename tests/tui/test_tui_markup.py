"""Log content is data: Rich markup and terminal escapes in a log render literally."""

from __future__ import annotations

import shutil

from tui_helpers import SAMPLES, ready, screen_rows, static_text, tree_text

from agentlog_tui.tui.app import AgentlogApp

CONTROL = {chr(c) for c in range(0x20)} | {"\x7f"} | {chr(c) for c in range(0x80, 0xA0)}


async def test_markup_and_ansi_in_types_and_payloads_render_literally(tmp_path):
    path = tmp_path / "[bold red]log[blink].jsonl"
    shutil.copy(SAMPLES / "markup.jsonl", path)
    app = AgentlogApp(str(path), {}, watch=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await ready(pilot)
        assert "[bold red]log[blink].jsonl" in static_text(app, "AppHeader")
        rows = screen_rows(app)
        joined = "\n".join(rows)
        assert "[bold red]boom[/]" in rows[0]  # payload markup, not bold red "boom"
        assert "[bold red]boom[/]_fail" in rows[1]  # markup in the type itself
        assert "␛[31m red ␛[0m" in rows[2]  # ANSI colour codes shown, not applied
        assert "[link=http://x]x[/link]" in joined
        tl = app.timeline
        for y in range(len(rows)):
            for seg in tl.render_line(y):
                assert not (set(seg.text) & CONTROL), f"control character reached row {y}"
                assert seg.style is None or seg.style.link is None
                assert seg.style is None or not seg.style.meta
        # the inspector shows the same strings literally
        await pilot.press("colon", "5", "enter")
        await ready(pilot)
        assert "[not a tag and @click=app.quit" in static_text(app, "#event-view")
        await pilot.press("colon", "6", "enter")
        await ready(pilot)
        event = static_text(app, "#event-view")
        assert "[dim]links[/dim]" in event
        assert "\x1b" not in event and "\x07" not in event and "\x00" not in event
        assert "\\u001b]8;;http://evil.example" in event  # OSC 8 hyperlink shown as written
        assert "and DEL␡" in event  # a raw DEL byte made visible
        state = tree_text(app)
        assert "[dim]links[/dim]" in state
        assert "\x1b" not in state
        assert app.is_running  # and nothing was executed by "@click=app.quit"
