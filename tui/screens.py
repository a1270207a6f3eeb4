"""The key help screen (the dialog that names a file to write is `path_prompt.py`)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = [
    ("j / k, ↓ / ↑", "move the cursor (moving up pauses following)"),
    ("PgUp / PgDn", "a page up or down"),
    ("g / G", "first record / last record (and follow)"),
    (":", "go to an event id (:501) or a line (:L151, as `check` numbers lines)"),
    ("/", "filter: text or regex found in values, not keys (smartcase; empty: clear); n / N next / previous"),
    ("[ / ]", "previous / next resume (opens the Snapshot tab)"),
    ("m", "mark the event under the cursor; the Diff tab compares cursor vs mark"),
    ("h", "hide / show superseded events (the header counts the prompts it hides)"),
    ("t", "kinds: choose the record types shown (c in the dialog: the conversation only)"),
    ("o", "hide / show the records off the live branch (a rewind's abandoned branch)"),
    ("r", "marks relative to the cursor's event / to the head (header: marks @#N)"),
    ("f", "follow the end of the log (live tail) / pause"),
    ("e / E", "next / previous failure: error results, failed calls and events, malformed lines, findings"),
    ("%", "jump between a tool call and its result"),
    ("s", "save the state at the cursor to a JSON file (asks the name; y before replacing a file)"),
    ("y / Y", "copy the selected state value / its path (OSC 52: works over ssh)"),
    ("u", "next record of a kind the log's format does not know (header: ? N unknown kinds)"),
    ("v", "Event tab: readable text and tool inputs / JSON and the raw line"),
    ("+", "show a huge payload whole (the Event tab shows its first ~8 KB; images stay named)"),
    ("c", "compaction review; w then writes the compacted log (asks the name, as s does)"),
    ("1 … 6", "inspector tabs: State, Event, Diff, Snapshot, Compaction, Brief"),
    ("z", "zoom: the inspector gets most of the screen (stacked: 3 timeline rows) / back"),
    ("a", "open the subagent of the Task call at the cursor (its header names the call)"),
    ("escape", "back: to the parent session, or to the session list it was opened from"),
    ("b", "Brief tab: what a fresh executor needs at the cursor's event, items citing events"),
    ("F", "fork: write the log up to the cursor's event to a new file (asks where)"),
    ("ctrl+p", "command palette"),
    ("?", "this help"),
    ("q", "quit"),
]
LEGEND = [
    ("░", "superseded: nothing at the head depends on it (⤳N: overwritten by #N)"),
    ("⎇", "off the live branch: never applied to the state (↱#N: the branch forks at #N)"),
    ("·", "after the cursor's event, when marks are relative to the cursor (r): no mark"),
    ("─", "resume boundary (✓ clean, ⚠ findings)"),
    ("◇", "snapshot event (✓ match, ⚠ drift)"),
    ("✗", "malformed line (the parser's message in red)"),
    ("!", "the projection failed on this event"),
    ("●", "marked event"),
    ("◆", "cursor on the scrubber; ┃ resumes, ◇ snapshots, ✗ malformed; red bar = many superseded"),
]


class HelpScreen(ModalScreen[None]):
    """Keys and the meaning of the timeline's markers."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "close", id="help.close"),
        Binding("j,down", "scroll(1)", "scroll", show=False, id="help.down"),
        Binding("k,up", "scroll(-1)", "scroll", show=False, id="help.up"),
        Binding("space,pagedown", "scroll(10)", "page", show=False, id="help.page_down"),
        Binding("pageup", "scroll(-10)", "page", show=False, id="help.page_up"),
    ]

    def compose(self) -> ComposeResult:
        t = Text(end="")
        t.append("agentlog-tui keys\n\n", style="bold")
        for k, what in HELP:
            t.append(f"  {k:<14}", style="bold #5fafff")
            t.append(what + "\n")
        t.append("\nmarkers\n\n", style="bold")
        for k, what in LEGEND:
            t.append(f"  {k:<3}", style="bold")
            t.append(what + "\n")
        t.append("\nj/k or ↓/↑ scroll · escape closes", style="dim")
        with VerticalScroll(id="help-box"):
            yield Static(t, id="help-text")

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_relative(y=lines, animate=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
