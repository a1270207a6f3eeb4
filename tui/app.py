"""The agentlog-tui application: timeline, inspector, scrubber, live tail.

The app owns the workers. Every computation on the log (analysis, marks, reports, state at the
cursor, blame, filters, compaction, the live tail) runs in a thread worker holding the model's
lock; widgets receive results through messages and attributes and compute nothing themselves.
"""

from __future__ import annotations

import bisect
import functools
import gc
import os
import threading
import time
from array import array
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import orjson
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Static, TabbedContent
from textual.worker import get_current_worker

from agentlog_tui.tui.commands import AgentlogCommands
from agentlog_tui.tui.inspector import Inspector
from agentlog_tui.tui.model import Derived, Inspection, LogModel, blame_text, inspect
from agentlog_tui.tui.screens import HelpScreen, WritePathScreen
from agentlog_tui.tui.scrubber import Scrubber
from agentlog_tui.tui.text import visible
from agentlog_tui.tui.timeline import Timeline

try:
    from agentlog_tui.core.compaction import CompactionError, plan_compaction, write_compacted
except ImportError:  # pragma: no cover - before core.compaction exists
    plan_compaction = None  # type: ignore[assignment]
    write_compacted = None  # type: ignore[assignment]
    CompactionError = ValueError  # type: ignore[assignment,misc]

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


class Inspected(Message):
    def __init__(self, inspection: Inspection) -> None:
        super().__init__()
        self.inspection = inspection


class Blamed(Message):
    def __init__(self, path: tuple, text: str) -> None:
        super().__init__()
        self.path = path
        self.text = text


class RowsReady(Message):
    """The visible rows for a filter / hide combination."""

    def __init__(self, rows: array | None, keep_line: int | None, matches: int) -> None:
        super().__init__()
        self.rows = rows
        self.keep_line = keep_line
        self.matches = matches


class Planned(Message):
    def __init__(self, plan: Any, error: str | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.error = error


def while_mounted(handler):
    """Ignore a message or timer that arrives after the main screen has gone (at exit)."""

    @functools.wraps(handler)
    def wrapper(self, *args, **kwargs):
        try:
            return handler(self, *args, **kwargs)
        except NoMatches:
            if self._main_alive():
                raise
            return None

    return wrapper


class AppHeader(Static):
    """File, event count, live/paused, integrity, progress, in one row: what does not fit the
    width is left out, least important first (then the rest is cut with an ellipsis)."""

    KEEP = 8  # parts of this priority or more (file, warning, progress) are never left out

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._parts: list[tuple[int, Text]] = []

    def show(self, parts: list[tuple[int, Text]]) -> None:
        self._parts = parts
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        parts = list(self._parts)
        width = self.size.width
        if width:  # 0: not laid out yet (a resize comes)
            while sum(t.cell_len for _, t in parts) > width:
                droppable = [p for p, _ in parts if p < self.KEEP]
                if not droppable:
                    break
                low = min(droppable)
                drop = max(i for i, (p, _) in enumerate(parts) if p == low)  # the rightmost
                del parts[drop]
        t = Text(no_wrap=True, overflow="ellipsis", end="")
        for _, piece in parts:
            t.append_text(piece)
        self.update(t)


class AgentlogApp(App):
    """Inspect and time-travel an append-only agent event log."""

    CSS_PATH = "app.tcss"
    TITLE = "agentlog-tui"
    COMMANDS = App.COMMANDS | {AgentlogCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("colon", "goto", "go to", key_display=":", id="goto"),
        Binding("slash", "filter", "filter", key_display="/", id="filter"),
        Binding("n", "next_match", "next", id="next_match"),
        Binding("N", "prev_match", "prev", id="prev_match"),
        Binding("left_square_bracket", "prev_resume", "resume", key_display="[", id="prev_resume"),
        Binding("right_square_bracket", "next_resume", "resume", key_display="]", id="next_resume"),
        Binding("m", "mark", "mark", id="mark"),
        Binding("h", "hide_superseded", "hide superseded", id="hide_superseded"),
        # one key, two bindings: the Footer names what `r` will do now
        Binding("r", "marks_at_cursor", "marks at cursor", id="marks_at_cursor"),
        Binding("r", "marks_at_head", "marks at head", id="marks_at_head"),
        Binding("f", "follow", "follow", id="follow"),
        Binding("e", "export", "export", id="export"),
        Binding("c", "compaction", "compaction", id="compaction"),
        # not in the footer (the Event tab says "v: ..." where it applies)
        Binding("v", "toggle_event_view", "raw/readable", show=False, id="toggle_event_view"),
        Binding("w", "write_compacted", "write compacted", id="write_compacted"),
        Binding("question_mark", "help", "help", key_display="?", id="help"),
        Binding("q", "quit", "quit", id="quit"),
        Binding("escape", "cancel", "cancel", show=False, id="cancel"),
    ]

    def __init__(self, path: str, analysis_kwargs: dict | None = None, *, watch: bool = True,
                 force_polling: bool | None = None, demo: Any = None) -> None:
        super().__init__()
        self.model = LogModel(path, analysis_kwargs)
        self.log_name = os.path.basename(path)
        self.watch_enabled = watch
        self.force_polling = force_polling
        self.demo = demo
        self.following = True
        self.progress: tuple[str, float] | None = ("indexing", 0.0)
        self.warning: str | None = None
        self.filter_query: str | None = None
        self.filter_matches = 0
        self.hide_superseded = False
        self.marks_at_cursor = False  # DESIGN section 7: marks relative to the cursor, on request
        self.head_derived = Derived()  # the latest head marks and reports (shown unless above)
        self._marks_timer: Timer | None = None
        self.prompt_mode: str | None = None
        self.plan: Any = None
        self.plan_error: str | None = None
        self._want_plan = False
        self._inspect_timer: Timer | None = None
        self._stop = threading.Event()
        self._last_progress = 0.0
        self._next_post = 0.0  # monotonic time before which the tail posts no new update
        self._bindings_key: tuple | None = None
        self._frozen = False

    # ---- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader(id="header")
        with Horizontal(id="main"):
            yield Timeline(self.model, id="timeline")
            yield Inspector(id="inspector")
        yield Input(id="prompt")
        yield Scrubber(self.model, id="scrubber")
        yield Footer()

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    @property
    def inspector(self) -> Inspector:
        return self.query_one(Inspector)

    def on_mount(self) -> None:
        tl = self.timeline
        tl.border_title = "timeline"
        self.query_one("#prompt", Input).display = False
        tl.invalidate()
        tl.move_to(tl.n_rows - 1, user=False)
        tl.focus()
        self.update_header()
        self.analyse()

    def _main_alive(self) -> bool:
        try:
            self.query_one(Timeline)
        except NoMatches:
            return False
        return True

    def on_unmount(self) -> None:
        self._stop.set()
        if self._frozen:
            self._frozen = False
            gc.unfreeze()
        if self.demo is not None:
            self.demo.stop()

    # ---- header ----------------------------------------------------------------------------

    def update_header(self) -> None:
        m = self.model
        d = self.timeline.derived
        parts: list[tuple[int, Text]] = []  # (priority: the lowest is left out first, text)

        def add(priority: int, *pieces: tuple[str, str]) -> None:
            t = Text(end="")
            for text, style in pieces:
                t.append(text, style=style)
            parts.append((priority, t))

        add(0, (" agentlog-tui ", "bold #000000 on #5fafff"), (" ", ""))
        add(9, (" ", ""), (visible(self.log_name), "bold"))
        n_events = m.a.n_events if m.analysed else None
        if n_events is not None:
            add(4, (f"  {n_events:,} events", ""))
        else:
            add(4, (f"  {m.n_lines:,} lines", ""))
        if self.following:
            add(6, ("  ● live", "bold green"))
        else:
            add(6, ("  ❚❚ paused", "bold yellow"))
        if m.analysed:
            findings = d.problems + d.drift + d.findings
            if findings:
                add(3, (f"  ⚠ {findings} findings", "bold yellow"))
            else:
                add(3, ("  ✓ integrity", "green"))
            if d.marks is not None:
                add(2, (f"  ░ {d.n_superseded:,} superseded", "#a0a0a0"))
            if self.marks_at_cursor:
                add(6, (f"  marks @{self._marks_at_label(d)}", "bold #d7afff"))
        if self.hide_superseded:
            add(5, ("  (hidden)", "#a0a0a0"))
        if self.filter_query is not None:
            add(7, ("  filter: ", "bold"), (visible(self.filter_query), "bold #5fafff"),
                (f" ({self.filter_matches})", ""))
        tl = self.timeline
        if tl.marked_line is not None:
            rec = m.row(tl.marked_line)
            seq = getattr(rec.record, "seq", None) if rec else None
            add(5, (f"  ● marked #{seq}", "bold magenta"))
        if self.warning:
            add(8, ("  ⚠ ", "bold red"), (visible(self.warning), "bold red"))
        if self.progress is not None:
            phase, frac = self.progress
            filled = int(frac * 10)
            add(8, (f"  {phase} ", "bold"), ("█" * filled + "░" * (10 - filled), "#5fafff"),
                (f" {frac * 100:.0f}%", ""))
        self.query_one(AppHeader).show(parts)

    def _marks_at_label(self, d: Derived) -> str:
        """'#5' for marks relative to event #5 ('start' before the first event)."""
        if d.at is None:
            return "cursor…"  # asked for, not computed yet
        seqs = self.model.a.seqs
        if 0 <= d.at < len(seqs):
            return f"#{seqs[d.at]}"
        return "start"

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
        with model.lock:
            tracker = a.tracker
            before = (a.log.size, a.n_lines, a.n_events, a.log.n_complete)
            a.warning = None
            try:
                a.update()
            except Exception as exc:  # noqa: BLE001 - a vanished or unreadable file: say so, retry
                warning = f"cannot read the log: {exc}"
                self.post_message(Tailed(model.derived, warning))
                return
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
        if self.filter_query is not None or self.hide_superseded:
            self.recompute_rows(tl.cursor_line)
        if self.following or tl.cursor >= tl.n_rows:
            tl.move_to(tl.n_rows - 1, user=False)
        else:
            self.request_inspect()
        if self._want_plan:
            self.compute_plan()
        self._refresh_bindings_if_changed()

    def _refresh_bindings_if_changed(self) -> None:
        """refresh_bindings() when an action's availability changed. The footer recomposes on
        every refresh (~20 ms of restyling), which the live tail must not pay on every update."""
        key = tuple(self.check_action(b.action, ()) for b in self.BINDINGS
                    if isinstance(b, Binding))
        if key != self._bindings_key:
            self._bindings_key = key
            self.refresh_bindings()

    # ---- cursor and inspector --------------------------------------------------------------

    @on(Timeline.CursorMoved)
    @while_mounted
    def cursor_moved(self, msg: Timeline.CursorMoved) -> None:
        tl = self.timeline
        if msg.user:
            self.following = tl.cursor >= tl.n_rows - 1
        self.query_one(Scrubber).update_view(cursor_line=msg.line)
        self.update_header()
        self.request_inspect()
        if self.marks_at_cursor:
            self.request_marks()

    def request_inspect(self, now: bool = False) -> None:
        if not self.model.analysed:
            return
        if self._inspect_timer is not None:
            self._inspect_timer.stop()
        if now:
            self._inspect_timer = None
            self._start_inspect()
        else:
            self._inspect_timer = self.set_timer(0.03, self._start_inspect)

    @while_mounted
    def _start_inspect(self) -> None:
        self._inspect_timer = None
        tl = self.timeline
        line = tl.cursor_line
        if line is not None:
            self.inspect_line(line, tl.marked_line)

    @work(thread=True, exclusive=True, exit_on_error=False, group="inspect")
    def inspect_line(self, line: int, marked: int | None) -> None:
        with self.model.lock:
            if get_current_worker().is_cancelled or self.model.shrunk():
                return  # truncated: the tail reloads, then the cursor is inspected again
            ins = inspect(self.model, line, marked)
        if not get_current_worker().is_cancelled:
            self.post_message(Inspected(ins))

    @while_mounted
    def on_inspected(self, msg: Inspected) -> None:
        self.inspector.log_format = self.model.a.format
        self.inspector.show(msg.inspection, self.timeline.derived)

    def action_toggle_event_view(self) -> None:
        """The Event tab: readable sections or the JSON and raw line."""
        self.inspector.toggle_event_view()
        self.query_one(TabbedContent).active = "tab-event"

    @on(Inspector.BlameRequested)
    def blame_requested(self, msg: Inspector.BlameRequested) -> None:
        self.blame(msg.path, msg.pos)

    @work(thread=True, exclusive=True, exit_on_error=False, group="blame")
    def blame(self, path: tuple, pos: int) -> None:
        with self.model.lock:
            if self.model.shrunk():
                return
            text = blame_text(self.model, path, pos)
        self.post_message(Blamed(path, text))

    @while_mounted
    def on_blamed(self, msg: Blamed) -> None:
        self.inspector.show_blame(msg.path, msg.text)

    @on(Scrubber.Jump)
    def scrubber_jump(self, msg: Scrubber.Jump) -> None:
        self.timeline.move_to_line(msg.line)

    # ---- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        m = self.model
        d = self.timeline.derived if self.is_mounted else Derived()
        if action in ("next_match", "prev_match"):
            return self.filter_query is not None
        if action in ("prev_resume", "next_resume"):
            return m.analysed and bool(m.a.boundaries)
        if action == "hide_superseded":
            return d.marks is not None
        if action == "marks_at_cursor":
            return not self.marks_at_cursor and self.head_derived.marks is not None
        if action == "marks_at_head":
            return self.marks_at_cursor
        if action in ("goto", "filter"):  # they read the analysis: wait for the first pass
            return m.analysed
        if action in ("export", "mark"):
            return m.analysed and m.a.n_events > 0
        if action == "compaction":
            return m.analysed and plan_compaction is not None
        if action == "write_compacted":
            return self.plan is not None and self.plan.verified and bool(self.plan.dropped)
        return True

    def action_first(self) -> None:
        self.timeline.action_first()

    def action_last(self) -> None:
        self.timeline.action_last()

    def action_follow(self) -> None:
        tl = self.timeline
        if self.following:
            self.following = False
            self.update_header()
        else:
            self.following = True
            tl.move_to(tl.n_rows - 1, user=False)
            self.update_header()

    def _show_prompt(self, mode: str, placeholder: str, value: str = "") -> None:
        prompt = self.query_one("#prompt", Input)
        self.prompt_mode = mode
        prompt.placeholder = placeholder
        prompt.value = value
        prompt.display = True
        prompt.focus()

    def action_goto(self) -> None:
        self._show_prompt("goto", ": event id, then Enter (escape cancels)")

    def action_filter(self) -> None:
        self._show_prompt("filter", "/ type or text to filter by, then Enter (empty clears)",
                          self.filter_query or "")

    def _hide_prompt(self) -> None:
        prompt = self.query_one("#prompt", Input)
        prompt.display = False
        self.prompt_mode = None
        self.timeline.focus()

    def action_cancel(self) -> None:
        if self.prompt_mode is not None:
            self._hide_prompt()
        elif self.filter_query is not None:
            self.filter_query = None
            self.recompute_rows(self.timeline.cursor_line)

    @on(Input.Submitted, "#prompt")
    def prompt_submitted(self, msg: Input.Submitted) -> None:
        mode = self.prompt_mode
        value = msg.value.strip()
        self._hide_prompt()
        if mode == "goto":
            self.goto_id(value)
        elif mode == "filter":
            self.filter_query = value or None
            self.recompute_rows(self.timeline.cursor_line, jump_first=bool(value))
            self.refresh_bindings()

    def goto_id(self, value: str) -> None:
        text = value.lstrip("#")
        try:
            seq = int(text)
        except ValueError:
            self.notify(f"not an event id: {value!r}", severity="warning", markup=False)
            return
        m = self.model
        with m.lock:
            pos = m.a.pos_of_seq(seq)
            line = m.a.event_lines[pos] if pos is not None else None
        if line is None:
            self.notify(f"no event #{seq} in this log", severity="warning", markup=False)
            return
        tl = self.timeline
        if tl.rows is not None and line not in set(tl.rows):
            self.filter_query = None
            self.hide_superseded = False
            tl.set_rows(None, line)
        tl.move_to_line(line)

    def recompute_rows(self, keep_line: int | None, jump_first: bool = False) -> None:
        d = self.timeline.derived
        # with marks at the cursor, the event they are relative to stays in view (else hiding
        # it would move the cursor, and with it the marks)
        pin = d.at if d.at is not None and d.at >= 0 else None
        self.compute_rows(self.filter_query, self.hide_superseded, keep_line, jump_first,
                          d.superseded, pin)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rows")
    def compute_rows(self, query: str | None, hide: bool, keep_line: int | None,
                     jump_first: bool, sup: bytearray, pin: int | None) -> None:
        model = self.model
        if query is None and not hide:
            self.post_message(RowsReady(None, keep_line, 0))
            return
        needle = query.lower().encode("utf-8") if query else None
        rows = array("q")
        worker = get_current_worker()
        with model.lock:
            a = model.a
            kinds, line_pos, log = a.kinds, a.line_pos, a.log
            for i in range(a.n_lines):
                if i % 50000 == 0 and worker.is_cancelled:
                    return
                if hide and kinds[i] != 1:  # malformed lines always stay visible
                    p = line_pos[i]
                    if p < 0 or (p < len(sup) and sup[p] and p != pin):
                        continue
                if needle is not None:
                    try:
                        raw = log.line_bytes(i)
                    except IndexError:
                        continue
                    if needle not in raw.lower():
                        continue
                rows.append(i)
        if jump_first and len(rows):
            keep_line = rows[0] if keep_line is None else keep_line
        self.post_message(RowsReady(rows, keep_line, len(rows)))

    @while_mounted
    def on_rows_ready(self, msg: RowsReady) -> None:
        tl = self.timeline
        self.filter_matches = msg.matches
        tl.set_rows(msg.rows, msg.keep_line)
        if self.following:
            tl.move_to(tl.n_rows - 1, user=False)
        if msg.rows is not None and not len(msg.rows):
            self.notify("no records match", severity="warning")
        self.update_header()
        self.refresh_bindings()

    def action_next_match(self) -> None:
        self.timeline.move_to(self.timeline.cursor + 1)

    def action_prev_match(self) -> None:
        self.timeline.move_to(self.timeline.cursor - 1)

    def _resume_lines(self) -> list[int]:
        a = self.model.a
        with self.model.lock:
            return sorted(a.event_lines[p] for p in a.boundaries if p < len(a.event_lines))

    def _jump_resume(self, direction: int) -> None:
        lines = self._resume_lines()
        cur = self.timeline.cursor_line or 0
        if direction > 0:
            i = bisect.bisect_right(lines, cur)
            target = lines[i] if i < len(lines) else None
        else:
            i = bisect.bisect_left(lines, cur) - 1
            target = lines[i] if i >= 0 else None
        if target is None:
            self.notify("no more resumes that way", timeout=2)
            return
        tl = self.timeline
        if tl.rows is not None and target not in set(tl.rows):
            self.filter_query = None
            self.hide_superseded = False
            tl.set_rows(None, target)
        tl.move_to_line(target)
        self.query_one(TabbedContent).active = "tab-snapshot"

    def action_prev_resume(self) -> None:
        self._jump_resume(-1)

    def action_next_resume(self) -> None:
        self._jump_resume(1)

    def action_mark(self) -> None:
        tl = self.timeline
        line = tl.cursor_line
        if line is None:
            return
        row = self.model.row(line)
        if row is None or row.pos < 0:
            self.notify("only events can be marked", severity="warning", timeout=3)
            return
        tl.marked_line = None if tl.marked_line == line else line
        tl.invalidate()
        self.query_one(TabbedContent).active = "tab-diff"
        self.update_header()
        self.request_inspect(now=True)

    def action_hide_superseded(self) -> None:
        self.hide_superseded = not self.hide_superseded
        self.recompute_rows(self.timeline.cursor_line)
        self.update_header()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # ---- export ----------------------------------------------------------------------------

    def action_export(self) -> None:
        line = self.timeline.cursor_line
        if line is not None:
            self.export_snapshot(line)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def export_snapshot(self, line: int) -> None:
        model = self.model
        with model.lock:
            pos = model.event_pos_at_or_before(line)
            if pos < 0:
                self.call_from_thread(self.notify, "no event at or before the cursor",
                                      severity="warning")
                return
            seq = model.a.seqs[pos]
            state = model.a.state_at_pos(pos)
        try:
            out = export_path(model.path, seq)
            blob = orjson.dumps({"seq": seq, "state": state},
                                option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=repr)
            with open(out, "xb") as fh:  # never overwrite anything
                fh.write(blob + b"\n")
        except OSError as exc:
            self.call_from_thread(self.notify, f"export failed: {exc}", severity="error",
                                  markup=False)
            return
        self.call_from_thread(self.notify, f"state at #{seq} written to {out}", title="exported",
                              markup=False)

    # ---- compaction ------------------------------------------------------------------------

    def action_compaction(self) -> None:
        self.query_one(TabbedContent).active = "tab-compaction"
        self._want_plan = True
        self.inspector.show_plan(None, "computing the compaction plan and verifying it by replay…")
        self.compute_plan()

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan")
    def compute_plan(self) -> None:
        model = self.model
        with model.lock:
            try:
                plan = plan_compaction(model.a, marks=model.derived.marks)
            except Exception as exc:  # noqa: BLE001
                self.post_message(Planned(None, f"compaction failed: {type(exc).__name__}: {exc}"))
                return
        self.post_message(Planned(plan))

    @while_mounted
    def on_planned(self, msg: Planned) -> None:
        self.plan = msg.plan
        self.inspector.show_plan(msg.plan, msg.error)
        self.refresh_bindings()

    @on(Inspector.WriteCompacted)
    def write_compacted_requested(self) -> None:
        self.action_write_compacted()

    def action_write_compacted(self) -> None:
        plan = self.plan
        if plan is None or not plan.verified:
            self.notify("no verified compaction plan: press c first", severity="warning")
            return
        default = default_compacted_path(self.model.path)
        summary = (f"keeps {len(plan.kept)} of {plan.events} events, "
                   f"{plan.bytes_before:,} → {plan.bytes_after:,} bytes")

        def done(out: str | None) -> None:
            if out:
                self.write_compacted_to(out)

        self.push_screen(WritePathScreen(default, summary), done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="write")
    def write_compacted_to(self, out: str) -> None:
        model = self.model
        out = os.path.expanduser(out)
        if not os.path.isabs(out):
            out = os.path.join(os.path.dirname(os.path.abspath(model.path)), out)
        with model.lock:
            try:
                if os.path.exists(out) and os.path.samefile(out, model.path):
                    raise CompactionError(f"{out}: refusing to write over the log being compacted")
                n = write_compacted(model.a, self.plan, out)
            except (CompactionError, OSError) as exc:
                self.call_from_thread(self.notify, str(exc), title="not written", severity="error",
                                      markup=False)
                return
        self.call_from_thread(self.notify, f"{n:,} bytes written to {out}", title="compacted",
                              markup=False)


def export_path(log_path: str, seq: int) -> str:
    """A new file for a snapshot export: beside the log if possible, else in the cwd."""
    log = Path(log_path).resolve()
    name = f"{log.name}.snapshot-{seq}"
    for folder in (log.parent, Path.cwd()):
        if not os.access(folder, os.W_OK):
            continue
        for i in range(1, 1000):
            cand = folder / (f"{name}.json" if i == 1 else f"{name}-{i}.json")
            if not cand.exists() and cand != log:
                return str(cand)
    raise OSError(f"no writable place for {name}.json")


def default_compacted_path(log_path: str) -> str:
    log = Path(log_path)
    stem = log.name.removesuffix(".jsonl")
    cand = log.with_name(f"{stem}.compacted.jsonl")
    i = 2
    while cand.exists():
        cand = log.with_name(f"{stem}.compacted-{i}.jsonl")
        i += 1
    return str(cand)


def run_app(path: str | None, *, analysis_kwargs: dict | None = None, demo: bool = False) -> None:
    """Build and run the app on `path` (or on a live simulated agent with `demo`)."""
    agent = None
    if demo:
        from agentlog_tui.tui.demo import start_demo

        agent = start_demo(path)
        path = agent.path
    if path is None:
        raise ValueError("a log path is required unless demo=True")
    app = AgentlogApp(path, analysis_kwargs or {}, demo=agent)
    try:
        app.run()
    finally:
        if agent is not None:
            agent.stop()
