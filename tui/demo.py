"""A simulated agent that writes a log live, so a newcomer sees every feature in a minute.

The agent starts a task, drafts, runs checks (one fails), fixes the draft, tries to publish (rate
limited), retries and succeeds, is killed, resumes from a stale snapshot (missing what came after
it), publishes again (a duplicate effect), finishes, and then keeps emitting metric events so the
live tail stays visible.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

STEP_S = 0.8  # seconds between events (the demo is meant to be watched)


class DemoAgent(threading.Thread):
    """Writes events to `path` with pauses; `stop()` ends it."""

    def __init__(self, path: str, step_s: float = STEP_S, loop_forever: bool = True) -> None:
        super().__init__(daemon=True, name="agentlog-demo")
        self.path = path
        self.step_s = step_s
        self.loop_forever = loop_forever
        self._stop = threading.Event()
        self.seq = 0
        self.t0 = datetime(2026, 11, 26, 9, 0, 0, tzinfo=UTC)
        self.state: dict[str, Any] = {}

    def stop(self) -> None:
        self._stop.set()

    def _write(self, type_: str, data: dict, *, split: bool = False, gap_s: float = 3.0) -> None:
        self.seq += 1
        self.t0 += timedelta(seconds=gap_s)
        line = json.dumps({"seq": self.seq, "ts": self.t0.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "type": type_, "data": data}) + "\n"
        with open(self.path, "a", encoding="utf-8") as fh:
            if split:  # a writer caught mid-line: the viewer must wait for the rest
                half = len(line) // 2
                fh.write(line[:half])
                fh.flush()
                if self._stop.wait(self.step_s / 2):
                    return
                fh.write(line[half:])
            else:
                fh.write(line)

    def _pause(self, k: float = 1.0) -> bool:
        return self._stop.wait(self.step_s * k)

    def script(self) -> list[tuple[str, dict, dict]]:
        """The scripted session: (type, data, options)."""
        draft1 = {"path": "drafts/post.md", "sha": "1f0c", "words": 480}
        draft2 = {"path": "drafts/post.md", "sha": "7a9e", "words": 512}
        stale = {  # what the killed executor last saved: the state as of #5, labelled #13
            "demo": {"status": "started", "note": "a simulated agent is writing this log live"},
            "executor": {"status": "started", "executor": "demo-1", "pid": 4242},
            "task": {"status": "started", "goal": "publish the launch post"},
            "draft": {"drafts/post.md": {"status": "written", **draft1}},
            "check": {"spelling": {"status": "passed", "name": "spelling"}},
        }
        return [
            ("executor_started", {"executor": "demo-1", "pid": 4242}, {}),  # 2
            ("task_started", {"goal": "publish the launch post"}, {}),  # 3
            ("draft_written", draft1, {}),  # 4
            ("check_passed", {"name": "spelling"}, {}),  # 5
            ("check_failed", {"name": "links", "error": "404 https://example.com/old"}, {}),  # 6
            ("draft_written", draft2, {"split": True}),  # 7, written in two halves
            ("check_passed", {"name": "links"}, {}),  # 8
            ("verification_passed", {"checks": 2, "draft_sha": "7a9e"}, {}),  # 9
            ("publish_started", {"key": "devto"}, {}),  # 10
            ("publish_failed", {"key": "devto", "error": "429 rate limited"}, {}),  # 11
            ("publish_retried", {"key": "devto", "attempt": 2}, {}),  # 12
            ("publish_succeeded", {"key": "devto", "url": "https://dev.to/demo/launch"}, {}),  # 13
            # killed; the new executor boots from a stale snapshot and resumes from #9
            ("snapshot", {"at_seq": 13, "state": stale}, {"gap_s": 90}),  # 14
            ("executor_resumed", {"executor": "demo-2", "from_event": 9, "reason": "oom-killed"},
             {}),  # 15
            ("publish_started", {"key": "devto"}, {}),  # 16
            ("publish_succeeded", {"key": "devto", "url": "https://dev.to/demo/launch-2"}, {}),
            ("notify_sent", {"key": "slack", "channel": "#launches"}, {}),
            ("task_completed", {"goal": "publish the launch post"}, {}),
        ]

    def run(self) -> None:
        for type_, data, opts in self.script():
            if self._pause():
                return
            self._write(type_, data, split=opts.get("split", False), gap_s=opts.get("gap_s", 3.0))
        n = 0
        while self.loop_forever and not self._pause(1.5):
            n += 1
            self._write("metric_recorded", {"name": "queue_depth", "value": n % 7}, gap_s=5)


def start_demo(path: str | None = None, step_s: float = STEP_S) -> DemoAgent:
    """Create the demo log (a temp file unless `path`) and start the agent writing into it."""
    if path is None:
        fd, path = tempfile.mkstemp(prefix="agentlog-demo-", suffix=".jsonl")
        os.close(fd)
    else:
        open(path, "w").close()
    agent = DemoAgent(path, step_s)
    agent._write("demo_started", {"note": "a simulated agent is writing this log live"}, gap_s=0)
    agent.start()
    time.sleep(0)  # let it start before the app opens the file
    return agent
