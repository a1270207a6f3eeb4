"""The session list: one row per session of some folders, sortable, filterable, searchable.

`SessionListApp` shows the rows of `core.sessions` (the cheap columns at once, events, findings,
compactions and resumes filled in by a background pass with progress in the header) and the hits
of `core.search` across them (`/`). It never opens a log itself: Enter ends it with what to open,
`("open", path, seq)`, and `tui/session_browser.py` runs the usual screen on it, then this list
again with the same `ListState` (so it comes back where it was: sort, filter, cursor, search).
The columns, that state and a row's cells are in `tui/session_rows.py`; the search across the
sessions (`/`) is a feature of its own, `tui/session_search.py`.

Keys: Enter open, `/` search the sessions' text, `f` filter the rows, `s` / `S` sort by the next
column / reverse (or click a column's title), Escape clears the filter or leaves the search hits,
`q` quits.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hits, Provider
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from agentlog_tui.core.search import Query, QueryError
from agentlog_tui.core.sessions import (
    SessionInfo,
    describe,
    discover,
    fill_stats,
    group_subagents,
    sort_key_activity,
)
from agentlog_tui.tui.error_boundary import ErrorBoundary
from agentlog_tui.tui.session_rows import BATCH_S, COLUMN, COLUMNS, ListState, row_cells, tilde
from agentlog_tui.tui.session_search import MAX_HITS, SessionSearchFeature
from agentlog_tui.tui.text import visible

# ---- messages from the workers ------------------------------------------------------------------


class RowsFound(Message):
    def __init__(self, rows: list[SessionInfo], final: bool) -> None:
        super().__init__()
        self.rows = rows
        self.final = final


class StatsFilled(Message):
    def __init__(self, rows: list[SessionInfo], done: int, total: int) -> None:
        super().__init__()
        self.rows = rows
        self.done = done
        self.total = total


def actions_provider(actions: list[tuple[str, str, str]]) -> type[Provider]:
    """A command palette provider offering `actions` (action, name, help) when they apply."""

    class Actions(Provider):
        def _available(self):
            for action, name, help_text in actions:
                if self.app.check_action(action, ()) is not False:
                    yield action, name, help_text

        async def discover(self) -> Hits:
            for action, name, help_text in self._available():
                yield DiscoveryHit(name, partial(self.app.run_action, action), help=help_text)

        async def search(self, query: str) -> Hits:
            from textual.command import Hit as PaletteHit

            matcher = self.matcher(query)
            for action, name, help_text in self._available():
                score = matcher.match(name)
                if score > 0:
                    yield PaletteHit(score, matcher.highlight(name),
                                     partial(self.app.run_action, action), help=help_text)

    return Actions


LIST_ACTIONS = [
    ("open", "Open session", "open the session (or the search hit) at the cursor (enter)"),
    ("search", "Search sessions", "search the text of every listed session (/)"),
    ("filter", "Filter sessions", "show the sessions whose title, project or path holds a text (f)"),
    ("sort_next", "Sort by next column", "sort the list by the next column (s)"),
    ("sort_reverse", "Reverse sort", "reverse the order of the list (S)"),
    ("back", "Back", "close the prompt, leave the search hits, or clear the filter (escape)"),
    ("quit", "Quit", "leave agentlog-tui (q)"),
]


class SessionListApp(SessionSearchFeature, ErrorBoundary, App):
    """The list of sessions (and of search hits across them); ends with what to open."""

    CSS_PATH = "session_list.tcss"
    TITLE = "agentlog-tui sessions"
    COMMANDS = App.COMMANDS | {actions_provider(LIST_ACTIONS)}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "open", id="sessions.open", priority=False),
        Binding("slash", "search", "search", key_display="/", id="sessions.search"),
        Binding("f", "filter", "filter", id="sessions.filter"),
        Binding("s", "sort_next", "sort", id="sessions.sort"),
        Binding("S", "sort_reverse", "reverse", id="sessions.reverse"),
        Binding("escape", "back", "back", show=False, id="sessions.back"),
        Binding("q", "quit", "quit", id="sessions.quit"),
    ]

    def __init__(self, state: ListState) -> None:
        super().__init__()
        self.state = state
        self.stats_total = 0
        self.discovering = state.rows is None
        self.prompt_mode: str | None = None
        self._init_search()

    # ---- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="sessions-header")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="hits", cursor_type="row")
        yield Input(id="sessions-prompt")
        yield Footer()

    @property
    def table(self) -> DataTable:
        return self.query_one("#sessions", DataTable)

    @property
    def hits_table(self) -> DataTable:
        return self.query_one("#hits", DataTable)

    def on_mount(self) -> None:
        self.query_one("#sessions-prompt", Input).display = False
        for c in COLUMNS:
            self.table.add_column(c.title, key=c.key)
        for key, title in (("session", "session"), ("seq", "event"), ("text", "text"),
                           ("type", "type"), ("field", "in")):
            self.hits_table.add_column(title, key=key)
        if self.state.rows is None:
            self.find_sessions()
        else:
            self.rebuild()
            self.fill()
        if self.state.search is not None:
            self.rebuild_hits()
        self.show_hits(self.state.showing_hits)
        self.update_header()

    # ---- the rows ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="discover")
    def find_sessions(self) -> None:
        """Describe the logs as they are found, in batches (the first rows come at once), then
        the whole list, newest first, subagents under their parents."""
        worker = get_current_worker()
        found: list[SessionInfo] = []
        last = time.monotonic()
        for p in discover(self.state.roots):
            if worker.is_cancelled:
                return
            found.append(describe(p))
            now = time.monotonic()
            if now - last >= BATCH_S:
                last = now
                self.post_message(RowsFound(list(found), final=False))
        found.sort(key=sort_key_activity, reverse=True)
        found.sort(key=lambda r: r.error is not None)
        self.post_message(RowsFound(group_subagents(found), final=True))

    def on_rows_found(self, msg: RowsFound) -> None:
        self.state.rows = msg.rows
        self.discovering = not msg.final
        self.rebuild()
        self.update_header()
        if msg.final:
            self.fill()

    def rebuild(self) -> None:
        """The table from the state: filtered, sorted, the cursor on the row it was on."""
        t = self.table
        keep = self.state.cursor_path
        t.clear()
        rows = self.state.visible_rows()
        for r in rows:
            t.add_row(*row_cells(r), key=str(r.path))
        for c in COLUMNS:
            col = t.columns[c.key]
            arrow = (" ↓" if self.state.reverse else " ↑") if c.key == self.state.sort else ""
            col.label = Text(c.title + arrow, style="bold" if arrow else "")
        t.refresh()
        if keep is not None:
            for i, r in enumerate(rows):
                if r.path == keep:
                    t.move_cursor(row=i, animate=False)
                    break

    def on_data_table_row_highlighted(self, msg: DataTable.RowHighlighted) -> None:
        if msg.data_table.id == "sessions" and msg.row_key is not None and msg.row_key.value:
            self.state.cursor_path = Path(msg.row_key.value)
        elif msg.data_table.id == "hits" and self.state.search is not None:
            self.state.search.cursor = msg.cursor_row

    # ---- the background pass -----------------------------------------------------------------

    def fill(self) -> None:
        rows = self.state.rows or []
        if any(r.stats is None and r.error is None for r in rows):
            self.stats_worker(list(self.state.visible_rows()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def stats_worker(self, rows: list[SessionInfo]) -> None:
        worker = get_current_worker()
        todo = [r for r in rows if r.stats is None and r.error is None]
        total = len(todo)
        batch: list[SessionInfo] = []
        last = time.monotonic()
        for i, r in enumerate(todo, 1):
            if worker.is_cancelled:
                return
            fill_stats(r)
            batch.append(r)
            now = time.monotonic()
            if now - last >= BATCH_S or i == total:
                last = now
                self.post_message(StatsFilled(batch, i, total))
                batch = []

    def on_stats_filled(self, msg: StatsFilled) -> None:
        self.stats_total = msg.total
        self.state.stats_done = msg.done
        t = self.table
        for r in msg.rows:
            key = str(r.path)
            if key in t.rows:
                for c, cell in zip(COLUMNS, row_cells(r), strict=True):
                    t.update_cell(key, c.key, cell)
        if msg.done == msg.total and COLUMN[self.state.sort].numeric:
            self.rebuild()  # sorted by a column that was still being filled in
        self.update_header()

    # ---- header ------------------------------------------------------------------------------

    def update_header(self) -> None:
        s = self.state
        t = Text(no_wrap=True, overflow="ellipsis", end="")
        t.append(" agentlog-tui ", style="bold #000000 on #5fafff")
        if s.search is not None and s.showing_hits:
            se = s.search
            t.append(" search ", style="bold")
            t.append(visible(se.query.text), style="bold #5fafff")
            t.append(f"  {len(se.hits):,} hits" + (" (stopped there)" if len(se.hits) >= MAX_HITS else ""))
            p = se.progress
            if p is not None:
                if se.done:
                    t.append(f" in {p.files_done:,} sessions", style="dim")
                else:
                    t.append(f"  searching {p.files_done}/{p.files_total} ", style="bold")
                    filled = int(p.fraction * 10)
                    t.append("█" * filled + "░" * (10 - filled), style="#5fafff")
            t.append("  (escape: the list)", style="dim")
        elif s.rows is None:
            t.append(" sessions ", style="bold")
            t.append(" looking for logs…", style="bold")
        else:
            t.append(" sessions ", style="bold")
            shown = len(s.visible_rows())
            n = len(s.rows)
            t.append(f" {shown:,}" + (f" of {n:,}" if shown != n else "") + " sessions")
            if self.discovering:
                t.append("  looking for more…", style="bold")
            if s.filter:
                t.append("  filter: ", style="bold")
                t.append(visible(s.filter), style="bold #5fafff")
            if self.stats_total and s.stats_done < self.stats_total:
                frac = s.stats_done / self.stats_total
                filled = int(frac * 10)
                t.append(f"  analysing {s.stats_done}/{self.stats_total} ", style="bold")
                t.append("█" * filled + "░" * (10 - filled), style="#5fafff")
            t.append(" in " + ", ".join(visible(tilde(p)) for p in s.roots), style="dim")
        self.query_one("#sessions-header", Static).update(t)

    # ---- keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sort_next", "sort_reverse", "filter"):
            return not self.state.showing_hits
        return True

    def action_open(self) -> None:
        if self.prompt_mode is not None:
            return
        if self.state.showing_hits:
            se = self.state.search
            if se is not None and 0 <= self.hits_table.cursor_row < len(se.hits):
                se.cursor = self.hits_table.cursor_row
                h = se.hits[se.cursor]
                self.exit(("open", h.path, h.seq))
            return
        t = self.table
        if t.row_count and 0 <= t.cursor_row < t.row_count:
            key = t.coordinate_to_cell_key((t.cursor_row, 0)).row_key.value
            self.state.cursor_path = Path(key)
            self.exit(("open", Path(key), None))

    def on_data_table_row_selected(self, msg: DataTable.RowSelected) -> None:
        self.action_open()

    def on_data_table_header_selected(self, msg: DataTable.HeaderSelected) -> None:
        if msg.data_table.id != "sessions":
            return
        key = msg.column_key.value
        if key == self.state.sort:
            self.state.reverse = not self.state.reverse
        else:
            self.state.sort = key
            self.state.reverse = COLUMN[key].numeric or key in ("last", "size", "started")
        self.rebuild()
        self.update_header()

    def action_sort_next(self) -> None:
        keys = [c.key for c in COLUMNS]
        key = keys[(keys.index(self.state.sort) + 1) % len(keys)]
        self.state.sort = key
        self.state.reverse = COLUMN[key].numeric or key in ("last", "size", "started")
        self.rebuild()
        self.update_header()
        self.notify(f"sorted by {COLUMN[key].title}", timeout=1.5)

    def action_sort_reverse(self) -> None:
        self.state.reverse = not self.state.reverse
        self.rebuild()
        self.update_header()

    def _prompt(self, mode: str, placeholder: str, value: str) -> None:
        p = self.query_one("#sessions-prompt", Input)
        self.prompt_mode = mode
        p.placeholder = placeholder
        p.value = value
        p.display = True
        p.focus()

    def _hide_prompt(self) -> None:
        p = self.query_one("#sessions-prompt", Input)
        p.display = False
        self.prompt_mode = None
        (self.hits_table if self.state.showing_hits else self.table).focus()

    def action_filter(self) -> None:
        self._prompt("filter", "f: show the sessions whose title, project, format or path holds "
                     "this text (empty: all)", self.state.filter)

    def action_search(self) -> None:
        prev = self.state.search.query.text if self.state.search else ""
        self._prompt("search", "/ search the text of every listed session (prompts, replies, tool "
                     "inputs and outputs); re:PATTERN for a regex", prev)

    def action_back(self) -> None:
        if self.prompt_mode is not None:
            self._hide_prompt()
        elif self.state.showing_hits:
            self.show_hits(False)
        elif self.state.filter:
            self.state.filter = ""
            self.rebuild()
            self.update_header()

    def on_input_submitted(self, msg: Input.Submitted) -> None:
        if msg.input.id != "sessions-prompt":
            return
        mode, value = self.prompt_mode, msg.value
        self._hide_prompt()
        if mode == "filter":
            self.state.filter = value.strip()
            self.rebuild()
            self.update_header()
        elif mode == "search" and value.strip():
            text = value.strip()
            regex = text.startswith("re:")
            try:
                q = Query(text[3:] if regex else text, regex=regex)
            except QueryError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.start_search(q)
