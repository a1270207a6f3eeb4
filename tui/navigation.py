"""Navigation and filtering: `:` go to, `/` filter, `n`/`N` matches, `h` hide superseded.

Owns the prompt line at the bottom (`#prompt`, one Input shared by `:` and `/`; a new prompt
mode is a new `mode` string in `_show_prompt` and a branch in `on_input_submitted`), and the
rows worker that computes which log lines the timeline shows for a filter / hide combination.
A new way of choosing the visible rows (a kind filter...) goes in `compute_rows`.
"""

from __future__ import annotations

from array import array
from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input
from textual.worker import get_current_worker

from agentlog_tui.tui.features import while_mounted
from agentlog_tui.tui.kinds import PROMPT_TYPES
from agentlog_tui.tui.matching import compile_query, may_match, record_matches
from agentlog_tui.tui.model import Derived


class RowsReady(Message):
    """The visible rows for a filter / hide combination."""

    def __init__(self, rows: array | None, keep_line: int | None, matches: int,
                 hidden_prompts: int = 0) -> None:
        super().__init__()
        self.rows = rows
        self.keep_line = keep_line
        self.matches = matches
        self.hidden_prompts = hidden_prompts  # prompts that `h` hides (counted in the header)



class NavigationFeature:
    """Go to, filter, matches, hide superseded (mixed into `AgentlogApp`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: handled as the app reads the key, before the keys typed after it are routed
        # (else `:501` typed at full speed sends `501` to the timeline); off while a prompt or
        # a dialog has the keys (see `_can_goto`)
        Binding("colon", "goto", "go to", key_display=":", id="goto", priority=True),
        Binding("slash", "filter", "filter", key_display="/", id="filter", priority=True),
        Binding("n", "next_match", "next", id="next_match"),
        Binding("N", "prev_match", "prev", id="prev_match"),
        Binding("h", "hide_superseded", "hide superseded", id="hide_superseded"),
        Binding("escape", "cancel", "cancel", show=False, id="cancel"),
    ]

    def _init_navigation(self) -> None:
        self.filter_query: str | None = None
        self.filter_matches = 0
        self.hidden_prompts = 0
        self.hide_superseded = False
        self.prompt_mode: str | None = None

    def _can_goto(self) -> bool:  # they read the analysis: wait for the first pass
        if self.prompt_mode is not None or len(self.screen_stack) > 1:
            return False  # the key is text for the prompt or the dialog
        return self.model.analysed

    _can_filter = _can_goto

    def _can_next_match(self) -> bool:
        return self.filter_query is not None

    _can_prev_match = _can_next_match

    def _why_not_next_match(self) -> str:
        return "no filter: / filters first"

    _why_not_prev_match = _why_not_next_match

    def _can_hide_superseded(self) -> bool:
        d = self.timeline.derived if self.is_mounted else Derived()
        return d.marks is not None

    def action_first(self) -> None:
        self.timeline.action_first()

    def action_last(self) -> None:
        self.timeline.action_last()

    def _show_prompt(self, mode: str, placeholder: str, value: str = "") -> None:
        prompt = self.query_one("#prompt", Input)
        self.prompt_mode = mode
        prompt.placeholder = placeholder
        prompt.value = value
        prompt.display = True
        # focus now, not after a refresh: keys already queued behind this one (`:501` typed at
        # full speed) must reach the prompt, not the timeline
        self.set_focus(prompt, scroll_visible=False)

    def action_goto(self) -> None:
        self._show_prompt("goto", ": event id, or L and a line number (L151), then Enter")

    def action_filter(self) -> None:
        self._show_prompt("filter", "/ text or regex found in values, then Enter (empty clears)",
                          self.filter_query or "")

    def _hide_prompt(self) -> None:
        prompt = self.query_one("#prompt", Input)
        prompt.display = False
        self.prompt_mode = None
        self.timeline.focus()

    def action_cancel(self) -> None:
        if self.prompt_mode is not None:
            self._hide_prompt()
        elif self.filter_query is not None:
            self.filter_query = None
            self.recompute_rows(self.timeline.cursor_line)

    def on_input_submitted(self, msg: Input.Submitted) -> None:
        if msg.input.id != "prompt":
            return
        mode = self.prompt_mode
        value = msg.value.strip()
        self._hide_prompt()
        if mode == "goto":
            self.goto_id(value)
        elif mode == "filter":
            self.filter_query = value or None
            self.recompute_rows(self.timeline.cursor_line, jump_first=bool(value))
            self.refresh_bindings()

    def goto_id(self, value: str) -> None:
        """`:501` goes to event #501, `:L151` to line 151 (as `check` numbers lines); an id no
        event has but a line has goes to that line. A toast says which it went to."""
        text = value.strip().lstrip("#")
        as_line = text[:1] in ("L", "l")
        try:
            n = int(text[1:] if as_line else text)
        except ValueError:
            self.notify(f"not an event id or line (L151): {value!r}", severity="warning",
                        markup=False)
            return
        m = self.model
        line = None
        if not as_line:
            with m.lock:
                pos = m.a.pos_of_seq(n)
                line = m.a.event_lines[pos] if pos is not None else None
            if line is not None:  # the row under the cursor says #n: no toast
                self._reveal_line(line)
                return
        if not 1 <= n <= m.n_lines:
            what = f"line {n}" if as_line else f"event #{n}"
            self.notify(f"no {what} in this log ({m.n_lines:,} lines)", severity="warning",
                        markup=False)
            return
        self._reveal_line(n - 1)
        row = m.row(n - 1)
        seq = getattr(row.record, "seq", None) if row is not None else None
        here = f"event #{seq}" if seq is not None else "no event on it"
        prefix = "" if as_line else f"no event #{n}: went to "
        self.notify(f"{prefix}line {n} ({here})", timeout=3, markup=False)

    def _reveal_line(self, line: int) -> None:
        """Move the cursor to `line`, showing every row first if the filter or hiding hides it."""
        tl = self.timeline
        if tl.rows is not None and line not in set(tl.rows):
            self.filter_query = None
            self.hide_superseded = False
            self.hide_branches = False
            tl.set_rows(None, line)
        tl.move_to_line(line)

    def recompute_rows(self, keep_line: int | None, jump_first: bool = False) -> None:
        d = self.timeline.derived
        # with marks at the cursor, the event they are relative to stays in view (else hiding
        # it would move the cursor, and with it the marks)
        pin = d.at if d.at is not None and d.at >= 0 else None
        hide, sup = self.hide_superseded, d.superseded
        if getattr(self, "hide_branches", False):  # tui/branches_view.py
            hide, sup = True, self.branch_hidden(sup if hide else None)
        kinds = self.hidden_type_ids() if self.hidden_kinds else frozenset()  # tui/kinds.py
        self.compute_rows(self.filter_query, hide, keep_line, jump_first, sup, pin, kinds)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rows")
    def compute_rows(self, query: str | None, hide: bool, keep_line: int | None,
                     jump_first: bool, sup: bytearray, pin: int | None,
                     hidden_types: frozenset[int] = frozenset()) -> None:
        model = self.model
        if query is None and not hide and not hidden_types:
            self.post_message(RowsReady(None, keep_line, 0))
            return
        prompts = 0
        pattern = compile_query(query) if query else None
        rows = array("q")
        worker = get_current_worker()
        with model.lock:
            a = model.a
            kinds, line_pos, log, type_ids = a.kinds, a.line_pos, a.log, a.type_ids
            prompt_ids = {i for i, t in enumerate(a.types) if t in PROMPT_TYPES}
            for i in range(a.n_lines):
                if i % 50000 == 0 and worker.is_cancelled:
                    return
                if hidden_types and kinds[i] != 1:
                    p = line_pos[i]
                    if p >= 0 and type_ids[p] in hidden_types and p != pin:
                        continue
                if hide and kinds[i] != 1:  # malformed lines always stay visible
                    p = line_pos[i]
                    if p < 0 or (p < len(sup) and sup[p] and p != pin):
                        if p >= 0 and type_ids[p] in prompt_ids:
                            prompts += 1
                        continue
                if pattern is not None:
                    try:
                        raw = log.line_bytes(i)
                    except IndexError:
                        continue
                    if not may_match(pattern, raw):
                        continue
                    try:
                        rec = a.record(i)
                    except (IndexError, ValueError, OSError):
                        continue
                    if not record_matches(pattern, rec, raw):
                        continue
                rows.append(i)
        if jump_first and len(rows):
            keep_line = rows[0] if keep_line is None else keep_line
        self.post_message(RowsReady(rows, keep_line, len(rows), prompts))

    @while_mounted
    def on_rows_ready(self, msg: RowsReady) -> None:
        tl = self.timeline
        pattern = compile_query(self.filter_query) if self.filter_query else None
        tl.highlight = pattern
        self.inspector.highlight = pattern
        self.filter_matches = msg.matches
        self.hidden_prompts = msg.hidden_prompts
        tl.set_rows(msg.rows, msg.keep_line)
        if self.following:
            tl.move_to(tl.n_rows - 1, user=False)
        if msg.rows is not None and not len(msg.rows):
            self.notify("no records match", severity="warning")
        self.update_header()
        self.refresh_bindings()

    def action_next_match(self) -> None:
        self.timeline.move_to(self.timeline.cursor + 1)

    def action_prev_match(self) -> None:
        self.timeline.move_to(self.timeline.cursor - 1)

    def action_hide_superseded(self) -> None:
        self.hide_superseded = not self.hide_superseded
        self.recompute_rows(self.timeline.cursor_line)
        self.update_header()

