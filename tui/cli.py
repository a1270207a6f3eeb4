"""The `agentlog-tui` command: the UI by default, and headless `state|check|diff|compact|formats`.

Exit codes: 0 clean, 1 findings (drift, integrity problems, unverified compaction), 2 bad usage or
unreadable input, always with a one-line message naming the file and the problem, 3 an internal
error (a bug: one line naming the file and the error; `AGENTLOG_DEBUG=1` prints the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from typing import Any, NoReturn

from agentlog_tui.core.jsonvalue import to_json
from agentlog_tui.core.safetext import safe_text
from agentlog_tui.tui import cli_formats
from agentlog_tui.tui.errors import EXIT_INTERNAL, AppCrashed

SUBCOMMANDS = ("state", "check", "diff", "compact", "formats", "brief", "sessions", "find", "fork",
               "mcp")
# subcommands in modules of their own: each has add_parser(subparsers), which sets `func`
COMMAND_MODULES = ("agentlog_tui.tui.cli_brief", "agentlog_tui.tui.cli_sessions",
                   "agentlog_tui.tui.cli_find", "agentlog_tui.tui.cli_fork", "agentlog_tui.tui.cli_mcp")
PROG = "agentlog-tui"


class UsageError(Exception):
    """Bad input or usage: printed as one line, exit 2."""


# ---- text helpers -------------------------------------------------------------------------------

def clean(text: Any) -> str:
    """Log content made safe for a terminal (`core.safetext.safe_text`): control, bidi and
    surrogate code points shown, never interpreted."""
    return safe_text(text)


def jdump(value: Any) -> str:
    return to_json(value).decode()


def short(value: Any, width: int = 48) -> str:
    s = clean(value if isinstance(value, str) else jdump(value))
    return s if len(s) <= width else s[: width - 1] + "…"


def fmt_path(path: Any) -> str:
    """A state path for people: `draft["drafts/x.md"].sha`, `context[3]`."""
    from agentlog_tui.core.diff import format_path

    return clean(format_path(path))


def emit_json(obj: Any) -> None:
    sys.stdout.write(to_json(obj, indent=True).decode() + "\n")


# ---- arguments ----------------------------------------------------------------------------------


def _common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("log format")
    g.add_argument("--format", metavar="NAME|FILE.py:NAME",
                   help="force a log format (see `agentlog-tui formats`), or load one from a file")
    g.add_argument("--projection", metavar="FILE.py:NAME|module:NAME",
                   help="a custom projection (Python code, loaded only because you name it)")
    g.add_argument("--key-field", metavar="FIELD", action="append",
                   help="subject fields for the default projection, in order (repeatable)")
    g.add_argument("--type-field", metavar="FIELD")
    g.add_argument("--id-field", metavar="FIELD")
    g.add_argument("--ts-field", metavar="FIELD")
    g.add_argument("--data-field", metavar="FIELD")
    g.add_argument("--resume-type", metavar="TYPE", action="append",
                   help="event types that start a new executor run (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Inspect and time-travel agent event logs. "
        "`agentlog-tui LOG` opens the UI; subcommands run headless.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{" + ",".join(SUBCOMMANDS) + "}")
    p = sub.add_parser("state", help="the state after an event (the head by default)")
    p.add_argument("log")
    p.add_argument("--at", type=int, metavar="SEQ", help="event id (default: the last event)")
    p.add_argument("--json", action="store_true", help="print {seq, state} as JSON")
    _common(p)
    p = sub.add_parser("check", help="integrity, projection failures and resume checks")
    p.add_argument("log")
    p.add_argument("--json", action="store_true")
    _common(p)
    p = sub.add_parser("diff", help="stored snapshots against fresh replays")
    p.add_argument("log")
    p.add_argument("--snapshot", metavar="FILE", action="append",
                   help="a snapshot file ({at_seq, state} or a bare state at the head)")
    p.add_argument("--json", action="store_true")
    _common(p)
    p = sub.add_parser("compact", help="what compaction drops; with -o, write the compacted log")
    p.add_argument("log")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="write the compacted log here (never the input, never over an existing file)")
    p.add_argument("--force", action="store_true", help="with -o: replace OUT if it exists")
    p.add_argument("--protect-last", type=int, default=0, metavar="N",
                   help="keep the last N events whatever they are")
    p.add_argument("--json", action="store_true")
    _common(p)
    cli_formats.add_parser(sub)
    for name in COMMAND_MODULES:
        __import__(name, fromlist=["add_parser"]).add_parser(sub)
    for sp in (parser, *sub.choices.values()):
        sp.epilog = EXIT_CODES
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agentlog-tui")
    except PackageNotFoundError:
        return "unknown"


def build_ui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        usage=f"{PROG} [LOG | DIR | --demo] [options]\n       {PROG} {{state,check,diff,compact,formats}} LOG [--json] ...",
        description="Open the UI on an agent's event log (live-tailed). "
        "Run `agentlog-tui check --help` etc. for the headless commands.",
    )
    parser.epilog = EXIT_CODES
    parser.add_argument("log", nargs="?", help="the log file (JSON Lines), or a folder of them: "
                        "a session list (default: your Claude Code and Codex sessions)")
    parser.add_argument("--demo", action="store_true", help="open the UI on a simulated agent writing a log live")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    _common(parser)
    return parser


def analysis_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for core.analysis.Analysis from the common options."""
    from agentlog_tui.core.formats.base import Options
    from agentlog_tui.core.projection import ProjectionError, load_projection

    for opt in ("format", "projection", "type_field", "id_field", "ts_field", "data_field"):
        value = getattr(args, opt, None)
        if value is not None and not value.strip():  # `--format ""` was taken as no option
            raise UsageError(f"--{opt.replace('_', '-')}: empty; give a name or leave the option out")
    options = Options(
        type_field=args.type_field,
        id_field=args.id_field,
        ts_field=args.ts_field,
        data_field=args.data_field,
        key_fields=tuple(k for ks in args.key_field for k in ks.split(",") if k) if args.key_field else None,
        resume_types=tuple(args.resume_type) if args.resume_type else None,
    )
    kwargs: dict[str, Any] = {"options": options}
    if args.format:
        try:
            kwargs["format"] = cli_formats.resolve_format(args.format)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if args.projection:
        try:
            kwargs["projection"] = load_projection(args.projection)
        except ProjectionError as exc:
            raise UsageError(str(exc)) from None
    return kwargs


def open_log(args: argparse.Namespace):
    """Open and analyse the log named on the command line, with progress on a terminal."""
    from agentlog_tui.core.analysis import Analysis
    from agentlog_tui.core.reader import LogReadError

    kwargs = analysis_kwargs(args)
    cli_formats.warn_problems()
    try:
        from agentlog_tui.core.jsondoc import open_log as open_source

        open_source(args.log, index=False, strict=True).close()  # no log at all: one line, exit 2
        a = Analysis(args.log, **kwargs)
    except LogReadError as exc:
        raise UsageError(str(exc)) from None
    show = sys.stderr.isatty() and a.log.size > 8 << 20

    def progress(done: int, total: int) -> None:
        if show and total:
            sys.stderr.write(f"\ranalysing {os.path.basename(args.log)} {100 * done // total:3d}%")
            sys.stderr.flush()

    try:
        a.run(progress)
    except LogReadError as exc:  # e.g. truncated while it was read
        raise UsageError(str(exc)) from None
    if show:
        sys.stderr.write("\r" + " " * 60 + "\r")
    return a


# ---- commands -----------------------------------------------------------------------------------


def cmd_state(args: argparse.Namespace) -> int:
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
    return "\n".join(clean(line) for line in text.split("\n"))


def check_json(a: Any) -> dict:
    """The `check --json` document."""
    from agentlog_tui.core.branches import branch_reports
    from agentlog_tui.core.context_review import compaction_reviews
    from agentlog_tui.core.drift import unknown_kinds
    from agentlog_tui.core.integrity import format_findings, information_json
    from agentlog_tui.core.jsondoc import container_json
    from agentlog_tui.core.report_stream import malformed_json
    from agentlog_tui.core.resumes import resume_reports
    from agentlog_tui.core.subagents import missing_subagents

    anomalies = [x.to_json() for x in a.anomalies]
    for pos, err in sorted(a.failed.items()):
        anomalies.append({"kind": "projection_failed", "line": a.event_lines[pos] + 1,
                          "seq": a.seqs[pos], "error": err})
    anomalies.extend(missing_subagents(a))  # Claude Code Task calls without their transcript
    resumes = [r.to_json() for r in resume_reports(a)]
    listed = {c["line"] for r in resumes for c in r["unanswered"]}  # told once, by their resume
    anomalies.extend(f.to_json() for f in format_findings(a)  # what the agent would trip over
                     if not (f.kind == "unanswered_call" and f.line in listed))
    if a.n_events and not a.deterministic():
        anomalies.append({"kind": "nondeterministic", "line": 0,
                          "error": "replaying the log twice gives different states"})
    return {
        "format": a.format.name,
        "events": a.n_events,
        "lines": a.n_lines,
        "blank_lines": a.blank_lines,
        "fields": a.mapper.describe(),
        "malformed": malformed_json(a.malformed),  # made as it is written (core/report_stream)
        "anomalies": anomalies,
        "resumes": resumes,
        "compactions": compaction_reviews(a),  # what the model lost at each
        "branches": branch_reports(a),
        "pending_tail": a.pending is not None,
        "information": information_json(a),
        "unknown_kinds": unknown_kinds(a),
        "container": container_json(a.log),
    }


def anomaly_text(x: dict) -> str:
    """One line for people about an anomaly of `check --json`."""
    k = x["kind"]
    if k == "duplicate_id":
        return f"#{x['seq']} was already used on line {x['first_line']}"
    if k == "id_backwards":
        return f"#{x['seq']} comes after #{x['previous']}"
    if k == "id_gap":
        return f"#{x['seq']} follows #{x['after']}: {x['missing']} id(s) missing"
    if k == "ts_backwards":
        return f"#{x['seq']} at {x['ts']} is earlier than the event before it"
    if "text" in x:  # a format's own finding: what is wrong, then what to do
        return f"{x['text']}: {x['hint']}" if x.get("hint") else x["text"]
    if k == "projection_failed":
        return f"#{x['seq']}: the projection raised {x['error']}"
    if k == "subagent_missing":
        return f"#{x['seq']} {x['message']}"
    detail = {a: b for a, b in x.items() if a not in ("kind", "line")}
    return short(detail, 80)


def print_unknown_kinds(a: Any, kinds: list[dict]) -> None:
    """Format drift in `check`'s text: one summary line, then a line per kind (at most 10)."""
    from agentlog_tui.core.drift import drift_line

    line = drift_line(a)
    if line is None:
        return
    print(f"  {clean(line)} (newer agent version?)")
    for k in kinds[:10]:
        print(f"  line {k['first_line']:>6}  unknown kind      {clean(k['kind'])} ×{k['count']}")
    if len(kinds) > 10:
        print(f"  {'':>11}  unknown kind      … and {len(kinds) - 10} more (all of them with --json)")


def cmd_check(args: argparse.Namespace) -> int:
    a = open_log(args)
    doc = check_json(a)
    findings = (len(doc["malformed"]) + len(doc["anomalies"]) + int(doc["pending_tail"])
                + sum(r["findings"] for r in doc["resumes"]))
    if args.json:
        from agentlog_tui.core.report_stream import write_json

        write_json(doc, sys.stdout)  # a million malformed lines are written, never held
        return 1 if findings else 0
    name = os.path.basename(args.log)
    resumes = doc["resumes"]
    comp = f", {len(doc['compactions'])} compactions" if doc["compactions"] else ""
    if doc["branches"]:
        comp += f", {len(doc['branches'])} abandoned branch{'es' if len(doc['branches']) > 1 else ''}"
    print(f"{clean(name)}: {doc['format']}, {doc['events']} events, {doc['lines']} lines, "
          f"{len(doc['malformed'])} malformed, {len(doc['anomalies'])} anomalies, "
          f"{len(resumes)} resumes{comp}")
    from agentlog_tui.core.jsondoc import container_note

    if (note := container_note(a.log)) is not None:
        print(f"  {clean(note)}")
    for m in doc["malformed"]:
        print(f"  line {m['line']:>6}  malformed   {clean(m['error'])}")
    shown: dict[str, int] = defaultdict(int)
    for x in doc["anomalies"]:
        shown[x["kind"]] += 1
        if shown[x["kind"]] <= 5:
            print(f"  line {x['line']:>6}  {x['kind']:<17} {clean(anomaly_text(x))}")
    for kind, n in shown.items():
        if n > 5:
            print(f"  {'':>11}  {kind:<17} … and {n - 5} more (all of them with --json)")
    info: dict[str, int] = defaultdict(int)
    for x in doc["information"]:
        info[x["kind"]] += 1
    for kind, n in info.items():
        print(f"  {'':>11}  {'information':<17} {n} {kind} ({doc['format']} does not promise "
              f"this: not a finding)")
    print_unknown_kinds(a, doc["unknown_kinds"])
    if doc["pending_tail"]:
        print(f"  line {a.pending.line:>6}  pending tail      an unterminated last line (a writer mid-write?)")
    from agentlog_tui.core.context_review import compaction_line

    for c in doc["compactions"]:
        print(f"  line {c['line']:>6}  compaction        {clean(compaction_line(c))}")
        lost = [p for p in c["user_prompts"] if not p["in_summary"]]
        for p in lost[:5]:
            print(f"      not in the summary: #{p['seq']} {clean(short(p['text'], 100))}")
        if len(lost) > 5:
            print(f"      … and {len(lost) - 5} more (all of them with --json)")
    for b in doc["branches"]:  # information, not a finding: a rewind is a branch, not an error
        fork = f"forks at #{b['forks_at']}" if b["forks_at"] is not None else "has no parent in the file"
        print(f"  line {b['line']:>6}  branch            #{b['seq']}..#{b['last_seq']} "
              f"({b['events']} events) {fork}, off the live branch")
    for r in resumes:
        head = f"  resume #{r['seq']} from #{r['from_event']}" if r["from_event"] is not None else f"  resume #{r['seq']}"
        if r.get("earlier_session"):
            head += f" (continues session {clean(r['earlier_session'])[:13]})"
        if not r["findings"]:
            print(f"{head}: clean")
            continue
        print(f"{head}: {r['findings']} finding(s)")
        if r["unknown_from_event"]:
            print(f"      from_event #{r['from_event']} is not an event before the resume")
        if r["missed"]:
            print(f"      missed events: {', '.join('#' + str(s) for s in r['missed'])}")
        snap = r["snapshot"]
        if snap and snap["verdict"] != "match":
            print(f"      loaded snapshot ({snap['source']}, at #{snap['at_seq']}) drifted: "
                  f"{len(snap['differences'])} difference(s) (see `agentlog-tui diff`)")
        for c in r.get("unanswered", ()):
            print(f"      never answered: #{c['seq']} {clean(c['input'])} ({clean(c['call_id'])}): "
                  "check whether it ran before relying on it or running it again")
        for d in r["duplicates"]:
            subj = f" {clean(d['subject'])}" if d["subject"] is not None else ""
            print(f"      possible duplicate effect: #{d['seq']} repeats #{d['original_seq']} "
                  f"({clean(d['entity'])}{subj})")
    if not findings:
        print("  ✓ no integrity problems")
    return 1 if findings else 0


def cmd_diff(args: argparse.Namespace) -> int:
    from agentlog_tui.core.snapshots import SnapshotFileError, file_report, snapshot_reports

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


def cmd_compact(args: argparse.Namespace) -> int:
    from agentlog_tui.core.compaction import (
        CompactionError,
        NotVerified,
        plan_compaction,
        write_compacted,
    )

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


COMMANDS = {"state": cmd_state, "check": cmd_check, "diff": cmd_diff, "compact": cmd_compact,
            "formats": cli_formats.run}


def fail(msg: str, code: int = 2) -> NoReturn:
    sys.stderr.write(f"{PROG}: {clean(msg)}\n")
    raise SystemExit(code)


EXIT_CODES = ("exit codes: 0 clean, 1 findings, 2 bad usage or unreadable input, "
              "3 internal error (AGENTLOG_DEBUG=1 prints its traceback)")


def internal_error(exc: BaseException, args: Any = None) -> int:
    """The error boundary: one line naming the file and the error, exit 3 (the traceback too
    when AGENTLOG_DEBUG is set)."""
    from agentlog_tui.tui.errors import EXIT_INTERNAL, debug_enabled, internal_error_line

    if debug_enabled():
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    sys.stderr.write(internal_error_line(exc, getattr(args, "log", None)) + "\n")
    return EXIT_INTERNAL


def _tolerant_streams() -> None:
    """Text a terminal's encoding cannot hold is escaped, not an exception (a latin-1 locale)."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict":
            try:
                stream.reconfigure(errors="backslashreplace")
            except (AttributeError, ValueError, OSError):
                pass


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = None
    _tolerant_streams()
    try:
        if argv and argv[0] in SUBCOMMANDS:
            args = build_parser().parse_args(argv)
            code = (getattr(args, "func", None) or COMMANDS[args.command])(args)
        else:
            if argv and argv[0] in ("-h", "--help") and len(argv) == 1:
                build_ui_parser().print_help()
                print("\nheadless commands:")
                for name, text in (("state", "the state after an event"), ("check", "integrity and resume checks"),
                                   ("diff", "snapshots against replay"), ("compact", "compaction review / write"),
                                   ("formats", "the log formats"), ("sessions", "the sessions in folders"),
                                   ("find", "search sessions' text")):
                    print(f"  {PROG} {name:<8} {text}")
                return 0
            args = build_ui_parser().parse_args(argv)
            code = run_ui(args)
        sys.stdout.flush()
        return code
    except UsageError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the final flush
        except OSError:
            pass
        return 0
    except (SystemExit, GeneratorExit):
        raise
    except AppCrashed as exc:  # the app showed the error in its dialog; the line for stderr
        sys.stderr.write(exc.line + "\n")
        return EXIT_INTERNAL
    except Exception as exc:  # noqa: BLE001 - the error boundary: one line, exit 3, never a traceback
        return internal_error(exc, args)


def run_ui(args: argparse.Namespace) -> int:
    kwargs = analysis_kwargs(args)
    from agentlog_tui.core.jsondoc import is_event_folder  # a folder of per-event files is a log

    if not args.demo and (not args.log or (os.path.isdir(args.log) and not is_event_folder(args.log))):
        from agentlog_tui.tui.session_browser import run_sessions_ui  # a session list

        return run_sessions_ui(args.log, kwargs)
    if args.log:
        from agentlog_tui.core.jsondoc import open_log
        from agentlog_tui.core.reader import LogReadError

        try:
            open_log(args.log, index=False, strict=True).close()
        except LogReadError as exc:
            raise UsageError(str(exc)) from None
    if not args.demo:
        from agentlog_tui.tui.session_browser import run_log_ui

        return run_log_ui(args.log, kwargs)
    from agentlog_tui.tui.app import run_app

    return run_app(args.log, analysis_kwargs=kwargs, demo=args.demo) or 0


if __name__ == "__main__":  # run the package's module, so that subcommand modules share its classes
    from agentlog_tui.tui.cli import main as package_main

    raise SystemExit(package_main())
