"""Issue 15, item 5 (app part): when reading the log fails during the live tail, the app says so
once and tries again when the file changes, not at every poll (it re-added lines and posted a
notification per poll before)."""

from __future__ import annotations

import shutil
import time

from tui_helpers import ready, sample

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.tui.app import AgentlogApp


def append(p, data: bytes) -> None:
    with open(p, "ab") as fh:
        fh.write(data)


async def test_a_failing_tail_is_reported_once_per_change(tmp_path, monkeypatch):
    p = tmp_path / "log.jsonl"
    shutil.copy(sample("publish_post.jsonl"), p)
    calls = []

    def failing_update(self, progress=None):
        calls.append(time.monotonic())
        raise RuntimeError("cannot analyse this")

    notes = []
    app = AgentlogApp(str(p), {}, watch=True, force_polling=True)
    real_notify = app.notify
    monkeypatch.setattr(app, "notify", lambda msg, *a, **k: (notes.append(msg), real_notify(msg, *a, **k)))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        monkeypatch.setattr(Analysis, "update", failing_update)
        # a change the watcher noticed before this point (the copy's) may still be on its way:
        # let it arrive, then count from the append on
        await pilot.pause(0.5)
        calls.clear()
        notes.clear()
        append(p, b'{"seq": 9, "type": "x_set", "data": {}}\n')
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not calls:
            await pilot.pause(0.1)
        await pilot.pause(2.0)  # ~8 polls
        assert len(calls) == 1, len(calls)
        errors = [n for n in notes if "cannot analyse this" in str(n)]
        assert len(errors) == 1
        append(p, b'{"seq": 10, "type": "x_set", "data": {}}\n')  # changed: tried again
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and len(calls) < 2:
            await pilot.pause(0.1)
        await pilot.pause(0.6)
        assert len(calls) == 2
        assert app.model.a.n_events == 8  # nothing added twice
