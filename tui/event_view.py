"""The Event tab's content: a record as readable sections, or as its JSON and raw line.

The readable view shows what the log format says the record holds (`details`: a text, a command,
a tool's whole output), each under a bold label; the JSON view is the record as parsed and as
written. Both are built as literal `Text` (log content is never markup) with control characters
made visible, except that newlines and tabs in a multi-line text keep their layout.

A huge payload is cut (`payload.SHOW_LIMIT`, the first ~8 KB of each section, of the JSON and of
the raw line) with "… N KB more, press + to show all"; base64 images are named, never printed
(`payload.py`), in the readable view, the JSON and the raw line alike.
"""

from __future__ import annotations

import orjson
from rich.text import Text

from agentlog_tui.core.events import Event, Malformed, PendingTail, Record
from agentlog_tui.tui.payload import (
    SHOW_ALL_KEY,
    SHOW_LIMIT,
    blob_name,
    cut_text,
    more_note,
    name_blobs,
    name_blobs_in_text,
)
from agentlog_tui.tui.text import literal, pretty_json, visible

READABLE = "readable"
JSON = "json"

LABEL_STYLE = "bold #5fafff"
ALERT_LABELS = ("error", "stderr", "interrupted")
INLINE_WIDTH = 60  # a one-line text this short sits beside its label
TAB_SIZE = 8
# Beyond this a text is cut even when all is asked for: a multi-megabyte one would hold the UI
# thread for seconds while it is laid out.
MAX_SECTION_CHARS = 400_000
RAW_STYLE = "#a8a8a8"


class Cutter:
    """Cuts the texts of one record to `payload.SHOW_LIMIT` (unless `full`), and remembers
    whether it cut anything (the `+` key then has something to show)."""

    def __init__(self, full: bool) -> None:
        self.full = full
        self.cut = False

    def append(self, t: Text, text: str, style: str = "") -> None:
        """`text` into `t`, cut, with the note saying how much is left out."""
        limit = MAX_SECTION_CHARS if self.full else None
        if limit is None:
            text, left = cut_text(text)
        else:
            left = max(0, len(text) - limit)
            text = text[:limit]
        t.append(text, style=style)
        if left:
            self.cut = self.cut or not self.full
            note = more_note(left) if not self.full else f"… {left:,} more characters not shown"
            t.append(f"\n{note}", style="bold #d7af5f")


def raw_shown(raw: bytes) -> str:
    """A raw log line as visible text, its base64 images named (invalid UTF-8 shown with
    replacement characters)."""
    return visible(name_blobs_in_text(raw.decode("utf-8", errors="replace")))


def block(text: str) -> str:
    """A multi-line text as visible characters: lines and tab stops kept, other controls shown."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(visible(line.expandtabs(TAB_SIZE)) for line in lines)


def sections_text(sections: list[tuple[str, str]], cutter: Cutter | None = None) -> Text:
    """Readable sections: `label: text` when short, else a label line and the text below it.

    Short sections follow each other line by line; a block stands apart by a blank line.
    """
    cutter = cutter or Cutter(full=False)
    t = Text(end="")
    prev_block = False
    for i, (label, text) in enumerate(sections):
        text = blob_name(text) or text  # a section that is a base64 image is named
        style = "bold red" if label.startswith(ALERT_LABELS) else LABEL_STYLE
        inline = not text.strip() or ("\n" not in text and len(label) + len(text) <= INLINE_WIDTH)
        if i and (prev_block or not inline):
            t.append("\n")
        t.append(visible(label), style=style)
        if not text.strip():
            t.append(": ", style=style)
            t.append("(empty)" if not text else f"(blank: {visible(text)})", style="dim")
        elif inline:
            t.append(": ", style=style)
            t.append(visible(text.expandtabs(TAB_SIZE)))
        else:
            t.append("\n")
            body = name_blobs_in_text(text.rstrip("\n"))  # data URLs inside a text
            cutter.append(t, block(body))
        t.append("\n")
        prev_block = not inline
    return t


def _header(rec: Event) -> Text:
    t = Text(end="")
    t.append(f"#{rec.seq} ", style="bold")
    t.append(literal(rec.type, "bold"))
    t.append(f"\nline {rec.line} · byte offset {rec.offset}", style="dim")
    if rec.unterminated:
        t.append(" · last line, no newline yet", style="yellow")
    return t


def _json(rec: Event, cutter: Cutter) -> Text:
    t = Text(end="")
    try:
        obj = orjson.loads(rec.raw)
    except orjson.JSONDecodeError:
        obj = {"type": rec.type, "data": rec.data}
    cutter.append(t, pretty_json(name_blobs(obj)))
    t.append("\n\nraw line:\n", style="bold")
    cutter.append(t, raw_shown(rec.raw), RAW_STYLE)
    return t


def event_text(rec: Record | None, sections: list[tuple[str, str]], mode: str,
               cutter: Cutter | None = None) -> Text:
    """Everything the Event tab shows for one record, in `mode` (READABLE or JSON); `cutter`
    says whether to show huge texts whole, and records whether it cut any."""
    cutter = cutter or Cutter(full=False)
    t = Text(end="")
    if rec is None:
        t.append("no record", style="dim")
    elif isinstance(rec, Event):
        t.append(_header(rec))
        body = sections_text(sections, cutter) if sections and mode == READABLE else _json(
            rec, cutter)
        if cutter.cut:  # said at the top too: the note at the cut is pages below
            t.append(f"\nhuge payload: its first ~{SHOW_LIMIT // 1024} KB shown, press "
                     f"{SHOW_ALL_KEY} to show all", style="bold #d7af5f")
        if sections and mode == READABLE:
            t.append("\nv: JSON and raw line\n\n", style="dim")
        else:
            if sections:
                t.append("\nv: readable view", style="dim")
            t.append("\n\n")
        t.append(body)
    elif isinstance(rec, Malformed):
        t.append(f"malformed line {rec.line} · byte offset {rec.offset}\n", style="bold red")
        t.append(literal(rec.error, "red"))
        t.append("\n\nraw line:\n", style="bold")
        cutter.append(t, raw_shown(rec.raw), RAW_STYLE)
    elif isinstance(rec, PendingTail):
        t.append(f"pending line {rec.line} · byte offset {rec.offset}\n", style="bold yellow")
        t.append("the writer has not finished this line yet\n\n", style="dim")
        cutter.append(t, raw_shown(rec.raw), RAW_STYLE)
    else:
        t.append("blank line", style="dim")
    return t
