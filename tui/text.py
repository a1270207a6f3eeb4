"""Turning log content into safe, literal Rich text.

Everything that comes from a log is data: it is put into `Text` objects as plain strings (never
parsed as markup), and control, bidi and surrogate code points are replaced by visible stand-ins (`safe_text`) so that a terminal
escape sequence inside a payload can never reach the terminal.
"""

from __future__ import annotations

import time
import zlib
from typing import Any

from rich.text import Text

from agentlog_tui.core.analysis import parse_ts
from agentlog_tui.core.diff import format_path
from agentlog_tui.core.jsonvalue import to_json
from agentlog_tui.core.projection import split_type
from agentlog_tui.core.safetext import safe_text
from agentlog_tui.tui.payload import name_blobs

ENTITY_COLOURS = (
    "#5fafff",
    "#87d787",
    "#d7af5f",
    "#af87ff",
    "#5fd7d7",
    "#ff87af",
    "#d7d75f",
    "#87afd7",
    "#ffaf87",
    "#afd7af",
)


def visible(s: Any) -> str:
    """`s` with every control, bidi and surrogate code point replaced by a visible stand-in
    (`agentlog_tui.core.safetext.safe_text`, the one sanitizer for terminal text)."""
    return safe_text(s)


def literal(s: Any, style: str = "") -> Text:
    """A Text holding `s` literally (no markup), with control characters made visible."""
    return Text(safe_text(s), style=style, no_wrap=True, end="")


def raw_text(raw: bytes) -> str:
    """A raw log line as visible text (invalid UTF-8 shown with replacement characters)."""
    return visible(raw.decode("utf-8", errors="replace"))


def pretty_json(value: Any) -> str:
    """Indented JSON for the inspector (control characters escaped by JSON itself)."""
    return to_json(value, indent=True).decode()


def short_json(value: Any, width: int = 60) -> str:
    """One-line JSON for a value, cut to `width` characters (base64 images named, not shown)."""
    s = visible(to_json(name_blobs(value)).decode())
    return s if len(s) <= width else s[: width - 1] + "…"


def entity_colour(type_: str) -> str:
    """A stable colour for the entity of an event type."""
    entity, _verb = split_type(type_)
    return ENTITY_COLOURS[zlib.crc32(entity.encode("utf-8", "replace")) % len(ENTITY_COLOURS)]


def clock(ts: Any) -> str:
    """HH:MM:SS (local time) of an event's timestamp, or blanks when it has none."""
    t = parse_ts(ts)
    if t is None:
        return "--:--:--"
    try:
        return time.strftime("%H:%M:%S", time.localtime(t))
    except (OverflowError, OSError, ValueError):
        return "--:--:--"


def path_text(path: tuple) -> str:
    """A state path as `a.b[0].c`, `draft["drafts/x.md"].sha` (visible characters only)."""
    return visible(format_path(path))
