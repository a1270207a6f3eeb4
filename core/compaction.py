"""Compaction: keep the live events' original bytes, verified by replay (DESIGN sections 7, 13).

Writing a log is one piece of machinery, used by compaction and by `fork`:
`select_events` turns a set of kept events into what a file holds (for a format its agent loads
again, calls and results kept or dropped together and tree links moved to the nearest kept
ancestor); `write_selection` writes it next to its destination, reads the written bytes back as a
user would (fresh format and field detection), replays them and runs the format's validator, and
only then puts the file in place, never over an existing file unless asked.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.diff import diff_values
from agentlog_tui.core.events import Event
from agentlog_tui.core.integrity import event_objects
from agentlog_tui.core.liveness import READ_BY, REASONS, Marks, compute_marks
from agentlog_tui.core.reader import make_record

NONDETERMINISTIC = "the projection is not deterministic: two replays of the full log differ"


class CompactionError(ValueError):
    """Compaction refused (the message names the file and the reason)."""


class NotVerified(CompactionError):
    """The written bytes did not verify: nothing was put in place (`verification` says why)."""

    def __init__(self, message: str, verification: Verification) -> None:
        super().__init__(message)
        self.verification = verification


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
    valid: bool = True  # the format's validator passed on the written bytes
    reasons: list[str] = field(default_factory=list)  # why not verified / not valid
    selection: Selection | None = None
    checked: bool = True  # False: verification waits for the written bytes (write_compacted)

    def to_json(self) -> dict:
        out = {
            "events": self.events,
            "kept": len(self.kept),
            "dropped": [d.to_json() for d in self.dropped],
            "bytes_before": self.bytes_before,
            "bytes_after": self.bytes_after,
            "verified": self.verified,
            "valid": self.valid,
            "reasons": self.reasons,
        }
        sel = self.selection
        if sel is not None and (sel.added or sel.removed or sel.replaced):
            out["kept_for_pairs"] = len(sel.added)
            out["relinked"] = len(sel.replaced)
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


# ---- what a written file holds ---------------------------------------------------------------------


@dataclass
class Selection:
    """The events a written file holds, in log order, and the bytes of those that change.

    `added`: positions written only to keep a group whole (a call with its result, a compaction
    boundary with its summary); `removed`: positions left out because their group could not be
    kept whole; `replaced`: position -> the record's new bytes (its links moved to the nearest
    kept ancestor); every other event is written byte for byte."""

    positions: list[int]
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    replaced: dict[int, bytes] = field(default_factory=dict)

    def line(self, analysis: Analysis, pos: int) -> bytes:
        """The bytes written for the event at `pos`, without the newline."""
        b = self.replaced.get(pos)
        return b if b is not None else _raw(analysis, pos)

    def lines(self, analysis: Analysis) -> Iterator[bytes]:
        """Every written line, newline included."""
        for p in self.positions:
            yield self.line(analysis, p) + b"\n"


def _dump(obj: Any) -> bytes:
    """A record as one compact JSON line, keys in their order (as the agents write them)."""
    try:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (written escaped in the input): keep it escaped
        return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def select_events(analysis: Analysis, keep: Iterable[int], *, partners: str = "keep") -> Selection:
    """What a file of the events at positions `keep` holds, made loadable for its agent.

    `partners="keep"` (compaction) keeps the whole group of any kept event (a call's result, a
    result's call); `partners="drop"` (fork: calls in flight at the cut) leaves out every group
    not kept whole. Then the format moves links that name a dropped record to the nearest kept
    ancestor. Formats without these extras (`groups`, `relink`, `anchors`; see
    `formats.base.Writable`) get exactly the events asked for, byte for byte."""
    if partners not in ("keep", "drop"):
        raise ValueError(f"partners must be 'keep' or 'drop', not {partners!r}")
    a = analysis
    n = a.n_events
    mask = bytearray(n)
    for p in keep:
        if 0 <= p < n:
            mask[p] = 1
    fmt = a.format
    groups_of = getattr(fmt, "groups", None)
    relink = getattr(fmt, "relink", None)
    anchors = getattr(fmt, "anchors", None)
    if groups_of is None and relink is None and anchors is None:
        return Selection([p for p in range(n) if mask[p]])
    objs = event_objects(a)
    before = bytes(mask)
    if anchors is not None:
        for i in anchors(objs):
            mask[i] = 1
    if groups_of is not None:
        for g in groups_of(objs):
            if partners == "keep" and any(mask[i] for i in g):
                for i in g:
                    mask[i] = 1
            elif partners == "drop" and not all(mask[i] for i in g):
                for i in g:
                    mask[i] = 0
    replaced: dict[int, bytes] = {}
    if relink is not None:
        for i, obj in relink(objs, [bool(m) for m in mask]).items():
            replaced[i] = _dump(obj)
    return Selection([p for p in range(n) if mask[p]],
                     added=[p for p in range(n) if mask[p] and not before[p]],
                     removed=[p for p in range(n) if before[p] and not mask[p]],
                     replaced=replaced)


def file_chunks(analysis: Analysis, selection: Selection) -> Iterator[bytes]:
    """The bytes of a file holding the selection, in the log's own form (JSON Lines; a log read
    from one JSON document is written back as one: `written_form` of core/jsondoc.py)."""
    chunks = selection.lines(analysis)
    written_form = getattr(analysis.log, "written_form", None)
    return written_form(chunks) if written_form is not None else chunks


def selection_state(analysis: Analysis, selection: Selection) -> dict:
    """The state the selected events replay to, read with the log's own mapper."""
    a = analysis
    events = []
    for i, p in enumerate(selection.positions):
        rec = make_record(i, 0, selection.line(a, p), a.mapper, terminated=True)
        if isinstance(rec, Event):
            events.append(rec)
    return a.replay_events(events)


# ---- verifying written bytes -----------------------------------------------------------------------


@dataclass
class Verification:
    """What reading a written file afresh showed.

    `verified`: it is read as the same format with the same fields, replays to the expected
    state, and passes the format's validator (`valid`); `reasons` say what failed."""

    verified: bool
    valid: bool
    reasons: list[str] = field(default_factory=list)
    differing_paths: list[list] = field(default_factory=list)


def _fields(d: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in d.items())


def verify_file(analysis: Analysis, path: str | os.PathLike[str], expect_state: Any) -> Verification:
    """Read `path` as a user would (fresh format and field detection; the log's forced format,
    options and custom projection, which the user would give again), replay it, compare with
    `expect_state`, and run the format's validator over its objects."""
    a = analysis
    reasons: list[str] = []
    fresh = Analysis(path, format=a._forced_format, options=a.options,
                     projection=a._custom_projection)
    try:
        fresh.run()
        if fresh.format.name != a.format.name:
            reasons.append(f"the written file would be read as {fresh.format.name}, "
                           f"not {a.format.name}")
        elif fresh.mapper.describe() != a.mapper.describe():
            reasons.append(f"the written file's fields would be detected differently "
                           f"({_fields(fresh.mapper.describe())} instead of "
                           f"{_fields(a.mapper.describe())})")
        if fresh.malformed:
            reasons.append(f"{len(fresh.malformed)} written line(s) are not events")
        if fresh.n_events == 0:
            reasons.append("the written file holds no event")
        differing: list[list] = []
        if canonical(fresh.state) != canonical(expect_state):
            differing = [list(c.path) for c in diff_values(expect_state, fresh.state)] or [[]]
            reasons.append(f"replaying the written file gives a different state "
                           f"({len(differing)} difference(s))")
        valid = True
        validate = getattr(a.format, "validate", None)
        if validate is not None:
            problems = validate(event_objects(fresh))
            if problems:
                valid = False
                reasons.extend(f"{a.format.name} could not load it: {p}" for p in problems[:20])
                if len(problems) > 20:
                    reasons.append(f"… and {len(problems) - 20} more")
    finally:
        fresh.close()
    return Verification(not reasons, valid, reasons, differing)


def write_temp(folder: Path, name: str, lines: Iterable[bytes]) -> tuple[str, int]:
    """Write `lines` to a new hidden file in `folder` (mode as the umask allows); (path, bytes)."""
    for _ in range(100):
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 random names taken
        raise OSError(f"{folder}: no free temporary name")
    written = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in lines:
                fh.write(chunk)
                written += len(chunk)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return str(tmp), written


def _check_destination(src: Path, dst: Path, overwrite: bool) -> None:
    try:
        same = dst.exists() and os.path.samefile(src, dst)
    except OSError:
        same = False
    if same or dst.resolve() == src.resolve():
        raise CompactionError(f"{dst}: refusing to write over the log being compacted")
    if dst.is_dir():
        raise CompactionError(f"{dst}: is a directory")
    if not overwrite and (dst.exists() or dst.is_symlink()):
        raise CompactionError(f"{dst}: already exists; nothing written (choose another name)")


def _place(tmp: str, dst: Path, overwrite: bool) -> None:
    """Move the verified temporary file to `dst`; without `overwrite`, never over a file that
    appeared meanwhile (a hard link fails if the name is taken)."""
    if overwrite:
        os.replace(tmp, dst)
        return
    try:
        os.link(tmp, dst)
    except FileExistsError:
        raise CompactionError(f"{dst}: already exists; nothing written (choose another name)") from None
    except OSError:  # no hard links here: create exclusively and copy
        with open(tmp, "rb") as src, open(dst, "xb") as out:
            while chunk := src.read(1 << 20):
                out.write(chunk)
    os.unlink(tmp)


def write_selection(analysis: Analysis, selection: Selection, out: str | os.PathLike[str], *,
                    expect_state: Any = None, overwrite: bool = False) -> tuple[int, Verification]:
    """Write the selected events to `out` and return (bytes written, verification).

    The reusable writer behind `compact -o`, the app's `w` and `fork`: the bytes are written to a
    temporary file beside `out`, read back afresh (`verify_file`) and compared with
    `expect_state` (None: the state the selected events replay to with the log's own reading);
    only a verified file is put in place, never over the input, never over an existing file
    unless `overwrite`, never an empty file. Raises CompactionError (refused) or NotVerified
    (nothing written; `.verification.reasons` say why)."""
    a = analysis
    src, dst = Path(a.path), Path(out)
    _check_destination(src, dst, overwrite)
    if not selection.positions:
        v = Verification(False, False, ["no event is kept: an empty file is not written"])
        raise NotVerified(f"{dst}: nothing written: {v.reasons[0]}", v)
    if expect_state is None:
        expect_state = selection_state(a, selection)
    parent = dst.parent if str(dst.parent) else Path(".")
    try:
        tmp, written = write_temp(parent, dst.name, file_chunks(a, selection))
    except OSError as exc:
        raise CompactionError(f"{dst}: {(exc.strerror or str(exc)).lower()}") from None
    try:
        v = verify_file(a, tmp, expect_state)
        if v.verified and not a.deterministic():
            v = Verification(False, v.valid, [NONDETERMINISTIC], v.differing_paths)
        if not v.verified:
            raise NotVerified(f"{dst}: nothing written: {v.reasons[0]}", v)
        _place(tmp, dst, overwrite)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return written, v


# ---- compaction ------------------------------------------------------------------------------------


def plan_compaction(analysis: Analysis, protect_last: int = 0, marks: Marks | None = None, *,
                    verify: bool = True) -> CompactionPlan:
    """Decide what to keep (live events plus the last `protect_last`, plus what keeps a call, a
    result or a summary chain whole) and, with `verify`, check it: the bytes are written to a
    temporary file and read back afresh (see `write_selection`). Without `verify` the check waits
    for `write_compacted`, which verifies the bytes it writes."""
    a = analysis
    n = a.n_events
    marks = marks or compute_marks(a)
    protect_from = max(0, n - max(0, protect_last))
    codes = marks.codes
    want = [p for p in range(n) if codes[p] <= READ_BY or p >= protect_from]
    sel = select_events(a, want)
    kept_mask = bytearray(n)
    for p in sel.positions:
        kept_mask[p] = 1
    seqs, types, type_ids, failed = a.seqs, a.types, a.type_ids, a.failed
    dropped = [Dropped(p, seqs[p], types[type_ids[p]],
                       "no_effect" if p in failed else REASONS[codes[p]], marks)
               for p in range(n) if not kept_mask[p]]
    bytes_after = sum(len(sel.line(a, p)) + 1 for p in sel.positions)
    note = None
    if a.uses_line_numbers:
        note = ("this log has no id field: ids are line numbers, and the compacted file "
                "numbers its lines anew")
    plan = CompactionPlan(n, sel.positions, dropped, a.log.size, bytes_after, False, [],
                          len(a.malformed), protect_last, note, selection=sel, checked=verify)
    if verify:
        _verify_plan(a, plan)
    return plan


def _verify_plan(a: Analysis, plan: CompactionPlan) -> None:
    sel = plan.selection
    assert sel is not None
    if a.n_events == 0:  # nothing to compact (and nothing would be written)
        plan.note = "the log has no events: nothing to compact"
        _take(plan, Verification(True, True))
        return
    if not sel.positions:
        v = Verification(False, False, ["no event is kept: an empty file is not written"])
    else:
        tmp, _ = write_temp(Path(tempfile.gettempdir()), "agentlog-compaction", file_chunks(a, sel))
        try:
            v = verify_file(a, tmp, a.state)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if v.verified and not a.deterministic():
            v = Verification(False, v.valid, [NONDETERMINISTIC],
                             [["<nondeterministic projection: two replays of the full log differ>"]])
    _take(plan, v)


def _take(plan: CompactionPlan, v: Verification) -> None:
    plan.verified, plan.valid, plan.reasons = v.verified, v.valid, v.reasons
    plan.differing_paths = [p for p in v.differing_paths if p]
    plan.checked = True


def write_compacted(analysis: Analysis, plan: CompactionPlan, out: str | os.PathLike[str], *,
                    overwrite: bool = False) -> int:
    """Write the plan's kept events to `out`, verified afresh from the written bytes; returns the
    bytes written. Never the input, never over an existing file unless `overwrite`; a plan
    that did not verify writes nothing (CompactionError / NotVerified). The plan takes the
    verification of the written bytes."""
    if plan.checked and not plan.verified:
        why = plan.reasons[0] if plan.reasons else "replaying the compacted log gives a different state"
        raise NotVerified(f"{analysis.path}: compaction not verified ({why}); nothing written",
                          Verification(False, plan.valid, plan.reasons, plan.differing_paths))
    sel = plan.selection
    if sel is None:
        sel = Selection(list(plan.kept))
    try:
        written, v = write_selection(analysis, sel, out, expect_state=analysis.state,
                                     overwrite=overwrite)
    except NotVerified as exc:
        _take(plan, exc.verification)
        raise
    _take(plan, v)
    return written


AGENT_DIRS = ("~/.claude", "~/.codex")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def default_output_path(log_path: str | os.PathLike[str], cwd: str | os.PathLike[str] | None = None) -> str:
    """Where a compacted copy of `log_path` goes unless the user says: `<name>.compacted.jsonl`
    in the current directory (numbered so that nothing is overwritten), never inside an agent's
    own session folders (~/.claude, ~/.codex), where the agent would list it as a session:
    from there, the home directory."""
    folder = Path(cwd if cwd is not None else os.getcwd()).resolve()
    agents = [Path(os.path.expanduser(d)).resolve() for d in AGENT_DIRS]
    if any(_inside(folder, d) for d in agents):
        folder = Path(os.path.expanduser("~")).resolve()
    stem = Path(log_path).name.removesuffix(".jsonl")
    cand = folder / f"{stem}.compacted.jsonl"
    i = 2
    while cand.exists() or cand.is_symlink():
        cand = folder / f"{stem}.compacted-{i}.jsonl"
        i += 1
    return str(cand)
