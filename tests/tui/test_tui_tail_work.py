"""The live tail's work per update does not grow with the log (issue 11: tail to screen at 1M).

Counted, never timed: records read and rows drawn per update, and resume reports recounted."""

from __future__ import annotations

import json

import pytest
from tui_helpers import ready, screen_rows, wait_for

from agentlog_tui.core.resumes import resume_reports
from agentlog_tui.tui.app import AgentlogApp
from agentlog_tui.tui.model import LogModel


def append(path: str, text: str) -> None:
    with open(path, "a") as fh:
        fh.write(text)


def line(seq: int, type_: str, **data) -> str:
    return (
        json.dumps({"seq": seq, "ts": "2026-11-26T13:00:00Z", "type": type_, "data": data}) + "\n"
    )


@pytest.mark.parametrize(
    "name, last, scrolls",
    [
        ("publish_post.jsonl", 8, False),  # 8 events, all on screen
        ("long_run.jsonl", 2995, True),  # 2,995: the screen shows the last ~35
    ],
)
async def test_a_tail_update_reads_only_the_new_record_and_redraws_only_changed_rows(
    copy_sample, name, last, scrolls
):
    """Following the head, one appended event costs one record read and two rows drawn (the
    new one and the row it supersedes), whatever the log's length; the superseded row shows
    its new mark (the row cache is keyed by what a row shows, not cleared per update)."""
    path = copy_sample(name)
    app = AgentlogApp(path, {}, watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        a, tl = app.model.a, app.timeline
        assert a.n_events == last and app.following
        old_line = a.event_lines[a.n_events - 1]
        rows = screen_rows(app)  # everything on screen drawn and cached
        assert not any(r.startswith("░") and r.rstrip().endswith(f"⤳{last + 1}") for r in rows)
        read0, built0, missed0, updates0 = (
            tl.rows_read,
            tl.rows_built,
            tl.rows_missed,
            app.tail_updates,
        )
        new = a.n_lines
        # the head event again (its entity and subject): the new event supersedes it
        rec = a.record(old_line)
        append(path, line(last + 1, rec.type, **rec.data))
        await wait_for(
            pilot,
            lambda: app.tail_updates > updates0 and new in tl._records,
            what="the new row drawn",
        )
        await pilot.pause(0.3)
        missed = (
            tl.rows_missed - missed0
        )  # rows drawn as a placeholder while a worker held the lock
        assert tl.rows_read - read0 - missed == 1
        assert tl.rows_built - built0 - missed <= 2
        if scrolls:  # the scrollbar was there and stays: no layout of the whole screen
            assert tl.layouts_skipped >= 1
        rows = screen_rows(app)
        assert any(r.startswith("░") and r.rstrip().endswith(f"⤳{last + 1}") for r in rows), rows


async def test_lazy_inspection_while_following_a_growing_log(copy_sample):
    """A tail update's cursor move inspects at most every TAIL_INSPECT_EVERY: a second one
    while an inspection is due does not postpone or add one; a user's move still does."""
    path = copy_sample("publish_post.jsonl")
    app = AgentlogApp(path, {}, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.request_inspect(lazy=True)
        due = app._inspect_timer
        assert due is not None
        app.request_inspect(lazy=True)
        assert app._inspect_timer is due
        app.request_inspect()  # not lazy: a fresh 30 ms timer replaces it
        assert app._inspect_timer is not due


def _reports(model: LogModel) -> list[dict]:
    return [r.to_json() for r in model.derived.resumes.values()]


@pytest.mark.parametrize(
    "appended, reused",
    [
        (line(32, "check_passed", name="links"), True),  # neither resume, effect nor snapshot
        (line(32, "publish_succeeded", key="devto", url="u"), False),  # an effect: may duplicate
        (line(17, "note_added", text="seq 17 again"), False),  # a resume's from_event, now later
        (line(32, "executor_resumed", executor="exec-4", from_event=31), False),  # a new resume
        (line(32, "snapshot", at_seq=31, state={}), False),  # a snapshot
    ],
)
def test_resume_reports_are_reused_only_when_the_new_events_cannot_change_them(
    copy_sample, appended, reused
):
    path = copy_sample("resumed_executor.jsonl")
    model = LogModel(path, {})
    model.a.run()
    model.analysed = True
    model.derived = model.derive()
    before = _reports(model)
    assert before and any(r["findings"] for r in before)
    append(path, appended)
    assert model.a.update() == 1
    skipped = model.resume_recounts_skipped
    model.derived = model.derive(incremental=True)
    assert (model.resume_recounts_skipped == skipped + 1) is reused
    assert _reports(model) == [r.to_json() for r in resume_reports(model.a)]
    if reused:
        assert _reports(model) == before


async def test_the_audit_is_spaced_by_its_cost_while_the_log_grows(copy_sample):
    """The finding badge's recount holds the model's lock: while a tail brings events it waits
    AUDIT_INTERVAL, or AUDIT_SPACING times as long as the last count took."""
    from agentlog_tui.tui.audit import AUDIT_INTERVAL, AUDIT_SPACING

    path = copy_sample("publish_post.jsonl")
    app = AgentlogApp(path, {}, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: app.audit_count is not None, what="the first count")
        assert 0 <= app._audit_cost < AUDIT_INTERVAL / AUDIT_SPACING  # a small log counts fast
        assert app.audit_delay() == AUDIT_INTERVAL
        app._audit_cost = 1.5  # as a 50 MB Claude Code session
        assert app.audit_delay() == AUDIT_SPACING * 1.5
        app.request_audit()
        assert app._audit_timer is not None
        assert app._audit_timer._interval == AUDIT_SPACING * 1.5
