"""The app's error boundary (issue 15): an unexpected exception shows one line in a dialog, not a
traceback screen; closing it quits with exit code 3 and the line is printed on stderr."""

from __future__ import annotations

import pytest
from tui_helpers import ready, sample

from agentlog_tui.tui import app as app_mod
from agentlog_tui.tui.app import AgentlogApp
from agentlog_tui.tui.error_boundary import InternalErrorScreen


def boom(self) -> None:
    raise RuntimeError("something \x1b]0;odd\x07 broke")


async def test_an_exception_shows_a_dialog_and_quits_with_3(monkeypatch):
    monkeypatch.delenv("AGENTLOG_DEBUG", raising=False)
    monkeypatch.setattr(AgentlogApp, "action_help", boom)
    app = AgentlogApp(sample("publish_post.jsonl"), {}, watch=False)
    with pytest.raises(RuntimeError, match="broke"):  # run_test re-raises it for the test
        async with app.run_test(size=(100, 30)) as pilot:
            await ready(pilot)
            await pilot.press("question_mark")
            await pilot.pause(0.2)
            assert isinstance(app.screen, InternalErrorScreen)
            line = app.internal_error
            assert line.startswith("agentlog-tui: internal error: ")
            assert "publish_post.jsonl: RuntimeError: something" in line
            assert "\x1b" not in line and "\x07" not in line
            assert app.is_running
            await pilot.press("q")
            await pilot.pause(0.2)
    assert app.return_code == 3


def test_run_app_prints_the_line_and_returns_3(monkeypatch, capsys):
    """What run_app does once the app has quit after the dialog (the dialog itself: above)."""

    def run_that_failed(self, *args, **kwargs):
        self.internal_error = "agentlog-tui: internal error: x.jsonl: RuntimeError: broke"
        self._return_code = 3

    monkeypatch.setattr(AgentlogApp, "run", run_that_failed)
    assert app_mod.run_app(sample("publish_post.jsonl")) == 3
    assert capsys.readouterr().err == "agentlog-tui: internal error: x.jsonl: RuntimeError: broke\n"


def test_the_cli_exits_3_with_the_line_after_the_dialog(monkeypatch, capsys):
    """`agentlog-tui LOG` (through the session browser): the dialog's line, exit 3."""
    from agentlog_tui.tui.cli import main
    from agentlog_tui.tui.session_browser import SessionLogApp

    def run_that_failed(self, *args, **kwargs):
        self.internal_error = "agentlog-tui: internal error: x.jsonl: RuntimeError: broke"

    monkeypatch.setattr(SessionLogApp, "run", run_that_failed)
    assert main([sample("publish_post.jsonl")]) == 3
    assert capsys.readouterr().err == "agentlog-tui: internal error: x.jsonl: RuntimeError: broke\n"
