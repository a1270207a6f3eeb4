"""One log, analysed: records, the tracked replay, checkpoints, integrity, time travel.

`Analysis` is what the CLI and the UI hold. It reads the log once (incrementally: `update()` reads
what was appended), replays every event through the projection with tracked state, keeps
checkpoints so `state_at` never replays more than K events, and answers blame and diffs.
Liveness, snapshots, resumes and compaction are computed from it by their own modules.
"""

from __future__ import annotations

import bisect
import functools
import gc
import inspect
import os
from array import array
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

import orjson

from agentlog_tui.core import branches
from agentlog_tui.core.checkpoints import PLAIN_SHARE, Checkpoints
from agentlog_tui.core.diff import Change, diff_values
from agentlog_tui.core.drift import kind_counter
from agentlog_tui.core.events import (
    Blank,
    Event,
    Kind,
    Malformed,
    MalformedLines,
    PendingTail,
    Record,
)
from agentlog_tui.core.formats import REGISTRY
from agentlog_tui.core.formats.agentlog import AgentlogFormat, AgentlogMapper
from agentlog_tui.core.formats.base import Boundary, LogFormat, Mapped, Options, promised_checks
from agentlog_tui.core.jsondoc import open_log
from agentlog_tui.core.jsonvalue import round_trip, to_json
from agentlog_tui.core.native import _fastloop
from agentlog_tui.core.projection import (
    DEFAULT_KEY_FIELDS,
    EFFECT_VERBS,
    TOMBSTONE_VERBS,
    EntityProjection,
    Projection,
    _split_cached,
    effect_of,
    effect_of_parts,
)
from agentlog_tui.core.reader import (
    ID_MAX,
    ID_MIN,
    first_objects,
    make_record,
    out_of_range,
    record_at,
    unmappable,
)
from agentlog_tui.core.tracked import BlameNode, Slot, TrackedDict, Tracker, seed

# the C loop (core/_fastloop.c): lines per call, flags of a type, what a call stopped at
NATIVE_LINES = 8192
NATIVE_TOMB, NATIVE_EFFECT, NATIVE_GENERAL = 1, 2, 4
NATIVE_END, NATIVE_BAIL, NATIVE_CHECKPOINT = 0, 1, 2
# ... and what run_mapped (agent logs) stopped at besides
NATIVE_UNMAPPABLE, NATIVE_OUT_OF_RANGE, NATIVE_SKIP, NATIVE_FAILED = 3, 4, 5, 6

DEFAULT_CHECKPOINT_EVERY = 512
MAX_CHECKPOINT_EVERY = 4096
MIN_CHECKPOINT_EVERY = 4
# a checkpoint at least every CHECKPOINT_BYTES of log (general path): at 128 KB the 50 MB agent
# logs spend 30-45% less on checkpoints than at 64 KB (half as many, deltas that overwrite
# each other merged) and scrub as fast (the deltas a query applies are fewer); 256 KB saved
# little more and a query replayed twice the log (p95 +0.5 ms)
CHECKPOINT_BYTES = 128 << 10
FIRST_INDEX_BYTES = 256 << 10
Progress = Callable[[int, int], None]


def canonical(state: Any) -> bytes:
    """Canonical JSON bytes of a state: sorted keys, non-string keys as strings (at any depth,
    with integers of any size: core.jsonvalue falls back where orjson refuses)."""
    return to_json(state, sort_keys=True)


def copy_state(state: Any) -> Any:
    """A deep copy of a JSON-like state (as a JSON round trip makes it; any depth or size)."""
    return round_trip(state)


def parse_ts(ts: Any) -> float | None:
    """Seconds since the epoch for an ISO-8601 string or an epoch number; None otherwise."""
    if isinstance(ts, bool) or ts is None:
        return None
    try:  # any number JSON allows, any date ISO 8601 allows (year 1 has no local epoch time)
        if isinstance(ts, (int, float)):
            t = float(ts)
            return t / 1000.0 if t > 1e11 else t
        if isinstance(ts, str):
            try:
                dt = datetime.fromisoformat(ts.replace("Z", "+00:00") if ts.endswith("Z") else ts)
            except ValueError:
                return None
            return dt.timestamp()
    except (OverflowError, ValueError, OSError):
        return None
    return None


@dataclass(frozen=True, slots=True)
class Anomaly:
    """An integrity finding other than a malformed line."""

    kind: str
    line: int
    seq: int | None = None
    detail: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out: dict[str, Any] = {"kind": self.kind, "line": self.line}
        if self.seq is not None:
            out["seq"] = self.seq
        out.update(self.detail)
        return out


class _Redo(Exception):
    """A direct path failed midway with no undo log: analyse again from the start, with one."""


class Analysis:
    """A log read and replayed; the engine's single entry point."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        format: str | LogFormat | None = None,
        options: Options | None = None,
        projection: Projection | None = None,
        checkpoint_every: int | None = None,
        index: bool = True,
    ) -> None:
        self.path = os.fspath(path)
        self.options = options or Options()
        self.log = open_log(self.path, index=index)  # JSON Lines, or a JSON array read whole
        if not index:  # enough of the index for detection and a first screen; run() does the rest
            self.log.index_more(FIRST_INDEX_BYTES)
        self._forced_format = REGISTRY.get(format) if isinstance(format, str) else format
        self._custom_projection = projection
        self._cache: OrderedDict[int, Record] = OrderedDict()
        self._generation = 0  # bumped whenever records read before may be stale
        self._detect()
        # K: a fixed spacing when asked for; otherwise sized by cost: a bigger state is copied
        # less often (each checkpoint costs its size; each query replays at most K events)
        self._fixed_k = checkpoint_every is not None
        self.checkpoint_every = checkpoint_every or DEFAULT_CHECKPOINT_EVERY
        self.warning: str | None = None
        self._branch_hint: tuple[frozenset[int], int] | None = None
        self._keep_undo = False  # set once a direct path failed midway (see _apply)
        self._reset()

    # ---- building ------------------------------------------------------------------------------

    DETECT_OBJECTS = 64

    def _detect(self) -> bool:
        """Detect the format and fields from the first objects; True when that changed them."""
        objs = first_objects(self.log, self.DETECT_OBJECTS)
        self._detected_from = len(objs)
        fmt = self._forced_format or REGISTRY.detect(objs)
        mapper = fmt.mapper(objs, self.options)
        old = getattr(self, "mapper", None)
        if old is not None and fmt is self.format and mapper.describe() == old.describe():
            return False
        self.format: LogFormat = fmt
        self.mapper = mapper
        self.drift = kind_counter(fmt)
        self._generation += 1
        self._cache.clear()
        self.projection: Projection = self._custom_projection or fmt.projection(self.options)
        # a projection's direct path, when its own class declares one: a subclass that changed
        # `apply` (or a helper of it) but inherited the direct path would not be replayed as
        # written, so it goes through the tracked views
        self._apply_tracked = (getattr(self.projection, "apply_tracked", None)
                               if "apply_tracked" in type(self.projection).__dict__ else None)
        # a direct path that may raise after writing something (see _apply)
        self._tracked_undo = bool(getattr(self.projection, "tracked_undo", False))
        self._key_fields = tuple(self.options.key_fields or DEFAULT_KEY_FIELDS)
        # an id or timestamp check is a finding only where the format's writers promise it
        self._promised = promised_checks(fmt)
        self._ts_checked = "ts_backwards" in self._promised
        resume_types = getattr(fmt, "resume_types", None)
        self._resume_types = frozenset(resume_types(self.options) if resume_types else ())
        try:
            takes_options = "options" in inspect.signature(fmt.boundary).parameters
        except (TypeError, ValueError):
            takes_options = False
        self.boundary_of = (
            functools.partial(fmt.boundary, options=self.options) if takes_options else fmt.boundary
        )
        # a mapper may refine boundaries with what it saw earlier in the file (a resume's origin)
        refine = getattr(mapper, "boundary", None)
        if refine is not None:
            fmt_boundary = self.boundary_of
            self.boundary_of = lambda ev: refine(ev, fmt_boundary(ev))
            # ... in one call, where the mapper fuses the two (it names the format's boundary
            # it includes: a format class that replaced it keeps the two calls)
            fused = getattr(mapper, "boundary_of", None)
            if (fused is not None and getattr(type(mapper), "FORMAT_BOUNDARY", None)
                    is getattr(type(fmt), "boundary", False)):
                self.boundary_of = fused
        return True

    def _redetect_if_young(self) -> None:
        """While a log has fewer objects than detection looks at, new lines may change its fields
        (a tailed log that starts empty): detect again, and re-read when the answer changed."""
        if self._detected_from >= self.DETECT_OBJECTS or self.log.n_lines == 0:
            return
        if self._detect() and self.n_lines:
            self._reset()

    def _reset(self) -> None:
        self.kinds = bytearray()  # Kind per physical line analysed
        self.line_pos = array("i")  # per line: event position, or -1
        self.event_lines = array("i")  # per event position: its 0-based line
        self.seqs = array("q")  # per event position: its id
        self.type_ids = array("I")  # per event position: its type, as an index into `types`
        self.types: list[str] = []
        self._type_index: dict[str, int] = {}
        self._type_info: dict[str, tuple[int, str, str | None, int]] = {}
        # per type, what the Python paths need: (type id, completes an effect, drift mode)
        self._glue: dict[str, tuple[int, bool, int]] = {}
        self.malformed = MalformedLines(self.log.bytes_range)  # compact; raw read back
        self.blank_lines = 0
        self.pending: PendingTail | None = None
        self.failed: dict[int, str] = {}
        self.snapshot_positions: list[int] = []
        self.boundaries: dict[int, Boundary] = {}
        restart = getattr(getattr(self, "mapper", None), "restart", None)
        if restart is not None:  # a pass from the start: what the mapper learnt of the file goes
            restart()
        self.effects: dict[int, tuple[str, str | None]] = {}  # pos -> completed effect (resumes)
        self.anomalies: list[Anomaly] = []
        self.information: list[Anomaly] = []  # anomalies the format does not promise to avoid
        self.drift = kind_counter(self.format)  # records of kinds the format does not know
        self.tracker = Tracker()
        self.state: dict = self.projection.initial_state()
        self._initial = copy_state(self.state)
        seed(self.tracker, self.state)
        self.checkpoints = Checkpoints()
        self._cp_offset = 0  # where the line after the last checkpoint starts (general path)
        self.lines_done = 0  # complete lines analysed
        self._tail_line: int | None = None  # the unterminated line counted, if any
        self._tail_raw = b""  # its bytes when it was read
        self._seq_first_line: dict[int, int] | None = None
        self._max_seq: int | None = None
        self._prev_ts: float | None = None
        self._prev_ts_raw: Any = None
        self._prev_seq: int | None = None
        self._generation += 1
        self._cache.clear()
        self._deterministic: bool | None = None
        # answers about a fixed past (a snapshot's drift) that appending cannot change
        self.memo: dict[Any, Any] = {}
        # a tree-shaped log: which records are off the live branch (core/branches.py)
        hint, self._branch_hint = self._branch_hint, None
        self.tree = branches.start(self, *hint) if hint else branches.start(self)

    @property
    def n_events(self) -> int:
        return len(self.seqs)

    @property
    def n_lines(self) -> int:
        return len(self.kinds)

    @property
    def uses_line_numbers(self) -> bool:
        return bool(getattr(self.mapper, "uses_line_numbers", False))

    def run(self, progress: Progress | None = None, *, every: int = 20000) -> int:
        """Analyse every line not yet analysed; returns the number of new records.

        When it raises (the file shrank under it, a bug), what it had added is dropped: a run
        that is tried again starts from the first line rather than adding lines twice.

        The cyclic garbage collector is paused meanwhile: reading makes many objects (each
        parsed line) and the built-in projections no cycles, and its collections kept walking
        every object the analysis holds (9% of the CPU of the 50 MB Claude Code and Codex logs,
        counted with gc.callbacks). Cycles a projection makes are collected once the run ends."""
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._run_once(progress, every)
        finally:
            if paused:
                gc.enable()

    def _run_once(self, progress: Progress | None, every: int) -> int:
        try:
            return self._run(progress, every)
        except _Redo:
            # a record the direct path failed on midway, with no undo log to leave the state as
            # it was: the whole log again, this time with one (only such logs pay for it)
            self._keep_undo = True
            self._reset()
            return self.run(progress, every=every)
        except BaseException:
            self._reset()
            raise

    def _run(self, progress: Progress | None, every: int) -> int:
        log = self.log
        while not log.fully_indexed:
            log.index_more(16 << 20)
        self._redetect_if_young()
        before = self.n_lines
        if not self._settle_tail():
            return 0
        total = log.n_complete
        if self._fused_ok():
            self._run_fused(total, progress, every)
        elif self.fast and self.fused:  # (a test switching `fused` off means the general way)
            self._run_mapped(total, progress, every)
        else:
            mapper, add = self.mapper, self._add
            # room for every line as an event at once (what begin() would grow line by line)
            self.tracker.reserve(self.n_events + total - self.lines_done)
            for i, offset, raw in log.iter_lines(self.lines_done, total):
                add(make_record(i, offset, raw, mapper, True))
                if progress is not None and i % every == 0:
                    progress(i, total)
        self.lines_done = total
        if log.has_tail:
            rec = record_at(log, total, self.mapper)
            self._tail_line = total
            self._tail_raw = rec.raw if isinstance(rec, (Event, PendingTail)) else b""
            self._add(rec)
        if branches.settle(self):  # a rewind changed which records are live: replay once
            self._reset()
            self.run(progress)
        if progress is not None:
            progress(total, total)
        return self.n_lines - before

    def update(self, progress: Progress | None = None) -> int:
        """Read what was appended and analyse it. Reloads (and sets `warning`) when the file
        shrank, was replaced, or had already-read bytes rewritten. Returns new records."""
        why = self.log.changed()
        if why is not None:
            self.warning = f"{self.path}: file {why}; reloaded from the start"
            self.log.open()
            self._reset()
            return self.run(progress)
        self.log.refresh()
        return self.run(progress)

    def _settle_tail(self) -> bool:
        """Deal with the unterminated last line read last time, before reading on.

        A pending tail is simply read again. An unterminated line that parsed was applied as an
        event: if its bytes are unchanged it stays (terminated now, or still waiting: then there
        is nothing new to read and this returns False); if it grew into something else, the
        exact answer is a fresh replay from the start."""
        line = self._tail_line
        if line is None:
            return True
        pos = self.line_pos[line] if line < len(self.line_pos) else -1
        log = self.log
        if pos >= 0:
            now = log.line_bytes(line) if line < log.n_lines else b""
            if now == self._tail_raw:
                if line < log.n_complete:  # its newline arrived: the event stands
                    self._tail_line = None
                    self._cache.pop(line, None)
                    self.lines_done = line + 1
                    return True
                return False  # still the same unterminated line, nothing after it
            self._reset()
            return True
        self._tail_line = None
        # a pending tail, or an unterminated line that was malformed or blank: read it again,
        # so what it was counted as goes with it
        if line < len(self.kinds):
            if self.kinds[line] == Kind.MALFORMED:
                while self.malformed and self.malformed[-1].line > line:
                    self.malformed.pop()
            elif self.kinds[line] == Kind.BLANK:
                self.blank_lines -= 1
        del self.kinds[line:]
        del self.line_pos[line:]
        self.pending = None
        self._cache.pop(line, None)
        return True

    fused = True  # tests switch the fused loop off to compare it with the general path
    fast = True  # likewise the inlined loop of other formats (_run_mapped)
    native = _fastloop  # the C loop, when built; tests switch it off to compare

    def _fused_ok(self) -> bool:
        """The default case (generic format, built-in projection) has a loop of its own."""
        m = self.mapper
        return (self.fused and type(self.format) is AgentlogFormat
                and type(self.projection) is EntityProjection and type(m) is AgentlogMapper
                and m.data_field is not None and m.type_field is not None)

    def _run_fused(self, total: int, progress: Progress | None, every: int) -> None:
        """`make_record` + `_add` for lines lines_done..total-1, fused for the default case.

        The common line (an object with a string type, an integer id when the log has ids, and a
        payload field) is handled without making an Event; anything else goes the general way.
        With the C accelerator, runs of plain lines are handled in C and the Python line handler
        takes the lines it stops at. A property test holds all paths to the same analysis."""
        line = self._fused_line()
        log = self.log
        bounds = log.bounds
        if self.native is None:
            for i, offset, raw in log.iter_lines(self.lines_done, total):
                if progress is not None and i % every == 0:
                    progress(i, total)
                line(i, offset, raw)
            return
        run = self.native.run
        tracker = self.tracker
        kinds, line_pos, event_lines, seqs = self.kinds, self.line_pos, self.event_lines, self.seqs
        type_ids, checkpoints, died = self.type_ids, self.checkpoints, tracker.died
        with_ids = not self.uses_line_numbers
        step = NATIVE_LINES
        # what one call produces, per event: type id, line, id; and the events that died
        tids, deaths = array("I", bytes(4 * step)), array("i", bytes(4 * step))
        ev_lines, ev_seqs = array("i", bytes(4 * step)), array("q", bytes(8 * step))
        m = self.mapper
        ctx = (orjson.loads, m.type_field, m.id_field, m.ts_field, m.data_field, "key",
               self._key_fields, self._type_info, self.state, tracker.root, tracker.blame_root,
               self.effects, tracker.live, tracker.last_death, tracker.killer, tracker.wrote,
               tids, deaths, ev_lines, ev_seqs, Slot, BlameNode, tracker.pairs)
        for i, j, base, chunk in log.iter_chunks(self.lines_done, total, step, reuse=True):
            if progress is not None:
                progress(i, total)
            tracker.reserve(len(seqs) + j - i)
            while i < j:
                pos = len(seqs)
                last_cp = checkpoints.last
                max_seq = self._max_seq
                status, k, n, new_max, prev_ts, nd = run(
                    ctx, chunk, base, bounds, i, j, pos, last_cp, self.checkpoint_every,
                    max_seq is not None, max_seq or 0, self._prev_ts_raw, self._seq_first_line)
                if n:
                    kinds += bytes(n)  # Kind.EVENT
                    line_pos.extend(range(pos, pos + n))
                    event_lines.extend(ev_lines[:n])
                    seqs.extend(ev_seqs[:n])
                    if with_ids:
                        self._max_seq = self._prev_seq = new_max
                    type_ids.extend(tids[:n])
                    if nd:
                        died.extend(deaths[:nd])
                    if prev_ts is not self._prev_ts_raw:
                        self._prev_ts_raw, self._prev_ts = prev_ts, None
                    tracker.cur = pos + n - 1
                    if pos + n - 1 - last_cp >= self.checkpoint_every:
                        self._checkpoint(pos + n - 1)
                i = k
                if status == NATIVE_BAIL:
                    a = bounds[i]
                    line(i, a, bytes(chunk[a - base : bounds[i + 1] - 1 - base]))  # (a reused buffer)
                    i += 1

    def _run_mapped(self, total: int, progress: Progress | None, every: int) -> None:
        """`make_record` + `_add` for lines lines_done..total-1, inlined for any format.

        A line that parses to an object the mapper maps (with an id in range) becomes its event
        here, with what depends only on its type looked up once per type; the first line (a
        BOM), a blank, bad or non-object line, a mapping that fails go the general way. Events
        are applied by `_apply`, as on the general path. A property test holds the two paths to
        the same analysis."""
        log, mapper = self.log, self.mapper
        map_ = mapper.map
        loads, JSONDecodeError = orjson.loads, orjson.JSONDecodeError
        general = self._add
        kinds, line_pos, event_lines, seqs = self.kinds, self.line_pos, self.event_lines, self.seqs
        type_ids, glue, type_id = self.type_ids, self._glue, self._type_id
        integrity = self._check_integrity
        with_ids = not self.uses_line_numbers
        tree = self.tree
        on_tree = tree.add if tree is not None else None
        skip, apply = self._skip, self._apply
        new, event_cls = object.__new__, Event
        # what _apply reads per event, read once
        tracker, state, checkpoints = self.tracker, self.state, self.checkpoints
        begin, commit, no_undo = tracker.begin, tracker.commit, tracker.no_undo
        boundary_of, boundaries, effects = self.boundary_of, self.boundaries, self.effects
        see = self.drift.see if self.drift is not None else None
        key_fields, is_snapshot = self._key_fields, self.format.is_snapshot
        snapshot_positions, failed, fixed_k = self.snapshot_positions, self.failed, self._fixed_k
        direct = self._apply_tracked
        redo = self._tracked_undo and not self._keep_undo
        no_log = redo or not self._tracked_undo
        # a format whose records are never stored snapshots says so: no call per record
        # (its own class: a subclass that changed is_snapshot is asked)
        never_snapshot = type(self.format).__dict__.get("never_snapshots") is True
        tracker.reserve(self.n_events + total - self.lines_done)
        reserved = len(tracker.live)  # positions below this need no append in `begin`

        def line(i: int, offset: int, raw: bytes) -> None:
            r = raw
            if r[-1:] == b"\r":
                r = r[:-1]
            try:
                obj = loads(r) if i else None
            except JSONDecodeError:
                obj = None
            if type(obj) is not dict:  # the first line, a blank or bad one: as make_record says
                general(make_record(i, offset, raw, mapper, True))
                return
            n = i + 1
            try:
                m = map_(obj)
            except Exception as exc:  # noqa: BLE001 - a format's bug must not lose the line
                general(unmappable(n, offset, raw, exc))
                return
            if type(m) is Mapped:
                t, seq, ts, data, key = m
            else:
                t, seq, ts, data, key = m.type, m.seq, m.ts, m.data, m.key
            if seq is None:
                seq = n
            elif not ID_MIN <= seq <= ID_MAX:
                general(out_of_range(n, offset, raw, seq))
                return
            ev = new(event_cls)  # Event.make, inline
            d = ev.__dict__
            d["seq"] = seq
            d["type"] = t
            d["data"] = data
            d["ts"] = ts
            d["line"] = n
            d["offset"] = offset
            d["raw"] = raw
            d["unterminated"] = False
            d["key"] = key
            # _add, inline
            pos = len(seqs)
            kinds.append(0)  # Kind.EVENT
            line_pos.append(pos)
            event_lines.append(i)
            seqs.append(seq)
            g = glue.get(t)
            if g is None:
                type_id(t)
                g = glue[t]
            type_ids.append(g[0])
            if with_ids:
                integrity(seq, n, ts)
            else:  # _check_integrity without ids; its shortcut for same-shaped UTC strings
                prev = self._prev_ts_raw
                if (type(ts) is str and type(prev) is str and len(ts) == len(prev)
                        and ts[-1:] == "Z" == prev[-1:]):
                    if ts < prev:
                        self._ts_backwards(n, seq, ts)
                    self._prev_ts_raw, self._prev_ts = ts, None
                else:
                    integrity(seq, n, ts)
            if on_tree is not None and on_tree(pos, ev):
                skip(pos, ev)
                return
            if direct is None:  # a projection without a direct path: through the views
                apply(pos, ev)
                return
            # _apply, inline, for a direct path (`begin` inline too, when the arrays have room)
            if pos < reserved:
                tracker.cur = pos
                tracker._undo = None if no_log else []
            else:
                begin(pos)
                if no_log:
                    no_undo()
            b = boundary_of(ev)
            if b is not None:
                boundaries[pos] = b
            _tid, effect, drift = g
            if drift:
                see(ev)
            if effect:
                eff = effect_of(ev, key_fields)
                if eff is not None:
                    effects[pos] = eff
            if not never_snapshot and is_snapshot(ev):
                snapshot_positions.append(pos)
                commit()
            else:
                try:
                    direct(tracker, state, ev)
                except Exception as exc:  # the event is marked failed (or the log read again)
                    if redo:
                        raise _Redo from exc
                    tracker.rollback()
                    failed[pos] = f"{type(exc).__name__}: {exc}"
                else:
                    tracker._undo = None  # commit(), inline
            self._checkpoint_if_due(pos, offset)

        run = getattr(self.native, "run_mapped", None) if self.native is not None else None
        if run is None or direct is None or with_ids:
            if progress is None:
                for i, offset, raw in log.iter_lines(self.lines_done, total):
                    line(i, offset, raw)
            else:
                for i, offset, raw in log.iter_lines(self.lines_done, total):
                    line(i, offset, raw)
                    if i % every == 0:
                        progress(i, total)
            return

        # `line` in C (core/_fastloop.c run_mapped) for the common line, calling the same
        # callables in the same order; it returns to Python for what `line` does otherwise
        step = NATIVE_LINES
        tids, ev_lines, ev_seqs = (array("I", bytes(4 * step)), array("i", bytes(4 * step)),
                                   array("q", bytes(8 * step)))
        ctx = (loads, map_, Mapped, event_cls, glue, type_id, integrity, self._ts_backwards, self,
               on_tree, tracker, state, begin, boundary_of, boundaries, see, effect_of, key_fields, effects,
               None if never_snapshot else is_snapshot, snapshot_positions, direct, tids,
               ev_lines, ev_seqs, no_log, reserved, fixed_k, CHECKPOINT_BYTES,
               MIN_CHECKPOINT_EVERY, ID_MIN, ID_MAX,
               self.drift.check if self.drift is not None else None, self._direct_native())
        bounds = log.bounds
        for i, j, base, chunk in log.iter_chunks(self.lines_done, total, step, reuse=True):
            if progress is not None:
                progress(i, total)
            while i < j:
                pos = len(seqs)
                status, k, n, extra = run(ctx, chunk, base, bounds, i, j, pos, checkpoints.last,
                                          self.checkpoint_every, self._cp_offset)
                if n:
                    kinds += bytes(n)  # Kind.EVENT
                    line_pos.extend(range(pos, pos + n))
                    event_lines.extend(ev_lines[:n])
                    seqs.extend(ev_seqs[:n])
                    type_ids.extend(tids[:n])
                last = pos + n - 1
                i = k
                if status == NATIVE_END:
                    continue
                if status == NATIVE_CHECKPOINT:
                    self._checkpoint(last)
                elif status == NATIVE_SKIP:
                    skip(last, extra)
                elif status == NATIVE_FAILED:  # as `line`'s except clause, then its checkpoint rule
                    if redo:
                        raise _Redo from extra
                    tracker.rollback()
                    failed[last] = f"{type(extra).__name__}: {extra}"
                    self._checkpoint_if_due(last, bounds[k - 1])
                else:  # line i is not an event of the common kind: as `line` does
                    a = bounds[i]
                    raw = bytes(chunk[a - base : bounds[i + 1] - 1 - base])  # (a reused buffer)
                    if status == NATIVE_BAIL:
                        line(i, a, raw)
                    elif status == NATIVE_UNMAPPABLE:
                        general(unmappable(i + 1, a, raw, extra))
                    else:  # NATIVE_OUT_OF_RANGE
                        general(out_of_range(i + 1, a, raw, extra))
                    i += 1

    def _direct_native(self) -> Callable[[Tracker, dict, Event], Any] | None:
        """The C half of the projection's direct path, for the C loop to call first (True:
        applied; else `apply_tracked`, which asks it again and goes on in Python), or None. Only
        when the class that declares `apply_tracked` declares it too (a subclass with its own
        direct path is called as written)."""
        own = type(self.projection).__dict__
        if "direct_native" not in own or self._apply_tracked is None:
            return None
        return self.projection.direct_native  # type: ignore[attr-defined]

    def _fused_line(self) -> Callable[[int, int, bytes], None]:
        """The fused handling of one line (the common case inline, the rest the general way)."""
        m = self.mapper
        type_field, id_field, ts_field, data_field = m.type_field, m.id_field, m.ts_field, m.data_field
        general = self._add
        mapper = self.mapper
        loads, JSONDecodeError = orjson.loads, orjson.JSONDecodeError
        kinds, line_pos, event_lines, seqs = self.kinds, self.line_pos, self.event_lines, self.seqs
        type_ids, type_index, type_id = self.type_ids, self._type_index, self._type_id
        tracker = self.tracker
        begin, commit = tracker.begin, tracker.commit
        apply_parts = self.projection.apply_parts  # type: ignore[attr-defined]
        state = self.state
        key_fields = self._key_fields
        effects, snapshots = self.effects, self.snapshot_positions
        resume_types = self._resume_types
        integrity = self._check_integrity
        checkpoints = self.checkpoints

        def line(i: int, offset: int, raw: bytes) -> None:
            r = raw
            if r[-1:] == b"\r":
                r = r[:-1]
            try:
                obj = loads(r) if i else None
            except JSONDecodeError:
                obj = None
            if type(obj) is not dict:
                general(make_record(i, offset, raw, mapper, True))
                return
            t = obj.get(type_field)
            if id_field is not None:
                seq = obj.get(id_field)
                if type(seq) is not int or not ID_MIN <= seq <= ID_MAX:  # the reader says why
                    seq = None
            else:
                seq = i + 1
            if type(t) is not str or seq is None or data_field not in obj or t in resume_types:
                general(make_record(i, offset, raw, mapper, True))
                return
            data = obj[data_field]
            key = obj.get("key")
            pos = len(seqs)
            kinds.append(0)
            line_pos.append(pos)
            event_lines.append(i)
            seqs.append(seq)
            tid = type_index.get(t)
            type_ids.append(tid if tid is not None else type_id(t))
            integrity(seq, i + 1, obj.get(ts_field) if ts_field is not None else None)
            begin(pos)
            eff = effect_of_parts(t, data, key, key_fields)
            if eff is not None:
                effects[pos] = eff
            if t == "snapshot":
                snapshots.append(pos)
            else:
                tracker.no_undo()
                apply_parts(tracker, state, t, data, key)
            commit()
            if pos - checkpoints.last >= self.checkpoint_every:
                self._checkpoint(pos)

        return line

    def _checkpoint(self, pos: int) -> None:
        """A checkpoint after position `pos` (core/checkpoints.py: a delta or the whole state)."""
        cps = self.checkpoints
        self._cp_offset = self.log.line_span(self.event_lines[pos])[1]
        cps.budget = int(PLAIN_SHARE * self._cp_offset)  # kept uncompressed up to this
        cps.add(pos, self.state, self.tracker.touched, self.tracker.pairs)
        if not self._fixed_k:
            # a bigger state is checkpointed less often (a full checkpoint costs its size; each
            # query replays at most K events); the general path also checkpoints by bytes read.
            # /24: the 1M-event generic log (a state of about 22 KB) gets K = 927, not 1415 as
            # with /16: scrub CPU p95 8.7 against 13.6 ms, 8 MB more kept, same analysis time
            self.checkpoint_every = min(MAX_CHECKPOINT_EVERY,
                                        max(DEFAULT_CHECKPOINT_EVERY, cps.state_size // 24))

    def _type_id(self, type_: str) -> int:
        tid = self._type_index.get(type_)
        if tid is None:
            tid = self._type_index[type_] = len(self.types)
            self.types.append(type_)
            # what the C loop needs to know of the type (the Python loop works it out per event)
            entity, verb = _split_cached(type_)  # the same strings the tracker keys by
            flags = ((NATIVE_TOMB if verb in TOMBSTONE_VERBS else 0)
                     | (NATIVE_EFFECT if verb in EFFECT_VERBS else 0)
                     | (NATIVE_GENERAL if type_ == "snapshot" or type_ in self._resume_types else 0))
            self._type_info[type_] = (tid, entity, verb, flags)
            drift = self.drift
            self._glue[type_] = (tid, bool(flags & NATIVE_EFFECT),
                                 drift.mode(type_) if drift is not None else 0)
        return tid

    def type_of(self, pos: int) -> str:
        """The type of the event at position `pos` (without reading the log again)."""
        return self.types[self.type_ids[pos]]

    def _add(self, rec: Record) -> None:
        kinds, line_pos = self.kinds, self.line_pos
        if isinstance(rec, Event):
            pos = len(self.seqs)
            kinds.append(Kind.EVENT)
            line_pos.append(pos)
            self.event_lines.append(rec.line - 1)
            self.seqs.append(rec.seq)
            self.type_ids.append(self._type_id(rec.type))
            self._check_integrity(rec.seq, rec.line, rec.ts)
            if self.tree is not None and self.tree.add(pos, rec):
                self._skip(pos, rec)
                return
            self._apply(pos, rec)
            return
        line_pos.append(-1)
        if isinstance(rec, Malformed):
            kinds.append(Kind.MALFORMED)
            self.malformed.append(rec)
        elif isinstance(rec, Blank):
            kinds.append(Kind.BLANK)
            self.blank_lines += 1
        else:
            kinds.append(Kind.PENDING)
            self.pending = rec

    def _check_integrity(self, seq: int, line: int, ts: Any) -> None:
        if not self.uses_line_numbers:
            mx = self._max_seq
            if mx is not None and seq <= mx:
                first = self._seen_line(seq)
                if first is not None:
                    self._id_anomaly(Anomaly("duplicate_id", line, seq, {"first_line": first}))
                else:
                    self._id_anomaly(Anomaly("id_backwards", line, seq, {"previous": self._prev_seq}))
                if self._seq_first_line is not None:
                    self._seq_first_line.setdefault(seq, line)
            else:
                if mx is not None and seq > mx + 1:
                    self._id_anomaly(
                        Anomaly("id_gap", line, seq, {"after": mx, "missing": seq - mx - 1})
                    )
                self._max_seq = seq
                if self._seq_first_line is not None:
                    self._seq_first_line[seq] = line
            self._prev_seq = seq
        prev_raw = self._prev_ts_raw
        if (isinstance(ts, str) and isinstance(prev_raw, str) and len(ts) == len(prev_raw)
                and ts[-1:] == "Z" == prev_raw[-1:]):
            # same-shaped UTC ISO-8601 strings order as text: no need to parse them
            if ts < prev_raw:
                self._ts_backwards(line, seq, ts)
            self._prev_ts_raw, self._prev_ts = ts, None
            return
        t = parse_ts(ts)
        if t is None:
            return
        prev = self._prev_ts if self._prev_ts is not None else parse_ts(prev_raw)
        if prev is not None and t < prev:
            self._ts_backwards(line, seq, ts)
        self._prev_ts, self._prev_ts_raw = t, ts

    def _ts_backwards(self, line: int, seq: int, ts: Any) -> None:
        """A timestamp earlier than the one before it: a finding where the format promises the
        order, information where it does not."""
        (self.anomalies if self._ts_checked else self.information).append(
            Anomaly("ts_backwards", line, seq, {"ts": ts}))

    def _id_anomaly(self, anomaly: Anomaly) -> None:
        """A finding where the format promises that check, information where it does not."""
        (self.anomalies if anomaly.kind in self._promised else self.information).append(anomaly)

    def _seen_line(self, seq: int) -> int | None:
        """The line of an earlier event with this id (ids were increasing until now)."""
        if self._seq_first_line is None:
            self._seq_first_line = {}
            for p in range(len(self.seqs) - 1):
                self._seq_first_line.setdefault(self.seqs[p], self.event_lines[p] + 1)
        return self._seq_first_line.get(seq)

    def _skip(self, pos: int, ev: Event) -> None:
        """An event off the live branch (core/branches.py): read, shown, never applied."""
        self.tracker.begin(pos)
        self.tracker.commit()
        if self.drift is not None:
            self.drift.see(ev)
        if pos - self.checkpoints.last >= self.checkpoint_every:
            self._checkpoint(pos)

    def _apply(self, pos: int, ev: Event) -> None:
        tracker = self.tracker
        tracker.begin(pos)
        b = self.boundary_of(ev)
        if b is not None:
            self.boundaries[pos] = b
        # what depends only on the type was worked out once for it (_type_id, called by _add)
        _tid, effect, drift = self._glue[ev.type]
        if drift:
            self.drift.see(ev)  # type: ignore[union-attr]
        if effect:
            eff = effect_of(ev, self._key_fields)
            if eff is not None:
                self.effects[pos] = eff
        if self.format.is_snapshot(ev):
            self.snapshot_positions.append(pos)
            tracker.commit()
        elif self._apply_tracked is not None:
            # a direct path raises (if at all) before it writes anything (no undo log needed);
            # one that may raise midway (`tracked_undo`) runs without the log too, and a
            # failure then analyses the log again with it (run): odd records are rare, and
            # the log costs every write of every record
            redo = self._tracked_undo and not self._keep_undo
            if redo or not self._tracked_undo:
                tracker.no_undo()
            try:
                self._apply_tracked(tracker, self.state, ev)
            except Exception as exc:  # the event is marked failed (or the log read again)
                if redo:
                    raise _Redo from exc
                tracker.rollback()
                self.failed[pos] = f"{type(exc).__name__}: {exc}"
            else:
                tracker.commit()
        else:
            try:
                self.projection.apply(TrackedDict(tracker, self.state, tracker.root), ev)
            except Exception as exc:  # noqa: BLE001 - user code: the event is marked failed
                tracker.rollback()
                self.failed[pos] = f"{type(exc).__name__}: {exc}"
            else:
                tracker.commit()
        self._checkpoint_if_due(pos, ev.offset)

    def _checkpoint_if_due(self, pos: int, offset: int) -> None:
        """The checkpoint rule, after the event at `pos` (its line at `offset`): every K
        events, and, unless K is fixed, after MIN_CHECKPOINT_EVERY once CHECKPOINT_BYTES of log
        were read since the last (formats whose events are big or slow to apply: a query replays
        at most about that much of the log). core/_fastloop.c run_mapped keeps the same rule."""
        since = pos - self.checkpoints.last
        if since >= self.checkpoint_every or (
                not self._fixed_k and since >= MIN_CHECKPOINT_EVERY
                and offset - self._cp_offset >= CHECKPOINT_BYTES):
            self._checkpoint(pos)

    # ---- records -----------------------------------------------------------------------------

    def record(self, line: int) -> Record:
        """The record of physical line `line` (0-based), parsed on demand (LRU-cached)."""
        cache = self._cache
        rec = cache.get(line)
        if rec is not None:
            cache.move_to_end(line)
            return rec
        # a UI may read records while a worker (re)analyses: a record made with a mapper that
        # was replaced meanwhile is returned but not remembered
        generation, mapper = self._generation, self.mapper
        rec = record_at(self.log, line, mapper)
        if generation == self._generation:
            cache[line] = rec
            if len(cache) > 4096:
                cache.popitem(last=False)
        return rec

    def event(self, pos: int) -> Event:
        """The event at position `pos` (0-based among events)."""
        rec = self.record(self.event_lines[pos])
        assert isinstance(rec, Event)
        return rec

    def pos_of_seq(self, seq: int) -> int | None:
        """The position of the (last) event with id `seq`, or None."""
        seqs = self.seqs
        if self._seq_first_line is None:  # increasing ids: bisect
            i = bisect.bisect_left(seqs, seq)
            if i < len(seqs) and seqs[i] == seq:
                return i
            return None
        for p in range(len(seqs) - 1, -1, -1):
            if seqs[p] == seq:
                return p
        return None

    def _replay_onto(self, state: dict, start: int, stop: int) -> dict:
        """Apply events start..stop-1 (positions) to a plain state, skipping failed ones.

        The events are parsed afresh, not taken from the record cache: a projection may keep
        parts of an event's payload in its state and change them later."""
        if start >= stop:
            return state
        fmt, proj, failed, mapper = self.format, self.projection, self.failed, self.mapper
        off_branch = self.tree.off if self.tree is not None else ()
        lines, line_pos = self.event_lines, self.line_pos
        first, last = lines[start], lines[stop - 1]
        log = self.log
        complete = min(last + 1, log.n_complete)
        records = [(i, off, raw, True) for i, off, raw in log.iter_lines(first, complete)]
        if last >= complete:  # the unterminated last line
            a, b = log.line_span(last)
            records.append((last, a, log.bytes_range(a, b), False))
        # the generic format's plain line (what _fused_line takes without a record) becomes its
        # Event without make_record and the mapper: a third of a scrub of the 1M-event log
        plain = self._fused_ok()
        type_field, id_field, ts_field, data_field = (
            mapper.type_field, mapper.id_field, mapper.ts_field, mapper.data_field) if plain else (
            None, None, None, None)
        loads, make = orjson.loads, Event.make
        for i, off, raw, terminated in records:
            p = line_pos[i]
            if p < start or p >= stop or p in failed or p in off_branch:
                continue
            ev = None
            if plain and terminated and i:
                try:
                    obj = loads(raw[:-1] if raw[-1:] == b"\r" else raw)
                except orjson.JSONDecodeError:
                    obj = None
                if type(obj) is dict:
                    t = obj.get(type_field)
                    seq = obj.get(id_field) if id_field is not None else i + 1
                    if (type(t) is str and type(seq) is int and ID_MIN <= seq <= ID_MAX
                            and data_field in obj):
                        ev = make(seq, t, obj[data_field], obj.get(ts_field) if ts_field else None,
                                  i + 1, off, raw, False, obj.get("key"))
            if ev is None:
                ev = make_record(i, off, raw, mapper, terminated)
            if not isinstance(ev, Event) or fmt.is_snapshot(ev):
                continue
            try:
                proj.apply(state, ev)
            except Exception:  # noqa: BLE001, S110 - it failed in the tracked replay too (skipped there)
                pass
        return state

    def state_at_pos(self, pos: int) -> dict:
        """The state after the event at position `pos` (-1: the initial state). A fresh copy."""
        if pos >= self.n_events:
            raise IndexError(pos)
        # a state read back makes many objects and no cycles: without this, building it
        # triggered full collections over every object of the analysis (tens of ms each)
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._state_at_pos(pos)
        finally:
            if paused:
                gc.enable()

    def _state_at_pos(self, pos: int) -> dict:
        if pos == self.n_events - 1:
            return copy_state(self.state)
        cps = self.checkpoints
        i = cps.at_or_before(pos)
        if i >= 0:
            cp_pos, state = cps.positions[i], cps.state(i)
        else:
            cp_pos, state = -1, copy_state(self._initial)
        return self._replay_onto(state, cp_pos + 1, pos + 1)

    def state_at(self, seq: int | None = None) -> tuple[int, dict]:
        """(id, state) after the event with id `seq` (the head when None)."""
        if self.n_events == 0:
            return 0, copy_state(self.state)
        if seq is None:
            pos = self.n_events - 1
        else:
            p = self.pos_of_seq(seq)
            if p is None:
                raise KeyError(seq)
            pos = p
        return self.seqs[pos], self.state_at_pos(pos)

    def blame(self, path: tuple, pos: int | None = None) -> int | None:
        """Position of the event that last wrote `path` (or under it) at position `pos`."""
        p = self.n_events - 1 if pos is None else pos
        if p < 0:
            return None
        return self.tracker.blame(tuple(path), p)

    def blame_seq(self, path: tuple, pos: int | None = None) -> int | None:
        b = self.blame(path, pos)
        return None if b is None else self.seqs[b]

    def diff_positions(self, a: int, b: int) -> list[Change]:
        """State at position a vs state at position b (-1 is the initial state)."""
        sa = copy_state(self._initial) if a < 0 else self.state_at_pos(a)
        sb = copy_state(self._initial) if b < 0 else self.state_at_pos(b)
        return diff_values(sa, sb)

    def event_diff(self, pos: int) -> list[Change]:
        """What the event at `pos` changed: state before vs after it."""
        return self.diff_positions(pos - 1, pos)

    def deterministic(self) -> bool:
        """Replay everything again from scratch, untracked: same canonical state?

        The check is for projections the user wrote; the built-in ones are pure folds (each
        format's contract test replays them twice), so they are not replayed a second time."""
        if self._custom_projection is None:
            return True
        if self._deterministic is None:
            state = self._replay_onto(copy_state(self._initial), 0, self.n_events)
            self._deterministic = canonical(state) == canonical(self.state)
        return self._deterministic

    def replay_events(self, events: list[Event]) -> dict:
        """Fold a list of events from the initial state (for verifying a compacted log)."""
        state = copy_state(self._initial)
        off = branches.off_in(self.format, events)  # a tree-shaped log's other branches
        for i, ev in enumerate(events):
            if self.format.is_snapshot(ev) or i in off:
                continue
            try:
                self.projection.apply(state, ev)
            except Exception:  # noqa: BLE001, S110 - a failed event leaves the state as it was
                pass
        return state

    def integrity_problems(self) -> int:
        """How many integrity findings there are (malformed lines, anomalies, a pending tail)."""
        return len(self.malformed) + len(self.anomalies) + (1 if self.pending else 0)

    def close(self) -> None:
        self.log.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_analysis(path: str | os.PathLike[str], **kwargs: Any) -> Analysis:
    """Open and fully analyse a log."""
    a = Analysis(path, **kwargs)
    a.run()
    return a
