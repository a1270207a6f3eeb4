"""OpenAI Codex CLI rollouts (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`).

Each line is `{timestamp, type, payload}`; `type` is `session_meta`, `response_item`, `event_msg`,
`turn_context` or `compacted`, and response items and event messages carry their own
`payload.type`. The event type joins the two (`response_item.function_call`,
`event_msg.token_count`); the event's payload is the record's `payload`. Lines have no id field:
an event's id is its line number.

The older layout (Codex CLI before the envelope) is read too: a bare first line with the session's
`id`/`instructions`, then bare response items and `{"record_type": "state"}` lines.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

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
    TODO_MARKS,
    block_text,
    count_lines,
    field_sections,
    one_line,
    value_text,
)
from agentlog_tui.core.native import _codex as _native_codex
from agentlog_tui.core.tracked import (
    TrackedDict,
    Tracker,
    append_to,
    differs,
    read_key,
    step_into,
    write,
)

ENVELOPE_TYPES = frozenset({"session_meta", "response_item", "event_msg", "turn_context", "compacted"})
ITEM_TYPES = frozenset({
    "message", "reasoning", "function_call", "function_call_output", "custom_tool_call",
    "custom_tool_call_output", "local_shell_call", "web_search_call", "ghost_snapshot",
    "compaction", "compaction_summary", "tool_search_call", "image_generation_call",
})
CALL_TYPES = frozenset({"function_call", "custom_tool_call", "local_shell_call"})
OUTPUT_TYPES = frozenset({"function_call_output", "custom_tool_call_output"})


def _is_old_meta(o: dict) -> bool:
    return "type" not in o and "record_type" not in o and "id" in o and (
        "instructions" in o or "timestamp" in o)


def _is_enveloped(o: dict) -> bool:
    return o.get("type") in ENVELOPE_TYPES and isinstance(o.get("payload"), dict) and "seq" not in o


def _epoch(ts: Any) -> float | None:
    if not isinstance(ts, str):
        return None
    try:
        return datetime.fromisoformat(ts).timestamp()
    except ValueError:
        return None


_tuple_new = tuple.__new__

RESUME_GAP = 60.0  # seconds of silence after which a new turn over an unfinished one is a resume


@dataclass(slots=True)
class CodexMapper:
    """Codex rollout lines to events (either layout); notices turns resumed after an interrupted
    one (see `boundary`)."""

    legacy: bool
    uses_line_numbers: bool = True
    _last: int = 0  # the last line `boundary` decided
    _activity: int | None = None  # the last line of the running turn's own work
    _activity_ts: float | None = None
    # timestamps of the turn's work not yet parsed: only a new turn needs the last that parses
    _activity_raw: list = field(default_factory=list)
    _turn_open: bool = False  # a task_started with no task_complete / turn_aborted yet
    _pending: dict = field(default_factory=dict)  # call id -> line, calls not answered yet
    _decided: dict = field(default_factory=dict)  # line -> Boundary, for events applied again

    def boundary_of(self, event: Event) -> Boundary | None:
        """`boundary(event, CodexFormat.boundary(event))`, in one call: the analysis asks it of
        every line (see FORMAT_BOUNDARY)."""
        t = event.type
        return self.boundary(event, format_boundary(event) if t in _BOUNDARY_TYPES else None)

    def boundary(self, event: Event, base: Boundary | None) -> Boundary | None:
        """The format's boundary, and a resume where a new turn starts over an unfinished one.

        A new turn (a user message, a `task_started`) while calls are unanswered or the previous
        `task_started` has no `task_complete` is a resume when it is a new task or comes after
        more than `RESUME_GAP` seconds (a user steering a running turn is neither). Its
        `from_seq` is the last line of the interrupted turn's work. An appended `session_meta`
        resumes from the line before it. Decided in reading order and remembered."""
        line = event.seq
        if line <= self._last:
            return self._decided.get(line, base)
        self._last = line
        t, p = event.type, event.data if isinstance(event.data, dict) else {}
        out = base
        if base is not None and base.kind == "resume":
            out = Boundary("resume", self._activity, base.label)
            self._pending.clear()
            self._turn_open = False
        elif t == "compacted" or t == "event_msg.thread_rolled_back":
            self._pending.clear()  # the calls left the history with what they belonged to
            self._turn_open = False
        elif (t == "event_msg.task_started" or t == "event_msg.user_message" or (
                t == "response_item.message" and p.get("role") == "user")):
            now = _epoch(event.ts)
            self._settle_activity_ts()
            gap = (now - self._activity_ts) if now is not None and self._activity_ts is not None else 0.0
            if (self._pending or self._turn_open) and (t == "event_msg.task_started" or gap > RESUME_GAP):
                why = (f"{len(self._pending)} call(s) unanswered" if self._pending
                       else "the turn never completed")
                out = Boundary("resume", self._activity, f"turn resumed after an interrupted one ({why})")
                self._pending.clear()
                self._turn_open = False
            if t == "event_msg.task_started":
                self._turn_open = True
        else:
            if t.startswith("response_item."):
                opens, answers = call_of(p)
                if opens is not None:
                    self._pending[opens] = line
                if answers is not None:
                    self._pending.pop(answers, None)
            elif t in ("event_msg.task_complete", "event_msg.turn_aborted"):
                self._turn_open = False
            self._activity = line
            ts = event.ts
            if isinstance(ts, str):  # _epoch parses nothing else
                raw = self._activity_raw
                raw.append(ts)
                if len(raw) >= 64:
                    self._settle_activity_ts()
        if out is not None and out.kind == "resume":
            self._decided[line] = out
        return out

    def _settle_activity_ts(self) -> None:
        """`_activity_ts`: the time of the last of the turn's work whose timestamp parses (each
        is parsed only when needed, from the last back)."""
        raw = self._activity_raw
        while raw:
            then = _epoch(raw.pop())
            if then is not None:
                self._activity_ts = then
                raw.clear()

    def restart(self) -> None:
        self._last, self._activity, self._activity_ts, self._turn_open = 0, None, None, False
        self._activity_raw.clear()
        self._pending.clear()
        self._decided.clear()

    def map(self, obj: dict) -> Mapped:
        t = obj.get("type")
        if isinstance(t, str) and isinstance(obj.get("payload"), dict):
            payload = obj["payload"]
            sub = payload.get("type")
            if t in ("response_item", "event_msg") and isinstance(sub, str):
                t = f"{t}.{sub}"
            # Mapped(...) without its Python-level __new__ (one per line)
            return _tuple_new(Mapped, (t, None, obj.get("timestamp"), payload, None))
        # the older layout: bare records
        if obj.get("record_type") == "state":
            return Mapped("state", None, obj.get("timestamp"), obj, None)
        if _is_old_meta(obj):
            return Mapped("session_meta", None, obj.get("timestamp"), obj, None)
        if isinstance(t, str):
            return Mapped(f"response_item.{t}", None, obj.get("timestamp"), obj, None)
        raise MappingError("line has neither `type` nor `record_type`")

    def describe(self) -> dict[str, Any]:
        if self.legacy:
            return {"type": "type (bare response items), record_type", "id": "line number",
                    "ts": "timestamp", "data": "the record"}
        return {"type": "type + payload.type", "id": "line number", "ts": "timestamp",
                "data": "payload"}


# ---- summaries -----------------------------------------------------------------------------------


def _json(text: str) -> Any:
    """json.loads, through orjson when it can (several times faster on long tool outputs; what
    orjson refuses, such as NaN or integers beyond 64 bits, goes to json as before)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


# What a JSON text can start with, after the whitespace json.loads skips: a text that does not is
# refused by both parsers (json's scanner looks at this one character first), so it is not tried
# (a custom tool's input, an apply_patch script, was parsed twice to learn that: orjson, then json).
_JSON_START = re.compile(r'[ \t\n\r]*["{\[ntfNI\-0-9]')


def _arguments(p: dict) -> Any:
    a = p.get("arguments", p.get("input"))
    if isinstance(a, str):
        if _JSON_START.match(a) is None:
            return a
        try:
            return _json(a)
        except ValueError:
            return a
    return a


def _call_args(p: dict) -> Any:
    """A call's arguments: a `local_shell_call`'s action, else its arguments/input (JSON parsed)."""
    if p.get("type") == "local_shell_call" and isinstance(p.get("action"), dict):
        return p["action"]
    return _arguments(p)


def _output_and_meta(p: dict) -> tuple[Any, dict]:
    """A call output's text (blocks joined) and its metadata (`{}` when none): the output may be a
    string, a JSON string `{output, metadata}`, or a dict `{content|output, metadata}`."""
    out = p.get("output")
    meta: dict = {}
    if isinstance(out, str):
        # only an object is taken apart: text that cannot be one is not parsed (twice: orjson,
        # then json for what orjson refuses)
        head = out[:1]
        try:
            parsed = _json(out) if head == "{" or (head.isspace() and out.lstrip()[:1] == "{") else None
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and "output" in parsed:
            meta = parsed.get("metadata") if isinstance(parsed.get("metadata"), dict) else {}
            out = parsed.get("output")
    elif isinstance(out, dict):
        meta = out.get("metadata") if isinstance(out.get("metadata"), dict) else {}
        out = out.get("content", out.get("output"))
    if isinstance(out, list):
        out = block_text(out)
    return out, meta


def call_summary(p: dict) -> str:
    """`shell: ls -la`, `apply_patch: *** Begin Patch …`."""
    name = p.get("name") or p.get("type") or "call"
    args = _call_args(p)
    detail: Any = args
    if isinstance(args, dict):
        cmd = args.get("command", args.get("cmd"))
        if isinstance(cmd, list):
            parts = [c for c in cmd if isinstance(c, str)]
            if len(parts) >= 3 and parts[1] in ("-lc", "-c"):
                parts = parts[2:]
            detail = " ".join(parts)
        elif isinstance(cmd, str):
            detail = cmd
        else:
            for f in ("path", "file_path", "query", "url", "plan", "explanation"):
                if isinstance(args.get(f), str):
                    detail = args[f]
                    break
    return f"{name}: {one_line(detail, 100)}" if detail else str(name)


def output_summary(p: dict) -> str:
    """`(12 lines, exit 0) first line`."""
    out, meta = _output_and_meta(p)
    n = count_lines(out) if isinstance(out, str) else 0
    info = f"{n} lines"
    if "exit_code" in meta:
        info += f", exit {meta['exit_code']}"
    return f"({info}) {one_line(out, 90)}".rstrip()


def _message_text(p: dict) -> str:
    return block_text(p.get("content"))


def _reasoning_text(p: dict) -> str:
    s = p.get("summary")
    text = block_text(s) if isinstance(s, list) else ""
    return text or block_text(p.get("content")) or ("(encrypted)" if p.get("encrypted_content") else "")


def payload_summary(type_: str, p: dict) -> str:
    """One line saying what a rollout line did."""
    kind = type_.split(".", 1)[1] if "." in type_ else type_
    if type_ == "session_meta":
        git = p.get("git") if isinstance(p.get("git"), dict) else {}
        bits = [f"session {p.get('id', '?')}", p.get("cwd"), p.get("cli_version") and f"cli {p['cli_version']}",
                git.get("branch") and f"on {git['branch']}"]
        return one_line(" ".join(str(b) for b in bits if b), 140)
    if type_ == "turn_context":
        return one_line(f"model {p.get('model')} effort {p.get('effort')} cwd {p.get('cwd')}", 140)
    if type_ == "compacted":
        rh = p.get("replacement_history")
        n = len(rh) if isinstance(rh, list) else 0
        return one_line(f"history compacted to {n} items: {p.get('message') or ''}", 140)
    if type_ == "state":
        return one_line({k: v for k, v in p.items() if k != "record_type"} or "state", 100)
    if kind == "message":
        return one_line(f"{p.get('role', '?')}: {_message_text(p)}", 140)
    if kind in ("reasoning", "agent_reasoning"):
        return one_line(_reasoning_text(p) if kind == "reasoning" else p.get("text"), 140)
    if kind in CALL_TYPES:
        return call_summary(p)
    if kind in OUTPUT_TYPES:
        return output_summary(p)
    if kind == "ghost_snapshot":
        gc = p.get("ghost_commit") if isinstance(p.get("ghost_commit"), dict) else {}
        return one_line(f"snapshot commit {str(gc.get('id', '?'))[:12]} of {str(gc.get('parent', '?'))[:12]}", 100)
    if kind == "token_count":
        info = p.get("info") if isinstance(p.get("info"), dict) else None
        if info is None:
            return "rate limits"
        tot = info.get("total_token_usage") if isinstance(info.get("total_token_usage"), dict) else {}
        return (f"total {tot.get('total_tokens', '?')} tokens "
                f"(in {tot.get('input_tokens', '?')}, out {tot.get('output_tokens', '?')})")
    if kind in ("user_message", "agent_message"):
        return one_line(p.get("message"), 140)
    if kind == "thread_rolled_back":
        return f"rolled back {p.get('num_turns', '?')} turns"
    if kind == "task_started":
        return "turn started"
    if kind in ("task_complete",):
        return one_line(f"turn complete: {p.get('last_agent_message') or ''}", 140)
    rest = {k: v for k, v in p.items() if k != "type"}
    return one_line(rest, 120) if rest else kind


# ---- details (the Event tab's readable view) ------------------------------------------------------


def shell_line(cmd: list) -> str:
    """A command array as the shell line it runs: the script of `bash -lc SCRIPT`, else quoted words."""
    parts = [c if isinstance(c, str) else str(c) for c in cmd]
    if len(parts) == 3 and parts[1] in ("-lc", "-c") and parts[0].rsplit("/", 1)[-1] in (
            "bash", "sh", "zsh", "dash"):
        return parts[2]
    return shlex.join(parts)


def call_sections(p: dict) -> list[tuple[str, str]]:
    """A tool call: its name, then its arguments (parsed from JSON), a command array as a shell line."""
    name = p.get("name") or p.get("type") or "call"
    out = [("call", str(name))]
    args = _call_args(p)
    if isinstance(args, dict):
        for k, v in args.items():
            if k in ("command", "cmd") and isinstance(v, list):
                out.append((k, shell_line(v)))
            elif k == "plan" and isinstance(v, list):  # update_plan: a checklist
                out.append((k, "\n".join(
                    f"{TODO_MARKS.get(i.get('status'), '[?]')} {i.get('step', '')}" if isinstance(i, dict)
                    else value_text(i) for i in v)))
            elif v is not None:
                out.append((str(k), value_text(v)))
    elif args is not None and args != "":
        out.append(("input" if "input" in p else "arguments", value_text(args)))
    return out


def output_sections(p: dict) -> list[tuple[str, str]]:
    """A call's output whole, with its exit code and duration when the output carries them."""
    out, meta = _output_and_meta(p)
    sections = [("output", value_text(out) if out not in (None, "") else "(empty)")]
    if "exit_code" in meta:
        sections.append(("exit code", value_text(meta["exit_code"])))
    if "duration_seconds" in meta:
        sections.append(("duration", f"{meta['duration_seconds']} s"))
    return sections


def _usage_line(u: Any) -> str:
    if not isinstance(u, dict):
        return value_text(u)
    names = (("input_tokens", "in"), ("cached_input_tokens", "cached"), ("output_tokens", "out"),
             ("reasoning_output_tokens", "reasoning"), ("total_tokens", "total"))
    return ", ".join(f"{label} {u[k]}" for k, label in names if k in u) or value_text(u)


def payload_details(type_: str, p: dict) -> list[tuple[str, str]]:
    """The readable sections of a rollout line (see `CodexFormat.details`)."""
    kind = type_.split(".", 1)[1] if "." in type_ else type_
    if type_ == "compacted":
        out = [("summary", value_text(p.get("message")))] if p.get("message") else []
        rh = p.get("replacement_history")
        if isinstance(rh, list):
            lines = [payload_summary("response_item." + str(it.get("type")), it)
                     if isinstance(it, dict) else value_text(it) for it in rh]
            out.append((f"replacement history ({len(rh)} items)", "\n".join(lines)))
        return out
    if type_ in ("turn_context", "session_meta", "state"):
        return field_sections(p, skip=("record_type",))
    if kind == "message":
        return [(str(p.get("role") or "message"), _message_text(p))]
    if kind == "reasoning":
        out = []
        s = p.get("summary")
        if isinstance(s, list) and block_text(s):
            out.append(("reasoning summary", block_text(s)))
        if block_text(p.get("content")):
            out.append(("reasoning", block_text(p.get("content"))))
        if not out:
            out.append(("reasoning", "(encrypted)" if p.get("encrypted_content") else "(empty)"))
        return out
    if kind in CALL_TYPES:
        return call_sections(p)
    if kind in OUTPUT_TYPES:
        return output_sections(p)
    if kind == "token_count":
        info = p.get("info") if isinstance(p.get("info"), dict) else {}
        out = []
        if "total_token_usage" in info:
            out.append(("total", _usage_line(info["total_token_usage"])))
        if "last_token_usage" in info:
            out.append(("last response", _usage_line(info["last_token_usage"])))
        if info.get("model_context_window") is not None:
            out.append(("context window", value_text(info["model_context_window"])))
        if isinstance(p.get("rate_limits"), dict):
            out.append(("rate limits", value_text(p["rate_limits"])))
        return out
    if kind == "user_message":
        return [("prompt", value_text(p.get("message") or ""))]
    if kind == "agent_message":
        return [("message", value_text(p.get("message") or ""))]
    if kind in ("agent_reasoning", "agent_reasoning_raw_content"):
        return [("reasoning", value_text(p.get("text") or ""))]
    if kind == "task_complete":
        return field_sections({"last agent message": p.get("last_agent_message")})
    return field_sections(p, skip=("type",))


# ---- projection ----------------------------------------------------------------------------------


def _item(kind: str, p: dict) -> dict:
    """The history entry of a response item: small and readable."""
    if kind == "message":
        return {"role": p.get("role"), "text": one_line(_message_text(p), 200)}
    if kind == "reasoning":
        return {"reasoning": one_line(_reasoning_text(p), 200)}
    if kind in CALL_TYPES:
        return {"call": call_summary(p), "call_id": p.get("call_id") or p.get("id")}
    if kind in OUTPUT_TYPES:
        return {"output": output_summary(p), "call_id": p.get("call_id")}
    return {kind: one_line({k: v for k, v in p.items() if k != "type"}, 200)}


class CodexProjection:
    """What a Codex session looked like at each step.

    - `session`: id, cwd, cli version, provider, git branch/commit (a second `session_meta` updates it);
    - `history`: the response items the model sees, in order; `compacted` replaces it with its
      `replacement_history`; `thread_rolled_back` drops the last turns (`rolled_back_turns` counts them until the next
      compaction);
    - `calls`: tool calls by `call_id` (call, status, output); cleared by a compaction;
    - `turn_context`: the latest one (an identical repeat changes nothing);
    - `turn`: the running task (prompt, status, last agent message);
    - `tokens`: the latest totals from `token_count` (Codex reports running totals), `rate_limits`;
    - `ghost_snapshots`: commit id -> parent, for undo.
    `event_msg` echoes of response items (agent_reasoning, agent_message) change nothing.
    """

    name = "codex"

    def initial_state(self) -> dict:
        return {"session": {}, "history": [], "calls": {}, "turn_context": {}, "turn": {},
                "tokens": {}, "rate_limits": {}, "ghost_snapshots": {}, "compactions": 0}

    def apply(self, state: MutableMapping[str, Any], event: Event) -> None:
        p = event.data
        if not isinstance(p, dict):
            return
        t = event.type
        kind = t.split(".", 1)[1] if "." in t else t
        if t == "session_meta":
            self._session(state, p)
        elif t == "turn_context":
            if state.get("turn_context") != p:
                state["turn_context"] = p
        elif t == "compacted":
            rh = p.get("replacement_history")
            items = []
            if isinstance(rh, list):
                for it in rh:
                    if isinstance(it, dict) and isinstance(it.get("type"), str):
                        items.append(_item(it["type"], it))
            elif isinstance(p.get("message"), str):
                items.append({"summary": one_line(p["message"], 200)})
            state["history"] = items
            state["calls"] = {}
            try:  # rolled-back turns counted the history this replaces
                del state["rolled_back_turns"]
            except KeyError:
                pass
            state["compactions"] = state.get("compactions", 0) + 1
        elif t.startswith("response_item."):
            self._response_item(state, kind, p)
        elif t.startswith("event_msg."):
            self._event_msg(state, kind, p)

    # it may fail midway on odd payloads as `apply` may (the analysis then undoes the record)
    tracked_undo = True

    def apply_tracked(self, t: Tracker, state: dict, event: Event) -> None:
        """`apply`, declaring its reads and writes to the tracker directly for the lines a
        rollout is made of (response items, token counts, turns); the rest goes through the
        tracked view. Records exactly what `apply` through a TrackedDict would (a property test
        holds the two to the same record)."""
        p = event.data
        if not isinstance(p, dict):
            return
        ty = event.type
        if _native_apply is not None and _native_apply(t, state, p, ty):
            return  # the same, in C (core/_codex.c), for the lines it takes
        root = t.root
        if ty.startswith("response_item."):
            kind = ty[14:]
            if kind != "ghost_snapshot":
                hist, hslot = step_into(t, root, state, "history", (), [])
                item = _item(kind, p)
                append_to(t, hslot, hist, item, ("history",))
                cid = p.get("call_id") or p.get("id")
                if kind in CALL_TYPES and isinstance(cid, str):
                    value = {"name": p.get("name") or kind, "call": item["call"], "status": "running"}
                    calls, cslot = step_into(t, root, state, "calls", (), {})
                    write(t, cslot, calls, cid, value, ("calls",))
                elif kind in OUTPUT_TYPES and isinstance(cid, str):
                    calls, cslot = step_into(t, root, state, "calls", (), {})
                    call, kslot = step_into(t, cslot, calls, cid, ("calls",), {})
                    path = ("calls", cid)
                    write(t, kslot, call, "status", "done", path)
                    write(t, kslot, call, "output", item["output"], path)
                return
        elif ty.startswith("event_msg."):
            kind = ty[10:]
            if kind == "token_count":
                info = p.get("info")
                if isinstance(info, dict):
                    write(t, root, state, "tokens", {
                        "total": info.get("total_token_usage"), "last": info.get("last_token_usage"),
                        "context_window": info.get("model_context_window")}, ())
                rl = p.get("rate_limits")
                if isinstance(rl, dict):
                    now, slot = read_key(t, root, state, "rate_limits")
                    if differs(t, now, slot, rl):
                        write(t, root, state, "rate_limits", rl, ())
                return
            if kind == "task_started":
                write(t, root, state, "turn", {"status": "running"}, ())
                return
            if kind in ("user_message", "task_complete", "turn_aborted"):
                if kind == "user_message":
                    text = one_line(p.get("message"), 200)
                    turn, tslot = step_into(t, root, state, "turn", (), {})
                    write(t, tslot, turn, "prompt", text, ("turn",))
                    return
                turn, tslot = step_into(t, root, state, "turn", (), {})
                if kind == "turn_aborted":
                    write(t, tslot, turn, "status", "aborted", ("turn",))
                    return
                write(t, tslot, turn, "status", "complete", ("turn",))
                if p.get("last_agent_message") is not None:
                    write(t, tslot, turn, "last_agent_message",
                            one_line(p.get("last_agent_message"), 200), ("turn",))
                return
            if kind != "thread_rolled_back":
                return  # echoes of response items change nothing
        elif ty == "turn_context":
            now, slot = read_key(t, root, state, "turn_context")
            if differs(t, now, slot, p):
                write(t, root, state, "turn_context", p, ())
            return
        self.apply(TrackedDict(t, state, root), event)

    def _session(self, state: MutableMapping[str, Any], p: dict) -> None:
        git = p.get("git") if isinstance(p.get("git"), dict) else {}
        s = state.setdefault("session", {})
        for k, v in (("id", p.get("id")), ("cwd", p.get("cwd")), ("cli_version", p.get("cli_version")),
                     ("model_provider", p.get("model_provider")), ("branch", git.get("branch")),
                     ("commit", git.get("commit_hash")), ("source", p.get("source"))):
            if v is not None and s.get(k) != v:
                s[k] = v

    def _response_item(self, state: MutableMapping[str, Any], kind: str, p: dict) -> None:
        if kind == "ghost_snapshot":
            gc = p.get("ghost_commit") if isinstance(p.get("ghost_commit"), dict) else {}
            if isinstance(gc.get("id"), str):
                state.setdefault("ghost_snapshots", {})[gc["id"]] = {"parent": gc.get("parent")}
            return
        hist = state.setdefault("history", [])
        item = _item(kind, p)
        hist.append(item)
        cid = p.get("call_id") or p.get("id")
        # the item holds the call's (the output's) summary already: made once
        if kind in CALL_TYPES and isinstance(cid, str):
            state.setdefault("calls", {})[cid] = {
                "name": p.get("name") or kind, "call": item["call"], "status": "running"}
        elif kind in OUTPUT_TYPES and isinstance(cid, str):
            call = state.setdefault("calls", {}).setdefault(cid, {})
            call["status"] = "done"
            call["output"] = item["output"]

    def _event_msg(self, state: MutableMapping[str, Any], kind: str, p: dict) -> None:
        if kind == "token_count":
            info = p.get("info")
            if isinstance(info, dict):
                state["tokens"] = {
                    "total": info.get("total_token_usage"), "last": info.get("last_token_usage"),
                    "context_window": info.get("model_context_window")}
            if isinstance(p.get("rate_limits"), dict) and state.get("rate_limits") != p["rate_limits"]:
                state["rate_limits"] = p["rate_limits"]
        elif kind == "task_started":
            state["turn"] = {"status": "running"}
        elif kind == "user_message":
            state.setdefault("turn", {})["prompt"] = one_line(p.get("message"), 200)
        elif kind == "task_complete":
            turn = state.setdefault("turn", {})
            turn["status"] = "complete"
            if p.get("last_agent_message") is not None:
                turn["last_agent_message"] = one_line(p.get("last_agent_message"), 200)
        elif kind == "turn_aborted":
            state.setdefault("turn", {})["status"] = "aborted"
        elif kind == "thread_rolled_back":
            n = p.get("num_turns")
            if isinstance(n, int) and n > 0:
                self._roll_back(state, n)
                # Shortening the history writes nothing the tracked state could keep; the count
                # does, so the rollback stays in a compacted log with the items it dropped gone.
                state["rolled_back_turns"] = state.get("rolled_back_turns", 0) + n

    def _roll_back(self, state: MutableMapping[str, Any], n: int) -> None:
        hist = state.setdefault("history", [])
        cut = None
        seen = 0
        for i in range(len(hist) - 1, -1, -1):
            if hist[i].get("role") == "user" and not str(hist[i].get("text", "")).startswith("<"):
                seen += 1
                cut = i
                if seen == n:
                    break
        if cut is not None:
            del hist[cut:]


# The direct path of the common lines in C (core/_codex.c) when it is built: `apply` does what
# `apply_tracked` does for a response item (not a ghost snapshot), token_count, the turn's event
# messages and turn_context, through the same tracker functions; it returns False, having
# written nothing, for any other line or anything odd in one, which then takes the path above.
#
# `CodexProjection.apply_tracked` is the C one (the lines `apply` takes, the rest by the Python
# method above: one Python call less per line). The mapper's `map` and `boundary_of` are the C
# ones too, each calling the Python method above for what it does not take: `map` takes an
# enveloped line, `boundary_of` the last branch of `boundary` (the lines that are no turn start,
# compaction, appended session or rollback).
if _native_codex is not None:
    _native_codex.setup({
        "write": write, "step_into": step_into, "append_to": append_to, "read_key": read_key,
        "differs": differs, "one_line": one_line, "orjson_loads": orjson.loads,
        "orjson_error": orjson.JSONDecodeError, "json_loads": json.loads,
        "mapper_type": CodexMapper, "mapped_type": Mapped, "map_py": CodexMapper.map,
        "boundary_of_py": CodexMapper.boundary_of, "projection_type": CodexProjection,
        "apply_tracked_py": CodexProjection.apply_tracked,
    })
    _native_apply = _native_codex.apply
    CodexProjection.apply_tracked = _native_codex.instancemethod(  # type: ignore[method-assign]
        _native_codex.apply_tracked)
    CodexMapper.map = _native_codex.instancemethod(_native_codex.map)  # type: ignore[method-assign]
    CodexMapper.boundary_of = _native_codex.instancemethod(  # type: ignore[method-assign]
        _native_codex.boundary_of)
else:
    _native_apply = None


# ---- calls and their outputs: groups, audit --------------------------------------------------------


def response_item(obj: dict) -> dict | None:
    """The response item a line holds (either layout), or None."""
    if obj.get("type") == "response_item":
        p = obj.get("payload")
        return p if isinstance(p, dict) else None
    if "payload" not in obj and _str(obj.get("type")) in ITEM_TYPES:
        return obj
    return None


def _event_kind(obj: dict) -> str | None:
    if obj.get("type") == "event_msg" and isinstance(obj.get("payload"), dict):
        k = obj["payload"].get("type")
        return k if isinstance(k, str) else None
    return None


def _str(v: object) -> str | None:
    """`v` when it is a string (a set lookup of a list would raise)."""
    return v if isinstance(v, str) else None


def call_of(item: dict) -> tuple[str | None, str | None]:
    """(call id this item opens, call id it answers)."""
    t = item.get("type")
    if not isinstance(t, str):  # a list or object as `type`: no call (unhashable, issue 15)
        return None, None
    if t in CALL_TYPES:
        cid = item.get("call_id") or item.get("id")
        return (cid if isinstance(cid, str) else None), None
    if t in OUTPUT_TYPES:
        cid = item.get("call_id")
        return None, (cid if isinstance(cid, str) else None)
    return None, None


def line_groups(objs: list[dict]) -> list[list[int]]:
    """Lines kept or dropped together: a call with its output(s)."""
    from agentlog_tui.core.formats.claude_code import _union_groups

    call_at: dict[str, int] = {}
    pairs: list[tuple[int, int]] = []
    for i, o in enumerate(objs):
        item = response_item(o)
        if item is None:
            continue
        opens, answers = call_of(item)
        if opens is not None:
            call_at.setdefault(opens, i)
        if answers is not None and answers in call_at:
            pairs.append((call_at[answers], i))
    return _union_groups(len(objs), pairs)


def _starts_turn(o: dict) -> bool:
    item = response_item(o)
    if item is not None:
        return item.get("type") == "message" and item.get("role") == "user"
    return _event_kind(o) in ("user_message", "task_started")


def audit_lines(objs: list[dict], lines: list[int] | None = None) -> list[Finding]:
    """Problems Codex would trip over when it resumes this rollout, each naming the line.

    - an output whose call is not earlier in the file (the API rejects it);
    - a call never answered, unless it is in flight at the end (no new turn after it).
    """
    ln = (lambda i: lines[i]) if lines is not None else (lambda i: i + 1)
    out: list[Finding] = []
    last_turn = max((i for i, o in enumerate(objs) if _starts_turn(o)), default=-1)
    call_at: dict[str, int] = {}
    answered: set[str] = set()
    for i, o in enumerate(objs):
        item = response_item(o)
        if item is None:
            continue
        opens, answers = call_of(item)
        if answers is not None:
            if answers not in call_at:
                out.append(Finding("orphan_result", i, ln(i),
                                   f"output for {answers} has no call earlier in the file",
                                   "the API rejects an output without its call: drop this line "
                                   "or restore the call"))
            answered.add(answers)
        if opens is not None:
            call_at.setdefault(opens, i)
    for cid, i in call_at.items():
        if cid not in answered and i < last_turn:
            item = response_item(objs[i]) or {}
            out.append(Finding("unanswered_call", i, ln(i),
                               f"{item.get('name') or item.get('type')} call {cid} was never answered",
                               "the turn was interrupted: check whether the command ran before "
                               "you rely on (or repeat) its effect"))
    out.sort(key=lambda f: f.index)
    return out


def _command_line(args: Any) -> str | None:
    """The shell command line of a call's arguments (`["bash", "-lc", "make"]` -> `make`)."""
    if not isinstance(args, dict):
        return None
    cmd = args.get("command", args.get("cmd"))
    if isinstance(cmd, list):
        parts = [c for c in cmd if isinstance(c, str)]
        if len(parts) >= 3 and parts[1] in ("-lc", "-c"):
            return " ".join(parts[2:])
        return " ".join(parts) or None
    return cmd if isinstance(cmd, str) else None


def _patched_files(text: Any) -> list[str]:
    if not isinstance(text, str):
        return []
    out = []
    for ln in text.splitlines():
        for head in ("*** Update File: ", "*** Add File: ", "*** Delete File: "):
            if ln.startswith(head):
                out.append(ln[len(head):].strip())
    return out


def _succeeded(p: dict) -> bool:
    out, meta = _output_and_meta(p)
    code = meta.get("exit_code")
    if isinstance(code, int):
        return code == 0
    return not (isinstance(out, str) and out.lower().startswith(("error", "failed", "aborted")))


def rollout_activity(objs: list[dict]) -> Activity:
    """The calls (with where they were answered), completed side effects (a shell command that may
    change something; a file an apply_patch changed), sessions and conversation lines of a
    rollout."""
    act = Activity()
    calls: dict[str, tuple[int, dict]] = {}
    answered: dict[str, int] = {}
    session: str | None = None
    for i, o in enumerate(objs):
        if o.get("type") == "session_meta" or (i == 0 and _is_old_meta(o)):
            meta = o.get("payload") if isinstance(o.get("payload"), dict) else o
            if isinstance(meta.get("id"), str):
                session = meta["id"]
        act.sessions.append(session)
        item = response_item(o)
        act.conversation.append(item is not None)
        if item is None:
            continue
        opens, answers = call_of(item)
        if opens is not None:
            calls.setdefault(opens, (i, item))
        if answers is not None:
            answered.setdefault(answers, i)
            if answers in calls and _succeeded(item):
                call = calls[answers][1]
                args = _call_args(call)
                if call.get("name") == "apply_patch" or call.get("type") == "custom_tool_call":
                    patch = args if isinstance(args, str) else (args or {}).get("input") if isinstance(args, dict) else None
                    act.effects.extend((i, "write", f) for f in _patched_files(patch))
                else:
                    cmd = _command_line(args)
                    if cmd is not None and side_effecting(cmd):
                        act.effects.append((i, "shell", cmd))
    act.calls = [Call(i, cid, str(it.get("name") or it.get("type") or "call"),
                      one_line(call_summary(it), 100), answered.get(cid))
                 for cid, (i, it) in calls.items()]
    return act


def _context_tokens(o: dict) -> int | None:
    if _event_kind(o) != "token_count":
        return None
    info = o["payload"].get("info")
    last = info.get("last_token_usage") if isinstance(info, dict) else None
    v = last.get("input_tokens") if isinstance(last, dict) else None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def context_compactions(objs: list[dict]) -> list[dict]:
    """Every `compacted` line of a rollout and what the history held since the previous one, by
    position (the fields of claude_code.context_compactions). The summary is the line's message
    and the texts of its replacement history; tokens are the last `token_count`'s input before it
    and the first after it; a user message the replacement history keeps is in the summary."""
    out: list[dict] = []
    start = 0
    plan: list = []
    calls: dict[str, tuple[int, dict]] = {}
    answered: dict[str, int] = {}
    for i, o in enumerate(objs):
        item = response_item(o)
        if item is not None:
            opens, answers = call_of(item)
            if opens is not None:
                calls.setdefault(opens, (i, item))
            if answers is not None:
                answered.setdefault(answers, i)
    last_tokens = None
    for i, o in enumerate(objs):
        t = _context_tokens(o)
        if t is not None:
            last_tokens = t
        if o.get("type") != "compacted" or not isinstance(o.get("payload"), dict):
            continue
        p = o["payload"]
        rh = p.get("replacement_history") if isinstance(p.get("replacement_history"), list) else []
        texts = [p["message"]] if isinstance(p.get("message"), str) else []
        kept_user = set()
        for it in rh:
            if isinstance(it, dict) and it.get("type") == "message":
                txt = _message_text(it)
                texts.append(txt)
                if it.get("role") == "user":
                    kept_user.add(" ".join(txt.split()))
        tokens_after = next((t for j in range(i + 1, len(objs))
                             if (t := _context_tokens(objs[j])) is not None), None)
        prompts, errors, files = [], [], {}
        dropped = 0
        for j in range(start, i):
            item = response_item(objs[j])
            if item is None:
                continue
            dropped += 1
            kind = _str(item.get("type"))  # a list as `type` (the fuzz campaign) is no kind
            if kind == "message" and item.get("role") == "user":
                txt = _message_text(item)
                if not txt.lstrip().startswith("<"):
                    kept = " ".join(txt.split()) in kept_user
                    prompts.append((j, one_line(txt, 200), kept))
            elif kind in CALL_TYPES:
                args = _call_args(item)
                if item.get("name") == "update_plan" and isinstance(args, dict) and isinstance(args.get("plan"), list):
                    plan = [x for x in args["plan"] if isinstance(x, dict)]
                patch = args if isinstance(args, str) else None
                for f in _patched_files(patch):
                    files.setdefault(f, {"read": False, "written": False})["written"] = True
            elif kind in OUTPUT_TYPES and not _succeeded(item):
                call = calls.get(item.get("call_id"))  # type: ignore[arg-type]
                name = (call[1].get("name") or call[1].get("type")) if call else "call"
                errors.append((j, str(name), one_line(_output_and_meta(item)[0], 160)))
        in_flight = [(ci, cid, str(it.get("name") or it.get("type")), one_line(call_summary(it), 100))
                     for cid, (ci, it) in calls.items()
                     if start <= ci < i and (answered.get(cid) is None or answered[cid] > i)]
        out.append({
            "index": i, "trigger": p.get("trigger") if isinstance(p.get("trigger"), str) else None,
            "tokens_before": last_tokens, "tokens_after": tokens_after, "summary_index": i,
            "summary": "\n".join(texts), "dropped": dropped, "prompts": prompts, "files": files,
            "errors": errors,
            "open_todos": [{"content": x.get("step"), "status": x.get("status")}
                           for x in plan if x.get("status") != "completed"],
            "in_flight": in_flight,
        })
        start = i + 1
    return out


# ---- the format ----------------------------------------------------------------------------------


# ---- the kinds this format knows (format drift, core/drift.py) ----------------------------------

# Event types as the mapper names them; any other (a new envelope `type`, a new response item or
# event message, one with no `payload.type`: bare `response_item`/`event_msg`) is counted by `check`.
EVENT_MSG_TYPES = frozenset({
    "user_message", "agent_message", "agent_reasoning", "agent_reasoning_raw_content",
    "agent_reasoning_section_break", "token_count", "task_started", "task_complete", "turn_aborted",
    "thread_rolled_back", "context_compacted", "entered_review_mode", "exited_review_mode",
    "undo_started", "undo_completed",
})
KNOWN_KINDS = frozenset({"session_meta", "turn_context", "compacted", "state",
                         *(f"response_item.{t}" for t in ITEM_TYPES),
                         *(f"event_msg.{t}" for t in EVENT_MSG_TYPES)})


_BOUNDARY_TYPES = frozenset({"compacted", "session_meta"})  # the only types format_boundary marks


def format_boundary(event: Event) -> Boundary | None:
    """The format's own boundaries: a compaction, a session appended to the rollout."""
    if event.type == "compacted":
        rh = event.data.get("replacement_history") if isinstance(event.data, dict) else None
        n = len(rh) if isinstance(rh, list) else 0
        return Boundary("compaction", None, f"history compacted ({n} items kept)")
    if event.type == "session_meta" and event.line > 1:
        sid = event.data.get("id") if isinstance(event.data, dict) else None
        return Boundary("resume", None, f"session {str(sid)[:13]} appended" if sid else "session appended")
    return None


class CodexFormat:
    """OpenAI Codex CLI rollouts (both layouts)."""

    name = "codex"
    description = ("OpenAI Codex CLI rollouts (~/.codex/sessions/**/rollout-*.jsonl): session_meta, "
                   "response_item, event_msg, turn_context, compacted; ids are line numbers")
    known_kinds = KNOWN_KINDS

    def detect(self, objs: list[dict]) -> float:
        if not objs:
            return 0.0
        hits = sum(1 for o in objs if _is_enveloped(o))
        if hits:
            return hits / len(objs)
        if _is_old_meta(objs[0]):
            rest = objs[1:]
            ok = sum(1 for o in rest if o.get("record_type") == "state" or (
                _str(o.get("type")) in ITEM_TYPES and "seq" not in o))
            return 0.9 if not rest or ok * 2 >= len(rest) else 0.3
        return 0.0

    def mapper(self, objs: list[dict], options: Options) -> CodexMapper:
        return CodexMapper(legacy=bool(objs) and _is_old_meta(objs[0]))

    def projection(self, options: Options) -> CodexProjection:
        return CodexProjection()

    def boundary(self, event: Event, options: Options | None = None) -> Boundary | None:
        return format_boundary(event)

    # concurrent writers stamp lines out of order: no generic check applies (ids are line
    # numbers); `audit` says what is wrong instead
    promises: frozenset[str] = frozenset()

    def groups(self, objs: list[dict]) -> list[list[int]]:
        return line_groups(objs)

    def relink(self, objs: list[dict], keep: list[bool]) -> dict[int, dict]:
        return {}  # lines do not name each other, except calls and outputs (kept together)

    def anchors(self, objs: list[dict]) -> list[int]:
        """Codex reads a rollout from its first line, the session_meta: always written."""
        return [0] if objs and (objs[0].get("type") == "session_meta" or _is_old_meta(objs[0])) else []

    def audit(self, objs: list[dict], lines: list[int] | None = None) -> list[Finding]:
        return audit_lines(objs, lines)

    def activity(self, objs: list[dict]) -> Activity:
        return rollout_activity(objs)

    def context_compactions(self, objs: list[dict]) -> list[dict]:
        return context_compactions(objs)

    def validate(self, objs: list[dict]) -> list[str]:
        """Why Codex could not resume a rollout of these lines ([] = it could)."""
        if not objs:
            return ["no lines: an empty file is no rollout"]
        first = objs[0]
        if not (first.get("type") == "session_meta" or _is_old_meta(first)):
            return ["line 1 is not the session_meta Codex reads a rollout from"]
        return [f"line {f.line}: {f.text}" for f in audit_lines(objs)]

    # never a stored snapshot: the reading loop need not ask per record (core/analysis.py)
    never_snapshots = True

    def is_snapshot(self, event: Event) -> bool:
        return False

    def details(self, event: Event) -> list[tuple[str, str]]:
        """The line's payload as readable (label, text) sections, texts whole; [] when odd."""
        if not isinstance(event.data, dict):
            return []
        try:
            return payload_details(event.type, event.data)
        except (AttributeError, TypeError, ValueError, KeyError):
            return []

    def summary(self, event: Event) -> str:
        if not isinstance(event.data, dict):
            return one_line(event.data)
        return one_line(payload_summary(event.type, event.data), 160)


# the format boundary CodexMapper.boundary_of includes (core/analysis.py calls it instead of the
# two only for a format whose boundary this is)
CodexMapper.FORMAT_BOUNDARY = CodexFormat.boundary  # type: ignore[attr-defined]
