"""Fork: a new log ending at an event, that its agent can resume from.

- Generic format: the original bytes of every line up to and including the event (malformed and
  blank lines too: the fork is the log as it was when that event was written).
- Claude Code, Codex (any format with the writer extras of `formats.base.Writable`): the events up
  to the event, made loadable by the format's own machinery in `core.compaction`: a call in flight
  at the cut is dropped with its group, links to a dropped record move to the nearest kept
  ancestor, and the format's validator must pass.
- `compact`: the compacted fork instead (the fork, then compaction of it, verified the same way).

Nothing is written unless the written bytes, read afresh, replay to the expected state; never
over the input, never over an existing file, never an empty file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.diff import diff_values

if TYPE_CHECKING:
    from collections.abc import Iterable


class ForkError(ValueError):
    """A fork refused or not verified: nothing was written (the message names the file and why)."""


@dataclass
class ForkResult:
    """What a fork wrote."""

    out: str
    seq: int
    type: str
    lines: int
    bytes: int
    events: int
    compact: bool
    verified: bool = True
    dropped: list[int] = field(default_factory=list)  # ids left out to keep the file loadable
    relinked: int = 0
    validated: str | None = None  # the format whose validator passed on the written file
    note: str | None = None

    def to_json(self) -> dict:
        out: dict[str, Any] = {"output": self.out, "at": self.seq, "type": self.type,
                               "lines": self.lines, "bytes": self.bytes, "events": self.events,
                               "compact": self.compact, "verified": self.verified,
                               "dropped": self.dropped, "relinked": self.relinked,
                               "validated": self.validated}
        if self.note:
            out["note"] = self.note
        return out

    def summary(self, log: str) -> str:
        """One line saying what was written."""
        what = "compacted fork" if self.compact else "fork"
        extra = ""
        if self.dropped:
            shown = ", ".join(f"#{s}" for s in self.dropped[:6])
            more = f" and {len(self.dropped) - 6} more" if len(self.dropped) > 6 else ""
            extra += f"; left out {len(self.dropped)} record(s) of calls in flight ({shown}{more})"
        if self.relinked:
            extra += f"; relinked {self.relinked}"
        if self.validated:
            check = (f"verified: its agent's validator ({self.validated}) passes and it replays to "
                     f"the state at #{self.seq}" + (" without the calls left out" if self.dropped else ""))
        else:
            check = f"verified: it replays to the state at #{self.seq}"
        return (f"wrote {what} of {os.path.basename(log)} at #{self.seq} {self.type} to {self.out}: "
                f"{self.events} events, {self.bytes:,} bytes; {check}{extra}")


def _check_destination(src: str, dst: str, overwrite: bool = False) -> None:
    s, d = Path(src), Path(dst)
    try:
        same = d.exists() and os.path.samefile(s, d)
    except OSError:
        same = False
    if same or d.resolve() == s.resolve():
        raise ForkError(f"{dst}: refusing to write over the log being forked")
    if d.is_dir():
        raise ForkError(f"{dst}: is a directory")
    if not overwrite and (d.exists() or d.is_symlink()):
        raise ForkError(f"{dst}: already exists; nothing written (choose another name)")
    parent = d.parent if str(d.parent) else Path(".")
    if not parent.is_dir():
        raise ForkError(f"{dst}: no such directory {parent}")


def _place(tmp: str, dst: str, overwrite: bool = False) -> None:
    """Put the verified file in place; without `overwrite`, never over a file that appeared
    meanwhile (with it, the old file is replaced whole, only once the new one is verified)."""
    if overwrite:
        os.replace(tmp, dst)
        return
    try:
        os.link(tmp, dst)
    except FileExistsError:
        raise ForkError(f"{dst}: already exists; nothing written (choose another name)") from None
    except OSError:  # no hard links here: create exclusively and copy
        with open(tmp, "rb") as src, open(dst, "xb") as out:
            while chunk := src.read(1 << 20):
                out.write(chunk)


def prefix_chunks(a: Analysis, pos: int, chunk: int = 16 << 20) -> Iterable[bytes]:
    """The original bytes of every line up to the event at `pos` (from the file's first byte),
    each line ending in a newline."""
    log = a.log
    last = a.event_lines[pos]
    complete = min(last + 1, log.n_complete)
    end = log.bounds[complete] if complete else 0  # just after the newline of line complete-1
    for off in range(0, end, chunk):
        yield log.bytes_range(off, min(end, off + chunk))
    if last >= complete:  # the event is the unterminated last line: the fork terminates it
        yield log.line_bytes(last) + b"\n"


def _fresh(a: Analysis, path: str) -> Analysis:
    """`path` read as a user would (fresh detection; the options and projection they gave)."""
    fresh = Analysis(path, format=a._forced_format, options=a.options, projection=a._custom_projection)
    fresh.run()
    return fresh


def _verify_prefix(a: Analysis, tmp: str, pos: int) -> list[str]:
    """Why the prefix file at `tmp` does not stand for the log at `pos` ([] when it does)."""
    reasons = []
    fresh = _fresh(a, tmp)
    try:
        if fresh.format.name != a.format.name:
            reasons.append(f"the fork would be read as {fresh.format.name}, not {a.format.name}")
        elif fresh.mapper.describe() != a.mapper.describe():
            reasons.append("the fork's fields would be detected differently "
                           f"({fresh.mapper.describe()} instead of {a.mapper.describe()}); "
                           "force them with --type-field/--id-field/--ts-field/--data-field")
        expect = a.state_at_pos(pos)
        if canonical(fresh.state) != canonical(expect):
            n = len(diff_values(expect, fresh.state))
            reasons.append(f"replaying the fork gives a different state ({n} difference(s))")
    finally:
        fresh.close()
    return reasons


def _validator_name(a: Analysis) -> str | None:
    return a.format.name if getattr(a.format, "validate", None) is not None else None


def _writable(fmt: Any) -> bool:
    return any(getattr(fmt, m, None) is not None for m in ("groups", "relink", "anchors", "validate"))


def fork(a: Analysis, seq: int, out: str | os.PathLike[str], *, compact: bool = False,
         overwrite: bool = False) -> ForkResult:
    """Write a log ending at event `seq` to `out` (see the module docstring). KeyError when no
    event has that id; ForkError when refused or not verified (nothing written). An existing
    `out` is replaced only with `overwrite` (the app asks first), and only by a verified file."""
    pos = a.pos_of_seq(seq)
    if pos is None:
        raise KeyError(seq)
    dst = os.fspath(out)
    _check_destination(a.path, dst, overwrite)
    folder = Path(dst).parent if str(Path(dst).parent) else Path(".")
    name = Path(dst).name
    if _writable(a.format):
        return _fork_agent(a, pos, dst, folder, name, compact, overwrite)
    from agentlog_tui.core.compaction import write_temp

    tmp = None
    try:
        try:
            tmp, written = write_temp(folder, name, prefix_chunks(a, pos))
        except OSError as exc:
            raise ForkError(f"{dst}: {(exc.strerror or str(exc)).lower()}") from None
        reasons = _verify_prefix(a, tmp, pos)
        if reasons:
            raise ForkError(f"{dst}: nothing written: {reasons[0]}")
        lines = a.event_lines[pos] + 1
        if compact:
            return _compact_into(a, tmp, dst, pos, lines, overwrite=overwrite)
        _place(tmp, dst, overwrite)
        note = None
        if a.uses_line_numbers:
            note = "this log has no id field: the fork keeps every line, so its ids are the same"
        return ForkResult(dst, seq, a.type_of(pos), lines, written, pos + 1, False, note=note)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _compact_into(a: Analysis, prefix_path: str, dst: str, pos: int, lines: int,
                  dropped: list[int] | None = None, relinked: int = 0,
                  overwrite: bool = False) -> ForkResult:
    """Compact the (verified) fork at `prefix_path` into `dst`."""
    from agentlog_tui.core.compaction import CompactionError, plan_compaction, write_compacted

    fa = _fresh(a, prefix_path)
    try:
        plan = plan_compaction(fa)
        if not plan.kept:
            raise ForkError(f"{dst}: nothing written: no event up to #{a.seqs[pos]} is live, so the "
                            "compacted fork would be an empty file (the plain fork keeps every line)")
        if not plan.verified:
            raise ForkError(f"{dst}: nothing written: the compacted fork does not replay to the "
                            f"state at #{a.seqs[pos]}")
        try:
            written = write_compacted(fa, plan, dst, overwrite=overwrite)
        except CompactionError as exc:
            raise ForkError(str(exc)) from None
        return ForkResult(dst, a.seqs[pos], a.type_of(pos), len(plan.kept), written, len(plan.kept),
                          True, dropped=dropped or [], relinked=relinked)
    finally:
        fa.close()


def _fork_agent(a: Analysis, pos: int, dst: str, folder: Path, name: str, compact: bool,
                overwrite: bool = False) -> ForkResult:
    """A fork of a log its agent loads again: the format's selection machinery and validator."""
    try:
        from agentlog_tui.core.compaction import (
            CompactionError,
            NotVerified,
            event_objects,
            select_events,
            selection_state,
            write_selection,
        )
    except ImportError:
        raise ForkError(f"{dst}: forking a {a.format.name} log needs the format's writer, "
                        "which this build does not have; nothing written") from None
    keep = set(range(pos + 1))
    sel = select_events(a, sorted(keep), partners="drop")
    # a call never answered up to the cut (in flight, or abandoned earlier) is left out too: the
    # agent cannot load a call without its result
    audit = getattr(a.format, "audit", None)
    unanswered: list[int] = []
    if audit is not None:
        objs = event_objects(a)
        kept = sel.positions
        unanswered = [kept[f.index] for f in audit([objs[p] for p in kept])
                      if f.kind == "unanswered_call" and 0 <= f.index < len(kept)]
        if unanswered:
            keep.difference_update(unanswered)
            sel = select_events(a, sorted(keep), partners="drop")
    dropped = sorted({a.seqs[p] for p in [*sel.removed, *unanswered]})
    expect = selection_state(a, sel)
    seq = a.seqs[pos]
    if not compact:
        try:
            written, _v = write_selection(a, sel, dst, expect_state=expect, overwrite=overwrite)
        except NotVerified as exc:
            raise ForkError(str(exc)) from None
        except CompactionError as exc:
            raise ForkError(str(exc)) from None
        return ForkResult(dst, seq, a.type_of(pos), len(sel.positions), written, len(sel.positions),
                          False, dropped=dropped, relinked=len(sel.replaced),
                          validated=_validator_name(a))
    tmp_name = f".{name}.{secrets.token_hex(4)}.fork"
    tmp = str(folder / tmp_name)
    try:
        try:
            write_selection(a, sel, tmp, expect_state=expect)
        except (NotVerified, CompactionError) as exc:
            raise ForkError(str(exc).replace(tmp, dst)) from None
        result = _compact_into(a, tmp, dst, pos, len(sel.positions), dropped, len(sel.replaced),
                               overwrite=overwrite)
        result.validated = _validator_name(a)
        return result
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
