"""Which events the state at a position depends on, and why the others are superseded.

DESIGN section 7: dead-store elimination over the tracked read/write record. The writers of the
visible state at N are live (`visible`); every event a live event read from is live (`read_by`);
every other event up to N is superseded: `overwritten` (with the events that overwrote it) or
`no_effect` (it wrote nothing that lasted: ignored type, snapshot, failed event).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.analysis import Analysis

VISIBLE, READ_BY, OVERWRITTEN, NO_EFFECT = 0, 1, 2, 3
REASONS = ("visible", "read_by", "overwritten", "no_effect")


@dataclass
class Marks:
    """A mark for every event position up to `at` (inclusive)."""

    analysis: Analysis
    at: int
    codes: bytearray  # per position: VISIBLE/READ_BY/OVERWRITTEN/NO_EFFECT
    _read_by: dict[int, list[int]]

    def is_live(self, pos: int) -> bool:
        return self.codes[pos] <= READ_BY

    def reason(self, pos: int) -> str:
        return REASONS[self.codes[pos]]

    def read_by(self, pos: int) -> list[int]:
        """Ids of the live events that read a value this event wrote."""
        seqs = self.analysis.seqs
        return [seqs[p] for p in sorted(self._read_by.get(pos, ()))]

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
        return sum(1 for c in self.codes if c >= OVERWRITTEN)

    @property
    def live_positions(self) -> list[int]:
        return [p for p, c in enumerate(self.codes) if c <= READ_BY]

    def to_json(self, pos: int) -> dict:
        """The mark of one event as the CLI prints it."""
        a = self.analysis
        out: dict = {"seq": a.seqs[pos], "live": self.is_live(pos), "reason": self.reason(pos)}
        if self.codes[pos] == READ_BY:
            out["read_by"] = self.read_by(pos)
        if self.codes[pos] == OVERWRITTEN:
            out["superseded_by"] = self.superseded_by(pos)
        return out


def compute_marks(analysis: Analysis, at: int | None = None) -> Marks:
    """Marks relative to position `at` (the head when None)."""
    n = analysis.n_events
    head = n - 1
    at = head if at is None else min(at, head)
    t = analysis.tracker
    live, last_death, deps, wrote = t.live, t.last_death, t.deps, t.wrote
    m = at + 1
    codes = bytearray(b"\x03") * m
    is_live = bytearray(m)
    if at == head:
        for p in range(m):
            if live[p] > 0:
                is_live[p] = 1
                codes[p] = VISIBLE
    else:
        for p in range(m):
            if live[p] > 0 or last_death[p] > at:
                is_live[p] = 1
                codes[p] = VISIBLE
    read_by: dict[int, list[int]] = {}
    for p in range(at, -1, -1):
        if not is_live[p]:
            continue
        ds = deps.get(p)
        if not ds:
            continue
        for d in ds:
            read_by.setdefault(d, []).append(p)
            if not is_live[d]:
                is_live[d] = 1
                codes[d] = READ_BY
    killer = t.killer
    for p in range(m):
        if not is_live[p] and wrote[p] and killer[p] >= 0:
            codes[p] = OVERWRITTEN
    return Marks(analysis, at, codes, {d: r for d, r in read_by.items() if is_live[d]})


__all__ = ["NO_EFFECT", "OVERWRITTEN", "READ_BY", "REASONS", "VISIBLE", "Marks", "compute_marks"]
