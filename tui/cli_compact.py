"""`agentlog-tui compact LOG [-o OUT] [--json]`: what compaction drops; with -o, write the
compacted log (exit 1 when it is not verified)."""

from __future__ import annotations

import argparse
import os
from collections import defaultdict


def add_parser(sub: argparse._SubParsersAction) -> None:
    from agentlog_tui.tui.cli import _common

    p = sub.add_parser("compact", help="what compaction drops; with -o, write the compacted log")
    p.add_argument("log")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="write the compacted log here (never the input, never over an existing file)")
    p.add_argument("--force", action="store_true", help="with -o: replace OUT if it exists")
    p.add_argument("--protect-last", type=int, default=0, metavar="N",
                   help="keep the last N events whatever they are")
    p.add_argument("--json", action="store_true")
    _common(p)


def run(args: argparse.Namespace) -> int:
    from agentlog_tui.core.compaction import (
        CompactionError,
        NotVerified,
        plan_compaction,
        write_compacted,
    )
    from agentlog_tui.tui.cli import UsageError, clean, emit_json, fmt_path, open_log

    if args.protect_last < 0:
        raise UsageError("--protect-last must be 0 or more")
    if args.output is not None and not args.output:
        raise UsageError("-o: give a file name (leave -o out for a dry run)")
    if args.output:
        src, dst = os.path.abspath(args.log), os.path.abspath(args.output)
        if src == dst or (os.path.exists(dst) and os.path.exists(src) and os.path.samefile(src, dst)):
            raise UsageError(f"{args.output}: refusing to write over the log being compacted")
        if not args.force and (os.path.lexists(dst)):
            raise UsageError(f"{args.output}: already exists; nothing written "
                             "(choose another name, or --force to replace it)")
    a = open_log(args)
    # with -o, the written bytes themselves are verified (read back afresh) before they count
    plan = plan_compaction(a, args.protect_last, verify=not args.output)
    written = None
    error = None
    if args.output:
        try:
            written = write_compacted(a, plan, args.output, overwrite=args.force)
        except NotVerified:
            error = "not verified: nothing written"
        except CompactionError as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:
            raise UsageError(f"{args.output}: {(exc.strerror or str(exc)).lower()}") from None
    if args.json:
        doc = plan.to_json()
        doc["output"] = args.output if written is not None else None
        emit_json(doc)
        return 0 if plan.verified else 1
    saved = plan.bytes_before - plan.bytes_after
    pct = 100 * saved / plan.bytes_before if plan.bytes_before else 0
    print(f"{clean(os.path.basename(args.log))}: {plan.events} events, keep {len(plan.kept)}, "
          f"drop {len(plan.dropped)}; {plan.bytes_before:,} -> {plan.bytes_after:,} bytes "
          f"({pct:.0f}% saved)")
    print("  verified: the compacted file, read afresh, replays to the same state"
          + (f" and {a.format.name} could load it" if hasattr(a.format, "validate") else "")
          if plan.verified else "  NOT verified:")
    for r in plan.reasons[:20]:
        print(f"    {clean(r)}")
    sel = plan.selection
    if sel is not None and sel.added:
        print(f"  {len(sel.added)} superseded event(s) kept so that calls and results stay paired")
    if sel is not None and sel.replaced:
        print(f"  {len(sel.replaced)} record(s) relinked to their nearest kept ancestor")
    for p in plan.differing_paths[:20]:
        print(f"    differs at {fmt_path(p)}")
    if plan.protect_last:
        print(f"  the last {plan.protect_last} events are kept whatever they are")
    if plan.malformed_dropped:
        print(f"  {plan.malformed_dropped} malformed line(s) are not events and are not copied")
    if plan.note:
        print(f"  note: {plan.note}")
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for d in plan.dropped:
        groups[(d.reason, d.type)].append(d)
    for reason in ("overwritten", "no_effect"):
        keys = [k for k in groups if k[0] == reason]
        if not keys:
            continue
        total = sum(len(groups[k]) for k in keys)
        print(f"  {reason} ({total}):")
        for k in sorted(keys, key=lambda k: -len(groups[k])):
            items = groups[k]
            print(f"    {clean(k[1])} ×{len(items)}")
            for d in items[:8]:
                by = f"  superseded by {', '.join('#' + str(s) for s in d.superseded_by)}" if d.superseded_by else ""
                print(f"      #{d.seq}{by}")
            if len(items) > 8:
                print(f"      … and {len(items) - 8} more")
    if written is not None:
        print(f"  wrote {written:,} bytes to {clean(args.output)}")
    elif error:
        print(f"  {error}")
    elif not args.output:
        print("  dry run: add -o OUT to write the compacted log")
    return 0 if plan.verified else 1
