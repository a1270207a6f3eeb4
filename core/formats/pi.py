"""pi coding agent sessions (`~/.pi/agent/sessions/--<cwd>--/<timestamp>_<uuid>.jsonl`).

One JSON object a line: a `session` header (id, cwd, version), then entries linked into a tree by
`id`/`parentId` (8 hex characters): `message` (roles `user`, `assistant`, `toolResult`,
`bashExecution`, `custom`, ...), `model_change`, `thinking_level_change`, `compaction` (summary,
`firstKeptEntryId`, `tokensBefore`), `branch_summary`, `custom`, `custom_message`, `label`,
`session_info`. pi appends every entry under the current leaf; going back to an earlier entry
(`/tree`) and going on leaves a branch, and the live branch is the chain from the last entry. An
event's id is its line number (the entry ids are strings); its time is `timestamp`; its payload
the whole entry, unchanged. Written from pi-mono's session-manager.ts and messages.ts (MIT).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
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
from agentlog_tui.core.formats.claude_code import (
    block_text,
    count_lines,
    field_sections,
    key_argument,
    one_line,
    value_text,
)

ENTRY_TYPES = frozenset({
    "session", "message", "model_change", "thinking_level_change", "compaction", "branch_summary",
    "custom", "custom_message", "label", "session_info",
})
ROLES = frozenset({"user", "assistant", "toolResult", "bashExecution", "custom", "branchSummary",
                   "compactionSummary"})
# pi's built-in tools that touch one file, and what they do to it
FILE_TOOLS = {"read": "read", "write": "write", "edit": "edit"}
INPUT_FIELDS = ("command", "path", "file_path", "pattern", "query", "url", "description")
ENVELOPE = ("type", "id", "parentId", "timestamp")


def _message(obj: dict) -> dict:
    m = obj.get("message")
    return m if isinstance(m, dict) else {}


def _blocks(msg: dict) -> list[dict]:
    c = msg.get("content")
    return [b for b in c if isinstance(b, dict)] if isinstance(c, list) else []


def _tool_calls(msg: dict) -> list[dict]:
    return [b for b in _blocks(msg) if b.get("type") == "toolCall"]


def record_type(obj: dict) -> str:
    """The readable event type of one pi entry."""
    t = obj.get("type")
    if not isinstance(t, str):
        raise MappingError("entry has no `type` string")
    if t != "message":
        return t
    msg = _message(obj)
    role = msg.get("role")
    if role == "assistant":
        if msg.get("stopReason") in ("error", "aborted"):
            return "assistant.error"
        kinds = {b.get("type") for b in _blocks(msg)}
        for k, name in (("toolCall", "tool_call"), ("text", "text"), ("thinking", "thinking")):
            if k in kinds:
                return "assistant." + name
        return "assistant.text" if isinstance(msg.get("content"), str) else "assistant"
    if role == "user":
        return "user"
    if role == "toolResult":
        return "tool_result"
    if role == "bashExecution":
        return "bash"
    if isinstance(role, str) and role:
        return "message." + role
    return "message"


RESUME_KEY = "_agentlog_resumed_after"


@dataclass(slots=True)
class PiMapper:
    """pi entries to events: the entry's type (and role), line-number ids, the whole entry.

    Notices a resume: a prompt after a response that was aborted or failed, or after calls that
    were never answered (pi was stopped mid-call and started again). That prompt's payload gets
    one added key, `RESUME_KEY`, saying what it resumed after. Which prompts are resumes is learnt
    in reading order and remembered by entry id, so mapping a line again gives the same event."""

    uses_line_numbers: bool = True
    # per entry id: (the stop reason of an aborted or failed response, the calls left unanswered)
    # along that entry's own branch, so a prompt after going back with /tree is not a resume
    _after: dict[str, tuple[str | None, frozenset[str]]] = field(default_factory=dict)
    _resumes: dict[str, str] = field(default_factory=dict)  # entry id -> what it resumed after

    def map(self, obj: dict) -> Mapped:
        t = record_type(obj)
        eid = obj.get("id")
        data: Any = obj
        if isinstance(eid, str) and obj.get("type") != "session":
            if eid not in self._after:
                self._learn(t, obj, eid)
            why = self._resumes.get(eid)
            if why is not None:
                data = dict(obj)
                data[RESUME_KEY] = why
        return Mapped(t, None, obj.get("timestamp"), data, None)

    def _learn(self, t: str, obj: dict, eid: str) -> None:
        msg = _message(obj)
        pid = obj.get("parentId")
        stopped, open_ = self._after.get(pid, NOTHING_PENDING) if isinstance(pid, str) else NOTHING_PENDING
        if t.startswith("assistant"):
            stop = msg.get("stopReason")
            stopped = stop if stop in ("aborted", "error") else None
            calls = [b["id"] for b in _tool_calls(msg) if isinstance(b.get("id"), str)]
            if calls:
                open_ = open_ | frozenset(calls)
        elif t == "tool_result":
            if msg.get("toolCallId") in open_:
                open_ = open_ - {msg.get("toolCallId")}
        elif t == "user":
            if stopped or open_:
                n = len(open_)
                self._resumes[eid] = (f"an {stopped} response" if stopped else
                                      f"{n} unanswered call{'s' if n > 1 else ''}")
            stopped, open_ = NOTHING_PENDING
        self._after[eid] = (stopped, open_) if (stopped or open_) else NOTHING_PENDING

    def describe(self) -> dict[str, Any]:
        return {"type": "type (+ message role / content block)", "id": "line number",
                "ts": "timestamp", "data": "the whole entry"}


NOTHING_PENDING: tuple[str | None, frozenset[str]] = (None, frozenset())


# ---- summaries -----------------------------------------------------------------------------------


def call_summary(block: dict) -> str:
    """`bash: ls -la`, `read: src/x.ts`."""
    name = block.get("name") or "tool"
    args = block.get("arguments")
    detail = key_argument(args, INPUT_FIELDS) if isinstance(args, dict) else ""
    return f"{name}: {one_line(detail, 100)}" if detail else str(name)


def result_summary(msg: dict) -> str:
    """`read (12 lines): first line`, `error: ...`."""
    text = block_text(msg.get("content"))
    name = msg.get("toolName") or "tool"
    if msg.get("isError"):
        return f"{name} error: {one_line(text, 100)}"
    n = count_lines(text)
    first = one_line(text, 80)
    return f"{name} ({n} lines): {first}" if n > 1 else f"{name}: {first}" if first else f"{name} (no output)"


def bash_summary(msg: dict) -> str:
    code = msg.get("exitCode")
    state = "cancelled" if msg.get("cancelled") else f"exit {code}" if code is not None else "no exit code"
    return f"!{one_line(msg.get('command'), 80)} ({state}, {count_lines(msg.get('output'))} lines)"


def entry_summary(type_: str, obj: dict) -> str:
    """One line saying what an entry did."""
    msg = _message(obj)
    if type_ == "session":
        return one_line(f"session {obj.get('id', '')} in {obj.get('cwd', '?')}", 120)
    if type_ == "assistant.tool_call":
        return "; ".join(call_summary(b) for b in _tool_calls(msg))
    if type_ == "assistant.error":
        return "error: " + one_line(msg.get("errorMessage") or msg.get("stopReason"), 110)
    if type_ == "assistant.thinking":
        for b in _blocks(msg):
            if b.get("type") == "thinking":
                return one_line(b.get("thinking"), 120)
    if type_.startswith(("assistant", "user", "message.")):
        return one_line(block_text(msg.get("content")) or msg.get("summary"), 120)
    if type_ == "tool_result":
        return result_summary(msg)
    if type_ == "bash":
        return bash_summary(msg)
    if type_ == "model_change":
        return f"model {obj.get('provider', '?')}/{obj.get('modelId', '?')}"
    if type_ == "thinking_level_change":
        return f"thinking level {obj.get('thinkingLevel', '?')}"
    if type_ == "compaction":
        return f"context compacted ({obj.get('tokensBefore', '?')} tokens before): " + one_line(
            obj.get("summary"), 80)
    if type_ == "branch_summary":
        return f"back from branch {obj.get('fromId', '?')}: " + one_line(obj.get("summary"), 80)
    if type_ == "custom_message":
        return f"{obj.get('customType', 'custom')}: " + one_line(block_text(obj.get("content")), 100)
    if type_ == "custom":
        return f"{obj.get('customType', 'custom')}: " + one_line(obj.get("data"), 100)
    if type_ == "label":
        return f"label {obj.get('targetId', '?')}: {one_line(obj.get('label'), 80)}"
    if type_ == "session_info":
        return "session name: " + one_line(obj.get("name"), 100)
    return one_line({k: v for k, v in obj.items() if k not in ENVELOPE}, 100)


def entry_details(type_: str, obj: dict) -> list[tuple[str, str]]:
    """The readable sections of a pi entry."""
    msg = _message(obj)
    if type_.startswith("assistant"):
        out: list[tuple[str, str]] = []
        if isinstance(msg.get("content"), str):
            out.append(("text", msg["content"]))
        for b in _blocks(msg):
            kind = b.get("type")
            if kind == "text" and isinstance(b.get("text"), str):
                out.append(("text", b["text"]))
            elif kind == "thinking":
                out.append(("thinking", value_text(b.get("thinking") or "")))
            elif kind == "toolCall":
                out.append(("call", f"{b.get('name', 'tool')} ({b.get('id', '?')})"))
                args = b.get("arguments")
                if isinstance(args, dict):
                    out.extend(field_sections(args))
        if msg.get("errorMessage"):
            out.append(("error", value_text(msg["errorMessage"])))
        return out
    if type_ == "tool_result":
        label = "error" if msg.get("isError") else "output"
        return [("tool", f"{msg.get('toolName', '?')} ({msg.get('toolCallId', '?')})"),
                (label, block_text(msg.get("content")) or "(empty)")]
    if type_ == "bash":
        return field_sections({"command": msg.get("command"), "exit code": msg.get("exitCode"),
                               "output": msg.get("output")})
    if type_ == "user" or type_.startswith("message."):
        return [("prompt" if type_ == "user" else type_[8:], block_text(msg.get("content"))
                 or value_text(msg.get("summary") or ""))]
    if type_ in ("compaction", "branch_summary"):
        return field_sections(obj, skip=ENVELOPE)
    return field_sections(obj, skip=ENVELOPE)


# ---- projection ----------------------------------------------------------------------------------


def _int(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def _num(v: Any) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


class PiProjection:
    """The state a person debugging a pi session wants (the live branch only: entries on other
    branches never reach it).

    - `session`: id, cwd, version, parent session, name, model (provider/id), thinking level;
    - `context`: what the model sees, by entry id; a compaction drops the entries before its
      `firstKeptEntryId` and puts its summary first; a branch summary is an entry of its own;
    - `tools`: the calls of the current context by call id (name, input, status, result), and the
      user's own `!` commands by entry id;
    - `files`: path -> the last read, write or edit (op, call id, ts), written by the result;
    - `tokens`: totals over assistant messages (input, output, cache_read, cache_write, cost,
      responses) and the last context size;
    - `compactions`: by entry id (tokens before, first kept entry);
    - `labels`: entry id -> label; `errors`: the last failed or aborted response.
    No line numbers go into the state, so a compacted copy replays to the same state.
    """

    name = "pi"

    def initial_state(self) -> dict:
        return {"session": {}, "context": {}, "tools": {}, "files": {}, "tokens": {},
                "compactions": {}, "labels": {}}

    def apply(self, state: MutableMapping[str, Any], event: Event) -> None:
        obj = event.data
        if not isinstance(obj, dict):
            return
        t = event.type
        eid = obj.get("id") if isinstance(obj.get("id"), str) else f"@{event.ts}"
        if t == "session":
            s = state.setdefault("session", {})
            for k, f in (("id", "id"), ("cwd", "cwd"), ("version", "version"),
                         ("parent_session", "parentSession"), ("started", "timestamp")):
                if obj.get(f) is not None:
                    s[k] = obj[f]
        elif t == "model_change":
            state.setdefault("session", {})["model"] = f"{obj.get('provider')}/{obj.get('modelId')}"
        elif t == "thinking_level_change":
            state.setdefault("session", {})["thinking_level"] = obj.get("thinkingLevel")
        elif t == "session_info":
            state.setdefault("session", {})["name"] = obj.get("name")
        elif t == "label":
            labels = state.setdefault("labels", {})
            target = str(obj.get("targetId"))
            if obj.get("label"):
                labels[target] = obj["label"]
            elif target in labels:
                del labels[target]
        elif t == "compaction":
            self._compaction(state, obj, eid, event)
        elif t == "branch_summary":
            state.setdefault("context", {})[eid] = {
                "role": "branch_summary", "text": one_line(obj.get("summary"), 200)}
        elif t == "custom_message":
            state.setdefault("context", {})[eid] = {
                "role": "custom", "text": entry_summary(t, obj)}
        elif t == "message" or "." in t or t in ("user", "tool_result", "bash", "assistant"):
            self._message(state, t, obj, eid, event)

    def _message(self, state: MutableMapping[str, Any], t: str, obj: dict, eid: str, event: Event) -> None:
        msg = _message(obj)
        ctx = state.setdefault("context", {})
        if t == "bash":
            if not msg.get("excludeFromContext"):
                ctx[eid] = {"role": "bash", "text": bash_summary(msg)}
            code = msg.get("exitCode")
            state.setdefault("tools", {})[eid] = {
                "name": "!bash", "input": one_line(msg.get("command"), 100),
                "status": "cancelled" if msg.get("cancelled") else "done" if code == 0 else "error",
                "exit_code": code, "entry": eid}
            return
        if t == "tool_result":
            ctx[eid] = {"role": "tool_result", "text": result_summary(msg)}
            tid = msg.get("toolCallId")
            if not isinstance(tid, str):
                return
            tool = state.setdefault("tools", {}).setdefault(tid, {"name": msg.get("toolName")})
            tool["status"] = "error" if msg.get("isError") else "done"
            tool["result"] = result_summary(msg)
            path = tool.get("path")
            name = tool.get("name")
            op = FILE_TOOLS.get(name) if isinstance(name, str) else None
            if not msg.get("isError") and isinstance(path, str) and op is not None:
                state.setdefault("files", {})[path] = {"op": op, "tool_call_id": tid, "ts": event.ts}
            return
        role = "assistant" if t.startswith("assistant") else "user" if t == "user" else t
        ctx[eid] = {"role": role, "text": f"{t}: {entry_summary(t, obj)}"}
        if not t.startswith("assistant"):
            return
        model = msg.get("model")
        if isinstance(model, str) and model:
            model = f"{msg.get('provider')}/{model}"
            s = state.setdefault("session", {})
            if s.get("model") != model:
                s["model"] = model
        for b in _tool_calls(msg):
            tid = b.get("id")
            if not isinstance(tid, str):
                continue
            name = b.get("name") if isinstance(b.get("name"), str) else "tool"
            entry = {"name": name, "input": call_summary(b), "status": "running", "entry": eid}
            args = b.get("arguments") if isinstance(b.get("arguments"), dict) else {}
            path = args.get("path") or args.get("file_path")
            if name in FILE_TOOLS and isinstance(path, str):
                entry["path"] = path
            state.setdefault("tools", {})[tid] = entry
        if t == "assistant.error":
            state["errors"] = {"entry": eid, "stop_reason": msg.get("stopReason"),
                               "message": one_line(msg.get("errorMessage"), 200)}
        u = msg.get("usage")
        if isinstance(u, dict):
            tok = state.setdefault("tokens", {})
            for k, f in (("input", "input"), ("output", "output"), ("cache_read", "cacheRead"),
                         ("cache_write", "cacheWrite")):
                v = _int(u.get(f))
                if v:
                    tok[k] = tok.get(k, 0) + v
            cost = u.get("cost")
            total = _num(cost.get("total")) if isinstance(cost, dict) else 0.0
            if total:
                tok["cost"] = round(tok.get("cost", 0.0) + total, 6)
            tok["responses"] = tok.get("responses", 0) + 1
            size = _int(u.get("input")) + _int(u.get("cacheRead")) + _int(u.get("cacheWrite"))
            if size and tok.get("context") != size:
                tok["context"] = size

    def _compaction(self, state: MutableMapping[str, Any], obj: dict, eid: str, event: Event) -> None:
        ctx = state.setdefault("context", {})
        first = obj.get("firstKeptEntryId")
        keep = isinstance(first, str) and first in ctx
        dropped = []
        for k in list(ctx):
            if keep and k == first:
                break
            dropped.append(k)
        for k in dropped:
            del ctx[k]
        dropped_set = set(dropped)
        tools = state.setdefault("tools", {})
        for tid in [tid for tid, tool in tools.items() if tool.get("entry") in dropped_set]:
            del tools[tid]
        ctx[eid] = {"role": "compaction", "text": one_line(obj.get("summary"), 200)}
        state.setdefault("compactions", {})[eid] = {
            "tokens_before": obj.get("tokensBefore"), "first_kept": first, "ts": event.ts,
            "from_hook": bool(obj.get("fromHook"))}


# ---- the format ----------------------------------------------------------------------------------


def tree_link(event: Event) -> Link | None:
    """An entry's place in the session's tree: `id` under `parentId`. Every entry can end the live
    branch and every one makes a branch: pi appends each entry under the leaf it is at."""
    d = event.data
    if not isinstance(d, dict) or d.get("type") == "session":
        return None
    eid = d.get("id")
    if not isinstance(eid, str):
        return None
    parent = d.get("parentId")
    return Link(eid, parent if isinstance(parent, str) else None)


# ---- written logs pi can load (core/compaction.py's Writable) ----------------------------------------


def _call_ids(o: dict) -> list[str]:
    return [b["id"] for b in _tool_calls(_message(o)) if isinstance(b.get("id"), str)] \
        if o.get("type") == "message" else []


def _result_id(o: dict) -> str | None:
    m = _message(o)
    if o.get("type") == "message" and m.get("role") == "toolResult" and isinstance(m.get("toolCallId"), str):
        return m["toolCallId"]
    return None


def entry_groups(objs: list[dict]) -> list[list[int]]:
    """An assistant message with the tool results answering its calls: kept or dropped together."""
    call_at: dict[str, int] = {}
    groups: dict[int, list[int]] = {}
    for i, o in enumerate(objs):
        for c in _call_ids(o):
            call_at.setdefault(c, i)
        r = _result_id(o)
        j = call_at.get(r) if r is not None else None
        if j is not None and j != i:
            groups.setdefault(j, [j]).append(i)
    return list(groups.values())


def relink_entries(objs: list[dict], keep: list[bool]) -> dict[int, dict]:
    """Kept entries whose `parentId` names a dropped entry, moved to the nearest kept ancestor."""
    where = {o["id"]: i for i, o in enumerate(objs) if isinstance(o.get("id"), str) and o.get("type") != "session"}
    nearest: dict[str, Any] = {}

    def resolve(pid: Any) -> Any:
        path, seen = [], set()
        while isinstance(pid, str) and pid in where and not keep[where[pid]] and pid not in seen:
            if pid in nearest:
                pid = nearest[pid]
                break
            seen.add(pid)
            path.append(pid)
            pid = objs[where[pid]].get("parentId")
        if isinstance(pid, str) and pid in seen:
            pid = None
        for x in path:
            nearest[x] = pid
        return pid

    out: dict[int, dict] = {}
    for i, o in enumerate(objs):
        pid = o.get("parentId")
        if keep[i] and isinstance(pid, str) and pid in where and not keep[where[pid]]:
            new = dict(o)
            new["parentId"] = resolve(pid)
            out[i] = new
    return out


def audit_entries(objs: list[dict], lines: list[int] | None = None) -> list[Finding]:
    """What pi would trip over loading these entries: no session header first (pi reads no
    entry then), an id used twice, a `parentId` naming no earlier entry (the branch breaks
    there), a tool result with no call before it, a compaction keeping from an entry not in the
    file (pi would keep none of the messages before it)."""
    ln = (lambda i: lines[i]) if lines is not None else (lambda i: i + 1)
    out: list[Finding] = []
    if not objs or objs[0].get("type") != "session" or not isinstance(objs[0].get("id"), str):
        out.append(Finding("no_header", 0, ln(0) if objs else 1,
                           "the first line is not a session header",
                           "pi reads nothing from a file without one; restore the header"))
    seen: dict[str, int] = {}
    calls: set[str] = set()
    for i, o in enumerate(objs):
        if o.get("type") == "session":
            continue
        eid, pid = o.get("id"), o.get("parentId")
        if isinstance(eid, str):
            if eid in seen:
                out.append(Finding("duplicate_id", i, ln(i), f"entry id {eid} was already used on line {seen[eid]}",
                                   "two entries claim one id: pi follows only one of them"))
            else:
                seen[eid] = ln(i)
        if isinstance(pid, str) and pid not in seen:
            out.append(Finding("dangling_parent", i, ln(i), f"parentId {pid} names no earlier entry",
                               "the branch breaks here: pi would load the session from this entry on"))
        calls.update(_call_ids(o))
        r = _result_id(o)
        if r is not None and r not in calls:
            out.append(Finding("orphan_result", i, ln(i), f"tool result for {r} has no call before it",
                               "providers reject a result without its call: drop it or restore the call"))
        if o.get("type") == "compaction":
            first = o.get("firstKeptEntryId")
            if isinstance(first, str) and first not in seen:
                out.append(Finding("compaction_keeps_nothing", i, ln(i),
                                   f"compaction keeps from entry {first}, which is not before it",
                                   "pi would keep none of the messages before the compaction"))
    return out


# Entry types as `record_type` names them; any other (a new entry type or message role) is counted
# by `check` (core/drift.py).
KNOWN_KINDS = frozenset({
    "session", "model_change", "thinking_level_change", "compaction", "branch_summary", "custom",
    "custom_message", "label", "session_info", "user", "assistant.text", "assistant.tool_call",
    "assistant.thinking", "assistant.error", "assistant", "tool_result", "bash", "message.custom",
    "message.branchSummary", "message.compactionSummary",
})


def unknown_kind(event: Event) -> str | None:
    """A known entry missing what this format reads."""
    obj = event.data
    if not isinstance(obj, dict) or obj.get("type") == "session":
        return None
    if not isinstance(obj.get("id"), str) and obj.get("type") != "message":
        return f"{event.type} without id"
    if event.type == "tool_result" and not isinstance(_message(obj).get("toolCallId"), str):
        return "toolResult without toolCallId"
    if event.type == "assistant":
        kinds = sorted({str(b.get("type")) for b in _blocks(_message(obj))})
        return f"assistant block {', '.join(kinds)}" if kinds else "assistant without content"
    return None


WRITE_TOOLS = frozenset({"write", "edit"})


def context_compactions(objs: list[dict]) -> list[dict]:
    """Every compaction entry and what the context held since the previous one on its own branch
    (core/context_review.py): the entries from it up its parentId chain to the previous
    compaction. `dropped` counts the messages before its first kept entry; prompts it keeps
    verbatim (from `firstKeptEntryId` on) are in the summary by definition."""
    where = {o["id"]: i for i, o in enumerate(objs) if isinstance(o.get("id"), str) and o.get("type") != "session"}
    out = []
    for ci, c in enumerate(objs):
        if c.get("type") != "compaction":
            continue
        window: list[int] = []
        pid, seen = c.get("parentId"), set()
        while isinstance(pid, str) and pid in where and pid not in seen:
            seen.add(pid)
            i = where[pid]
            if objs[i].get("type") == "compaction":
                break
            window.append(i)
            pid = objs[i].get("parentId")
        window.reverse()
        first = c.get("firstKeptEntryId")
        kept_from = where.get(first, len(objs)) if isinstance(first, str) else len(objs)
        prompts, files, errors = [], {}, []
        calls: dict[str, tuple[int, dict]] = {}
        answered: set[str] = set()
        dropped = 0
        for i in window:
            o = objs[i]
            msg = _message(o)
            if o.get("type") == "message" and i < kept_from:
                dropped += 1
            role = msg.get("role") if o.get("type") == "message" else None
            if role == "user":
                prompts.append((i, one_line(block_text(msg.get("content")), 200), i >= kept_from))
            for b in _tool_calls(msg) if role == "assistant" else ():
                if isinstance(b.get("id"), str):
                    calls[b["id"]] = (i, b)
            if role == "toolResult":
                cid = msg.get("toolCallId")
                cid = cid if isinstance(cid, str) else None  # any other value answers no call
                answered.add(cid)
                call = calls.get(cid)
                if msg.get("isError"):
                    errors.append((i, str(msg.get("toolName") or "tool"),
                                   one_line(block_text(msg.get("content")), 200)))
                elif call is not None and isinstance(call[1].get("name"), str) \
                        and call[1]["name"] in FILE_TOOLS:
                    args = call[1].get("arguments") if isinstance(call[1].get("arguments"), dict) else {}
                    path = args.get("path")
                    if isinstance(path, str):
                        f = files.setdefault(path, {"read": False, "written": False})
                        f["read" if call[1]["name"] == "read" else "written"] = True
        after = next((o for o in objs[ci + 1:] if o.get("type") == "message"
                      and _message(o).get("role") == "assistant"
                      and isinstance(_message(o).get("usage"), dict)), None)
        u = _message(after).get("usage") if after is not None else None
        out.append({
            "index": ci, "trigger": "extension" if c.get("fromHook") else None,
            "tokens_before": c.get("tokensBefore") if isinstance(c.get("tokensBefore"), int) else None,
            "tokens_after": (_int(u.get("input")) + _int(u.get("cacheRead")) + _int(u.get("cacheWrite")))
            if isinstance(u, dict) else None,
            "summary_index": ci, "summary": c.get("summary") if isinstance(c.get("summary"), str) else "",
            "dropped": dropped, "prompts": prompts, "files": files, "errors": errors, "open_todos": [],
            "in_flight": [(i, cid, str(b.get("name") or "tool"), one_line(call_summary(b), 100))
                          for cid, (i, b) in calls.items() if cid not in answered],
        })
    return out


def session_activity(objs: list[dict]) -> Activity:
    """The calls (with where they were answered), completed side effects (a bash call or a `!`
    command that may change something; a file written or edited), the session and the
    conversation entries of a pi session (for resume reports)."""
    act = Activity()
    calls: dict[str, tuple[int, dict]] = {}
    answered: dict[str, int] = {}
    session: str | None = None
    for i, o in enumerate(objs):
        if o.get("type") == "session" and isinstance(o.get("id"), str):
            session = o["id"]
        act.sessions.append(session)
        act.conversation.append(o.get("type") in ("message", "compaction", "branch_summary",
                                                  "custom_message"))
        msg = _message(o)
        for b in _tool_calls(msg) if o.get("type") == "message" else ():
            if isinstance(b.get("id"), str):
                calls.setdefault(b["id"], (i, b))
        r = _result_id(o)
        if r is not None:
            answered.setdefault(r, i)
            if msg.get("isError") or r not in calls:
                continue
            call = calls[r][1]
            args = call.get("arguments") if isinstance(call.get("arguments"), dict) else {}
            if call.get("name") == "bash" and isinstance(args.get("command"), str) \
                    and side_effecting(args["command"]):
                act.effects.append((i, "shell", args["command"]))
            elif isinstance(call.get("name"), str) and call["name"] in WRITE_TOOLS \
                    and isinstance(args.get("path"), str):
                act.effects.append((i, "write", args["path"]))
        elif msg.get("role") == "bashExecution" and msg.get("exitCode") == 0 \
                and isinstance(msg.get("command"), str) and side_effecting(msg["command"]):
            act.effects.append((i, "shell", msg["command"]))
    act.calls = [Call(i, cid, str(b.get("name") or "tool"), one_line(call_summary(b), 100),
                      answered.get(cid)) for cid, (i, b) in calls.items()]
    return act


def _looks_like_entry(o: dict) -> bool:
    t = o.get("type")
    if not isinstance(t, str) or t not in ENTRY_TYPES or "seq" in o or "uuid" in o or "sessionId" in o:
        return False
    if t == "session":
        return isinstance(o.get("id"), str) and ("cwd" in o or "version" in o)
    if t == "message":
        m = o.get("message")
        return isinstance(m, dict) and isinstance(m.get("role"), str) and m["role"] in ROLES
    return "parentId" in o or "timestamp" in o


class PiFormat:
    """pi coding agent sessions."""

    name = "pi"
    description = ("pi coding agent sessions (~/.pi/agent/sessions/**/*.jsonl): a session header, "
                   "entries in an id/parentId tree; ids are line numbers")

    known_kinds = KNOWN_KINDS
    unknown_kind = staticmethod(unknown_kind)
    # one process appends entries in order, but ids are line numbers and a clock can step back:
    # no generic check applies; `audit` says what is wrong instead
    promises: frozenset[str] = frozenset()

    def groups(self, objs: list[dict]) -> list[list[int]]:
        return entry_groups(objs)

    def relink(self, objs: list[dict], keep: list[bool]) -> dict[int, dict]:
        return relink_entries(objs, keep)

    def anchors(self, objs: list[dict]) -> list[int]:
        """The session header: pi reads no entry of a file that does not start with one."""
        return [0] if objs and objs[0].get("type") == "session" else []

    def audit(self, objs: list[dict], lines: list[int] | None = None) -> list[Finding]:
        return audit_entries(objs, lines)

    def validate(self, objs: list[dict]) -> list[str]:
        """Why pi could not load these entries as a session ([] = it could)."""
        return [f"line {f.line}: {f.text}" for f in audit_entries(objs)]

    def detect(self, objs: list[dict]) -> float:
        if not objs:
            return 0.0
        hits = sum(1 for o in objs if _looks_like_entry(o))
        header = objs[0].get("type") == "session" and _looks_like_entry(objs[0])
        own = any(_looks_like_entry(o) and ("parentId" in o or o.get("type") == "session") for o in objs)
        if not (header or own):
            return 0.0
        return min(1.0, hits / len(objs) + (0.1 if header else 0.0))

    def mapper(self, objs: list[dict], options: Options) -> PiMapper:
        return PiMapper()

    def projection(self, options: Options) -> PiProjection:
        return PiProjection()

    def activity(self, objs: list[dict]) -> Activity:
        return session_activity(objs)

    def context_compactions(self, objs: list[dict]) -> list[dict]:
        return context_compactions(objs)

    def session_card(self, head: list[dict], tail: list[dict]) -> tuple[str | None, str]:
        """(project, title) for the session list, from the first and last lines: the header's
        cwd; the session's name when it was given one, else its first prompt."""
        cwd = next((o.get("cwd") for o in head if o.get("type") == "session"
                    and isinstance(o.get("cwd"), str)), None)
        name = next((o.get("name") for o in reversed(tail) if o.get("type") == "session_info"
                     and isinstance(o.get("name"), str) and o.get("name")), None)
        prompt = next((block_text(_message(o).get("content")) for o in head
                       if o.get("type") == "message" and _message(o).get("role") == "user"), "")
        return cwd, name or prompt

    def boundary(self, event: Event) -> Boundary | None:
        if isinstance(event.data, dict) and RESUME_KEY in event.data:
            return Boundary("resume", None, f"resumed after {event.data[RESUME_KEY]}")
        if event.type == "compaction":
            d = event.data if isinstance(event.data, dict) else {}
            before = d.get("tokensBefore")
            return Boundary("compaction", None, f"context compacted ({before} tokens before)"
                            if before is not None else "context compacted")
        return None

    # never a stored snapshot: the reading loop need not ask per record (core/analysis.py)
    never_snapshots = True

    def is_snapshot(self, event: Event) -> bool:
        return False

    def tree_linker(self) -> Callable[[Event], Link | None]:
        """Entries form a tree by id/parentId; the live branch is the chain from the last entry."""
        return tree_link

    def details(self, event: Event) -> list[tuple[str, str]]:
        data = event.data
        if not isinstance(data, dict):
            return []
        return entry_details(event.type, data)

    def summary(self, event: Event) -> str:
        data = event.data
        if not isinstance(data, dict):
            return one_line(data)
        return one_line(entry_summary(event.type, data), 160)
