"""Child processes for bench/run.py. Each mode prints its result as one JSON line on stdout
(prefixed so that stray output cannot be mistaken for it); `run.py` is the only caller.

    open LOG            start the app headless; print the wall-clock time its first frame drew an
                        event row, then exit at once
    analysis LOG        parsing floor, full analysis (index, parse, replay, checkpoints, marks),
                        peak RSS, optionally scrub timings
    tail-model LOG      analyse, print READY, then follow the log the way the app's tail worker does
                        (watchfiles, same settings) until stdin closes; print (time, last seq) of
                        every update
    tail-app LOG        the headless app on LOG: print READY once analysed and tailing; until stdin
                        closes (then up to --grace s more for --until-seq to be drawn), note when
                        each seq was first drawn and when the app's analysis took it
    write LOG ...       append events (the generator's line format, increasing seq, the write time
                        in data.wt); print (last seq, write time) of every write

Times are `time.time()` (one clock shared by every process) so that a latency can be computed
from the writer's record and the reader's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import re
import sys
import threading
import time

RESULT = "@@BENCH "


def say(text: str) -> None:
    """A line to the parent on the real stdout (the app may redirect sys.stdout while it runs)."""
    os.write(1, (text + "\n").encode())


def emit(obj: object) -> None:
    say(RESULT + json.dumps(obj))


def status_bytes(field: str) -> int | None:
    """A memory figure of /proc/self/status (VmHWM, RssAnon, RssFile...) in bytes."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def vm_hwm_bytes() -> int | None:
    return status_bytes("VmHWM")


def maxrss_bytes() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# A timeline row of an event starts with a two-cell marker, then the seq right-aligned, then a
# space (tui/timeline.py row_text). Malformed rows show "L<line>" there, pending and blank rows
# no digits, so this matches event rows only.
EVENT_ROW = re.compile(r"^.. *(\d+) ")


def _patch_timeline(on_row) -> None:
    """Wrap Timeline.render_line: call on_row(seq, now) for every event row drawn."""
    from agentlog_tui.tui.timeline import Timeline

    original = Timeline.render_line

    def render_line(self, y):
        strip = original(self, y)
        m = EVENT_ROW.match(strip.text)
        if m is not None:
            on_row(int(m.group(1)), time.time())
        return strip

    Timeline.render_line = render_line


def _make_app(path: str):
    from agentlog_tui.tui.app import AgentlogApp

    return AgentlogApp(path, {})


# ---- open ------------------------------------------------------------------------------------


def mode_open(path: str) -> None:
    first: list[float] = []

    def on_row(seq: int, now: float) -> None:
        if not first:
            first.append(now)

    _patch_timeline(on_row)

    async def main() -> None:
        app = _make_app(path)
        deadline = time.monotonic() + 300
        async with app.run_test(size=(120, 40)) as pilot:
            while not first and time.monotonic() < deadline:
                await pilot.pause(0.005)
            emit({"first_frame": first[0] if first else None})
            os._exit(0)  # do not wait for the analysis worker

    asyncio.run(main())


# ---- analysis --------------------------------------------------------------------------------


def parse_floor(path: str) -> float:
    """Seconds to orjson.loads every line of the file, garbage collector paused."""
    import orjson

    loads = orjson.loads
    was = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        with open(path, "rb") as fh:
            for line in fh:
                try:
                    loads(line)
                except orjson.JSONDecodeError:
                    pass
        return time.perf_counter() - t0
    finally:
        if was:
            gc.enable()


def mode_analysis(path: str, scrub: int, seed: int, floor_first: bool) -> None:
    from agentlog_tui.core.analysis import Analysis
    from agentlog_tui.core.liveness import compute_marks
    from agentlog_tui.core.native import _fastloop

    out: dict = {"native": _fastloop is not None}
    if floor_first:
        c = time.process_time()
        out["floor_s"] = parse_floor(path)
        out["floor_cpu_s"] = time.process_time() - c
    rss_before = vm_hwm_bytes()
    c0 = time.process_time()
    t0 = time.perf_counter()
    a = Analysis(path)
    t1 = time.perf_counter()
    a.run()
    t2 = time.perf_counter()
    marks = compute_marks(a)
    t3 = time.perf_counter()
    out.update(
        analysis_cpu_s=time.process_time() - c0,  # CPU time: what a shared machine's load leaves out
        analysis_s=t3 - t0,
        index_s=t1 - t0,
        run_s=t2 - t1,
        marks_s=t3 - t2,
        events=a.n_events,
        lines=a.log.n_lines,
        checkpoints=len(a.checkpoints),
        superseded=sum(1 for c in marks.codes if c >= 2),
        vm_hwm_bytes=vm_hwm_bytes(),
        vm_hwm_before_bytes=rss_before,
        rss_anon_bytes=status_bytes("RssAnon"),  # heap: the analysis' own data
        rss_file_bytes=status_bytes("RssFile"),  # mapped files, mostly the log's mmap
        ru_maxrss_bytes=maxrss_bytes(),
    )
    if scrub and a.n_events:
        rng = random.Random(seed)
        times, cpu = [], []
        for _ in range(scrub):
            pos = rng.randrange(a.n_events)
            c = time.process_time()
            s = time.perf_counter()
            a.state_at_pos(pos)
            times.append(time.perf_counter() - s)
            cpu.append(time.process_time() - c)
        out["scrub_s"] = times
        out["scrub_cpu_s"] = cpu
    emit(out)


# ---- tail ------------------------------------------------------------------------------------


def _stdin_closed_event() -> threading.Event:
    """An event set when the parent closes our stdin (or writes a line)."""
    stop = threading.Event()

    def wait() -> None:
        try:
            sys.stdin.readline()
        finally:
            stop.set()

    threading.Thread(target=wait, daemon=True).start()
    return stop


def _tail_settings() -> tuple[int, int]:
    """The app's debounce and poll period (ms), so the model is followed the way the app does."""
    try:
        from agentlog_tui.tui.app import TAIL_DEBOUNCE_MS, TAIL_POLL_MS

        return TAIL_DEBOUNCE_MS, TAIL_POLL_MS
    except Exception:  # noqa: BLE001 - the app moved them; use what it had when this was written
        return 50, 250


def mode_tail_model(path: str) -> None:
    from watchfiles import watch

    from agentlog_tui.core.analysis import Analysis

    debounce, poll = _tail_settings()
    a = Analysis(path)
    a.run()
    stop = _stdin_closed_event()
    say(f"READY {a.n_events}")
    history: list[tuple[float, int, int]] = []
    path_abs = os.path.abspath(path)
    folder = os.path.dirname(path_abs)

    def only_log(_change, p: str) -> bool:
        return os.path.abspath(p) == path_abs

    def once() -> None:
        n = a.update()
        if n:
            history.append((time.time(), a.seqs[-1] if a.n_events else 0, a.n_events))

    once()
    for _changes in watch(
        folder,
        watch_filter=only_log,
        debounce=debounce,
        step=20,
        stop_event=stop,
        rust_timeout=poll,
        yield_on_timeout=True,
        poll_delay_ms=poll,
        recursive=False,
        raise_interrupt=False,
    ):
        if stop.is_set():
            break
        once()
    emit({"history": history, "mechanism": f"watchfiles debounce={debounce}ms step=20ms"})


def mode_tail_app(path: str, until_seq: int, grace: float) -> None:
    from agentlog_tui.core.analysis import Analysis

    drawn: dict[int, float] = {}
    updates: list[tuple[float, int]] = []

    def on_row(seq: int, now: float) -> None:
        if seq not in drawn:
            drawn[seq] = now

    _patch_timeline(on_row)
    original_update = Analysis.update

    def update(self, *args, **kwargs):
        n = original_update(self, *args, **kwargs)
        if n and self.n_events:
            updates.append((time.time(), self.seqs[-1]))
        return n

    Analysis.update = update
    stop = _stdin_closed_event()

    async def main() -> None:
        app = _make_app(path)
        deadline = time.monotonic() + 1800
        async with app.run_test(size=(120, 40)) as pilot:
            while time.monotonic() < deadline:
                if app.model.analysed and getattr(app, "progress", None) is None:
                    break
                await pilot.pause(0.05)
            await pilot.pause(0.5)  # let the tail worker start watching
            say(f"READY {app.model.a.n_events}")
            while not stop.is_set() and time.monotonic() < deadline:
                await pilot.pause(0.005)
            # stdin closed: the writer is done; wait (up to `grace`) for its last event's row
            late = time.monotonic() + grace
            while until_seq and until_seq not in drawn and time.monotonic() < late:
                await pilot.pause(0.005)
            emit({"drawn": sorted(drawn.items()), "updates": updates})
            os._exit(0)

    asyncio.run(main())


# ---- writer ----------------------------------------------------------------------------------


def mode_write(path: str, start_seq: int, start_ms: int, count: int, batch: int,
               interval: float) -> None:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from gen import _ts_for

    rng = random.Random(start_seq)
    cache: dict[int, bytes] = {}
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    seq, ms = start_seq, start_ms
    writes: list[tuple[int, float]] = []
    t0 = time.time()
    i = 0
    try:
        while seq - start_seq < count:
            due = t0 + i * interval
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            i += 1
            n = min(batch, count - (seq - start_seq))
            wt = time.time()
            lines = []
            for _ in range(n):
                seq += 1
                ms += rng.randint(1, 5)
                data = (
                    b'{"step":"verify","pct":%d,"tokens":%d,"by":"exec-bench","task":"idle",'
                    b'"wt":%.6f}' % (rng.randint(0, 100), seq * 37, wt)
                )
                lines.append(
                    b'{"seq":%d,"ts":"%s","type":"progress_reported","data":%s}\n'
                    % (seq, _ts_for(ms, cache), data)
                )
            os.write(fd, b"".join(lines))
            writes.append((seq, wt))
    finally:
        os.close(fd)
    emit({"writes": writes, "start": t0, "end": time.time()})


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["open", "analysis", "tail-model", "tail-app", "write"])
    p.add_argument("log")
    p.add_argument("--scrub", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-floor", action="store_true")
    p.add_argument("--start-seq", type=int, default=0)
    p.add_argument("--start-ms", type=int, default=0)
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--until-seq", type=int, default=0)
    p.add_argument("--grace", type=float, default=0.0)
    args = p.parse_args()
    if args.mode == "open":
        mode_open(args.log)
    elif args.mode == "analysis":
        mode_analysis(args.log, args.scrub, args.seed, not args.no_floor)
    elif args.mode == "tail-model":
        mode_tail_model(args.log)
    elif args.mode == "tail-app":
        mode_tail_app(args.log, args.until_seq, args.grace)
    else:
        mode_write(args.log, args.start_seq, args.start_ms, args.count, args.batch, args.interval)


if __name__ == "__main__":
    main()
