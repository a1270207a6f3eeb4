"""OpenHands event streams: a trajectory saved as one JSON array, or a session's `events/` folder.

Each event is one JSON object with `id`, `timestamp`, `source` (`agent`, `user`, `environment`)
and either `action` + `args` or `observation` + `content` + `extras`; an observation's `cause` is
the id of the action it answers. (This is the event stream of OpenHands before its V1 SDK; the
reader in core/jsondoc.py turns the array or the folder into one event per element.) The event
type is the action's name (`run`, `edit`, `message`) or the observation's with `.obs` after it
(`run.obs`, `agent_state_changed.obs`), short enough for a timeline column; the id is the event's own `id`, so ids
may skip numbers (a saved trajectory leaves hidden events out). The payload is the whole event.

A `condensation` action is OpenHands' own context compaction: the events it names (a list of ids
or a range) leave what the model is shown, replaced by its summary when it has one.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from agentlog_tui.core.events import Event
from agentlog_tui.core.formats.base import Boundary, Mapped, MappingError, Options
from agentlog_tui.core.formats.claude_code import count_lines, field_sections, one_line, value_text

SOURCES = frozenset({"agent", "user", "environment"})
ACTIONS = frozenset({
    "message", "system", "start", "read", "write", "edit", "run", "run_ipython", "browse",
    "browse_interactive", "call_tool_mcp", "delegate", "think", "finish", "reject", "null", "pause",
    "resume", "stop", "change_agent_state", "push", "send_pr", "recall", "condensation",
    "condensation_request", "task_tracking", "loop_recovery", "add_task", "modify_task",
})
OBSERVATIONS = frozenset({
    "read", "write", "edit", "browse", "run", "run_ipython", "chat", "delegate", "message", "error",
    "success", "null", "think", "agent_state_changed", "user_rejected", "condense", "recall", "mcp",
    "download", "task_tracking", "loop_detection",
})
KNOWN_KINDS = frozenset({*ACTIONS, *(f"{o}.obs" for o in OBSERVATIONS)})
FILE_OPS = {"read": "read", "write": "write", "edit": "edit"}
COMMANDS = ("run", "run_ipython")
BROWSING = ("browse", "browse_interactive")


def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _looks_like_event(o: dict) -> bool:
    if _int(o.get("id")) is None or not isinstance(o.get("source"), str) or o["source"] not in SOURCES:
        return False
    a, ob = o.get("action"), o.get("observation")
    return (isinstance(a, str) and "observation" not in o) or (isinstance(ob, str) and "action" not in o)


@dataclass(slots=True)
class OpenHandsMapper:
    """OpenHands events to events: type from `action`/`observation`, id from `id`."""

    uses_line_numbers: bool = False

    def map(self, obj: dict) -> Mapped:
        a, ob = obj.get("action"), obj.get("observation")
        if isinstance(a, str) and a:
            t = a
        elif isinstance(ob, str) and ob:
            t = f"{ob}.obs"
        else:
            raise MappingError("event has neither an `action` nor an `observation` string")
        seq = _int(obj.get("id"))
        if seq is None:
            raise MappingError("event has no integer `id`")
        return Mapped(t, seq, obj.get("timestamp"), obj, None)

    def describe(self) -> dict[str, Any]:
        return {"type": "action / observation + .obs", "id": "id", "ts": "timestamp", "data": "the whole event"}


# ---- reading one event ---------------------------------------------------------------------------


def _kind(event: Event) -> tuple[str, str]:
    """("action" | "observation", its name)."""
    t = event.type
    if t.endswith(".obs"):
        return "observation", t[:-4]
    return "action", t


def exit_code(obj: dict) -> int | None:
    """A command observation's exit code (`extras.metadata.exit_code`, or `extras.exit_code`)."""
    extras = _dict(obj.get("extras"))
    code = _int(_dict(extras.get("metadata")).get("exit_code"))
    return code if code is not None else _int(extras.get("exit_code"))


def forgotten_ids(args: dict) -> list[int]:
    """The ids a condensation forgets: a list, or a start..end range (both ends included)."""
    ids = args.get("forgotten_event_ids")
    if isinstance(ids, list):
        return [i for i in ids if _int(i) is not None]
    start, end = _int(args.get("forgotten_events_start_id")), _int(args.get("forgotten_events_end_id"))
    if start is not None and end is not None and end >= start:
        return list(range(start, min(end, start + 1_000_000) + 1))
    return []


def action_summary(name: str, obj: dict) -> str:
    args = _dict(obj.get("args"))
    if name == "run":
        return f"$ {one_line(args.get('command'), 120)}"
    if name == "run_ipython":
        return f">>> {one_line(args.get('code'), 120)}"
    if name in FILE_OPS:
        cmd = args.get("command")
        verb = f"{name} ({cmd})" if isinstance(cmd, str) and cmd and cmd != name else name
        return f"{verb} {one_line(args.get('path'), 110)}"
    if name == "browse":
        return f"browse {one_line(args.get('url'), 110)}"
    if name == "browse_interactive":
        return f"browser: {one_line(args.get('browser_actions'), 110)}"
    if name == "message":
        return one_line(args.get("content") or obj.get("message"), 140)
    if name == "condensation":
        n = len(forgotten_ids(args))
        s = args.get("summary")
        return f"condensed: forgot {n} events" + (f"; summary: {one_line(s, 100)}" if s else "")
    if name == "change_agent_state":
        return f"agent state -> {one_line(args.get('agent_state'), 40)}"
    if name == "finish":
        return "finish: " + one_line(args.get("final_thought") or args.get("thought")
                                     or obj.get("message") or args.get("outputs"), 120)
    if name == "call_tool_mcp":
        return f"mcp {one_line(args.get('name'), 40)} {one_line(args.get('arguments'), 80)}".rstrip()
    if name == "delegate":
        return f"delegate to {one_line(args.get('agent'), 40)}: {one_line(args.get('inputs'), 80)}"
    if name == "think":
        return "think: " + one_line(args.get("thought"), 120)
    return one_line(obj.get("message") or args, 140)


def observation_summary(name: str, obj: dict) -> str:
    extras = _dict(obj.get("extras"))
    content = obj.get("content")
    cause = _int(obj.get("cause"))
    to = f"#{cause} " if cause is not None else ""
    if name in COMMANDS:
        code = exit_code(obj)
        n = count_lines(content)
        first = one_line(content, 80)
        head = f"{to}exit {code}" if code is not None else f"{to}done"
        return f"{head} ({n} lines): {first}" if first else f"{head} (no output)"
    if name == "agent_state_changed":
        return f"agent state: {one_line(extras.get('agent_state'), 40)}"
    if name in FILE_OPS:
        return f"{to}{name} {one_line(extras.get('path'), 100)}"
    if name == "browse":
        err = " (error)" if extras.get("error") else ""
        return f"{to}page {one_line(extras.get('url'), 100)}{err}"
    if name == "error":
        return f"{to}error: {one_line(content, 120)}"
    if name == "condense":
        return "condensed: " + one_line(content, 120)
    if name == "null":
        return f"{to}(no observation)"
    return f"{to}{one_line(content or obj.get('message') or extras, 120)}"


# ---- the projection ------------------------------------------------------------------------------


def _set(d: MutableMapping[str, Any], key: str, value: Any) -> None:
    if d.get(key) != value:
        d[key] = value


class OpenHandsProjection:
    """The state a person debugging an OpenHands run wants.

    - `task`: the first user message; `agent_state`: the latest state the agent reported;
    - `context`: what the model is shown, by event id (one line each); a condensation removes the
      events it forgets and puts its summary in their place;
    - `pending`: actions not yet answered by an observation (paired by `cause`);
    - `commands`: shell and IPython commands by action id, with their exit code and output size;
    - `files`: path -> the last read, write or edit (op, by: action id);
    - `browser`: browsing steps by action id (url or browser actions, the page reached, errors);
    - `errors`: error observations by id; `condensations`: by action id (forgotten, summary);
    - `finished`: the finish action's message, once there is one.
    """

    name = "openhands"

    def initial_state(self) -> dict:
        return {"task": None, "agent_state": None, "context": {}, "pending": {}, "commands": {},
                "files": {}, "browser": {}, "errors": {}, "condensations": {}, "finished": None}

    def apply(self, state: MutableMapping[str, Any], event: Event) -> None:
        obj = event.data
        if not isinstance(obj, dict):
            return
        head, name = _kind(event)
        eid = str(event.seq)
        if head == "action":
            self._action(state, name, obj, eid)
        else:
            self._observation(state, name, obj, eid)

    def _context(self, state: MutableMapping[str, Any], eid: str, text: str) -> None:
        state.setdefault("context", {})[eid] = text

    def _action(self, state: MutableMapping[str, Any], name: str, obj: dict, eid: str) -> None:
        args = _dict(obj.get("args"))
        summary = action_summary(name, obj)
        if name == "message" and obj.get("source") == "user" and state.get("task") is None:
            state["task"] = one_line(args.get("content") or obj.get("message"), 300)
        if name == "change_agent_state":
            _set(state, "agent_state", args.get("agent_state"))
            return
        if name == "condensation":
            self._condense(state, args, eid)
            return
        if name in ("null", "condensation_request", "pause", "resume", "stop", "system"):
            return
        self._context(state, eid, f"{obj.get('source', '?')} {name}: {summary}")
        if name == "finish":
            state["finished"] = summary
        if name in ("message", "think", "finish", "reject", "recall"):
            return
        state.setdefault("pending", {})[eid] = summary
        if name in COMMANDS:
            cmd = args.get("command") if name == "run" else args.get("code")
            state.setdefault("commands", {})[eid] = {"command": one_line(cmd, 200), "status": "running"}
        elif name in BROWSING:
            what = args.get("url") if name == "browse" else args.get("browser_actions")
            state.setdefault("browser", {})[eid] = {"step": one_line(what, 200), "status": "running"}

    def _observation(self, state: MutableMapping[str, Any], name: str, obj: dict, eid: str) -> None:
        extras = _dict(obj.get("extras"))
        cause = _int(obj.get("cause"))
        cid = str(cause) if cause is not None else None
        if name == "agent_state_changed":
            _set(state, "agent_state", extras.get("agent_state"))
            return
        if cid is not None:
            pending = state.setdefault("pending", {})
            if cid in pending:
                del pending[cid]
        if name == "null":
            return
        summary = observation_summary(name, obj)
        self._context(state, eid, f"observation {name}: {summary}")
        if name in COMMANDS:
            code = exit_code(obj)
            # -1: no exit code (the command timed out or is still running: OpenHands' convention)
            status = "done" if code in (0, None) else "no exit" if code == -1 else "failed"
            entry = {"command": one_line(extras.get("command") or extras.get("code"), 200),
                     "status": status, "exit_code": code,
                     "output_lines": count_lines(obj.get("content"))}
            state.setdefault("commands", {})[cid or eid] = entry
        elif name in FILE_OPS:
            path = extras.get("path")
            if isinstance(path, str) and path:
                state.setdefault("files", {})[path] = {"op": FILE_OPS[name], "by": cid or eid}
        elif name == "browse":
            state.setdefault("browser", {})[cid or eid] = {
                "step": one_line(extras.get("last_browser_action") or extras.get("url"), 200),
                "url": extras.get("url"), "status": "error" if extras.get("error") else "done"}
        elif name == "error":
            state.setdefault("errors", {})[eid] = {"cause": cause, "error": one_line(obj.get("content"), 200)}
            if cid is not None:
                for table in ("commands", "browser"):
                    entry = state.setdefault(table, {}).get(cid)
                    if entry is not None and entry.get("status") == "running":
                        entry["status"] = "error"

    def _condense(self, state: MutableMapping[str, Any], args: dict, eid: str) -> None:
        forgotten = forgotten_ids(args)
        ctx = state.setdefault("context", {})
        gone = 0
        for i in forgotten:
            if str(i) in ctx:
                del ctx[str(i)]
                gone += 1
        summary = args.get("summary")
        if isinstance(summary, str) and summary:
            ctx[eid] = f"summary: {one_line(summary, 200)}"
        state.setdefault("condensations", {})[eid] = {
            "forgotten": len(forgotten), "removed_from_context": gone,
            "summary": one_line(summary, 200) if isinstance(summary, str) else None}


# ---- details -------------------------------------------------------------------------------------


def event_sections(event: Event) -> list[tuple[str, str]]:
    """An event's readable sections: an action's arguments, an observation's content and extras."""
    obj = event.data
    if not isinstance(obj, dict):
        return []
    head, _ = _kind(event)
    out: list[tuple[str, str]] = [("source", value_text(obj.get("source") or "?"))]
    if head == "action":
        args = _dict(obj.get("args"))
        first = [k for k in ("command", "code", "path", "url", "browser_actions", "content",
                             "thought", "summary") if k in args]
        for k in first + [k for k in args if k not in first]:
            v = args[k]
            if v is None or v == "" or v == [] or v == {}:
                continue
            if k == "forgotten_event_ids" and isinstance(v, list):
                out.append(("forgotten", f"{len(v)} events: {one_line(v, 200)}"))
            else:
                out.append((k, value_text(v)))
        return out
    if obj.get("cause") is not None:
        out.append(("answers", f"#{obj['cause']}"))
    code = exit_code(obj)
    if code is not None:
        out.append(("exit code", str(code)))
    content = obj.get("content")
    out.append(("content", content if isinstance(content, str) and content else "(empty)"))
    extras = {k: v for k, v in _dict(obj.get("extras")).items()
              if k not in ("metadata", "screenshot", "set_of_marks", "dom_object", "axtree_object")}
    out.extend(field_sections(extras))
    return out


# ---- context compactions (core/context_review.py) ------------------------------------------------

RUNNABLE = frozenset({"run", "run_ipython", "read", "write", "edit", "browse", "browse_interactive",
                      "call_tool_mcp", "delegate"})


def context_compactions(objs: list[dict]) -> list[dict]:
    """Every condensation of an event stream, by position, with what its forgotten events held
    (the fields core.context_review reads): user prompts, files read or written, errors, and the
    calls in flight (actions not yet answered) when it happened."""
    out: list[dict] = []
    answered_at: dict[int, int] = {}
    for j, o in enumerate(objs):
        c = _int(o.get("cause")) if "observation" in o else None
        if c is not None:
            answered_at.setdefault(c, j)
    requested = False
    for i, o in enumerate(objs):
        if o.get("action") == "condensation_request":
            requested = True
        if o.get("action") != "condensation":
            continue
        args = _dict(o.get("args"))
        gone = set(forgotten_ids(args))
        summary = args.get("summary") if isinstance(args.get("summary"), str) else None
        prompts, errors, files, dropped = [], [], {}, 0
        for j in range(i):
            e = objs[j]
            if _int(e.get("id")) not in gone:
                continue
            dropped += 1
            a, ob = e.get("action"), e.get("observation")
            if a == "message" and e.get("source") == "user":
                text = _dict(e.get("args")).get("content") or e.get("message")
                prompts.append((j, one_line(text, 200), False))
            elif ob in FILE_OPS:
                path = _dict(e.get("extras")).get("path")
                if isinstance(path, str) and path:
                    f = files.setdefault(path, {"read": False, "written": False})
                    f["read" if ob == "read" else "written"] = True
            elif ob == "error" or (ob in COMMANDS and exit_code(e) not in (0, -1, None)):
                errors.append((j, str(ob), one_line(e.get("content"), 160)))
        in_flight = []
        for j in range(i):
            e = objs[j]
            eid = _int(e.get("id"))
            if e.get("action") in RUNNABLE and eid is not None and answered_at.get(eid, i + 1) > i:
                in_flight.append((j, str(eid), str(e["action"]), action_summary(str(e["action"]), e)))
        out.append({"index": i, "summary": summary, "prompts": prompts,
                    "trigger": "requested" if requested else "auto", "tokens_before": None,
                    "tokens_after": None, "summary_index": i if summary else None,
                    "dropped": dropped, "files": files, "errors": errors, "open_todos": [],
                    "in_flight": in_flight})
        requested = False
    return out


# ---- the format ----------------------------------------------------------------------------------


class OpenHandsFormat:
    """OpenHands event streams (trajectories and per-event folders)."""

    name = "openhands"
    description = ("OpenHands event streams (a trajectory as one JSON array, or a session's events/ "
                   "folder): actions and observations paired by cause, ids are event ids")
    known_kinds = KNOWN_KINDS
    # a saved trajectory leaves hidden events out: ids skip numbers; writers run concurrently
    promises = frozenset({"duplicate_id", "id_backwards"})

    def detect(self, objs: list[dict]) -> float:
        if not objs:
            return 0.0
        return sum(1 for o in objs if _looks_like_event(o)) / len(objs)

    def mapper(self, objs: list[dict], options: Options) -> OpenHandsMapper:
        return OpenHandsMapper()

    def projection(self, options: Options) -> OpenHandsProjection:
        return OpenHandsProjection()

    def unknown_kind(self, event: Event) -> str | None:
        """A known event missing what this format reads: an observation of a command without
        `extras`."""
        obj = event.data if isinstance(event.data, dict) else {}
        head, name = _kind(event)
        if head == "action" and not isinstance(obj.get("args"), dict) and name != "null":
            return f"{event.type} without args"
        if head == "observation" and name in COMMANDS and not isinstance(obj.get("extras"), dict):
            return f"{event.type} without extras"
        return None

    def boundary(self, event: Event, options: Options | None = None) -> Boundary | None:
        if event.type == "condensation" and isinstance(event.data, dict):
            n = len(forgotten_ids(_dict(event.data.get("args"))))
            return Boundary("compaction", None, f"context condensed ({n} events forgotten)")
        return None

    def context_compactions(self, objs: list[dict]) -> list[dict]:
        return context_compactions(objs)

    # never a stored snapshot: the reading loop need not ask per record (core/analysis.py)
    never_snapshots = True

    def is_snapshot(self, event: Event) -> bool:
        return False

    def details(self, event: Event) -> list[tuple[str, str]]:
        return event_sections(event)

    def summary(self, event: Event) -> str:
        obj = event.data
        if not isinstance(obj, dict):
            return one_line(obj)
        head, name = _kind(event)
        s = action_summary(name, obj) if head == "action" else observation_summary(name, obj)
        return one_line(s, 160)

