"""The compaction review: `c` plans and verifies a compaction (Compaction tab), `w` writes it.

The plan is computed by a worker (`core.compaction.plan_compaction`) and shown by the
`Inspector`'s Compaction tab; writing asks for the file name (`path_prompt.py`: a free name in
the current directory, an existing file replaced only after y) and never writes over the log
itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TabbedContent

from agentlog_tui.tui.features import while_mounted
from agentlog_tui.tui.path_prompt import ask_path, resolve, safe_name

try:
    from agentlog_tui.core.compaction import CompactionError, plan_compaction, write_compacted
except ImportError:  # pragma: no cover - before core.compaction exists
    plan_compaction = None  # type: ignore[assignment]
    write_compacted = None  # type: ignore[assignment]
    CompactionError = ValueError  # type: ignore[assignment,misc]


class Planned(Message):
    def __init__(self, plan: Any, error: str | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.error = error



class CompactionFeature:
    """Compaction plan and writing (mixed into `AgentlogApp`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "compaction", "compaction", id="compaction"),
        Binding("w", "write_compacted", "write compacted", id="write_compacted"),
    ]

    def _init_compaction(self) -> None:
        self.plan: Any = None
        self.plan_error: str | None = None
        self._want_plan = False

    def _can_compaction(self) -> bool:
        return self.model.analysed and plan_compaction is not None

    def _can_write_compacted(self) -> bool:
        return self.plan is not None and self.plan.verified and bool(self.plan.dropped)

    def _why_not_write_compacted(self) -> str:
        if self.plan is None:
            return "no compaction plan: c reviews one first"
        if not self.plan.verified:
            return "the plan is not verified by replay: nothing to write"
        return "nothing to drop: the compacted log would be the same"

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

    def on_compaction_view_write_compacted(self) -> None:
        self.action_write_compacted()

    def action_write_compacted(self) -> None:
        plan = self.plan
        if plan is None or not plan.verified:
            self.notify("no verified compaction plan: press c first", severity="warning")
            return
        default = default_compacted_path(self.model.path)
        summary = (f"keeps {len(plan.kept)} of {plan.events} events, "
                   f"{plan.bytes_before:,} → {plan.bytes_after:,} bytes; never over the log itself")

        ask_path(self, "Write the compacted log to a file", summary, default, "writing",
                 self.write_compacted_to)

    @work(thread=True, exclusive=True, exit_on_error=False, group="write")
    def write_compacted_to(self, out: str, overwrite: bool = False) -> None:
        model = self.model
        out = resolve(out)
        with model.lock:
            try:
                if os.path.exists(out) and os.path.samefile(out, model.path):
                    raise CompactionError(f"{out}: refusing to write over the log being compacted")
                n = write_compacted(model.a, self.plan, out, overwrite=overwrite)
            except (CompactionError, OSError) as exc:
                self.call_from_thread(self.notify, str(exc), title="not written", severity="error",
                                      markup=False)
                return
        self.call_from_thread(self.notify, f"{n:,} bytes written to {out}", title="compacted",
                              markup=False)


def default_compacted_path(log_path: str) -> str:
    """`<name>.compacted.jsonl` in the current directory, numbered so that nothing is
    overwritten; never inside ~/.claude or ~/.codex (core.compaction.default_output_path)."""
    from agentlog_tui.core.compaction import default_output_path

    out = Path(default_output_path(log_path))
    # the suggestion is shown in an editable field, which draws its text as it is: a log name
    # holding terminal controls is not repeated into it (issue 15)
    return str(out.with_name(safe_name(out.name)))
