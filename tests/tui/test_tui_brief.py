"""The Brief tab (`b`) at the cursor, and the fork key (`F`): what the user sees."""

from __future__ import annotations

import shutil

from tui_helpers import goto_seq, ready, sample, static_text, wait_for

from agentlog_tui.tui.app import AgentlogApp
from agentlog_tui.tui.brief_view import fork_path

SIZE = (120, 40)


def brief_text(app) -> str:
    return static_text(app, "#brief-text")


async def test_b_shows_the_brief_at_the_cursor_and_follows_it():
    app = AgentlogApp(sample("resumed_executor.jsonl"), {}, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: "brief of resumed_executor.jsonl at #31" in brief_text(app),
                       what="the brief at the head")
        assert "publish devto: completed twice (#18, #27): a duplicate effect  [#18 #27]" in brief_text(app)
        await goto_seq(pilot, 26)
        await wait_for(pilot, lambda: "at #26 publish_started" in brief_text(app), what="brief at #26")
        assert "ALREADY COMPLETED at #18" in brief_text(app)


async def test_F_asks_where_to_fork_then_writes_the_fork_at_the_cursor(tmp_path):
    from textual.widgets import Input

    from agentlog_tui.tui.path_prompt import PathPromptScreen

    log = tmp_path / "run.jsonl"
    shutil.copy(sample("resumed_executor.jsonl"), log)
    prefix = b"".join(log.read_bytes().splitlines(keepends=True)[:17])
    app = AgentlogApp(str(log), {}, watch=False)

    def prompt() -> str:
        return app.screen.query_one("#path-input", Input).value

    def files() -> list[str]:
        return sorted(p.name for p in tmp_path.iterdir())

    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await goto_seq(pilot, 17)
        await pilot.press("F")  # asks first, with a free name beside the log
        await wait_for(pilot, lambda: isinstance(app.screen, PathPromptScreen), what="the prompt")
        out = tmp_path / "run.fork-17.jsonl"
        assert prompt() == str(out)
        await pilot.press("escape")  # cancelled: nothing written
        await wait_for(pilot, lambda: not isinstance(app.screen, PathPromptScreen), what="closed")
        assert files() == ["run.jsonl"]
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPromptScreen), what="the prompt")
        await pilot.press("enter")
        await wait_for(pilot, out.exists, what="the fork written")
        await wait_for(pilot, lambda: any("wrote fork of run.jsonl at #17" in str(n.message)
                                          for n in app._notifications), what="the notice")
        assert out.read_bytes() == prefix
        await pilot.press("F")  # again: a new name is proposed, the first fork is kept
        await wait_for(pilot, lambda: isinstance(app.screen, PathPromptScreen), what="the prompt")
        assert prompt() == str(tmp_path / "run.fork-17-2.jsonl")
        # a taken name: asked before it is replaced, and replaced by the verified fork
        mine = tmp_path / "mine.jsonl"
        mine.write_text("mine\n")
        await pilot.press("ctrl+u", *str(mine), "enter")
        await pilot.pause()
        assert isinstance(app.screen, PathPromptScreen)
        assert mine.read_text() == "mine\n"
        await pilot.press("y")
        await wait_for(pilot, lambda: mine.read_bytes() == prefix, what="the replaced file")
        assert files() == ["mine.jsonl", "run.fork-17.jsonl", "run.jsonl"]


def test_fork_path_never_names_an_existing_file_nor_an_agent_folder(tmp_path, monkeypatch):
    log = tmp_path / "a.jsonl"
    log.write_text("{}\n")
    assert fork_path(str(log), 3) == str(tmp_path / "a.fork-3.jsonl")
    (tmp_path / "a.fork-3.jsonl").write_text("")
    assert fork_path(str(log), 3) == str(tmp_path / "a.fork-3-2.jsonl")
    home = tmp_path / "home"
    agent = home / ".claude" / "projects" / "p"
    agent.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    assert fork_path(str(agent / "s.jsonl"), 5, cwd=str(elsewhere)) == str(elsewhere / "s.fork-5.jsonl")
