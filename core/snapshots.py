"""Stored snapshots against fresh replays (DESIGN section 6)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from agentlog_tui.core.diff import diff_values

if TYPE_CHECKING:
    from agentlog_tui.core.analysis import Analysis

KIND_FOR_SNAPSHOT = {"changed": "changed", "added": "missing", "removed": "extra"}


class SnapshotFileError(ValueError):
    """A --snapshot file that cannot be read as a snapshot (the message says why)."""


@dataclass(frozen=True, slots=True)
class Difference:
    """One way a snapshot disagrees with the replay at its point.

    `missing`: in the replay, not in the snapshot; `extra`: in the snapshot, not in the replay.
    `written_by` is the id of the event that last wrote the path in the replay.
    """

    path: tuple
    kind: str
    snapshot: Any
    replay: Any
    written_by: int | None

    def to_json(self) -> dict:
        return {
            "path": list(self.path),
            "kind": self.kind,
            "snapshot": self.snapshot,
            "replay": self.replay,
            "written_by": self.written_by,
        }


@dataclass
class SnapshotReport:
    """A snapshot's verdict: `match` or `drift`, with every difference."""

    source: str
    at_seq: int | None
    verdict: str
    differences: list[Difference] = field(default_factory=list)
    pos: int | None = None  # the snapshot event's position, for in-log snapshots
    error: str | None = None

    def to_json(self) -> dict:
        out = {
            "source": self.source,
            "at_seq": self.at_seq,
            "verdict": self.verdict,
            "differences": [d.to_json() for d in self.differences],
        }
        if self.error:
            out["error"] = self.error
        return out


def diff_snapshot(analysis: Analysis, state: Any, at_seq: int | None, source: str) -> SnapshotReport:
    """Compare a claimed state with the replay at `at_seq` (the head when None)."""
    a = analysis
    if a.n_events == 0:
        pos = -1
    elif at_seq is None:
        pos = a.n_events - 1
        at_seq = a.seqs[pos]
    else:
        p = a.pos_of_seq(at_seq)
        if p is None:
            return SnapshotReport(source, at_seq, "drift", [], error=f"at_seq {at_seq} is not an event of the log")
        pos = p
    replay = a.state_at_pos(pos) if pos >= 0 else a.projection.initial_state()
    if not isinstance(state, dict):
        return SnapshotReport(source, at_seq, "drift", [], error="snapshot state is not an object")
    diffs = []
    for ch in diff_values(state, replay):
        diffs.append(
            Difference(ch.path, KIND_FOR_SNAPSHOT[ch.kind], ch.old, ch.new,
                       a.blame_seq(ch.path, pos) if pos >= 0 else None)
        )
    return SnapshotReport(source, at_seq, "drift" if diffs else "match", diffs)


def snapshot_at(analysis: Analysis, pos: int) -> tuple[Any, int | None]:
    """(claimed state, at_seq) of the snapshot event at position `pos`."""
    ev = analysis.event(pos)
    data = ev.data if isinstance(ev.data, dict) else {}
    at = data.get("at_seq", data.get("seq"))
    if not isinstance(at, int) or isinstance(at, bool):
        at = analysis.seqs[pos - 1] if pos > 0 else None
    return data.get("state"), at


def report_for_event(analysis: Analysis, pos: int) -> SnapshotReport:
    """The drift report of the snapshot event at position `pos` (remembered: events appended
    later cannot change the replay up to the snapshot's point)."""
    key = ("snapshot", pos)
    memo = getattr(analysis, "memo", None)
    if memo is not None and key in memo:
        return memo[key]
    report = _report_for_event(analysis, pos)
    if memo is not None and report.at_seq is not None and report.error is None:
        memo[key] = report
    return report


def _report_for_event(analysis: Analysis, pos: int) -> SnapshotReport:
    state, at = snapshot_at(analysis, pos)
    seq = analysis.seqs[pos]
    source = f"event #{seq}"
    if at is None:
        # a snapshot before any event describes the initial state
        r = SnapshotReport(source, None, "match", [], pos=pos)
        diffs = diff_values(state if isinstance(state, dict) else {}, analysis.projection.initial_state())
        if diffs:
            r.verdict = "drift"
            r.differences = [Difference(c.path, KIND_FOR_SNAPSHOT[c.kind], c.old, c.new, None) for c in diffs]
        return r
    r = diff_snapshot(analysis, state, at, source)
    r.pos = pos
    return r


def snapshot_reports(analysis: Analysis) -> list[SnapshotReport]:
    """Reports for every snapshot event in the log, in order."""
    return [report_for_event(analysis, p) for p in analysis.snapshot_positions]


def load_snapshot_file(path: str | os.PathLike[str]) -> tuple[Any, int | None]:
    """(state, at_seq) from a snapshot file; a bare object is a state at the head."""
    from agentlog_tui.core.reader import LogReadError, check_log_path

    try:
        st = check_log_path(Path(path))  # no device, pipe or /proc file: /dev/zero never ends
    except LogReadError as exc:
        raise SnapshotFileError(str(exc).replace("not a log file", "not a snapshot file")) from None
    try:
        with open(path, "rb") as fh:
            obj = orjson.loads(fh.read(st.st_size + 1))
    except OSError as exc:
        raise SnapshotFileError(f"{path}: {(exc.strerror or str(exc)).lower()}") from None
    except orjson.JSONDecodeError as exc:
        raise SnapshotFileError(f"{path}: not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise SnapshotFileError(f"{path}: a snapshot must be a JSON object")
    if "state" in obj and ("at_seq" in obj or "seq" in obj):
        at = obj.get("at_seq", obj.get("seq"))
        if at is not None and (not isinstance(at, int) or isinstance(at, bool)):
            raise SnapshotFileError(f"{path}: at_seq must be an integer")
        return obj["state"], at
    return obj, None


def file_report(analysis: Analysis, path: str | os.PathLike[str]) -> SnapshotReport:
    """The drift report of a snapshot file."""
    state, at = load_snapshot_file(path)
    return diff_snapshot(analysis, state, at, os.fspath(path))
