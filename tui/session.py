"""The analysis session: the first pass, the marks relative to the cursor, following.

Every computation on the log runs in a thread worker holding the model's lock; widgets receive
results through messages and attributes and compute nothing themselves. This module owns the
workers that keep `model.derived` current (`analyse`, `compute_marks_at`), their messages, and
the `r` (marks at cursor / head) and `f` (follow) keys. The live tail, started here once the
first analysis is done, is in `live_tail.py`.
"""

from __future__ import annotations

import gc
import threading
import time
from dataclasses import replace
from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from agentlog_tui.tui.features import while_mounted
from agentlog_tui.tui.model import Derived
from agentlog_tui.tui.scrubber import Scrubber

INDEX_STEP = 16 << 20  # bytes of line index built between two progress reports


class Progress(Message):
    """Progress of the first pass: `phase` ("indexing" or "analysing") and its fraction done."""

    def __init__(self, phase: str, frac: float) -> None:
        super().__init__()
        self.phase = phase
        self.frac = frac

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Progress)  # only the latest matters


class Analysed(Message):
    """The first full analysis finished."""

    def __init__(self, derived: Derived, error: str | None = None) -> None:
        super().__init__()
        self.derived = derived
        self.error = error


class MarksReady(Message):
    """Marks relative to the cursor's position (`derived.at`), from the marks worker."""

    def __init__(self, derived: Derived) -> None:
        super().__init__()
        self.derived = derived


class SessionFeature:
    """The analysis and marks workers, following (mixed into `AgentlogApp`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # one key, two bindings: the Footer names what `r` will do now
        Binding("r", "marks_at_cursor", "marks at cursor", id="marks_at_cursor"),
        Binding("r", "marks_at_head", "marks at head", id="marks_at_head"),
        Binding("f", "follow", "follow", id="follow"),
    ]

    def _init_session(self) -> None:
        self.following = True
        self.progress: tuple[str, float] | None = ("indexing", 0.0)
        self.warning: str | None = None
        self.marks_at_cursor = False  # DESIGN section 7: marks relative to the cursor, on request
        self.head_derived = Derived()  # the latest head marks and reports (shown unless above)
        self._marks_timer: Timer | None = None
        self._stop = threading.Event()
        self._last_progress = 0.0
        self._bindings_key: tuple | None = None
        self._frozen = False

    def _stop_session(self) -> None:
        """At unmount: stop the tail, give the heap back to the collector."""
        self._stop.set()
        if self._frozen:
            self._frozen = False
            gc.unfreeze()

    # ---- analysis --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="analysis")
    def analyse(self) -> None:
        model = self.model

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - self._last_progress >= 0.1:
                self._last_progress = now
                self.post_message(Progress("analysing", done / total if total else 1.0))

        error = None
        with model.lock:
            try:
                log = model.a.log
                # the line index in steps (run() would do it in one), so that the timeline's
                # row count and the header follow it
                while not log.fully_indexed:
                    log.index_more(INDEX_STEP)
                    self.post_message(Progress("indexing", log.scanned / max(log.size, 1)))
                model.a.run(progress)
            except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
                error = f"analysis failed: {type(exc).__name__}: {exc}"
            model.analysed = True
            try:
                model.derived = model.derive()
            except Exception as exc:  # noqa: BLE001
                error = error or f"marks failed: {type(exc).__name__}: {exc}"
            derived = model.derived
        self._freeze_heap()
        self.post_message(Analysed(derived, error))

    def _freeze_heap(self) -> None:
        """Move what the analysis built (millions of references at 1M events) out of the
        collector's view: a full collection otherwise walks it all, an ~85 ms pause of every
        thread, about twice a second while the UI redraws during a live tail. Called after
        the first analysis and after any reload (which leaves the old analysis as garbage)."""
        if self._stop.is_set():  # the app has gone (on_unmount unfroze)
            return
        if self._frozen:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
        self._frozen = True

    @while_mounted
    def on_progress(self, msg: Progress) -> None:
        if self.progress is None:
            return
        self.progress = (msg.phase, msg.frac)
        tl = self.timeline
        if tl.rows is None and tl.virtual_size.height != tl.n_rows:  # the index grew
            tl.invalidate()
            if self.following:
                tl.move_to(tl.n_rows - 1, user=False)
            else:
                self.query_one(Scrubber).refresh()
        self.update_header()

    @while_mounted
    def on_analysed(self, msg: Analysed) -> None:
        self.progress = None
        if msg.error:
            self.notify(msg.error, severity="error", markup=False, timeout=10)
        self._apply_derived(msg.derived)
        tl = self.timeline
        if self.following:
            tl.move_to(tl.n_rows - 1, user=False)
        if tl.n_rows == 0:
            self.inspector.show_empty()
        self.request_inspect(now=True)
        self.request_audit(now=True)  # the finding badge (tui/audit.py)
        self.notify_drift()  # records of kinds the format does not know (log_source.py)
        if self.watch_enabled:
            self.tail()
        self.refresh_bindings()

    def _apply_derived(self, derived: Derived) -> None:
        """New head marks and reports; in cursor mode, shown with the cursor's marks."""
        self.head_derived = derived
        shown = derived
        cur = self.timeline.derived
        if self.marks_at_cursor and cur.at is not None:
            # appended events do not change marks at an earlier position: keep them
            shown = replace(derived, marks=cur.marks, superseded=cur.superseded,
                            n_superseded=cur.n_superseded, at=cur.at)
        self._show_derived(shown)
        if self.marks_at_cursor:
            self.request_marks()
        self.request_calls()  # tui/failures.py: the call index follows the log

    def _show_derived(self, derived: Derived) -> None:
        tl = self.timeline
        tl.derived = derived
        tl.refresh_data()  # redraws the rows whose marks changed, reads only new records
        self.query_one(Scrubber).update_view(derived=derived, cursor_line=tl.cursor_line or 0)
        self.update_header()

    # ---- marks relative to the cursor ------------------------------------------------------

    def request_marks(self, now: bool = False) -> None:
        """Recompute the marks at the cursor, soon (a burst of cursor moves computes once)."""
        if self._marks_timer is not None:
            self._marks_timer.stop()
            self._marks_timer = None
        if now:
            self._start_marks()
        else:
            self._marks_timer = self.set_timer(0.1, self._start_marks)

    @while_mounted
    def _start_marks(self) -> None:
        self._marks_timer = None
        tl = self.timeline
        line = tl.cursor_line
        if self.marks_at_cursor and line is not None:
            self.compute_marks_at(line, self.head_derived, tl.derived)

    @work(thread=True, exclusive=True, exit_on_error=False, group="marks")
    def compute_marks_at(self, line: int, head: Derived, shown: Derived) -> None:
        model = self.model
        with model.lock:
            if get_current_worker().is_cancelled:
                return
            pos = model.event_pos_at_or_before(line)
            marks = shown.marks
            if shown.at == pos and marks is not None and marks.tracker is model.a.tracker:
                return  # already showing these
            view = model.marks_at(head, pos)
        if not get_current_worker().is_cancelled:
            self.post_message(MarksReady(view))

    @while_mounted
    def on_marks_ready(self, msg: MarksReady) -> None:
        if not self.marks_at_cursor:
            return
        v = msg.derived  # with the latest reports, which a tail may have brought meanwhile
        self._show_derived(replace(self.head_derived, marks=v.marks, superseded=v.superseded,
                                   n_superseded=v.n_superseded, at=v.at))
        if self.hide_superseded:
            self.recompute_rows(self.timeline.cursor_line)

    def action_marks_at_cursor(self) -> None:
        self.marks_at_cursor = True
        self.update_header()
        self.request_marks(now=True)
        self.refresh_bindings()

    def action_marks_at_head(self) -> None:
        self.marks_at_cursor = False
        if self._marks_timer is not None:
            self._marks_timer.stop()
            self._marks_timer = None
        self._show_derived(self.head_derived)
        if self.hide_superseded:
            self.recompute_rows(self.timeline.cursor_line)
        self.refresh_bindings()

    def _can_marks_at_cursor(self) -> bool:
        return not self.marks_at_cursor and self.head_derived.marks is not None

    def _can_marks_at_head(self) -> bool:
        return self.marks_at_cursor

    def action_follow(self) -> None:
        tl = self.timeline
        if self.following:
            self.following = False
            self.update_header()
        else:
            self.following = True
            tl.move_to(tl.n_rows - 1, user=False)
            self.update_header()

