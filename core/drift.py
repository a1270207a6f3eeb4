"""Format drift: records of a kind the log's format does not know, counted per kind.

Agents change what they write without notice. A format declares the event types it understands
(`known_kinds`, see `KnowsKinds` in formats/base.py) and may name what else it relies on
(`unknown_kind(event)`: a known type missing a field the format reads). Every event of another
kind is counted here, by kind, with the first line it was met on, so `check` and the app can say
at once that the agent writes something this version does not understand. A format that declares
nothing (the generic one) accepts every kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentlog_tui.core.events import Event


class KindCounter:
    """Unknown kinds met so far: kind -> [count, first line, first id]."""

    __slots__ = ("_modes", "check", "checks", "kinds", "known")

    def __init__(self, known: frozenset[str], check: Callable[[Event], Any] | None,
                 checks: Callable[[str], Any] | None = None) -> None:
        self.known = known
        self.check = check
        self.checks = checks  # the known types `check` can name anything for (None: all)
        self.kinds: dict[str, list[int]] = {}
        self._modes: dict[Any, int] = {}  # kind -> mode(kind), worked out once per kind

    def see(self, event: Event) -> None:
        """Count `event` when its kind is not one the format knows."""
        kind: Any = event.type
        m = self._modes.get(kind)
        if m is None:
            m = self._modes[kind] = self.mode(kind)
        if m != 1:  # a known kind: nothing to do, or ask the format's check
            if not m:
                return
            try:
                kind = self.check(event)
            except Exception:  # noqa: BLE001 - a format's check failing is not the log's fault
                return
            if not isinstance(kind, str) or not kind:
                return
        entry = self.kinds.get(kind)
        if entry is None:
            self.kinds[kind] = [1, event.line, event.seq]
        else:
            entry[0] += 1

    def mode(self, kind: str) -> int:
        """What `see` does with an event of type `kind`: 0 nothing (a known kind the format has
        no check for, or whose `unknown_kind_of` says its check names nothing), 1 count it (an unknown kind), 2 ask the format's check (a known kind).
        The analysis works it out once per type and calls `see` only when it is not 0."""
        if kind in self.known:
            if self.check is None:
                return 0
            if self.checks is not None:
                try:
                    return 2 if self.checks(kind) else 0
                except Exception:  # noqa: BLE001 - a format's predicate failing: ask the check
                    return 2
            return 2
        return 1

    @property
    def total(self) -> int:
        return sum(e[0] for e in self.kinds.values())

    def to_json(self) -> list[dict[str, Any]]:
        """`[{"kind", "count", "first_line", "first_seq"}]`, in order of first appearance."""
        return [{"kind": k, "count": c, "first_line": line, "first_seq": seq}
                for k, (c, line, seq) in sorted(self.kinds.items(), key=lambda kv: kv[1][1])]


def kind_counter(fmt: Any) -> KindCounter | None:
    """A counter for a format that declares its kinds; None for one that accepts any."""
    known = getattr(fmt, "known_kinds", None)
    if known is None:
        return None
    try:
        known = frozenset(known)
    except TypeError:
        return None
    check = getattr(fmt, "unknown_kind", None)
    checks = getattr(fmt, "unknown_kind_of", None)
    return KindCounter(known, check if callable(check) else None,
                       checks if callable(checks) else None)


def unknown_kinds(analysis: Any) -> list[dict[str, Any]]:
    """The unknown kinds of an analysed log (`[]` when its format knows every kind it met)."""
    counter = getattr(analysis, "drift", None)
    return counter.to_json() if counter is not None else []


def drift_line(analysis: Any, width: int = 3) -> str | None:
    """One line for people: `3 records of 2 kinds this claude-code format does not know: x ×2, y`,
    or None when there are none. At most `width` kinds are named."""
    kinds = unknown_kinds(analysis)
    if not kinds:
        return None
    total = sum(k["count"] for k in kinds)
    named = ", ".join(k["kind"] + (f" ×{k['count']}" if k["count"] > 1 else "") for k in kinds[:width])
    more = f", … {len(kinds) - width} more" if len(kinds) > width else ""
    s = "s" if len(kinds) != 1 else ""
    return (f"{total} record{'s' if total != 1 else ''} of {len(kinds)} kind{s} the "
            f"{analysis.format.name} format does not know: {named}{more}")
