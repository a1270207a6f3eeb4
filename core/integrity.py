"""What a format's own writers promise, and the findings of its audit (DESIGN section 13).

The engine's generic checks (ids in order, timestamps not going back) are findings only for
formats that promise them (`formats.base.promised_checks`); the others keep them as information.
A format with an `audit` (Claude Code, Codex) says instead what its agent would trip over:
duplicate record ids, links naming no record, results without calls, calls never answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentlog_tui.core.formats.base import Finding
from agentlog_tui.core.reader import parse_line

if TYPE_CHECKING:
    from agentlog_tui.core.analysis import Analysis


def event_objects(analysis: Analysis) -> list[dict]:
    """Every event's JSON object, in log order (parsed afresh from its bytes)."""
    a = analysis
    out = []
    for p in range(a.n_events):
        line = a.event_lines[p]
        value, _err = parse_line(a.log.line_bytes(line), first=line == 0)
        out.append(value if isinstance(value, dict) else {})
    return out


def format_findings(analysis: Analysis) -> list[Finding]:
    """The format's audit of the whole log ([] for a format without one), lines as in the file."""
    a = analysis
    audit = getattr(a.format, "audit", None)
    if audit is None or not a.n_events:
        return []
    lines = [a.event_lines[p] + 1 for p in range(a.n_events)]
    return audit(event_objects(a), lines)


def information_json(analysis: Analysis) -> list[dict]:
    """Generic anomalies the format does not promise to avoid (not findings), for `check --json`."""
    return [x.to_json() for x in analysis.information]
