"""Error-first navigation: `e` / `E` next / previous failure (as in lnav), `%` between a tool
call and its result (as vim's `%` between brackets).

A worker keeps a `CallIndex` (tui/calls.py) of the log up to date after the analysis and after
every tail update; the timeline reads it to name the call a result answers and to colour error
results. The failures stepped through: error results and failed calls, events the projection
failed on, malformed lines, resumes with findings, drifted snapshots.
"""

from __future__ import annotations

import bisect
from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message

from agentlog_tui.tui.calls import CallIndex, failure_lines
from agentlog_tui.tui.features import while_mounted


class CallsReady(Message):
    """The call index caught up with the log."""

    def __init__(self, index: CallIndex) -> None:
        super().__init__()
        self.index = index


class FailuresFeature:
    """Failure stepping and call/result jumps (mixed into `AgentlogApp`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "next_failure", "next failure", id="next_failure"),
        Binding("E", "prev_failure", "prev failure", show=False, id="prev_failure"),
        Binding("percent_sign", "call_result", "call↔result", key_display="%", show=False,
                id="call_result"),
    ]

    def _init_failures(self) -> None:
        self.calls = CallIndex()
        self._calls_tracker = None

    def request_calls(self) -> None:
        """Bring the call index up to date (after the analysis and each tail update)."""
        self.index_calls()

    @work(thread=True, exclusive=True, exit_on_error=False, group="calls")
    def index_calls(self) -> None:
        model = self.model
        with model.lock:
            a = model.a
            index = self.calls
            if a.tracker is not self._calls_tracker or a.n_lines < index.scanned:
                index = CallIndex()  # first time, or the log was reloaded: start again
                self._calls_tracker = a.tracker
            elif index.scanned == a.n_lines:
                return
            before = _size(index) if index is self.calls else None
            try:
                index.update(a)  # in place: the UI thread only reads it (dict gets, list reads)
            except Exception:  # noqa: BLE001 - a format oddity must not break the app
                return
        if before is not None and _size(index) == before:
            return  # the lines read held no call, result or failure: no row changes
        self.post_message(CallsReady(index))

    @while_mounted
    def on_calls_ready(self, msg: CallsReady) -> None:
        self.calls = msg.index
        tl = self.timeline
        tl.calls = msg.index
        tl.refresh_data()  # a row's call and failure are part of its cache key

    def _can_next_failure(self) -> bool:
        return self.model.analysed

    _can_prev_failure = _can_next_failure
    _can_call_result = _can_next_failure

    def _step_failure(self, direction: int) -> None:
        m = self.model
        with m.lock:
            lines = failure_lines(m.a, self.calls, self.timeline.derived)
        if not lines:
            self.notify("no failures in this log", timeout=3)
            return
        cur = self.timeline.cursor_line or 0
        if direction > 0:
            i = bisect.bisect_right(lines, cur)
        else:
            i = bisect.bisect_left(lines, cur) - 1
        if not 0 <= i < len(lines):
            self.notify(f"no more failures that way ({len(lines)} in all)", timeout=3)
            return
        self._reveal_line(lines[i])
        self.notify(f"failure {i + 1} of {len(lines)}", timeout=2)

    def action_next_failure(self) -> None:
        self._step_failure(1)

    def action_prev_failure(self) -> None:
        self._step_failure(-1)

    def action_call_result(self) -> None:
        line = self.timeline.cursor_line
        if line is None:
            return
        target = self.calls.partner(line)
        if target is None:
            ids = self.calls.ids_at.get(line)
            self.notify("no result for this call yet" if ids else "not a tool call or result",
                        timeout=3)
            return
        self._reveal_line(target)


def _size(index: CallIndex) -> tuple[int, ...]:
    """What grows when `CallIndex.update` finds a call, a result or a failure."""
    return (len(index.call_line), len(index.result_line), len(index.summary),
            len(index.ids_at), len(index.failures))
