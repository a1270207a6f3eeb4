"""A log whose every string (types, keys, values, ids, timestamps, errors) carries what a terminal
could interpret: OSC 0 (title), OSC 52 (clipboard), CSI, C1 controls, bidi overrides and
isolates, DEL and BEL; lone surrogates reach the app through nested JSON (Codex arguments) and
custom projections, so `HOSTILE` holds them too for the text-level tests.

Imported as `hostile_log` (a unique module name, like `cli_helpers`)."""

from __future__ import annotations

from pathlib import Path

import orjson

from agentlog_tui.core.safetext import UNSAFE

OSC_TITLE = "\x1b]0;PWNED\x1b\\"
OSC_CLIP = "\x1b]52;c;cHduZWQ=\x07"
CSI = "\x1b[31m\x1b[2J"
C1 = "\x9b31m\x9d0;T\x9c\x85"
BIDI = "\u202eevil\u202c\u2066x\u2069\u200f\u061c"
MISC = "\x7f\x00\x08\r"
SURROGATE = "\ud800\udfff"
ALL_LINE = OSC_TITLE + OSC_CLIP + CSI + C1 + BIDI + MISC  # what a JSON line can carry
HOSTILE = ALL_LINE + SURROGATE


def hostile_lines() -> list[bytes]:
    """Lines of a generic-format log: events with hostile types, keys and values, a resume, a
    snapshot, a malformed line quoting escapes and a pending tail."""
    h = ALL_LINE
    events = [
        {"seq": 1, "ts": "2026-11-26T09:00:01Z", "type": f"task{h}_started",
         "data": {"id": f"t{h}", "title": f"T{h}", f"k{h}ey": [h, {h: h}]}},
        {"seq": 2, "ts": f"2026{h}", "type": f"task{h}_finished",
         "data": {"id": f"t{h}", "summary": h, "status": h}},
        {"seq": 3, "ts": "2026-11-26T09:00:03Z", "type": f"{h}_failed",
         "data": {"error": h, "id": h}},
        {"seq": 4, "ts": "2026-11-26T09:00:04Z", "type": "mail_sent", "data": {"to": h, "body": h}},
        {"seq": 5, "ts": "2026-11-26T09:00:05Z", "type": "executor_resumed",
         "data": {"from_event": 3, "note": h}},
        {"seq": 6, "ts": "2026-11-26T09:00:06Z", "type": "mail_sent", "data": {"to": h, "body": h}},
        {"seq": 7, "ts": "2026-11-26T09:00:07Z", "type": "snapshot",
         "data": {"state": {h: {"status": h}}, "note": h}},
        {"seq": 8, "ts": "2026-11-26T09:00:08Z", "type": f"task{h}_started",
         "data": {"id": f"t{h}", "title": f"again{h}"}},
        {"seq": 5, "ts": "2026-11-26T09:00:09Z", "type": f"dup{h}_set", "data": {h: 1}},
    ]
    lines = [orjson.dumps(e) for e in events]
    lines.insert(3, f'{{"seq": 99, "type": "bad{h}", '.encode())  # malformed, quoting escapes
    lines.insert(5, ("not json " + h).encode())
    lines.append(f'{{"seq": 10, "type": "tail{h}"'.encode())  # pending tail (no newline)
    return lines


def write_hostile_log(dir_: Path, name: str = "hostile.jsonl") -> Path:
    p = Path(dir_) / name
    p.write_bytes(b"\n".join(hostile_lines()))  # the last line stays unterminated
    return p


def unsafe_in(text: str) -> list[str]:
    """The code points of `text` a terminal could interpret (empty when safe)."""
    return sorted({f"U+{ord(c):04X}" for c in text if ord(c) in UNSAFE and c not in "\n"})
