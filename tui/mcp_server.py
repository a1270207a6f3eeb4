"""`agentlog-tui mcp [PATH]`: a read-only Model Context Protocol server over stdio.

Built on the official `mcp` Python SDK (`MCPServer`). Its tools answer from the same engine as the
CLI, with the CLI's JSON shapes, so an agent can ask a log what a person asks the app: which event
wrote this value, what the state was at an event, what a fresh executor needs to know.

- `sessions(folder)`: the session list (`sessions --json`);
- `check(log)`: integrity, resumes, compactions (`check --json`);
- `state_at(log, at, path)`: the state after an event (`state --json`), or one subtree of it;
- `blame(log, path, at)`: the event that last wrote a path, with its value;
- `diff(log, a, b)`: what changed between two events (`a` alone: what event `a` changed);
- `brief(log, at)`: the distilled view (`brief --json`);
- `compaction_plan(log, protect_last)`: what compaction keeps and drops (`compact --json`);
- `find(text, folder, regex)`: search in the text of events (`find --json`).

`PATH` is a log (the default `log` of every tool) or a folder (the default folder of `sessions` and
`find`; relative log paths are taken from it). Nothing is ever written. A result over
`MAX_RESULT_CHARS` characters of JSON is cut, with a `truncated` note saying how to ask for less.
A bad path, id or argument is a tool error (the message says what is wrong), never a crash.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import orjson

MAX_RESULT_CHARS = 60_000
MAX_LIST_ITEMS = 200
CACHED_LOGS = 8

SERVER_INSTRUCTIONS = (
    "Read-only questions about append-only agent event logs (generic JSONL event logs, Claude Code "
    "sessions, Codex rollouts). Event ids are `seq` (the line number for Claude Code and Codex). "
    "Paths into the state are written like `publish.devto.url`, `draft[\"drafts/x.md\"].sha`, "
    "`context[3]`, or as a JSON array of keys. Start with `brief` for what a resumed executor needs, "
    "`blame` for which event wrote a value, `state_at` with a path for one part of the state."
)


class ToolFailure(Exception):
    """A bad argument or an unreadable log: the tool answers with an error message."""


# ---- paths into the state ----------------------------------------------------------------------

_TOKEN = re.compile(r'\.?([^.\[\]"]+)|\[(-?\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def parse_path(text: str | list | None) -> tuple:
    """A state path from `a.b["c d"][2]` (as the CLI prints paths) or a JSON array of keys."""
    if text is None or text == "" or text == []:
        return ()
    if isinstance(text, list):
        return tuple(text)
    s = text.strip()
    if s.startswith("["):
        try:
            v = json.loads(s)
        except ValueError:
            v = None
        if isinstance(v, list):
            return tuple(v)
    out: list[Any] = []
    i = 0
    while i < len(s):
        m = _TOKEN.match(s, i)
        if m is None or m.end() == i:
            raise ToolFailure(f"cannot read the path {text!r} at character {i + 1}: write it like "
                              'publish.devto.url, draft["drafts/x.md"].sha or ["draft", "drafts/x.md"]')
        if m.group(1) is not None:
            out.append(m.group(1))
        elif m.group(2) is not None:
            out.append(int(m.group(2)))
        else:
            out.append(json.loads(m.group(3)))
        i = m.end()
    return tuple(out)


def resolve(state: Any, path: tuple) -> tuple[tuple, Any]:
    """The path with the state's own keys (list indices as ints) and the value there; ToolFailure
    naming the first key that is not there."""
    cur = state
    real: list[Any] = []
    for k in path:
        if isinstance(cur, dict):
            if k in cur:
                key = k
            elif str(k) in cur:
                key = str(k)
            else:
                keys = ", ".join(list(map(str, cur))[:20])
                raise ToolFailure(f"no {k!r} at {format_path(tuple(real))} (keys there: {keys})")
            real.append(key)
            cur = cur[key]
        elif isinstance(cur, list):
            try:
                idx = int(k)
            except (TypeError, ValueError):
                raise ToolFailure(f"{format_path(tuple(real))} is a list: {k!r} is not an index") from None
            if not -len(cur) <= idx < len(cur):
                raise ToolFailure(f"{format_path(tuple(real))} has {len(cur)} items: no index {idx}")
            idx %= len(cur)
            real.append(idx)
            cur = cur[idx]
        else:
            raise ToolFailure(f"{format_path(tuple(real))} is a value, not an object or a list")
    return tuple(real), cur


def format_path(path: tuple) -> str:
    from agentlog_tui.core.diff import format_path as fp

    return fp(path)


# ---- bounding results ----------------------------------------------------------------------------


def _size(obj: Any) -> int:
    return len(orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS, default=repr))


def outline(value: Any, depth: int = 0) -> Any:
    """A value with everything below the first level summarised (`{…12 keys}`, `[…40 items]`)."""
    if isinstance(value, dict):
        if depth >= 1:
            return f"{{…{len(value)} keys}}"
        return {k: outline(v, depth + 1) for k, v in list(value.items())[:MAX_LIST_ITEMS]}
    if isinstance(value, list):
        if depth >= 1:
            return f"[…{len(value)} items]"
        return [outline(v, depth + 1) for v in value[:MAX_LIST_ITEMS]]
    if isinstance(value, str) and len(value) > 200:
        return value[:199] + "…"
    return value


def bound(doc: dict, key: str, hint: str, limit: int | None = None) -> dict:
    """`doc` whole when it is small enough; else `doc[key]` cut (a list to its first items, an
    object to its outline) and a `truncated` note saying what was cut and how to ask for less."""
    if limit is None:
        limit = MAX_RESULT_CHARS
    size = _size(doc)
    if size <= limit:
        return doc
    value = doc.get(key)
    out = dict(doc)
    if isinstance(value, list):
        lo, hi = 0, len(value)
        while lo < hi:  # the longest prefix that fits
            mid = (lo + hi + 1) // 2
            out[key] = value[:mid]
            if _size(out) <= limit - 300:
                lo = mid
            else:
                hi = mid - 1
        out[key] = value[:lo]
        out["truncated"] = (f"truncated, ask for a path: {len(value)} {key}, the first {lo} shown "
                            f"(the whole result is {size:,} characters); {hint}")
        return out
    out[key] = outline(value)
    if _size(out) > limit:
        out[key] = f"{type(value).__name__} of {len(value) if hasattr(value, '__len__') else 1} entries"
    out["truncated"] = (f"truncated, ask for a path: the result is {size:,} characters, over "
                        f"{limit:,}; nested values are summarised; {hint}")
    return out


# ---- the engine, cached --------------------------------------------------------------------------


class Engine:
    """Analyses of the logs the tools are asked about, kept up to date with the files."""

    def __init__(self, root: str | None = None) -> None:
        self.root = os.path.abspath(root) if root else None
        self.default_log = self.root if self.root and os.path.isfile(self.root) else None
        self.folder = self.root if self.root and os.path.isdir(self.root) else None
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def log_path(self, log: str | None) -> str:
        if not log:
            if self.default_log is None:
                raise ToolFailure("give `log`: the path of a log file (the server was started "
                                  "without one)")
            return self.default_log
        p = os.path.expanduser(log)
        if not os.path.isabs(p) and self.folder is not None:
            p = os.path.join(self.folder, p)
        return os.path.abspath(p)

    def analysis(self, log: str | None) -> Any:
        from agentlog_tui.core.analysis import Analysis
        from agentlog_tui.core.reader import LogReadError

        path = self.log_path(log)
        if not os.path.exists(path):
            raise ToolFailure(f"{path}: no such file")
        if os.path.isdir(path):
            raise ToolFailure(f"{path}: is a folder (give a log file; `sessions` lists them)")
        with self._lock:
            a = self._cache.get(path)
            try:
                if a is None:
                    a = Analysis(path)
                    a.run()
                    self._cache[path] = a
                    while len(self._cache) > CACHED_LOGS:
                        _, old = self._cache.popitem(last=False)
                        old.close()
                else:
                    self._cache.move_to_end(path)
                    a.update()
            except LogReadError as exc:
                self._cache.pop(path, None)
                raise ToolFailure(str(exc)) from None
            except OSError as exc:
                self._cache.pop(path, None)
                raise ToolFailure(f"{path}: {(exc.strerror or str(exc)).lower()}") from None
        return a

    def folders(self, folder: str | None) -> list[Path]:
        if folder:
            p = Path(os.path.expanduser(folder))
            if not p.is_absolute() and self.folder is not None:
                p = Path(self.folder) / p
            if not p.exists():
                raise ToolFailure(f"{p}: no such folder")
            return [p]
        if self.folder is not None:
            return [Path(self.folder)]
        if self.default_log is not None:
            return [Path(self.default_log)]
        from agentlog_tui.core.sessions import default_roots

        return default_roots()


def pos_of(a: Any, at: int | None, name: str = "at") -> int:
    """The position of event `at` (the last event when None)."""
    if a.n_events == 0:
        raise ToolFailure(f"{a.path}: the log has no events")
    if at is None:
        return a.n_events - 1
    p = a.pos_of_seq(at)
    if p is None:
        raise ToolFailure(f"{a.path}: {name}={at}: no event with that id "
                          f"(ids run from {a.seqs[0]} to {a.seqs[a.n_events - 1]})")
    return p


def event_ref(a: Any, pos: int) -> dict:
    ev = a.event(pos)
    return {"seq": ev.seq, "type": ev.type, "line": ev.line, "ts": ev.ts,
            "summary": a.format.summary(ev)}


# ---- the tools (plain functions, also called by the tests) --------------------------------------


def tool_check(engine: Engine, log: str | None = None) -> dict:
    from agentlog_tui.core.report_stream import plain
    from agentlog_tui.tui.cli import check_json

    a = engine.analysis(log)
    doc = plain(check_json(a))  # its malformed lines as a list (core/report_stream)
    doc["log"] = a.path
    return bound(doc, "anomalies", "the anomalies are in file order")


def tool_state_at(engine: Engine, log: str | None = None, at: int | None = None,
                  path: str | None = None) -> dict:
    a = engine.analysis(log)
    pos = pos_of(a, at)
    state = a.state_at_pos(pos)
    seq = a.seqs[pos]
    if path:
        real, value = resolve(state, parse_path(path))
        w = a.blame(real, pos)
        doc = {"seq": seq, "path": list(real), "path_text": format_path(real), "value": value,
               "written_by": a.seqs[w] if w is not None else None}
        return bound(doc, "value", "ask for a path deeper inside this one")
    return bound({"seq": seq, "state": state}, "state",
                 "call state_at again with `path` set to one of these keys")


def tool_blame(engine: Engine, path: str, log: str | None = None, at: int | None = None) -> dict:
    a = engine.analysis(log)
    pos = pos_of(a, at)
    real, value = resolve(a.state_at_pos(pos), parse_path(path))
    w = a.blame(real, pos)
    doc: dict[str, Any] = {"path": list(real), "path_text": format_path(real), "at": a.seqs[pos],
                           "value": value, "written_by": None}
    if w is not None:
        doc["written_by"] = a.seqs[w]
        doc["event"] = event_ref(a, w)
    return bound(doc, "value", "ask for a path deeper inside this one")


def tool_diff(engine: Engine, a_id: int, b_id: int | None = None, log: str | None = None) -> dict:
    a = engine.analysis(log)
    pa = pos_of(a, a_id, "a")
    if b_id is None:  # what event a changed
        pb, pa = pa, pa - 1
    else:
        pb = pos_of(a, b_id, "b")
    changes = a.diff_positions(pa, pb)
    doc = {"a": a.seqs[pa] if pa >= 0 else None, "b": a.seqs[pb],
           "changes": [{"path": list(c.path), "path_text": format_path(c.path), "kind": c.kind,
                        "old": c.old, "new": c.new} for c in changes]}
    return bound(doc, "changes", "diff two closer events, or ask state_at for a path")


def tool_brief(engine: Engine, log: str | None = None, at: int | None = None) -> dict:
    from agentlog_tui.core.brief import make_brief

    a = engine.analysis(log)
    if a.n_events:
        pos_of(a, at)
    elif at is not None:
        raise ToolFailure(f"{a.path}: the log has no events")
    b = make_brief(a, at)
    doc = b.to_json()
    doc["text"] = "\n".join(b.lines())
    return bound(doc, "sections", "ask brief at an earlier event, or state_at for a path")


def tool_compaction_plan(engine: Engine, log: str | None = None, protect_last: int = 0) -> dict:
    from agentlog_tui.core.compaction import plan_compaction

    if protect_last < 0:
        raise ToolFailure("protect_last must be 0 or more")
    a = engine.analysis(log)
    doc = plan_compaction(a, protect_last).to_json()
    return bound(doc, "dropped", "the dropped events are in log order")


def tool_sessions(engine: Engine, folder: str | None = None) -> dict:
    from agentlog_tui.core.sessions import fill_stats, group_subagents, list_sessions

    roots = engine.folders(folder)
    rows = group_subagents(list_sessions(roots))
    for r in rows:
        fill_stats(r)
        for s in r.subagents:
            fill_stats(s)
    doc = {"roots": [str(p) for p in roots], "sessions": [r.to_json() for r in rows]}
    return bound(doc, "sessions", "give `folder` to list one folder")


def tool_find(engine: Engine, text: str, folder: str | None = None, regex: bool = False,
              max_hits: int = 100) -> dict:
    from agentlog_tui.core.search import Query, QueryError, SearchProgress, search
    from agentlog_tui.core.sessions import discover

    try:
        query = Query(text, regex=regex)
    except QueryError as exc:
        raise ToolFailure(str(exc)) from None
    roots = engine.folders(folder)
    files = sorted(discover(roots), key=lambda p: p.stat().st_mtime if p.exists() else 0, reverse=True)
    final = SearchProgress()

    def keep(pr: SearchProgress) -> None:
        nonlocal final
        final = pr

    hits = []
    more = False
    for hit in search(files, query, progress=keep):
        if len(hits) >= max_hits:
            more = True
            break
        hits.append(hit.to_json())
    doc: dict[str, Any] = {"query": text, "regex": regex, "case_sensitive": query.case_sensitive,
                           "sessions_searched": final.files_done, "hits": hits,
                           "errors": [{"path": str(p), "error": e} for p, e in final.errors]}
    if more:
        doc["truncated"] = f"truncated, ask for a path: the first {max_hits} hits (raise max_hits, or give `folder`)"
    return bound(doc, "hits", "give `folder` or a longer text")


# ---- the server ----------------------------------------------------------------------------------


def build_server(root: str | None = None) -> Any:
    """The MCP server over the engine; `root` is the PATH given on the command line."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.types import ToolAnnotations

    engine = Engine(root)
    server = MCPServer(name="agentlog-tui", instructions=SERVER_INSTRUCTIONS, version=_version(),
                       log_level="WARNING")
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                open_world_hint=False)

    def run(fn: Any, *args: Any, **kwargs: Any) -> dict:
        try:
            return fn(engine, *args, **kwargs)
        except ToolFailure as exc:
            raise ToolError(str(exc)) from None
        except (KeyError, ValueError, TypeError, OSError) as exc:
            raise ToolError(f"{type(exc).__name__}: {exc}") from None

    @server.tool(annotations=read_only)
    def sessions(folder: str | None = None) -> dict:
        """The agent sessions (Claude Code, Codex, generic logs) in a folder (default: the
        server's folder, else the user's agent session folders): path, format, project, title,
        times, events, findings."""
        return run(tool_sessions, folder)

    @server.tool(annotations=read_only)
    def check(log: str | None = None) -> dict:
        """Integrity of a log (malformed lines, anomalies, a pending tail), its resumes (missed
        events, drifted snapshots, duplicate effects) and compactions, as `check --json`."""
        return run(tool_check, log)

    @server.tool(annotations=read_only)
    def state_at(log: str | None = None, at: int | None = None, path: str | None = None) -> dict:
        """The state after event `at` (default: the last one). With `path`
        (`publish.devto`, `draft["drafts/x.md"]`, or a JSON array of keys) only that subtree,
        and the event that last wrote it."""
        return run(tool_state_at, log, at, path)

    @server.tool(annotations=read_only)
    def blame(path: str, log: str | None = None, at: int | None = None) -> dict:
        """Which event last wrote `path` in the state at event `at` (default: the last one):
        its id, type, line and summary, and the value there."""
        return run(tool_blame, path, log, at)

    @server.tool(annotations=read_only)
    def diff(a: int, b: int | None = None, log: str | None = None) -> dict:
        """What changed in the state from event `a` to event `b`; without `b`, what event `a`
        itself changed. Each change: path, kind (added, removed, changed), old and new values."""
        return run(tool_diff, a, b, log)

    @server.tool(annotations=read_only)
    def brief(log: str | None = None, at: int | None = None) -> dict:
        """What a fresh executor needs at event `at` (default: the last one): goal, done, in
        progress, failed, pending effects (not to repeat blindly), instructions, files,
        compactions and resumes; every item cites its events (`seq`)."""
        return run(tool_brief, log, at)

    @server.tool(annotations=read_only)
    def compaction_plan(log: str | None = None, protect_last: int = 0) -> dict:
        """What compaction of the log would keep and drop (each dropped event with its reason
        and the events that superseded it), and whether the result is verified by replay.
        Nothing is written."""
        return run(tool_compaction_plan, log, protect_last)

    @server.tool(annotations=read_only)
    def find(text: str, folder: str | None = None, regex: bool = False, max_hits: int = 100) -> dict:
        """Search the text of events (prompts, messages, tool inputs and outputs) in every log
        of a folder (default: the server's folder or log, else the user's agent sessions)."""
        return run(tool_find, text, folder, regex, max_hits)

    server.engine = engine  # type: ignore[attr-defined]
    return server


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agentlog-tui")
    except PackageNotFoundError:
        return "0"


def serve(root: str | None = None) -> None:
    """Run the server on stdin/stdout until the client goes away."""
    build_server(root).run("stdio")
