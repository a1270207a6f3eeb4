"""`agentlog-tui state LOG [--at SEQ] [--json]`: the state after an event (the head by default)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    from agentlog_tui.tui.cli import _common

    p = sub.add_parser("state", help="the state after an event (the head by default)")
    p.add_argument("log")
    p.add_argument("--at", type=int, metavar="SEQ", help="event id (default: the last event)")
    p.add_argument("--json", action="store_true", help="print {seq, state} as JSON")
    _common(p)


def run(args: argparse.Namespace) -> int:
    from agentlog_tui.core.jsonvalue import to_json
    from agentlog_tui.tui.cli import UsageError, clean, emit_json, open_log

    a = open_log(args)
    if a.n_events == 0:
        if args.at is not None:
            raise UsageError(f"{args.log}: --at {args.at}: the log has no events")
        seq, state = 0, a.state
    else:
        try:
            seq, state = a.state_at(args.at)
        except KeyError:
            raise UsageError(f"{args.log}: --at {args.at}: no event with that id") from None
    if args.json:
        emit_json({"seq": seq, "state": state})
        return 0
    if a.n_events:
        ev = a.event(a.pos_of_seq(seq) if args.at is not None else a.n_events - 1)
        print(f"state after #{seq} {clean(ev.type)}  ({a.n_events} events, {a.format.name})")
    else:
        print(f"{args.log}: no events")
    text = to_json(state, indent=True).decode()
    print(clean_multiline(text))
    return 0


def clean_multiline(text: str) -> str:
    from agentlog_tui.tui.cli import clean

    return "\n".join(clean(line) for line in text.split("\n"))
