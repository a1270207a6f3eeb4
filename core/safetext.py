"""The one function that makes log-derived text safe for a terminal.

Everything that comes from a log (types, keys, values, summaries, error messages quoting a line,
file names) is data. Before it reaches a terminal, through the app or the CLI's text output, it
goes through `safe_text`, which shows every character a terminal could interpret instead of
passing it on:

- C0 controls (U+0000-U+001F, ESC included) become their Unicode control pictures (``␛``, ``␊``,
  ``␉``...): one column each, so layouts keep their widths;
- DEL (U+007F) becomes ``␡``;
- C1 controls (U+0080-U+009F: CSI U+009B, OSC U+009D, ST U+009C...) become ``\\x9b``;
- bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) and the line and
  paragraph separators (U+2028, U+2029) become ``\\u202e``;
- lone surrogates (U+D800-U+DFFF, which cannot even be encoded for output) become ``\\udc80``.

The result holds none of those code points, so no escape sequence, no reordering of a line and no
encoding error can come out of it. The function is idempotent (its stand-ins are printable) and
cheap on the common case (a printable string is returned as it is).
"""

from __future__ import annotations

from typing import Any

_TABLE: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20)}  # ␀ .. ␟ (␛ for ESC)
_TABLE[0x7F] = "\u2421"  # ␡
for _c in range(0x80, 0xA0):
    _TABLE[_c] = f"\\x{_c:02x}"
for _c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0x2028, 0x2029):
    _TABLE[_c] = f"\\u{_c:04x}"
for _c in range(0xD800, 0xE000):
    _TABLE[_c] = f"\\u{_c:04x}"
del _c

#: Every code point `safe_text` replaces (for tests and for callers that want to check text).
UNSAFE = frozenset(_TABLE)


def safe_text(value: Any) -> str:
    """`value` as text a terminal shows literally: no control, bidi or surrogate code point left.

    Strings are sanitized as they are; bytes are decoded as UTF-8 (invalid bytes shown as U+FFFD);
    any other value is converted with `str` (or `repr`, or a fixed stand-in when those raise).
    """
    if isinstance(value, str):
        s = value
    elif isinstance(value, (bytes, bytearray, memoryview)):
        s = bytes(value).decode("utf-8", errors="replace")
    else:
        s = _to_str(value)
    if s.isprintable():  # every character _TABLE replaces is non-printable: the common case
        return s
    return s.translate(_TABLE)


def _to_str(value: Any) -> str:
    try:
        s = str(value)
    except Exception:  # noqa: BLE001 - a hostile __str__ must not take the display down
        try:
            s = repr(value)
        except Exception:  # noqa: BLE001
            return f"<{type(value).__name__}>"
    return s if isinstance(s, str) else f"<{type(value).__name__}>"


def is_safe(s: str) -> bool:
    """True when `s` holds no code point `safe_text` would replace."""
    return s.isprintable() or not any(ord(ch) in UNSAFE for ch in s)
