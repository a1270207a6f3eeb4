"""The Event tab's content: a record as readable sections, or as its JSON and raw line.

The readable view shows what the log format says the record holds (`details`: a text, a command,
a tool's whole output), each under a bold label; the JSON view is the record as parsed and as
written. Both are built as literal `Text` (log content is never markup) with control characters
made visible, except that newlines and tabs in a multi-line text keep their layout.
"""

from __future__ import annotations

import orjson
from rich.text import Text

from agentlog_tui.core.events import Event, Malformed, PendingTail, Record
from agentlog_tui.tui.text import literal, pretty_json, raw_text, visible

READABLE = "readable"
JSON = "json"

LABEL_STYLE = "bold #5fafff"
ALERT_LABELS = ("error", "stderr", "interrupted")
INLINE_WIDTH = 60  # a one-line text this short sits beside its label
TAB_SIZE = 8
# Beyond this a text is cut: whole for any real tool output, but a multi-megabyte one would hold
# the UI thread for seconds while it is laid out.
MAX_SECTION_CHARS = 400_000


def block(text: str) -> str:
    """A multi-line text as visible characters: lines and tab stops kept, other controls shown."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(visible(line.expandtabs(TAB_SIZE)) for line in lines)


def sections_text(sections: list[tuple[str, str]]) -> Text:
    """Readable sections: `label: text` when short, else a label line and the text below it.

    Short sections follow each other line by line; a block stands apart by a blank line.
    """
    t = Text(end="")
    prev_block = False
    for i, (label, text) in enumerate(sections):
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
            body = text.rstrip("\n")
            cut = len(body) - MAX_SECTION_CHARS
            t.append(block(body[:MAX_SECTION_CHARS] if cut > 0 else body))
            if cut > 0:
                t.append(f"\n… {cut:,} more characters (v: the JSON and raw line)", style="dim")
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


def _json(rec: Event) -> Text:
    t = Text(end="")
    try:
        obj = orjson.loads(rec.raw)
    except orjson.JSONDecodeError:
        obj = {"type": rec.type, "data": rec.data}
    t.append(pretty_json(obj))
    t.append("\n\nraw line:\n", style="bold")
    t.append(raw_text(rec.raw), style="#a8a8a8")
    return t


def event_text(rec: Record | None, sections: list[tuple[str, str]], mode: str) -> Text:
    """Everything the Event tab shows for one record, in `mode` (READABLE or JSON)."""
    t = Text(end="")
    if rec is None:
        t.append("no record", style="dim")
    elif isinstance(rec, Event):
        t.append(_header(rec))
        if sections and mode == READABLE:
            t.append("\nv: JSON and raw line\n\n", style="dim")
            t.append(sections_text(sections))
        else:
            if sections:
                t.append("\nv: readable view", style="dim")
            t.append("\n\n")
            t.append(_json(rec))
    elif isinstance(rec, Malformed):
        t.append(f"malformed line {rec.line} · byte offset {rec.offset}\n", style="bold red")
        t.append(literal(rec.error, "red"))
        t.append("\n\nraw line:\n", style="bold")
        t.append(raw_text(rec.raw), style="#a8a8a8")
    elif isinstance(rec, PendingTail):
        t.append(f"pending line {rec.line} · byte offset {rec.offset}\n", style="bold yellow")
        t.append("the writer has not finished this line yet\n\n", style="dim")
        t.append(raw_text(rec.raw), style="#a8a8a8")
    else:
        t.append("blank line", style="dim")
    return t
