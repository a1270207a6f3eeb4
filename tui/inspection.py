"""Inspection: what the inspector shows for the cursor's line, blame, the marked event.

The cursor moves (`Timeline.CursorMoved`), this feature asks a worker for an `Inspection` of the
line (state, event, diff against the mark, snapshot) and hands it to the `Inspector` widget; the
state tree asks for a node's blame with `StateView.BlameRequested`. Keys: `m` (mark for the Diff
tab), `v` (the Event tab's readable / raw view), `+` (a huge payload shown whole). A new
inspector tab goes in `tui/inspector.py` (its content computed in `tui/model.py inspect`); its
key goes here.
"""

from __future__ import annotations

from typing import ClassVar

import orjson
from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import TabbedContent
from textual.worker import get_current_worker

from agentlog_tui.tui.features import while_mounted
from agentlog_tui.tui.inspector import TAB_LABELS
from agentlog_tui.tui.live_tail import TAIL_INSPECT_EVERY
from agentlog_tui.tui.model import Inspection, blame_text, inspect
from agentlog_tui.tui.scrubber import Scrubber
from agentlog_tui.tui.state_view import StateTree, StateView
from agentlog_tui.tui.text import path_text
from agentlog_tui.tui.timeline import Timeline


class Inspected(Message):
    def __init__(self, inspection: Inspection) -> None:
        super().__init__()
        self.inspection = inspection


class Blamed(Message):
    def __init__(self, path: tuple, text: str) -> None:
        super().__init__()
        self.path = path
        self.text = text



class InspectionFeature:
    """Cursor → inspector, blame, the mark (mixed into `AgentlogApp`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "mark", "mark", id="mark"),
        # not in the footer (the Event tab says "v: ..." where it applies)
        Binding("v", "toggle_event_view", "raw/readable", show=False, id="toggle_event_view"),
        # a huge payload is cut to its first ~8 KB; + shows it all (shown when something is cut)
        Binding("plus", "show_all", "show all", key_display="+", id="show_all"),
        Binding("y", "copy_value", "copy", show=False, id="copy_value"),
        Binding("Y", "copy_path", "copy path", show=False, id="copy_path"),
        # more room for the inspector: the stacked timeline shrinks, or the inspector widens
        Binding("z", "zoom", "zoom", id="zoom"),
        # the inspector's tabs, in their order: one footer entry for all the number keys
        Binding("1", "tab(1)", "tabs", key_display=f"1-{len(TAB_LABELS)}", id="tab1"),
        *(Binding(str(i), f"tab({i})", f"tab {i}", show=False, id=f"tab{i}")
          for i in range(2, len(TAB_LABELS) + 1)),
    ]

    def _init_inspection(self) -> None:
        self._inspect_timer: Timer | None = None

    def _can_mark(self) -> bool:
        m = self.model
        return m.analysed and m.a.n_events > 0

    @while_mounted
    def on_timeline_cursor_moved(self, msg: Timeline.CursorMoved) -> None:
        tl = self.timeline
        if msg.user:
            self.following = tl.cursor >= tl.n_rows - 1
        self.query_one(Scrubber).update_view(cursor_line=msg.line)
        self.update_header()
        # following a growing log: the inspector catches up at most every TAIL_INSPECT_EVERY
        self.request_inspect(lazy=not msg.user and self.following and self.tail_active())
        if self.marks_at_cursor:
            self.request_marks()

    def request_inspect(self, now: bool = False, lazy: bool = False) -> None:
        """Inspect the cursor's line soon (a burst of moves inspects once). `lazy`: the live
        tail moved the cursor; an inspection already due covers it, else one comes within
        TAIL_INSPECT_EVERY (live_tail.py: the tail's updates do not each rebuild the state)."""
        if not self.model.analysed:
            return
        if lazy and self._inspect_timer is not None:
            return
        if self._inspect_timer is not None:
            self._inspect_timer.stop()
        if now:
            self._inspect_timer = None
            self._start_inspect()
        else:
            delay = TAIL_INSPECT_EVERY if lazy else 0.03
            self._inspect_timer = self.set_timer(delay, self._start_inspect)

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
        cut = self.inspector.event_cut
        self.inspector.log_format = self.model.a.format
        self.inspector.show(msg.inspection, self.timeline.derived)
        if self.inspector.event_cut != cut:  # + appears in the footer, or goes
            self.refresh_bindings()

    def _selected_node(self):
        node = self.query_one(StateTree).cursor_node
        return node.data if node is not None and node.data is not None and node.data.path else None

    def action_copy_value(self) -> None:
        """y: the selected state node's value (JSON) to the clipboard, by OSC 52."""
        data = self._selected_node()
        if data is None:
            self.notify("nothing selected in the State tab to copy", timeout=3)
            return
        v = data.value
        text = v if isinstance(v, str) else orjson.dumps(
            v, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=repr).decode()
        self.copy_to_clipboard(text)
        self.notify(f"copied the value of {path_text(data.path)} ({len(text):,} characters)",
                    timeout=3, markup=False)

    def action_copy_path(self) -> None:
        """Y: the selected state node's path (`context["m4"].role`) to the clipboard."""
        data = self._selected_node()
        if data is None:
            self.notify("nothing selected in the State tab to copy", timeout=3)
            return
        text = path_text(data.path)
        self.copy_to_clipboard(text)
        self.notify(f"copied the path {text}", timeout=3, markup=False)

    def action_zoom(self) -> None:
        """z: give the inspector most of the screen (again: share it with the timeline)."""
        self.screen.toggle_class("-zoom")  # the timeline keeps its cursor in view on resize

    def action_tab(self, n: int) -> None:
        """Show the inspector's n-th tab (1: State, 2: Event … in `TAB_LABELS` order)."""
        tabs = self.query_one(TabbedContent)
        panes = [p.id for p in tabs.query("TabPane")]
        if 1 <= n <= len(panes):
            tabs.active = panes[n - 1]

    def _can_show_all(self) -> bool:
        return self.inspector.event_cut

    def _why_not_show_all(self) -> str:
        return "nothing is cut: the Event tab shows this record whole"

    def action_show_all(self) -> None:
        """+: the Event tab shows the cursor's record whole (images stay named)."""
        self.inspector.show_all()
        self.query_one(TabbedContent).active = "tab-event"
        self.refresh_bindings()

    def action_toggle_event_view(self) -> None:
        """The Event tab: readable sections or the JSON and raw line."""
        self.inspector.toggle_event_view()
        self.query_one(TabbedContent).active = "tab-event"

    def on_state_view_blame_requested(self, msg: StateView.BlameRequested) -> None:
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

    def on_scrubber_jump(self, msg: Scrubber.Jump) -> None:
        self.timeline.move_to_line(msg.line)

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

