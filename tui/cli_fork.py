"""`agentlog-tui fork LOG --at ID -o OUT [--compact]`: a log ending at an event, to resume from."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    from agentlog_tui.tui.cli import _common

    p = sub.add_parser("fork", help="write a log ending at an event (its agent can resume from it)")
    p.add_argument("log")
    p.add_argument("--at", type=int, required=True, metavar="ID", help="the fork's last event")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="the new file (never the input, never an existing file)")
    p.add_argument("--compact", action="store_true", help="write the compacted fork instead")
    p.add_argument("--json", action="store_true", help="say what was written as JSON")
    _common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os

    from agentlog_tui.core.fork import ForkError, fork
    from agentlog_tui.tui.cli import UsageError, clean, emit_json, open_log

    src, dst = os.path.abspath(args.log), os.path.abspath(args.output)
    if src == dst or (os.path.exists(dst) and os.path.exists(src) and os.path.samefile(src, dst)):
        raise UsageError(f"{args.output}: refusing to write over the log being forked")
    if os.path.lexists(dst):
        raise UsageError(f"{args.output}: already exists; nothing written (choose another name)")
    a = open_log(args)
    try:
        result = fork(a, args.at, args.output, compact=args.compact)
    except KeyError:
        what = "the log has no events" if a.n_events == 0 else "no event with that id"
        raise UsageError(f"{args.log}: --at {args.at}: {what}") from None
    except ForkError as exc:
        if args.json:
            emit_json({"output": None, "at": args.at, "error": str(exc)})
        else:
            print(clean(f"not written: {exc}"))
        return 1
    except OSError as exc:
        raise UsageError(f"{args.output}: {(exc.strerror or str(exc)).lower()}") from None
    if args.json:
        emit_json(result.to_json())
    else:
        print(clean(result.summary(args.log)))
    return 0
