"""`agentlog-tui check LOG [--json]`: integrity, projection failures and resume checks
(exit 1 when there are findings)."""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from typing import Any


def add_parser(sub: argparse._SubParsersAction) -> None:
    from agentlog_tui.tui.cli import _common

    p = sub.add_parser("check", help="integrity, projection failures and resume checks")
    p.add_argument("log")
    p.add_argument("--json", action="store_true")
    _common(p)


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
    from agentlog_tui.tui.cli import short

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
    from agentlog_tui.tui.cli import clean

    line = drift_line(a)
    if line is None:
        return
    print(f"  {clean(line)} (newer agent version?)")
    for k in kinds[:10]:
        print(f"  line {k['first_line']:>6}  unknown kind      {clean(k['kind'])} ×{k['count']}")
    if len(kinds) > 10:
        print(f"  {'':>11}  unknown kind      … and {len(kinds) - 10} more (all of them with --json)")


def run(args: argparse.Namespace) -> int:
    from agentlog_tui.tui.cli import clean, open_log, short

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
