"""The Compaction tab: the plan (what is dropped, why, verified or not) and its write button.

The app's compaction feature (`tui/compaction_review.py`) computes the plan and calls
`show_plan`; the button asks the app to write with `CompactionView.WriteCompacted`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static

from agentlog_tui.tui.text import literal, path_text, visible


class CompactionView(VerticalScroll):
    """The compaction plan and the button that writes it."""

    class WriteCompacted(Message):
        """The user asked to write the compacted log."""

    def compose(self) -> ComposeResult:
        yield Static(Text("Press c to review what compaction would drop.", style="dim"),
                     id="compaction-view")
        yield Button("Write compacted log…", id="write-compacted", disabled=True)

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
