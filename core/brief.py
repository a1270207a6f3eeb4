"""The brief: what a fresh executor needs to know at a point of the log, each item citing its events.

A brief is a few sections (goal, done, in progress, failed, pending effects, decisions and
instructions, files touched, compactions and resumes), each a list of items; every item says what
it is in one line and cites the events (`#N`) it comes from, so it can be checked against the log.

For the generic format the sections come from the state of the default projection: every entity
(or entity and subject) has a `status`, its verb, and the verb table below says which section it
goes to. `--verbs FILE` extends the table. A format can give its own sections with an optional
method `brief(analysis, pos, state) -> list[Section]`; Claude Code and Codex have theirs in
`core/brief_agents.py`.

The verb table (a verb is the part of an event type after its last `_` or `.`, or a payload's own
`status`):

| group | verbs | section |
|---|---|---|
| done | succeeded completed passed done finished published sent written generated created saved uploaded merged approved resolved closed ok success delivered applied updated added posted deployed released | done (or files touched, when the payload names a `path`) |
| failed | failed error errored rejected aborted crashed denied timeout expired cancelled canceled blocked invalid refused | failed or blocked |
| in progress | started attempted running queued pending retried retrying scheduled requested waiting claimed began begun opened reported | in progress, or pending effects for an effect entity |

Entities: `task`, `goal`, `job`, `objective`, `mission` are the goal; `publish`, `post`, `send`,
`notify`, `email`, `deploy`, `release`, `upload`, `push`, `pay`, `payment`, `charge`, `order`,
`transfer`, `refund`, `commit`, `merge`, `webhook`, `message`, `sms`, `tweet`, `invoice` (or any
word of an entity's name) are side effects; `decision`, `note`, `instruction`, `plan`,
`requirement`, `constraint` are decisions; `executor` and `snapshot` are left out (resumes have a
section of their own). An effect completed more than once (`succeeded`, `completed`, `published`,
`sent`, `done`) is a duplicate effect and is listed with the pending effects.

`--verbs FILE` is a JSON object whose keys add to the table: `done`, `failed`, `in_progress`
(verbs), `goal`, `effects`, `decisions`, `ignore` (entity names). A verb named in one group leaves
the others.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from agentlog_tui.core.jsonvalue import to_json

if TYPE_CHECKING:
    from agentlog_tui.core.analysis import Analysis

MAX_LINES = 40

VERB_GROUPS: dict[str, tuple[str, ...]] = {
    "done": ("succeeded", "completed", "passed", "done", "finished", "published", "sent", "written",
             "generated", "created", "saved", "uploaded", "merged", "approved", "resolved", "closed",
             "ok", "success", "delivered", "applied", "updated", "added", "posted", "deployed",
             "released"),
    "failed": ("failed", "error", "errored", "rejected", "aborted", "crashed", "denied", "timeout",
               "expired", "cancelled", "canceled", "blocked", "invalid", "refused"),
    "in_progress": ("started", "attempted", "running", "queued", "pending", "retried", "retrying",
                    "scheduled", "requested", "waiting", "claimed", "began", "begun", "opened",
                    "reported"),
}
ENTITY_GROUPS: dict[str, tuple[str, ...]] = {
    "goal": ("task", "goal", "job", "objective", "mission"),
    "effects": ("publish", "post", "send", "notify", "email", "deploy", "release", "upload", "push",
                "pay", "payment", "charge", "order", "transfer", "refund", "commit", "merge",
                "webhook", "message", "sms", "tweet", "invoice"),
    "decisions": ("decision", "note", "instruction", "plan", "requirement", "constraint"),
    "ignore": ("executor", "snapshot"),
}
# the verbs that complete an effect (as the resume checks count them)
COMPLETION_VERBS = frozenset({"succeeded", "completed", "published", "sent", "done"})

SECTIONS: tuple[tuple[str, str], ...] = (
    ("goal", "goal"),
    ("done", "done"),
    ("in_progress", "in progress"),
    ("failed", "failed or blocked"),
    ("pending_effects", "pending effects (started, not confirmed) and duplicates"),
    ("decisions", "decisions and instructions"),
    ("files", "files touched"),
    ("boundaries", "compactions and resumes"),
    ("other", "other state"),
)
TITLES = dict(SECTIONS)
# how many items of a section the text shows at most, and which sections give way first when the
# brief is over its line budget
SECTION_CAPS = {"goal": 4, "done": 8, "in_progress": 6, "failed": 6, "pending_effects": 6,
                "decisions": 6, "files": 6, "boundaries": 4, "other": 4}
SHRINK_ORDER = ("other", "done", "files", "decisions", "in_progress", "boundaries", "failed",
                "goal", "pending_effects")
JSON_CAP = 200  # items per section in the JSON form


class VerbsFileError(ValueError):
    """A `--verbs FILE` that cannot be used (the message names the file and the problem)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One line of a brief: what it says and the events it comes from.

    `path` is the state path whose last writer (blame) is `seqs[0]`, when the item comes from the
    state; tests check every such citation through the analysis' blame."""

    text: str
    seqs: tuple[int, ...]
    path: tuple | None = None

    def to_json(self) -> dict:
        out: dict[str, Any] = {"text": self.text, "seq": list(self.seqs)}
        if self.path is not None:
            out["path"] = list(self.path)
        return out


@dataclass
class Section:
    """A titled list of items."""

    name: str
    items: list[Item] = field(default_factory=list)
    title: str = ""

    def __post_init__(self) -> None:
        if not self.title:
            self.title = TITLES.get(self.name, self.name.replace("_", " "))


@dataclass
class Brief:
    """The distilled view at one event."""

    log: str
    format: str
    seq: int | None
    type: str | None
    events: int
    sections: list[Section]
    note: str | None = None

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def to_json(self, cap: int = JSON_CAP) -> dict:
        out: dict[str, Any] = {
            "log": self.log, "format": self.format, "at": self.seq, "type": self.type,
            "events": self.events, "sections": []}
        for s in self.sections:
            items = s.items[-cap:] if cap else s.items
            d: dict[str, Any] = {"name": s.name, "title": s.title,
                                 "items": [i.to_json() for i in items]}
            if len(s.items) > len(items):
                d["omitted"] = len(s.items) - len(items)
            out["sections"].append(d)
        if self.note:
            out["note"] = self.note
        return out

    def lines(self, max_lines: int = MAX_LINES) -> list[str]:
        """The brief as text, at most `max_lines` lines (the most recent items of each section
        are kept; a section over its share says how many it leaves out). Log text is not made
        safe for a terminal here: the caller does that."""
        name = os.path.basename(self.log)
        at = f"#{self.seq} {self.type}" if self.seq is not None else "the start (no events)"
        head = [f"brief of {name} at {at} ({self.format}, {self.events} events)"]
        if self.note:
            head.append(f"  note: {self.note}")
        shown = {s.name: min(len(s.items), SECTION_CAPS.get(s.name, 6)) for s in self.sections}

        def total() -> int:
            n = len(head)
            for s in self.sections:
                if s.items:
                    n += 1 + shown[s.name] + (1 if shown[s.name] < len(s.items) else 0)
            return n

        for victim in SHRINK_ORDER:
            while total() > max_lines and shown.get(victim, 0) > 1:
                shown[victim] -= 1
        out = list(head)
        for s in self.sections:
            if not s.items:
                continue
            out.append(f"{s.title}:")
            k = shown[s.name]
            if k < len(s.items):
                out.append(f"  … {len(s.items) - k} earlier (all of them with --json)")
            for it in s.items[len(s.items) - k:]:
                out.append(f"  {it.text}  {cite(it.seqs)}")
        if len(out) == len(head):
            out.append("  (nothing to report at this point)")
        return out[:max_lines] if len(out) > max_lines else out


def cite(seqs: tuple[int, ...] | list[int]) -> str:
    """`[#18 #27]`."""
    return "[" + " ".join(f"#{s}" for s in seqs) + "]"


def short(value: Any, width: int = 80) -> str:
    """A value as one line of at most `width` characters."""
    if isinstance(value, str):
        s = value
    else:
        s = to_json(value).decode()  # any depth or int size (core.jsonvalue; issue 15)
    s = " ".join(s.split())
    return s if len(s) <= width else s[: width - 1] + "…"


# ---- the verb table --------------------------------------------------------------------------


@dataclass(frozen=True)
class VerbTable:
    """Which section a verb or an entity goes to (the table in this module's docstring)."""

    verbs: dict[str, str]  # verb -> done | failed | in_progress
    entities: dict[str, frozenset[str]]  # goal/effects/decisions/ignore -> entity names

    @classmethod
    def default(cls) -> VerbTable:
        verbs = {v: g for g, vs in VERB_GROUPS.items() for v in vs}
        return cls(verbs, {g: frozenset(es) for g, es in ENTITY_GROUPS.items()})

    def extended(self, extra: dict[str, Any], source: str = "--verbs") -> VerbTable:
        """The table with `extra`'s verbs and entity names added (a verb moves to its new group)."""
        if not isinstance(extra, dict):
            raise VerbsFileError(f"{source}: expected a JSON object of lists")
        known = set(VERB_GROUPS) | set(ENTITY_GROUPS)
        verbs = dict(self.verbs)
        entities = {g: set(es) for g, es in self.entities.items()}
        for key, values in extra.items():
            if key not in known:
                raise VerbsFileError(f"{source}: unknown key {key!r} (known: {', '.join(sorted(known))})")
            if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
                raise VerbsFileError(f"{source}: {key!r} must be a list of non-empty strings")
            for v in values:
                if key in VERB_GROUPS:
                    verbs[v] = key
                else:
                    entities[key].add(v)
        return VerbTable(verbs, {g: frozenset(es) for g, es in entities.items()})

    def group_of(self, verb: Any) -> str | None:
        return self.verbs.get(verb) if isinstance(verb, str) else None

    def entity_is(self, group: str, entity: str) -> bool:
        names = self.entities.get(group, frozenset())
        if entity in names:
            return True
        return any(w in names for w in re.split(r"[._\-]", entity) if w)


def load_verbs(path: str | os.PathLike[str]) -> VerbTable:
    """The default table extended by a `--verbs FILE`."""
    p = os.fspath(path)
    try:
        with open(p, "rb") as fh:
            doc = orjson.loads(fh.read())
    except OSError as exc:
        raise VerbsFileError(f"{p}: {(exc.strerror or str(exc)).lower()}") from None
    except orjson.JSONDecodeError as exc:
        raise VerbsFileError(f"{p}: not JSON ({exc})") from None
    return VerbTable.default().extended(doc, p)


# ---- building a brief -------------------------------------------------------------------------


def resolve_pos(analysis: Analysis, seq: int | None) -> int:
    """The position of event `seq` (the last event when None); KeyError when there is none."""
    a = analysis
    if seq is None:
        return a.n_events - 1
    p = a.pos_of_seq(seq)
    if p is None:
        raise KeyError(seq)
    return p


def make_brief(analysis: Analysis, seq: int | None = None, *, verbs: VerbTable | None = None) -> Brief:
    """The brief at event `seq` (the head when None). KeyError when no event has that id."""
    a = analysis
    if a.n_events == 0:
        if seq is not None:
            raise KeyError(seq)
        return Brief(a.path, a.format.name, None, None, 0, [])
    pos = resolve_pos(a, seq)
    state = a.state_at_pos(pos)
    note = None
    custom = getattr(a, "_custom_projection", None) is not None
    fmt_brief = None if custom else format_brief(a.format)
    if fmt_brief is not None:
        try:
            sections = fmt_brief(a, pos, state)
        except Exception as exc:  # noqa: BLE001 - a format's brief failing falls back to the generic one
            note = f"the {a.format.name} brief failed ({type(exc).__name__}: {exc}); generic brief instead"
            sections = generic_sections(a, pos, state, verbs or VerbTable.default())
    else:
        sections = generic_sections(a, pos, state, verbs or VerbTable.default())
    order = {name: i for i, (name, _) in enumerate(SECTIONS)}
    sections.sort(key=lambda s: order.get(s.name, len(order)))
    return Brief(a.path, a.format.name, a.seqs[pos], a.type_of(pos), a.n_events, sections, note)


def format_brief(fmt: Any) -> Any:
    """The format's own brief: its `brief` method, else one of `core/brief_agents.py`; None for
    the generic sections."""
    own = getattr(fmt, "brief", None)
    if callable(own):
        return own
    from agentlog_tui.core.brief_agents import AGENT_BRIEFS

    return AGENT_BRIEFS.get(getattr(fmt, "name", ""))


def _detail(value: dict, skip: set[str], width: int = 90) -> str:
    """A payload's fields for one line: an error first, then `k=v`."""
    parts = []
    for k in ("error", "reason", "message"):
        if k in value and k not in skip:
            parts.append(short(value[k], 60))
            skip = skip | {k}
    for k, v in value.items():
        if k in skip:
            continue
        parts.append(f"{k}={short(v, 40)}")
    return short(" ".join(parts), width)


def _entries(state: dict) -> list[tuple[str, str | None, dict, tuple]]:
    """(entity, subject, value, path of its status) for every status-bearing value of an entities
    state: `state[entity]` or `state[entity][subject]`."""
    out = []
    for entity, value in state.items():
        if not isinstance(value, dict):
            continue
        if "status" in value and not isinstance(value.get("status"), dict):
            out.append((str(entity), None, value, (entity, "status")))
            continue
        for subject, v in value.items():
            if isinstance(v, dict) and "status" in v:
                out.append((str(entity), str(subject), v, (entity, subject, "status")))
    return out


def generic_sections(a: Analysis, pos: int, state: dict, verbs: VerbTable) -> list[Section]:
    """The sections of the generic format, from the default projection's state (see the module
    docstring for the verb table)."""
    sections = {name: Section(name) for name, _ in SECTIONS}
    rows = []
    for entity, subject, value, path in _entries(state):
        if verbs.entity_is("ignore", entity):
            continue
        writer = a.blame(path, pos)
        if writer is None:
            continue
        rows.append((writer, entity, subject, value, path))
    rows.sort(key=lambda r: r[0])
    completions: dict[tuple[str, str | None], list[int]] = {}
    for p, key in a.effects.items():
        if p <= pos:
            completions.setdefault(key, []).append(p)
    for writer, entity, subject, value, path in rows:
        status = value.get("status")
        group = verbs.group_of(status)
        name = f"{entity} {subject}" if subject is not None else entity
        skip = {"status"} | {k for k, v in value.items() if subject is not None and str(v) == subject
                             and k in ("key", "id", "path", "name")}
        seqs = (a.seqs[writer],)
        if verbs.entity_is("goal", entity):
            title = next((value[k] for k in ("title", "goal", "description", "name", "text", "task")
                          if isinstance(value.get(k), (str, int)) and k not in skip), None)
            what = f": {short(title, 70)}" if title else ""
            sections["goal"].items.append(Item(f"{name}{what} ({status})", seqs, path))
            continue
        detail = _detail(value, skip)
        text = f"{name}: {status}" + (f": {detail}" if detail else "")
        if verbs.entity_is("decisions", entity):
            sections["decisions"].items.append(Item(text, seqs, path))
        elif group == "failed":
            sections["failed"].items.append(Item(text, seqs, path))
        elif group == "in_progress" and verbs.entity_is("effects", entity):
            before = [p for p in completions.get((entity, subject), ()) if p < writer]
            if before:
                text += f"; ALREADY COMPLETED at #{a.seqs[before[-1]]}: do not repeat it"
                seqs = (seqs[0], a.seqs[before[-1]])
            else:
                text += "; not confirmed: check before repeating it"
            sections["pending_effects"].items.append(Item(text, seqs, path))
        elif group == "in_progress":
            sections["in_progress"].items.append(Item(text, seqs, path))
        elif isinstance(value.get("path"), str) or isinstance(value.get("file"), str):
            sections["files"].items.append(Item(text, seqs, path))
        elif group == "done":
            sections["done"].items.append(Item(text, seqs, path))
        else:
            sections["other"].items.append(Item(text, seqs, path))
    sections["pending_effects"].items.extend(duplicate_effects(a, pos))
    sections["boundaries"].items.extend(boundary_items(a, pos))
    return [s for s in sections.values()]


def duplicate_effects(a: Analysis, pos: int) -> list[Item]:
    """Effects completed more than once up to `pos`, citing every completion."""
    seen: dict[tuple[str, str | None], list[int]] = {}
    for p, key in a.effects.items():
        if p <= pos:
            seen.setdefault(key, []).append(p)
    out = []
    for (entity, subject), ps in seen.items():
        if len(ps) < 2:
            continue
        ps.sort()
        name = f"{entity} {subject}" if subject is not None else entity
        seqs = tuple(a.seqs[p] for p in ps)
        times = "twice" if len(ps) == 2 else f"{len(ps)} times"
        out.append(Item(f"{name}: completed {times} ({', '.join('#' + str(s) for s in seqs)}): "
                        f"a duplicate effect", seqs, None))
    out.sort(key=lambda i: i.seqs[-1])
    return out


def _ranges(seqs: list[int]) -> str:
    """`#18–#22, #25` for a sorted list of ids."""
    if not seqs:
        return ""
    parts, start, prev = [], seqs[0], seqs[0]
    for s in seqs[1:] + [None]:  # type: ignore[list-item]
        if s is not None and s == prev + 1:
            prev = s
            continue
        parts.append(f"#{start}" if start == prev else f"#{start}–#{prev}")
        if s is not None:
            start = prev = s
    return ", ".join(parts)


def boundary_items(a: Analysis, pos: int) -> list[Item]:
    """Compactions and resumes up to `pos`, with what each resume missed or repeated."""
    from agentlog_tui.core.resumes import resume_reports

    reports = {r.pos: r for r in resume_reports(a)} if any(
        b.kind == "resume" for b in a.boundaries.values()) else {}
    out = []
    for p in sorted(a.boundaries):
        if p > pos:
            break
        b = a.boundaries[p]
        seq = a.seqs[p]
        if b.kind == "compaction":
            out.append(Item(f"compaction at #{seq}: {b.label}", (seq,)))
            continue
        r = reports.get(p)
        text = f"resume at #{seq}" + (f" from #{b.from_seq}" if b.from_seq is not None else "")
        if b.label and not b.label.startswith("from #") and b.label != "resumed":
            text += f" ({b.label})"
        cites = [seq]
        if r is not None:
            found = []
            if r.unknown_from:
                found.append(f"from #{b.from_seq} is no earlier event")
            if r.missed:
                found.append(f"missed {_ranges(r.missed)}")
            if r.snapshot is not None and r.snapshot.verdict != "match":
                found.append(f"loaded a snapshot that drifted ({len(r.snapshot.differences)} differences)")
            dups = [d for d in r.duplicates if d.seq <= a.seqs[pos]]
            for d in dups:
                found.append(f"repeated #{d.original_seq} at #{d.seq}")
            text += ": " + "; ".join(found) if found else ": clean"
        out.append(Item(text, tuple(cites)))
    return out
