"""The live tail: watch the log, read what is appended, hand the new analysis to the UI.

DESIGN section 9. `tail()` is a thread worker started once the first analysis is done
(`session.py on_analysed`); it watches the log's folder with watchfiles (polling as a fallback),
reads only the appended bytes under the model's lock (`_tail_once`) and posts `Tailed`, at most
about ten times a second. What another feature must redo when the log grows or is reloaded goes
in `on_tailed`.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from textual import work
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message

from agentlog_tui.tui.features import while_mounted
from agentlog_tui.tui.model import Derived

TAIL_DEBOUNCE_MS = 50
TAIL_POLL_MS = 250  # also the polling fallback's period
MIN_POST_INTERVAL = 0.05  # at most ~20 tail updates a second reach the UI...
ACK_WAIT = 1.0  # ...and none before the UI has taken in the previous one (or this long)
TAIL_INSPECT_EVERY = 0.5  # following a growing log, the inspector catches up this often
TAIL_ACTIVE_FOR = 1.0  # the log counts as growing this long after its last update


class Tailed(Message):
    """The live tail read appended bytes (or reloaded after a shrink or rewrite)."""

    def __init__(self, derived: Derived, warning: str | None) -> None:
        super().__init__()
        self.derived = derived
        self.warning = warning


def _file_signature(path: str) -> tuple | None:
    """What tells a file has changed since a failed read: identity, size, modification time."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class TailFeature:
    """The live tail worker and what the UI does with its updates (mixed into `AgentlogApp`)."""

    def _init_tail(self) -> None:
        self._next_post = 0.0  # monotonic time before which the tail posts no new update
        self._acked = threading.Event()  # the UI has handled the last update
        self._acked.set()
        self._last_tailed = -TAIL_ACTIVE_FOR  # monotonic time of the last update handled
        self.tail_updates = 0  # updates handled (a work counter, for tests)

    def tail_active(self) -> bool:
        """The log grew within the last TAIL_ACTIVE_FOR seconds."""
        return time.monotonic() - self._last_tailed < TAIL_ACTIVE_FOR

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
        # batch: at most one update per MIN_POST_INTERVAL reaches the UI, and none while the
        # UI is still busy with the previous one (a slow redraw meets fewer, bigger updates
        # instead of a queue of stale ones); what arrives while waiting goes in this read. The
        # wait is before the read, not after the post: a write after a quiet spell is read at
        # once rather than after a fixed pause
        self._acked.wait(ACK_WAIT)
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
        self._acked.clear()
        self.post_message(Tailed(derived, warning))
        self._next_post = time.monotonic() + MIN_POST_INTERVAL

    def on_tailed(self, msg: Tailed) -> None:
        try:
            self._handle_tailed(msg)
        finally:
            self._last_tailed = time.monotonic()
            self.tail_updates += 1
            self._acked.set()

    @while_mounted
    def _handle_tailed(self, msg: Tailed) -> None:
        tl = self.timeline
        if msg.warning:
            self.warning = msg.warning
            self.notify(
                msg.warning, title="log changed", severity="warning", markup=False, timeout=8
            )
            tl.marked_line = None
            tl.rows = None
            self.filter_query = None
            self.plan = None
            self.marks_at_cursor = False  # the cursor's marks were of the log before the reload
            tl.derived = Derived()
            self.audit_count = None
        self._apply_derived(msg.derived)
        if self.filter_query is not None or self.hide_superseded or self.hide_branches:
            self.recompute_rows(tl.cursor_line)
        if self.following or tl.cursor >= tl.n_rows:
            tl.move_to(tl.n_rows - 1, user=False)
        else:  # the cursor stays; its reports (a snapshot's, a resume's) may have changed
            self.request_inspect(lazy=True)
        self.request_audit(now=bool(msg.warning))  # the badge recounts when the tail is quiet
        if self._want_plan:
            self.compute_plan()
        self.notify_drift()
        self._refresh_bindings_if_changed()

    def _binding_state(self) -> tuple | None:
        try:
            return tuple(
                self.check_action(b.action, ()) for b in self.BINDINGS if isinstance(b, Binding)
            )
        except NoMatches:  # not mounted yet, or gone
            return None

    def refresh_bindings(self) -> None:
        """Every refresh remembers what the footer was refreshed for, so that a tail update
        refreshes it again only on a change (an inspection that refreshed it already made the
        next tail update recompose the footer a second time)."""
        self._bindings_key = self._binding_state()
        super().refresh_bindings()

    def _refresh_bindings_if_changed(self) -> None:
        """refresh_bindings() when an action's availability changed. The footer recomposes on
        every refresh (~20 ms of restyling, a layout of the screen), which the live tail must
        not pay on every update."""
        key = self._binding_state()
        if key != self._bindings_key:
            self.refresh_bindings()
