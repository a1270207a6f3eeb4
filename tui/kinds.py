"""The kind filter: `t` chooses which record types the timeline shows (hook progress, queue
operations, system records… off and on), with a "conversation" preset for agent sessions.

The chosen types are hidden by the rows worker (tui/navigation.py `compute_rows`), together with
the filter and `h`; malformed lines always stay visible. The dialog is `KindsScreen`.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static

from agentlog_tui.tui.text import visible

# record types that are a person's prompt (counted in the header when `h` hides some)
PROMPT_TYPES = frozenset({"user.prompt", "event_msg.user_message"})


def in_conversation(type_: str) -> bool:
    """Is a record of this type part of the conversation (what was said and done)?"""
    if type_ in ("system.compact_boundary", "compacted", "summary"):
        return True
    if type_.startswith(("user", "assistant")):
        return True
    return type_.startswith("response_item.") and type_ != "response_item.ghost_snapshot"


class KindsScreen(ModalScreen[frozenset | None]):
    """Tick the record types to show; `c` conversation preset, `a` all; Enter applies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="kinds.cancel"),
        Binding("enter", "apply", "apply", id="kinds.apply", priority=True),
        Binding("c", "preset('conversation')", "conversation", id="kinds.conversation"),
        Binding("a", "preset('all')", "all", id="kinds.all"),
    ]

    def __init__(self, counts: dict[str, int], hidden: frozenset) -> None:
        super().__init__()
        self.counts = counts
        self.hidden = hidden

    def compose(self) -> ComposeResult:
        with Vertical(id="kinds-box"):
            yield Static(Text("Record types shown in the timeline", style="bold"))
            yield SelectionList[str](
                *((f"{visible(t)}  ({n:,})", t, t not in self.hidden)
                  for t, n in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))),
                id="kinds-list")
            yield Static(Text("space toggles · c conversation · a all · Enter applies · "
                              "escape cancels", style="dim"))

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_preset(self, name: str) -> None:
        sel = self.query_one(SelectionList)
        sel.deselect_all() if name == "conversation" else sel.select_all()
        if name == "conversation":
            for t in self.counts:
                if in_conversation(t):
                    sel.select(t)

    def action_apply(self) -> None:
        shown = set(self.query_one(SelectionList).selected)
        self.dismiss(frozenset(t for t in self.counts if t not in shown))

    def action_cancel(self) -> None:
        self.dismiss(None)


class KindsFeature:
    """The `t` key and the hidden kinds (mixed into `AgentlogApp`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "kinds", "kinds", id="kinds"),
    ]

    def _init_kinds(self) -> None:
        self.hidden_kinds: frozenset[str] = frozenset()

    def _can_kinds(self) -> bool:
        return self.model.analysed and self.model.a.n_events > 0

    def hidden_type_ids(self) -> frozenset[int]:
        """The type ids of the hidden kinds (for the rows worker)."""
        a = self.model.a
        return frozenset(i for i, t in enumerate(a.types) if t in self.hidden_kinds)

    def action_kinds(self) -> None:
        m = self.model
        with m.lock:
            a = m.a
            counts: dict[str, int] = {}
            n_types = len(a.types)
            per = [0] * n_types
            for tid in a.type_ids:
                per[tid] += 1
            counts = {a.types[i]: n for i, n in enumerate(per) if n}

        def done(hidden: frozenset | None) -> None:
            if hidden is None:
                return
            self.hidden_kinds = hidden
            self.recompute_rows(self.timeline.cursor_line)
            self.update_header()

        self.push_screen(KindsScreen(counts, self.hidden_kinds), done)
