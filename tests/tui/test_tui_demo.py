"""The demo: a simulated agent writes a log live; the app shows it arriving and the resume's
problems (stale snapshot, missed events, duplicate publish)."""

from __future__ import annotations

from tui_helpers import static_text, wait_for

from agentlog_tui.tui.app import AgentlogApp
from agentlog_tui.tui.demo import start_demo


async def test_demo_agent_writes_live_and_the_app_shows_the_bad_resume(tmp_path):
    agent = start_demo(str(tmp_path / "demo.jsonl"), step_s=0.02)
    try:
        app = AgentlogApp(agent.path, {}, watch=True, demo=agent)
        async with app.run_test(size=(120, 40)) as pilot:
            # the demo agent writes without end: wait for the first analysis, not for an inspector
            # that has caught up with a stream still arriving (a race the machine's load decides)
            await wait_for(pilot, lambda: app.model.analysed, timeout=10, what="first analysis")
            a = app.model.a
            await wait_for(pilot, lambda: a.n_events >= 20, timeout=10, what="demo events")
            assert a.malformed == []
            # the report is recounted as the resumed agent writes on: its duplicate publish may
            # arrive after the resume itself was first reported (under load, it did)
            def bad_resume():
                reports = list(app.timeline.derived.resumes.values())
                return bool(reports) and bool(reports[0].missed) and bool(reports[0].duplicates)

            await wait_for(pilot, bad_resume, what="the resume's missed events and duplicate")
            rep = next(iter(app.timeline.derived.resumes.values()))
            assert rep.missed and rep.duplicates
            assert rep.snapshot is not None and rep.snapshot.verdict == "drift"
            # the badge counts as `check` does, recounted within a second as the log grows
            await wait_for(pilot, lambda: "findings" in static_text(app, "AppHeader"),
                           what="finding badge")
            assert app.following
    finally:
        agent.stop()
