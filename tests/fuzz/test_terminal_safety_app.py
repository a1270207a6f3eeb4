"""No escape reaches the terminal from the app: the hostile log (OSC 0/52, CSI, C1, bidi, DEL in
types, keys, values, summaries, malformed lines, the pending tail, and the file's own name)
opened in the app, walked through every view; after each step every character the screen would
draw is checked (the compositor's output, modal screens and notifications included).

To extend: add a step to `APP_VIEWS`: a name and the keys (or an async function of the pilot)
that brings the view up. Views added by other features belong here too."""

from __future__ import annotations

import sys
from pathlib import Path

from hostile_log import ALL_LINE, unsafe_in, write_hostile_log

from agentlog_tui.tui.app import AgentlogApp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tui"))
from tui_helpers import wait_for


def screen_text(app) -> str:
    """What the terminal would be sent for the current screen (and a modal's background)."""
    parts = []
    for screen in app.screen_stack:
        strips = screen._compositor.render_strips()
        parts.append("\n".join("".join(seg.text for seg in strip) for strip in strips))
    return "\n".join(parts)


async def settle(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.model.analysed and app.progress is None, timeout=15,
                   what="analysis")
    await pilot.pause(0.1)


async def tabs(pilot) -> list[str]:
    """Every inspector tab, each shown in turn (returns the screens)."""
    from textual.widgets import TabbedContent

    shots = []
    tc = pilot.app.query_one("#tabs", TabbedContent)
    for pane in list(tc.query("TabPane")):
        tc.active = pane.id
        await pilot.pause(0.1)
        shots.append(screen_text(pilot.app))
    tc.active = "tab-state"
    return shots


async def every_line(pilot) -> list[str]:
    """The cursor on every line of the log, state tree with its blame line at each."""
    shots = []
    app = pilot.app
    await pilot.press("g")
    for _ in range(app.timeline.n_rows + 1):
        await pilot.pause(0.05)
        try:
            tree = app.query_one("#state-tree")
            tree.focus()
            await pilot.press("down", "down")
            app.timeline.focus()
        except Exception:  # noqa: BLE001, S110 - a view without a state tree at this line
            pass
        await pilot.pause(0.05)
        shots.append(screen_text(app))
        await pilot.press("j")
    return shots


# the log's own file name is log text too (the header, dialogs, notifications show it)
HOSTILE_NAME = "log" + ALL_LINE.replace("/", "_").replace("\x00", "") + ".jsonl"

# name -> keys pressed from the main screen (a str is one key; a callable gets the pilot)
APP_VIEWS: list[tuple[str, list]] = [
    ("first screen", []),
    ("every line", [every_line]),
    ("inspector tabs", [tabs]),
    ("raw event view", ["v", tabs]),
    ("help", ["question_mark"]),
    ("filter", ["slash", *"task", "enter"]),
    ("go to", ["colon", "3", "enter"]),
    ("hide superseded", ["h"]),
    ("next resume", ["right_square_bracket"]),
    ("marks at cursor", ["k", "k", "r"]),
    ("mark", ["m"]),
    ("compaction review", ["c", tabs]),
    ("write compacted dialog", ["c", "w"]),
    ("export", ["e"]),
    ("brief", ["b", tabs]),
    ("fork dialog", ["F"]),
]


async def test_app_views_show_no_escape(tmp_path):
    """One app session walks every view in turn (escape between views)."""
    log = write_hostile_log(tmp_path, name=HOSTILE_NAME)
    app = AgentlogApp(str(log), {}, watch=False)
    seen = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for name, keys in APP_VIEWS:
            shots = [screen_text(app)]
            for k in keys:
                if callable(k):
                    shots.extend(await k(pilot))
                else:
                    await pilot.press(k)
                    await pilot.pause(0.05)
            await pilot.pause(0.2)
            shots.append(screen_text(app))
            for shot in shots:
                assert not unsafe_in(shot), (name, unsafe_in(shot))
            seen.append("".join(shots))
            for _ in range(3):  # back to the main screen, no filter or dialog left
                await pilot.press("escape")
            await pilot.pause(0.05)
    assert "PWNED" in seen[0]  # the hostile text is there, shown rather than interpreted


async def test_session_list_shows_no_escape(tmp_path):
    """The session list of a folder holding the hostile log (names, first prompt, search)."""
    from agentlog_tui.tui.session_list import ListState, SessionListApp

    write_hostile_log(tmp_path, name=HOSTILE_NAME)
    app = SessionListApp(ListState([tmp_path]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(1.0)
        shots = [screen_text(app)]
        for keys in (["s"], ["S"], ["slash", *"PWNED", "enter"], ["question_mark"]):
            for k in keys:
                await pilot.press(k)
                await pilot.pause(0.1)
            await pilot.pause(0.5)
            shots.append(screen_text(app))
            await pilot.press("escape")
        for shot in shots:
            assert not unsafe_in(shot), unsafe_in(shot)
