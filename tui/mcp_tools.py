"""The MCP server's tools as plain functions over an `Engine` (the analyses of the logs asked
about, cached and kept up to date with the files); `tui/mcp_server.py` registers them and the
tests call them directly. Each answers with the CLI's JSON shape, bounded (`tui/mcp_results.py`)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from agentlog_tui.tui.mcp_results import ToolFailure, bound, format_path, parse_path, resolve

CACHED_LOGS = 8


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
    from agentlog_tui.tui.cli_check import check_json

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
