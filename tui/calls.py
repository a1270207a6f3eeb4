"""Tool calls and their results, and the failures to step through (error-first navigation).

`CallIndex` pairs the calls of a Claude Code or Codex session with their results (by
`tool_use_id` / `call_id`) and lists the lines that failed: error results, failed calls (a
non-zero exit), events the projection failed on, malformed lines and findings. It reads only the
events whose type can hold a call or a result (`Analysis.type_of`, no parsing for the others),
and grows with the log (`update` reads the lines added since the last call).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentlog_tui.core.events import Kind

try:
    from agentlog_tui.core.formats.claude_code import tool_use_summary
except ImportError:  # pragma: no cover
    tool_use_summary = None  # type: ignore[assignment]
try:
    from agentlog_tui.core.formats.codex import (
        CALL_TYPES,
        OUTPUT_TYPES,
        _output_and_meta,
        call_summary,
    )
except ImportError:  # pragma: no cover
    CALL_TYPES = OUTPUT_TYPES = frozenset()
    _output_and_meta = call_summary = None  # type: ignore[assignment]

CLAUDE_CALL, CLAUDE_RESULT = "assistant.tool_use", "user.tool_result"


@dataclass
class CallIndex:
    """Calls, results and failures of one log, by 0-based line."""

    call_line: dict[str, int] = field(default_factory=dict)  # call id -> line of the call
    result_line: dict[str, int] = field(default_factory=dict)  # call id -> line of its result
    summary: dict[str, str] = field(default_factory=dict)  # call id -> "Bash: npm test"
    ids_at: dict[int, list[str]] = field(default_factory=dict)  # line -> call ids it calls/answers
    failures: set[int] = field(default_factory=set)  # lines of error results and failed calls
    scanned: int = 0  # lines read so far

    def partner(self, line: int) -> int | None:
        """The line of the result of the call on `line`, or of the call a result answers."""
        for cid in self.ids_at.get(line, ()):
            a, b = self.call_line.get(cid), self.result_line.get(cid)
            if a == line and b is not None:
                return b
            if b == line and a is not None:
                return a
        return None

    def answers(self, line: int) -> str | None:
        """'Bash: npm test' for a result line (the call it answers), else None."""
        for cid in self.ids_at.get(line, ()):
            if self.result_line.get(cid) == line and cid in self.summary:
                return self.summary[cid]
        return None

    def update(self, a: Any) -> None:
        """Read the lines added since the last update (call with the model's lock held)."""
        fmt = getattr(a.format, "name", "")
        start, end = self.scanned, a.n_lines
        self.scanned = end
        if fmt == "claude-code":
            self._scan(a, start, end, self._claude)
        elif fmt == "codex":
            self._scan(a, start, end, self._codex)

    def _scan(self, a: Any, start: int, end: int, read) -> None:
        line_pos = a.line_pos
        for line in range(start, end):
            pos = line_pos[line]
            if pos >= 0:
                read(a, line, pos)

    def _add(self, line: int, cid: Any, call: bool, summary: str | None = None,
             failed: bool = False) -> None:
        if not isinstance(cid, str):
            return
        (self.call_line if call else self.result_line)[cid] = line
        self.ids_at.setdefault(line, []).append(cid)
        if summary is not None:
            self.summary[cid] = summary
        if failed:
            self.failures.add(line)

    def _claude(self, a: Any, line: int, pos: int) -> None:
        t = a.type_of(pos)
        if t not in (CLAUDE_CALL, CLAUDE_RESULT):
            return
        data = a.event(pos).data
        msg = data.get("message") if isinstance(data, dict) else None
        blocks = msg.get("content") if isinstance(msg, dict) else None
        if not isinstance(blocks, list):
            return
        for b in blocks:
            if not isinstance(b, dict):
                continue
            if b.get("type") in ("tool_use", "server_tool_use"):
                s = tool_use_summary(b) if tool_use_summary is not None else str(b.get("name"))
                self._add(line, b.get("id"), True, s)
            elif b.get("type") == "tool_result":
                self._add(line, b.get("tool_use_id"), False, failed=bool(b.get("is_error")))

    def _codex(self, a: Any, line: int, pos: int) -> None:
        t = a.type_of(pos)
        kind = t.split(".", 1)[1] if t.startswith("response_item.") else ""
        if kind not in CALL_TYPES and kind not in OUTPUT_TYPES:
            return
        p = a.event(pos).data
        if not isinstance(p, dict):
            return
        cid = p.get("call_id") or p.get("id")
        if kind in CALL_TYPES:
            self._add(line, cid, True, call_summary(p) if call_summary is not None else kind)
        else:
            failed = False
            if _output_and_meta is not None:
                _out, meta = _output_and_meta(p)
                code = meta.get("exit_code")
                failed = isinstance(code, int) and code not in (0, 1) or (
                    isinstance(code, int) and code == 1 and not _is_search(self.summary.get(cid)))
            self._add(line, cid, False, failed=failed)


def _is_search(summary: str | None) -> bool:
    """grep / rg exit 1 when nothing matched: not a failure."""
    if not summary:
        return False
    cmd = summary.split(":", 1)[-1].strip()
    return cmd.startswith(("grep ", "rg ", "git grep "))


def failure_lines(a: Any, index: CallIndex, derived: Any) -> list[int]:
    """Every line to stop at with the failure keys, in order: error results and failed calls,
    events the projection failed on, malformed lines, resumes with findings, drifted snapshots."""
    lines = set(index.failures)
    el = a.event_lines
    for pos in a.failed:
        if pos < len(el):
            lines.add(el[pos])
    kinds = a.kinds
    malformed = int(Kind.MALFORMED)
    lines.update(i for i, k in enumerate(kinds) if k == malformed)
    for pos, rep in derived.resumes.items():
        if getattr(rep, "findings", 0) and pos < len(el):
            lines.add(el[pos])
    for pos, rep in derived.snapshots.items():
        if getattr(rep, "verdict", "match") != "match" and pos < len(el):
            lines.add(el[pos])
    return sorted(lines)
