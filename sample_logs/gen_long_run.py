"""Generate `long_run.jsonl`: a deterministic, realistic ~3000-event agent session.

Several tasks, each with drafts rewritten many times, checks re-run until they pass, tool calls
(some failing and retried), notes and scratch files that get deleted. Two `snapshot` events carry
the exact state under the default projection at that point, and one `executor_resumed` picks up
cleanly right after the second. Under the default projection most events end up superseded.

    python sample_logs/gen_long_run.py [--seed 7] [-o sample_logs/long_run.jsonl]

Standalone on purpose (stdlib only, no import of `core`), so the sample does not depend on the code
it is meant to test.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DELETE_VERBS = {"deleted", "removed", "cleared"}
SUBJECT_FIELDS = ("key", "id", "path", "name")
CHECKS = ("spelling", "links", "style", "facts")
TOOLS = ("web_search", "fetch_url", "read_file", "run_python", "grep")
TASKS = (
    "Outline the launch post",
    "Write the launch post",
    "Write the changelog",
    "Draft the docs quickstart",
    "Answer the support thread",
    "Write the release tweet thread",
)
CHECK_ERRORS = {
    "spelling": "3 unknown words",
    "links": "404 https://example.com/old-docs",
    "style": "sentence longer than 40 words",
    "facts": "claim without a source",
}


def apply(state: dict[str, Any], event: dict[str, Any]) -> None:
    """Fold one event into `state` with the default entities projection (DESIGN.md section 4)."""
    etype = event["type"]
    if etype == "snapshot":
        return
    cut = max(etype.rfind("_"), etype.rfind("."))
    entity, verb = (etype, None) if cut < 0 else (etype[:cut], etype[cut + 1 :])
    data = event.get("data") or {}
    subject = next(
        (
            data[f]
            for f in SUBJECT_FIELDS
            if isinstance(data.get(f), (str, int)) and not isinstance(data.get(f), bool)
        ),
        None,
    )
    value = {"status": verb, **data}
    if subject is None:
        if verb in DELETE_VERBS:
            state.pop(entity, None)
        else:
            state[entity] = value
        return
    if verb in DELETE_VERBS:
        if isinstance(state.get(entity), dict):
            state[entity].pop(subject, None)
        return
    if not isinstance(state.get(entity), dict):
        state[entity] = {}
    state[entity][subject] = value


class Session:
    """Accumulates events with increasing seq and ts, folding them as it goes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.events: list[dict[str, Any]] = []
        self.state: dict[str, Any] = {}
        self.clock = datetime(2026, 11, 26, 9, 0, 0, tzinfo=UTC)
        self.tool_calls = 0

    def emit(self, etype: str, data: dict[str, Any], *, pause: float | None = None) -> int:
        """Append one event, `pause` seconds (default: a few) after the previous one."""
        step = pause if pause is not None else self.rng.uniform(0.5, 9.0)
        self.clock += timedelta(seconds=round(step, 3))
        seq = len(self.events) + 1
        ts = self.clock.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.clock.microsecond // 1000:03d}Z"
        event = {"seq": seq, "ts": ts, "type": etype, "data": data}
        self.events.append(event)
        apply(self.state, event)
        return seq

    def snapshot(self) -> int:
        """Emit a correct snapshot of the state after the last event."""
        at = len(self.events)
        return self.emit(
            "snapshot", {"at_seq": at, "state": json.loads(json.dumps(self.state))}, pause=0.2
        )

    def sha(self) -> str:
        return f"{self.rng.getrandbits(28):07x}"

    def tool_call(self) -> None:
        self.tool_calls += 1
        call_id = f"tc-{self.tool_calls:04d}"
        tool = self.rng.choice(TOOLS)
        self.emit("tool_call_started", {"id": call_id, "tool": tool})
        attempt = 1
        while attempt < 4 and self.rng.random() < 0.15:
            self.emit(
                "tool_call_failed",
                {"id": call_id, "tool": tool, "attempt": attempt, "error": "timeout after 30s"},
            )
            attempt += 1
            self.emit("tool_call_retried", {"id": call_id, "tool": tool, "attempt": attempt})
        self.emit(
            "tool_call_finished",
            {"id": call_id, "tool": tool, "attempt": attempt, "ms": self.rng.randint(80, 9000)},
        )

    def run_checks(self, quality: float) -> bool:
        ok = True
        for name in CHECKS:
            if self.rng.random() < quality:
                self.emit("check_passed", {"name": name})
            else:
                ok = False
                self.emit("check_failed", {"name": name, "error": CHECK_ERRORS[name]})
        return ok

    def task(self, number: int, title: str, budget: int) -> None:
        """One task: research, then rewrite drafts and re-run checks until done or out of budget."""
        task_id = f"task-{number}"
        slug = title.lower().replace(" ", "-")
        paths = [f"drafts/{slug}/part-{i}.md" for i in range(1, self.rng.randint(2, 4) + 1)]
        self.emit("task_started", {"id": task_id, "title": title})
        end = len(self.events) + budget
        words = {p: self.rng.randint(150, 400) for p in paths}
        quality = 0.3
        while len(self.events) < end:
            roll = self.rng.random()
            if roll < 0.34:
                path = self.rng.choice(paths)
                words[path] += self.rng.randint(-40, 90)
                self.emit("draft_written", {"path": path, "sha": self.sha(), "words": words[path]})
                quality = min(0.97, quality + 0.03)
            elif roll < 0.56:
                self.run_checks(quality)
            elif roll < 0.74:
                self.tool_call()
            elif roll < 0.82:
                self.emit("note_added", {"task": task_id, "text": self.rng.choice(NOTES)})
            elif roll < 0.92:
                pct = min(99, int(100 * (1 - (end - len(self.events)) / budget)))
                self.emit("progress_reported", {"task": task_id, "pct": pct})
            else:
                path = f"scratch/{task_id}/{self.rng.randint(1, 4)}.txt"
                if self.rng.random() < 0.5:
                    self.emit(
                        "scratch_written", {"path": path, "bytes": self.rng.randint(10, 9999)}
                    )
                else:
                    self.emit("scratch_deleted", {"path": path})
        for attempt in range(1, 6):
            if self.run_checks(0.9):
                break
            self.emit("step_retried", {"name": "final-checks", "task": task_id, "attempt": attempt})
            path = self.rng.choice(paths)
            self.emit("draft_written", {"path": path, "sha": self.sha(), "words": words[path]})
        self.emit("verification_passed", {"task": task_id, "checks": len(CHECKS)})
        for path in sorted(self.state.get("scratch", {})):
            if path.startswith(f"scratch/{task_id}/"):
                self.emit("scratch_deleted", {"path": path})
        self.emit("task_completed", {"id": task_id, "title": title})


NOTES = (
    "the intro buries the lede",
    "need a benchmark number for the tail latency claim",
    "reader asked for a Windows install note",
    "cut the history section, nobody reads it",
    "link the design doc instead of repeating it",
    "the screenshot is out of date",
    "rate limit on the search API, backing off",
)


def generate(path: Path, seed: int = 7, events: int = 3000) -> int:
    """Write a session of about `events` events to `path`; return how many were written."""
    rng = random.Random(seed)
    session = Session(rng)
    session.emit("executor_started", {"executor": "exec-1", "pid": 4100 + rng.randint(0, 900)})
    budget = (events - 60) // len(TASKS)
    snapshot_after = {2, 4}
    for number, title in enumerate(TASKS, 1):
        session.task(number, title, budget)
        if number in snapshot_after:
            seq = session.snapshot()
            if number == 4:
                # The executor is killed here and a new one boots from the snapshot just written.
                session.emit(
                    "executor_resumed",
                    {"executor": "exec-2", "from_event": seq, "reason": "oom-killed"},
                    pause=rng.uniform(60, 240),
                )
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(
            json.dumps(event, ensure_ascii=False, separators=(", ", ": ")) + "\n"
            for event in session.events
        )
    return len(session.events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--events", type=int, default=3000, help="approximate number of events")
    parser.add_argument("-o", "--output", type=Path, default=HERE / "long_run.jsonl")
    args = parser.parse_args()
    count = generate(args.output, args.seed, args.events)
    print(f"wrote {count} events to {args.output}")


if __name__ == "__main__":
    main()
