"""`agentlog-tui find TEXT [DIR...] [--json] [--regex]`: search the text of sessions' events.

Matches prompts, assistant text, tool inputs and outputs (not JSON keys), newest sessions first,
printed as they are found: the session, then per hit the event id, its type, the section and the
matching line with the match marked. Smart case (a query with no capital letter matches any
case). Exit codes follow grep: 0 some hit, 1 no hit, 2 bad usage or an unreadable folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import Any

HELP = "search the text of sessions' events (prompts, replies, tool inputs and outputs)"


def add_parser(sub: Any) -> argparse.ArgumentParser:
    from agentlog_tui.tui.cli_sessions import intermixed

    p = intermixed(sub.add_parser("find", help=HELP, description=HELP + ". Folders are searched "
                                  "recursively; with none, your Claude Code and Codex sessions."))
    p.add_argument("text", metavar="TEXT", help="what to look for (plain text unless --regex)")
    p.add_argument("dirs", nargs="*", metavar="DIR", help="folders (or log files) to search")
    p.add_argument("--json", action="store_true", help="print the hits as a JSON document")
    p.add_argument("--regex", action="store_true", help="TEXT is a Python regular expression")
    p.add_argument("-s", "--case-sensitive", action="store_true",
                   help="match case exactly (default: smart case)")
    p.add_argument("-m", "--max", type=int, default=0, metavar="N",
                   help="stop after N hits (default: all)")
    p.set_defaults(func=run)
    return p


def _mark(text: str, spans: tuple[tuple[int, int], ...], color: bool) -> str:
    from agentlog_tui.tui.cli import clean

    if not spans:
        return clean(text)
    out, at = [], 0
    on, off = ("\x1b[1;31m", "\x1b[0m") if color else ("»", "«")
    for a, b in spans:
        out.append(clean(text[at:a]))
        out.append(on + clean(text[a:b]) + off)
        at = b
    out.append(clean(text[at:]))
    return "".join(out)


def run(args: argparse.Namespace) -> int:
    from agentlog_tui.core.search import Query, QueryError, search
    from agentlog_tui.core.sessions import discover
    from agentlog_tui.tui.cli import UsageError, clean, emit_json
    from agentlog_tui.tui.cli_sessions import roots_or_fail

    try:
        query = Query(args.text, regex=args.regex, case_sensitive=True if args.case_sensitive else None)
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    roots = roots_or_fail(args.dirs)

    def mtime(p: Any) -> float:
        try:
            return p.stat().st_mtime
        except OSError:
            return 0.0

    files = sorted(discover(roots), key=mtime, reverse=True)  # newest sessions first
    tty_err = sys.stderr.isatty()
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    width = shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else 0
    shown_progress = False

    def progress(pr: Any) -> None:
        nonlocal shown_progress
        if tty_err and pr.current is not None:
            shown_progress = True
            sys.stderr.write(f"\rsearching {pr.files_done}/{pr.files_total} sessions "
                             f"{100 * pr.fraction:3.0f}%  {pr.hits} hits ")
            sys.stderr.flush()

    def clear() -> None:
        nonlocal shown_progress
        if shown_progress:
            sys.stderr.write("\r" + " " * 60 + "\r")
            shown_progress = False

    from agentlog_tui.core.search import SearchProgress

    final = SearchProgress()

    def keep(pr: SearchProgress) -> None:
        nonlocal final
        final = pr
        progress(pr)

    hits = []
    current = None
    n = 0
    for hit in search(files, query, progress=keep):
        n += 1
        if args.json:
            hits.append(hit.to_json())
        else:
            clear()
            if hit.path != current:
                current = hit.path
                print(clean(str(hit.path)))
            line = f"  #{hit.seq:<6} {clean(hit.type)[:22]:<22} {clean(hit.field)[:10]:<10} "
            text = hit.text
            if width and len(line) + len(text) > width:
                # keep the first match on screen
                keep_from = max(0, hit.spans[0][0] - 20) if hit.spans else 0
                room = max(20, width - len(line))
                if keep_from:
                    text = "…" + text[keep_from: keep_from + room - 1]
                    spans = tuple((a - keep_from + 1, b - keep_from + 1) for a, b in hit.spans
                                  if a >= keep_from and b - keep_from + 1 <= len(text))
                else:
                    text = text[:room]
                    spans = tuple((a, b) for a, b in hit.spans if b <= len(text))
            else:
                spans = hit.spans
            print(line + _mark(text, spans, color))
            sys.stdout.flush()
        if args.max and n >= args.max:
            break
    clear()
    if args.json:
        emit_json({"query": args.text, "regex": args.regex, "case_sensitive": query.case_sensitive,
                   "sessions_searched": final.files_done, "hits": hits,
                   "errors": [{"path": str(p), "error": e} for p, e in final.errors]})
    else:
        for p, e in final.errors:
            sys.stderr.write(f"agentlog-tui: {clean(str(p))}: {clean(e)}\n")
        if not n:
            print(f"no hits for {clean(args.text)!r} in {final.files_done} sessions")
    return 0 if n else 1
