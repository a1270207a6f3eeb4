"""The inspector: State, Event, Diff, Snapshot and Compaction tabs for the cursor's position.

It only displays what the app's workers computed (an `Inspection`, a compaction plan). Each tab's
content lives in its own module: `state_view.py` (the state tree and blame), `event_view.py`,
`report_views.py` (Diff, Snapshot), `compaction_view.py`. A new tab: a widget (or a text function)
in its own module, a `TabPane` in `compose` below, its labels in `TAB_LABELS`, and, if it shows
something per cursor position, a line in `show`. The key that opens it goes in
`tui/inspection.py` (or in the feature that computes its content).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from agentlog_tui.core.events import Event
from agentlog_tui.core.formats.base import event_details
from agentlog_tui.tui.brief_view import BriefView
from agentlog_tui.tui.compaction_view import CompactionView
from agentlog_tui.tui.event_view import JSON, READABLE, Cutter, event_text
from agentlog_tui.tui.matching import highlight
from agentlog_tui.tui.model import Derived, Inspection
from agentlog_tui.tui.report_views import diff_text, snapshot_text
from agentlog_tui.tui.state_view import NodeData, StateTree, StateView

__all__ = ["Inspector", "NodeData", "StateTree", "StateView"]

# tab id -> (label, label when the full ones do not fit the inspector's width)
TAB_LABELS = {
    "tab-state": ("State", "State"),
    "tab-event": ("Event", "Event"),
    "tab-diff": ("Diff", "Diff"),
    "tab-snapshot": ("Snapshot", "Snap"),
    "tab-compaction": ("Compaction", "Compact"),
    "tab-brief": ("Brief", "Brief"),
}
TAB_PADDING = 2  # cells around each tab's label


class Inspector(Widget):
    """Tabs about the position under the cursor."""

    BlameRequested = StateView.BlameRequested
    WriteCompacted = CompactionView.WriteCompacted

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.inspection: Inspection | None = None
        self.log_format: Any = None  # set by the app: the format whose `details` the Event tab shows
        self.event_mode = READABLE
        self.highlight: Any = None  # the filter's pattern: its matches marked in the Event tab
        self._event_shown: tuple[int, str] | None = None
        self.show_all_line: int | None = None  # the line whose huge payload is shown whole (+)
        self.event_cut = False  # the Event tab cut a huge payload of the record it shows

    def compose(self) -> ComposeResult:
        with TabbedContent(id="tabs", initial="tab-state"):
            with TabPane("State", id="tab-state"):
                yield StateView()
            with TabPane("Event", id="tab-event"), VerticalScroll(id="event-scroll"):
                yield Static(Text(""), id="event-view")
            with TabPane("Diff", id="tab-diff"), VerticalScroll():
                yield Static(Text(""), id="diff-view")
            with TabPane("Snapshot", id="tab-snapshot"), VerticalScroll():
                yield Static(Text(""), id="snapshot-view")
            with TabPane("Compaction", id="tab-compaction"):
                yield CompactionView()
            with TabPane("Brief", id="tab-brief"):  # filled by tui/brief_view.py BriefFeature
                yield BriefView()

    def show(self, ins: Inspection, derived: Derived) -> None:
        """Display an inspection (from a worker)."""
        self.inspection = ins
        self.query_one(StateView).show(ins)
        self._show_event(ins)
        self.query_one("#diff-view", Static).update(diff_text(ins))
        self.query_one("#snapshot-view", Static).update(snapshot_text(ins, derived))

    def on_resize(self) -> None:
        self._fit_tab_labels()

    def _fit_tab_labels(self) -> None:
        """Short tab labels when the full ones would push the last tabs out of sight."""
        full = sum(len(f) + TAB_PADDING for f, _ in TAB_LABELS.values())
        short = self.content_region.width < full
        tabs = self.query_one(TabbedContent)
        for pane, (long_label, short_label) in TAB_LABELS.items():
            tab = tabs.get_tab(pane)
            label = short_label if short else long_label
            if tab.label_text != label:
                tab.label = label

    def show_empty(self) -> None:
        """The log has no lines yet: say so instead of "analysing…"."""
        self.query_one(StateView).show_empty()

    def show_blame(self, path: tuple, text: str) -> None:
        self.query_one(StateView).show_blame(path, text)

    def show_plan(self, plan: Any, message: str | None = None) -> None:
        """Display a compaction plan (or a message when there is none)."""
        self.query_one(CompactionView).show_plan(plan, message)

    # ---- Event ---------------------------------------------------------------------------------

    def _show_event(self, ins: Inspection) -> None:
        rec = ins.record
        sections = event_details(self.log_format, rec) if isinstance(rec, Event) else []
        cutter = Cutter(full=self.show_all_line == ins.line)
        text = event_text(rec, sections, self.event_mode, cutter)
        self.event_cut = cutter.cut
        self.query_one("#event-view", Static).update(highlight(text, self.highlight))
        shown = (ins.line, self.event_mode)
        if shown != self._event_shown:  # another record or view: start at its top
            self._event_shown = shown
            self.query_one("#event-scroll", VerticalScroll).scroll_home(animate=False)

    def show_all(self) -> None:
        """Show the cursor's record whole in the Event tab (it was cut to its first ~8 KB)."""
        if self.inspection is not None:
            self.show_all_line = self.inspection.line
            self._show_event(self.inspection)

    def toggle_event_view(self) -> None:
        """Switch the Event tab between the readable sections and the JSON with the raw line."""
        self.event_mode = JSON if self.event_mode == READABLE else READABLE
        if self.inspection is not None:
            self._show_event(self.inspection)
