"""Structural differences between two JSON-like values: dicts by key, lists by index."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Change:
    """One difference at `path`: `added` (only in new), `removed` (only in old) or `changed`."""

    path: tuple
    kind: str
    old: Any
    new: Any


def diff_values(old: Any, new: Any, path: tuple = ()) -> list[Change]:
    """Every leaf-level difference between `old` and `new`, in a stable order."""
    out: list[Change] = []
    _diff(old, new, path, out)
    return out


def _diff(old: Any, new: Any, path: tuple, out: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for k in old:
            if k in new:
                _diff(old[k], new[k], path + (k,), out)
            else:
                out.append(Change(path + (k,), "removed", old[k], None))
        for k in new:
            if k not in old:
                out.append(Change(path + (k,), "added", None, new[k]))
        return
    if isinstance(old, list) and isinstance(new, list):
        n = min(len(old), len(new))
        for i in range(n):
            _diff(old[i], new[i], path + (i,), out)
        for i in range(n, len(old)):
            out.append(Change(path + (i,), "removed", old[i], None))
        for i in range(n, len(new)):
            out.append(Change(path + (i,), "added", None, new[i]))
        return
    if type(old) is not type(new) or old != new:
        # 1 and 1.0 are the same JSON number
        if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(
            old, bool
        ) and not isinstance(new, bool) and old == new:
            return
        out.append(Change(path, "changed", old, new))


def format_path(path: tuple | list) -> str:
    """A state path for people: `publish.status`, `draft["drafts/x.md"].sha`, `context[3]`."""
    if not path:
        return "(root)"
    out = []
    for i, k in enumerate(path):
        if isinstance(k, int) and not isinstance(k, bool):
            out.append(f"[{k}]")
        elif isinstance(k, str) and k.isidentifier():
            out.append(k if i == 0 else f".{k}")
        else:
            out.append("[" + json.dumps(str(k), ensure_ascii=False) + "]")
    return "".join(out)
