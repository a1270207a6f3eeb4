"""Big payloads on screen: base64 images named, never printed; huge texts cut with a key to see all.

An agent log carries screenshots as base64 (Claude Code `{"type": "image", "source": {"type":
"base64", "media_type": "image/png", "data": "…"}}`, a Read tool's `{"file": {"base64": …}}`,
Codex `input_image` data URLs `data:image/png;base64,…`). Laying out 200 KB of base64 holds the
UI thread for most of a second and shows nothing a person can read, so every view names such a
value instead: `[image/png, 143 KB base64]`. The views use `name_blobs` on a parsed value,
`name_blobs_in_text` on a raw line, and `blob_name` on a single string.
"""

from __future__ import annotations

import re
from typing import Any

MIN_BLOB = 1024  # a base64 string shorter than this is shown as it is
# the first ~8 KB of a huge payload are shown; the key SHOW_ALL_KEY shows the rest
SHOW_LIMIT = 8 * 1024
SHOW_ALL_KEY = "+"

_B64 = re.compile(r"[A-Za-z0-9+/\r\n]+={0,2}")
_DATA_URL = re.compile(r"data:([\w.+-]+/[\w.+-]+)?(?:;[\w.+-]+=[\w.+-]+)*;base64,")
# in a raw JSON line: a data URL, or a string literal of base64 characters only (JSON may escape
# "/" as "\/" and hold "\n": the backslash is allowed), at least MIN_BLOB long
_RAW_BLOB = re.compile(
    r'"(data:[\w.+-]+/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,)?'
    r"([A-Za-z0-9+/\\]{" + str(MIN_BLOB) + r',}={0,2})"'
)
_MEDIA_KEYS = ("media_type", "mime_type", "mimeType", "type")


def _size(n_chars: int) -> str:
    n = n_chars * 3 // 4  # the decoded size
    return f"{n / 1024:,.0f} KB" if n >= 1024 else f"{n} bytes"


def _label(media: str | None, n_chars: int) -> str:
    return f"[{media or 'base64 data'}, {_size(n_chars)} base64]"


def blob_name(s: str, media: str | None = None) -> str | None:
    """`[image/png, 143 KB base64]` when `s` is a base64 blob or a base64 data URL, else None.

    Only the ends of a long string are examined (a blob is all base64 characters; a text of
    this length holds spaces)."""
    if len(s) < MIN_BLOB:
        return None
    m = _DATA_URL.match(s)
    if m is not None:
        return _label(m.group(1) or media, len(s) - m.end())
    head, tail = s[:256], s[-64:]
    if _B64.fullmatch(head) and _B64.fullmatch(tail) and " " not in s[256:4096]:
        return _label(media, len(s))
    return None


def media_of(d: dict) -> str | None:
    """The media type a dict names for its data (`media_type`, `mime_type`, `type`)."""
    for k in _MEDIA_KEYS:
        v = d.get(k)
        if isinstance(v, str) and "/" in v:
            return v
    return None


def name_blobs(value: Any, media: str | None = None) -> Any:
    """`value` with every base64 blob replaced by its name (the value itself when it has none:
    nothing is copied then)."""
    if isinstance(value, str):
        name = blob_name(value, media)
        return value if name is None else name
    if isinstance(value, dict):
        here = media_of(value) or media
        out = None
        for k, v in value.items():
            nv = name_blobs(v, here)
            if nv is not v:
                if out is None:
                    out = dict(value)
                out[k] = nv
        return value if out is None else out
    if isinstance(value, list):
        out_l = None
        for i, v in enumerate(value):
            nv = name_blobs(v, media)
            if nv is not v:
                if out_l is None:
                    out_l = list(value)
                out_l[i] = nv
        return value if out_l is None else out_l
    return value


def name_blobs_in_text(text: str) -> str:
    """A raw JSON line with its base64 string literals replaced by their names (the media type
    from a data URL, or from a `media_type` / `type` field just before the data)."""
    if len(text) < MIN_BLOB:
        return text

    def sub(m: re.Match) -> str:
        prefix = m.group(1)
        if prefix:
            media = _DATA_URL.match(prefix)
            return '"' + _label(media.group(1) if media else None, len(m.group(2))) + '"'
        before = text[max(0, m.start() - 200) : m.start()]
        found = re.findall(
            r'"(?:media_type|mime_type|mimeType|type)"\s*:\s*"([\w.+-]+/[\w.+-]+)"', before
        )
        return '"' + _label(found[-1] if found else None, len(m.group(2))) + '"'

    return _RAW_BLOB.sub(sub, text)


def cut_text(text: str, limit: int = SHOW_LIMIT) -> tuple[str, int]:
    """The first `limit` characters of `text` (at a line end when one is near) and how many
    characters are left out."""
    if len(text) <= limit:
        return text, 0
    end = text.rfind("\n", limit // 2, limit)
    end = limit if end < 0 else end
    return text[:end], len(text) - end


def more_note(n_chars: int) -> str:
    """`… 187 KB more, press + to show all`."""
    size = f"{n_chars / 1024:,.0f} KB" if n_chars >= 1024 else f"{n_chars} characters"
    return f"… {size} more, press {SHOW_ALL_KEY} to show all"
