"""Search speed across sessions: time to the first hit and to the end, on a generated folder.

    python bench/search.py                      # 500 sessions, ~1 GB, in a temporary folder
    python bench/search.py --sessions 100 --mb 200 --keep /tmp/sess

Generates Claude Code-like sessions (prompts, assistant text, Bash calls with long outputs), a
few of which hold the words searched for, then runs `core.search.search` over them newest first,
as `agentlog-tui find` does, for a plain query, a rare plain query and a regex. The target
(issue 12): the first results within a second on 500 sessions / 1 GB, streaming with progress.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import orjson

from agentlog_tui.core.search import Query, search

WORDS = ["the", "build", "config", "module", "server", "request", "cache", "folder", "file", "test",
         "passes", "fails", "value", "function", "return", "import", "class", "error", "retry",
         "timeout", "deploy", "branch", "commit", "merge"]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_session(path: Path, sid: str, target: int, rng: random.Random, needle: bool) -> int:
    """A Claude Code session of about `target` bytes; one failed command names the needle."""
    lines = []
    size = 0
    t = 0
    parent = None
    needle_at = rng.randrange(4, 60) if needle else -1
    i = 0

    def add(rec: dict) -> None:
        nonlocal size, parent, t
        t += 1
        rec.update({"parentUuid": parent, "isSidechain": False, "cwd": "/home/u/proj", "sessionId": sid,
                    "version": "2.1.39", "uuid": f"{sid}-{t}",
                    "timestamp": f"2026-03-01T10:{t // 60 % 60:02d}:{t % 60:02d}.000Z"})
        parent = rec["uuid"]
        raw = orjson.dumps(rec)
        lines.append(raw)
        size += len(raw) + 1

    add({"type": "user", "message": {"role": "user", "content": "please " + sentence(rng, 12)}})
    while size < target:
        i += 1
        tid = f"toolu_{sid}_{i}"
        cmd = "pytest -x tests/" + rng.choice(WORDS)
        add({"type": "assistant", "message": {"role": "assistant", "content": [
            {"type": "text", "text": sentence(rng, 30)},
            {"type": "tool_use", "id": tid, "name": "Bash", "input": {"command": cmd}}]}})
        out = "\n".join(sentence(rng, 14) for _ in range(rng.randrange(20, 400)))
        if i == needle_at:
            out += "\nOSError: quantum flux capacitor overheated (exit status 97)"
        add({"type": "user", "message": {"role": "user", "content": [
            {"tool_use_id": tid, "type": "tool_result", "content": out, "is_error": i == needle_at}]},
             "toolUseResult": {"stdout": out, "stderr": "", "interrupted": False}})
    path.write_bytes(b"\n".join(lines) + b"\n")
    return size


def generate(folder: Path, sessions: int, total_mb: int, seed: int = 7) -> tuple[int, int]:
    rng = random.Random(seed)
    per = total_mb * (1 << 20) // sessions
    total = 0
    needles = set(rng.sample(range(sessions), max(1, sessions // 50)))
    now = time.time()
    for k in range(sessions):
        proj = folder / f"-home-u-proj{k % 20}"
        proj.mkdir(parents=True, exist_ok=True)
        sid = f"{k:08d}-0000-4000-8000-000000000000"
        p = proj / f"{sid}.jsonl"
        total += make_session(p, sid, int(per * rng.uniform(0.3, 1.7)), rng, k in needles)
        os.utime(p, (now - k * 60, now - k * 60))  # session k is k minutes old
    return total, len(needles)


def run_query(files: list[Path], q: Query) -> dict:
    t0 = time.perf_counter()
    c0 = time.process_time()
    first = None
    n = 0
    ticks = 0

    def progress(_p) -> None:
        nonlocal ticks
        ticks += 1

    for _hit in search(files, q, progress=progress):
        if first is None:
            first = time.perf_counter() - t0
        n += 1
    total = time.perf_counter() - t0
    return {"query": q.text, "regex": q.regex, "first_hit_s": first, "total_s": total, "hits": n,
            "cpu_s": time.process_time() - c0, "progress_calls": ticks}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=500)
    ap.add_argument("--mb", type=int, default=1000)
    ap.add_argument("--keep", metavar="DIR", help="generate into (or reuse) this folder and keep it")
    args = ap.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="agentlog-search-bench-"))
    try:
        if not any(folder.rglob("*.jsonl")):
            t = time.perf_counter()
            size, needles = generate(folder, args.sessions, args.mb)
            print(f"generated {args.sessions} sessions, {size / (1 << 20):.0f} MB, "
                  f"{needles} with the rare words, in {time.perf_counter() - t:.1f} s")
        files = sorted(folder.rglob("*.jsonl"), key=lambda p: p.stat().st_mtime, reverse=True)
        size = sum(p.stat().st_size for p in files)
        print(f"searching {len(files)} sessions, {size / (1 << 20):.0f} MB")
        # common text (first hits at once), rare text (the whole folder is scanned), a regex
        for q in (Query("cache folder"), Query("quantum flux capacitor"),
                  Query("Quantum flux"), Query(r"exit status 9\d", regex=True)):
            r = run_query(files, q)
            first = f"{r['first_hit_s']:.3f} s" if r["first_hit_s"] is not None else "no hit"
            print(f"  {'regex' if r['regex'] else 'text ':<5} {r['query']!r:<28} first hit {first:>9}, "
                  f"all {r['hits']:>7} hits {r['total_s']:6.2f} s ({size / (1 << 20) / r['total_s']:.0f} MB/s; "
                  f"CPU {r['cpu_s']:.2f} s, {size / (1 << 20) / max(r['cpu_s'], 1e-9):.0f} MB/s)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
