"""Searching the text of the listed sessions (`/` in the session list): the worker over
`core.search`, its hits as a table, and opening at a hit (mixed into `SessionListApp`, in the
manner of the app's features, `tui/features.py`)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.message import Message

from agentlog_tui.core.search import Hit, Query, SearchProgress, search
from agentlog_tui.core.sessions import discover
from agentlog_tui.tui.session_rows import BATCH_S, SearchState
from agentlog_tui.tui.text import visible

MAX_HITS = 5000  # a search stops listing here (the header says so)
HIT_LEAD = 16  # characters of a hit's text kept before its first match
HIT_CELL = 110


class HitsFound(Message):
    def __init__(self, state: SearchState, hits: list[Hit], progress: SearchProgress, done: bool) -> None:
        super().__init__()
        self.state = state
        self.hits = hits
        self.progress = progress
        self.done = done


class SessionSearchFeature:
    """The search across sessions (mixed into `SessionListApp`)."""

    def _init_search(self) -> None:
        self._search_cancel = threading.Event()

    def start_search(self, q: Query) -> None:
        self._search_cancel.set()
        self._search_cancel = threading.Event()
        self.state.search = SearchState(q)
        self.hits_table.clear()
        self.show_hits(True)
        files = None if self.discovering else self.state.all_files()  # None: find them too
        self.search_worker(self.state.search, files, self._search_cancel)
        self.update_header()

    def show_hits(self, on: bool) -> None:
        self.state.showing_hits = on and self.state.search is not None
        self.table.display = not self.state.showing_hits
        self.hits_table.display = self.state.showing_hits
        (self.hits_table if self.state.showing_hits else self.table).focus()
        self.refresh_bindings()
        self.update_header()

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def search_worker(self, state: SearchState, files: list[Path] | None,
                      cancel: threading.Event) -> None:
        if files is None:  # the list is still being made: search what is there, newest first
            files = sorted(discover(self.state.roots), key=_mtime, reverse=True)
        batch: list[Hit] = []
        last = [time.monotonic()]
        latest = [SearchProgress()]

        def progress(p: SearchProgress) -> None:
            latest[0] = p
            now = time.monotonic()
            if now - last[0] >= BATCH_S:
                last[0] = now
                self.post_message(HitsFound(state, list(batch), _copy(p), False))
                batch.clear()

        for n, hit in enumerate(search(files, state.query, progress=progress, cancel=cancel,
                                       every=0.05), 1):
            batch.append(hit)
            if n == 1:  # the first hit at once
                self.post_message(HitsFound(state, list(batch), _copy(latest[0]), False))
                batch.clear()
            if n >= MAX_HITS:
                break
        self.post_message(HitsFound(state, list(batch), _copy(latest[0]), True))

    def on_hits_found(self, msg: HitsFound) -> None:
        se = msg.state
        if se is not self.state.search:
            return  # an older search's last words
        se.progress = msg.progress
        se.done = msg.done
        start = len(se.hits)
        se.hits.extend(msg.hits)
        for i, h in enumerate(msg.hits, start):
            self.hits_table.add_row(*self.hit_cells(h), key=str(i))
        self.update_header()

    def rebuild_hits(self) -> None:
        se = self.state.search
        self.hits_table.clear()
        if se is None:
            return
        for i, h in enumerate(se.hits):
            self.hits_table.add_row(*self.hit_cells(h), key=str(i))
        if se.hits:
            self.hits_table.move_cursor(row=min(se.cursor, len(se.hits) - 1), animate=False)

    def hit_cells(self, h: Hit) -> list[Any]:
        name = self._session_name(h.path)
        shown, spans = h.text, h.spans
        if spans and spans[0][0] > HIT_LEAD:  # the match near the left edge, where it is seen
            cut = spans[0][0] - HIT_LEAD
            shown = "…" + shown[cut:]
            spans = tuple((a - cut + 1, b - cut + 1) for a, b in spans if a >= cut)
        text = Text(no_wrap=True, end="")
        at = 0
        for a, b in spans:
            text.append(visible(shown[at:a]))
            text.append(visible(shown[a:b]), style="bold black on yellow")
            at = b
        text.append(visible(shown[at:]))
        if text.cell_len > HIT_CELL:
            text.truncate(HIT_CELL, overflow="ellipsis")
        return [Text(visible(name)[:22]), Text(f"#{h.seq}", justify="right"), text,
                Text(visible(h.type)[:24], style="dim"), Text(visible(h.field)[:12], style="dim")]

    def _session_name(self, path: Path) -> str:
        for r in self.state.rows or []:
            if r.path == path:
                return r.title or path.name
            for s in r.subagents:
                if s.path == path:
                    return f"↳ {s.title or path.name}"
        return path.name

    def on_unmount(self) -> None:
        self._search_cancel.set()


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def _copy(p: SearchProgress) -> SearchProgress:
    return SearchProgress(p.files_done, p.files_total, p.bytes_done, p.bytes_total, p.hits,
                          p.current, list(p.errors))
