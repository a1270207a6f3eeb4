"""Generate large, realistic agent logs for the benchmarks (DESIGN.md section 12).

    python bench/gen.py --events 1000000 --seed 1 -o /tmp/1m.jsonl
    python bench/gen.py --format codex --mb 50 -o /tmp/codex.jsonl     # bench/gen_agents.py

Deterministic for a given (events, seed). About 170 bytes per event at the default mix: drafts
rewritten, checks re-run, tool calls that fail and are retried, files and cache entries written and
deleted, tasks that start, complete and are removed. The number of live subjects stays bounded
(~200), so the whole state stays around 20 KB and a `snapshot` event carrying it (correct, folded
as the log is written) can appear every 50,000 events. Every second snapshot is followed by an
`executor_resumed` whose `from_event` is that snapshot (a clean resume), and about one malformed
line per 200,000 events is mixed in (malformed lines take no seq).

Importable: `generate(path, events, seed)` returns {"events", "malformed", "bytes"}.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from bisect import bisect
from collections import deque
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson

SNAPSHOT_EVERY = 50_000
RESUME_EVERY = 100_000
MALFORMED_EVERY = 200_000
CHUNK_LINES = 20_000
START = 1_795_683_600  # 2026-11-26T09:00:00Z

DRAFTS = [f"drafts/chapter-{i:02d}/section-{j}.md" for i in range(1, 11) for j in range(1, 5)]
CHECKS = [
    "spelling", "links", "style", "facts", "tone", "length",
    "images", "headings", "code-blocks", "references", "seo", "accessibility",
]  # fmt: skip
TOOLS = [
    "web_search", "fetch_url", "read_file", "write_file", "run_python", "grep",
    "list_dir", "shell", "browser_open", "browser_click", "summarize", "translate",
]  # fmt: skip
FILES = [f"workspace/src/module_{i:02d}.py" for i in range(60)]
CACHE_KEYS = [f"http-cache/{i:03x}" for i in range(40)]
STEPS = ["plan", "research", "outline", "draft", "review", "revise", "verify", "publish"]
NOTES = [
    "the intro buries the lede; move the benchmark numbers up",
    "rate limit on the search API, backing off before the next query",
    "reader feedback: wants a Windows install note and a GIF of the timeline",
    "cut the history section, nobody reads it, link the design doc instead",
    "the screenshot is out of date after the palette change",
]
ERRORS = [
    "timeout after 30s",
    "429 rate limited, retry in 12s",
    "connection reset by peer",
    "exit status 1: ModuleNotFoundError",
]

# (action, weight): the default mix.
MIX = [
    ("draft", 22),
    ("check", 20),
    ("tool", 25),
    ("file", 8),
    ("cache", 7),
    ("note", 5),
    ("progress", 6),
    ("step_retry", 2),
    ("task", 2),
]
ACTIONS = [name for name, _ in MIX]
CUMULATIVE = list(accumulate(weight for _, weight in MIX))


def _ts_for(ms: int, cache: dict[int, bytes]) -> bytes:
    sec, milli = divmod(ms, 1000)
    head = cache.get(sec)
    if head is None:
        cache.clear()
        head = cache[sec] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)).encode()
    return b"%s.%03dZ" % (head, milli)


class _Log:
    """The generator's state: the folded default projection and the pending output."""

    def __init__(self, rng: random.Random, limit: int) -> None:
        self.rng = rng
        self.limit = limit
        # entity -> subject -> (verb, data) for keyed entities; entity -> (verb, data) otherwise.
        self.keyed: dict[str, dict[Any, tuple[str, dict[str, Any]]]] = {}
        self.plain: dict[str, tuple[str, dict[str, Any]]] = {}
        self.seq = 0
        self.ms = START * 1000
        self.ts_cache: dict[int, bytes] = {}
        self.lines: list[bytes] = []
        self.words = {path: rng.randint(150, 900) for path in DRAFTS}
        self.pending_calls: dict[str, str] = {}
        self.call_no = 0
        self.open_tasks: list[str] = []
        self.done_tasks: deque[str] = deque()
        self.task_no = 0
        self.executor = 1

    def emit(
        self, etype: str, entity: str | None, verb: str, subject: Any, data: dict[str, Any]
    ) -> None:
        """Write one event line and fold it (subject None = unkeyed entity, entity None = no fold).

        Past `limit` nothing is written, so a two-event step at the end is cut after its first.
        """
        if self.seq >= self.limit:
            return
        self.seq += 1
        self.ms += self.rng.randint(5, 400)
        self.lines.append(
            b'{"seq":%d,"ts":"%s","type":"%s","data":%s}'
            % (self.seq, _ts_for(self.ms, self.ts_cache), etype.encode(), orjson.dumps(data))
        )
        if entity is None:
            return
        deleting = verb in ("deleted", "removed", "cleared")
        if subject is None:
            if deleting:
                self.plain.pop(entity, None)
            else:
                self.plain[entity] = (verb, data)
        elif deleting:
            self.keyed.get(entity, {}).pop(subject, None)
        else:
            self.keyed.setdefault(entity, {})[subject] = (verb, data)

    def state(self) -> dict[str, Any]:
        """The state after the last event, as the default projection builds it."""
        # Keyed and unkeyed entity names never collide here. Entity order differs from the
        # projection's (first appearance), which a structural diff ignores.
        out: dict[str, Any] = {e: {"status": v, **d} for e, (v, d) in self.plain.items()}
        for entity, subjects in self.keyed.items():
            out[entity] = {s: {"status": v, **d} for s, (v, d) in subjects.items()}
        return out

    def sha(self) -> str:
        return f"{self.rng.getrandbits(48):012x}"

    def step(self) -> None:
        """Emit the next event (or a short sequence) of the default mix."""
        rng = self.rng
        action = ACTIONS[bisect(CUMULATIVE, rng.random() * CUMULATIVE[-1])]
        if action == "draft":
            path = rng.choice(DRAFTS)
            self.words[path] = max(50, self.words[path] + rng.randint(-60, 120))
            data = {
                "path": path,
                "sha": self.sha(),
                "words": self.words[path],
                "by": self.exe(),
                "task": self.current_task(),
            }
            self.emit("draft_written", "draft", "written", path, data)
        elif action == "check":
            name = rng.choice(CHECKS)
            if rng.random() < 0.8:
                data = {
                    "name": name,
                    "ms": rng.randint(20, 4000),
                    "draft": rng.choice(DRAFTS),
                    "by": self.exe(),
                    "task": self.current_task(),
                }
                self.emit("check_passed", "check", "passed", name, data)
            else:
                data = {
                    "name": name,
                    "error": rng.choice(ERRORS),
                    "draft": rng.choice(DRAFTS),
                    "by": self.exe(),
                    "task": self.current_task(),
                }
                self.emit("check_failed", "check", "failed", name, data)
        elif action == "tool":
            self.tool()
        elif action == "file":
            path = rng.choice(FILES)
            if rng.random() < 0.75:
                data = {
                    "path": path,
                    "bytes": rng.randint(200, 60_000),
                    "sha": self.sha(),
                    "by": self.exe(),
                    "task": self.current_task(),
                }
                self.emit("file_written", "file", "written", path, data)
            else:
                self.emit("file_deleted", "file", "deleted", path, {"path": path})
        elif action == "cache":
            key = rng.choice(CACHE_KEYS)
            if rng.random() < 0.7:
                data = {
                    "key": key,
                    "bytes": rng.randint(500, 250_000),
                    "ttl_s": 3600,
                    "by": self.exe(),
                    "task": self.current_task(),
                }
                self.emit("cache_entry_stored", "cache_entry", "stored", key, data)
            else:
                self.emit("cache_entry_removed", "cache_entry", "removed", key, {"key": key})
        elif action == "note":
            data = {"text": rng.choice(NOTES), "step": rng.choice(STEPS)}
            self.emit("note_added", "note", "added", None, data)
        elif action == "progress":
            data = {
                "step": rng.choice(STEPS),
                "pct": rng.randint(0, 100),
                "tokens": self.seq * 37,
                "by": self.exe(),
                "task": self.current_task(),
            }
            self.emit("progress_reported", "progress", "reported", None, data)
        elif action == "step_retry":
            name = rng.choice(STEPS)
            data = {
                "name": name,
                "attempt": rng.randint(2, 5),
                "error": rng.choice(ERRORS),
                "by": self.exe(),
                "task": self.current_task(),
            }
            self.emit("step_retried", "step", "retried", name, data)
        else:
            self.task()

    def current_task(self) -> str:
        return self.open_tasks[-1] if self.open_tasks else "idle"

    def exe(self) -> str:
        return f"exec-{self.executor}"

    def tool(self) -> None:
        """Start a call on an idle tool, or finish (or fail and retry) a pending one."""
        rng = self.rng
        if self.pending_calls and (rng.random() < 0.55 or len(self.pending_calls) == len(TOOLS)):
            tool = rng.choice(list(self.pending_calls))
            call = self.pending_calls[tool]
            if rng.random() < 0.08:
                data = {"key": tool, "call": call, "error": rng.choice(ERRORS)}
                self.emit("tool_call_failed", "tool_call", "failed", tool, data)
                data = {"key": tool, "call": call, "attempt": 2}
                self.emit("tool_call_retried", "tool_call", "retried", tool, data)
                return
            del self.pending_calls[tool]
            data = {
                "key": tool,
                "call": call,
                "ms": rng.randint(30, 20_000),
                "ok": True,
                "by": self.exe(),
                "task": self.current_task(),
            }
            self.emit("tool_call_finished", "tool_call", "finished", tool, data)
        else:
            tool = rng.choice([t for t in TOOLS if t not in self.pending_calls])
            self.call_no += 1
            call = self.pending_calls[tool] = f"call_{self.call_no:07d}"
            data = {
                "key": tool,
                "call": call,
                "args_bytes": rng.randint(20, 2000),
                "by": self.exe(),
                "task": self.current_task(),
            }
            self.emit("tool_call_started", "tool_call", "started", tool, data)

    def task(self) -> None:
        """Start a task, or complete one (removing the oldest completed tasks beyond eight)."""
        if self.open_tasks and (len(self.open_tasks) >= 4 or self.rng.random() < 0.5):
            task_id = self.open_tasks.pop(0)
            data = {
                "id": task_id,
                "events": self.seq,
                "by": self.exe(),
                "task": self.current_task(),
            }
            self.emit("task_completed", "task", "completed", task_id, data)
            self.done_tasks.append(task_id)
            if len(self.done_tasks) > 8:
                old = self.done_tasks.popleft()
                self.emit("task_removed", "task", "removed", old, {"id": old})
        else:
            self.task_no += 1
            task_id = f"task-{self.task_no:05d}"
            self.open_tasks.append(task_id)
            data = {"id": task_id, "title": f"Task {self.task_no}: {self.rng.choice(STEPS)}"}
            self.emit("task_started", "task", "started", task_id, data)

    def snapshot(self) -> None:
        at = self.seq
        # Not folded: the projection does not apply snapshots.
        self.emit("snapshot", None, "", None, {"at_seq": at, "state": self.state()})

    def resume(self) -> None:
        self.executor += 1
        data = {"executor": self.exe(), "from_event": self.seq, "reason": "restarted"}
        self.emit("executor_resumed", "executor", "resumed", None, data)

    def malformed(self) -> None:
        """A bad line that takes no seq: truncated JSON or invalid UTF-8, alternately."""
        if self.rng.random() < 0.5:
            self.lines.append(b'{"seq":%d,"ts":"2026-11-26T09:0' % (self.seq + 1))
        else:
            self.lines.append(b'{"type":"note_added","data":{"text":"caf\xe9 \xff"}}')


def generate(path: str | Path, events: int, seed: int = 1) -> dict[str, int]:
    """Write a log of exactly `events` events (plus a few malformed lines) to `path`."""
    log = _Log(random.Random(seed), events)
    log.emit("executor_started", "executor", "started", None, {"executor": "exec-1", "pid": 4242})
    next_malformed = MALFORMED_EVERY // 2 + log.rng.randint(0, MALFORMED_EVERY // 2)
    next_snapshot = SNAPSHOT_EVERY  # the seq the next snapshot takes (a step may emit two events)
    malformed = 0
    written = 0
    with open(path, "wb") as out:
        while log.seq < events:
            if log.seq + 1 >= next_snapshot:
                log.snapshot()
                if next_snapshot % RESUME_EVERY == 0:
                    log.resume()
                next_snapshot += SNAPSHOT_EVERY
            else:
                log.step()
            if log.seq >= next_malformed:
                log.malformed()
                malformed += 1
                next_malformed += MALFORMED_EVERY // 2 + log.rng.randint(0, MALFORMED_EVERY)
            if len(log.lines) >= CHUNK_LINES:
                written += _flush(out, log.lines)
        written += _flush(out, log.lines)
    return {"events": log.seq, "malformed": malformed, "bytes": written}


def _flush(out: Any, lines: list[bytes]) -> int:
    if not lines:
        return 0
    chunk = b"\n".join(lines) + b"\n"
    out.write(chunk)
    lines.clear()
    return len(chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate a realistic agentlog for benchmarks.")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=["agentlog", "claude-code", "codex"], default="agentlog",
                        help="claude-code / codex: a session of that agent (bench/gen_agents.py)")
    parser.add_argument("--mb", type=float, default=50.0,
                        help="size of a claude-code / codex session in MB (default 50)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    if args.format != "agentlog":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from gen_agents import GENERATORS

        stats = GENERATORS[args.format](args.output, int(args.mb * 1e6), args.seed)
        print(f"gen: {args.format} session, {stats['events']} records, "
              f"{stats['bytes'] / 1e6:.1f} MB to {args.output} in "
              f"{time.perf_counter() - started:.1f}s", file=sys.stderr)
        return
    stats = generate(args.output, args.events, args.seed)
    took = time.perf_counter() - started
    print(
        f"gen: {stats['events']} events + {stats['malformed']} malformed lines, "
        f"{stats['bytes'] / 1e6:.1f} MB ({stats['bytes'] / max(stats['events'], 1):.0f} B/event) "
        f"to {args.output} in {took:.1f}s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
