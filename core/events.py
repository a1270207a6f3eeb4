"""The records a log is made of: one per physical line."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import FrozenInstanceError, dataclass
from enum import IntEnum
from typing import Any, overload


class Kind(IntEnum):
    """What a physical line turned out to be."""

    EVENT = 0
    MALFORMED = 1
    BLANK = 2
    PENDING = 3


@dataclass(frozen=True)
class Event:
    """One event of the log, as the projection sees it.

    `seq` is the event's id (or its 1-based line number when the log has no id field), `line` the
    1-based physical line, `offset` the byte offset of the line, `raw` its bytes without the newline.
    """

    seq: int
    type: str
    data: Any
    ts: str | float | int | None = None
    line: int = 0
    offset: int = 0
    raw: bytes = b""
    unterminated: bool = False
    key: Any = None  # a top-level subject field of the envelope (wins over data's own)

    @classmethod
    def make(cls, seq: int, type: str, data: Any, ts: Any, line: int, offset: int, raw: bytes,
             unterminated: bool, key: Any) -> Event:
        """The reader's constructor: the same frozen event, made without one `__setattr__` per
        field (a million events a log make that worth it)."""
        ev = _new(cls)
        d = ev.__dict__  # stored one by one: cheaper than update(zip(...)) or a dict literal
        d["seq"] = seq
        d["type"] = type
        d["data"] = data
        d["ts"] = ts
        d["line"] = line
        d["offset"] = offset
        d["raw"] = raw
        d["unterminated"] = unterminated
        d["key"] = key
        return ev


_new = object.__new__
_FIELDS = ("seq", "type", "data", "ts", "line", "offset", "raw", "unterminated", "key")


class Malformed:
    """A line that is not an event: bad JSON, bad UTF-8, not an object, or no type.

    `raw` is the line's bytes without the newline. A record kept in `MalformedLines` holds no
    bytes of its own: it reads them from the log when asked (a log of a million bad lines would
    otherwise hold each line twice). Immutable, compared by (line, offset, raw, error)."""

    __slots__ = ("_length", "_raw", "_read", "error", "line", "offset")
    __match_args__ = ("line", "offset", "raw", "error")

    line: int
    offset: int
    error: str

    def __init__(self, line: int, offset: int, raw: bytes, error: str) -> None:
        _set = object.__setattr__
        _set(self, "line", line)
        _set(self, "offset", offset)
        _set(self, "error", error)
        _set(self, "_raw", raw)
        _set(self, "_read", None)
        _set(self, "_length", len(raw))

    @classmethod
    def stored(cls, line: int, offset: int, length: int, error: str,
               read: Callable[[int, int], bytes]) -> Malformed:
        """A record whose `raw` is `read(offset, offset + length)`, read when asked for."""
        rec = _new(cls)
        _set = object.__setattr__
        _set(rec, "line", line)
        _set(rec, "offset", offset)
        _set(rec, "error", error)
        _set(rec, "_raw", None)
        _set(rec, "_read", read)
        _set(rec, "_length", length)
        return rec

    @property
    def raw(self) -> bytes:
        raw = self._raw
        if raw is None:
            raw = self._read(self.offset, self.offset + self._length)
        return raw

    @property
    def length(self) -> int:
        """The line's length in bytes (without the newline), known without reading it."""
        return self._length

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _key(self) -> tuple[int, int, bytes, str]:
        return (self.line, self.offset, self.raw, self.error)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Malformed(line={self.line!r}, offset={self.offset!r}, raw={self.raw!r}, "
                f"error={self.error!r})")


def _widened(a: array, value: int) -> array:
    """`a` as 64-bit numbers, with `value` appended."""
    wide = array("Q", a)
    wide.append(value)
    return wide


class MalformedLines:
    """The malformed records of a log, kept compactly: a sequence of `Malformed`.

    Per record it holds a line number, a byte offset, a length and an index into the distinct
    error messages (bad JSON gives the same few messages again and again), 16 bytes (32-bit
    numbers, widened to 64 bits when an offset or length needs it);
    the raw bytes are read back from the log when a record's `raw` is asked for. A million bad
    lines cost tens of megabytes, not hundreds."""

    __slots__ = ("_errs", "_lengths", "_lines", "_message_ids", "_messages", "_offsets", "_read")

    def __init__(self, read: Callable[[int, int], bytes]) -> None:
        self._read = read  # read(start, end): the log's bytes in [start, end)
        self._lines = array("I")
        self._offsets = array("I")
        self._lengths = array("I")
        self._errs = array("I")
        self._messages: list[str] = []
        self._message_ids: dict[str, int] = {}

    def append(self, rec: Malformed) -> None:
        mid = self._message_ids.get(rec.error)
        if mid is None:
            mid = self._message_ids[rec.error] = len(self._messages)
            self._messages.append(rec.error)
        # 32-bit numbers until one does not fit (offsets past 4 GiB): then that array widens
        try:
            self._lines.append(rec.line)
        except OverflowError:
            self._lines = _widened(self._lines, rec.line)
        try:
            self._offsets.append(rec.offset)
        except OverflowError:
            self._offsets = _widened(self._offsets, rec.offset)
        try:
            self._lengths.append(rec.length)
        except OverflowError:
            self._lengths = _widened(self._lengths, rec.length)
        self._errs.append(mid)

    def pop(self) -> Malformed:
        rec = self[-1]
        for a in (self._lines, self._offsets, self._lengths, self._errs):
            a.pop()
        return rec

    def __len__(self) -> int:
        return len(self._lines)

    def _at(self, i: int) -> Malformed:
        return Malformed.stored(self._lines[i], self._offsets[i], self._lengths[i],
                                self._messages[self._errs[i]], self._read)

    @overload
    def __getitem__(self, i: int) -> Malformed: ...
    @overload
    def __getitem__(self, i: slice) -> list[Malformed]: ...

    def __getitem__(self, i: int | slice) -> Malformed | list[Malformed]:
        if isinstance(i, slice):
            return [self._at(k) for k in range(*i.indices(len(self)))]
        n = len(self._lines)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("malformed record index out of range")
        return self._at(i)

    def __iter__(self) -> Iterator[Malformed]:
        at = self._at
        for i in range(len(self._lines)):
            yield at(i)

    def fields(self) -> Iterator[tuple[int, int, str]]:
        """(line, offset, error) of each record, in order, without making records."""
        messages, errs = self._messages, self._errs
        for i, (line, offset) in enumerate(zip(self._lines, self._offsets)):
            yield line, offset, messages[errs[i]]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MalformedLines):
            return list(self) == list(other)
        if isinstance(other, (list, tuple)):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        return f"MalformedLines({list(self)!r})"


@dataclass(frozen=True, slots=True)
class Blank:
    """An empty (or whitespace-only) line: counted, never shown as an event."""

    line: int
    offset: int


@dataclass(frozen=True, slots=True)
class PendingTail:
    """The last line, not yet terminated and not yet parseable: a writer is mid-write."""

    line: int
    offset: int
    raw: bytes


Record = Event | Malformed | Blank | PendingTail

