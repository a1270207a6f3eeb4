"""The Diff and Snapshot tabs' content, built as literal `Text` from an `Inspection`."""

from __future__ import annotations

from rich.text import Text

from agentlog_tui.tui.model import Derived, Inspection
from agentlog_tui.tui.text import literal, path_text, short_json, visible

KIND_STYLE = {"added": "green", "removed": "red", "changed": "yellow", "missing": "red", "extra": "magenta"}
KIND_MARK = {"added": "+", "removed": "-", "changed": "~", "missing": "-", "extra": "+"}


def diff_text(ins: Inspection) -> Text:
    t = Text(end="")
    t.append(ins.diff_label, style="bold")
    if ins.diff_against is None:
        t.append("   (m marks an event to diff against)", style="dim")
    t.append("\n\n")
    if not ins.diff:
        t.append("no differences", style="dim")
    for c in ins.diff:
        style = KIND_STYLE.get(c.kind, "")
        t.append(f"{KIND_MARK.get(c.kind, '?')} ", style=style)
        t.append(path_text(c.path), style="bold " + style)
        t.append("  ")
        if c.kind == "added":
            t.append(short_json(c.new, 100), style="green")
        elif c.kind == "removed":
            t.append(short_json(c.old, 100), style="red strike")
        else:
            t.append(short_json(c.old, 60), style="red")
            t.append(" → ")
            t.append(short_json(c.new, 60), style="green")
        t.append("\n")
    return t


def snapshot_text(ins: Inspection, derived: Derived) -> Text:
    t = Text(end="")
    types = ins.types_by_seq

    def ev(seq: int | None) -> str:
        if seq is None:
            return "initial state"
        typ = types.get(seq)
        return f"#{seq} {visible(typ)}" if typ else f"#{seq}"

    res = ins.resume
    if res is not None:
        t.append(f"Resume at #{res.seq}", style="bold yellow")
        frm = "unknown" if res.from_seq is None else f"#{res.from_seq}"
        t.append(f" from {frm}\n")
        if res.unknown_from:
            t.append(f"  resumed from {frm}, which no event has\n", style="bold red")
        if res.missed:
            t.append(f"\nmissed {len(res.missed)} event(s) after #{res.from_seq}:\n",
                     style="bold red")
            for s in res.missed:
                t.append(f"  {ev(s)}\n", style="red")
        else:
            t.append("no missed events\n", style="green")
        if res.duplicates:
            t.append(f"\npossible duplicate effect(s): {len(res.duplicates)}\n", style="bold red")
            for dup in res.duplicates:
                t.append(f"  {ev(dup.seq)} repeats {ev(dup.original_seq)}", style="red")
                t.append(f"  ({visible(str(dup.entity))}", style="dim")
                if dup.subject is not None:
                    t.append(f" {visible(str(dup.subject))}", style="dim")
                t.append(")\n", style="dim")
        else:
            t.append("no duplicate effects\n", style="green")
        earlier = getattr(res, "earlier_session", None)
        if earlier:
            t.append("continues session ", style="dim")
            t.append(visible(str(earlier)), style="dim")
            t.append("\n")
        hanging = getattr(res, "unanswered", None) or []
        if hanging:
            t.append(f"\n{len(hanging)} call(s) in flight never answered:\n", style="bold red")
            for c in hanging:
                t.append(f"  #{c['seq']} ", style="red")
                t.append(visible(str(c["input"])), style="red")
                t.append(f"  ({visible(str(c['call_id']))})\n", style="dim")
            t.append("  check whether they ran before relying on them or running them again\n",
                     style="dim")
        t.append("\n")
    comp = getattr(ins, "compaction", None)
    if comp is not None:
        compaction_review_text(t, comp)
    rep = ins.snapshot
    if rep is not None:
        if res is not None:
            t.append("loaded by this resume: ", style="bold")
        t.append("Snapshot ", style="bold cyan")
        t.append(literal(str(rep.source), "bold cyan"))
        t.append(f" claims the state at #{rep.at_seq}\n")
        if rep.verdict == "match":
            t.append("✓ matches a fresh replay\n", style="bold green")
        else:
            n = len(rep.differences)
            t.append(f"⚠ DRIFT: {n} difference(s) from a fresh replay\n\n", style="bold yellow")
            for diff in rep.differences:
                style = KIND_STYLE.get(diff.kind, "")
                t.append(f"{KIND_MARK.get(diff.kind, '?')} {diff.kind:<8}", style=style)
                t.append(path_text(diff.path), style="bold")
                t.append("\n    snapshot: ")
                t.append(short_json(diff.snapshot, 70) if diff.kind != "missing" else "(absent)",
                         style="red")
                t.append("\n    replay:   ")
                t.append(short_json(diff.replay, 70) if diff.kind != "extra" else "(absent)",
                         style="green")
                t.append("\n    written by ", style="dim")
                t.append(ev(diff.written_by), style="#d7af5f")
                t.append("\n")
    if res is None and rep is None and comp is None:
        t.append("Not on a snapshot or resume.\n", style="dim")
        t.append("[ and ] jump to resumes.\n\n", style="dim")
        if derived.snapshot_list:
            t.append("Snapshots:\n", style="bold")
            for r in derived.snapshot_list:
                ok = r.verdict == "match"
                t.append("  ✓ " if ok else "  ⚠ ", style="green" if ok else "bold yellow")
                t.append(literal(str(r.source)))
                t.append(f" at #{r.at_seq}: {r.verdict}", style="green" if ok else "yellow")
                if not ok:
                    t.append(f" ({len(r.differences)})")
                t.append("\n")
        if derived.resumes:
            t.append("Resumes:\n", style="bold")
            for r in derived.resumes.values():
                t.append(f"  #{r.seq} from #{r.from_seq}: ")
                if r.findings:
                    t.append(f"⚠ {r.findings} finding(s)\n", style="bold yellow")
                else:
                    t.append("✓ clean\n", style="green")
    return t


def _k(n: object) -> str:
    if not isinstance(n, int) or isinstance(n, bool):
        return "?"
    return f"{n / 1000:.0f}k" if n >= 1000 else str(n)


def compaction_review_text(t: Text, c: dict) -> None:
    """What the model lost at a context compaction: the user instructions the summary does not
    keep first, then the files, errors, open todos and calls in flight it had in its context."""
    t.append("Context compaction", style="bold magenta")
    t.append(f" at #{c['seq']}")
    if c.get("trigger"):
        t.append(f" ({visible(str(c['trigger']))})")
    t.append("\n")
    if c.get("tokens_before") is not None or c.get("tokens_after") is not None:
        t.append(f"{_k(c.get('tokens_before'))} → {_k(c.get('tokens_after'))} tokens", style="dim")
    if c.get("dropped_events") is not None:
        t.append(f", {c['dropped_events']} events left the context", style="dim")
    if c.get("summary_seq") is not None:
        t.append(f", summary at #{c['summary_seq']}", style="dim")
    t.append("\n")
    prompts = c.get("user_prompts") or []
    lost = [p for p in prompts if not p["in_summary"]]
    if lost:
        t.append(f"\n⚠ {len(lost)} of {len(prompts)} user instruction(s) not in the summary:\n",
                 style="bold yellow")
        for p in lost:
            t.append(f"  #{p['seq']} ", style="yellow")
            t.append(visible(str(p["text"])) + "\n")
    elif prompts:
        t.append(f"\n✓ all {len(prompts)} user instruction(s) are in the summary\n", style="green")
    kept = [p for p in prompts if p["in_summary"]]
    if kept:
        t.append("in the summary:\n", style="dim")
        for p in kept:
            t.append(f"  #{p['seq']} ", style="dim")
            t.append(visible(str(p["text"])) + "\n", style="dim")
    files = c.get("files") or []
    if files:
        missing = sum(1 for f in files if not f["in_summary"])
        t.append(f"\nfiles ({len(files)}, {missing} not named in the summary):\n", style="bold")
        for f in sorted(files, key=lambda f: f["in_summary"]):  # the ones it does not name first
            t.append("  ⚠ " if not f["in_summary"] else "    ", style="yellow")
            t.append(visible(str(f["path"])), style="" if not f["in_summary"] else "dim")
            t.append(f" ({'written' if f['written'] else 'read'})\n", style="dim")
    for title, items, fmt in (
            ("failed calls", c.get("errors") or [], lambda e: f"#{e['seq']} {e['tool']}: {e['text']}"),
            ("open todos", c.get("open_todos") or [], lambda x: f"[{x['status']}] {x['content']}"),
            ("calls in flight", c.get("calls_in_flight") or [], lambda x: f"#{x['seq']} {x['input']}")):
        if items:
            t.append(f"\n{title} ({len(items)}):\n", style="bold")
            for it in items:
                t.append("  " + visible(str(fmt(it))) + "\n")
    t.append("\n")
