"""`agentlog-tui mcp [PATH]`: a read-only Model Context Protocol server over stdio.

Built on the official `mcp` Python SDK (`MCPServer`). Its tools answer from the same engine as the
CLI, with the CLI's JSON shapes, so an agent can ask a log what a person asks the app: which event
wrote this value, what the state was at an event, what a fresh executor needs to know.

- `sessions(folder)`: the session list (`sessions --json`);
- `check(log)`: integrity, resumes, compactions (`check --json`);
- `state_at(log, at, path)`: the state after an event (`state --json`), or one subtree of it;
- `blame(log, path, at)`: the event that last wrote a path, with its value;
- `diff(log, a, b)`: what changed between two events (`a` alone: what event `a` changed);
- `brief(log, at)`: the distilled view (`brief --json`);
- `compaction_plan(log, protect_last)`: what compaction keeps and drops (`compact --json`);
- `find(text, folder, regex)`: search in the text of events (`find --json`).

`PATH` is a log (the default `log` of every tool) or a folder (the default folder of `sessions` and
`find`; relative log paths are taken from it). Nothing is ever written. A result over
`MAX_RESULT_CHARS` characters of JSON is cut, with a `truncated` note saying how to ask for less.
A bad path, id or argument is a tool error (the message says what is wrong), never a crash.

This module is the server's wiring; the tools are `tui/mcp_tools.py`, paths into a state and the
bounding of results `tui/mcp_results.py`.
"""

from __future__ import annotations

from typing import Any

from agentlog_tui.tui.errors import package_version
from agentlog_tui.tui.mcp_results import ToolFailure
from agentlog_tui.tui.mcp_tools import (
    Engine,
    tool_blame,
    tool_brief,
    tool_check,
    tool_compaction_plan,
    tool_diff,
    tool_find,
    tool_sessions,
    tool_state_at,
)

SERVER_INSTRUCTIONS = (
    "Read-only questions about append-only agent event logs (generic JSONL event logs, Claude Code "
    "sessions, Codex rollouts). Event ids are `seq` (the line number for Claude Code and Codex). "
    "Paths into the state are written like `publish.devto.url`, `draft[\"drafts/x.md\"].sha`, "
    "`context[3]`, or as a JSON array of keys. Start with `brief` for what a resumed executor needs, "
    "`blame` for which event wrote a value, `state_at` with a path for one part of the state."
)


# ---- the server ----------------------------------------------------------------------------------


def build_server(root: str | None = None) -> Any:
    """The MCP server over the engine; `root` is the PATH given on the command line."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.types import ToolAnnotations

    engine = Engine(root)
    server = MCPServer(name="agentlog-tui", instructions=SERVER_INSTRUCTIONS, version=package_version(),
                       log_level="WARNING")
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                open_world_hint=False)

    def run(fn: Any, *args: Any, **kwargs: Any) -> dict:
        try:
            return fn(engine, *args, **kwargs)
        except ToolFailure as exc:
            raise ToolError(str(exc)) from None
        except (KeyError, ValueError, TypeError, OSError) as exc:
            raise ToolError(f"{type(exc).__name__}: {exc}") from None

    @server.tool(annotations=read_only)
    def sessions(folder: str | None = None) -> dict:
        """The agent sessions (Claude Code, Codex, generic logs) in a folder (default: the
        server's folder, else the user's agent session folders): path, format, project, title,
        times, events, findings."""
        return run(tool_sessions, folder)

    @server.tool(annotations=read_only)
    def check(log: str | None = None) -> dict:
        """Integrity of a log (malformed lines, anomalies, a pending tail), its resumes (missed
        events, drifted snapshots, duplicate effects) and compactions, as `check --json`."""
        return run(tool_check, log)

    @server.tool(annotations=read_only)
    def state_at(log: str | None = None, at: int | None = None, path: str | None = None) -> dict:
        """The state after event `at` (default: the last one). With `path`
        (`publish.devto`, `draft["drafts/x.md"]`, or a JSON array of keys) only that subtree,
        and the event that last wrote it."""
        return run(tool_state_at, log, at, path)

    @server.tool(annotations=read_only)
    def blame(path: str, log: str | None = None, at: int | None = None) -> dict:
        """Which event last wrote `path` in the state at event `at` (default: the last one):
        its id, type, line and summary, and the value there."""
        return run(tool_blame, path, log, at)

    @server.tool(annotations=read_only)
    def diff(a: int, b: int | None = None, log: str | None = None) -> dict:
        """What changed in the state from event `a` to event `b`; without `b`, what event `a`
        itself changed. Each change: path, kind (added, removed, changed), old and new values."""
        return run(tool_diff, a, b, log)

    @server.tool(annotations=read_only)
    def brief(log: str | None = None, at: int | None = None) -> dict:
        """What a fresh executor needs at event `at` (default: the last one): goal, done, in
        progress, failed, pending effects (not to repeat blindly), instructions, files,
        compactions and resumes; every item cites its events (`seq`)."""
        return run(tool_brief, log, at)

    @server.tool(annotations=read_only)
    def compaction_plan(log: str | None = None, protect_last: int = 0) -> dict:
        """What compaction of the log would keep and drop (each dropped event with its reason
        and the events that superseded it), and whether the result is verified by replay.
        Nothing is written."""
        return run(tool_compaction_plan, log, protect_last)

    @server.tool(annotations=read_only)
    def find(text: str, folder: str | None = None, regex: bool = False, max_hits: int = 100) -> dict:
        """Search the text of events (prompts, messages, tool inputs and outputs) in every log
        of a folder (default: the server's folder or log, else the user's agent sessions)."""
        return run(tool_find, text, folder, regex, max_hits)

    server.engine = engine  # type: ignore[attr-defined]
    return server


def serve(root: str | None = None) -> None:
    """Run the server on stdin/stdout until the client goes away."""
    build_server(root).run("stdio")
