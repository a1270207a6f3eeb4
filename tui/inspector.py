"""The inspector: State, Event, Diff, Snapshot and Compaction tabs for the cursor's position.

It only displays what the app's workers computed (an `Inspection`, a compaction plan); when the
user highlights a node of the state tree it asks for that node's blame with a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Static, TabbedContent, TabPane, Tree

from agentlog_tui.core.events import Event
from agentlog_tui.core.formats.base import event_details
from agentlog_tui.tui.event_view import JSON, READABLE, event_text
from agentlog_tui.tui.model import Derived, Inspection
from agentlog_tui.tui.text import literal, path_text, short_json, visible

CHANGED = "bold #ffd75f"
KIND_STYLE = {"added": "green", "removed": "red", "changed": "yellow", "missing": "red", "extra": "magenta"}
# tab id -> (label, label when the full ones do not fit the inspector's width)
TAB_LABELS = {
    "tab-state": ("State", "State"),
    "tab-event": ("Event", "Event"),
    "tab-diff": ("Diff", "Diff"),
    "tab-snapshot": ("Snapshot", "Snap"),
    "tab-compaction": ("Compaction", "Compact"),
}
TAB_PADDING = 2  # cells around each tab's label
KIND_MARK = {"added": "+", "removed": "-", "changed": "~", "missing": "-", "extra": "+"}


@dataclass
class NodeData:
    """A state tree node: its path, its value, whether its children were added."""

    path: tuple
    value: Any
    loaded: bool = False


def _label(key: Any, value: Any, changed: bool) -> Text:
    t = Text(no_wrap=True, end="")
    t.append(visible(str(key)), style="bold" + (" " + CHANGED if changed else ""))
    if isinstance(value, dict):
        t.append(f" {{{len(value)}}}", style="dim")
    elif isinstance(value, list):
        t.append(f" [{len(value)}]", style="dim")
    else:
        t.append(": ")
        t.append(short_json(value, 120), style=CHANGED if changed else "#87d7ff")
    if changed:
        t.append("  ◀ changed", style="#d7af5f")
    return t


class StateTree(Tree[NodeData]):
    """The state at the cursor, children added when a node is expanded."""


class Inspector(Widget):
    """Tabs about the position under the cursor."""

    class BlameRequested(Message):
        """The user highlighted a state node; the app answers with `show_blame`."""

        def __init__(self, path: tuple, pos: int) -> None:
            super().__init__()
            self.path = path
            self.pos = pos

    class WriteCompacted(Message):
        """The user asked to write the compacted log."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.inspection: Inspection | None = None
        self._changed: set[tuple] = set()
        self._open: set[tuple] = set()
        self.log_format: Any = None  # set by the app: the format whose `details` the Event tab shows
        self.event_mode = READABLE
        self._event_shown: tuple[int, str] | None = None

    def compose(self) -> ComposeResult:
        with TabbedContent(id="tabs", initial="tab-state"):
            with TabPane("State", id="tab-state"), Vertical():
                yield Static(Text("analysing…", style="dim"), id="state-title")
                tree = StateTree(Text("state"), NodeData((), {}), id="state-tree")
                tree.show_root = False
                yield tree
                yield Static(Text(""), id="blame")
            with TabPane("Event", id="tab-event"), VerticalScroll(id="event-scroll"):
                yield Static(Text(""), id="event-view")
            with TabPane("Diff", id="tab-diff"), VerticalScroll():
                yield Static(Text(""), id="diff-view")
            with TabPane("Snapshot", id="tab-snapshot"), VerticalScroll():
                yield Static(Text(""), id="snapshot-view")
            with TabPane("Compaction", id="tab-compaction"), VerticalScroll():
                yield Static(Text("Press c to review what compaction would drop.", style="dim"),
                             id="compaction-view")
                yield Button("Write compacted log…", id="write-compacted", disabled=True)

    # ---- State ---------------------------------------------------------------------------------

    def show(self, ins: Inspection, derived: Derived) -> None:
        """Display an inspection (from a worker)."""
        self.inspection = ins
        self._show_state(ins)
        self._show_event(ins)
        self._show_diff(ins)
        self._show_snapshot(ins, derived)

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
        self.query_one("#state-title", Static).update(
            Text("empty log: waiting for events", style="dim"))

    def _show_state(self, ins: Inspection) -> None:
        # two lines, each cut with an ellipsis rather than wrapped (a long type would push the
        # path count out of the title's two rows)
        title = Text(no_wrap=True, overflow="ellipsis", end="")
        rec = ins.record
        if ins.on_event and isinstance(rec, Event):
            title.append(f"state after #{rec.seq} ", style="bold")
            title.append(literal(rec.type, "bold"))
            n = len(ins.changes)
            title.append(f"\n{n} path{'s' if n != 1 else ''} changed", style="dim")
            if ins.failed:
                title.append("  failed: ", style="bold red")
                title.append(literal(ins.failed, "red"))
        elif ins.pos >= 0:
            title.append(f"state after #{ins.pos_seq} (no event on this line)", style="bold")
        else:
            title.append("initial state", style="bold")
        self.query_one("#state-title", Static).update(title)
        self._changed = {c.path for c in ins.changes if c.kind != "removed"}
        self._open = {c.path[:i] for c in ins.changes for i in range(1, len(c.path))}
        tree = self.query_one(StateTree)
        tree.clear()
        tree.root.data = NodeData((), ins.state, False)
        self._load(tree.root)
        tree.root.expand()
        first = self._first_changed(tree.root)
        self.query_one("#blame", Static).update(Text(""))
        target = first if first is not None else (tree.root.children[0] if tree.root.children else None)
        if target is not None:
            self.call_after_refresh(tree.move_cursor, target)
            if target.data is not None:  # show its blame now, without waiting for a highlight
                self.post_message(self.BlameRequested(target.data.path, ins.pos))

    def _first_changed(self, node) -> Any:
        for child in node.children:
            if child.data is not None and child.data.path in self._changed:
                return child
            found = self._first_changed(child)
            if found is not None:
                return found
        return None

    def _load(self, node) -> None:
        data: NodeData = node.data
        if data is None or data.loaded:
            return
        data.loaded = True
        value = data.value
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for i, (k, v) in enumerate(items):
            if i >= 500:
                node.add_leaf(Text(f"… {len(value) - 500} more", style="dim"))
                break
            path = data.path + (k,)
            label = _label(k, v, path in self._changed)
            if isinstance(v, (dict, list)) and v:
                child = node.add(label, NodeData(path, v))
                if path in self._open or path in self._changed:
                    self._load(child)
                    child.expand()
            else:
                node.add_leaf(label, NodeData(path, v, True))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        self._load(event.node)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        data = event.node.data
        ins = self.inspection
        if data is None or ins is None or not data.path:
            return
        self.post_message(self.BlameRequested(data.path, ins.pos))

    def show_blame(self, path: tuple, text: str) -> None:
        t = Text(end="")
        t.append(path_text(path), style="bold")
        t.append("  ")
        t.append(text, style="#d7af5f")
        self.query_one("#blame", Static).update(t)

    # ---- Event ---------------------------------------------------------------------------------

    def _show_event(self, ins: Inspection) -> None:
        rec = ins.record
        sections = event_details(self.log_format, rec) if isinstance(rec, Event) else []
        self.query_one("#event-view", Static).update(event_text(rec, sections, self.event_mode))
        shown = (ins.line, self.event_mode)
        if shown != self._event_shown:  # another record or view: start at its top
            self._event_shown = shown
            self.query_one("#event-scroll", VerticalScroll).scroll_home(animate=False)

    def toggle_event_view(self) -> None:
        """Switch the Event tab between the readable sections and the JSON with the raw line."""
        self.event_mode = JSON if self.event_mode == READABLE else READABLE
        if self.inspection is not None:
            self._show_event(self.inspection)

    # ---- Diff ----------------------------------------------------------------------------------

    def _show_diff(self, ins: Inspection) -> None:
        t = Text(end="")
        t.append(ins.diff_label, style="bold")
        if ins.diff_against is None:
            t.append("   (m marks an event to diff against)", style="dim")
        t.append("\n\n")
        if not ins.diff:
            t.append("no differences", style="dim")
        for c in ins.diff:
            style = KIND_STYLE.get(c.kind, "")
            t.append(f"{KIND_MARK.get(c.kind, '?')} ", style=style)
            t.append(path_text(c.path), style="bold " + style)
            t.append("  ")
            if c.kind == "added":
                t.append(short_json(c.new, 100), style="green")
            elif c.kind == "removed":
                t.append(short_json(c.old, 100), style="red strike")
            else:
                t.append(short_json(c.old, 60), style="red")
                t.append(" → ")
                t.append(short_json(c.new, 60), style="green")
            t.append("\n")
        self.query_one("#diff-view", Static).update(t)

    # ---- Snapshot ------------------------------------------------------------------------------

    def _show_snapshot(self, ins: Inspection, derived: Derived) -> None:
        t = Text(end="")
        types = ins.types_by_seq

        def ev(seq: int | None) -> str:
            if seq is None:
                return "initial state"
            typ = types.get(seq)
            return f"#{seq} {visible(typ)}" if typ else f"#{seq}"

        res = ins.resume
        if res is not None:
            t.append(f"Resume at #{res.seq}", style="bold yellow")
            frm = "unknown" if res.from_seq is None else f"#{res.from_seq}"
            t.append(f" from {frm}\n")
            if res.unknown_from:
                t.append(f"  resumed from {frm}, which no event has\n", style="bold red")
            if res.missed:
                t.append(f"\nmissed {len(res.missed)} event(s) after #{res.from_seq}:\n",
                         style="bold red")
                for s in res.missed:
                    t.append(f"  {ev(s)}\n", style="red")
            else:
                t.append("no missed events\n", style="green")
            if res.duplicates:
                t.append(f"\npossible duplicate effect(s): {len(res.duplicates)}\n", style="bold red")
                for dup in res.duplicates:
                    t.append(f"  {ev(dup.seq)} repeats {ev(dup.original_seq)}", style="red")
                    t.append(f"  ({visible(str(dup.entity))}", style="dim")
                    if dup.subject is not None:
                        t.append(f" {visible(str(dup.subject))}", style="dim")
                    t.append(")\n", style="dim")
            else:
                t.append("no duplicate effects\n", style="green")
            t.append("\n")
        rep = ins.snapshot
        if rep is not None:
            if res is not None:
                t.append("loaded by this resume: ", style="bold")
            t.append("Snapshot ", style="bold cyan")
            t.append(literal(str(rep.source), "bold cyan"))
            t.append(f" claims the state at #{rep.at_seq}\n")
            if rep.verdict == "match":
                t.append("✓ matches a fresh replay\n", style="bold green")
            else:
                n = len(rep.differences)
                t.append(f"⚠ DRIFT: {n} difference(s) from a fresh replay\n\n", style="bold yellow")
                for diff in rep.differences:
                    style = KIND_STYLE.get(diff.kind, "")
                    t.append(f"{KIND_MARK.get(diff.kind, '?')} {diff.kind:<8}", style=style)
                    t.append(path_text(diff.path), style="bold")
                    t.append("\n    snapshot: ")
                    t.append(short_json(diff.snapshot, 70) if diff.kind != "missing" else "(absent)",
                             style="red")
                    t.append("\n    replay:   ")
                    t.append(short_json(diff.replay, 70) if diff.kind != "extra" else "(absent)",
                             style="green")
                    t.append("\n    written by ", style="dim")
                    t.append(ev(diff.written_by), style="#d7af5f")
                    t.append("\n")
        if res is None and rep is None:
            t.append("Not on a snapshot or resume.\n", style="dim")
            t.append("[ and ] jump to resumes.\n\n", style="dim")
            if derived.snapshot_list:
                t.append("Snapshots:\n", style="bold")
                for r in derived.snapshot_list:
                    ok = r.verdict == "match"
                    t.append("  ✓ " if ok else "  ⚠ ", style="green" if ok else "bold yellow")
                    t.append(literal(str(r.source)))
                    t.append(f" at #{r.at_seq}: {r.verdict}", style="green" if ok else "yellow")
                    if not ok:
                        t.append(f" ({len(r.differences)})")
                    t.append("\n")
            if derived.resumes:
                t.append("Resumes:\n", style="bold")
                for r in derived.resumes.values():
                    t.append(f"  #{r.seq} from #{r.from_seq}: ")
                    if r.findings:
                        t.append(f"⚠ {r.findings} finding(s)\n", style="bold yellow")
                    else:
                        t.append("✓ clean\n", style="green")
        self.query_one("#snapshot-view", Static).update(t)

    # ---- Compaction ----------------------------------------------------------------------------

    def show_plan(self, plan: Any, message: str | None = None) -> None:
        """Display a compaction plan (or a message when there is none)."""
        t = Text(end="")
        button = self.query_one("#write-compacted", Button)
        if plan is None:
            t.append(message or "no plan", style="dim")
            button.disabled = True
            self.query_one("#compaction-view", Static).update(t)
            return
        dropped = plan.dropped
        t.append("Compaction review\n", style="bold")
        t.append(f"{plan.events} events: keep {len(plan.kept)}, drop {len(dropped)}\n")
        before, after = plan.bytes_before, plan.bytes_after
        saved = before - after
        pct = (100.0 * saved / before) if before else 0.0
        t.append(f"{before:,} bytes → {after:,} bytes  (saves {saved:,}, {pct:.0f}%)\n")
        if plan.verified:
            t.append("✓ verified: replaying the compacted log gives the same state\n", style="bold green")
        else:
            t.append("✗ NOT verified: the compacted log replays to a different state\n", style="bold red")
            for p in getattr(plan, "differing_paths", []) or []:
                t.append(f"    {path_text(tuple(p)) if isinstance(p, (list, tuple)) else visible(str(p))}\n",
                         style="red")
        note = getattr(plan, "note", None)
        if note:
            t.append(literal(str(note), "dim"))
            t.append("\n")
        groups: dict[str, dict[str, list]] = {}
        for d in dropped:
            groups.setdefault(d.reason, {}).setdefault(d.type, []).append(d)
        for reason in sorted(groups):
            by_type = groups[reason]
            n = sum(len(v) for v in by_type.values())
            t.append(f"\n{reason.replace('_', ' ')} ({n})\n", style="bold")
            for typ in sorted(by_type, key=lambda k: (-len(by_type[k]), k)):
                items = by_type[typ]
                t.append(f"  {len(items):>5} × ")
                t.append(literal(typ, "bold"))
                seqs = ", ".join(
                    f"#{d.seq}" + (f"⤳{d.superseded_by[0]}" if d.superseded_by else "") for d in items[:6]
                )
                more = f", … {len(items) - 6} more" if len(items) > 6 else ""
                t.append(f"  {seqs}{more}\n", style="dim")
        if not dropped:
            t.append("\nnothing to drop: every event is live\n", style="green")
        t.append("\nw writes the compacted log to a new file (never over the input)\n", style="dim")
        self.query_one("#compaction-view", Static).update(t)
        button.disabled = not (plan.verified and dropped)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "write-compacted":
            event.stop()
            self.post_message(self.WriteCompacted())
