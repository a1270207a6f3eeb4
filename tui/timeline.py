"""The timeline: one row per physical line of the log, drawn with the Line API.

Rows are rendered on demand in `render_line` and kept in an LRU cache, so a log of a million
lines scrolls as fast as a log of ten. The timeline gets its data from its parent (the model, the
derived marks, an optional list of visible lines) and reports cursor moves with a message.
"""

from __future__ import annotations

from array import array
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from agentlog_tui.core.events import Event, Malformed, PendingTail
from agentlog_tui.tui.branches_view import BRANCH_GLYPH, branch_forks
from agentlog_tui.tui.matching import highlight
from agentlog_tui.tui.model import Derived, LogModel, Row
from agentlog_tui.tui.text import clock, entity_colour, literal, raw_text, visible

CURSOR = Style(bgcolor="#2a4a6e", bold=False)
CURSOR_BLUR = Style(bgcolor="#3a3a3a")
MARKED = Style(bgcolor="#4a3a1a")
NARROW = 56  # below this many cells a row leaves out the time, so the type is readable


def _over(strip: Strip, style: Style) -> Strip:
    """The strip with `style` laid over every segment (a row highlight wins over the row's bg)."""
    return Strip(Segment.apply_style(iter(strip), post_style=style), strip.cell_length)


class Timeline(ScrollView, can_focus=True):
    """The scrolling list of records with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k,up", "cursor(-1)", "Up", show=False, id="timeline.up"),
        Binding("j,down", "cursor(1)", "move", key_display="j/k", id="timeline.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="timeline.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="timeline.page_down"),
        Binding("g,home", "first", "First", show=False, id="timeline.first"),
        Binding("G,end", "last", "Last (follow)", show=False, id="timeline.last"),
    ]

    class CursorMoved(Message):
        """The cursor is on another line (`user`: moved by a key or click, not by following)."""

        def __init__(self, line: int, user: bool) -> None:
            super().__init__()
            self.line = line
            self.user = user

    def __init__(self, model: LogModel, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.derived = Derived()
        self.rows: array | None = None  # visible lines when filtered or hiding; None: all lines
        self.cursor = 0  # index into the visible rows
        self.marked_line: int | None = None
        self.calls: Any = None  # tui/calls.py CallIndex: names the call a result answers
        self.highlight: Any = None  # the filter's pattern (tui/matching.py): matches marked
        # drawn rows, keyed by line, width and everything the row shows besides its record
        # (`_decor`), so that a tail update redraws only the rows whose marks changed
        self._cache: LRUCache[tuple, Strip] = LRUCache(2048)
        # records of lines the analysis has finished with (they change only on a reload)
        self._records: LRUCache[int, Row] = LRUCache(2048)
        self._tracker: Any = None  # the analysis' tracker when the records were read
        self._gen = 0  # bumped at every data change: rows not final are drawn afresh
        self._id_width = 4
        self._missed = False  # a row could not be read (a worker held the lock): redraw later
        self.rows_read = 0  # records read from the model (work counters, for tests)
        self.rows_built = 0  # rows composed and rendered to strips
        self.rows_missed = 0  # rows drawn as a placeholder (the model's lock was busy)
        self.layouts_skipped = 0  # growths that did not lay out the screen

    # ---- data from the parent --------------------------------------------------------------

    @property
    def n_rows(self) -> int:
        return len(self.rows) if self.rows is not None else self.model.n_lines

    def line_of(self, row: int) -> int:
        return self.rows[row] if self.rows is not None else row

    def row_of_line(self, line: int) -> int | None:
        """The row showing `line`, or the nearest row before it; None when there are no rows."""
        if self.n_rows == 0:
            return None
        if self.rows is None:
            return min(line, self.n_rows - 1)
        import bisect

        i = bisect.bisect_right(self.rows, line) - 1
        return max(i, 0)

    @property
    def cursor_line(self) -> int | None:
        return self.line_of(self.cursor) if 0 <= self.cursor < self.n_rows else None

    def invalidate(self) -> None:
        """Forget rendered rows (data changed) and recompute the virtual size."""
        self._cache.clear()
        self._records.clear()
        self._tracker = self.model.a.tracker
        self.refresh_data()

    def refresh_data(self) -> None:
        """The log grew or its marks changed (live tail): recompute the virtual size and
        redraw. Rows whose record and marks are unchanged are not read or rendered again (the
        cache key holds what a row shows); a reload (a new tracker) forgets every row."""
        if self.model.a.tracker is not self._tracker:
            self._cache.clear()
            self._records.clear()
            self._tracker = self.model.a.tracker
        self._gen += 1
        seqs = self.model.a.seqs
        if len(seqs):
            self._id_width = max(4, len(str(seqs[-1])) + 1)
        self._set_height(self.n_rows)
        self.cursor = max(0, min(self.cursor, self.n_rows - 1))
        self.refresh()

    def _set_height(self, rows: int) -> None:
        """Set the virtual height. Setting `virtual_size` lays out the whole screen (footer,
        inspector, tabs: ~20 ms), which a live tail would pay at every update; when the
        scrollbar is already shown and stays (the log grew), only it is brought up to date."""
        size = Size(self.size.width, rows)
        old = self.virtual_size
        if size == old:
            return
        h = self.scrollable_content_region.height
        if (old.width == size.width and self.show_vertical_scrollbar and h
                and rows > h and old.height > h):
            self.set_reactive(Timeline.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = rows
            self.vertical_scrollbar.refresh()
            self.layouts_skipped += 1
            return
        self.virtual_size = size

    def set_rows(self, rows: array | None, keep_line: int | None) -> None:
        """Show only `rows` (lines), keeping the cursor on (or near) `keep_line`."""
        self.rows = rows
        self.invalidate()
        r = self.row_of_line(keep_line) if keep_line is not None else None
        self.move_to(r if r is not None else 0, user=False)

    # ---- cursor ----------------------------------------------------------------------------

    def move_to(self, row: int, user: bool = True, center: bool = False) -> None:
        n = self.n_rows
        row = max(0, min(row, n - 1)) if n else 0
        old = self.cursor
        self.cursor = row
        self._scroll_to_cursor(center)
        if old != row:
            self._refresh_row(old)
        self._refresh_row(row)
        line = self.cursor_line
        if line is not None:
            self.post_message(self.CursorMoved(line, user))

    def move_to_line(self, line: int, user: bool = True) -> None:
        """Jump to a line (centred in the view when it was off screen)."""
        r = self.row_of_line(line)
        if r is not None:
            self.move_to(r, user, center=True)

    def _refresh_row(self, row: int) -> None:
        y = row - round(self.scroll_offset.y)
        if 0 <= y < self.size.height:
            self.refresh_line(y)

    def _scroll_to_cursor(self, center: bool = False) -> None:
        h = self.scrollable_content_region.height or self.size.height or 1
        top = round(self.scroll_offset.y)
        if center and not (top <= self.cursor < top + h):
            self.scroll_to(y=max(0, self.cursor - h // 2), animate=False, immediate=True)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + h:
            self.scroll_to(y=self.cursor - h + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        h = max(1, self.scrollable_content_region.height - 1)
        self.move_to(self.cursor + direction * h)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.n_rows - 1)

    def on_click(self, event) -> None:
        row = round(self.scroll_offset.y) + event.y
        if 0 <= row < self.n_rows:
            self.move_to(row)

    def on_mount(self) -> None:
        self.set_interval(0.25, self._redraw_missed)

    def _redraw_missed(self) -> None:
        if self._missed:
            self._missed = False
            self.refresh()

    def on_resize(self) -> None:
        self.invalidate()
        self._scroll_to_cursor()

    def on_focus(self) -> None:
        self._refresh_row(self.cursor)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor)

    # ---- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        row = round(self.scroll_offset.y) + y
        if row >= self.n_rows or width <= 0:
            return Strip.blank(width, self.rich_style)
        line = self.line_of(row)
        r, final = self._row(line)
        deco = self._decor(line, r, width, final)
        key = (line, width, deco)
        strip = self._cache.get(key)
        if strip is None:
            self.rows_built += 1
            text = highlight(self._row_markup(line, r, width, deco), self.highlight)
            segments = list(text.render(self.app.console))
            strip = Strip(segments).extend_cell_length(width).crop(0, width)
            strip = strip.apply_style(self.rich_style)
            if r is None:
                self._missed = True
                self.rows_missed += 1
            else:
                self._cache[key] = strip
        if row == self.cursor:
            strip = _over(strip, CURSOR if self.has_focus else CURSOR_BLUR)
        elif line == self.marked_line:
            strip = _over(strip, MARKED)
        return strip

    def _row(self, line: int) -> tuple[Row | None, bool]:
        """The record on `line` (None while a worker holds the model's lock) and whether it is
        final: analysed and complete, so it stays the same until a reload."""
        r = self._records.get(line)
        if r is not None:
            return r, True
        model = self.model
        r = model.row(line, wait=0.02)
        self.rows_read += 1
        a = model.a
        final = (r is not None and model.analysed and line < a.lines_done
                 and a.tracker is self._tracker)
        if final:
            self._records[line] = r
        return r, final

    def _decor(self, line: int, r: Row | None, width: int, final: bool) -> tuple | None:
        """Everything a row shows besides its record: marks, tags, the call it answers. Read
        from memory only (no lock, no file), for every row drawn: the cache key."""
        if r is None:
            return None
        idw = self._id_width
        rec = r.record
        if not isinstance(rec, Event):
            # a malformed line's text is its record's; a pending or blank one may change
            return (idw, 0 if final else self._gen)
        a = self.model.a
        d = self.derived
        pos = r.pos
        marker, mstyle = "  ", ""
        dim = False
        tag: tuple = ()  # (text, style, as the Text's base style rather than a span)
        failed = a.failed.get(pos) if pos >= 0 else None
        if d.at is not None and pos > d.at:  # after the position the marks are relative to
            marker, mstyle = "· ", "#6c6c6c"
        elif pos >= 0 and pos < len(d.superseded) and d.superseded[pos]:
            dim = True
            marker, mstyle = "░ ", "#808080"
            reason = d.marks.reason(pos) if d.marks is not None else ""
            if reason == "overwritten":
                by = d.marks.superseded_by(pos)
                tag = (f"⤳{by[0]}" if by else "⤳", "#a0a0a0", False)
            elif reason == "no_effect":
                tag = ("no effect", "#808080", False)
        tree = a.tree
        if tree is not None and pos in tree.off:  # off the live branch (core/branches.py)
            dim = True
            marker, mstyle = BRANCH_GLYPH, "#d7afff"
            fork = branch_forks(a).get(pos, False)
            if fork is not False:
                label = (f"↱ forks at #{fork}" if width >= 100 else f"↱#{fork}") \
                    if fork is not None else "↱ branch"
                tag = (label, "#d7afff", True)
            else:
                tag = ("off branch", "#af87d7", True)
        boundary = a.boundaries.get(pos) if pos >= 0 else None
        if boundary is not None:
            marker, mstyle = "─ ", "bold yellow"
            rep = d.resumes.get(pos)
            if rep is not None:
                if rep.findings:
                    tag = (f"⚠ {rep.findings}", "bold yellow", True)
                else:
                    tag = ("✓", "green", True)
        elif a.format.is_snapshot(rec):
            marker, mstyle = "◇ ", "bold cyan"
            rep = d.snapshots.get(pos)
            if rep is not None:
                if rep.verdict == "match":
                    tag = ("✓ match", "green", True)
                else:
                    tag = (f"⚠ drift {len(rep.differences)}", "bold yellow", True)
        if failed is not None:
            marker, mstyle = "! ", "bold red"
            tag = ("failed", "bold red", True)
        if line == self.marked_line:
            marker, mstyle = "● ", "bold magenta"
        calls = self.calls
        call = calls.answers(line) if calls is not None else None
        error = calls is not None and line in calls.failures
        return (idw, 0 if final else self._gen, marker, mstyle, dim, tag, failed, call, error)

    def row_text(self, line: int, width: int) -> Text:
        """The text of one row (id, time, type, summary, markers)."""
        r, final = self._row(line)
        return self._row_markup(line, r, width, self._decor(line, r, width, final))

    def _row_markup(self, line: int, r: Row | None, width: int, deco: tuple | None) -> Text:
        """The row's text from its record and `_decor`."""
        idw = self._id_width
        t = Text(no_wrap=True, overflow="ellipsis", end="")
        if r is None:  # busy (or gone): a placeholder, not cached
            t.append("…", style="dim")
            return t
        rec = r.record
        if isinstance(rec, Malformed):
            t.append("✗ ", style="bold red")
            t.append(f"L{rec.line}".rjust(idw), style="red")
            t.append(" " + " " * 8 + " ")
            t.append("malformed".ljust(20)[:20], style="bold red")
            t.append(" ")
            t.append(literal(rec.error, "red"))
            t.append("  ")
            t.append(literal(raw_text(rec.raw[:200]), "dim red"))
            t.truncate(width)
            return t
        if isinstance(rec, PendingTail):
            t.append("… ", style="yellow")
            t.append(f"L{rec.line}".rjust(idw), style="yellow dim")
            t.append(" " + " " * 8 + " ")
            t.append("pending".ljust(20), style="yellow")
            t.append(" ")
            t.append(f"half-written line ({len(rec.raw)} bytes), waiting for its end", "dim")
            t.truncate(width)
            return t
        if not isinstance(rec, Event):
            t.append("  " + "".rjust(idw) + " " * 10, style="dim")
            t.append("(blank line)", style="dim")
            return t
        assert deco is not None
        _idw, _gen, marker, mstyle, dim, tag_spec, failed, call, error = deco
        if not tag_spec:
            tag = Text(end="")
        elif tag_spec[2]:
            tag = Text(tag_spec[0], style=tag_spec[1], end="")
        else:
            tag = Text(end="")
            tag.append(tag_spec[0], style=tag_spec[1])
        t.append(marker, style=mstyle)
        t.append(visible(str(rec.seq)).rjust(idw), style="bold" if not dim else "")
        t.append(" ")
        if width >= NARROW:
            t.append(clock(rec.ts), style="#8a8a8a")
            t.append(" ")
            tw = max(10, min(24, (width - idw - 12) // 2))
        else:  # the type tells events apart; the time is in the Event tab
            tw = max(10, min(24, (width - idw - 3) // 2))
        typ = visible(rec.type)
        if len(typ) > tw:
            typ = typ[: tw - 1] + "…"
        t.append(typ.ljust(tw), style=entity_colour(rec.type))
        t.append(" ")
        try:
            summary = self.model.a.format.summary(rec)
        except Exception as exc:  # noqa: BLE001 - a format bug must not break drawing
            summary = f"(summary failed: {exc})"
        room = width - t.cell_len - (tag.cell_len + 1 if tag.cell_len else 0)
        s = Text(end="")
        if call is not None:  # a result names the call it answers
            s.append(literal(f"↳ {call} → ", "#87afd7"))
        s.append(literal(summary, "#ff5f5f" if error else ""))
        if failed is not None:
            s = literal(failed, "red")
        s.truncate(max(room, 0), overflow="ellipsis")
        t.append(s)
        if tag.cell_len:
            pad = width - t.cell_len - tag.cell_len
            t.append(" " * max(pad, 1))
            t.append(tag)
        if dim:
            t.stylize("dim")
        t.truncate(width)
        return t
