"""Logs that are not JSON Lines: one JSON array, an object holding the array, a folder of
per-event JSON files; and files that are no log at all, named in one line.

Many agents save a session as one JSON document (an OpenHands trajectory is an array of events;
others keep `{"history": [...]}`) or as one file per event (OpenHands' `events/0.json`,
`1.json`, ...). Such a log is read whole and shown to the engine as JSON Lines: element k becomes
line k + 1, its bytes the element re-serialised compactly, so everything that reads a log
(analysis, records, compaction review) works unchanged. An event's id is then the element's
number (1 for the first element), unless the element carries an id of its own. Such a log is not
appended to line by line, so it is not live-tailed (`refresh` reads nothing new).

`open_log(path)` is the one entry point: it sniffs the file's first bytes and returns a `LogFile`
for JSON Lines (the common case, nothing read beyond a few KB), a `JsonDocLog` for the rest, or
raises `LogReadError` with one line naming what the file looks like.
"""

from __future__ import annotations

import os
import re
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from agentlog_tui.core.reader import BOM, LogFile, LogReadError

# keys under which an object holds its array of events (first present wins)
ARRAY_KEYS = ("events", "trajectory", "history", "messages", "items", "records", "entries", "steps",
              "log")
# an object with one of these as a string is an event itself (a one-line JSON Lines log)
EVENT_TYPE_KEYS = ("type", "event", "event_type", "kind")
SNIFF_BYTES = 64 << 10
SNIFF_LINES = 64
# per-event files: `0.json`, `12.json`, `event-00001.json`, `event_3.json`, `00042.json`, and
# `event-00001-<uuid>.json` (the OpenHands SDK)
EVENT_FILE = re.compile(r"^(?:event[-_]?)?(\d+)(?:-[0-9A-Za-z-]+)?\.json$", re.IGNORECASE)
# compressed files are the reader's business (their magic numbers): never sniffed as text here
COMPRESSED_MAGIC = (b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"BZh", b"\xfd7zXZ\x00")


def _type_name(v: Any) -> str:
    return {list: "array", dict: "object", str: "string", int: "number", float: "number",
            bool: "boolean", type(None): "null"}.get(type(v), type(v).__name__)


def event_files(folder: Path) -> list[tuple[int, Path]] | None:
    """The per-event JSON files of `folder` (or of its `events/` subfolder), in number order;
    None when it holds none."""
    for d in (folder / "events", folder):
        try:
            names = os.listdir(d)
        except OSError:
            continue
        found = []
        for n in names:
            m = EVENT_FILE.match(n)
            if m is not None:
                found.append((int(m.group(1)), d / n))
        if found:
            found.sort(key=lambda x: (x[0], x[1].name))
            return found
    return None


def is_event_folder(path: str | os.PathLike[str]) -> bool:
    """True for a folder that is one log: per-event JSON files in it or in its `events/`."""
    return os.path.isdir(path) and event_files(Path(path)) is not None


class JsonDocLog(LogFile):
    """A JSON document (or a folder of per-event files) presented as JSON Lines, in memory.

    `container` says what it was read from, for the header and `check`: "json array",
    "json object" (with `key`, the field holding the array) or "event folder"."""

    live = False  # never tailed: a JSON document is rewritten whole, not appended to

    def __init__(self, path: str | os.PathLike[str], elements: list[Any] | None = None, *,
                 container: str = "json array", key: str | None = None,
                 files: list[Path] | None = None) -> None:
        self._elements = elements
        self.container = container
        self.key = key
        self._files = files
        self._buf = b""
        self.n_elements = 0
        self.file_errors: list[tuple[int, str]] = []  # (line, error) of per-event files that failed
        super().__init__(path, index=True)

    # ---- building ----------------------------------------------------------------------------

    def open(self) -> None:
        self.close()
        parts: list[bytes] = []
        if self._files is not None:
            for n, f in enumerate(self._files):
                try:
                    raw = f.read_bytes()
                except OSError as exc:
                    raw = b""
                    self.file_errors.append((n + 1, f"{f.name}: {(exc.strerror or str(exc)).lower()}"))
                parts.append(self._one_line(raw, f.name))
        else:
            for el in self._elements or ():
                parts.append(orjson.dumps(el, option=orjson.OPT_NON_STR_KEYS, default=repr))
            self._elements = None  # the bytes are what is kept
        self.n_elements = len(parts)
        self._buf = b"".join(p + b"\n" for p in parts)
        bounds = array("Q", [0])
        at = 0
        for p in parts:
            at += len(p) + 1
            bounds.append(at)
        self.bounds = bounds
        self.size = self.scanned = len(self._buf)
        self._probe = self._head = b""
        try:
            st = os.stat(self.path)
            self._inode = (st.st_dev, st.st_ino)
        except OSError:
            self._inode = None

    def _one_line(self, raw: bytes, name: str) -> bytes:
        """A per-event file's JSON as one line (re-serialised when it spans lines); bad JSON is
        kept as it is, with its newlines escaped, so that it shows as a malformed line."""
        if raw.startswith(BOM):
            raw = raw[3:]
        try:
            return orjson.dumps(orjson.loads(raw), option=orjson.OPT_NON_STR_KEYS)
        except orjson.JSONDecodeError:
            s = raw.strip().replace(b"\r", b"\\r").replace(b"\n", b"\\n")
            return s or b'"(empty file ' + name.encode("utf-8", "replace") + b')"'

    def close(self) -> None:
        self._fd = None

    def _pread(self, length: int, offset: int) -> bytes:
        if length <= 0:
            return b""
        return self._buf[offset : offset + length]

    def _pread_into(self, view: memoryview, offset: int) -> int:
        data = self._pread(len(view), offset)
        view[: len(data)] = data
        return len(data)

    def index_more(self, max_bytes: int | None = None) -> bool:
        return True

    def changed(self) -> str | None:
        return None  # not tailed: what was read is what is shown

    def refresh(self) -> int:
        return 0

    def describe(self) -> str:
        """One line for a header: what the log was read from."""
        n = self.n_elements
        each = f"{n} element{'s' if n != 1 else ''}, one event each"
        if self.container == "event folder":
            return f"a folder of {n} per-event JSON files, one event each; not live-tailed"
        where = f"the array under {self.key!r} of a JSON object" if self.key else "one JSON array"
        return f"{where}: {each}; not live-tailed"

    def written_form(self, lines: Iterator[bytes]) -> Iterator[bytes]:
        """Kept lines (each an element and a newline) as a file of the same kind as this one, for
        a compacted copy: a JSON array, or the same object with its array replaced. A folder of
        per-event files is written as one JSON array (a file, not a folder)."""
        if self.container == "json object" and self.key is not None:
            try:
                obj = orjson.loads(Path(self.path).read_bytes().removeprefix(BOM))
            except (OSError, orjson.JSONDecodeError):
                obj = None
            if isinstance(obj, dict):
                obj[self.key] = [orjson.loads(ln) for ln in lines]
                yield orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"
                return
        yield b"["
        sep = b"\n"
        for ln in lines:
            yield sep + ln.rstrip(b"\n")
            sep = b",\n"
        yield b"\n]\n"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"container": self.container, "elements": self.n_elements, "live": False}
        if self.key is not None:
            out["key"] = self.key
        return out


# ---- sniffing ------------------------------------------------------------------------------------


def _array_in(obj: dict, named_only: bool = False) -> tuple[str, list] | None:
    """The (key, array) an object holds its events under, if any: one of ARRAY_KEYS, or (unless
    `named_only`) the object's only array of objects."""
    for k in ARRAY_KEYS:
        v = obj.get(k)
        if isinstance(v, list) and v and any(isinstance(x, dict) for x in v[:16]):
            return k, v
    if named_only:
        return None
    lists = [(k, v) for k, v in obj.items() if isinstance(v, list) and v
             and sum(isinstance(x, dict) for x in v[:16]) * 2 >= min(len(v), 16)]
    return lists[0] if len(lists) == 1 else None


def _text_lines(head: bytes) -> list[bytes]:
    lines = [ln.strip() for ln in head.split(b"\n")[:SNIFF_LINES * 4]]
    return [ln for ln in lines if ln][:SNIFF_LINES]


def _json_like(line: bytes) -> bool:
    """A line that means to be JSON: it opens an object or array and is text (a random binary
    line may start with `{` too)."""
    if line[:1] not in (b"{", b"[") or b"\x00" in line:
        return False
    try:
        line[:256].decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= min(len(line), 256) - 4  # a character cut by the slice is fine
    return True


def _what_it_looks_like(path: Path, head: bytes) -> str | None:
    """What a file that cannot be a log looks like, or None when it may be JSON Lines."""
    if not head or head.startswith(COMPRESSED_MAGIC):
        return None
    if not head.rstrip(b" \t\r\n").count(b"\n") and not head.endswith((b"\n", b"\r")):
        return None  # one unterminated line: a log being written may look like anything yet
    lines = _text_lines(head.removeprefix(BOM))
    if not lines or any(_json_like(ln) for ln in lines):
        return None  # JSON Lines, maybe with bad lines (each said on its own)
    sample = head[:4096]
    if b"\x00" in sample:
        return "binary data (NUL bytes)"
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the end of the sample
            return "binary data (not UTF-8 text)"
        text = sample[: exc.start].decode("utf-8")
    first = lines[0]
    if first[:1] == b"<":
        return "HTML or XML" if first[:5].lower() in (b"<!doc", b"<html") or first[:2] == b"<?" \
            else "markup (it starts with '<')"
    if text.lstrip().startswith(("---", "%YAML")):
        return "YAML"
    shown = first.decode("utf-8", "replace")
    shown = shown if len(shown) <= 60 else shown[:59] + "…"
    return f"plain text, not JSON (first line: {shown!r})"


def open_log(path: str | os.PathLike[str], *, index: bool = True, strict: bool = False) -> LogFile:
    """The log at `path`, read the way its content asks (see the module docstring).

    With `strict` (the CLI and the app, before they analyse a file the user named), a file that is
    no log raises LogReadError naming what it looks like; without it (the engine), such a file is
    read as JSON Lines, every line a record (malformed ones included), as the reader promises."""
    p = Path(path)
    if os.path.isdir(p):
        files = event_files(p)
        if files is None:
            return LogFile(p, index=index)  # the reader says it is a directory
        return JsonDocLog(p, container="event folder", files=[f for _, f in files])
    log = LogFile(p, index=False)
    head = log._pread(SNIFF_BYTES, 0)
    what = _what_it_looks_like(p, head) if strict else None
    if what is not None:
        log.close()
        raise LogReadError(f"{p}: not a JSON Lines log or a JSON array: it looks like {what}")
    try:
        doc = _as_document(log, head)
    except LogReadError:
        if strict:
            log.close()
            raise
        doc = None
    if doc is not None:
        log.close()
        return doc
    if index:
        log.index_more()
    return log


def _as_document(log: LogFile, head: bytes) -> JsonDocLog | None:
    """The file as one JSON document, when it is one (an array, or an object holding one);
    None when it is JSON Lines. Raises LogReadError for one JSON value that holds no events."""
    body = head.removeprefix(BOM).lstrip()
    c = body[:1]
    if c not in (b"[", b"{"):
        return None
    first_line = body.split(b"\n", 1)[0].rstrip(b"\r")
    single_line = body.rstrip().count(b"\n") == 0 and log.size <= SNIFF_BYTES
    if c == b"{" and not single_line:
        try:
            if isinstance(orjson.loads(first_line), dict):
                return None  # JSON Lines: the first line is an object of its own
        except orjson.JSONDecodeError:
            pass
    if c == b"[" and not single_line:
        try:
            orjson.loads(first_line)
            return None  # lines that are arrays: JSON Lines (each line malformed, said per line)
        except orjson.JSONDecodeError:
            pass
    data = log._pread(log.size, 0) if log.size > len(head) else head
    try:
        value = orjson.loads(data.removeprefix(BOM))
    except orjson.JSONDecodeError:
        return None  # not one document either: JSON Lines with bad lines, said per line
    path = log.path
    if isinstance(value, list):
        if single_line and not any(isinstance(x, dict) for x in value[:64]):
            return None  # a one-line log whose line is not an object (said as a malformed line)
        if value and not any(isinstance(x, dict) for x in value[:64]):
            kinds = sorted({_type_name(x) for x in value[:64]})
            raise LogReadError(f"{path}: not a log: a JSON array of {len(value)} "
                               f"{'/'.join(kinds)} values, not of event objects")
        return JsonDocLog(path, value)
    if isinstance(value, dict):
        if single_line and any(isinstance(value.get(k), str) for k in EVENT_TYPE_KEYS):
            return None  # a one-line JSON Lines log: its one event
        found = _array_in(value, named_only=single_line)
        if found is not None:
            return JsonDocLog(path, found[1], container="json object", key=found[0])
        if single_line:
            return None  # a one-line log of one record (malformed or not, said per line)
        keys = ", ".join(list(value)[:6]) + (", …" if len(value) > 6 else "")
        raise LogReadError(f"{path}: not a log: one JSON object (keys: {keys}) with no array of "
                           f"events under {', '.join(ARRAY_KEYS[:4])} or another key")
    return None


def container_json(log: Any) -> dict[str, Any] | None:
    """What a log was read from when it is not JSON Lines (for `check --json`), else None."""
    return log.to_json() if isinstance(log, JsonDocLog) else None


def container_note(log: Any) -> str | None:
    """One line saying what a log was read from when it is not JSON Lines, else None."""
    return f"read as {log.describe()}" if isinstance(log, JsonDocLog) else None
