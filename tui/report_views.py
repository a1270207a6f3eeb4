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
        t.append("\n")
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
    if res is None and rep is None:
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
