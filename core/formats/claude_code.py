"""Claude Code session transcripts (`~/.claude/projects/<project>/<session>.jsonl`).

One JSON object a line, `type` one of `user`, `assistant`, `progress`, `system`, `summary`,
`file-history-snapshot`, `queue-operation`. Records have no id field, so an event's id is its line
number; its time is `timestamp`. The event type says what the record is for a reader
(`assistant.tool_use`, `user.tool_result`, `system.compact_boundary`, ...); the payload is the
whole record, unchanged, except that the first record of a session resumed inside the file carries
one added key, `RESUME_KEY`, naming the session it continues.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from agentlog_tui.core.branches import Link
from agentlog_tui.core.events import Event
from agentlog_tui.core.formats.base import (
    Activity,
    Boundary,
    Call,
    Finding,
    Mapped,
    MappingError,
    Options,
    side_effecting,
)
from agentlog_tui.core.native import _claude, _fastloop
from agentlog_tui.core.tracked import (
    TrackedDict,
    Tracker,
    delete_key,
    differs,
    read_key,
    set_if_changed,
    step_into,
    write,
)

RESUME_KEY = "_agentlog_resumed_from_session"

RECORD_TYPES = frozenset({
    "user", "assistant", "progress", "system", "summary", "file-history-snapshot",
    "queue-operation", "attachment", "custom-title", "tag",
})
# Fields every user/assistant/progress/system record of a transcript carries.
ENVELOPE_HINTS = ("sessionId", "uuid", "parentUuid", "leafUuid", "messageId")
FILE_TOOLS = {
    "Read": "read", "Write": "write", "Edit": "edit", "MultiEdit": "edit", "NotebookEdit": "edit",
    "NotebookRead": "read",
}
# The input field that says best what a tool call does, by tool name (first present wins).
INPUT_FIELDS = ("command", "file_path", "notebook_path", "path", "pattern", "url", "query",
                "description", "prompt", "subject", "task_id", "taskId", "skill")


# ---- text helpers (shared with the codex format) -----------------------------------------------


def one_line(value: Any, width: int = 100) -> str:
    """`value` as one line of at most `width` characters (whitespace runs collapsed)."""
    if type(value) is str and _one_line_text is not None and width > 0:
        return _one_line_text(value, width)  # the same steps in C, reading only what it keeps
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError):
            value = repr(value)
    if _one_line_text is not None and type(value) is str and width > 0:
        return _one_line_text(value, width)  # a value as JSON
    return _one_line_py(value, width)


def _one_line_py(value: str, width: int) -> str:
    """`one_line` of a string, in Python (without the C accelerator)."""
    # Only the start matters: collapse a prefix first (a long tool output used to be collapsed
    # whole, character by character: most of the analysis time of a Claude Code or Codex log).
    # The collapsed prefix is a prefix of the collapsed whole, so once it is longer than
    # `width` the answer is the same.
    cut = 4 * width + 64
    while True:
        s = " ".join(value[:cut].split())
        if len(s) > width or cut >= len(value):
            break
        cut *= 4
    if len(s) > width:
        s = s[: width - 1] + "…"
    # a control character shows as `?` (one for one, so cutting first gives the same text);
    # most texts have none, and translating with a mapping goes character by character
    return s if s.isprintable() else s.translate(_CONTROLS)


_CONTROLS = {c: "?" for c in [*range(32), 127]}  # what one_line shows for a control character
# the C versions of one_line's string steps and of str.count("\n") (core/_fastloop.c), when built
# (an extension built before they existed has neither)
_one_line_text = getattr(_fastloop, "one_line_text", None)
_count_newlines = getattr(_fastloop, "count_newlines", None)


def count_lines(text: Any) -> int:
    """Lines in a tool output (0 for empty)."""
    if not isinstance(text, str) or not text:
        return 0
    n = _count_newlines(text) if _count_newlines is not None and type(text) is str else text.count("\n")
    return n + (0 if text.endswith("\n") else 1)


def block_text(content: Any) -> str:
    """The text of a message `content`: a string, or the text blocks of a list, joined."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for b in content:
            if isinstance(b, dict):
                if isinstance(b.get("text"), str):
                    parts.append(b["text"])
                elif b.get("type") == "image":
                    parts.append("[image]")
            elif isinstance(b, str):
                parts.append(b)
        return "\n".join(parts)
    return ""


# ---- records -------------------------------------------------------------------------------------


def _message(obj: dict) -> dict:
    m = obj.get("message")
    return m if isinstance(m, dict) else {}


def _tool_uses(obj: dict) -> Iterator[tuple[Any, dict | None, list | None]]:
    """Per tool_use block of an assistant record: its id, the `tools` entry it starts (None
    without a string id) and, for a TodoWrite, the `todos` it sets (else None). One definition
    for both ways the projection applies a record (`apply` and `apply_tracked`)."""
    for b in _blocks(obj):
        if b.get("type") not in ("tool_use", "server_tool_use"):
            continue
        tid = b.get("id")
        name = b.get("name") if isinstance(b.get("name"), str) else "tool"
        inp = b.get("input") if isinstance(b.get("input"), dict) else {}
        entry = None
        if isinstance(tid, str):
            entry = {"name": name, "input": tool_use_summary(b), "status": "running"}
            path = inp.get("file_path") or inp.get("notebook_path")
            if name in FILE_TOOLS and isinstance(path, str):
                entry["path"] = path
        todos = None
        if name == "TodoWrite" and isinstance(inp.get("todos"), list):
            todos = [{"content": x.get("content"), "status": x.get("status")}
                     for x in inp["todos"] if isinstance(x, dict)]
        yield tid, entry, todos


def _blocks(obj: dict) -> list[dict]:
    m = obj.get("message")  # _message, inline: this runs several times for every record
    if isinstance(m, dict):
        content = m.get("content")
        if isinstance(content, list):
            return [b for b in content if isinstance(b, dict)]
    return []


# an assistant record's type: its first content block kind of these, in this order
_ASSISTANT_KINDS = (("tool_use", "assistant.tool_use"), ("server_tool_use", "assistant.tool_use"),
                    ("text", "assistant.text"), ("thinking", "assistant.thinking"),
                    ("redacted_thinking", "assistant.thinking"))


def record_type(obj: dict) -> str:
    """The readable event type of one transcript record."""
    t = obj.get("type")
    if not isinstance(t, str):
        raise MappingError("record has no `type` string")
    # (_message and _blocks inline: every record of a session comes here)
    if t == "user":
        if obj.get("isCompactSummary"):
            return "user.compact_summary"
        m = obj.get("message")
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, list) and "tool_result" in {
                b.get("type") for b in content if isinstance(b, dict)}:
            return "user.tool_result"
        if obj.get("isMeta"):
            return "user.meta"
        text = block_text(content).lstrip()
        if text.startswith(("<command-name>", "<local-command-", "<command-message>")):
            return "user.command"
        return "user.prompt"
    if t == "assistant":
        m = obj.get("message")
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, list):
            kinds = {b.get("type") for b in content if isinstance(b, dict)}
            for k, name in _ASSISTANT_KINDS:
                if k in kinds:
                    return name
            return "assistant"
        if isinstance(content, str):
            return "assistant.text"
        return "assistant"
    if t == "system":
        sub = obj.get("subtype")
        return f"system.{sub}" if isinstance(sub, str) and sub else "system"
    return t.replace("-", "_")


def _first_session(objs: list[dict]) -> str | None:
    for o in objs:
        sid = o.get("sessionId")
        if isinstance(sid, str):
            return sid
    return None


@dataclass(slots=True)
class ClaudeCodeMapper:
    """Claude Code records to events; notices a session resumed inside the file.

    The first record (with a `uuid`) of every session other than the file's first is marked with
    `RESUME_KEY`. Which record is first is learnt in reading order and remembered, so mapping a
    line again later gives the same event.
    """

    first_session: str | None
    uses_line_numbers: bool = True
    _order: list[str] = field(default_factory=list)
    _first_uuid: dict[str, str] = field(default_factory=dict)
    _line_of: dict[str, int] = field(default_factory=dict)  # uuid -> line, for resume origins

    def boundary_of(self, event: Event) -> Boundary | None:
        """`boundary(event, ClaudeCodeFormat.boundary(event))`, in one call: the analysis asks it
        of every record (see FORMAT_BOUNDARY). The format marks only compaction boundaries and
        records carrying RESUME_KEY; other records only have their uuid's line remembered."""
        d = event.data
        if type(d) is dict and RESUME_KEY not in d and event.type != "system.compact_boundary":
            u = d.get("uuid")
            if isinstance(u, str):
                self._line_of.setdefault(u, event.seq)
            return None
        return self.boundary(event, format_boundary(event))

    def boundary(self, event: Event, base: Boundary | None) -> Boundary | None:
        """The format's boundary, with a resume's `from_seq`: the line of the record its first
        record's `parentUuid` names (the last record the resumed session had seen)."""
        d = event.data
        if not isinstance(d, dict):
            return base
        u = d.get("uuid")
        if isinstance(u, str):
            self._line_of.setdefault(u, event.seq)
        if base is not None and base.kind == "resume" and base.from_seq is None:
            parent = d.get("parentUuid")  # a uuid; any other JSON value names no record
            frm = self._line_of.get(parent) if isinstance(parent, str) else None
            if frm is not None and frm < event.seq:
                return Boundary("resume", frm, base.label)
        return base

    def restart(self) -> None:
        self._line_of.clear()

    def map(self, obj: dict) -> Mapped:
        t = record_type(obj)
        # a file-history-snapshot's own `snapshot.timestamp` is its message's time, not the
        # record's: it has no time of its own
        ts = obj.get("timestamp")
        data: Any = obj
        sid, uuid = obj.get("sessionId"), obj.get("uuid")
        if isinstance(sid, str) and isinstance(uuid, str):
            if self.first_session is None:
                self.first_session = sid
            if sid != self.first_session:
                first = self._first_uuid.get(sid)
                if first is None:
                    self._first_uuid[sid] = first = uuid
                    self._order.append(sid)
                if first == uuid:
                    i = self._order.index(sid)
                    prev = self._order[i - 1] if i > 0 else self.first_session
                    data = dict(obj)
                    data[RESUME_KEY] = prev
        return _tuple_new(Mapped, (t, None, ts, data, None))  # Mapped(...), without its __new__

    def describe(self) -> dict[str, Any]:
        return {"type": "type (+ subtype / content block)", "id": "line number",
                "ts": "timestamp", "data": "the whole record"}


# ---- summaries -----------------------------------------------------------------------------------


# `cd "C:\Users\me\proj" && ` (or `; `) before the command that identifies a Bash call
_LEADING_CD = re.compile(r"""^\s*cd\s+(?:"[^"]*"|'[^']*'|\S+)\s*(?:&&|;)\s*""")


def command_text(command: str) -> str:
    """A Bash command without the `cd DIR &&` prefixes that start most of them."""
    out = command
    while True:
        m = _LEADING_CD.match(out)
        if m is None or not out[m.end():].strip():
            return out
        out = out[m.end():]


def tool_use_summary(block: dict) -> str:
    """`Bash: ls -la` (without a leading `cd DIR &&`), `Read: src/x.rs`, `Glob: **/*.py in src`,
    `Grep: def parse in src`."""
    name = block.get("name") or "tool"
    inp = block.get("input")
    detail = ""
    if isinstance(inp, dict):
        pattern, where = inp.get("pattern"), inp.get("path") or inp.get("glob")
        if name in ("Glob", "Grep") and isinstance(pattern, str) and pattern:
            detail = pattern + (f" in {where}" if isinstance(where, str) and where else "")
        elif name == "Bash" and isinstance(inp.get("command"), str) and inp["command"].strip():
            detail = command_text(inp["command"])
        elif name == "TodoWrite" and isinstance(inp.get("todos"), list):
            todos = inp["todos"]
            done = sum(1 for t in todos if isinstance(t, dict) and t.get("status") == "completed")
            detail = f"{len(todos)} todos, {done} completed"
        else:
            detail = key_argument(inp, INPUT_FIELDS)
    return f"{name}: {one_line(detail, 100)}" if detail else str(name)


def key_argument(args: dict, fields: tuple[str, ...]) -> str:
    """What identifies a call: the first of `fields` holding text, else the arguments shortened
    ("" when there are none). Shared by the agent formats' call summaries."""
    for f in fields:
        v = args.get(f)
        if isinstance(v, str) and v.strip():
            return v
    return one_line(args, 80) if args else ""


def _result_text(block: dict) -> str:
    c = block.get("content")
    return block_text(c) if not isinstance(c, str) else c


def tool_result_summary(obj: dict, block: dict) -> str:
    """`Read crates/x.rs (120 lines)`, `Bash (3 lines): first line`, `error: ...`."""
    tur = obj.get("toolUseResult")
    text = _result_text(block)
    if block.get("is_error"):
        return "error: " + one_line(text, 100)
    if isinstance(tur, dict):
        f = tur.get("file")
        if isinstance(f, dict) and isinstance(f.get("filePath"), str):
            n = f.get("numLines") or f.get("totalLines") or count_lines(f.get("content"))
            return f"Read {f['filePath']} ({n} lines)"
        if isinstance(tur.get("filePath"), str):
            verb = "Write" if tur.get("type") in ("create", "update") and "content" in tur else "Edit"
            return f"{verb} {tur['filePath']}"
        if "stdout" in tur:
            out = tur.get("stdout") or tur.get("stderr") or ""
            n = count_lines(out)
            first = one_line(out, 80)
            return f"Bash ({n} lines): {first}" if first else "Bash (no output)"
        if "filenames" in tur:
            n = tur.get("numFiles", len(tur.get("filenames") or []))
            kind = "Grep" if "mode" in tur else "Glob"
            return f"{kind} ({n} files)"
        if "agentId" in tur or "totalToolUseCount" in tur:
            return "Task: " + one_line(block_text(tur.get("content")) or text, 90)
    n = count_lines(text)
    return f"({n} lines) {one_line(text, 90)}" if n > 1 else one_line(text, 100)


def _tool_result_blocks(obj: dict) -> list[dict]:
    return [b for b in _blocks(obj) if b.get("type") == "tool_result"]


def record_summary(type_: str, obj: dict) -> str:
    """One line saying what a record did."""
    msg = _message(obj)
    if type_ == "assistant.tool_use":
        return "; ".join(tool_use_summary(b) for b in _blocks(obj)
                         if b.get("type") in ("tool_use", "server_tool_use"))
    if type_ == "assistant.thinking":
        for b in _blocks(obj):
            if b.get("type") == "thinking":
                return one_line(b.get("thinking"), 120)
        return "(redacted thinking)"
    if type_.startswith("assistant"):
        return one_line(block_text(msg.get("content")), 120)
    if type_ == "user.tool_result":
        return "; ".join(tool_result_summary(obj, b) for b in _tool_result_blocks(obj))
    if type_.startswith("user"):
        return one_line(block_text(msg.get("content")), 120)
    if type_ == "progress":
        d = obj.get("data") if isinstance(obj.get("data"), dict) else {}
        kind = d.get("type") or "progress"
        if kind == "hook_progress":
            return f"hook {d.get('hookName') or d.get('hookEvent') or ''}".strip()
        if kind == "bash_progress":
            return f"bash output ({d.get('totalLines', '?')} lines so far)"
        if kind == "agent_progress":
            m = d.get("message") if isinstance(d.get("message"), dict) else {}
            inner = m.get("message") if isinstance(m.get("message"), dict) else {}
            return "agent: " + one_line(block_text(inner.get("content")) or d.get("prompt"), 100)
        return one_line(f"{kind} {d.get('taskDescription') or ''}", 100)
    if type_ == "system.compact_boundary":
        meta = obj.get("compactMetadata") if isinstance(obj.get("compactMetadata"), dict) else {}
        trig, pre = meta.get("trigger"), meta.get("preTokens")
        return "context compacted" + (f" ({trig}" if trig else " (") + (
            f", {pre} tokens before)" if pre is not None else ")")
    if type_.startswith("system"):
        return one_line(obj.get("content") or obj.get("subtype") or "", 100)
    if type_ == "file_history_snapshot":
        snap = obj.get("snapshot") if isinstance(obj.get("snapshot"), dict) else {}
        n = len(snap.get("trackedFileBackups") or {})
        return f"{n} files backed up" + (" (update)" if obj.get("isSnapshotUpdate") else "")
    if type_ == "queue_operation":
        return one_line(f"{obj.get('operation', '')} {one_line(obj.get('content'), 80)}", 100)
    if type_ == "summary":
        return one_line(obj.get("summary"), 120)
    return one_line({k: v for k, v in obj.items() if k not in ("type", "timestamp")}, 100)


# ---- details (the Event tab's readable view) ------------------------------------------------------

# Record fields that say where a record sits, not what it holds (left out of generic details).
ENVELOPE_FIELDS = ("type", "subtype", "parentUuid", "logicalParentUuid", "isSidechain", "userType",
                   "cwd", "sessionId", "version", "gitBranch", "slug", "uuid", "timestamp", "level",
                   "isMeta", "toolUseID", "parentToolUseID", RESUME_KEY)
# Short inputs that say what a call acts on; shown before the others (a Task's long prompt is not).
FIRST_FIELDS = ("command", "file_path", "notebook_path", "path", "pattern", "url", "query")
TODO_MARKS = {"completed": "[x]", "in_progress": "[~]", "pending": "[ ]"}


def value_text(value: Any) -> str:
    """A payload value as text for a reader: a string as-is, a dict or list as indented
    `key: value` / `- item` lines, anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)) and value:
        return "\n".join(_outline(value, 0))
    return _scalar(value)


def _scalar(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _outline(value: Any, depth: int) -> list[str]:
    """A nested value as outline lines; strings inside it stay on one line (JSON-quoted if odd)."""
    pad = "  " * depth
    lines: list[str] = []
    items = value.items() if isinstance(value, dict) else (("-", v) for v in value)
    for k, v in items:
        head = f"{pad}{k}:" if isinstance(value, dict) else f"{pad}-"
        if isinstance(v, dict) and v and not isinstance(value, dict) and depth < 8:
            inner = _outline(v, depth + 1)  # `- key: value` then the item's other keys
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        elif isinstance(v, (dict, list)) and v and depth < 8:
            lines.append(head)
            lines.extend(_outline(v, depth + 1))
        elif isinstance(v, str) and v and "\n" not in v and v.strip() == v:
            lines.append(f"{head} {v}")
        else:
            lines.append(f"{head} {_scalar(v)}")
    return lines


def field_sections(obj: Any, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Each field of a dict as a (key, value text) section, in the record's order; empty values out."""
    if not isinstance(obj, dict):
        return []
    return [(str(k), value_text(v)) for k, v in obj.items()
            if k not in skip and v is not None and v != "" and v != [] and v != {}]


def todo_checklist(todos: list) -> str:
    """A TodoWrite list as `[x] done`, `[~] doing`, `[ ] to do` lines."""
    lines = []
    for t in todos:
        if isinstance(t, dict):
            lines.append(f"{TODO_MARKS.get(t.get('status'), '[?]')} {t.get('content', '')}")
        else:
            lines.append(f"[?] {value_text(t)}")
    return "\n".join(lines)


def tool_use_sections(block: dict) -> list[tuple[str, str]]:
    """A tool call: its name, then each input field (a TodoWrite list as a checklist)."""
    name = block.get("name") if isinstance(block.get("name"), str) else "tool"
    out = [("tool", name)]
    inp = block.get("input")
    if isinstance(inp, dict):
        # what the call does first (command, file_path, ...), then the rest in the record's order
        first = [k for k in FIRST_FIELDS if k in inp]
        for k, v in [(k, inp[k]) for k in first] + [(k, v) for k, v in inp.items() if k not in first]:
            if k == "todos" and isinstance(v, list):
                out.append(("todos", todo_checklist(v)))
            elif k == "edits" and isinstance(v, list):  # MultiEdit: one old/new pair per edit
                for i, e in enumerate(v, 1):
                    for ek, ev in (e.items() if isinstance(e, dict) else [("edit", e)]):
                        out.append((f"edit {i} {ek}", value_text(ev)))
            elif v is not None:
                out.append((str(k), value_text(v)))
    elif inp is not None:
        out.append(("input", value_text(inp)))
    return out


def _patch_text(patch: Any) -> str:
    """An Edit/Write result's `structuredPatch` hunks as unified-diff text."""
    lines = []
    for h in patch if isinstance(patch, list) else []:
        if not isinstance(h, dict):
            continue
        lines.append(f"@@ -{h.get('oldStart', '?')},{h.get('oldLines', '?')} "
                     f"+{h.get('newStart', '?')},{h.get('newLines', '?')} @@")
        lines.extend(str(x) for x in h.get("lines") or [])
    return "\n".join(lines)


def tool_result_sections(obj: dict, block: dict, many: bool) -> list[tuple[str, str]]:
    """A tool's result, whole: what the model was given, and what `toolUseResult` adds."""
    tur = obj.get("toolUseResult") if not many else None
    text = _result_text(block)
    label = "error" if block.get("is_error") else "result"
    if many and isinstance(block.get("tool_use_id"), str):
        label += f" for {block['tool_use_id']}"
    out: list[tuple[str, str]] = []
    extra: list[tuple[str, str]] = []
    if isinstance(tur, dict):
        f = tur.get("file") if isinstance(tur.get("file"), dict) else None
        path = f.get("filePath") if f is not None else tur.get("filePath")
        if isinstance(path, str):
            out.append(("file", path))
        if f is not None:
            text = text or value_text(f.get("content") or "")
        if "stdout" in tur or "stderr" in tur:
            stdout, stderr = tur.get("stdout") or "", tur.get("stderr") or ""
            if not text and isinstance(stdout, str) and isinstance(stderr, str):
                sep = "\n" if stdout and stderr and not stdout.endswith("\n") else ""
                text = stdout + sep + stderr
            if isinstance(stderr, str) and stderr and stderr not in text:
                extra.append(("stderr", stderr))
            if tur.get("interrupted"):
                extra.append(("interrupted", "yes"))
        if not text and isinstance(tur.get("result"), str):
            text = tur["result"]
        if not text and isinstance(tur.get("content"), (str, list)):
            text = block_text(tur["content"])
        patch = _patch_text(tur.get("structuredPatch"))
        if patch:
            extra.append(("patch", patch))
    elif isinstance(tur, str) and not text:
        text = tur
    out.append((label, text if text else "(empty)"))
    return out + extra


def record_details(type_: str, obj: dict) -> list[tuple[str, str]]:
    """The readable sections of a Claude Code record (see `ClaudeCodeFormat.details`)."""
    msg = _message(obj)
    if type_.startswith("assistant"):
        out: list[tuple[str, str]] = []
        content = msg.get("content")
        if isinstance(content, str):
            return [("text", content)]
        for b in _blocks(obj):
            kind = b.get("type")
            if kind == "text" and isinstance(b.get("text"), str):
                out.append(("text", b["text"]))
            elif kind == "thinking":
                out.append(("thinking", value_text(b.get("thinking") or "")))
            elif kind == "redacted_thinking":
                out.append(("thinking", "(redacted)"))
            elif kind in ("tool_use", "server_tool_use"):
                out.extend(tool_use_sections(b))
        return out
    if type_ == "user.tool_result":
        blocks = _tool_result_blocks(obj)
        out = []
        for b in blocks:
            out.extend(tool_result_sections(obj, b, len(blocks) > 1))
        return out
    if type_.startswith("user"):
        label = {"user.compact_summary": "summary", "user.command": "command",
                 "user.meta": "text"}.get(type_, "prompt")
        return [(label, block_text(msg.get("content")))]
    if type_ == "progress":
        d = obj.get("data") if isinstance(obj.get("data"), dict) else {}
        kind = d.get("type")
        if kind == "hook_progress":
            return [(label, value_text(d[k])) for k, label in
                    (("hookName", "hook"), ("hookEvent", "event"), ("command", "command")) if d.get(k)]
        if kind == "agent_progress":
            m = d.get("message") if isinstance(d.get("message"), dict) else {}
            inner = m.get("message") if isinstance(m.get("message"), dict) else {}
            out = [("agent", str(d.get("agentId")))] if d.get("agentId") else []
            if isinstance(d.get("prompt"), str):
                out.append(("prompt", d["prompt"]))
            text = block_text(inner.get("content"))
            if text:
                out.append((str(inner.get("role") or m.get("type") or "message"), text))
            return out
        return field_sections(d, skip=("type",))
    if type_ == "system.compact_boundary":
        meta = obj.get("compactMetadata") if isinstance(obj.get("compactMetadata"), dict) else {}
        out = [("trigger", value_text(meta.get("trigger") or "?"))]
        if meta.get("preTokens") is not None:
            out.append(("tokens before", value_text(meta["preTokens"])))
        return out
    if type_.startswith("system"):
        if obj.get("content"):
            return [("content", value_text(obj["content"]))]
        return field_sections(obj, skip=ENVELOPE_FIELDS)
    if type_ == "summary":
        return [("summary", value_text(obj.get("summary") or ""))]
    if type_ == "queue_operation":
        return field_sections({"operation": obj.get("operation"), "content": obj.get("content")})
    if type_ == "file_history_snapshot":
        snap = obj.get("snapshot") if isinstance(obj.get("snapshot"), dict) else {}
        files = snap.get("trackedFileBackups")
        return [("files", "\n".join(str(f) for f in files))] if isinstance(files, dict) and files else []
    return []


# ---- projection ----------------------------------------------------------------------------------


def _usage(msg: dict) -> dict[str, int] | None:
    u = msg.get("usage")
    if not isinstance(u, dict):
        return None
    get = u.get
    i, o = get("input_tokens"), get("output_tokens")
    r, c = get("cache_read_input_tokens"), get("cache_creation_input_tokens")
    # a count is an int, not a bool (type() first: JSON's ints are plain, and most are there)
    return {"input": i if type(i) is int else _count(i), "output": o if type(o) is int else _count(o),
            "cache_read": r if type(r) is int else _count(r),
            "cache_creation": c if type(c) is int else _count(c)}


def _count(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def _set_if_changed(d: MutableMapping[str, Any], key: str, value: Any) -> None:
    if d.get(key) != value:
        d[key] = value


class ClaudeCodeProjection:
    """The state a person debugging a Claude Code session wants.

    - `session`: id, cwd, version, branch (and `title` from a `summary` record);
    - `context`: what the model sees, by message id (streamed records of one API response are the
      `parts` of one message) or by record uuid; a compaction replaces it with the summary;
    - `tools`: the tool calls of the current context by `tool_use_id` (name, input, status, result);
      a compaction clears it with the context;
    - `progress`: the latest progress of each running tool; removed when its result arrives;
    - `files`: path -> the last read or write (op, tool_use_id, ts), written by the tool result;
    - `todos`: the latest TodoWrite list;
    - `tokens`: totals over API responses (each counted once), and the last context size;
    - `compactions`: by the boundary record's uuid.
    No line numbers go into the state, so a compacted copy of the log replays to the same state.
    """

    name = "claude-code"

    def initial_state(self) -> dict:
        return {"session": {}, "context": {}, "tools": {}, "progress": {}, "files": {},
                "todos": [], "tokens": {}, "compactions": {}}

    def apply(self, state: MutableMapping[str, Any], event: Event) -> None:
        obj = event.data
        if not isinstance(obj, dict):
            return
        t = event.type
        self._session(state, obj)
        if t == "system.compact_boundary":
            meta = obj.get("compactMetadata") if isinstance(obj.get("compactMetadata"), dict) else {}
            state["context"] = {}
            state["tools"] = {}
            state["progress"] = {}
            key = obj.get("uuid") or str(event.ts)
            state.setdefault("compactions", {})[key] = {
                "trigger": meta.get("trigger"), "pre_tokens": meta.get("preTokens"), "ts": event.ts}
        elif t.startswith("assistant"):
            self._assistant(state, obj, event)
        elif t.startswith("user"):
            self._user(state, obj, event)
        elif t == "progress":
            self._progress(state, obj)
        elif t == "summary" and isinstance(obj.get("summary"), str):
            _set_if_changed(state.setdefault("session", {}), "title", obj["summary"])

    # -- the direct path (core/tracked.py): the same reads and writes, declared to the tracker --

    # it may fail midway on odd records as `apply` may (the analysis then undoes the record)
    tracked_undo = True

    @property
    def direct_native(self) -> Callable[[Tracker, dict, Event], bool] | None:
        """`apply_tracked`'s C half (core/_claude.c; True when it applied the record), for the
        C reading loop to call without this method's Python frame; None without the C build."""
        return _native_apply

    def apply_tracked(self, t: Tracker, state: dict, event: Event) -> None:
        """`apply`, declaring its reads and writes to the tracker directly for the records a
        session is made of; compaction boundaries and summaries go through the tracked view.
        Records exactly what `apply` through a TrackedDict would (a property test holds the two
        to the same record), in the same order."""
        if _native_apply is not None and _native_apply(t, state, event):
            return  # applied in C (core/_claude.c)
        obj = event.data
        if not isinstance(obj, dict):
            return
        ty = event.type
        if ty == "system.compact_boundary" or ty == "summary":
            self.apply(TrackedDict(t, state, t.root), event)
            return
        root = t.root
        self._session_tracked(t, root, state, obj)
        if ty.startswith("assistant"):
            self._assistant_tracked(t, root, state, obj, event)
        elif ty.startswith("user"):
            self._user_tracked(t, root, state, obj, event)
        elif ty == "progress":
            d = obj.get("data") if isinstance(obj.get("data"), dict) else {}
            tid = obj.get("parentToolUseID") or obj.get("toolUseID")
            if not isinstance(tid, str):
                return
            tools, tslot = step_into(t, root, state, "tools", (), {})
            tool, kslot = read_key(t, tslot, tools, tid)
            if tool is not None:
                status, sslot = read_key(t, kslot, tool, "status")
                if differs(t, status, sslot, "running"):
                    return
            value = {"kind": d.get("type"), "text": record_summary("progress", obj)}
            progress, pslot = step_into(t, root, state, "progress", (), {})
            write(t, pslot, progress, tid, value, ("progress",))

    def _session_tracked(self, t: Tracker, root: Any, state: dict, obj: dict) -> None:
        # runs for every record: the four fields one by one, without a loop over pairs
        get = obj.get
        sid, cwd, version, branch = get("sessionId"), get("cwd"), get("version"), get("gitBranch")
        if not (isinstance(sid, str) or isinstance(cwd, str) or isinstance(version, str)
                or isinstance(branch, str)):
            return
        s, sslot = step_into(t, root, state, "session", (), {})
        path = ("session",)
        if isinstance(sid, str) and sid:
            set_if_changed(t, sslot, s, "id", sid, path)
        if isinstance(cwd, str) and cwd:
            set_if_changed(t, sslot, s, "cwd", cwd, path)
        if isinstance(version, str) and version:
            set_if_changed(t, sslot, s, "version", version, path)
        if isinstance(branch, str) and branch:
            set_if_changed(t, sslot, s, "branch", branch, path)
        if RESUME_KEY in obj:
            set_if_changed(t, sslot, s, "resumed_from", obj[RESUME_KEY], path)

    def _assistant_tracked(self, t: Tracker, root: Any, state: dict, obj: dict, event: Event) -> None:
        msg = _message(obj)
        uuid = obj.get("uuid") or str(event.ts)
        mid = msg.get("id") if isinstance(msg.get("id"), str) else uuid
        ctx, cslot = step_into(t, root, state, "context", (), {})
        m, mslot = step_into(t, cslot, ctx, mid, ("context",), {"role": "assistant", "parts": {}})
        text = f"{event.type}: {record_summary(event.type, obj)}"
        mpath = ("context", mid)
        parts, pslot = step_into(t, mslot, m, "parts", mpath, {})
        write(t, pslot, parts, uuid, text, (*mpath, "parts"))
        for tid, entry, todos in _tool_uses(obj):
            if entry is not None:
                tools, tslot = step_into(t, root, state, "tools", (), {})
                write(t, tslot, tools, tid, entry, ("tools",))
            if todos is not None:
                write(t, root, state, "todos", todos, ())
        u = _usage(msg)
        if u is None:
            return
        # _tokens
        tok, tslot = step_into(t, root, state, "tokens", (), {})
        path = ("tokens",)
        last_message, lslot = read_key(t, tslot, tok, "last_message")
        same = not differs(t, last_message, lslot, mid)
        prev, prev_slot = read_key(t, tslot, tok, "last") if same else (None, None)
        for k, v in u.items():
            if prev is not None:
                before, _ = read_key(t, prev_slot, prev, k, 0)
            else:
                before = 0
            delta = v - before
            if delta:
                now, _ = read_key(t, tslot, tok, k, 0)
                write(t, tslot, tok, k, now + delta, path)
        if not same:
            n, _ = read_key(t, tslot, tok, "responses", 0)
            write(t, tslot, tok, "responses", n + 1, path)
            write(t, tslot, tok, "last_message", mid, path)
        if differs(t, prev, prev_slot, u):
            write(t, tslot, tok, "last", u, path)
        set_if_changed(t, tslot, tok, "context", u["input"] + u["cache_read"] + u["cache_creation"], path)

    def _user_tracked(self, t: Tracker, root: Any, state: dict, obj: dict, event: Event) -> None:
        uuid = obj.get("uuid") or str(event.ts)
        ty = event.type
        ctx, cslot = step_into(t, root, state, "context", (), {})
        if ty != "user.tool_result":
            kind = ty.split(".", 1)[1] if "." in ty else "prompt"
            value = {"role": "user", "parts": {uuid: f"{kind}: {record_summary(ty, obj)}"}}
            write(t, cslot, ctx, uuid, value, ("context",))
            return
        parts = {}
        for b in _tool_result_blocks(obj):
            tid = b.get("tool_use_id")
            s = tool_result_summary(obj, b)
            parts[str(tid)] = s
            if not isinstance(tid, str):
                continue
            tools, tslot = step_into(t, root, state, "tools", (), {})
            tool, kslot = step_into(t, tslot, tools, tid, ("tools",), {})
            path = ("tools", tid)
            write(t, kslot, tool, "status", "error" if b.get("is_error") else "done", path)
            write(t, kslot, tool, "result", s, path)
            if not b.get("is_error"):
                self._file_access_tracked(t, root, state, obj, tool, kslot, tid, event)
            progress, pslot = step_into(t, root, state, "progress", (), {})
            delete_key(t, pslot, progress, tid, ("progress",))
        write(t, cslot, ctx, uuid, {"role": "user", "parts": parts}, ("context",))

    def _file_access_tracked(self, t: Tracker, root: Any, state: dict, obj: dict, tool: dict,
                             kslot: Any, tid: str, event: Event) -> None:
        tur = obj.get("toolUseResult") if isinstance(obj.get("toolUseResult"), dict) else {}
        f = tur.get("file") if isinstance(tur.get("file"), dict) else None
        if f is not None and isinstance(f.get("filePath"), str):
            path, op = f["filePath"], "read"
        elif isinstance(tur.get("filePath"), str):
            path, op = tur["filePath"], ("write" if tur.get("type") == "create" else "edit")
        else:
            path, _ = read_key(t, kslot, tool, "path")
            if not isinstance(path, str):
                return
            name, _ = read_key(t, kslot, tool, "name")
            op = FILE_TOOLS.get(name, "read")
        value = {"op": op, "tool_use_id": tid, "ts": event.ts}
        files, fslot = step_into(t, root, state, "files", (), {})
        write(t, fslot, files, path, value, ("files",))

    # -- parts --

    def _session(self, state: MutableMapping[str, Any], obj: dict) -> None:
        fields = (("id", "sessionId"), ("cwd", "cwd"), ("version", "version"), ("branch", "gitBranch"))
        if not any(isinstance(obj.get(f), str) for _, f in fields):
            return
        s = state.setdefault("session", {})
        for k, f in fields:
            v = obj.get(f)
            if isinstance(v, str) and v:
                _set_if_changed(s, k, v)
        if RESUME_KEY in obj:
            _set_if_changed(s, "resumed_from", obj[RESUME_KEY])

    def _assistant(self, state: MutableMapping[str, Any], obj: dict, event: Event) -> None:
        msg = _message(obj)
        uuid = obj.get("uuid") or str(event.ts)
        mid = msg.get("id") if isinstance(msg.get("id"), str) else uuid
        ctx = state.setdefault("context", {})
        m = ctx.setdefault(mid, {"role": "assistant", "parts": {}})
        m.setdefault("parts", {})[uuid] = f"{event.type}: {record_summary(event.type, obj)}"
        for tid, entry, todos in _tool_uses(obj):
            if entry is not None:
                state.setdefault("tools", {})[tid] = entry
            if todos is not None:
                state["todos"] = todos
        u = _usage(msg)
        if u is not None:
            self._tokens(state, mid, u)

    def _tokens(self, state: MutableMapping[str, Any], mid: str, u: dict[str, int]) -> None:
        # Streamed records of one response repeat its usage (growing): count each response once,
        # by replacing what the previous record of the same response added.
        tok = state.setdefault("tokens", {})
        same = tok.get("last_message") == mid
        prev = tok.get("last") if same else None
        for k, v in u.items():
            delta = v - (prev.get(k, 0) if prev is not None else 0)
            if delta:
                tok[k] = tok.get(k, 0) + delta
        if not same:
            tok["responses"] = tok.get("responses", 0) + 1
            tok["last_message"] = mid
        if prev != u:
            tok["last"] = u
        _set_if_changed(tok, "context", u["input"] + u["cache_read"] + u["cache_creation"])

    def _user(self, state: MutableMapping[str, Any], obj: dict, event: Event) -> None:
        uuid = obj.get("uuid") or str(event.ts)
        t = event.type
        ctx = state.setdefault("context", {})
        if t != "user.tool_result":
            kind = t.split(".", 1)[1] if "." in t else "prompt"
            ctx[uuid] = {"role": "user", "parts": {uuid: f"{kind}: {record_summary(t, obj)}"}}
            return
        parts = {}
        for b in _tool_result_blocks(obj):
            tid = b.get("tool_use_id")
            s = tool_result_summary(obj, b)
            parts[str(tid)] = s
            if not isinstance(tid, str):
                continue
            tool = state.setdefault("tools", {}).setdefault(tid, {})
            tool["status"] = "error" if b.get("is_error") else "done"
            tool["result"] = s
            if not b.get("is_error"):
                self._file_access(state, obj, tool, tid, event)
            try:
                del state.setdefault("progress", {})[tid]
            except KeyError:
                pass
        ctx[uuid] = {"role": "user", "parts": parts}

    def _file_access(self, state: MutableMapping[str, Any], obj: dict, tool: Any, tid: str,
                     event: Event) -> None:
        # The result is when the file was really read or written; its `toolUseResult` names the
        # file (Read: file.filePath; Write/Edit: filePath), else the call's input does.
        tur = obj.get("toolUseResult") if isinstance(obj.get("toolUseResult"), dict) else {}
        f = tur.get("file") if isinstance(tur.get("file"), dict) else None
        if f is not None and isinstance(f.get("filePath"), str):
            path, op = f["filePath"], "read"
        elif isinstance(tur.get("filePath"), str):
            path, op = tur["filePath"], ("write" if tur.get("type") == "create" else "edit")
        else:
            path = tool.get("path")
            if not isinstance(path, str):
                return
            op = FILE_TOOLS.get(tool.get("name"), "read")
        state.setdefault("files", {})[path] = {"op": op, "tool_use_id": tid, "ts": event.ts}

    def _progress(self, state: MutableMapping[str, Any], obj: dict) -> None:
        d = obj.get("data") if isinstance(obj.get("data"), dict) else {}
        tid = obj.get("parentToolUseID") or obj.get("toolUseID")
        if not isinstance(tid, str):
            return
        tool = state.setdefault("tools", {}).get(tid)
        if tool is not None and tool.get("status") != "running":
            return  # its result already arrived: nothing left to show
        state.setdefault("progress", {})[tid] = {
            "kind": d.get("type"), "text": record_summary("progress", obj)}


# ---- the tree (core/branches.py) ------------------------------------------------------------------

CONVERSATION_TYPES = frozenset({"user", "assistant", "system"})
TURN_TYPES = frozenset({"user.prompt", "user.command"})


def tree_link(event: Event) -> Link | None:
    """A record's place in the session's tree: `uuid` under `parentUuid` (a compaction boundary,
    whose `parentUuid` is null, under its `logicalParentUuid`). Progress records hang off the chain
    without ending it; prompts are the turns that make a subtree off the live chain a branch (a
    parallel tool call's records hang off it too, with no prompt). Sidechain records (a subagent's,
    in older files) are not in the session's tree."""
    d = event.data
    if not isinstance(d, dict):
        return None
    uuid = d.get("uuid")
    if not isinstance(uuid, str) or d.get("isSidechain") is True:
        return None
    parent = d.get("parentUuid")
    if not isinstance(parent, str):
        logical = d.get("logicalParentUuid")
        parent = logical if isinstance(logical, str) else None
    # Link(...) without its Python-level __new__ (one per record)
    return _tuple_new(Link, (uuid, parent, d.get("type") in CONVERSATION_TYPES,
                             event.type in TURN_TYPES))


_tuple_new = tuple.__new__


# ---- links between records: groups, relinking, audit ------------------------------------------------

# Record fields that name another record of the session by its uuid.
LINK_FIELDS = ("parentUuid", "logicalParentUuid", "leafUuid")


def tool_ids(obj: dict) -> tuple[list[str], list[str]]:
    """(ids of the `tool_use` blocks, `tool_use_id`s of the `tool_result` blocks) of a record.

    A `server_tool_use` (web search) is answered inside the same response, not by a user record,
    so it is not a call waiting for a result here."""
    uses: list[str] = []
    results: list[str] = []
    for b in _blocks(obj):
        t = b.get("type")
        if t == "tool_use" and isinstance(b.get("id"), str):
            uses.append(b["id"])
        elif t == "tool_result" and isinstance(b.get("tool_use_id"), str):
            results.append(b["tool_use_id"])
    return uses, results


def _union_groups(n: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    out: dict[int, list[int]] = {}
    for a, b in pairs:
        for x in (a, b):
            out.setdefault(find(x), [])
    for x in range(n):
        r = find(x)
        if r in out:
            out[r].append(x)
    return [g for g in out.values() if len(g) > 1]


def _is_boundary(o: dict) -> bool:
    return o.get("type") == "system" and o.get("subtype") == "compact_boundary"


def record_groups(objs: list[dict]) -> list[list[int]]:
    """Records kept or dropped together: every `tool_use` with the records answering it, every
    compaction boundary with its summary record."""
    pairs: list[tuple[int, int]] = []
    use_at: dict[str, int] = {}
    boundary_at: dict[str, int] = {}
    for i, o in enumerate(objs):
        uses, results = tool_ids(o)
        for u in uses:
            use_at.setdefault(u, i)
        for r in results:
            j = use_at.get(r)
            if j is not None and j != i:
                pairs.append((j, i))
        uuid = o.get("uuid")
        if _is_boundary(o) and isinstance(uuid, str):
            boundary_at[uuid] = i
        elif o.get("isCompactSummary"):
            parent = o.get("parentUuid")  # a uuid; any other JSON value names no record
            j = boundary_at.get(parent) if isinstance(parent, str) else None
            if j is not None:
                pairs.append((j, i))
    return _union_groups(len(objs), pairs)


def relink_records(objs: list[dict], keep: list[bool]) -> dict[int, dict]:
    """Kept records whose links name a dropped record, with each such link moved to the nearest
    kept ancestor along the `parentUuid` chain (or to where that chain leaves the file: null, or
    the earlier session's record a resumed session names). Never a record that was not an
    ancestor."""
    where: dict[str, int] = {}
    for i, o in enumerate(objs):
        u = o.get("uuid")
        if isinstance(u, str):
            where[u] = i
    nearest: dict[str, Any] = {}

    def resolve(u: Any) -> Any:
        # walk up from a dropped record to the first kept one (memoised: linear overall)
        path = []
        seen = set()
        while isinstance(u, str) and u in where and not keep[where[u]] and u not in seen:
            if u in nearest:
                u = nearest[u]
                break
            seen.add(u)
            path.append(u)
            u = objs[where[u]].get("parentUuid")
        if isinstance(u, str) and u in seen:  # a cycle of dropped records: no kept ancestor
            u = None
        for p in path:
            nearest[p] = u
        return u

    out: dict[int, dict] = {}
    for i, o in enumerate(objs):
        if not keep[i]:
            continue
        new = None
        for f in LINK_FIELDS:
            v = o.get(f)
            if isinstance(v, str) and v in where and not keep[where[v]]:
                if new is None:
                    new = dict(o)
                new[f] = resolve(v)
        if new is not None:
            out[i] = new
    return out


def audit_records(objs: list[dict], lines: list[int] | None = None) -> list[Finding]:
    """Problems Claude Code would trip over when it loads this transcript, each naming the line.

    - a `uuid` used twice;
    - a `parentUuid` naming no record of the file, other than the first record of the file or
      of a session continued in it (a resumed session links to the session it continues);
    - a `tool_result` whose `tool_use` is not earlier in the file;
    - a `tool_use` never answered, unless it is still in flight at the end (no user record after it);
    - a compact summary not linked to its compaction boundary.
    """
    ln = (lambda i: lines[i]) if lines is not None else (lambda i: i + 1)
    out: list[Finding] = []
    first_uuid_line: dict[str, int] = {}
    for i, o in enumerate(objs):
        u = o.get("uuid")
        if isinstance(u, str):
            if u in first_uuid_line:
                out.append(Finding("duplicate_uuid", i, ln(i),
                                   f"uuid {u[:8]} was already used on line {first_uuid_line[u]}",
                                   "two records claim one id: Claude Code keeps only one of them; "
                                   "remove the copy"))
            else:
                first_uuid_line[u] = ln(i)
    last_user = max((i for i, o in enumerate(objs) if o.get("type") == "user"), default=-1)
    use_at: dict[str, int] = {}
    answered: set[str] = set()
    prev_session: Any = None
    seen_uuid_record = False
    boundaries: set[str] = set()
    for i, o in enumerate(objs):
        u, parent, sid = o.get("uuid"), o.get("parentUuid"), o.get("sessionId")
        if isinstance(u, str):
            starts_session = not seen_uuid_record or (isinstance(sid, str) and sid != prev_session)
            if isinstance(parent, str) and parent not in first_uuid_line and not starts_session:
                out.append(Finding("dangling_parent", i, ln(i),
                                   f"parentUuid {parent[:8]} names no record in the file",
                                   "the conversation chain breaks here: Claude Code would resume "
                                   "without what came before; restore the missing record"))
            seen_uuid_record = True
            if isinstance(sid, str):
                prev_session = sid
        if _is_boundary(o) and isinstance(u, str):
            boundaries.add(u)
        if o.get("isCompactSummary") and not (isinstance(parent, str) and parent in boundaries):
            out.append(Finding("summary_unlinked", i, ln(i),
                               "compact summary does not follow its compaction boundary",
                               "the summary would be read as an ordinary prompt; keep the "
                               "boundary record with it"))
        uses, results = tool_ids(o)
        for r in results:
            if r not in use_at:
                out.append(Finding("orphan_result", i, ln(i),
                                   f"tool_result for {r} has no tool_use earlier in the file",
                                   "the API rejects a result without its call: drop this record "
                                   "or restore the call"))
            answered.add(r)
        for t in uses:
            use_at.setdefault(t, i)
    for t, i in use_at.items():
        if t not in answered and i < last_user:
            name = next((b.get("name") for b in _blocks(objs[i]) if b.get("id") == t), "tool")
            out.append(Finding("unanswered_call", i, ln(i),
                               f"{name} call {t} was never answered",
                               "the call was cut off (interrupted or crashed): check whether it "
                               "ran before you rely on its effect"))
    out.sort(key=lambda f: f.index)
    return out


WRITE_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})


def session_activity(objs: list[dict]) -> Activity:
    """The calls (with where they were answered), completed side effects (a Bash command that may
    change something; a file written or edited), sessions and conversation records of a
    transcript."""
    act = Activity()
    calls: dict[str, tuple[int, dict]] = {}
    answered: dict[str, int] = {}
    session: str | None = None
    for i, o in enumerate(objs):
        sid = o.get("sessionId")
        if isinstance(sid, str):
            session = sid
        act.sessions.append(session)
        act.conversation.append(isinstance(o.get("uuid"), str)
                                and o.get("type") in ("user", "assistant", "system"))
        for b in _blocks(o):
            kind = b.get("type")
            if kind == "tool_use" and isinstance(b.get("id"), str):
                calls.setdefault(b["id"], (i, b))
            elif kind == "tool_result" and isinstance(b.get("tool_use_id"), str):
                tid = b["tool_use_id"]
                answered.setdefault(tid, i)
                if b.get("is_error") or tid not in calls:
                    continue
                call = calls[tid][1]
                name = call.get("name")
                inp = call.get("input") if isinstance(call.get("input"), dict) else {}
                if name == "Bash" and isinstance(inp.get("command"), str) and side_effecting(inp["command"]):
                    act.effects.append((i, "shell", inp["command"]))
                elif isinstance(name, str) and name in WRITE_TOOLS:
                    path = inp.get("file_path") or inp.get("notebook_path")
                    if isinstance(path, str):
                        act.effects.append((i, "write", path))
    act.calls = [Call(i, tid, str(b.get("name") or "tool"), one_line(tool_use_summary(b), 100),
                      answered.get(tid)) for tid, (i, b) in calls.items()]
    return act


def _context_size(obj: dict) -> int | None:
    u = _usage(_message(obj))
    return None if u is None else u["input"] + u["cache_read"] + u["cache_creation"]


def context_compactions(objs: list[dict]) -> list[dict]:
    """Every context compaction of a transcript (a `compact_boundary`, or a compact summary with
    no boundary before it) and what the context held since the previous one, by position:
    `index`, `trigger`, `tokens_before` (the boundary's preTokens), `tokens_after` (the context
    size of the first response after it), `summary_index` and `summary` (its text), `dropped`
    (conversation records since the previous compaction), `prompts` [(index, text)], `files`
    {path: {"read", "written"}}, `errors` [(index, tool, text)], `open_todos`, `in_flight`
    [(index, call_id, name, input)] (calls not answered by the boundary)."""
    out: list[dict] = []
    start = 0
    todos: list = []
    calls: dict[str, tuple[int, dict]] = {}
    answered: dict[str, int] = {}
    for i, o in enumerate(objs):
        for b in _blocks(o):
            if b.get("type") == "tool_use" and isinstance(b.get("id"), str):
                calls.setdefault(b["id"], (i, b))
            elif b.get("type") == "tool_result" and isinstance(b.get("tool_use_id"), str):
                answered.setdefault(b["tool_use_id"], i)
    i = 0
    n = len(objs)
    while i < n:
        o = objs[i]
        boundary = _is_boundary(o)
        lone_summary = bool(o.get("isCompactSummary")) and not (i and any(
            _is_boundary(objs[j]) for j in range(max(start, i - 3), i)))
        if not (boundary or lone_summary):
            i += 1
            continue
        meta = o.get("compactMetadata") if isinstance(o.get("compactMetadata"), dict) else {}
        summary_index = i if lone_summary else None
        if boundary:
            uuid = o.get("uuid")
            for j in range(i + 1, min(n, i + 20)):
                if objs[j].get("isCompactSummary") and (objs[j].get("parentUuid") == uuid or uuid is None):
                    summary_index = j
                    break
        tokens_after = None
        for j in range((summary_index or i) + 1, n):
            if objs[j].get("type") == "assistant":
                tokens_after = _context_size(objs[j])
                if tokens_after is not None:
                    break
        seg = range(start, i)
        prompts, errors, files = [], [], {}
        dropped = 0
        for j in seg:
            r = objs[j]
            if isinstance(r.get("uuid"), str) and r.get("type") in ("user", "assistant", "system"):
                dropped += 1
            try:
                t = record_type(r)
            except MappingError:
                continue
            if t == "user.prompt":
                text = block_text(_message(r).get("content"))
                if not text.lstrip().startswith("<"):  # a notice the harness injected, not the user
                    prompts.append((j, one_line(text, 200)))
            for b in _blocks(r):
                if b.get("type") == "tool_use" and isinstance(b.get("input"), dict):
                    inp, name = b["input"], b.get("name")
                    path = inp.get("file_path") or inp.get("notebook_path")
                    if isinstance(name, str) and name in FILE_TOOLS and isinstance(path, str):
                        f = files.setdefault(path, {"read": False, "written": False})
                        f["written" if FILE_TOOLS[name] != "read" else "read"] = True
                    if name == "TodoWrite" and isinstance(inp.get("todos"), list):
                        todos = [x for x in inp["todos"] if isinstance(x, dict)]
                elif b.get("type") == "tool_result" and b.get("is_error"):
                    call = calls.get(b.get("tool_use_id"))  # type: ignore[arg-type]
                    name = call[1].get("name") if call else "tool"
                    errors.append((j, str(name), one_line(_result_text(b), 160)))
        in_flight = [(ci, tid, str(b.get("name") or "tool"), one_line(tool_use_summary(b), 100))
                     for tid, (ci, b) in calls.items()
                     if start <= ci < i and (answered.get(tid) is None or answered[tid] > i)]
        summary = block_text(_message(objs[summary_index]).get("content")) if summary_index is not None else ""
        out.append({
            "index": i, "trigger": meta.get("trigger"), "tokens_before": meta.get("preTokens"),
            "tokens_after": tokens_after, "summary_index": summary_index, "summary": summary,
            "dropped": dropped, "prompts": prompts, "files": files, "errors": errors,
            "open_todos": [{"content": x.get("content"), "status": x.get("status")}
                           for x in todos if x.get("status") != "completed"],
            "in_flight": in_flight,
        })
        start = (summary_index if summary_index is not None else i) + 1
        i = start
    return out


# ---- the format ----------------------------------------------------------------------------------


def _looks_like_record(o: dict) -> bool:
    t = o.get("type")
    if type(t) is not str or t not in RECORD_TYPES or "seq" in o:
        return False
    if t in ("user", "assistant"):
        return isinstance(o.get("message"), dict)
    return any(h in o for h in ENVELOPE_HINTS) or "snapshot" in o or "summary" in o


# ---- the kinds this format knows (format drift, core/drift.py) ----------------------------------

# Event types as `record_type` names them; any other (a new record `type`, a new `system` subtype,
# an assistant record with no content block known here) is counted by `check`.
KNOWN_KINDS = frozenset({
    "user.prompt", "user.tool_result", "user.meta", "user.command", "user.compact_summary",
    "assistant.tool_use", "assistant.text", "assistant.thinking", "assistant",
    "system.compact_boundary", "system.microcompact_boundary", "system.stop_hook_summary",
    "system.turn_duration", "system.local_command", "system.api_error", "system.informational",
    "progress", "summary", "file_history_snapshot", "queue_operation", "attachment", "custom_title",
    "tag",
})


def unknown_kind(event: Event) -> str | None:
    """A known record missing what this format reads: a message, a tool result's call id."""
    obj = event.data
    if not isinstance(obj, dict):
        return None
    t = obj.get("type")
    if t in ("user", "assistant") and not isinstance(obj.get("message"), dict):
        return f"{t} without message"
    if event.type == "assistant":  # none of its content blocks is one record_type knows
        kinds = sorted({str(b.get("type")) for b in _blocks(obj)})
        return f"assistant block {', '.join(kinds)}" if kinds else "assistant without content"
    if event.type == "user.tool_result" and any(
            not isinstance(b.get("tool_use_id"), str) for b in _tool_result_blocks(obj)):
        return "tool_result without tool_use_id"
    return None


def unknown_kind_of(kind: str) -> bool:
    """Whether `unknown_kind` can name anything for events of this type: only for user and
    assistant records (record_type names them `user.…`, `assistant…`); every other type it
    answers None for, so the analysis does not ask (a test holds the two together)."""
    return kind.startswith(("user", "assistant"))


def format_boundary(event: Event) -> Boundary | None:
    """The format's own boundaries: a context compaction, the first record of a resumed session."""
    if event.type == "system.compact_boundary":
        data = event.data if isinstance(event.data, dict) else {}
        meta = data.get("compactMetadata") if isinstance(data.get("compactMetadata"), dict) else {}
        trig = meta.get("trigger")
        return Boundary("compaction", None, f"context compacted ({trig})" if trig else "context compacted")
    if isinstance(event.data, dict) and RESUME_KEY in event.data:
        sid = event.data.get("sessionId")
        return Boundary("resume", None, f"session {str(sid)[:8]} resumes {str(event.data[RESUME_KEY])[:8]}")
    return None


class ClaudeCodeFormat:
    """Claude Code session transcripts."""

    name = "claude-code"
    description = ("Claude Code session transcripts (~/.claude/projects/*/*.jsonl): "
                   "user/assistant/progress/system records, ids are line numbers")
    known_kinds = KNOWN_KINDS
    unknown_kind = staticmethod(unknown_kind)
    unknown_kind_of = staticmethod(unknown_kind_of)

    def detect(self, objs: list[dict]) -> float:
        if not objs:
            return 0.0
        hits = sum(1 for o in objs if _looks_like_record(o))
        if not any(o.get("type") in ("user", "assistant", "summary", "file-history-snapshot")
                   and _looks_like_record(o) for o in objs):
            return 0.0
        return hits / len(objs)

    def mapper(self, objs: list[dict], options: Options) -> ClaudeCodeMapper:
        return ClaudeCodeMapper(_first_session(objs))

    def projection(self, options: Options) -> ClaudeCodeProjection:
        return ClaudeCodeProjection()

    def boundary(self, event: Event, options: Options | None = None) -> Boundary | None:
        return format_boundary(event)

    # concurrent writers (hooks, the queue) stamp records out of order: no generic check applies
    # (ids are line numbers); `audit` says what is wrong instead
    promises: frozenset[str] = frozenset()

    def groups(self, objs: list[dict]) -> list[list[int]]:
        return record_groups(objs)

    def relink(self, objs: list[dict], keep: list[bool]) -> dict[int, dict]:
        return relink_records(objs, keep)

    def audit(self, objs: list[dict], lines: list[int] | None = None) -> list[Finding]:
        return audit_records(objs, lines)

    def activity(self, objs: list[dict]) -> Activity:
        return session_activity(objs)

    def context_compactions(self, objs: list[dict]) -> list[dict]:
        return context_compactions(objs)

    def validate(self, objs: list[dict]) -> list[str]:
        """Why Claude Code could not load these records as a session ([] = it could)."""
        if not objs:
            return ["no records: an empty file is no session"]
        return [f"line {f.line}: {f.text}" for f in audit_records(objs)]

    # never a stored snapshot: the reading loop need not ask per record (core/analysis.py)
    never_snapshots = True

    def is_snapshot(self, event: Event) -> bool:
        return False

    def tree_linker(self) -> Callable[[Event], Link | None]:
        """Records form a tree by uuid/parentUuid: the live branch is the chain from the last leaf."""
        return tree_link

    def details(self, event: Event) -> list[tuple[str, str]]:
        """The record's payload as readable (label, text) sections, texts whole; [] when odd."""
        data = event.data
        if not isinstance(data, dict):
            return []
        try:
            return record_details(event.type, data)
        except (AttributeError, TypeError, ValueError, KeyError):
            return []

    def summary(self, event: Event) -> str:
        data = event.data
        if not isinstance(data, dict):
            return one_line(data)
        b = self.boundary(event)
        s = record_summary(event.type, data)
        if b is not None and b.kind == "resume":
            s = f"{b.label}: {s}"
        return one_line(s, 160)


# the format boundary ClaudeCodeMapper.boundary_of includes (core/analysis.py calls it instead of
# the two only for a format whose boundary this is)
ClaudeCodeMapper.FORMAT_BOUNDARY = ClaudeCodeFormat.boundary  # type: ignore[attr-defined]


# ---- the C accelerator (core/_claude.c) -----------------------------------------------------------
#
# When built: the direct path (`apply_tracked` hands it each record first; it applies the records
# it handles exactly, making the same tracker calls through the functions given here, and returns
# False, having done nothing, for the others), `record_type` and `tree_link` (each calls the
# Python one for a record it would raise on) and `unknown_kind` (the Python one words what it
# finds missing). The Python ones stay reachable for tests.
_native_apply: Callable[[Tracker, dict, Event], bool] | None = None
_record_type_py = record_type
_tree_link_py = tree_link
_unknown_kind_py = unknown_kind
if _claude is not None:
    _claude.setup(
        {
            "step_into": step_into,
            "write": write,
            "read_key": read_key,
            "differs": differs,
            "set_if_changed": set_if_changed,
            "delete_key": delete_key,
            "one_line_str": _one_line_text if _one_line_text is not None else _one_line_py,
            "one_line": one_line,
            "command_text": command_text,
            "file_tools": FILE_TOOLS,
            "resume_key": RESUME_KEY,
            "record_type": _record_type_py,
            "tree_link": _tree_link_py,
            "link": Link,
            "unknown_kind": _unknown_kind_py,
        }
    )
    _native_apply = _claude.apply_tracked
    record_type = _claude.record_type
    tree_link = _claude.tree_link
    unknown_kind = _claude.unknown_kind
    ClaudeCodeFormat.unknown_kind = staticmethod(unknown_kind)  # type: ignore[assignment]

# The mapper's two per-record calls, in C for the common record (a record of the file's first
# session; a record that is no compaction boundary and no resumed session's first), the Python
# methods (kept here, for the others and for tests) for the rest.
_map_py = ClaudeCodeMapper.map
_boundary_of_py = ClaudeCodeMapper.boundary_of
if _claude is not None:
    _claude.setup_mapper({"map": _map_py, "boundary_of": _boundary_of_py, "mapped": Mapped})
    ClaudeCodeMapper.map = _claude.instancemethod(_claude.map)  # type: ignore[method-assign]
    ClaudeCodeMapper.boundary_of = _claude.instancemethod(  # type: ignore[method-assign]
        _claude.boundary_of)
