"""Resume jumps: `[` / `]` move to the previous / next resume boundary (Snapshot tab)."""

from __future__ import annotations

import bisect
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import TabbedContent


class ResumesFeature:
    """Jumps between resume boundaries (mixed into `AgentlogApp`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "prev_resume", "resume", key_display="[", id="prev_resume"),
        Binding("right_square_bracket", "next_resume", "resume", key_display="]", id="next_resume"),
    ]

    def _can_prev_resume(self) -> bool:
        m = self.model
        return m.analysed and bool(m.a.boundaries)

    _can_next_resume = _can_prev_resume

    def _why_not_prev_resume(self) -> str:
        return "analysing…" if not self.model.analysed else "no resumes in this log"

    _why_not_next_resume = _why_not_prev_resume

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
