"""Checks at every executor resume (DESIGN section 8)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentlog_tui.core.formats.base import Activity
from agentlog_tui.core.integrity import event_objects
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
    earlier_session: str | None = None  # an agent's log: the session this one continues
    unanswered: list[dict] = field(default_factory=list)  # calls in flight, never answered

    @property
    def findings(self) -> int:
        n = (len(self.missed) + (1 if self.unknown_from else 0) + len(self.duplicates)
             + len(self.unanswered))
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
            "earlier_session": self.earlier_session,
            "unanswered": self.unanswered,
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
    activity = getattr(a.format, "activity", None)
    if activity is not None and reports:
        _agent_reports(a, reports, activity(event_objects(a)))
    return reports


def _agent_reports(a: Analysis, reports: list[ResumeReport], act: Activity) -> None:
    """What an agent's resume left behind (DESIGN section 13): the session it continues, the
    calls in flight before it that were never answered, and side effects (a side-effecting
    command, a file write) completed before it and again after it. Events a resume skipped are
    missed only when they are part of the conversation (not hook progress or file backups)."""
    seqs = a.seqs
    effects = sorted(act.effects)
    starts = [r.pos for r in reports] + [a.n_events]
    for k, rep in enumerate(reports):
        r, prev = rep.pos, (starts[k - 1] if k else 0)
        fp = a.pos_of_seq(rep.from_seq) if rep.from_seq is not None else None
        at = fp if fp is not None and fp < r else r - 1
        if 0 <= at < len(act.sessions):
            rep.earlier_session = act.sessions[at]
        rep.missed = [s for s in rep.missed
                      if (p := a.pos_of_seq(s)) is None or p >= len(act.conversation)
                      or act.conversation[p]]
        rep.unanswered = [
            {"seq": seqs[c.index], "line": a.event_lines[c.index] + 1, "call_id": c.call_id,
             "name": c.name, "input": c.input}
            for c in act.calls if prev <= c.index < r and c.answered is None]
        before: dict[tuple[str, str], int] = {}
        for i, kind, subject in effects:
            if i < r:
                before.setdefault((kind, subject), i)
        seen: set[tuple[str, str]] = set()
        for i, kind, subject in effects:
            if r <= i < starts[k + 1] and (kind, subject) in before and (kind, subject) not in seen:
                seen.add((kind, subject))
                rep.duplicates.append(Duplicate(seqs[i], seqs[before[(kind, subject)]], kind, subject))
