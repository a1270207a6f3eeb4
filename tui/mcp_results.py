"""What the MCP tools share about their results: paths into a state (`a.b["c d"][2]` or a JSON
array of keys) and keeping a result under `MAX_RESULT_CHARS` characters of JSON (a list cut to
its first items, an object to its outline, with a note saying how to ask for less)."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

MAX_RESULT_CHARS = 60_000
MAX_LIST_ITEMS = 200


class ToolFailure(Exception):
    """A bad argument or an unreadable log: the tool answers with an error message."""


# ---- paths into the state ----------------------------------------------------------------------

_TOKEN = re.compile(r'\.?([^.\[\]"]+)|\[(-?\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def parse_path(text: str | list | None) -> tuple:
    """A state path from `a.b["c d"][2]` (as the CLI prints paths) or a JSON array of keys."""
    if text is None or text == "" or text == []:
        return ()
    if isinstance(text, list):
        return tuple(text)
    s = text.strip()
    if s.startswith("["):
        try:
            v = json.loads(s)
        except ValueError:
            v = None
        if isinstance(v, list):
            return tuple(v)
    out: list[Any] = []
    i = 0
    while i < len(s):
        m = _TOKEN.match(s, i)
        if m is None or m.end() == i:
            raise ToolFailure(f"cannot read the path {text!r} at character {i + 1}: write it like "
                              'publish.devto.url, draft["drafts/x.md"].sha or ["draft", "drafts/x.md"]')
        if m.group(1) is not None:
            out.append(m.group(1))
        elif m.group(2) is not None:
            out.append(int(m.group(2)))
        else:
            out.append(json.loads(m.group(3)))
        i = m.end()
    return tuple(out)


def resolve(state: Any, path: tuple) -> tuple[tuple, Any]:
    """The path with the state's own keys (list indices as ints) and the value there; ToolFailure
    naming the first key that is not there."""
    cur = state
    real: list[Any] = []
    for k in path:
        if isinstance(cur, dict):
            if k in cur:
                key = k
            elif str(k) in cur:
                key = str(k)
            else:
                keys = ", ".join(list(map(str, cur))[:20])
                raise ToolFailure(f"no {k!r} at {format_path(tuple(real))} (keys there: {keys})")
            real.append(key)
            cur = cur[key]
        elif isinstance(cur, list):
            try:
                idx = int(k)
            except (TypeError, ValueError):
                raise ToolFailure(f"{format_path(tuple(real))} is a list: {k!r} is not an index") from None
            if not -len(cur) <= idx < len(cur):
                raise ToolFailure(f"{format_path(tuple(real))} has {len(cur)} items: no index {idx}")
            idx %= len(cur)
            real.append(idx)
            cur = cur[idx]
        else:
            raise ToolFailure(f"{format_path(tuple(real))} is a value, not an object or a list")
    return tuple(real), cur


def format_path(path: tuple) -> str:
    from agentlog_tui.core.diff import format_path as fp

    return fp(path)


# ---- bounding results ----------------------------------------------------------------------------


def _size(obj: Any) -> int:
    return len(orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS, default=repr))


def outline(value: Any, depth: int = 0) -> Any:
    """A value with everything below the first level summarised (`{…12 keys}`, `[…40 items]`)."""
    if isinstance(value, dict):
        if depth >= 1:
            return f"{{…{len(value)} keys}}"
        return {k: outline(v, depth + 1) for k, v in list(value.items())[:MAX_LIST_ITEMS]}
    if isinstance(value, list):
        if depth >= 1:
            return f"[…{len(value)} items]"
        return [outline(v, depth + 1) for v in value[:MAX_LIST_ITEMS]]
    if isinstance(value, str) and len(value) > 200:
        return value[:199] + "…"
    return value


def bound(doc: dict, key: str, hint: str, limit: int | None = None) -> dict:
    """`doc` whole when it is small enough; else `doc[key]` cut (a list to its first items, an
    object to its outline) and a `truncated` note saying what was cut and how to ask for less."""
    if limit is None:
        limit = MAX_RESULT_CHARS
    size = _size(doc)
    if size <= limit:
        return doc
    value = doc.get(key)
    out = dict(doc)
    if isinstance(value, list):
        lo, hi = 0, len(value)
        while lo < hi:  # the longest prefix that fits
            mid = (lo + hi + 1) // 2
            out[key] = value[:mid]
            if _size(out) <= limit - 300:
                lo = mid
            else:
                hi = mid - 1
        out[key] = value[:lo]
        out["truncated"] = (f"truncated, ask for a path: {len(value)} {key}, the first {lo} shown "
                            f"(the whole result is {size:,} characters); {hint}")
        return out
    out[key] = outline(value)
    if _size(out) > limit:
        out[key] = f"{type(value).__name__} of {len(value) if hasattr(value, '__len__') else 1} entries"
    out["truncated"] = (f"truncated, ask for a path: the result is {size:,} characters, over "
                        f"{limit:,}; nested values are summarised; {hint}")
    return out
