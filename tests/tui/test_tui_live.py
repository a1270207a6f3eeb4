"""Live tail: appended events appear, a half-written line waits, a truncated file warns."""

from __future__ import annotations

import json

import pytest
from tui_helpers import ready, sample, screen_rows, static_text, wait_for

from agentlog_tui.tui.app import AgentlogApp


def append(path: str, text: str, mode: str = "a") -> None:
    with open(path, mode) as fh:
        fh.write(text)


def line(seq: int, type_: str, **data) -> str:
    return json.dumps({"seq": seq, "ts": f"2026-11-26T10:00:{seq:02d}Z", "type": type_, "data": data}) + "\n"


@pytest.mark.parametrize("force_polling", [False, True], ids=["notify", "polling"])
async def test_live_tail_appends_half_lines_and_survives_truncation(tmp_path, copy_sample, force_polling):
    path = copy_sample("publish_post.jsonl")
    app = AgentlogApp(path, {}, watch=True, force_polling=force_polling)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        a = app.model.a
        assert a.n_events == 8
        append(path, line(9, "publish_deleted"))
        await wait_for(pilot, lambda: a.n_events == 9, what="event 9 read")
        await wait_for(pilot, lambda: any("publish_deleted" in r for r in screen_rows(app)),
                       what="event 9 on screen")
        assert "9 events" in static_text(app, "AppHeader")
        # marks follow the head: the delete supersedes the publish that succeeded
        await wait_for(pilot, lambda: any(r.startswith("░") and "publish_succeeded" in r
                                          and r.rstrip().endswith("⤳9") for r in screen_rows(app)),
                       what="#8 marked superseded by #9")
        assert app.following
        await wait_for(pilot, lambda: app.inspector.inspection is not None
                       and app.inspector.inspection.pos_seq == 9, what="head state updated")
        assert "publish" not in [n.label.plain.split()[0] for n in app.query_one("StateTree").root.children]

        # a line written in two halves: nothing half-parsed appears, then the event does
        whole = line(10, "notify_sent", channel="#launches")
        append(path, whole[:25])
        await wait_for(pilot, lambda: a.pending is not None, what="pending tail seen")
        assert any("pending" in r for r in screen_rows(app))
        assert a.n_events == 9
        append(path, whole[25:])
        await wait_for(pilot, lambda: a.n_events == 10 and a.pending is None, what="line completed")
        await wait_for(pilot, lambda: any("notify_sent" in r for r in screen_rows(app)),
                       what="event 10 on screen")
        assert not any("pending" in r for r in screen_rows(app))

        # a burst of appends is read in batches and all of it arrives
        append(path, "".join(line(s, "metric_recorded", value=s) for s in range(11, 511)))
        await wait_for(pilot, lambda: a.n_events == 510, what="burst read")
        await wait_for(pilot, lambda: "510 events" in static_text(app, "AppHeader"))

        # the file shrinks: warning shown, reloaded, still usable
        append(path, line(1, "task_started", goal="again") + line(2, "task_completed", goal="again"),
               "w")
        await wait_for(pilot, lambda: app.warning is not None, what="warning")
        assert "shrank" in app.warning or "rewritten" in app.warning or "replaced" in app.warning
        assert "⚠" in static_text(app, "AppHeader")
        await wait_for(pilot, lambda: a.n_events == 2 and app.timeline.n_rows == 2,
                       what="reloaded")
        await pilot.press("colon", "1", "enter")
        await wait_for(pilot, lambda: app.timeline.cursor_line == 0, what="goto after reload")
        await ready(pilot)
        assert "state after #1 task_started" in static_text(app, "#state-title")
        # and it keeps tailing after the reload
        append(path, line(3, "note_added", text="still here"))
        await wait_for(pilot, lambda: a.n_events == 3, what="tail after reload")


async def test_an_inspection_arriving_while_the_app_shuts_down_is_dropped():
    # seen once in a loaded full run: the state view's title was already removed (widgets go
    # one by one at exit, the timeline last) when an inspection arrived, and it raised NoMatches
    from agentlog_tui.tui.inspection import Inspected

    app = AgentlogApp(sample("resumed_executor.jsonl"), {}, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        ins = app.inspector.inspection
        assert ins is not None
        await app.query_one("#state-title").remove()
        app._running = False  # what Textual's shutdown sets first
        try:
            app.on_inspected(Inspected(ins))  # dropped, not raised
        finally:
            app._running = True
