"""The agentlog-tui application: a thin composition of feature modules.

`AgentlogApp` lays out the widgets (header, timeline, inspector, prompt, scrubber, footer) and
mixes in one class per feature; each owns its keys, actions, messages and workers:

- `session.py`      the analysis session: first pass, marks at cursor/head (`r`, `f`)
- `live_tail.py`    the live tail worker and what the UI redoes when the log grows
- `navigation.py`   go to (`:`), filter (`/`, `n`, `N`), hide superseded (`h`), the prompt line
- `inspection.py`   cursor → inspector, blame, mark (`m`), the Event tab's view (`v`)
- `kinds.py`        the kind filter (`t`, a "conversation" preset)
- `failures.py`     next / previous failure (`e`, `E`), call ↔ result (`%`); `calls.py` pairs them
- `resumes.py`      resume jumps (`[`, `]`)
- `export.py`       save the state at the cursor (`s`)
- `compaction_review.py`  the compaction plan (`c`) and writing it (`w`)
- `brief_view.py`   the Brief tab (`b`) and forking at the cursor (`F`)
- `header.py`       the header row; `audit.py` its finding badge (the count `check` gives)
- `features.py`     how a feature plugs in (read it before adding one)

Where things go: a new key of an existing feature goes in that feature's module (`BINDINGS`,
`action_…`, `_can_…`), its footer position in `FOOTER_ORDER` below, its help line in
`screens.py HELP`. A new feature is a new module with a mixin class, added to `FEATURES` and to
the bases of `AgentlogApp`. A new inspector tab goes in `inspector.py`; a new screen (a modal, a
session list) in its own module, pushed from an action (`self.push_screen(...)`).
"""

from __future__ import annotations

import os
import sys
from typing import Any, ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widgets import Footer, Input

from agentlog_tui.tui.audit import AuditFeature
from agentlog_tui.tui.branches_view import BranchesFeature
from agentlog_tui.tui.brief_view import BriefFeature
from agentlog_tui.tui.commands import AgentlogCommands
from agentlog_tui.tui.compaction_review import CompactionFeature, default_compacted_path
from agentlog_tui.tui.error_boundary import ErrorBoundary
from agentlog_tui.tui.export import ExportFeature, export_path
from agentlog_tui.tui.failures import FailuresFeature
from agentlog_tui.tui.features import collect_bindings
from agentlog_tui.tui.header import AppHeader, HeaderFeature
from agentlog_tui.tui.inspection import InspectionFeature
from agentlog_tui.tui.inspector import Inspector
from agentlog_tui.tui.kinds import KindsFeature
from agentlog_tui.tui.live_tail import TAIL_DEBOUNCE_MS, TAIL_POLL_MS, TailFeature
from agentlog_tui.tui.log_source import LogSourceFeature
from agentlog_tui.tui.model import LogModel
from agentlog_tui.tui.navigation import NavigationFeature
from agentlog_tui.tui.resumes import ResumesFeature
from agentlog_tui.tui.screens import HelpScreen
from agentlog_tui.tui.scrubber import Scrubber
from agentlog_tui.tui.session import SessionFeature
from agentlog_tui.tui.timeline import Timeline

__all__ = ["TAIL_DEBOUNCE_MS", "TAIL_POLL_MS", "AgentlogApp", "default_compacted_path",
           "export_path", "run_app"]


class AppKeys:
    """Keys of the app itself."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "help", key_display="?", id="help"),
        Binding("q", "quit", "quit", id="quit"),
    ]


FEATURES = (NavigationFeature, KindsFeature, FailuresFeature, ResumesFeature, InspectionFeature,
            SessionFeature, TailFeature, ExportFeature, CompactionFeature, BriefFeature, BranchesFeature,
            LogSourceFeature, AuditFeature, AppKeys)
# the footer shows the keys in this order; keys not named here go at "*"
FOOTER_ORDER = [
    "goto", "filter", "next_match", "prev_match", "prev_resume", "next_resume", "mark",
    "next_failure", "prev_failure", "call_result",
    "hide_superseded", "kinds", "hide_branches", "marks_at_cursor", "marks_at_head", "follow", "export",
    "compaction", "toggle_event_view", "show_all", "write_compacted", "brief", "fork", "tab1", "zoom", "*", "help",
    "quit", "cancel",
]


class AgentlogApp(ErrorBoundary, NavigationFeature, KindsFeature, FailuresFeature,
                  ResumesFeature, InspectionFeature, SessionFeature, TailFeature, ExportFeature,
                  CompactionFeature, BriefFeature, BranchesFeature, LogSourceFeature,
                  AuditFeature, HeaderFeature,
                  App):
    """Inspect and time-travel an append-only agent event log."""

    CSS_PATH = "app.tcss"
    TITLE = "agentlog-tui"
    COMMANDS = App.COMMANDS | {AgentlogCommands}
    # below 100 columns the timeline sits over the inspector; from 160 the inspector widens
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"), (100, "-medium"), (160, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = collect_bindings(FEATURES, FOOTER_ORDER)

    def __init__(self, path: str, analysis_kwargs: dict | None = None, *, watch: bool = True,
                 force_polling: bool | None = None, demo: Any = None) -> None:
        super().__init__()
        self.model = LogModel(path, analysis_kwargs)
        self.log_name = os.path.basename(path)
        self.watch_enabled = watch
        self.force_polling = force_polling
        self.demo = demo
        self._init_session()
        self._init_tail()
        self._init_navigation()
        self._init_failures()
        self._init_kinds()
        self._init_inspection()
        self._init_compaction()
        self._init_log_source()
        self._init_branches()
        self._init_audit()

    # ---- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader(id="header")
        with Horizontal(id="main"):
            yield Timeline(self.model, id="timeline")
            yield Inspector(id="inspector")
        yield Input(id="prompt")
        yield Scrubber(self.model, id="scrubber")
        yield Footer()

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    @property
    def inspector(self) -> Inspector:
        return self.query_one(Inspector)

    def on_mount(self) -> None:
        tl = self.timeline
        tl.border_title = "timeline"
        self.query_one("#prompt", Input).display = False
        tl.invalidate()
        tl.move_to(tl.n_rows - 1, user=False)
        tl.focus()
        self.update_header()
        self.analyse()

    def _main_alive(self) -> bool:
        if not self.is_running:  # shutting down: widgets go one by one, the timeline last
            return False
        try:
            self.query_one(Timeline)
        except NoMatches:
            return False
        return True

    def on_unmount(self) -> None:
        self._stop_session()
        if self.demo is not None:
            self.demo.stop()

    # ---- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Each feature says when its action is available: `_can_<action>()`."""
        can = getattr(self, f"_can_{action}", None)
        return can() if can is not None else True

    def on_key(self, event: events.Key) -> None:
        """A key whose action has nothing to do now says so (the footer hides such keys, and
        Textual would drop the key silently). The reason comes from the feature's
        `_why_not_<action>()`, else from the binding's description."""
        if len(self.screen_stack) > 1 or self.prompt_mode is not None:
            return  # a dialog or the prompt has the keys
        mine = [b for b in self.BINDINGS if isinstance(b, Binding)
                and event.key in (k.strip() for k in b.key.split(","))]
        if not mine or any(self.check_action(b.action, ()) for b in mine):
            return  # not ours, or a binding runs
        action = mine[0].action.split("(", 1)[0]
        why = getattr(self, f"_why_not_{action}", None)
        text = why() if why is not None else f"{mine[0].description}: nothing to do here"
        self.notify(text, timeout=3, markup=False)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())


def run_app(path: str | None, *, analysis_kwargs: dict | None = None, demo: bool = False) -> int:
    """Build and run the app on `path` (or on a live simulated agent with `demo`)."""
    agent = None
    if demo:
        from agentlog_tui.tui.demo import start_demo

        agent = start_demo(path)
        path = agent.path
    if path is None:
        raise ValueError("a log path is required unless demo=True")
    app = AgentlogApp(path, analysis_kwargs or {}, demo=agent)
    try:
        app.run()
    finally:
        if agent is not None:
            agent.stop()
    if app.internal_error is not None:  # the error boundary's line, once the terminal is back
        sys.stderr.write(app.internal_error + "\n")
    return app.return_code or 0
