"""Full-text search across sessions: the text of events, not their JSON.

What is searched is what a reader sees of an event: the format's readable sections (prompts,
assistant text, thinking, tool inputs and outputs; `LogFormat.details`), or for a format without
them every string value of the payload. JSON keys, ids and the envelope are not searched.

Each file is streamed in chunks and never analysed whole: for a plain query the raw bytes are
scanned for the text (and its JSON-escaped forms) first, and only the lines that contain it are
parsed, so the first hits of a large folder come at once. A regex is tried on the text of every
event (a regex cannot be scanned for in escaped JSON).

    q = Query("permission denied")            # smart case: lower case matches any case
    for hit in search(paths, q, progress=print):
        print(hit.path, hit.seq, hit.type, hit.text[hit.spans[0][0]:hit.spans[0][1]])
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson

__all__ = ["Hit", "Query", "QueryError", "SearchProgress", "search", "search_file"]

CHUNK = 1 << 20
DETECT_OBJECTS = 64
CONTEXT = 120  # characters of a long text line kept on each side of the first match
DEDUP_LINES = 4  # the same text line hit again within this many lines is one hit (Codex
# writes a message both as a response item and as an event message)


class QueryError(ValueError):
    """A search that cannot run (an empty text, a regex that does not compile)."""


class Cancel(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Hit:
    """One line of an event's text that matches.

    `line` is the physical line of the log (1-based), `seq` the event's id as the app and `check`
    show it, `field` the section of the event (`prompt`, `text`, `command`, `result`, ...),
    `text` the matching line of that section (long lines cut around the first match, with `…`),
    `spans` the matches in `text` as (start, end)."""

    path: Path
    line: int
    seq: int
    type: str
    field: str
    text: str
    spans: tuple[tuple[int, int], ...]

    def to_json(self) -> dict:
        return {"path": str(self.path), "line": self.line, "seq": self.seq, "type": self.type,
                "field": self.field, "text": self.text, "spans": [list(s) for s in self.spans]}


@dataclass
class SearchProgress:
    """How far a search is: files and bytes done of the total, hits so far, the current file."""

    files_done: int = 0
    files_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    hits: int = 0
    current: Path | None = None
    errors: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        if self.bytes_total:
            return min(1.0, self.bytes_done / self.bytes_total)
        return self.files_done / self.files_total if self.files_total else 1.0


class Query:
    """What to look for: plain text (the default) or a regex, with smart case (a query with no
    capital letter matches any case) unless `case_sensitive` says otherwise."""

    def __init__(self, text: str, *, regex: bool = False, case_sensitive: bool | None = None) -> None:
        if not text:
            raise QueryError("nothing to search for")
        self.text = text
        self.regex = regex
        if case_sensitive is None:
            case_sensitive = any(c.isupper() for c in text)
        self.case_sensitive = case_sensitive
        flags = 0 if case_sensitive else re.IGNORECASE
        try:
            self.pattern = re.compile(text if regex else re.escape(text), flags)
        except re.error as exc:
            raise QueryError(f"bad regex {text!r}: {exc}") from None
        if regex and self.pattern.search(""):
            raise QueryError(f"regex {text!r} matches empty text: every line would be a hit")
        # a query with any case is looked for in the lowered bytes (bytes.lower() keeps offsets:
        # it maps ASCII only), which a case-sensitive scan does several times faster than an
        # IGNORECASE one
        self.prefilter = None if regex else _prefilter(text, case_sensitive)
        self.prefilter_lower = not case_sensitive

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in self.pattern.finditer(text) if m.end() > m.start()]


def _prefilter(text: str, case_sensitive: bool) -> re.Pattern[bytes] | None:
    """A bytes pattern that every raw line holding `text` in a JSON string matches (for a query
    with any case, every lowered raw line), or None when there is no safe one (a query with any
    case and non-ASCII letters)."""
    if not case_sensitive and any(ord(c) > 127 and c.lower() != c.upper() for c in text):
        return None
    forms = {
        text.encode(),
        json.dumps(text)[1:-1].encode(),  # \uXXXX for non-ASCII (Python's default)
        json.dumps(text, ensure_ascii=False)[1:-1].encode(),  # JavaScript, Rust
    }
    # a JSON string inside a JSON string (Codex tool outputs), escaped twice
    forms.add(json.dumps(json.dumps(text, ensure_ascii=False)[1:-1], ensure_ascii=False)[1:-1].encode())
    go = json.dumps(text)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    forms.add(go.encode())
    if "/" in text:
        forms.add(json.dumps(text)[1:-1].replace("/", "\\/").encode())
    if not case_sensitive:
        forms = {f.lower() for f in forms}
    alts = b"|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(alts)


# ---- the text of an event ------------------------------------------------------------------------


def _strings(value: Any, path: str, out: list[tuple[str, str]], depth: int = 0) -> None:
    if isinstance(value, str):
        if value:
            out.append((path or "value", value))
    elif isinstance(value, dict) and depth < 16:
        for k, v in value.items():
            _strings(v, f"{path}.{k}" if path else str(k), out, depth + 1)
    elif isinstance(value, list) and depth < 16:
        for v in value:
            _strings(v, path, out, depth + 1)


def event_texts(fmt: Any, event: Any) -> list[tuple[str, str]]:
    """The (label, text) sections of an event that a search looks in."""
    from agentlog_tui.core.formats.base import event_details

    sections = event_details(fmt, event)
    if sections:
        return sections
    out: list[tuple[str, str]] = []
    _strings(event.data, "", out)
    return out


def _cut(text: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A long line cut to a window around its first match (spans moved with it)."""
    first = spans[0][0]
    start = max(0, first - CONTEXT)
    end = min(len(text), spans[0][1] + CONTEXT)
    if start == 0 and end == len(text):
        return text, tuple(spans)
    pre = "…" if start > 0 else ""
    post = "…" if end < len(text) else ""
    shift = len(pre) - start
    kept = tuple((a + shift, b + shift) for a, b in spans if a >= start and b <= end)
    return pre + text[start:end] + post, kept


# ---- one file ------------------------------------------------------------------------------------


class _Lines:
    """A log's complete lines, chunk by chunk, with the 1-based number of each chunk's first."""

    def __init__(self, f: Any) -> None:
        self.f = f
        self.carry = b""
        self.next_line = 1
        self.bytes_read = 0

    def chunks(self) -> Iterator[tuple[bytes, int]]:
        while True:
            data = self.f.read(CHUNK)
            if not data:
                if self.carry:
                    buf, self.carry = self.carry, b""
                    yield buf, self.next_line
                return
            self.bytes_read += len(data)
            buf = self.carry + data
            cut = buf.rfind(b"\n")
            if cut < 0:
                self.carry = buf
                continue
            self.carry = buf[cut + 1:]
            body = buf[: cut + 1]
            first = self.next_line
            self.next_line += body.count(b"\n")
            yield body, first


def _detect(head: bytes) -> tuple[Any, Any]:
    from agentlog_tui.core.formats import REGISTRY, Options

    objs: list[dict] = []
    for raw in head.split(b"\n"):
        if len(objs) >= DETECT_OBJECTS:
            break
        try:
            obj = orjson.loads(raw.removeprefix(b"\xef\xbb\xbf"))
        except orjson.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            objs.append(obj)
    fmt = REGISTRY.detect(objs)
    return fmt, fmt.mapper(objs, Options())


def search_file(path: str | os.PathLike[str], query: Query, *, cancel: Cancel | None = None,
                on_bytes: Callable[[int], None] | None = None) -> Iterator[Hit]:
    """The hits of one log, in file order, streamed (the file is read in chunks; with a plain
    query only the lines whose bytes hold the text are parsed). `on_bytes(n)` is told how many
    bytes of the file have been read so far. Raises OSError for an unreadable file."""
    from agentlog_tui.core.events import Event
    from agentlog_tui.core.sessions import open_bytes

    p = Path(path)
    pre = query.prefilter
    recent: deque[tuple[int, str]] = deque(maxlen=32)  # (line, text) of recent hits
    with open_bytes(p) as f:
        lines = _Lines(f)
        fmt = mapper = None
        for buf, first_line in lines.chunks():
            if cancel is not None and cancel.is_set():
                return
            if fmt is None:
                fmt, mapper = _detect(buf[: 4 << 20])
            line_no, counted = first_line, 0
            pos = 0
            hay = buf.lower() if pre is not None and query.prefilter_lower else buf
            while pos < len(buf):
                if pre is not None:
                    m = pre.search(hay, pos)
                    if m is None:
                        break
                    start = buf.rfind(b"\n", 0, m.start()) + 1
                else:
                    start = pos
                end = buf.find(b"\n", start)
                if end < 0:
                    end = len(buf)
                line_no += buf.count(b"\n", counted, start)
                counted = start
                pos = end + 1
                raw = buf[start:end].rstrip(b"\r")
                if start == 0 and first_line == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                for h in _line_hits(p, raw, line_no, fmt, mapper, query, Event):
                    if any(line_no - ln <= DEDUP_LINES and tx == h.text for ln, tx in recent):
                        continue
                    recent.append((line_no, h.text))
                    yield h
            if on_bytes is not None:
                on_bytes(lines.bytes_read)


def _line_hits(path: Path, raw: bytes, line_no: int, fmt: Any, mapper: Any, query: Query,
               Event: Any) -> list[Hit]:
    if not raw.strip():
        return []
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return []
    if not isinstance(obj, dict):
        return []
    try:
        m = mapper.map(obj)
    except Exception:  # noqa: BLE001 - a record the format cannot map has no event to open
        return []
    seq = m.seq if m.seq is not None and not mapper.uses_line_numbers else line_no
    ev = Event.make(seq, m.type, m.data, m.ts, line_no, 0, raw, False, m.key)
    out: list[Hit] = []
    for label, text in event_texts(fmt, ev):
        if not query.pattern.search(text):
            continue
        for tline in text.split("\n"):
            spans = query.spans(tline)
            if spans:
                shown, kept = _cut(tline, spans)
                out.append(Hit(path, line_no, seq, m.type, label, shown, kept))
    return out


# ---- many files ----------------------------------------------------------------------------------


def search(paths: Iterable[str | os.PathLike[str]], query: Query, *,
           progress: Callable[[SearchProgress], None] | None = None,
           cancel: Cancel | None = None, every: float = 0.1) -> Iterator[Hit]:
    """The hits of every log in `paths`, file by file in the order given, streamed.

    `progress` is called at most every `every` seconds while reading and once at the end with the
    final counts; a file that cannot be read is recorded in `SearchProgress.errors` and skipped."""
    files = [Path(p) for p in paths]
    prog = SearchProgress(files_total=len(files))
    for p in files:
        try:
            prog.bytes_total += p.stat().st_size
        except OSError:
            pass
    last = 0.0

    def tell(force: bool = False) -> None:
        nonlocal last
        now = time.monotonic()
        if progress is not None and (force or now - last >= every):
            last = now
            progress(prog)

    for p in files:
        if cancel is not None and cancel.is_set():
            break
        prog.current = p
        base = prog.bytes_done
        try:
            size = p.stat().st_size
        except OSError:
            size = 0
        compressed = p.name.endswith((".gz", ".zst"))
        tell()

        def on_bytes(n: int, base: int = base, size: int = size, compressed: bool = compressed) -> None:
            # a compressed file's progress is counted in its own bytes at its end
            if not compressed:
                prog.bytes_done = base + min(n, size)
            tell()

        try:
            for hit in search_file(p, query, cancel=cancel, on_bytes=on_bytes):
                prog.hits += 1
                yield hit
                tell()
        except OSError as exc:
            prog.errors.append((p, exc.strerror.lower() if exc.strerror else str(exc)))
        except Exception as exc:  # noqa: BLE001 - e.g. a corrupt compressed stream
            prog.errors.append((p, f"cannot read: {exc}"))
        prog.bytes_done = base + size
        prog.files_done += 1
        tell()
    prog.current = None
    tell(force=True)
