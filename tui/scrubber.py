"""The scrubber: the whole log as one bar, with the cursor and the places worth a look."""

from __future__ import annotations

import bisect
from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from agentlog_tui.tui.model import Derived, LogModel

SHADES = ("#3a5a3a", "#5a5a3a", "#6a4a2a", "#7a3a2a")  # superseded density, low -> high


@lru_cache(maxsize=64)
def _style(spec: str) -> Style:
    return Style.parse(spec)


class Scrubber(Widget):
    """A one-line map of the log; clicking jumps there."""

    class Jump(Message):
        """The user clicked the bar at `line`."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    def __init__(self, model: LogModel, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.derived = Derived()
        self.cursor_line = 0
        self._cells: list[tuple[str, str]] | None = None
        self._cells_key: tuple | None = None
        self._cells_real = False  # the cells were built from the analysed log, not a placeholder
        self._strip: Strip | None = None  # the bar as drawn last, for (cells, cursor, style)
        self._strip_key: tuple | None = None

    @property
    def drawn(self) -> bool:
        """The last render drew the analysed log at this width (not a placeholder while busy)."""
        key = (self.size.width, self.model.n_lines, self.model.a.n_lines)
        return self._cells is not None and self._cells_real and self._cells_key == key

    def update_view(self, derived: Derived | None = None, cursor_line: int | None = None) -> None:
        if derived is not None:
            self.derived = derived
            self._cells = None
            self._strip = None
        if cursor_line is not None:
            self.cursor_line = cursor_line
        self.refresh()

    def _line_to_x(self, line: int, width: int, n: int) -> int:
        return min(width - 1, line * width // max(n, 1))

    def _build_cells(self, width: int) -> list[tuple[str, str]]:
        """Per cell: character and style, without the cursor (cached until data changes)."""
        model, d = self.model, self.derived
        a = model.a
        n = max(model.n_lines, 1)
        cells: list[tuple[str, str]] = [("━", "#4a4a4a")] * width
        sup = d.superseded
        if len(sup):
            counts = [0] * width
            totals = [0] * width
            ev_lines, line_pos = a.event_lines, a.line_pos
            if n <= width:  # fewer lines than cells: each cell shows the line under it
                for x in range(width):
                    line = x * n // width
                    p = line_pos[line] if line < len(line_pos) else -1
                    if 0 <= p < len(sup):
                        totals[x] = 1
                        counts[x] = sup[p]
            else:
                # events are in file order (event_lines increases), so the events of a cell
                # are one range of positions: bisect its ends and count its flags in C, not
                # one Python step per event (~180 ms a refresh at 1M events)
                n_pos = min(len(sup), len(ev_lines))
                lo = 0
                for x in range(width):
                    if x < width - 1:  # up to the first line of cell x + 1 (_line_to_x)
                        hi = bisect.bisect_left(ev_lines, -(-(x + 1) * n // width), lo, n_pos)
                    else:  # the last cell takes the rest
                        hi = n_pos
                    if hi > lo:
                        totals[x] = hi - lo
                        counts[x] = sup.count(1, lo, hi)
                    lo = hi
            for x in range(width):
                if totals[x]:
                    frac = counts[x] / totals[x]
                    if frac == 0:
                        cells[x] = ("━", "#5f875f")
                    else:
                        cells[x] = ("━", SHADES[min(3, int(frac * 4))])
        for m in a.malformed:
            cells[self._line_to_x(m.line - 1, width, n)] = ("✗", "bold red")
        for p in a.snapshot_positions:
            if p < len(a.event_lines):
                rep = d.snapshots.get(p)
                style = "bold yellow" if rep is not None and rep.verdict != "match" else "bold cyan"
                cells[self._line_to_x(a.event_lines[p], width, n)] = ("◇", style)
        for p in a.boundaries:
            if p < len(a.event_lines):
                cells[self._line_to_x(a.event_lines[p], width, n)] = ("┃", "bold yellow")
        return cells

    def render_line(self, y: int) -> Strip:
        """The bar as one strip, a segment per cell, kept until the cells or the cursor change
        (the live tail redraws the bar at every update: a Rich Text of a styled span per cell,
        turned into Textual content at every draw, cost ~15 ms)."""
        width = self.size.width
        base = self.rich_style
        if y != 0 or width <= 0:
            return Strip.blank(max(width, 0), base)
        model = self.model
        key = (width, model.n_lines, model.a.n_lines)
        if self._cells is None or self._cells_key != key:
            self._strip = None
            if not model.analysed:
                self._cells = [("━", "#4a4a4a")] * width
                self._cells_key = key
                self._cells_real = False
            elif model.lock.acquire(timeout=0.02):
                try:
                    self._cells = self._build_cells(width)
                    self._cells_key = key
                    self._cells_real = True
                finally:
                    model.lock.release()
            else:  # a worker is busy: draw what we had and try again shortly
                if self._cells is None or len(self._cells) != width:
                    self._cells = [("━", "#4a4a4a")] * width
                    self._cells_real = False
                self.set_timer(0.25, self.refresh)
        cx = self._line_to_x(self.cursor_line, width, max(model.n_lines, 1))
        skey = (id(self._cells), cx, base)
        if self._strip is not None and self._strip_key == skey:
            return self._strip
        segments = [Segment(ch, base + _style(style)) for ch, style in self._cells]
        if 0 <= cx < len(segments):
            segments[cx] = Segment("◆", base + _style("bold white"))
        self._strip = Strip(segments, width)
        self._strip_key = skey
        return self._strip

    def on_click(self, event) -> None:
        width = self.size.width
        if width <= 0:
            return
        n = self.model.n_lines
        line = min(n - 1, int(event.x * n / width)) if n else 0
        self.post_message(self.Jump(max(line, 0)))
