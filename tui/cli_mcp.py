"""`agentlog-tui mcp [PATH]`: the read-only MCP server over stdio (see tui/mcp_server.py)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mcp", help="a read-only MCP server over stdio (tools: sessions, check, state_at, "
                       "blame, diff, brief, compaction_plan, find)")
    p.add_argument("path", nargs="?", metavar="PATH",
                   help="a log (the tools' default log) or a folder of sessions")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os

    from agentlog_tui.tui.cli import UsageError

    if args.path is not None and not os.path.exists(args.path):
        raise UsageError(f"{args.path}: no such file or folder")
    try:
        from agentlog_tui.tui.mcp_server import serve
    except ImportError as exc:
        raise UsageError(f"the mcp package is not installed ({exc}); pip install mcp") from None
    serve(args.path)
    return 0
