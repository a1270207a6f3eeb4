"""The analysis session: the first pass, the live tail, the marks relative to the cursor.

Every computation on the log runs in a thread worker holding the model's lock; widgets receive
results through messages and attributes and compute nothing themselves. This module owns the
workers that keep `model.derived` current (`analyse`, `tail`, `compute_marks_at`), their
messages, and the `r` (marks at cursor / head) and `f` (follow) keys.

The live tail is `tail()` / `_tail_once()` / `on_tailed()` (engineer `harden` owns its loop).
What another feature must redo when the log grows or is reloaded goes in `on_tailed`.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from dataclasses import replace
from typing import Any, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from agentlog_tui.tui.features import while_mounted
from agentlog_tui.tui.model import Derived
from agentlog_tui.tui.scrubber import Scrubber

TAIL_DEBOUNCE_MS = 50
TAIL_POLL_MS = 250  # also the polling fallback's period
MIN_POST_INTERVAL = 0.1  # at most ~10 tail updates a second reach the UI
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


class Tailed(Message):
    """The live tail read appended bytes (or reloaded after a shrink or rewrite)."""

    def __init__(self, derived: Derived, warning: str | None) -> None:
        super().__init__()
        self.derived = derived
        self.warning = warning


class MarksReady(Message):
    """Marks relative to the cursor's position (`derived.at`), from the marks worker."""

    def __init__(self, derived: Derived) -> None:
        super().__init__()
        self.derived = derived



def _file_signature(path: str) -> tuple | None:
    """What tells a file has changed since a failed read: identity, size, modification time."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class SessionFeature:
    """The analysis, tail and marks workers (mixed into `AgentlogApp`)."""

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
        self._next_post = 0.0  # monotonic time before which the tail posts no new update
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
        tl.invalidate()
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

    # ---- live tail -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="tail")
    def tail(self) -> None:
        """Watch the log's directory and read what is appended (polling as a fallback)."""
        from watchfiles import watch

        path = os.path.abspath(self.model.path)
        folder = os.path.dirname(path)
        stop = self._stop
        self._tail_once()

        def only_log(_change: Any, p: str) -> bool:
            return os.path.abspath(p) == path

        force = self.force_polling
        while not stop.is_set():
            try:
                for _changes in watch(
                    folder,
                    watch_filter=only_log,
                    debounce=TAIL_DEBOUNCE_MS,
                    step=20,
                    stop_event=stop,
                    rust_timeout=TAIL_POLL_MS,
                    yield_on_timeout=True,
                    force_polling=force,
                    poll_delay_ms=TAIL_POLL_MS,
                    recursive=False,
                    raise_interrupt=False,
                ):
                    if stop.is_set():
                        return
                    self._tail_once()
                return
            except Exception:  # noqa: BLE001 - notification failed: poll instead, or just loop
                if force:
                    stop.wait(TAIL_POLL_MS / 1000)
                    self._tail_once()
                force = True

    def _tail_once(self) -> None:
        """Read appended bytes once; post the result if anything changed."""
        # batch: at most one update per MIN_POST_INTERVAL reaches the UI; what arrives while
        # waiting goes in this read. The wait is before the read, not after the post: a write
        # after a quiet spell is read at once rather than after a fixed pause
        wait = self._next_post - time.monotonic()
        if wait > 0:
            self._stop.wait(wait)
        model = self.model
        a = model.a
        reloaded = False
        failed = getattr(self, "_tail_failed", None)
        if failed is not None and failed == (_file_signature(model.path),):
            return  # it failed on this very file: wait for the file to change (issue 15)
        with model.lock:
            tracker = a.tracker
            before = (a.log.size, a.n_lines, a.n_events, a.log.n_complete)
            a.warning = None
            try:
                a.update()
            except Exception as exc:  # noqa: BLE001 - a vanished or unreadable file: say so once
                # the analysis dropped what it had half read (Analysis.run); it is tried again
                # when the file changes, not at every poll (a notification per poll before)
                self._tail_failed = (_file_signature(model.path),)
                warning = f"cannot read the log: {exc}"
                self.post_message(Tailed(model.derived, warning))
                return
            self._tail_failed = None
            warning = a.warning
            reloaded = a.tracker is not tracker  # replayed from the start (with or without warning)
            after = (a.log.size, a.n_lines, a.n_events, a.log.n_complete)
            if before == after and warning is None and not reloaded:
                return
            try:
                model.derived = model.derive(incremental=warning is None)
            except Exception as exc:  # noqa: BLE001 - keep the old marks rather than crash
                warning = warning or f"marks not updated: {type(exc).__name__}: {exc}"
            derived = model.derived
        if reloaded:
            self._freeze_heap()
        self.post_message(Tailed(derived, warning))
        self._next_post = time.monotonic() + MIN_POST_INTERVAL

    @while_mounted
    def on_tailed(self, msg: Tailed) -> None:
        tl = self.timeline
        if msg.warning:
            self.warning = msg.warning
            self.notify(msg.warning, title="log changed", severity="warning", markup=False, timeout=8)
            tl.marked_line = None
            tl.rows = None
            self.filter_query = None
            self.plan = None
            self.marks_at_cursor = False  # the cursor's marks were of the log before the reload
            tl.derived = Derived()
        self._apply_derived(msg.derived)
        if self.filter_query is not None or self.hide_superseded or self.hide_branches:
            self.recompute_rows(tl.cursor_line)
        if self.following or tl.cursor >= tl.n_rows:
            tl.move_to(tl.n_rows - 1, user=False)
        else:
            self.request_inspect()
        if self._want_plan:
            self.compute_plan()
        self.notify_drift()
        self._refresh_bindings_if_changed()

    def _refresh_bindings_if_changed(self) -> None:
        """refresh_bindings() when an action's availability changed. The footer recomposes on
        every refresh (~20 ms of restyling), which the live tail must not pay on every update."""
        key = tuple(self.check_action(b.action, ()) for b in self.BINDINGS
                    if isinstance(b, Binding))
        if key != self._bindings_key:
            self._bindings_key = key
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

