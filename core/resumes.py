"""Checks at every executor resume (DESIGN section 8)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentlog_tui.core.projection import EFFECT_VERBS
from agentlog_tui.core.snapshots import SnapshotReport, report_for_event

if TYPE_CHECKING:
    from agentlog_tui.core.analysis import Analysis

__all__ = ["EFFECT_VERBS", "Duplicate", "ResumeReport", "resume_reports"]


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An effect completed before the resume and completed again after it."""

    seq: int
    original_seq: int
    entity: str
    subject: str | None

    def to_json(self) -> dict:
        return {"seq": self.seq, "original_seq": self.original_seq, "entity": self.entity,
                "subject": self.subject}


@dataclass
class ResumeReport:
    """What one resume got wrong, if anything."""

    pos: int
    seq: int
    from_seq: int | None
    missed: list[int] = field(default_factory=list)
    unknown_from: bool = False
    snapshot: SnapshotReport | None = None
    duplicates: list[Duplicate] = field(default_factory=list)

    @property
    def findings(self) -> int:
        n = len(self.missed) + (1 if self.unknown_from else 0) + len(self.duplicates)
        if self.snapshot is not None and self.snapshot.verdict != "match":
            n += 1
        return n

    def to_json(self) -> dict:
        return {
            "seq": self.seq,
            "from_event": self.from_seq,
            "missed": self.missed,
            "unknown_from_event": self.unknown_from,
            "snapshot": self.snapshot.to_json() if self.snapshot is not None else None,
            "duplicates": [d.to_json() for d in self.duplicates],
            "findings": self.findings,
        }


def resume_reports(analysis: Analysis) -> list[ResumeReport]:
    """A report for every resume boundary, in log order."""
    a = analysis
    resumes = sorted(p for p, b in a.boundaries.items() if b.kind == "resume")
    snapshots = set(a.snapshot_positions)
    effects: dict[tuple[str, str | None], int] = {}  # effect -> position of its first completion
    reports: list[ResumeReport] = []
    eff_pos = list(a.effects)  # positions of completed effects, in log order
    e = 0
    bounds = resumes + [a.n_events]
    for i, r in enumerate(resumes):
        while e < len(eff_pos) and eff_pos[e] < r:
            effects.setdefault(a.effects[eff_pos[e]], eff_pos[e])
            e += 1
        b = a.boundaries[r]
        rep = ResumeReport(r, a.seqs[r], b.from_seq)
        if b.from_seq is not None:
            fp = a.pos_of_seq(b.from_seq)
            if fp is None or fp >= r:
                rep.unknown_from = True
            else:
                rep.missed = [a.seqs[p] for p in range(fp + 1, r) if p not in snapshots]
        if r > 0 and (r - 1) in snapshots:
            rep.snapshot = report_for_event(a, r - 1)
        seen_after: set[tuple[str, str | None]] = set()
        lo, hi = bisect.bisect_right(eff_pos, r), bisect.bisect_left(eff_pos, bounds[i + 1])
        for p in eff_pos[lo:hi]:
            k = a.effects[p]
            if k in effects and k not in seen_after:
                seen_after.add(k)
                rep.duplicates.append(Duplicate(a.seqs[p], a.seqs[effects[k]], k[0], k[1]))
        reports.append(rep)
    return reports
