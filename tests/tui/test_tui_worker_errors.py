"""The app's error boundary covers its workers (issue 15): an exception that escapes a worker
thread, or a hostile custom projection that raises a BaseException midway through the log,
shows the one-line dialog and the app exits 3. Before, the first was dropped without a word and
the second left the header at "analysing 0%" forever, then exited 0."""

from __future__ import annotations

import pytest
from tui_helpers import ready, sample, wait_for

from agentlog_tui.core.projection import as_projection
from agentlog_tui.tui import inspection
from agentlog_tui.tui.app import AgentlogApp
from agentlog_tui.tui.error_boundary import InternalErrorScreen


class Hostile(BaseException):
    """Not an Exception: what a custom projection may raise to get past `except Exception`."""


def raises_midway(state, event) -> None:
    state[event.type] = event.seq
    if event.seq >= 4:
        raise Hostile("raised by the projection \x1b[2J at #4")


async def test_a_projection_raising_midway_shows_the_dialog_and_exits_3(monkeypatch):
    monkeypatch.delenv("AGENTLOG_DEBUG", raising=False)
    kwargs = {"projection": as_projection(raises_midway, "midway")}
    app = AgentlogApp(sample("publish_post.jsonl"), kwargs, watch=False)
    with pytest.raises(Hostile):  # run_test re-raises what the boundary caught, for the test
        async with app.run_test(size=(110, 30)) as pilot:
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, InternalErrorScreen),
                what="the internal error dialog",
            )
            line = app.internal_error
            assert line.startswith("agentlog-tui: internal error: ")
            assert "publish_post.jsonl: Hostile: raised by the projection" in line
            assert "\x1b" not in line
            shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
            assert "Hostile: raised by the projection" in shown
            await pilot.press("q")
            await pilot.pause(0.2)
    assert app.return_code == 3


async def test_an_exception_escaping_a_worker_shows_the_dialog_and_exits_3(monkeypatch):
    monkeypatch.delenv("AGENTLOG_DEBUG", raising=False)
    app = AgentlogApp(sample("publish_post.jsonl"), {}, watch=False)
    with pytest.raises(RuntimeError, match="inspect broke"):
        async with app.run_test(size=(110, 30)) as pilot:
            await ready(pilot)
            assert not isinstance(app.screen, InternalErrorScreen)

            def broken(*args, **kwargs):
                raise RuntimeError("inspect broke")

            monkeypatch.setattr(inspection, "inspect", broken)  # the inspect worker's call
            await pilot.press("k")
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, InternalErrorScreen),
                what="the internal error dialog",
            )
            assert "RuntimeError: inspect broke" in app.internal_error
            await pilot.press("escape")
            await pilot.pause(0.2)
    assert app.return_code == 3
