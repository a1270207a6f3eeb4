"""The State tab: the state at the cursor as a tree, the changed paths open, a node's blame.

Children are added when a node is expanded (a state of a million keys opens at once). When the
user highlights a node the view asks for its blame with `StateView.BlameRequested`; the app's
inspection feature answers with `show_blame`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static, Tree

from agentlog_tui.core.events import Event
from agentlog_tui.tui.model import Inspection
from agentlog_tui.tui.payload import blob_name, media_of
from agentlog_tui.tui.preview import is_item, preview, short_key
from agentlog_tui.tui.text import literal, path_text, short_json

CHANGED = "bold #ffd75f"


@dataclass
class NodeData:
    """A state tree node: its path, its value, whether its children were added."""

    path: tuple
    value: Any
    loaded: bool = False


def _label(key: Any, value: Any, changed: bool, media: str | None = None,
           calls: dict | None = None) -> Text:
    t = Text(no_wrap=True, end="")
    container = isinstance(value, (dict, list))
    pv = preview(value, 100, calls) if container else ""
    t.append(short_key(key, bool(pv)), style="bold" + (" " + CHANGED if changed else ""))
    if container:
        if isinstance(value, list) or not pv or not is_item(value):
            t.append(f" {{{len(value)}}}" if isinstance(value, dict) else f" [{len(value)}]",
                     style="dim")
        if pv:
            t.append("  ")
            t.append(pv, style="#a8a8a8")
    else:
        t.append(": ")
        # a base64 image is named (`media`: the type its parent dict gives it)
        shown = (blob_name(value, media) or value) if isinstance(value, str) else value
        t.append(short_json(shown, 120), style=CHANGED if changed else "#87d7ff")
    if changed:
        t.append("  ◀ changed", style="#d7af5f")
    return t


def is_conversation(value: Any) -> bool:
    """A container of messages (a Claude Code `context`, a Codex `history`): opened at once, so
    the state reads as a conversation."""
    items = list(value.values()) if isinstance(value, dict) else value
    ends = items[:5] + items[-5:]
    return any(isinstance(v, dict) and isinstance(v.get("role"), str) for v in ends)


class StateTree(Tree[NodeData]):
    """The state at the cursor, children added when a node is expanded."""

    # (line, scroll y) that shows the changed node near the top: kept while the cursor stays on
    # it, and applied again when the tree's height changes (the first layout, a zoom)
    shown_change: tuple[int, int] | None = None

    def scroll_to_change(self) -> None:
        """Scroll to `shown_change` now (set directly: `scroll_to` may defer it behind a
        pending scroll of its own, and the snapshot of the screen would show either)."""
        if self.shown_change is not None and self.shown_change[0] == self.cursor_line:
            self.scroll_target_y = self.scroll_y = self.shown_change[1]

    def on_resize(self) -> None:
        self.call_after_refresh(self.scroll_to_change)



class StateView(Vertical):
    """Title (event, paths changed), the state tree, the highlighted node's blame."""

    class BlameRequested(Message):
        """The user highlighted a state node; the app answers with `show_blame`."""

        def __init__(self, path: tuple, pos: int) -> None:
            super().__init__()
            self.path = path
            self.pos = pos

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.inspection: Inspection | None = None
        self._changed: set[tuple] = set()
        self._open: set[tuple] = set()
        self._calls: dict | None = None
        self.settling = False  # a new state is shown, the tree not yet scrolled to its change

    def compose(self) -> ComposeResult:
        yield Static(Text("analysing…", style="dim"), id="state-title")
        tree = StateTree(Text("state"), NodeData((), {}), id="state-tree")
        tree.show_root = False
        yield tree
        yield Static(Text(""), id="blame")

    def show_empty(self) -> None:
        """The log has no lines yet: say so instead of "analysing…"."""
        self.query_one("#state-title", Static).update(
            Text("empty log: waiting for events", style="dim"))

    def show(self, ins: Inspection) -> None:
        self.inspection = ins
        # two lines, each cut with an ellipsis rather than wrapped (a long type would push the
        # path count out of the title's two rows)
        title = Text(no_wrap=True, overflow="ellipsis", end="")
        rec = ins.record
        if ins.on_event and isinstance(rec, Event):
            title.append(f"state after #{rec.seq} ", style="bold")
            title.append(literal(rec.type, "bold"))
            n = len(ins.changes)
            # one row (the tree gets the room); what is wrong goes on a second
            title.append(f" · {n} path{'s' if n != 1 else ''} changed", style="dim")
            if ins.failed or ins.off_branch:
                title.append("\n")
            if ins.failed:
                title.append("failed: ", style="bold red")
                title.append(literal(ins.failed, "red"))
            if ins.off_branch:
                title.append(f"  ⎇ {ins.off_branch}", style="#d7afff")
        elif ins.pos >= 0:
            title.append(f"state after #{ins.pos_seq} (no event on this line)", style="bold")
        else:
            title.append("initial state", style="bold")
        self.query_one("#state-title", Static).update(title)
        calls = ins.state.get("calls") if isinstance(ins.state, dict) else None
        self._calls = calls if isinstance(calls, dict) else None  # name Codex history calls
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
        self.settling = target is not None  # until the tree has scrolled to it
        if target is not None:
            self.call_after_refresh(self._show_node, target)
            if target.data is not None:  # show its blame now, without waiting for a highlight
                self.post_message(self.BlameRequested(target.data.path, ins.pos))

    def _show_node(self, node) -> None:
        """The cursor on `node`, scrolled near the top: what it holds (expanded) shows below."""
        tree = self.query_one(StateTree)
        # the tree builds its lines (node.line, its virtual height) lazily, at the next idle or
        # paint: build them now, or the scroll is clamped to the height of the tree before
        tree._tree_lines  # noqa: B018
        if node.line >= 0:
            # not move_cursor: its own scroll (only "in view", applied after this one) would win
            tree.cursor_line = node.line
            tree.shown_change = (node.line, max(0, node.line - 1))
            tree.scroll_to_change()
        self.settling = False

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
        media = media_of(value) if isinstance(value, dict) else None
        for i, (k, v) in enumerate(items):
            if i >= 500:
                node.add_leaf(Text(f"… {len(value) - 500} more", style="dim"))
                break
            path = data.path + (k,)
            label = _label(k, v, path in self._changed, media, self._calls)
            if isinstance(v, (dict, list)) and v:
                child = node.add(label, NodeData(path, v))
                if path in self._open or path in self._changed or (
                        len(path) == 1 and is_conversation(v)):
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
