"""The UI's hold on one log: an `Analysis`, the lock that serialises access to it, and what the
workers derived from it (marks, snapshot and resume reports).

The engine is not thread-safe, so every call into the `Analysis` after the first full analysis
happens under `lock` (workers hold it for their computation; the timeline holds it briefly to read
a record). The log is opened with only the start of its line index (`index=False`), so the first
screen does not wait for a big file to be indexed; the analysis worker completes the index, then
analyses. Meanwhile the timeline reads records straight from the line index, which only grows, and
only lines whose end is already indexed (`n_lines`).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.events import Event, Kind, Malformed, PendingTail, Record
from agentlog_tui.core.safetext import safe_text

try:  # these core modules land separately; the UI degrades without them
    from agentlog_tui.core.liveness import compute_marks
except ImportError:  # pragma: no cover - only before core.liveness exists
    compute_marks = None  # type: ignore[assignment]
try:
    from agentlog_tui.core.liveness import update_marks
except ImportError:  # pragma: no cover
    update_marks = None  # type: ignore[assignment]
try:
    from agentlog_tui.core.snapshots import snapshot_reports
except ImportError:  # pragma: no cover
    snapshot_reports = None  # type: ignore[assignment]
try:
    from agentlog_tui.core.resumes import resume_reports
except ImportError:  # pragma: no cover
    resume_reports = None  # type: ignore[assignment]


# marks.codes -> 1 for superseded (overwritten, no_effect), 0 for live (visible, read_by)
_SUPERSEDED = bytes([0, 0, 1, 1] + [0] * 252)


@dataclass
class Derived:
    """What the derive step computed from the analysis, handed to the UI thread in one piece."""

    n_events: int = 0
    marks: Any = None
    superseded: bytearray = field(default_factory=bytearray)  # per position: 1 if superseded
    n_superseded: int = 0
    snapshots: dict[int, Any] = field(default_factory=dict)  # pos -> SnapshotReport
    snapshot_list: list[Any] = field(default_factory=list)
    resumes: dict[int, Any] = field(default_factory=dict)  # pos -> ResumeReport
    problems: int = 0
    drift: int = 0
    findings: int = 0
    at: int | None = None  # the position the marks are relative to; None: the head


def superseded_of(marks: Any) -> tuple[bytearray, int]:
    """Per position 1 if superseded, and how many are."""
    sup = bytearray(marks.codes.translate(_SUPERSEDED))
    return sup, len(sup) - sup.count(0)


def _last_key(d: dict[int, Any]) -> int:
    """The last key of a dict filled in position order (-1 when empty)."""
    return next(reversed(d), -1) if d else -1


@dataclass
class Row:
    """What the timeline needs to draw one physical line."""

    line: int
    kind: Kind | None  # None: not analysed yet
    record: Record
    pos: int


class LogModel:
    """One open log plus its lock and derived data."""

    def __init__(self, path: str, analysis_kwargs: dict | None = None) -> None:
        self.path = path
        self.analysis_kwargs = dict(analysis_kwargs or {})
        kwargs = {"index": False, **self.analysis_kwargs}
        self.a = Analysis(path, **kwargs)
        self.lock = threading.RLock()
        self.analysed = False
        self.derived = Derived()
        self._resumes_for: tuple | None = None  # (tracker, events, resume reports) of derive()
        self.resume_recounts_skipped = 0  # a work counter, for tests

    # ---- reading (timeline) ----------------------------------------------------------------

    @property
    def n_lines(self) -> int:
        """Rows the timeline shows: every physical line known to the line index (the index
        adds a line whole, so a line being indexed is never shown half-known)."""
        a = self.a
        return max(a.log.n_lines, a.n_lines)

    def shrunk(self) -> bool:
        """True when the file is now shorter than what the index maps (truncated, not yet
        reloaded by the tail): reading its mapped bytes then would kill the process (SIGBUS)."""
        if not getattr(self.a.log, "live", True):
            return False  # read whole into memory (a JSON array): nothing mapped can vanish
        try:
            return os.stat(self.path).st_size < self.a.log.size
        except OSError:
            return False  # gone: the mapping stays valid; the tail reports it

    def row(self, line: int, wait: float = -1) -> Row | None:
        """The record of a physical line, safe to call from the UI thread.

        With `wait` >= 0, gives up (returns None) when a worker holds the lock that long, so
        drawing never stalls behind a long computation."""
        if self.analysed:
            if not self.lock.acquire(timeout=wait):
                return None
            try:
                return self._row(line)
            finally:
                self.lock.release()
        return self._row(line)

    def _row(self, line: int) -> Row | None:
        a = self.a
        if self.shrunk():
            return None  # drawn as a placeholder until the tail has reloaded
        try:
            rec = a.record(line)
        except (IndexError, ValueError, OSError):
            return None
        kind = Kind(a.kinds[line]) if line < len(a.kinds) else None
        pos = a.line_pos[line] if line < len(a.line_pos) else -1
        if kind is None:
            if isinstance(rec, Event):
                kind = None
            elif isinstance(rec, Malformed):
                kind = Kind.MALFORMED
            elif isinstance(rec, PendingTail):
                kind = Kind.PENDING
            else:
                kind = Kind.BLANK
        return Row(line, kind, rec, pos)

    # ---- deriving (workers, lock held) -----------------------------------------------------

    def derive(self, incremental: bool = False) -> Derived:
        """Marks and reports for the current analysis (call with the lock held).

        `incremental`: the analysis only grew (live tail), so the head marks are brought up to
        date rather than recomputed."""
        a = self.a
        d = Derived(n_events=a.n_events)
        prev = self.derived.marks
        if compute_marks is not None and a.n_events:
            if incremental and prev is not None and update_marks is not None:
                marks = update_marks(prev)
            else:
                marks = compute_marks(a)
            d.marks = marks
            d.superseded, d.n_superseded = superseded_of(marks)
        if snapshot_reports is not None:
            reps = snapshot_reports(a)
            d.snapshot_list = list(reps)
            d.snapshots = {r.pos: r for r in reps if getattr(r, "pos", None) is not None}
            d.drift = sum(1 for r in reps if r.verdict != "match")
        if resume_reports is not None:
            rr = self._resume_reports(incremental)
            d.resumes = {r.pos: r for r in rr}
            d.findings = sum(r.findings for r in rr)
        d.problems = a.integrity_problems()
        return d

    def _resume_reports(self, incremental: bool) -> list:
        """`resume_reports(a)`, or the previous list when the events read since cannot change
        it: a resume's report depends on the resumes, completed effects and snapshots up to
        the next resume and on where its `from_event` is, so events that are none of these
        and carry no resume's `from_event` as their id leave every report as it was. Agent
        formats (a report follows every call and result) are always recounted. Without this a
        live tail paid a pass over every effect of the log at each update (~10 ms at 1M)."""
        a = self.a
        n = a.n_events
        prev = self._resumes_for
        if (
            incremental
            and prev is not None
            and prev[0] is a.tracker
            and prev[1] <= n
            and getattr(a.format, "activity", None) is None
            and _last_key(a.boundaries) < prev[1]
            and _last_key(a.effects) < prev[1]
            and (not a.snapshot_positions or a.snapshot_positions[-1] < prev[1])
        ):
            from_seqs = {r.from_seq for r in prev[2] if r.from_seq is not None}
            seqs = a.seqs
            if not from_seqs or not any(seqs[p] in from_seqs for p in range(prev[1], n)):
                self._resumes_for = (a.tracker, n, prev[2])
                self.resume_recounts_skipped += 1
                return prev[2]
        rr = resume_reports(a)
        self._resumes_for = (a.tracker, n, rr)
        return rr

    def marks_at(self, head: Derived, pos: int) -> Derived:
        """`head` with its marks replaced by marks relative to position `pos` (lock held).

        Events after `pos` have no mark (the superseded flags stop at `pos`)."""
        a = self.a
        if compute_marks is None or not a.n_events:
            return replace(head, marks=None, superseded=bytearray(), n_superseded=0, at=pos)
        marks = compute_marks(a, at=pos)
        sup, n = superseded_of(marks)
        return replace(head, marks=marks, superseded=sup, n_superseded=n, at=marks.at)

    def event_pos_at_or_before(self, line: int) -> int:
        """The position of the event on `line`, or of the last event before it (-1: none)."""
        a = self.a
        i = min(line, len(a.line_pos) - 1)
        while i >= 0:
            p = a.line_pos[i]
            if p >= 0:
                return p
            i -= 1
        return -1


@dataclass
class Inspection:
    """Everything the inspector shows for one cursor position (computed in a worker)."""

    line: int
    record: Record | None
    pos: int  # the event at the cursor, or the last one before it (-1: none)
    on_event: bool
    state: dict
    changes: list  # what the cursor's event changed (core.diff.Change)
    diff_against: int | None  # seq of the marked event when diffing against it
    diff: list
    diff_label: str
    snapshot: Any = None  # SnapshotReport of the snapshot event at the cursor
    resume: Any = None  # ResumeReport of the resume at the cursor
    failed: str | None = None
    types_by_seq: dict[int, str] = field(default_factory=dict)
    pos_seq: int | None = None  # id of the event at `pos`
    off_branch: str | None = None  # the cursor's event is off the live branch (core/branches.py)
    compaction: Any = None  # what the model lost at the compaction at the cursor (context_review)


def inspect(model: LogModel, line: int, marked_line: int | None) -> Inspection:
    """Compute the inspector's content for `line` (call with the lock held)."""
    a = model.a
    d = model.derived
    rec = a.record(line) if line < model.n_lines else None
    on_event = line < len(a.line_pos) and a.line_pos[line] >= 0
    pos = model.event_pos_at_or_before(line)
    state = a.state_at_pos(pos) if pos >= 0 else _initial(a)
    changes = a.event_diff(pos) if on_event else []
    diff_against = None
    diff = changes
    label = "before vs after this event" if on_event else "no event at the cursor"
    if marked_line is not None and marked_line < len(a.line_pos) and a.line_pos[marked_line] >= 0:
        mpos = a.line_pos[marked_line]
        diff_against = a.seqs[mpos]
        diff = a.diff_positions(mpos, pos)
        here = f"#{a.seqs[pos]}" if pos >= 0 else "the start"
        label = f"marked #{diff_against} vs cursor {here}"
    types: dict[int, str] = {}

    def note(seq: int | None) -> None:
        if seq is None or seq in types:
            return
        p = a.pos_of_seq(seq)
        if p is not None:
            types[seq] = a.event(p).type

    snap = d.snapshots.get(pos) if on_event else None
    res = d.resumes.get(pos) if on_event else None
    if res is not None and getattr(res, "snapshot", None) is not None and snap is None:
        snap = res.snapshot
    for rep in (snap,):
        if rep is not None:
            for diff_ in rep.differences:
                note(diff_.written_by)
    if res is not None:
        for s in res.missed:
            note(s)
        for dup in res.duplicates:
            note(dup.seq)
            note(dup.original_seq)
    return Inspection(
        line=line,
        record=rec,
        pos=pos,
        on_event=on_event,
        state=state,
        changes=changes,
        diff_against=diff_against,
        diff=diff,
        diff_label=label,
        snapshot=snap,
        resume=res,
        failed=a.failed.get(pos) if on_event else None,
        off_branch=_off_branch_note(a, pos) if on_event else None,
        compaction=_compaction_review(a, pos) if on_event else None,
        types_by_seq=types,
        pos_seq=a.seqs[pos] if pos >= 0 else None,
    )


def _compaction_review(a: Analysis, pos: int) -> Any:
    from agentlog_tui.core.context_review import review_at

    try:
        return review_at(a, pos)
    except Exception:  # noqa: BLE001 - a review is extra information, never a crash
        return None


def _initial(a: Analysis) -> dict:
    from agentlog_tui.core.analysis import copy_state

    return copy_state(a._initial)


def blame_text(model: LogModel, path: tuple, pos: int) -> str:
    """'written by #7 publish_retried' for a state path at a position (lock held)."""
    a = model.a
    if pos < 0:
        return "initial state"
    seq = a.blame_seq(path, pos)
    if seq is None:
        return "not written by any event (initial state)"
    p = a.pos_of_seq(seq)
    typ = a.event(p).type if p is not None else "?"
    return f"written by #{seq} {safe_text(typ)}"


def _off_branch_note(a: Any, pos: int) -> str | None:
    """What to say of an event off the live branch: where its branch forks; never applied."""
    tree = a.tree
    if tree is None or pos not in tree.off:
        return None
    for b in tree.branches():
        if b.first <= pos <= b.last and b.fork is not None:
            return f"off the live branch (it forks at #{a.seqs[b.fork]}): not applied"
    return "off the live branch: not applied"
