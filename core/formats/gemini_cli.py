"""Gemini CLI chat recordings (`~/.gemini/tmp/<project_hash>/chats/session-<time>-<id>.jsonl`).

An append-only log of the conversation record: a first line of session metadata (`sessionId`,
`projectHash`, `startTime`, ...), then message records (`id`, `timestamp`, `type` one of `user`,
`gemini`, `info`, `error`, `warning`, `content`, and for `gemini` `toolCalls`, `thoughts`,
`tokens`, `model`), each written again in full whenever it changes (a tool call's result, its
tokens); `{"$set": {...}}` patches the metadata, and with `messages` replaces the whole history
(compression, a rolled-back turn); `{"$rewindTo": id}` drops that message and everything after it.
A rewind is a branch, not an error: the dropped messages stay in the file, off the live branch
(core/branches.py), and never feed the state. Records have no type field of their own and
message ids are strings written several times, so an event's id is its line number. Written from
gemini-cli's chatRecordingService.ts and chatRecordingTypes.ts (Apache-2.0).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from agentlog_tui.core.branches import Link
from agentlog_tui.core.events import Event
from agentlog_tui.core.formats.base import Boundary, Finding, Mapped, MappingError, Options
from agentlog_tui.core.formats.claude_code import (
    count_lines,
    field_sections,
    key_argument,
    one_line,
    value_text,
)

MESSAGE_TYPES = frozenset({"user", "gemini", "info", "error", "warning"})
# Gemini CLI's built-in tools that touch one file, and what they do to it
FILE_TOOLS = {"read_file": "read", "write_file": "write", "replace": "edit", "edit": "edit"}
PATH_ARGS = ("file_path", "absolute_path", "path")
INPUT_FIELDS = ("command", "file_path", "absolute_path", "path", "pattern", "query", "url", "prompt",
                "description")
SESSION = "$session"


def parts_text(content: Any) -> str:
    """The text of a `PartListUnion`: a string, a part, or a list of them (text parts joined;
    function calls and responses named)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        return ""
    out = []
    for p in content:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, dict):
            if isinstance(p.get("text"), str):
                out.append(p["text"])
            elif isinstance(p.get("functionResponse"), dict):
                out.append(f"[{p['functionResponse'].get('name', 'tool')} response]")
            elif isinstance(p.get("functionCall"), dict):
                out.append(f"[{p['functionCall'].get('name', 'tool')} call]")
            elif "inlineData" in p or "fileData" in p:
                out.append("[file]")
    return "\n".join(out)


def record_type(obj: dict) -> str:
    """The readable event type of one record."""
    if isinstance(obj.get("$rewindTo"), str):
        return "rewind"
    s = obj.get("$set")
    if isinstance(s, dict):
        return "set.messages" if isinstance(s.get("messages"), list) else "set"
    t = obj.get("type")
    if isinstance(obj.get("id"), str) and isinstance(t, str):
        if t == "gemini":
            if _calls(obj):
                return "gemini.tool_calls"
            if parts_text(obj.get("content")).strip():
                return "gemini.text"
            return "gemini.thoughts" if obj.get("thoughts") else "gemini"
        return t
    if isinstance(obj.get("sessionId"), str):
        return "session"
    raise MappingError("neither a message (id, type), a $set or $rewindTo record, nor session metadata")


def _calls(obj: dict) -> list[dict]:
    c = obj.get("toolCalls")
    return [x for x in c if isinstance(x, dict)] if isinstance(c, list) else []


@dataclass(slots=True)
class GeminiMapper:
    """Records to events: the type from the record's shape, line-number ids, the whole record."""

    uses_line_numbers: bool = True

    def map(self, obj: dict) -> Mapped:
        return Mapped(record_type(obj), None, obj.get("timestamp") or obj.get("startTime"), obj, None)

    def describe(self) -> dict[str, Any]:
        return {"type": "record shape (message type, $set, $rewindTo, metadata)", "id": "line number",
                "ts": "timestamp", "data": "the whole record"}


# ---- summaries and details -----------------------------------------------------------------------


def call_summary(call: dict) -> str:
    """`run_shell_command: ls -la`, `read_file: src/x.ts`."""
    name = call.get("name") or "tool"
    args = call.get("args")
    detail = key_argument(args, INPUT_FIELDS) if isinstance(args, dict) else ""
    return f"{name}: {one_line(detail, 100)}" if detail else str(name)


def _result_text(call: dict) -> str:
    shown = call.get("resultDisplay")
    if isinstance(shown, str) and shown:
        return shown
    res = call.get("result")
    if isinstance(res, list):
        for p in res:
            if isinstance(p, dict) and isinstance(p.get("functionResponse"), dict):
                resp = p["functionResponse"].get("response")
                if isinstance(resp, dict):
                    out = resp.get("output") if "output" in resp else resp.get("error", resp)
                    return out if isinstance(out, str) else one_line(out, 200)
    return parts_text(res)


def result_summary(call: dict) -> str:
    status = call.get("status") or "?"
    text = _result_text(call)
    n = count_lines(text)
    return f"{status}" + (f" ({n} lines): {one_line(text, 80)}" if text else "")


def record_summary(type_: str, obj: dict) -> str:
    """One line saying what a record did."""
    if type_ == "session":
        return one_line(f"session {obj.get('sessionId')} (project {str(obj.get('projectHash'))[:12]})", 120)
    if type_ == "rewind":
        return f"rewind: drop message {obj.get('$rewindTo')} and everything after it"
    if type_ == "set.messages":
        msgs = obj["$set"]["messages"]
        return f"history rewritten: {len(msgs)} messages"
    if type_ == "set":
        return "metadata: " + ", ".join(sorted(str(k) for k in obj["$set"]))
    if type_ == "gemini.tool_calls":
        return "; ".join(f"{call_summary(c)} [{c.get('status', '?')}]" for c in _calls(obj))
    if type_ == "gemini.thoughts":
        th = obj.get("thoughts")
        first = th[0] if isinstance(th, list) and th and isinstance(th[0], dict) else {}
        return one_line(first.get("subject") or first.get("description"), 120)
    return one_line(parts_text(obj.get("displayContent") or obj.get("content")), 120)


def record_details(type_: str, obj: dict) -> list[tuple[str, str]]:
    """The readable sections of a record."""
    if type_.startswith("gemini"):
        out: list[tuple[str, str]] = []
        for t in obj.get("thoughts") or []:
            if isinstance(t, dict):
                out.append(("thought", f"{t.get('subject', '')}\n{t.get('description', '')}".strip()))
        text = parts_text(obj.get("content"))
        if text:
            out.append(("text", text))
        for c in _calls(obj):
            out.append(("call", f"{c.get('name', 'tool')} ({c.get('id', '?')}) {c.get('status', '')}".strip()))
            if isinstance(c.get("args"), dict):
                out.extend(field_sections(c["args"]))
            res = _result_text(c)
            if res:
                out.append(("error" if c.get("status") == "error" else "output", res))
        return out
    if type_ in MESSAGE_TYPES:
        return [("prompt" if type_ == "user" else type_, parts_text(obj.get("content")))]
    if type_ == "rewind":
        return [("rewind to", value_text(obj.get("$rewindTo")))]
    if type_.startswith("set"):
        return field_sections(obj.get("$set"))
    return field_sections(obj)


# ---- projection ----------------------------------------------------------------------------------


def _int(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


class GeminiProjection:
    """The state a person debugging a Gemini CLI session wants (the live branch only: messages a
    rewind dropped never reach it).

    - `session`: id, project hash, start, last update, kind, summary, directories;
    - `context`: the messages, by id (a rewritten message replaces itself); a history rewrite
      (`$set.messages`) replaces them all;
    - `tools`: the calls by id (name, input, status, result, message);
    - `files`: path -> the last read, write or edit by a successful call (op, call id, ts);
    - `tokens`: totals over Gemini's responses, each counted once however often it is rewritten,
      and the last context size; `compactions`: the history rewrites.
    """

    name = "gemini-cli"

    def initial_state(self) -> dict:
        return {"session": {}, "context": {}, "tools": {}, "files": {}, "tokens": {}, "compactions": []}

    def apply(self, state: MutableMapping[str, Any], event: Event) -> None:
        obj = event.data
        if not isinstance(obj, dict):
            return
        t = event.type
        if t == "session" or t.startswith("set"):
            src = obj if t == "session" else obj.get("$set")
            if isinstance(src, dict):
                self._session(state, src)
            if t == "set.messages":
                self._rewrite(state, obj["$set"]["messages"], event)
            return
        if t == "rewind":
            return  # the messages it drops are off the live branch: they never got here
        mid = obj.get("id")
        if not isinstance(mid, str):
            return
        self._message(state, t, obj, mid, event)

    def _session(self, state: MutableMapping[str, Any], src: dict) -> None:
        s = state.setdefault("session", {})
        for k, f in (("id", "sessionId"), ("project_hash", "projectHash"), ("started", "startTime"),
                     ("last_updated", "lastUpdated"), ("kind", "kind"), ("summary", "summary"),
                     ("directories", "directories")):
            v = src.get(f)
            if v is not None and s.get(k) != v:
                s[k] = v

    def _message(self, state: MutableMapping[str, Any], t: str, obj: dict, mid: str, event: Event) -> None:
        role = t.split(".", 1)[0]
        entry = {"role": role, "text": f"{t}: {record_summary(t, obj)}"}
        if isinstance(obj.get("model"), str):
            entry["model"] = obj["model"]
        # a message written again replaces itself whole (no read of the old one: an earlier
        # version is superseded, not kept alive by a comparison)
        state.setdefault("context", {})[mid] = entry
        tools = state.setdefault("tools", {})
        for c in _calls(obj):
            cid = c.get("id")
            if not isinstance(cid, str):
                continue
            status = c.get("status")
            new = {"name": c.get("name"), "input": call_summary(c), "status": status, "message": mid}
            if status not in (None, "scheduled", "validating", "executing", "awaiting_approval"):
                new["result"] = result_summary(c)
            tools[cid] = new
            args = c.get("args") if isinstance(c.get("args"), dict) else {}
            op = FILE_TOOLS.get(c.get("name"))
            path = next((args[a] for a in PATH_ARGS if isinstance(args.get(a), str)), None)
            if status == "success" and op is not None and path is not None:
                f = {"op": op, "tool_call_id": cid, "ts": c.get("timestamp") or event.ts}
                state.setdefault("files", {})[path] = f
        tk = obj.get("tokens")
        if isinstance(tk, dict):
            self._tokens(state, mid, tk)

    def _tokens(self, state: MutableMapping[str, Any], mid: str, tk: dict) -> None:
        # a response is rewritten whole each time it changes: count its tokens once, by adding
        # what changed since the last write of the same message
        u = {k: _int(tk.get(f)) for k, f in (("input", "input"), ("output", "output"),
                                             ("cached", "cached"), ("thoughts", "thoughts"),
                                             ("tool", "tool"))}
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
        if tok.get("context") != u["input"]:
            tok["context"] = u["input"]

    def _rewrite(self, state: MutableMapping[str, Any], messages: list, event: Event) -> None:
        ctx: dict[str, Any] = {}
        for m in messages:
            if isinstance(m, dict) and isinstance(m.get("id"), str):
                t = m.get("type") if isinstance(m.get("type"), str) else "message"
                ctx[m["id"]] = {"role": t, "text": f"{t}: {one_line(parts_text(m.get('content')), 120)}"}
        before = len(state.setdefault("context", {}))
        state["context"] = ctx
        tools = state.setdefault("tools", {})
        for cid in [cid for cid, tool in tools.items() if tool.get("message") not in ctx]:
            del tools[cid]
        state.setdefault("compactions", []).append(
            {"messages_before": before, "messages_after": len(ctx), "ts": event.ts})


# ---- the tree ------------------------------------------------------------------------------------


@dataclass(slots=True)
class GeminiLinker:
    """Links Gemini CLI's records into a tree, in reading order: each new message follows the one
    before it; a rewind to message X goes back to the message before X (X and what followed it
    are left on a branch); a history rewrite is a node the next messages follow."""

    order: list[str] = field(default_factory=list)  # message ids of the current history
    node: dict[str, str] = field(default_factory=dict)  # message id -> its node now
    used: set[str] = field(default_factory=set)  # every message node made
    last: str = SESSION

    def __call__(self, event: Event) -> Link | None:
        d = event.data
        if not isinstance(d, dict):
            return None
        t = event.type
        here = f"@{event.line}"
        if t == "session":
            return Link(SESSION, None, leaf=False, turn=False)
        if t == "rewind":
            target = d["$rewindTo"]
            if target in self.node and target in self.order:
                i = self.order.index(target)
                parent = self.node.get(self.order[i - 1], SESSION) if i else SESSION
                for mid in self.order[i:]:
                    self.node.pop(mid, None)
                del self.order[i:]
            else:  # Gemini CLI clears the whole history for a target it does not know
                parent = SESSION
                self.order.clear()
                self.node.clear()
            self.last = "rewind" + here
            return Link(self.last, parent, leaf=True, turn=False)
        if t == "set.messages":
            node = "set" + here
            self.order = [m["id"] for m in d["$set"]["messages"]
                          if isinstance(m, dict) and isinstance(m.get("id"), str)]
            self.node = dict.fromkeys(self.order, node)
            parent, self.last = self.last, node
            return Link(node, parent, leaf=True, turn=False)
        if t == "set":
            return None  # metadata belongs to the session, whatever branch is live
        mid = d.get("id")
        if not isinstance(mid, str):
            return None
        known = self.node.get(mid)
        if known is not None:
            if not known.startswith("set@"):
                return Link(known, None)  # the message written again: the same node
            # a message known only from a history rewrite, written again: hangs off it
            return Link(mid + here, known, leaf=False, turn=False)
        # a message written again after a rewind dropped it is a new node
        node = mid if mid not in self.used else mid + here
        self.used.add(node)
        self.node[mid] = node
        self.order.append(mid)
        parent, self.last = self.last, node
        return Link(node, parent)


# ---- written logs Gemini CLI can load (core/compaction.py's Writable) --------------------------------


def _is_metadata(o: dict) -> bool:
    return isinstance(o.get("sessionId"), str) and isinstance(o.get("projectHash"), str) \
        and not isinstance(o.get("id"), str)


def record_groups(objs: list[dict]) -> list[list[int]]:
    """A rewind with the records of the message it names: Gemini CLI clears the whole history
    for a rewind whose message is not in the file."""
    at: dict[str, list[int]] = {}
    out = []
    for i, o in enumerate(objs):
        mid = o.get("id")
        if isinstance(mid, str) and "$set" not in o:
            at.setdefault(mid, []).append(i)
        target = o.get("$rewindTo")
        if isinstance(target, str) and target in at:
            out.append([*at[target], i])
    return out


def audit_records(objs: list[dict], lines: list[int] | None = None) -> list[Finding]:
    """What Gemini CLI would trip over loading these records: no metadata line with `sessionId`
    and `projectHash` (it would read the file as a legacy JSON document and fail), a rewind to a
    message not before it (it would drop the whole history)."""
    ln = (lambda i: lines[i]) if lines is not None else (lambda i: i + 1)
    out: list[Finding] = []
    # a JSONL recording writes `$set` after every message; a legacy recording is one JSON
    # document whose metadata is the object holding the messages (read as its array)
    jsonl = any("$set" in o or "$rewindTo" in o for o in objs)
    if jsonl and not any(_is_metadata(o) or (isinstance(o.get("$set"), dict) and "sessionId" in o["$set"]
                                             and "projectHash" in o["$set"]) for o in objs):
        out.append(Finding("no_metadata", 0, ln(0) if objs else 1,
                           "no metadata line with sessionId and projectHash",
                           "Gemini CLI would not load the file; restore its first line"))
    seen: set[str] = set()
    for i, o in enumerate(objs):
        mid = o.get("id")
        if isinstance(mid, str):
            seen.add(mid)
        target = o.get("$rewindTo")
        if isinstance(target, str) and target not in seen:
            out.append(Finding("rewind_unknown", i, ln(i), f"rewind to message {target}, which is not before it",
                               "Gemini CLI drops the whole history at such a rewind"))
    return out


FINAL_STATUSES = frozenset({"success", "error", "cancelled"})


def context_compactions(objs: list[dict]) -> list[dict]:
    """Every history rewrite (`$set.messages`) and what the history held just before it, replayed
    as Gemini CLI does (a message written again replaces itself, a rewind drops its target and
    what follows), for core/context_review.py. The summary is the text of the messages the
    rewrite brings that the history did not hold; a prompt it keeps verbatim is in it."""
    latest: dict[str, int] = {}  # message id -> index of its latest record, in history order
    out = []
    for ci, o in enumerate(objs):
        mid = o.get("id")
        if isinstance(mid, str) and "$set" not in o:
            latest[mid] = ci  # written again: its place in the history stays
            continue
        target = o.get("$rewindTo")
        if isinstance(target, str):
            ids = list(latest)
            cut = ids.index(target) if target in latest else 0
            for k in ids[cut:]:
                del latest[k]
            continue
        s = o.get("$set")
        if not (isinstance(s, dict) and isinstance(s.get("messages"), list)):
            continue
        new = [m for m in s["messages"] if isinstance(m, dict)]
        # ids are strings in a recording; any other value (a hand-edited or damaged file) is
        # no message of the history (and must not be hashed)
        new_ids = {m["id"] for m in new if isinstance(m.get("id"), str)}
        summary = "\n".join(parts_text(m.get("content")) for m in new
                            if not (isinstance(m.get("id"), str) and m["id"] in latest))
        prompts, files, errors, in_flight = [], {}, [], []
        tokens_before = None
        for k, i in latest.items():
            m = objs[i]
            if m.get("type") == "user":
                prompts.append((i, one_line(parts_text(m.get("content")), 200), k in new_ids))
            tk = m.get("tokens")
            if isinstance(tk, dict) and isinstance(tk.get("input"), int):
                tokens_before = tk["input"]
            for c in _calls(m):
                status, name = c.get("status"), c.get("name")
                args = c.get("args") if isinstance(c.get("args"), dict) else {}
                path = next((args[a] for a in PATH_ARGS if isinstance(args.get(a), str)), None)
                if status == "error":
                    errors.append((i, str(name or "tool"), one_line(_result_text(c), 200)))
                elif not (isinstance(status, str) and status in FINAL_STATUSES):
                    in_flight.append((i, str(c.get("id")), str(name or "tool"), one_line(call_summary(c), 100)))
                elif status == "success" and path is not None and isinstance(name, str) \
                        and name in FILE_TOOLS:
                    f = files.setdefault(path, {"read": False, "written": False})
                    f["read" if FILE_TOOLS[name] == "read" else "written"] = True
        after = next((m.get("tokens") for m in objs[ci + 1:] if m.get("type") == "gemini"
                      and isinstance(m.get("tokens"), dict)), None)
        out.append({
            "index": ci, "trigger": None, "tokens_before": tokens_before,
            "tokens_after": after.get("input") if isinstance(after, dict) else None,
            "summary_index": ci, "summary": summary,
            "dropped": sum(1 for k in latest if k not in new_ids),
            "prompts": prompts, "files": files, "errors": errors, "open_todos": [],
            "in_flight": in_flight,
        })
        latest = {m["id"]: ci for m in new if isinstance(m.get("id"), str)}
    return out


# Event types as `record_type` names them; any other (a new message type) is counted by `check`.
KNOWN_KINDS = frozenset({
    "session", "rewind", "set", "set.messages", "user", "gemini", "gemini.text",
    "gemini.tool_calls", "gemini.thoughts", "info", "error", "warning",
})


def _looks_like_record(o: dict) -> bool:
    if "seq" in o or "uuid" in o or "message" in o or "parentId" in o:
        return False
    if isinstance(o.get("$rewindTo"), str) or isinstance(o.get("$set"), dict):
        return True
    if isinstance(o.get("id"), str) and o.get("type") in MESSAGE_TYPES:
        return "content" in o or "toolCalls" in o
    return isinstance(o.get("sessionId"), str) and isinstance(o.get("projectHash"), str)


class GeminiCliFormat:
    """Gemini CLI chat recordings (JSONL)."""

    name = "gemini-cli"
    description = ("Gemini CLI chat recordings (~/.gemini/tmp/*/chats/session-*.jsonl): messages "
                   "rewritten as they change, $set and $rewindTo records; ids are line numbers")

    known_kinds = KNOWN_KINDS
    # message records are rewritten in place and ids are line numbers: no generic check applies
    promises: frozenset[str] = frozenset()

    def groups(self, objs: list[dict]) -> list[list[int]]:
        return record_groups(objs)

    def anchors(self, objs: list[dict]) -> list[int]:
        """The metadata line: Gemini CLI does not load a file without it."""
        return [i for i, o in enumerate(objs[:1]) if _is_metadata(o)]

    def audit(self, objs: list[dict], lines: list[int] | None = None) -> list[Finding]:
        return audit_records(objs, lines)

    def validate(self, objs: list[dict]) -> list[str]:
        """Why Gemini CLI could not load these records as a session ([] = it could)."""
        return [f"line {f.line}: {f.text}" for f in audit_records(objs)]

    def detect(self, objs: list[dict]) -> float:
        if not objs:
            return 0.0
        hits = sum(1 for o in objs if _looks_like_record(o))
        own = any(isinstance(o.get("projectHash"), str) or "$rewindTo" in o or "$set" in o
                  for o in objs)
        if not own and not any(o.get("type") == "gemini" and _looks_like_record(o) for o in objs):
            return 0.0
        return hits / len(objs)

    def mapper(self, objs: list[dict], options: Options) -> GeminiMapper:
        return GeminiMapper()

    def projection(self, options: Options) -> GeminiProjection:
        return GeminiProjection()

    def session_card(self, head: list[dict], tail: list[dict]) -> tuple[str | None, str]:
        """(project, title) for the session list: the first workspace directory when recorded;
        the session's summary when written, else its first prompt."""
        dirs = next((o.get("directories") for o in head if isinstance(o.get("directories"), list)), None)
        project = dirs[0] if dirs and isinstance(dirs[0], str) else None
        summary = next((o["$set"]["summary"] for o in reversed(tail) if isinstance(o.get("$set"), dict)
                        and isinstance(o["$set"].get("summary"), str)), None)
        prompt = next((parts_text(o.get("content")) for o in head
                       if o.get("type") == "user" and isinstance(o.get("id"), str)), "")
        return project, summary or prompt

    def context_compactions(self, objs: list[dict]) -> list[dict]:
        return context_compactions(objs)

    def boundary(self, event: Event) -> Boundary | None:
        if event.type == "set.messages":
            n = len(event.data["$set"]["messages"])
            return Boundary("compaction", None, f"history rewritten ({n} messages)")
        return None

    # never a stored snapshot: the reading loop need not ask per record (core/analysis.py)
    never_snapshots = True

    def is_snapshot(self, event: Event) -> bool:
        return False

    def tree_linker(self) -> Callable[[Event], Link | None]:
        """A rewind is a branch: the messages it drops are left off the live branch."""
        return GeminiLinker()

    def details(self, event: Event) -> list[tuple[str, str]]:
        data = event.data
        if not isinstance(data, dict):
            return []
        return record_details(event.type, data)

    def summary(self, event: Event) -> str:
        data = event.data
        if not isinstance(data, dict):
            return one_line(data)
        try:
            return one_line(record_summary(event.type, data), 160)
        except (AttributeError, TypeError, KeyError):
            return one_line(data, 160)
