"""Brief and fork in the app: the Brief tab (`b`) shows the brief at the cursor's event; `F`
forks the log at the cursor's event into a new file (`core/fork.py`).

The brief is computed by a worker only while the Brief tab is shown (on each inspection, so it
follows the cursor); nothing is computed for a hidden tab.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static, TabbedContent

from agentlog_tui.tui.features import while_mounted
from agentlog_tui.tui.path_prompt import ask_path, resolve, safe_name
from agentlog_tui.tui.text import visible

BRIEF_TAB = "tab-brief"
AGENT_DIRS = ("~/.claude", "~/.codex")


class BriefView(VerticalScroll):
    """The Brief tab's content: the brief's lines, citations dimmed."""

    def compose(self):
        yield Static(Text("the brief of the cursor's event (b)", style="dim"), id="brief-text")

    def show_lines(self, lines: list[str]) -> None:
        t = Text(end="")
        for i, line in enumerate(lines):
            if i == 0:
                t.append(visible(line), style="bold")
            elif not line.startswith(" "):
                t.append(visible(line), style="bold #5fafff")
            else:
                text, sep, cites = line.rpartition("  [#")
                if sep:
                    style = "red" if "duplicate" in text or "ALREADY" in text else ""
                    t.append(visible(text), style=style)
                    t.append("  [#" + visible(cites), style="dim")
                else:
                    t.append(visible(line), style="dim" if line.lstrip().startswith("…") else "")
            t.append("\n")
        self.query_one("#brief-text", Static).update(t)

    def show_message(self, message: str) -> None:
        self.query_one("#brief-text", Static).update(Text(message, style="dim"))


class BriefReady(Message):
    def __init__(self, line: int, lines: list[str]) -> None:
        super().__init__()
        self.line = line
        self.lines = lines


class Forked(Message):
    def __init__(self, text: str, ok: bool) -> None:
        super().__init__()
        self.text = text
        self.ok = ok


def fork_path(log_path: str, seq: int, cwd: str | None = None) -> str:
    """A new file for a fork: `<log>.fork-<seq>.jsonl` beside the log (numbered so that nothing
    is overwritten), or in the current folder when the log is in an agent's own session folders
    (where the agent would list it as a session) or its folder is not writable."""
    log = Path(log_path).resolve()
    # terminal controls in the log's name are not repeated (the name is shown, then typed on)
    stem = safe_name(log.name.removesuffix(".jsonl"))
    name = f"{stem}.fork-{seq}"
    agent_dirs = [Path(os.path.expanduser(d)).resolve() for d in AGENT_DIRS]

    def inside(folder: Path) -> bool:
        return any(folder == d or d in folder.parents for d in agent_dirs)

    here = Path(cwd or os.getcwd()).resolve()
    for folder in (log.parent, here, Path.home()):
        if inside(folder) or not os.access(folder, os.W_OK):
            continue
        for i in range(1, 1000):
            cand = folder / (f"{name}.jsonl" if i == 1 else f"{name}-{i}.jsonl")
            if not cand.exists() and cand != log:
                return str(cand)
    raise OSError(f"no writable place for {name}.jsonl")


class BriefFeature:
    """The Brief tab and the fork key (mixed into `AgentlogApp`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "brief", "brief", id="brief"),
        Binding("F", "fork", "fork", id="fork"),
    ]

    def _can_brief(self) -> bool:
        return self.model.analysed

    def _can_fork(self) -> bool:
        m = self.model
        return m.analysed and m.a.n_events > 0

    def action_brief(self) -> None:
        self.query_one(TabbedContent).active = BRIEF_TAB
        self._request_brief()

    def _brief_shown(self) -> bool:
        return self.query_one(TabbedContent).active == BRIEF_TAB

    @while_mounted
    def on_inspected(self, msg: Message) -> None:  # after InspectionFeature's (Textual calls both)
        if self._brief_shown():
            self._request_brief()

    @while_mounted
    def on_tabbed_content_tab_activated(self, msg: TabbedContent.TabActivated) -> None:
        if msg.pane.id == BRIEF_TAB:
            self._request_brief()

    def _request_brief(self) -> None:
        line = self.timeline.cursor_line
        if line is not None and self.model.analysed:
            self.make_brief(line)

    @work(thread=True, exclusive=True, exit_on_error=False, group="brief")
    def make_brief(self, line: int) -> None:
        from agentlog_tui.core.brief import make_brief

        model = self.model
        with model.lock:
            pos = model.event_pos_at_or_before(line)
            if pos < 0:
                lines = ["no event at or before the cursor"]
            else:
                try:
                    lines = make_brief(model.a, model.a.seqs[pos]).lines()
                except Exception as exc:  # noqa: BLE001 - shown in the tab, never a crash
                    lines = [f"no brief: {type(exc).__name__}: {exc}"]
        self.post_message(BriefReady(line, lines))

    @while_mounted
    def on_brief_ready(self, msg: BriefReady) -> None:
        self.query_one(BriefView).show_lines(msg.lines)

    def action_fork(self) -> None:
        """Ask where to write the fork (a free name beside the log, or here when the log is in an
        agent's own session folders), then write it, verified."""
        at = self._cursor_event()
        if at is None:
            return
        line, seq = at
        try:
            default = fork_path(self.model.path, seq)
        except OSError as exc:  # no writable place to suggest: the user types one
            default = ""
            self.notify(str(exc), severity="warning", timeout=5, markup=False)
        ask_path(self, f"Fork the log at #{seq}",
                 "every line up to the cursor's event, verified by replay before it is written",
                 default, "fork", lambda out, overwrite: self.fork_at(line, out, overwrite))

    @work(thread=True, exclusive=True, exit_on_error=False, group="fork")
    def fork_at(self, line: int, out: str, overwrite: bool = False) -> None:
        from agentlog_tui.core.fork import ForkError, fork

        model = self.model
        out = resolve(out)
        with model.lock:
            pos = model.event_pos_at_or_before(line)
            if pos < 0:
                self.post_message(Forked("no event at or before the cursor", False))
                return
            seq = model.a.seqs[pos]
            try:
                result = fork(model.a, seq, out, overwrite=overwrite)
            except (ForkError, OSError) as exc:
                self.post_message(Forked(f"fork not written: {exc}", False))
                return
        self.post_message(Forked(result.summary(model.path), True))

    @while_mounted
    def on_forked(self, msg: Forked) -> None:
        self.notify(visible(msg.text), title="fork" if msg.ok else "fork failed",
                    severity="information" if msg.ok else "error", markup=False, timeout=8)
