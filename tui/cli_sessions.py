"""`agentlog-tui sessions [DIR...] [--json]`: the sessions in folders, one row each.

With no folder, the user's own Claude Code projects and Codex sessions folders
(`$CLAUDE_CONFIG_DIR/projects` or `~/.claude/projects`, `$CODEX_HOME/sessions` or
`~/.codex/sessions`). Exit codes: 0 listed and no session has findings, 1 some session has
findings or could not be read, 2 bad usage (a folder that does not exist, no folder at all).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

HELP = "the sessions in folders (default: your Claude Code and Codex sessions)"


class IntermixedParser(argparse.ArgumentParser):
    """A subcommand parser that takes options between its positionals (`find TEXT --regex DIR`),
    which plain argparse refuses once a `nargs="*"` positional has been seen."""

    _inside = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._inside:
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return super().parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False


def intermixed(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.__class__ = IntermixedParser
    return p


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = intermixed(sub.add_parser("sessions", help=HELP,
                                  description=HELP + ". Folders are searched recursively."))
    p.add_argument("dirs", nargs="*", metavar="DIR", help="folders (or log files) to list")
    p.add_argument("--json", action="store_true", help="print the rows as a JSON document")
    p.add_argument("--quick", action="store_true",
                   help="only the columns read from each file's first and last lines "
                        "(no events, findings, compactions, resumes)")
    p.set_defaults(func=run)
    return p


def roots_or_fail(dirs: list[str]) -> list[Path]:
    """The folders named, or the user's own session folders; UsageError when there are none."""
    from agentlog_tui.core.sessions import default_roots
    from agentlog_tui.tui.cli import UsageError

    if dirs:
        for d in dirs:
            if not os.path.exists(d):
                raise UsageError(f"{d}: no such file or folder")
        return [Path(d) for d in dirs]
    roots = default_roots()
    if not roots:
        raise UsageError("no Claude Code or Codex session folders here (looked for "
                         "~/.claude/projects and ~/.codex/sessions; CLAUDE_CONFIG_DIR and CODEX_HOME "
                         "move them); name a folder of logs instead")
    return roots


def human_size(n: int) -> str:
    """1.2K, 3.4M: sizes as `ls -h` gives them."""
    size = float(n)
    for unit in ("B", "K", "M", "G"):
        if size < 1024 or unit == "G":
            return f"{size:.0f}{unit}" if unit == "B" or size >= 10 else f"{size:.1f}{unit}"
        size /= 1024
    return f"{n}B"


def short_time(ts: str | None) -> str:
    """`2026-02-12 16:17` from an ISO timestamp (as written: the log's own zone)."""
    if not ts:
        return "?"
    return ts[:16].replace("T", " ")


def run(args: argparse.Namespace) -> int:
    from agentlog_tui.core.sessions import fill_stats, group_subagents, list_sessions
    from agentlog_tui.tui.cli import clean, emit_json

    roots = roots_or_fail(args.dirs)
    rows = group_subagents(list_sessions(roots))
    show = sys.stderr.isatty() and not args.quick
    if not args.quick:
        for i, r in enumerate(rows, 1):
            if show:
                sys.stderr.write(f"\ranalysing sessions {i}/{len(rows)}")
                sys.stderr.flush()
            fill_stats(r)
            for s in r.subagents:
                fill_stats(s)
        if show:
            sys.stderr.write("\r" + " " * 40 + "\r")
    bad = any(r.error or (r.stats and r.stats.findings) for r in rows)
    if args.json:
        emit_json({"roots": [str(p) for p in roots], "sessions": [r.to_json() for r in rows]})
        return 1 if bad else 0
    if not rows:
        print(f"no sessions in {', '.join(clean(str(p)) for p in roots)}")
        return 0
    width = shutil.get_terminal_size((120, 24)).columns
    head = f"{'LAST ACTIVITY':<16}  {'FORMAT':<11} {'EVENTS':>6} {'FIND':>5} {'SIZE':>5}  {'PROJECT':<16}  TITLE"
    print(head[:width])
    for r in rows:
        ev = str(r.stats.events) if r.stats else "-"
        fi = str(r.stats.findings) if r.stats else "-"
        proj = os.path.basename(r.project.rstrip("/")) if r.project else "-"
        title = r.title or "(no prompt)"
        if r.error:
            title = f"✗ {r.error}"
        if r.subagents:
            n = len(r.subagents)
            title = f"[{n} subagent{'s' if n > 1 else ''}] {title}"
        line = (f"{short_time(r.last_activity):<16}  {r.format[:11]:<11} {ev:>6} {fi:>5} "
                f"{human_size(r.size):>5}  {clean(proj)[:16]:<16}  {clean(title)}")
        print(line[:width])
        print(f"{'':18}{clean(str(r.path))}")  # whole, even when it wraps: it is what to open
    return 1 if bad else 0
