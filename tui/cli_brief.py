"""`agentlog-tui brief LOG [--at ID] [--json] [--verbs FILE]`: what a fresh executor needs at a point."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    from agentlog_tui.tui.cli import _common

    p = sub.add_parser("brief", help="the distilled view at an event: goal, done, in progress, failed, "
                       "pending effects, instructions, files; every item cites its events")
    p.add_argument("log")
    p.add_argument("--at", type=int, metavar="ID", help="event id (default: the last event)")
    p.add_argument("--json", action="store_true", help="the same sections as JSON, with `seq` lists")
    p.add_argument("--verbs", metavar="FILE",
                   help="a JSON file extending the verb table (generic format; see the README)")
    p.add_argument("--lines", type=int, default=40, metavar="N", help="text: at most N lines (default 40)")
    _common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agentlog_tui.core.brief import VerbsFileError, load_verbs, make_brief
    from agentlog_tui.tui.cli import UsageError, clean, emit_json, open_log

    if args.lines < 5:
        raise UsageError("--lines must be 5 or more")
    verbs = None
    if args.verbs:
        try:
            verbs = load_verbs(args.verbs)
        except VerbsFileError as exc:
            raise UsageError(str(exc)) from None
    a = open_log(args)
    try:
        brief = make_brief(a, args.at, verbs=verbs)
    except KeyError:
        what = "the log has no events" if a.n_events == 0 else "no event with that id"
        raise UsageError(f"{args.log}: --at {args.at}: {what}") from None
    if args.json:
        emit_json(brief.to_json())
        return 0
    for line in brief.lines(args.lines):
        print(clean(line))
    return 0
