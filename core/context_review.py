"""What the model lost at each context compaction (DESIGN section 13, `check --json`'s
"compactions").

A format with `context_compactions(objs)` (Claude Code, Codex) says where each compaction is and
what the context held since the previous one; this module turns that into the report: `seq`,
`line`, `trigger`, `tokens_before`, `tokens_after`, `summary_seq`, `dropped_events`,
`user_prompts` [{seq, text, in_summary}] (by core.summary_match's heuristic, or because the
compacted history keeps the message), `files` [{path, read, written, in_summary}], `errors`
[{seq, tool, text}], `open_todos`, `calls_in_flight` [{seq, call_id, name, input}]. Other formats
report their compaction boundaries with the fields they cannot know as null.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentlog_tui.core.integrity import event_objects
from agentlog_tui.core.summary_match import in_summary

if TYPE_CHECKING:
    from agentlog_tui.core.analysis import Analysis


def compaction_reviews(analysis: Analysis) -> list[dict[str, Any]]:
    """One review per context compaction, in log order."""
    a = analysis
    review = getattr(a.format, "context_compactions", None)
    if review is None or not a.n_events:
        return [{"seq": a.seqs[p], "line": a.event_lines[p] + 1, "label": b.label, "trigger": None,
                 "tokens_before": None, "tokens_after": None, "summary_seq": None,
                 "dropped_events": None, "user_prompts": [], "files": [], "errors": [],
                 "open_todos": [], "calls_in_flight": []}
                for p, b in sorted(a.boundaries.items()) if b.kind == "compaction"]
    seqs = a.seqs

    def seq(i: int) -> int:
        return seqs[i]

    out = []
    for c in review(event_objects(a)):
        summary = c["summary"] or ""
        prompts = []
        for pr in c["prompts"]:
            i, text = pr[0], pr[1]
            kept = pr[2] if len(pr) > 2 else False
            prompts.append({"seq": seq(i), "text": text, "in_summary": bool(kept) or in_summary(text, summary)})
        b = a.boundaries.get(c["index"])
        out.append({
            "seq": seq(c["index"]),
            "line": a.event_lines[c["index"]] + 1,
            "label": b.label if b is not None else "context compacted",
            "trigger": c["trigger"],
            "tokens_before": c["tokens_before"],
            "tokens_after": c["tokens_after"],
            "summary_seq": seq(c["summary_index"]) if c["summary_index"] is not None else None,
            "dropped_events": c["dropped"],
            "user_prompts": prompts,
            "files": [{"path": path, "read": f["read"], "written": f["written"],
                       "in_summary": path in summary or path.rsplit("/", 1)[-1] in summary}
                      for path, f in c["files"].items()],
            "errors": [{"seq": seq(i), "tool": tool, "text": text} for i, tool, text in c["errors"]],
            "open_todos": c["open_todos"],
            "calls_in_flight": [{"seq": seq(i), "call_id": cid, "name": name, "input": inp}
                                for i, cid, name, inp in c["in_flight"]],
        })
    return out


def _k(n: Any) -> str:
    if not isinstance(n, int) or isinstance(n, bool):
        return "?"
    return f"{n / 1000:.0f}k" if n >= 1000 else str(n)


def compaction_line(c: dict) -> str:
    """`#482 auto compaction: 167k -> 12k tokens, 214 events left the context, 3 of 11 user
    instructions not in the summary`."""
    trig = f"{c['trigger']} " if c.get("trigger") else ""
    parts = []
    if c.get("tokens_before") is not None or c.get("tokens_after") is not None:
        parts.append(f"{_k(c.get('tokens_before'))} -> {_k(c.get('tokens_after'))} tokens")
    if c.get("dropped_events") is not None:
        parts.append(f"{c['dropped_events']} events left the context")
    prompts = c.get("user_prompts") or []
    if prompts:
        lost = sum(1 for p in prompts if not p["in_summary"])
        parts.append(f"{lost} of {len(prompts)} user instructions not in the summary")
    if c.get("calls_in_flight"):
        parts.append(f"{len(c['calls_in_flight'])} call(s) in flight")
    return f"#{c['seq']} {trig}compaction" + (": " + ", ".join(parts) if parts else "")


def review_at(analysis: Analysis, pos: int) -> dict[str, Any] | None:
    """The review of the compaction at event position `pos` (None when it is not one); the
    reviews of the whole log are worked out once per length of the log."""
    a = analysis
    b = a.boundaries.get(pos)
    if b is None or b.kind != "compaction":
        return None
    key = ("compaction_reviews", a.n_events)
    by_pos = a.memo.get(key)
    if by_pos is None:
        for k in [k for k in a.memo if isinstance(k, tuple) and k[:1] == ("compaction_reviews",)]:
            del a.memo[k]
        by_pos = {}
        for c in compaction_reviews(a):
            p = a.pos_of_seq(c["seq"])
            if p is not None:
                by_pos[p] = c
        a.memo[key] = by_pos
    return by_pos.get(pos)
