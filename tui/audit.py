"""The header's finding badge counts what `agentlog-tui check` counts (DESIGN section 13).

`check` counts malformed lines, the engine's anomalies, events the projection failed on, a
format's own audit (Claude Code, Codex: duplicate uuids, dangling `parentUuid`, results without a
call, calls never answered), missing subagent transcripts, a pending tail and the resumes'
findings. The format audit parses every event afresh, so it runs in its own worker: at once after
the first analysis or a reload, and while a live tail brings events at most once every
`AUDIT_INTERVAL` seconds, or every `AUDIT_SPACING` times as long as the last count took, if
longer (the badge may lag the tail by that long). The count holds the model's lock, which the
tail's reads and the timeline's rows wait for: a 50 MB Claude Code session takes ~1 s to
count, which once a second stalled the tail for a second; spaced by its cost, the audit holds
the lock at most 1/AUDIT_SPACING of the time.
"""

from __future__ import annotations

import time
from typing import Any

from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from agentlog_tui.tui.features import while_mounted

AUDIT_INTERVAL = 1.0
AUDIT_SPACING = 20  # a count costing t seconds waits AUDIT_SPACING * t before the next


def check_findings(a: Any, resumes: list[Any]) -> int:
    """The number of findings `check` reports for an analysed log (lock held): the same sum
    as `tui/cli.py cmd_check` over `check_json`'s parts."""
    from agentlog_tui.core.integrity import format_findings
    from agentlog_tui.core.subagents import missing_subagents

    listed = {c["line"] for r in resumes for c in r.unanswered}  # told once, by their resume
    audit = [
        f for f in format_findings(a) if not (f.kind == "unanswered_call" and f.line in listed)
    ]
    n = len(a.malformed) + len(a.anomalies) + len(a.failed) + (1 if a.pending is not None else 0)
    n += len(missing_subagents(a)) + len(audit) + sum(r.findings for r in resumes)
    if a.n_events and not a.deterministic():
        n += 1
    return n


class Audited(Message):
    """The audit worker's count, for the analysis state it was computed on."""

    def __init__(self, count: int, n_events: int) -> None:
        super().__init__()
        self.count = count
        self.n_events = n_events


class AuditFeature:
    """Keeps `audit_count` (the header's finding badge) equal to `check`'s count."""

    def _init_audit(self) -> None:
        self.audit_count: int | None = None  # None: not computed yet
        self._audit_timer: Timer | None = None
        self._audit_cost = 0.0  # seconds the last count held the model's lock

    def audit_delay(self) -> float:
        """How long a recount waits while the log grows: spaced by what the last one cost."""
        return max(AUDIT_INTERVAL, AUDIT_SPACING * self._audit_cost)

    def request_audit(self, now: bool = False) -> None:
        """Recount, at once or within `AUDIT_INTERVAL` (a count already due covers this one)."""
        if now:
            if self._audit_timer is not None:
                self._audit_timer.stop()
                self._audit_timer = None
            self.audit()
        elif self._audit_timer is None:
            self._audit_timer = self.set_timer(self.audit_delay(), self._audit_due)

    def _audit_due(self) -> None:
        self._audit_timer = None
        self.audit()

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit")
    def audit(self) -> None:
        model = self.model
        with model.lock:
            if get_current_worker().is_cancelled or model.shrunk() or not model.analysed:
                return
            resumes = list(model.derived.resumes.values())
            start = time.monotonic()
            try:
                count = check_findings(model.a, resumes)
            except Exception:  # noqa: BLE001 - the badge falls back to the engine's count
                return
            finally:
                self._audit_cost = time.monotonic() - start
            n = model.a.n_events
        if not get_current_worker().is_cancelled:
            self.post_message(Audited(count, n))

    @while_mounted
    def on_audited(self, msg: Audited) -> None:
        self.audit_count = msg.count
        self.update_header()
