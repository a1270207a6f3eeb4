"""The session list's rows: its columns, what the list shows (sort, filter, cursor, search) and
the cells of a row. Plain data and formatting: the app is `tui/session_list.py`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.text import Text

from agentlog_tui.core.search import Hit, Query, SearchProgress
from agentlog_tui.core.sessions import SessionInfo, sort_key_activity
from agentlog_tui.tui.cli_sessions import human_size, short_time
from agentlog_tui.tui.text import visible

BATCH_S = 0.25  # a worker reports at most this often
TITLE_CELL = 72


def _stat(r: SessionInfo, name: str) -> int | None:
    return getattr(r.stats, name) if r.stats is not None else None


def _project(r: SessionInfo) -> str:
    return os.path.basename(r.project.rstrip("/")) if r.project else ""


@dataclass(frozen=True)
class Column:
    """A column of the list: its key, title, and how to sort by it."""

    key: str
    title: str
    sort: Any  # SessionInfo -> comparable
    numeric: bool = False


COLUMNS = [
    Column("last", "last activity", sort_key_activity),
    Column("format", "format", lambda r: r.format),
    Column("events", "events", lambda r: _stat(r, "events") or -1, True),
    Column("findings", "find", lambda r: _stat(r, "findings") or -1, True),
    Column("title", "title", lambda r: r.title.lower()),
    Column("project", "project", lambda r: _project(r).lower()),
    Column("size", "size", lambda r: r.size, True),
    Column("compactions", "comp", lambda r: _stat(r, "compactions") or -1, True),
    Column("resumes", "res", lambda r: _stat(r, "resumes") or -1, True),
    Column("started", "start", lambda r: r.started or ""),
]
COLUMN = {c.key: c for c in COLUMNS}


@dataclass
class SearchState:
    """A search across the listed sessions: its query, hits so far, progress, cursor."""

    query: Query
    hits: list[Hit] = field(default_factory=list)
    progress: SearchProgress | None = None
    done: bool = False
    cursor: int = 0


@dataclass
class ListState:
    """What the list shows and where the user was; kept while a session is open."""

    roots: list[Path]
    rows: list[SessionInfo] | None = None
    sort: str = "last"
    reverse: bool = True
    filter: str = ""
    cursor_path: Path | None = None
    stats_done: int = 0
    search: SearchState | None = None
    showing_hits: bool = False

    def all_files(self) -> list[Path]:
        """Every listed log and its subagent transcripts, newest first (what `/` searches)."""
        out = []
        for r in self.visible_rows():
            out.append(r.path)
            out.extend(s.path for s in r.subagents)
        return out

    def visible_rows(self) -> list[SessionInfo]:
        rows = list(self.rows or [])
        if self.filter:
            f = self.filter.lower()
            rows = [r for r in rows if f in " ".join(
                (r.title, r.project or "", r.format, str(r.path), r.session_id or "")).lower()]
        col = COLUMN[self.sort]
        rows.sort(key=col.sort, reverse=self.reverse)
        rows.sort(key=lambda r: r.error is not None)  # files that are not logs last, always
        return rows


def row_cells(r: SessionInfo) -> list[Any]:
    """The cells of a session's row, in the order of COLUMNS."""

    def num(name: str) -> Text:
        v = _stat(r, name)
        if r.error and v is None:
            return Text("✗", style="red", justify="right")
        if v is None:
            return Text("…", style="dim", justify="right")
        style = "bold yellow" if name == "findings" and v else ""
        return Text(f"{v:,}", style=style, justify="right")

    title = visible(r.title) if r.title else ""
    if r.error:
        title = f"✗ {visible(r.error)}"
    if r.subagents:
        n = len(r.subagents)
        title = f"[{n} subagent{'s' if n > 1 else ''}] {title}"
    if len(title) > TITLE_CELL:
        title = title[: TITLE_CELL - 1] + "…"
    fmt = r.format + (f" ({r.compressed})" if r.compressed else "")
    return [
        Text(short_time(r.last_activity)),
        Text(visible(fmt)),
        num("events"),
        num("findings"),
        Text(title, style="red" if r.error else ""),
        Text(visible(_project(r))[:24]),
        Text(human_size(r.size), justify="right"),
        num("compactions"),
        num("resumes"),
        Text(short_time(r.started), style="dim"),
    ]


def tilde(p: Path) -> str:
    """A path with the home folder written `~`."""
    home = os.path.expanduser("~")
    s = str(p)
    return "~" + s[len(home):] if home and home != "/" and s.startswith(home + os.sep) else s
