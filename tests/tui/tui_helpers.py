"""Helpers for the UI tests: waiting without sleeping, and reading what the user sees."""

from __future__ import annotations

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_logs"


def sample(name: str) -> str:
    return str(SAMPLES / name)


async def wait_for(pilot, predicate, timeout: float = 5.0, what: str = "condition") -> None:
    """Let the app run until `predicate()` holds (polling with pilot.pause, never sleep)."""
    loop_deadline = time.monotonic() + timeout
    while time.monotonic() < loop_deadline:
        if predicate():
            return
        await pilot.pause(0.02)
    assert predicate(), f"timed out waiting for {what}"


def settled(app) -> bool:
    """Analysis done and the inspector shows the cursor's line."""
    if not app.model.analysed or app.progress is not None:
        return False
    from agentlog_tui.tui.state_view import StateView

    ins = app.inspector.inspection
    tl = app.timeline
    from textual.worker import WorkerState

    busy = any(w.group in ("inspect", "audit")
               and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
               for w in app.workers)  # an inspection or a recount on its way redraws
    from agentlog_tui.tui.scrubber import Scrubber

    if not app.query_one(Scrubber).drawn:  # drawn while a worker held the lock: redrawn soon
        return False
    from agentlog_tui.tui.state_view import StateTree

    if any(t._tree_lines_cached is None for t in app.query(StateTree)):
        return False  # a node opened or closed: the tree's height (and scrollbar) not yet laid out
    return (ins is not None and ins.line == tl.cursor_line and app._inspect_timer is None
            and not busy and not app.query_one(StateView).settling)  # tree scrolled to change


async def ready(pilot) -> None:
    await wait_for(pilot, lambda: settled(pilot.app), what="analysis and inspector")
    await pilot.pause()


def cursor_seq(app) -> int | None:
    """The seq of the event under the timeline cursor (None on a line without one)."""
    return getattr(app.model.row(app.timeline.cursor_line).record, "seq", None)


async def goto_seq(pilot, seq: int) -> None:
    """`:SEQ` Enter, then wait until the cursor is on #SEQ."""
    await pilot.press("colon", *str(seq), "enter")
    await wait_for(pilot, lambda: cursor_seq(pilot.app) == seq, what=f"cursor on #{seq}")


def screen_rows(app) -> list[str]:
    """The timeline rows as the user sees them (plain text)."""
    tl = app.timeline
    return [tl.render_line(y).text for y in range(tl.scrollable_content_region.height)]


def static_text(app, selector: str) -> str:
    from textual.widgets import Static

    content = app.query_one(selector, Static).content
    return getattr(content, "plain", str(content))


def tree_text(app) -> str:
    """Every visible (expanded) line of the state tree, plus the blame line."""
    from agentlog_tui.tui.inspector import StateTree

    tree = app.query_one(StateTree)
    out: list[str] = []

    def walk(node, depth: int) -> None:
        for child in node.children:
            out.append("  " * depth + child.label.plain)
            if child.is_expanded:
                walk(child, depth + 1)

    walk(tree.root, 0)
    return "\n".join(out)
