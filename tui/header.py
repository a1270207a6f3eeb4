"""The header row: file, event count, live/paused, integrity, superseded, filter, progress.

`AppHeader` is the widget; `HeaderFeature.update_header()` builds its parts from the app's state.
A feature that wants something in the header adds a part here, with a priority (the lowest is
left out first when the row is too narrow).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from agentlog_tui.tui.branches_view import BRANCH_GLYPH
from agentlog_tui.tui.model import Derived
from agentlog_tui.tui.text import visible


class AppHeader(Static):
    """File, event count, live/paused, integrity, progress, in one row: what does not fit the
    width is left out, least important first (then the rest is cut with an ellipsis)."""

    KEEP = 8  # parts of this priority or more (file, warning, progress) are never left out
    MIN_NAME = 16  # the file name is shortened to this many cells before any part is left out

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._parts: list[tuple[int, Text]] = []
        self._name: str = ""
        self._shown: Text | None = None

    def show(self, parts: list[tuple[int, Text]], name: str = "") -> None:
        """`parts` in order; `name` (the file name) is put where a part's text is "\0name"."""
        self._parts = parts
        self._name = name
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Fit the row: leave out the badge, then shorten the file name (to MIN_NAME cells,
        cut in the middle), then leave out parts, least important first."""
        width = self.size.width
        parts = list(self._parts)
        name = self._name

        def total() -> int:  # "\0name" stands for the name (its NUL takes no cell)
            return sum(t.cell_len for _, t in parts) - _NAME_CELLS + len(name)

        if width:  # 0: not laid out yet (a resize comes)
            while total() > width and any(p == 0 for p, _ in parts):
                del parts[next(i for i, (p, _) in enumerate(parts) if p == 0)]
            if total() > width and len(name) > self.MIN_NAME:
                name = middle_cut(name, max(self.MIN_NAME, len(name) - (total() - width)))
            while total() > width:
                droppable = [p for p, _ in parts if p < self.KEEP]
                if not droppable:
                    break
                low = min(droppable)
                drop = max(i for i, (p, _) in enumerate(parts) if p == low)  # the rightmost
                del parts[drop]
        t = Text(no_wrap=True, overflow="ellipsis", end="")
        for _, piece in parts:
            t.append_text(_with_name(piece, name))
        if t == self._shown:
            return  # the live tail updates the header ~10 times a second, mostly unchanged
        self._shown = t
        self.update(t, layout=False)  # one row (app.tcss): a new text never changes its size


_NAME_CELLS = Text("\0name").cell_len  # what the name's placeholder counts for in a part


def middle_cut(s: str, width: int) -> str:
    """`s` cut in the middle to `width` characters: 'fa812bfe-b2…cb46.jsonl'."""
    if len(s) <= width:
        return s
    tail = (width - 1) // 2
    return s[: width - 1 - tail] + "…" + s[len(s) - tail:]


def _with_name(t: Text, name: str) -> Text:
    if "\0name" not in t.plain:
        return t
    out = t.copy()
    start = out.plain.index("\0name")
    return Text.assemble(out[:start], (name, "bold"), out[start + len("\0name"):], end="")


class HeaderFeature:
    """Builds the header from the app's state (mixed into `AgentlogApp`)."""

    def update_header(self) -> None:
        m = self.model
        d = self.timeline.derived
        parts: list[tuple[int, Text]] = []  # (priority: the lowest is left out first, text)

        def add(priority: int, *pieces: tuple[str, str]) -> None:
            t = Text(end="")
            for text, style in pieces:
                t.append(text, style=style)
            parts.append((priority, t))

        add(0, (" agentlog-tui ", "bold #000000 on #5fafff"), (" ", ""))
        add(9, (" ", ""), ("\0name", "bold"))
        n_events = m.a.n_events if m.analysed else None
        if n_events is not None:
            add(4, (f"  {n_events:,} events", ""))
        else:
            add(4, (f"  {m.n_lines:,} lines", ""))
        parts.extend(self.source_header_parts())  # a JSON document; unknown kinds (log_source.py)
        if not self.is_live_log():
            pass  # read whole, not tailed: the part above says so
        elif self.following:
            add(6, ("  ● live", "bold green"))
        else:
            add(6, ("  ❚❚ paused", "bold yellow"))
        if m.analysed:
            # what `check` counts (tui/audit.py); the engine's own count until it has run
            findings = self.audit_count
            if findings is None:
                findings = d.problems + d.findings
            if findings:
                add(3, (f"  ⚠ {findings} finding{'s' if findings != 1 else ''}", "bold yellow"))
            else:
                add(3, ("  ✓ integrity", "green"))
            if d.drift:  # snapshots that disagree with a replay (`diff`), not `check`'s
                add(1, (f"  ◇ {d.drift} drift", "bold yellow"))
            if d.marks is not None:
                add(2, (f"  ░ {d.n_superseded:,} superseded", "#a0a0a0"))
            if self.marks_at_cursor:
                add(6, (f"  marks @{self._marks_at_label(d)}", "bold #d7afff"))
        tree = m.a.tree if m.analysed else None
        if tree is not None and tree.off:
            n = len(tree.branches())
            add(5, (f"  {BRANCH_GLYPH}{n} branch{'es' if n > 1 else ''} off", "#d7afff"))
        if self.hide_superseded or self.hide_branches:
            n = self.hidden_prompts  # prompts hidden by `h` (tui/navigation.py compute_rows)
            add(5, ("  (hidden" + (f", {n} prompt{'s' if n != 1 else ''}" if n else "") + ")",
                    "bold yellow" if n else "#a0a0a0"))
        if self.hidden_kinds:  # tui/kinds.py
            add(5, (f"  kinds: {len(self.hidden_kinds)} hidden", "#a0a0a0"))
        if self.filter_query is not None:
            add(7, ("  filter: ", "bold"), (visible(self.filter_query), "bold #5fafff"),
                (f" ({self.filter_matches})", ""))
        tl = self.timeline
        if tl.marked_line is not None:
            rec = m.row(tl.marked_line)
            seq = getattr(rec.record, "seq", None) if rec else None
            add(5, (f"  ● marked #{seq}", "bold magenta"))
        if self.warning:
            add(8, ("  ⚠ ", "bold red"), (visible(self.warning), "bold red"))
        if self.progress is not None:
            phase, frac = self.progress
            filled = int(frac * 10)
            add(8, (f"  {phase} ", "bold"), ("█" * filled + "░" * (10 - filled), "#5fafff"),
                (f" {frac * 100:.0f}%", ""))
        self.query_one(AppHeader).show(parts, visible(self.log_name))

    def _marks_at_label(self, d: Derived) -> str:
        """'#5' for marks relative to event #5 ('start' before the first event)."""
        if d.at is None:
            return "cursor…"  # asked for, not computed yet
        seqs = self.model.a.seqs
        if 0 <= d.at < len(seqs):
            return f"#{seqs[d.at]}"
        return "start"
