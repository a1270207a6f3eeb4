"""The generic agentlog JSONL format of DESIGN section 3, with field detection and aliases."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from agentlog_tui.core.events import Event
from agentlog_tui.core.formats.base import Boundary, Mapped, MappingError, Options
from agentlog_tui.core.projection import EntityProjection, Projection

TYPE_FIELDS = ("type", "event", "event_type", "kind")
ID_FIELDS = ("seq", "event_id", "offset", "index", "id")
TS_FIELDS = ("ts", "timestamp", "time", "created_at")
DATA_FIELDS = ("data", "payload", "attributes")
RESUME_TYPES = ("executor_resumed", "resumed", "session_resumed")
FROM_FIELDS = ("from_event", "from_seq", "resumed_from")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _majority(objs: list[dict], candidates: tuple[str, ...], ok: Any) -> str | None:
    counts: Counter[str] = Counter()
    for o in objs:
        for f in candidates:
            if f in o and ok(o[f]):
                counts[f] += 1
                break
    if not counts:
        return None
    field, n = counts.most_common(1)[0]
    return field if n * 2 >= len(objs) else None


@dataclass(slots=True)
class AgentlogMapper:
    """The generic format configured for one file."""

    type_field: str | None
    id_field: str | None
    ts_field: str | None
    data_field: str | None
    uses_line_numbers: bool = False
    strict_type: bool = False  # the type field was forced: no falling back to aliases

    def map(self, obj: dict) -> Mapped:
        t = obj.get(self.type_field) if self.type_field else None
        if not isinstance(t, str):
            if self.strict_type:
                raise MappingError(f"object has no string {self.type_field!r} field")
            t = None
            for f in TYPE_FIELDS:
                v = obj.get(f)
                if isinstance(v, str):
                    t = v
                    break
            if t is None:
                looked = ", ".join(dict.fromkeys([self.type_field or "type", *TYPE_FIELDS]))
                raise MappingError(f"object has no type field ({looked})")
        seq = None
        if self.id_field is not None:
            v = obj.get(self.id_field)
            if _is_int(v):
                seq = v
            else:
                raise MappingError(f"object has no integer id field ({self.id_field})")
        ts = obj.get(self.ts_field) if self.ts_field else None
        if self.data_field is not None and self.data_field in obj:
            data = obj[self.data_field]
        else:
            envelope = {self.type_field, self.id_field, self.ts_field}
            data = {k: v for k, v in obj.items() if k not in envelope}
        key = obj.get("key") if self.data_field is not None else None
        return Mapped(t, seq, ts, data, key)

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.type_field,
            "id": self.id_field or "line number",
            "ts": self.ts_field,
            "data": self.data_field or "(object minus envelope)",
        }


def _short(v: Any, width: int = 40) -> str:
    if isinstance(v, str):
        s = v
    else:
        try:
            import orjson

            s = orjson.dumps(v).decode()
        except TypeError:
            s = repr(v)
    s = " ".join(s.split())
    return s if len(s) <= width else s[: width - 1] + "…"


class AgentlogFormat:
    """Generic JSON Lines events: {seq, ts, type, data} and its aliases."""

    name = "agentlog"
    description = "generic JSON Lines events ({seq, ts, type, data} and aliases)"

    def detect(self, objs: list[dict]) -> float:
        if not objs:
            return 0.0
        hits = sum(1 for o in objs if any(isinstance(o.get(f), str) for f in TYPE_FIELDS))
        return 0.5 * hits / len(objs)

    def mapper(self, objs: list[dict], options: Options) -> AgentlogMapper:
        type_field = options.type_field or _majority(objs, TYPE_FIELDS, lambda v: isinstance(v, str))
        id_field = options.id_field or _majority(objs, ID_FIELDS, _is_int)
        ts_field = options.ts_field or _majority(
            objs, TS_FIELDS, lambda v: isinstance(v, (str, int, float)) and not isinstance(v, bool)
        )
        data_field = options.data_field or _majority(objs, DATA_FIELDS, lambda v: True)
        return AgentlogMapper(type_field or "type", id_field, ts_field, data_field, id_field is None,
                              options.type_field is not None)

    def projection(self, options: Options) -> Projection:
        return EntityProjection(options.key_fields)

    def resume_types(self, options: Options | None = None) -> tuple[str, ...]:
        return (options.resume_types if options and options.resume_types else RESUME_TYPES)

    def boundary(self, event: Event, options: Options | None = None) -> Boundary | None:
        if event.type in self.resume_types(options):
            data = event.data if isinstance(event.data, dict) else {}
            frm = next((data[f] for f in FROM_FIELDS if _is_int(data.get(f))), None)
            label = f"from #{frm}" if frm is not None else "resumed"
            return Boundary("resume", frm, label)
        return None

    def is_snapshot(self, event: Event) -> bool:
        return event.type == "snapshot"

    def details(self, event: Event) -> list[tuple[str, str]]:
        """None: a generic payload reads best as the JSON the Event tab already shows."""
        return []

    def summary(self, event: Event) -> str:
        data = event.data
        if self.is_snapshot(event) and isinstance(data, dict):
            at = data.get("at_seq")
            n = len(data.get("state") or {}) if isinstance(data.get("state"), dict) else 0
            return f"state of {n} entities" + (f" at #{at}" if at is not None else "")
        b = self.boundary(event)
        if b is not None:
            return b.label
        if not isinstance(data, dict):
            return _short(data, 60)
        if len(data) == 1:
            return _short(next(iter(data.values())), 60)
        parts = []
        for k, v in data.items():
            if k in ("key", "id", "path", "name") and isinstance(v, (str, int)):
                parts.append(_short(v, 30))
            else:
                parts.append(f"{k}={_short(v, 30)}")
        return " ".join(parts)
