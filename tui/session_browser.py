"""Going from the session list into a session, into its subagents, and back.

`browse()` alternates two apps: the session list (`tui/session_list.py`) and the usual screen on
one log (`SessionLogApp`, the app with three additions: start at an event, Escape goes back when
there is somewhere to go back to, and `a` opens the subagent of the `Task` call at the cursor).
A stack of open sessions remembers the way back: Escape in a subagent returns to its parent at
the call that started it, Escape in a session returns to the list where it was; `q` quits.

A compressed rollout (`.jsonl.gz`, `.jsonl.zst`) is opened read-only, without tailing (the reader
decompresses it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message

from agentlog_tui.core.sessions import compression_of
from agentlog_tui.core.subagents import TaskCall, parent_link, task_calls
from agentlog_tui.tui.app import AgentlogApp
from agentlog_tui.tui.errors import raise_if_crashed
from agentlog_tui.tui.navigation import NavigationFeature
from agentlog_tui.tui.session_list import actions_provider


class TaskCallsFound(Message):
    def __init__(self, calls: list[TaskCall]) -> None:
        super().__init__()
        self.calls = calls


SESSION_ACTIONS = [
    ("subagent", "Open subagent", "open the subagent transcript of the Task call at the cursor (a)"),
    ("back", "Back", "back to the parent session or the session list (escape)"),
]


class SessionLogApp(AgentlogApp):
    """The usual screen on one session, opened from the list or from a parent session.

    Ends with `("back",)` on Escape when `can_go_back`, `("subagent", path, call)` on `a`, and
    None on `q`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "subagent", "subagent", id="subagent"),
    ]
    COMMANDS = AgentlogApp.COMMANDS | {actions_provider(SESSION_ACTIONS)}

    def __init__(self, path: str, analysis_kwargs: dict | None = None, *, start_seq: int | None = None,
                 title: str | None = None, can_go_back: bool = False, watch: bool = True) -> None:
        super().__init__(path, analysis_kwargs or {}, watch=watch)
        self.start_seq = start_seq
        self.can_go_back = can_go_back
        if title is not None:
            self.log_name = title
        self.task_calls: list[TaskCall] | None = None

    # ---- start at an event -------------------------------------------------------------------

    def on_analysed(self, msg: Message) -> None:
        # runs before SessionFeature.on_analysed (Textual calls each class's handler, subclass
        # first), which moves to the last event: go to the asked one after it
        if self.start_seq is not None:
            self.following = False
            self.call_after_refresh(self._go_to_start)
        self.find_task_calls()

    def _go_to_start(self) -> None:
        seq, self.start_seq = self.start_seq, None
        if seq is not None:
            self.goto_id(str(seq))
            self.update_header()

    # ---- back --------------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self.prompt_mode is None and self.filter_query is None and self.can_go_back:
            self.exit(("back",))
        else:
            NavigationFeature.action_cancel(self)

    def _can_back(self) -> bool:
        return self.can_go_back

    def action_back(self) -> None:
        if self.can_go_back:
            self.exit(("back",))

    # ---- subagents ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="subagents")
    def find_task_calls(self) -> None:
        with self.model.lock:
            try:
                calls = task_calls(self.model.a)
            except Exception:  # noqa: BLE001 - no subagent links is not a reason to fail
                calls = []
        self.post_message(TaskCallsFound(calls))

    def on_task_calls_found(self, msg: TaskCallsFound) -> None:
        self.task_calls = msg.calls
        self.refresh_bindings()
        missing = [c for c in msg.calls if c.transcript is None and not c.failed]
        if missing:
            where = ", ".join(f"#{c.seq}" for c in missing[:6])
            self.notify(f"{len(missing)} subagent transcript(s) missing: Task {where}",
                        severity="warning", markup=False, timeout=6)

    def _can_subagent(self) -> bool | None:
        return bool(self.task_calls) if self.task_calls is not None else None

    def call_at_cursor(self) -> TaskCall | None:
        """The Task call whose call or result is the event under the cursor."""
        line = self.timeline.cursor_line
        if line is None or not self.task_calls:
            return None
        row = self.model.row(line)
        seq = getattr(row.record, "seq", None) if row is not None else None
        for c in self.task_calls:
            if seq in (c.seq, c.result_seq):
                return c
        return None

    def action_subagent(self) -> None:
        call = self.call_at_cursor()
        if call is None:
            where = ", ".join(f"#{c.seq}" for c in (self.task_calls or [])[:8])
            self.notify(f"no Task call at the cursor (Task calls: {where}; `:` goes to one)",
                        severity="warning", markup=False)
            return
        if call.transcript is None:
            what = f"agent-{call.agent_id}.jsonl" if call.agent_id else "no transcript matches its prompt"
            self.notify(f"the subagent's transcript is missing ({what})", severity="warning", markup=False)
            return
        self.exit(("subagent", call.transcript, call))


# ---- the loop -----------------------------------------------------------------------------------


@dataclass
class Frame:
    """An open session on the stack: where to open it and what its header says."""

    path: Path
    seq: int | None = None
    title: str | None = None


def _short(name: str) -> str:
    """A session file's name short enough for a header: `fa812bfe….jsonl`."""
    stem, dot, ext = name.partition(".")
    return f"{stem[:8]}…{dot}{ext}" if len(stem) > 20 else name


def subagent_title(path: Path, call: TaskCall | None, parent: Path | None) -> str:
    """`agent-x.jsonl ← Task #44 "Explore existing codebase" in fa812bfe….jsonl`."""
    if parent is None:
        return path.name
    if call is None:
        return f"{path.name} ← subagent of {_short(parent.name)}"
    desc = f' "{call.description}"' if call.description else ""
    return f"{path.name} ← Task #{call.seq}{desc} in {_short(parent.name)}"


def frame_for(path: Path, seq: int | None) -> Frame:
    """A frame for a session opened from the list: a subagent's header names its parent."""
    link = None
    try:
        link = parent_link(path)
    except Exception:  # noqa: BLE001 - a header without its parent is still a header
        link = None
    title = subagent_title(path, link.call, link.parent) if link is not None else None
    return Frame(path, seq, title)


def run_log_app(frame: Frame, analysis_kwargs: dict, can_go_back: bool) -> Any:
    """Run the usual screen on one session; its result (see `SessionLogApp`)."""
    compressed = compression_of(frame.path)
    title = frame.title
    if title is None and compressed is not None:
        title = f"{frame.path.name} ({compressed}, read-only)"
    app = SessionLogApp(str(frame.path), analysis_kwargs, start_seq=frame.seq, title=title,
                        can_go_back=can_go_back, watch=compressed is None)
    result = app.run()
    raise_if_crashed(app)  # the error dialog was shown: exit 3 (tui/error_boundary.py)
    return result


def run_list_app(state: Any) -> Any:
    from agentlog_tui.tui.session_list import SessionListApp

    app = SessionListApp(state)
    result = app.run()
    raise_if_crashed(app)
    return result


def browse(roots: list[Path] | None, log: str | os.PathLike[str] | None = None, *,
           analysis_kwargs: dict | None = None,
           run_list: Callable[[Any], Any] = run_list_app,
           run_log: Callable[[Frame, dict, bool], Any] = run_log_app) -> None:
    """The session list of `roots` (None: no list) and the sessions opened from it, or one log
    (`log`) with its subagents, until the user quits."""
    from agentlog_tui.tui.session_list import ListState

    kwargs = analysis_kwargs or {}
    state = ListState(list(roots)) if roots is not None else None
    stack: list[Frame] = [Frame(Path(log))] if log is not None else []
    while True:
        if not stack:
            if state is None:
                return
            res = run_list(state)
            if not res or res[0] != "open":
                return
            stack.append(frame_for(Path(res[1]), res[2]))
        frame = stack[-1]
        res = run_log(frame, kwargs, len(stack) > 1 or state is not None)
        if not res:
            return
        if res[0] == "back":
            stack.pop()
        elif res[0] == "subagent":
            _, sub, call = res
            frame.seq = call.seq  # coming back, the parent opens at the call
            stack.append(Frame(Path(sub), None, subagent_title(Path(sub), call, frame.path)))


def run_sessions_ui(folder: str | None, analysis_kwargs: dict | None = None) -> int:
    """`agentlog-tui DIR` / `agentlog-tui`: the list of a folder's sessions, or of the user's own
    (UsageError, one line, when there are none)."""
    from agentlog_tui.tui.cli_sessions import roots_or_fail

    browse(roots_or_fail([folder] if folder else []), analysis_kwargs=analysis_kwargs)
    return 0


def run_log_ui(log: str, analysis_kwargs: dict | None = None) -> int:
    """`agentlog-tui LOG`: the usual screen on one log, with its subagents a key away."""
    browse(None, log, analysis_kwargs=analysis_kwargs)
    return 0
