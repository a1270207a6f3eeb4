"""Compaction: keep the live events' original bytes, verified by replay (DESIGN section 7)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agentlog_tui.core.analysis import canonical
from agentlog_tui.core.diff import diff_values
from agentlog_tui.core.events import Event
from agentlog_tui.core.liveness import READ_BY, REASONS, Marks, compute_marks
from agentlog_tui.core.reader import make_record

if TYPE_CHECKING:
    from agentlog_tui.core.analysis import Analysis


class CompactionError(ValueError):
    """Compaction refused (the message names the file and the reason)."""


class Dropped:
    """An event compaction would drop, and why. `superseded_by` is worked out when asked for:
    a review of a million-event log shows a few per group, the JSON report all of them."""

    __slots__ = ("_marks", "pos", "reason", "seq", "type")

    def __init__(self, pos: int, seq: int, type: str, reason: str, marks: Marks) -> None:
        self.pos, self.seq, self.type, self.reason, self._marks = pos, seq, type, reason, marks

    @property
    def superseded_by(self) -> list[int]:
        if self.reason != "overwritten":
            return []
        return self._marks.superseded_by(self.pos)

    def to_json(self) -> dict:
        return {"seq": self.seq, "type": self.type, "reason": self.reason,
                "superseded_by": self.superseded_by}

    def __repr__(self) -> str:
        return f"Dropped(seq={self.seq}, type={self.type!r}, reason={self.reason!r})"


@dataclass
class CompactionPlan:
    """What compaction keeps and drops, and whether a replay of the result matches."""

    events: int
    kept: list[int]
    dropped: list[Dropped]
    bytes_before: int
    bytes_after: int
    verified: bool
    differing_paths: list[list] = field(default_factory=list)
    malformed_dropped: int = 0
    protect_last: int = 0
    note: str | None = None

    def to_json(self) -> dict:
        out = {
            "events": self.events,
            "kept": len(self.kept),
            "dropped": [d.to_json() for d in self.dropped],
            "bytes_before": self.bytes_before,
            "bytes_after": self.bytes_after,
            "verified": self.verified,
        }
        if self.differing_paths:
            out["differing_paths"] = self.differing_paths
        if self.malformed_dropped:
            out["malformed_dropped"] = self.malformed_dropped
        if self.note:
            out["note"] = self.note
        return out


def _raw(analysis: Analysis, pos: int) -> bytes:
    """The original bytes of the event at `pos`, without its newline (not parsed again)."""
    return analysis.log.line_bytes(analysis.event_lines[pos])


def _kept_lines(analysis: Analysis, kept: list[int]) -> Iterator[bytes]:
    for p in kept:
        yield _raw(analysis, p) + b"\n"


def plan_compaction(analysis: Analysis, protect_last: int = 0, marks: Marks | None = None) -> CompactionPlan:
    """Decide what to keep (live events plus the last `protect_last`) and verify it by replay."""
    a = analysis
    n = a.n_events
    marks = marks or compute_marks(a)
    protect_from = max(0, n - max(0, protect_last))
    kept: list[int] = []
    dropped: list[Dropped] = []
    codes, seqs, types, type_ids, failed = marks.codes, a.seqs, a.types, a.type_ids, a.failed
    keep, drop = kept.append, dropped.append
    for p in range(n):
        c = codes[p]
        if c <= READ_BY or p >= protect_from:
            keep(p)
        else:
            reason = "no_effect" if p in failed else REASONS[c]
            drop(Dropped(p, seqs[p], types[type_ids[p]], reason, marks))
    kept_events = []
    bytes_after = 0
    for i, p in enumerate(kept):
        raw = _raw(a, p)
        bytes_after += len(raw) + 1
        # read the kept bytes exactly as the compacted file will hold them (line i + 1)
        rec = make_record(i, 0, raw, a.mapper, terminated=True)
        if isinstance(rec, Event):
            kept_events.append(rec)
    full = a.state
    compacted = a.replay_events(kept_events)
    verified = canonical(compacted) == canonical(full) and a.deterministic()
    differing: list[list] = []
    if not verified:
        differing = [list(c.path) for c in diff_values(full, compacted)]
        if not differing and not a.deterministic():
            differing = [["<nondeterministic projection: two replays of the full log differ>"]]
    note = None
    if a.uses_line_numbers:
        note = ("this log has no id field: ids are line numbers, and the compacted file "
                "numbers its lines anew")
    return CompactionPlan(n, kept, dropped, a.log.size, bytes_after, verified, differing,
                          len(a.malformed), protect_last, note)


def write_compacted(analysis: Analysis, plan: CompactionPlan, out: str | os.PathLike[str]) -> int:
    """Write the kept lines to `out` (never the input; only a verified plan). Returns bytes."""
    src = Path(analysis.path)
    dst = Path(out)
    if not plan.verified:
        raise CompactionError(f"{src}: compaction not verified by replay; nothing written")
    try:
        same = dst.exists() and os.path.samefile(src, dst)
    except OSError:
        same = False
    if same or dst.resolve() == src.resolve():
        raise CompactionError(f"{dst}: refusing to write over the log being compacted")
    if dst.is_dir():
        raise CompactionError(f"{dst}: is a directory")
    parent = dst.parent if str(dst.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", dir=parent)
    except OSError as exc:
        raise CompactionError(f"{dst}: {(exc.strerror or str(exc)).lower()}") from None
    written = 0
    try:
        chunks = _kept_lines(analysis, plan.kept)
        written_form = getattr(analysis.log, "written_form", None)  # a JSON array stays one
        if written_form is not None:
            chunks = written_form(chunks)
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
                written += len(chunk)
        os.replace(tmp, dst)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return written
