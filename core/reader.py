"""Reading a log read-only: a byte-offset line index, and one record per physical line.

The index is built without parsing (so a large log can be shown before it is parsed); parsing is
done per line with orjson, on demand or in one pass. Every physical line becomes exactly one
record; nothing raises out of here for bad content.
"""

from __future__ import annotations

import mmap
import os
import stat
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from core.events import Blank, Event, Malformed, PendingTail, Record
from core.formats.base import Mapper, MappingError

BOM = b"\xef\xbb\xbf"


class LogReadError(OSError):
    """The log cannot be opened or read (the message names the file and the problem)."""


def _describe_os_error(path: Path, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"{path}: {reason.lower() if reason else 'cannot read'}"


class LogFile:
    """A log file opened read-only, with an index of where each line starts.

    `refresh()` reads what was appended since; `changed()` tells whether the file shrank, was
    replaced, or had already-read bytes rewritten (then the caller reloads).
    """

    def __init__(self, path: str | os.PathLike[str], *, index: bool = True) -> None:
        self.path = Path(path)
        self.starts = array("Q")  # start offset of every complete (newline-terminated) line
        self.complete_end = 0  # offset just past the last newline
        self.scanned = 0  # bytes searched for newlines so far
        self.size = 0
        self._index_on_open = index
        self._buf: mmap.mmap | bytes = b""
        self._fd: int | None = None
        self._inode: tuple[int, int] | None = None
        self._probe = b""  # the last bytes of the indexed part, to notice rewrites
        self.open()

    # ---- opening and growing ---------------------------------------------------------------

    def open(self) -> None:
        """(Re)open the file and index it from the start (or only map it, with `index=False`:
        then `index_more()` builds the index in steps, e.g. in a worker while a UI shows)."""
        self.close()
        try:
            st = os.stat(self.path)
            if stat.S_ISDIR(st.st_mode):
                raise LogReadError(f"{self.path}: is a directory, not a log file")
            if stat.S_ISFIFO(st.st_mode) or stat.S_ISSOCK(st.st_mode):
                raise LogReadError(f"{self.path}: is a pipe, not a file (save the log to a file first)")
            fd = os.open(self.path, os.O_RDONLY)
        except LogReadError:
            raise
        except OSError as exc:
            raise LogReadError(_describe_os_error(self.path, exc)) from None
        self._fd = fd
        st = os.fstat(fd)
        self._inode = (st.st_dev, st.st_ino)
        self.starts = array("Q")
        self.complete_end = 0
        self.scanned = 0
        self.size = 0
        self._buf = b""
        self._map(st.st_size)
        if self._index_on_open:
            self.index_more()

    def close(self) -> None:
        if isinstance(self._buf, mmap.mmap):
            try:
                self._buf.close()
            except BufferError:
                pass
        self._buf = b""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _map(self, size: int) -> None:
        old = self._buf
        if size == 0:
            self._buf = b""
        else:
            try:
                self._buf = mmap.mmap(self._fd, size, access=mmap.ACCESS_READ)  # type: ignore[arg-type]
            except (OSError, ValueError) as exc:  # e.g. a pipe or a special file
                try:
                    os.lseek(self._fd, 0, os.SEEK_SET)  # type: ignore[arg-type]
                    chunks = []
                    while chunk := os.read(self._fd, 1 << 20):  # type: ignore[arg-type]
                        chunks.append(chunk)
                    self._buf = b"".join(chunks)
                    size = len(self._buf)
                except OSError:
                    raise LogReadError(_describe_os_error(self.path, exc)) from None
        if isinstance(old, mmap.mmap):
            try:
                old.close()
            except BufferError:
                pass
        self.size = size

    def index_more(self, max_bytes: int | None = None) -> bool:
        """Extend the line index over up to `max_bytes` more bytes; True when it is complete."""
        limit = self.size if max_bytes is None else min(self.size, self.scanned + max_bytes)
        self._index_from(self.complete_end, limit)
        return self.fully_indexed

    @property
    def fully_indexed(self) -> bool:
        return self.scanned >= self.size

    def _index_from(self, pos: int, limit: int | None = None) -> None:
        buf = self._buf
        find = buf.find
        append = self.starts.append
        end = self.size if limit is None else limit
        start = pos
        while True:
            nl = find(b"\n", start, end)
            if nl < 0:
                break
            append(start)
            start = nl + 1
        self.complete_end = start
        self.scanned = max(self.scanned, end)
        lo = max(0, start - 64)
        self._probe = bytes(buf[lo:start])

    def changed(self) -> str | None:
        """Why the file can no longer be read by appending ("shrank", "replaced", "rewritten")."""
        try:
            st = os.stat(self.path)
        except OSError:
            return "replaced"
        if (st.st_dev, st.st_ino) != self._inode:
            return "replaced"
        if st.st_size < self.complete_end:
            return "shrank"
        if self._probe:
            try:
                with open(self.path, "rb") as fh:
                    fh.seek(self.complete_end - len(self._probe))
                    if fh.read(len(self._probe)) != self._probe:
                        return "rewritten"
            except OSError:
                return "replaced"
        return None

    def refresh(self) -> int:
        """Index bytes appended since the last read; the number of new complete lines."""
        if self._fd is None:
            return 0
        size = os.fstat(self._fd).st_size
        if size == self.size:
            return 0
        before = len(self.starts)
        complete = self.fully_indexed
        self._map(size)
        if complete:
            self._index_from(self.complete_end)
        return len(self.starts) - before

    # ---- access ------------------------------------------------------------------------------

    @property
    def n_complete(self) -> int:
        return len(self.starts)

    @property
    def has_tail(self) -> bool:
        """True when bytes follow the last newline (an unterminated last line)."""
        return self.scanned >= self.size > self.complete_end

    @property
    def n_lines(self) -> int:
        """Physical lines: complete ones plus the unterminated tail, if any."""
        return len(self.starts) + (1 if self.has_tail else 0)

    def line_span(self, i: int) -> tuple[int, int]:
        """Byte span of line i (0-based), without its newline."""
        starts = self.starts
        if i < len(starts):
            end = starts[i + 1] - 1 if i + 1 < len(starts) else self.complete_end - 1
            return starts[i], end
        if i == len(starts) and self.has_tail:
            return self.complete_end, self.size
        raise IndexError(i)

    def line_bytes(self, i: int) -> bytes:
        a, b = self.line_span(i)
        return bytes(self._buf[a:b])

    def bytes_range(self, a: int, b: int) -> bytes:
        return bytes(self._buf[a:b])


@dataclass(slots=True)
class Parsed:
    """A line parsed to a JSON object, or the reason it is not one."""

    obj: dict | None
    error: str | None


def parse_line(raw: bytes, first: bool = False) -> tuple[Any, str | None]:
    """Parse one line's bytes; (value, None) or (None, the parser's message)."""
    if first and raw.startswith(BOM):
        raw = raw[3:]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError as exc:
        msg = str(exc)
        if "utf-8" in msg.lower() or "surrogate" in msg.lower():
            return None, f"invalid UTF-8: {msg}"
        return None, f"invalid JSON: {msg}"


def _type_name(v: Any) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number",
            bool: "a boolean", type(None): "null"}.get(type(v), type(v).__name__)


def make_record(i: int, offset: int, raw: bytes, mapper: Mapper, terminated: bool) -> Record:
    """Turn line i (0-based) into its record. Never raises for bad content."""
    line = i + 1
    if not raw or raw.isspace():
        if terminated:
            return Blank(line, offset)
        return PendingTail(line, offset, raw) if raw else Blank(line, offset)
    value, err = parse_line(raw, first=(i == 0))
    if err is not None:
        if not terminated:
            return PendingTail(line, offset, raw)
        return Malformed(line, offset, raw, err)
    if not isinstance(value, dict):
        if not terminated:
            return PendingTail(line, offset, raw)
        return Malformed(line, offset, raw, f"not a JSON object: {_type_name(value)}")
    try:
        m = mapper.map(value)
    except MappingError as exc:
        return Malformed(line, offset, raw, str(exc))
    except Exception as exc:  # noqa: BLE001 - a format's bug must not lose the line
        return Malformed(line, offset, raw, f"cannot map record: {type(exc).__name__}: {exc}")
    seq = line if m.seq is None else m.seq
    return Event(seq, m.type, m.data, m.ts, line, offset, raw, not terminated, getattr(m, "key", None))


def first_objects(log: LogFile, limit: int = 64) -> list[dict]:
    """The first parseable JSON objects of a log, for format and field detection."""
    out: list[dict] = []
    for i in range(min(log.n_complete, limit * 4)):
        value, err = parse_line(log.line_bytes(i), first=(i == 0))
        if err is None and isinstance(value, dict):
            out.append(value)
            if len(out) >= limit:
                break
    if not out and log.has_tail:
        value, err = parse_line(log.line_bytes(log.n_complete), first=(log.n_complete == 0))
        if err is None and isinstance(value, dict):
            out.append(value)
    return out


def read_records(path: str | os.PathLike[str], mapper: Mapper) -> list[Record]:
    """Every record of a log, read whole (small logs, tests)."""
    log = LogFile(path)
    try:
        return [record_at(log, i, mapper) for i in range(log.n_lines)]
    finally:
        log.close()


def record_at(log: LogFile, i: int, mapper: Mapper) -> Record:
    """The record of physical line i (0-based)."""
    a, b = log.line_span(i)
    raw = log.bytes_range(a, b)
    return make_record(i, a, raw, mapper, terminated=i < log.n_complete)
