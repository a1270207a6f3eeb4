"""Writing a report that may hold a million entries (`check --json` of a log of bad lines)
without building it whole in memory.

A report is a dict whose values are JSON-like, except that a value may be a `Streamed`
sequence: its entries are made as they are written, a few thousand at a time. `write_json`
writes exactly the bytes `to_json(report, indent=True)` would (plus a final newline) had every
`Streamed` value been a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, Any

from agentlog_tui.core.jsonvalue import to_json

CHUNK = 1024  # entries serialised at a time


class Streamed:
    """A list of report entries made on demand: `len()`, iteration and indexing (each entry is
    made when it is read; nothing is kept)."""

    __slots__ = ("_items", "_len", "_make")

    def __init__(
        self,
        length: Callable[[], int],
        items: Callable[[], Iterable[Any]],
        make: Callable[[Any], Any],
    ) -> None:
        self._len = length
        self._items = items
        self._make = make

    def __len__(self) -> int:
        return self._len()

    def __iter__(self) -> Iterator[Any]:
        make = self._make
        for x in self._items():
            yield make(x)

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            return list(islice(self, start, stop, step))
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("report entry index out of range")
        return next(islice(self, i, None))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, tuple, Streamed)):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Streamed({len(self)} entries)"


def malformed_json(malformed: Any) -> Streamed:
    """`check --json`'s "malformed" entries, `{"line", "offset", "error"}` per malformed line,
    made as they are written (a `MalformedLines`, or any sequence of `Malformed`)."""
    fields = getattr(malformed, "fields", None)
    if fields is None:

        def fields() -> Iterator[tuple[int, int, str]]:
            return ((m.line, m.offset, m.error) for m in malformed)

    return Streamed(
        malformed.__len__, fields, lambda f: {"line": f[0], "offset": f[1], "error": f[2]}
    )


def plain(value: Any) -> Any:
    """`value` with every `Streamed` list made a list (for callers that need it whole)."""
    if isinstance(value, Streamed):
        return list(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _member(key: str, value: Any) -> bytes:
    """`"key": value` as it stands inside an indented top-level object (two spaces in)."""
    text = to_json({key: value}, indent=True)  # b'{\n  "key": ...\n}'
    return text[2:-2]


def _streamed_member(key: str, value: Streamed) -> Iterator[bytes]:
    head = _member(key, [])  # b'  "key": []'
    it = iter(value)
    first = True
    while True:
        chunk = list(islice(it, CHUNK))
        if not chunk:
            break
        body = to_json(chunk, indent=True)  # b'[\n  {...},\n  {...}\n]' at depth 0
        # entries sit two levels in: JSON text holds no raw newline but between tokens
        body = b"  " + body[2:-2].replace(b"\n", b"\n  ")
        if first:
            yield head[:-1] + b"\n"  # b'  "key": [\n'
            first = False
        else:
            yield b",\n"
        yield body
    if first:
        yield head
    else:
        yield b"\n  ]"


def iter_json(report: dict) -> Iterator[bytes]:
    """The pieces of `to_json(report, indent=True) + b"\\n"`, `Streamed` values written as lists."""
    if not report:
        yield b"{}\n"
        return
    yield b"{\n"
    for n, (key, value) in enumerate(report.items()):
        if n:
            yield b",\n"
        if isinstance(value, Streamed):
            yield from _streamed_member(key, value)
        else:
            yield _member(key, value)
    yield b"\n}\n"


def write_json(report: dict, out: IO[str]) -> None:
    """Write `report` as indented JSON and a newline to the text stream `out`, piece by piece."""
    write = out.write
    for piece in iter_json(report):
        write(piece.decode())
