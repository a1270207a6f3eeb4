"""Which events the state at a position depends on, and why the others are superseded.

DESIGN section 7: dead-store elimination over the tracked read/write record. The writers of the
visible state at N are live (`visible`); every event a live event read from is live (`read_by`);
every other event up to N is superseded: `overwritten` (with the events that overwrote it) or
`no_effect` (it wrote nothing that lasted: ignored type, snapshot, failed event).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentlog_tui.core.native import _fastloop

if TYPE_CHECKING:
    from agentlog_tui.core.analysis import Analysis

VISIBLE, READ_BY, OVERWRITTEN, NO_EFFECT = 0, 1, 2, 3
REASONS = ("visible", "read_by", "overwritten", "no_effect")


@dataclass
class Marks:
    """A mark for every event position up to `at` (inclusive)."""

    analysis: Analysis
    at: int
    codes: bytearray  # per position: VISIBLE/READ_BY/OVERWRITTEN/NO_EFFECT
    head: bool = True  # computed at the head of the log (can be brought up to date)
    died_seen: int = 0  # how much of the tracker's death record these marks have taken in
    tracker: Any = None  # the tracker they were computed from (a reload makes a new one)

    def is_live(self, pos: int) -> bool:
        return self.codes[pos] <= READ_BY

    def reason(self, pos: int) -> str:
        return REASONS[self.codes[pos]]

    def read_by(self, pos: int) -> list[int]:
        """Ids of the live events that read a value this event wrote."""
        a = self.analysis
        seqs, codes, at = a.seqs, self.codes, self.at
        readers = a.tracker.readers.get(pos, ())
        return [seqs[r] for r in sorted(readers) if r <= at and codes[r] <= READ_BY]

    def superseded_by_pos(self, pos: int) -> list[int]:
        if self.codes[pos] != OVERWRITTEN:
            return []
        return [k for k in self.analysis.tracker.killers_of(pos) if k <= self.at]

    def superseded_by(self, pos: int) -> list[int]:
        """Ids of the events that overwrote what this event wrote."""
        seqs = self.analysis.seqs
        return [seqs[p] for p in self.superseded_by_pos(pos)]

    @property
    def n_superseded(self) -> int:
        return self.codes.count(OVERWRITTEN) + self.codes.count(NO_EFFECT)

    def to_json(self, pos: int) -> dict:
        """The mark of one event as the CLI prints it."""
        a = self.analysis
        out: dict = {"seq": a.seqs[pos], "live": self.is_live(pos), "reason": self.reason(pos)}
        if self.codes[pos] == READ_BY:
            out["read_by"] = self.read_by(pos)
        if self.codes[pos] == OVERWRITTEN:
            out["superseded_by"] = self.superseded_by(pos)
        return out


def _dead_code(t, p: int) -> int:
    return OVERWRITTEN if t.wrote[p] and t.killer[p] >= 0 else NO_EFFECT


def _first_marks(t, m: int, at: int) -> bytearray:
    """VISIBLE for the events that keep a slot visible at `at`, a dead code for the others."""
    if _fastloop is not None:
        return _fastloop.first_marks(t.live, t.last_death, t.killer, t.wrote, m, at)
    live, last_death = t.live, t.last_death
    return bytearray(VISIBLE if live[p] > 0 or last_death[p] > at else _dead_code(t, p)
                     for p in range(m))


def compute_marks(analysis: Analysis, at: int | None = None) -> Marks:
    """Marks relative to position `at` (the head when None)."""
    n = analysis.n_events
    head = n - 1
    at = head if at is None else min(at, head)
    t = analysis.tracker
    codes = _first_marks(t, at + 1, at)
    # then every event a live event read from, latest readers first (a reader always comes
    # after what it read, so one pass in reverse order reaches everything transitively)
    deps = t.deps
    for p in sorted((p for p in deps if p <= at), reverse=True):
        if codes[p] <= READ_BY:
            for d in deps[p]:
                codes[d] = min(codes[d], READ_BY)
    return Marks(analysis, at, codes, head=at == head, died_seen=len(t.died), tracker=t)


def update_marks(marks: Marks) -> Marks:
    """Bring head marks up to date after the analysis read more events (live tail).

    Work is proportional to the new events and to the events whose marks change, not to the
    log. Marks not at the head, or of an analysis that was reloaded, are computed afresh."""
    a = marks.analysis
    t = a.tracker
    n = a.n_events
    old = marks.at + 1
    if not marks.head or n < old or len(marks.codes) != old or marks.tracker is not t:
        return compute_marks(a)
    codes = marks.codes
    live, deps, readers = t.live, t.deps, t.readers
    codes.extend(b"\x03" * (n - old))

    def make_live(p: int) -> None:
        stack = [p]
        while stack:
            q = stack.pop()
            if codes[q] <= READ_BY:
                continue
            codes[q] = READ_BY
            stack.extend(deps.get(q, ()))

    for p in range(n - 1, old - 1, -1):
        if live[p] > 0:
            codes[p] = VISIBLE
        elif any(codes[r] <= READ_BY for r in readers.get(p, ())):
            codes[p] = READ_BY
        else:
            codes[p] = _dead_code(t, p)
            continue
        for d in deps.get(p, ()):
            if d < old:
                make_live(d)
    stack = [p for p in t.died[marks.died_seen:] if p < old]
    marks.died_seen = len(t.died)
    while stack:
        q = stack.pop()
        if live[q] > 0 or codes[q] > READ_BY:
            continue
        if any(codes[r] <= READ_BY for r in readers.get(q, ())):
            codes[q] = READ_BY
            continue
        codes[q] = _dead_code(t, q)
        stack.extend(deps.get(q, ()))
    marks.at = n - 1
    return marks


__all__ = ["NO_EFFECT", "OVERWRITTEN", "READ_BY", "REASONS", "VISIBLE", "Marks", "compute_marks"]
