"""`agentlog-tui diff LOG [--snapshot FILE] [--json]`: stored snapshots against fresh replays
(exit 1 on drift)."""

from __future__ import annotations

import argparse
import os


def add_parser(sub: argparse._SubParsersAction) -> None:
    from agentlog_tui.tui.cli import _common

    p = sub.add_parser("diff", help="stored snapshots against fresh replays")
    p.add_argument("log")
    p.add_argument("--snapshot", metavar="FILE", action="append",
                   help="a snapshot file ({at_seq, state} or a bare state at the head)")
    p.add_argument("--json", action="store_true")
    _common(p)


def run(args: argparse.Namespace) -> int:
    from agentlog_tui.core.snapshots import SnapshotFileError, file_report, snapshot_reports
    from agentlog_tui.tui.cli import UsageError, clean, emit_json, fmt_path, open_log, short

    a = open_log(args)
    reports = snapshot_reports(a)
    for f in args.snapshot or ():
        try:
            reports.append(file_report(a, f))
        except SnapshotFileError as exc:
            raise UsageError(str(exc)) from None
    drift = any(r.verdict != "match" for r in reports)
    if args.json:
        emit_json({"snapshots": [r.to_json() for r in reports]})
        return 1 if drift else 0
    if not reports:
        print(f"{clean(os.path.basename(args.log))}: no snapshots (add one with --snapshot FILE)")
        return 0
    for r in reports:
        at = f"#{r.at_seq}" if r.at_seq is not None else "the start"
        tail = f" ({len(r.differences)} difference{'s' if len(r.differences) != 1 else ''})" if r.differences else ""
        print(f"{clean(r.source)} at {at}: {r.verdict}{tail}")
        if r.error:
            print(f"    {clean(r.error)}")
        rows = [(fmt_path(d.path), d.kind, short(d.snapshot, 28) if d.kind != "missing" else "—",
                 short(d.replay, 28) if d.kind != "extra" else "—",
                 f"#{d.written_by}" if d.written_by is not None else "") for d in r.differences]
        if rows:
            w = [max(len(x[i]) for x in rows) for i in range(4)]
            print(f"    {'path':<{w[0]}}  {'kind':<{w[1]}}  {'snapshot':<{w[2]}}  {'replay':<{w[3]}}  written by")
            for row in rows:
                print(f"    {row[0]:<{w[0]}}  {row[1]:<{w[1]}}  {row[2]:<{w[2]}}  {row[3]:<{w[3]}}  {row[4]}")
    return 1 if drift else 0
