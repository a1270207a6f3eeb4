"""The records a log is made of: one per physical line."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any


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
        ev.__dict__.update(zip(_FIELDS, (seq, type, data, ts, line, offset, raw, unterminated, key)))
        return ev


_new = object.__new__
_FIELDS = ("seq", "type", "data", "ts", "line", "offset", "raw", "unterminated", "key")


@dataclass(frozen=True, slots=True)
class Malformed:
    """A line that is not an event: bad JSON, bad UTF-8, not an object, or no type."""

    line: int
    offset: int
    raw: bytes
    error: str


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

