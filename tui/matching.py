"""What the filter (`/`) matches: values, not keys, by a regular expression.

`compile_query` turns what the user typed into a pattern: a regular expression when it is one
(`error|fail`, `exit [1-9]`), else the literal text; case-insensitive unless the query has a
capital letter (vim's smartcase). `record_matches` tries the pattern on a record's type and on
every string and number inside its data, never on the keys, so `/error` finds an error message
and not `"is_error": false`. `highlight` marks the matches in a `Text` (timeline rows, Event tab).
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text

from agentlog_tui.core.events import Event

MATCH_STYLE = "bold #000000 on #ffd75f"
MAX_DEPTH = 64


def compile_query(query: str) -> re.Pattern[str]:
    flags = 0 if any(c.isupper() for c in query) else re.IGNORECASE
    try:
        return re.compile(query, flags)
    except re.error:
        return re.compile(re.escape(query), flags)


def _values(value: Any, depth: int = 0):
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        yield str(value)
    elif depth < MAX_DEPTH:
        if isinstance(value, dict):
            for v in value.values():
                yield from _values(v, depth + 1)
        elif isinstance(value, list):
            for v in value:
                yield from _values(v, depth + 1)


def record_matches(pattern: re.Pattern[str], rec: Any, raw: bytes) -> bool:
    """Does the record (an `Event`, or any other line by its raw text) match the pattern?"""
    if not isinstance(rec, Event):
        return pattern.search(raw.decode("utf-8", "replace")) is not None
    if pattern.search(rec.type):
        return True
    return any(pattern.search(v) for v in _values(rec.data))


def may_match(pattern: re.Pattern[str], raw: bytes) -> bool:
    """A quick test on the raw line: False only when no value of it can match (a line with
    JSON escapes is always parsed)."""
    if b"\\" in raw:
        return True
    return pattern.search(raw.decode("utf-8", "replace")) is not None


def highlight(text: Text, pattern: re.Pattern[str] | None) -> Text:
    """`text` with the pattern's matches marked (in place; returns it)."""
    if pattern is not None and pattern.pattern:
        for m in pattern.finditer(text.plain):
            if m.end() > m.start():
                text.stylize(MATCH_STYLE, m.start(), m.end())
    return text
