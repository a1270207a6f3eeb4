"""Copying and writing JSON-like values that orjson cannot write.

orjson reads 1024 levels of nesting but writes only ~254, refuses integers beyond 64 bits and
dict keys it cannot turn into strings (a tuple). A log may hold such values (a value nested 300
deep) and a custom projection may build them (`state[(1, 2)] = 2**70`). The engine copies and
compares states with orjson because it is fast; these functions are what it falls back on when
orjson refuses, and they never recurse (no RecursionError at any depth).

- `copy_value(v)`: what a JSON round trip gives (`orjson.loads(orjson.dumps(v))` where orjson
  can): dicts and lists copied, tuples become lists, non-string keys their string, values that
  JSON has no form for their `repr` string; integers of any size stay integers.
- `dumps(v, sort_keys=..., indent=...)`: JSON bytes; integers of any size written as digits,
  non-string keys as their string (`str` for numbers, bools and None, `repr` otherwise), other
  values that JSON has no form for as their `repr` string (as orjson's `default=repr` does).
"""

from __future__ import annotations

import math
from typing import Any

import orjson

_SCALARS = (str, int, bool, type(None))


def _copy_scalar(v: Any) -> Any:
    if isinstance(v, _SCALARS):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None  # JSON has no NaN or infinity: null, as orjson
    return _repr(v)


def copy_value(value: Any) -> Any:
    """A deep copy of a JSON-like value as a JSON round trip makes it, without recursion."""
    if not isinstance(value, (dict, list, tuple)):
        return _copy_scalar(value)
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]  # (source, parent container, key)
    while stack:
        src, parent, key = stack.pop()
        if isinstance(src, dict):
            new: Any = {}
            parent[key] = new
            # keys that become the same string (5 and "5"): the last value wins, as in a JSON
            # round trip, so a container is queued only once its key's last value is known
            last = {_key(k): v for k, v in src.items()}
            for k, v in last.items():
                if isinstance(v, (dict, list, tuple)):
                    new[k] = None
                    stack.append((v, new, k))
                else:
                    new[k] = _copy_scalar(v)
        elif isinstance(src, (list, tuple)):
            new = [None] * len(src)
            parent[key] = new
            for i, v in enumerate(src):
                if isinstance(v, (dict, list, tuple)):
                    stack.append((v, new, i))
                else:
                    new[i] = _copy_scalar(v)
    return root[0]


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if k is None:
        return "null"
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, (int, float)):
        return str(k) if not isinstance(k, int) or abs(k) < 10**4000 else _repr(k)
    return _repr(k)


def _repr(v: Any) -> str:
    try:
        return repr(v)
    except Exception:  # noqa: BLE001 - a hostile __repr__: a stand-in, never a crash
        return f"<{type(v).__name__}>"


def _scalar(v: Any) -> bytes:
    if isinstance(v, int) and not isinstance(v, bool):
        if -(1 << 63) <= v < (1 << 64):
            return orjson.dumps(v)
        try:
            return str(v).encode()
        except ValueError:  # beyond the interpreter's digit limit for str(int)
            return orjson.dumps(_repr(v))
    try:
        return orjson.dumps(v, default=_repr)
    except TypeError:
        return orjson.dumps(_repr(v))


def dumps(value: Any, *, sort_keys: bool = False, indent: int = 0) -> bytes:
    """JSON bytes for any JSON-like value, at any depth (see the module's docstring)."""
    out: list[bytes] = []
    nl = b"\n" if indent else b""
    sep = b": " if indent else b":"
    # work items: ("v", value, depth) writes a value; ("b", bytes) writes bytes
    work: list[tuple] = [("v", value, 0)]
    while work:
        item = work.pop()
        if item[0] == "b":
            out.append(item[1])
            continue
        _, v, depth = item
        if isinstance(v, dict):
            if not v:
                out.append(b"{}")
                continue
            items = [(_key(k), x) for k, x in v.items()]
            if sort_keys:
                items.sort(key=lambda kv: kv[0])
            pad = b" " * (indent * (depth + 1))
            parts: list[tuple] = [("b", b"{" + nl)]
            for n, (k, x) in enumerate(items):
                parts.append(("b", (b"," + nl if n else b"") + pad + orjson.dumps(k) + sep))
                parts.append(("v", x, depth + 1))
            parts.append(("b", nl + b" " * (indent * depth) + b"}"))
            work.extend(reversed(parts))
        elif isinstance(v, (list, tuple)):
            if not v:
                out.append(b"[]")
                continue
            pad = b" " * (indent * (depth + 1))
            parts = [("b", b"[" + nl)]
            for n, x in enumerate(v):
                parts.append(("b", (b"," + nl if n else b"") + pad))
                parts.append(("v", x, depth + 1))
            parts.append(("b", nl + b" " * (indent * depth) + b"]"))
            work.extend(reversed(parts))
        else:
            out.append(_scalar(v))
    return b"".join(out)


_OPTS = orjson.OPT_NON_STR_KEYS


def to_json(value: Any, *, sort_keys: bool = False, indent: bool = False) -> bytes:
    """orjson's bytes (`OPT_NON_STR_KEYS`, `default=repr`) where orjson can write the value, else
    `dumps`'s (the same text where both can)."""
    opts = _OPTS | (orjson.OPT_SORT_KEYS if sort_keys else 0) | (orjson.OPT_INDENT_2 if indent else 0)
    try:
        return orjson.dumps(value, option=opts, default=repr)
    except TypeError:
        return dumps(value, sort_keys=sort_keys, indent=2 if indent else 0)


def round_trip(value: Any) -> Any:
    """`orjson.loads(orjson.dumps(value))` where orjson can, else `copy_value(value)`."""
    try:
        return orjson.loads(orjson.dumps(value, option=_OPTS, default=repr))
    except (TypeError, orjson.JSONDecodeError):
        return copy_value(value)
