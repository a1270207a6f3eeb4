"""What the app says about the log's source: a JSON document (not tailed) and format drift.

A log read from one JSON array (or a folder of per-event files) is not live-tailed: the header
says what it was read from instead of "live". Records of kinds the log's format does not know
(core/drift.py) are counted in the header, and listed once in a notification when they first
appear (after the analysis, or when the tail brings a new kind), so a user sees at once that their
agent writes something this version of the tool does not understand. `u` jumps to the next
record of an unknown kind.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding

from agentlog_tui.core.drift import unknown_kinds
from agentlog_tui.tui.text import visible


class LogSourceFeature:
    """Header parts and notices about the log's source and format drift (a mixin of the app)."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("u", "next_unknown_kind", "next unknown kind", id="next_unknown_kind", show=False),
    ]

    def _init_log_source(self) -> None:
        self._drift_noticed: set[str] = set()

    # ---- header --------------------------------------------------------------------------

    def is_live_log(self) -> bool:
        """False for a log read whole (a JSON array): it is not tailed."""
        return bool(getattr(self.model.a.log, "live", True))

    def source_header_parts(self) -> list[tuple[int, Text]]:
        """(priority, text) parts for the header: the document kind, the unknown kinds."""
        parts: list[tuple[int, Text]] = []
        log = self.model.a.log
        if not self.is_live_log():
            what = {"json array": "JSON array", "json object": "JSON object",
                    "event folder": "event folder"}.get(getattr(log, "container", ""), "document")
            key = getattr(log, "key", None)
            if key:
                what += f" .{key}"
            parts.append((6, Text.assemble(("  ◆ ", "bold #5fafff"), (visible(what), "bold"),
                                           (" (not tailed)", "#a0a0a0"), end="")))
        if self.model.analysed:
            kinds = unknown_kinds(self.model.a)
            if kinds:
                n = len(kinds)
                parts.append((3, Text(f"  ? {n} unknown kind{'s' if n != 1 else ''}",
                                      style="bold #ff8700", end="")))
        return parts

    # ---- notices -------------------------------------------------------------------------

    def notify_drift(self) -> None:
        """One notification listing kinds not noticed before (none when there are none)."""
        a = self.model.a
        kinds = [k for k in unknown_kinds(a) if k["kind"] not in self._drift_noticed]
        if not kinds:
            return
        self._drift_noticed.update(k["kind"] for k in kinds)
        total = sum(k["count"] for k in kinds)
        lines = [(f"{total} record{'s' if total != 1 else ''} of kinds the "
                  f"{visible(a.format.name)} format does not know:")]
        for k in kinds[:6]:
            lines.append(f"  {visible(k['kind'])} ×{k['count']}  (first at line {k['first_line']})")
        if len(kinds) > 6:
            lines.append(f"  … and {len(kinds) - 6} more (agentlog-tui check)")
        lines.append("A newer agent version? `u` goes to the next one.")
        self.notify("\n".join(lines), title="unknown record kinds", severity="warning",
                    markup=False, timeout=12)

    # ---- navigation ----------------------------------------------------------------------

    def _can_next_unknown_kind(self) -> bool:
        counter = getattr(self.model.a, "drift", None)
        return self.model.analysed and counter is not None and bool(counter.kinds)

    def action_next_unknown_kind(self) -> None:
        """Move the cursor to the next event (after the cursor, wrapping) of an unknown kind."""
        target = self._next_unknown_line()
        if target is None:
            self.notify("no record of an unknown kind", markup=False, timeout=3)
            return
        tl = self.timeline
        if tl.rows is not None and target not in set(tl.rows):  # filtered out: show every row
            self.filter_query = None
            self.hide_superseded = False
            tl.set_rows(None, target)
        tl.move_to_line(target)

    def _next_unknown_line(self) -> int | None:
        a = self.model.a
        counter = getattr(a, "drift", None)
        if counter is None or not counter.kinds:
            return None
        cur = self.timeline.cursor_line or 0
        known, check = counter.known, counter.check
        with self.model.lock:
            n = a.n_events
            start = next((p for p in range(n) if a.event_lines[p] > cur), 0) if n else 0
            for step in range(n):
                pos = (start + step) % n
                if a.type_of(pos) not in known:
                    return a.event_lines[pos]
                if check is not None and _unknown(check, a.event(pos)):
                    return a.event_lines[pos]
        return None


def _unknown(check: Any, event: Any) -> bool:
    try:
        kind = check(event)
    except Exception:  # noqa: BLE001 - as in core/drift.py: a failing check counts nothing
        return False
    return isinstance(kind, str) and bool(kind)
