"""An empty log: the app says it is waiting, then shows the first event the agent writes."""

from __future__ import annotations

from tui_helpers import screen_rows, static_text, wait_for

from agentlog_tui.tui.app import AgentlogApp


def append(path, text: str) -> None:
    with open(path, "a") as fh:
        fh.write(text)


async def test_an_empty_log_waits_for_events_and_shows_the_first_one(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    app = AgentlogApp(str(path), {}, watch=True, force_polling=True)
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_for(pilot, lambda: app.model.analysed, what="analysis of the empty log")
        await wait_for(pilot, lambda: "waiting for events" in static_text(app, "#state-title"),
                       what="the waiting message")
        assert "0 events" in static_text(app, "AppHeader")
        append(path, '{"seq": 1, "type": "task_started", "data": {"goal": "x"}}\n')
        await wait_for(pilot, lambda: any("task_started" in r for r in screen_rows(app)),
                       what="the first event on screen")
        await wait_for(pilot, lambda: "state after #1" in static_text(app, "#state-title"),
                       what="the state of the first event")
