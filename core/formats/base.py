"""The log-format layer: how a kind of log maps its JSON objects to events.

A format has a cheap detector over the first objects of a file, a mapping from one JSON object to
an event's parts, a default projection, and the rules for which events are boundaries (resumes
and compactions). The generic agentlog format of DESIGN section 3 is one format among several.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, runtime_checkable

from agentlog_tui.core.projection import Projection


@dataclass(frozen=True, slots=True)
class Options:
    """User overrides that any format may honour (CLI flags)."""

    type_field: str | None = None
    id_field: str | None = None
    ts_field: str | None = None
    data_field: str | None = None
    key_fields: tuple[str, ...] | None = None
    resume_types: tuple[str, ...] | None = None


class Mapped(NamedTuple):
    """One JSON object mapped to an event's parts. `seq` None means: use the line number.

    A named tuple, not a dataclass: one is made per line, and this is the cheapest to make."""

    type: str
    seq: int | None
    ts: Any
    data: Any
    key: Any = None


@dataclass(frozen=True, slots=True)
class Boundary:
    """An event that starts a new executor run or rewrites the agent's memory.

    `kind` is "resume" or "compaction"; `from_seq` is the last event the new run had seen (for a
    resume that says so), `label` a few words for the timeline.
    """

    kind: str
    from_seq: int | None = None
    label: str = ""


class MappingError(ValueError):
    """A JSON object that this format cannot turn into an event (the message says why)."""


@runtime_checkable
class Mapper(Protocol):
    """A format configured for one file (fields detected, overrides applied)."""

    uses_line_numbers: bool

    def map(self, obj: dict) -> Mapped:
        """Map one JSON object to an event, or raise MappingError."""
        ...

    def describe(self) -> dict[str, Any]:
        """The fields in use, for reports."""
        ...


@runtime_checkable
class LogFormat(Protocol):
    """A kind of log: detection, mapping, projection, boundaries, summaries."""

    name: str
    description: str

    def detect(self, objs: list[dict]) -> float:
        """Confidence in 0..1 that these first objects (parsed lines) are this format."""
        ...

    def mapper(self, objs: list[dict], options: Options) -> Mapper:
        """A mapper for a file whose first objects are `objs`."""
        ...

    def projection(self, options: Options) -> Projection:
        """The default projection for logs of this format."""
        ...

    def boundary(self, event: Any) -> Boundary | None:
        """The boundary this event is, if any."""
        ...

    def summary(self, event: Any) -> str:
        """One line saying what happened, for the timeline."""
        ...

    def is_snapshot(self, event: Any) -> bool:
        """True when the event is a stored snapshot (DESIGN section 6) and is not applied."""
        ...


@runtime_checkable
class Detailed(Protocol):
    """An optional extra of a format: an event's payload as readable sections.

    Not part of `LogFormat`, so a format without it still is one; call `event_details`, which
    looks the method up and never raises.
    """

    def details(self, event: Any) -> list[tuple[str, str]]:
        """(label, text) sections saying what the event holds, text whole; [] when none."""
        ...


# The engine's generic integrity checks (analysis.Anomaly kinds). A format that does not list one
# in its `promises` does not promise it: such anomalies are information, not findings.
GENERIC_CHECKS = frozenset({"duplicate_id", "id_backwards", "id_gap", "ts_backwards"})


def promised_checks(fmt: Any) -> frozenset[str]:
    """The generic integrity checks whose failure is a finding for logs of `fmt` (all of them
    unless the format declares `promises`)."""
    p = getattr(fmt, "promises", None)
    return GENERIC_CHECKS if p is None else frozenset(p)


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem a format's own audit found in a log, that a user would act on.

    `index` is the object's position in the list audited, `line` its 1-based line in the file,
    `text` what is wrong (naming the record), `hint` what to do about it."""

    kind: str
    index: int
    line: int
    text: str
    hint: str = ""

    def to_json(self) -> dict:
        out: dict[str, Any] = {"kind": self.kind, "line": self.line, "seq": self.line,
                               "text": self.text}
        if self.hint:
            out["hint"] = self.hint
        return out


@dataclass(frozen=True, slots=True)
class Call:
    """A tool call of an agent's log: where it is, what it was, and where it was answered."""

    index: int  # the record's position among the objects given
    call_id: str
    name: str
    input: str  # the input, summarised on one line
    answered: int | None  # the position of its result, None when never answered


@dataclass
class Activity:
    """What an agent did, read from its records (for resume reports).

    `effects`: (position of the completion, kind, subject) of side-effecting work that completed
    (kind "shell": a command that may change something; "write": a file written or edited);
    `sessions`: per position, the session the record belongs to; `conversation`: per position,
    whether the record is part of the conversation (a resume that skips it missed something)."""

    calls: list[Call] = field(default_factory=list)
    effects: list[tuple[int, str, str]] = field(default_factory=list)
    sessions: list[str | None] = field(default_factory=list)
    conversation: list[bool] = field(default_factory=list)


# Shell commands that read and do not change anything (first word; git by subcommand). A command
# line is side-effecting when any of its parts (split at ;, &&, ||, |) is not one of these.
READ_ONLY_COMMANDS = frozenset({
    "ls", "cat", "head", "tail", "grep", "rg", "ag", "find", "fd", "pwd", "echo", "printf", "wc",
    "which", "type", "tree", "stat", "file", "du", "df", "ps", "env", "printenv", "less", "more",
    "diff", "cd", "true", "date", "whoami", "uname", "id", "nl", "sort", "uniq", "cut", "jq",
    "realpath", "dirname", "basename", "test", "[", "awk", "column", "hostname",
})
READ_ONLY_GIT = frozenset({"status", "diff", "log", "show", "rev-parse", "ls-files", "blame",
                           "branch", "remote", "describe", "grep", "config"})


def side_effecting(command: str) -> bool:
    """Whether a shell command line may change something (a documented heuristic: see
    READ_ONLY_COMMANDS; `sed -i` and output redirection count as changes)."""
    import re
    import shlex

    if re.search(r"(^|[^0-9&<>])>{1,2}\s*[^&\s]", command) and "/dev/null" not in command:
        return True
    for part in re.split(r"\|\||&&|;|\|", command):
        try:
            words = shlex.split(part)
        except ValueError:
            words = part.split()
        while words and "=" in words[0] and not words[0].startswith("="):
            words = words[1:]  # VAR=value prefixes
        if not words:
            continue
        w = words[0].rsplit("/", 1)[-1]
        if w == "git":
            sub = next((x for x in words[1:] if not x.startswith("-")), "")
            if sub not in READ_ONLY_GIT:
                return True
        elif w == "sed":
            if any(x.startswith("-i") for x in words[1:]):
                return True
        elif w not in READ_ONLY_COMMANDS:
            return True
    return False


@runtime_checkable
class Writable(Protocol):
    """An optional extra of a format whose logs an agent loads again (Claude Code, Codex).

    The machinery in `core.compaction.select_events` uses it to turn a set of kept records into
    a file the agent could load; `validate` says whether a file is one. All methods take the
    file's JSON objects in line order (`objs[i]` is line i + 1 when `lines` is not given).
    """

    def groups(self, objs: list[dict]) -> list[list[int]]:
        """Indices of records that must be kept or dropped together (a call and its result;
        a compaction boundary and its summary). Groups of one need not be listed."""
        ...

    def relink(self, objs: list[dict], keep: list[bool]) -> dict[int, dict]:
        """For kept records whose links name a dropped record: the record with its links moved
        to the nearest kept ancestor (never to a record that was not its ancestor). Others are
        not in the result and are written byte for byte."""
        ...

    def anchors(self, objs: list[dict]) -> list[int]:
        """Indices every written file keeps (optional: Codex's first line, the session_meta)."""
        ...

    def audit(self, objs: list[dict], lines: list[int] | None = None) -> list[Finding]:
        """What is wrong in these records for the agent that wrote them ([] when nothing)."""
        ...

    def validate(self, objs: list[dict]) -> list[str]:
        """Why the agent could not load a file of these records ([] = it could)."""
        ...


@runtime_checkable
class KnowsKinds(Protocol):
    """An optional extra of a format, which every new format should declare: the kinds of record
    it understands, so that records of other kinds (its agent's newer version, a record missing
    a field it relies on) are counted and shown (core/drift.py, `check`'s `unknown_kinds`).

    `known_kinds` holds event types as the format's mapper names them; `unknown_kind(event)`,
    optional too, names the kind of an event of a known type that the format still cannot read
    (e.g. "assistant without message"), or returns None. A format without `known_kinds` accepts
    every kind (the generic format does). `unknown_kind_of(kind)`, optional, says whether
    `unknown_kind` can name anything for events of that known type: the analysis asks it once per
    type and calls `unknown_kind` only for the types it says yes to (absent: every known type).
    """

    known_kinds: frozenset[str]


def event_details(fmt: Any, event: Any) -> list[tuple[str, str]]:
    """`fmt.details(event)` when the format has it; [] when it has not, fails, or gives junk."""
    details = getattr(fmt, "details", None)
    if details is None:
        return []
    try:
        out = details(event)
    except Exception:  # noqa: BLE001 - a malformed record shows as JSON, never as a crash
        return []
    if not isinstance(out, list):
        return []
    return [(label, text) for label, text in (s for s in out if isinstance(s, tuple) and len(s) == 2)
            if isinstance(label, str) and isinstance(text, str)]


@dataclass
class FormatRegistry:
    """The known formats, in detection order."""

    formats: list[LogFormat] = field(default_factory=list)

    def get(self, name: str) -> LogFormat:
        for f in self.formats:
            if f.name == name:
                return f
        names = ", ".join(f.name for f in self.formats)
        raise KeyError(f"unknown format {name!r} (known: {names})")

    def detect(self, objs: list[dict]) -> LogFormat:
        """The most confident format; the generic one when nobody is sure."""
        best, score = self.formats[0], 0.0
        for f in self.formats[1:]:
            try:
                s = float(f.detect(objs))
            except Exception:  # noqa: BLE001, S112 - odd lines (a list as `type`), a plugin bug: not it
                continue
            if s > score:
                best, score = f, s
        return best if score >= 0.5 else self.formats[0]
