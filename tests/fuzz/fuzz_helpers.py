"""The fuzz campaign's pieces (imported as `fuzz_helpers`): seed logs, mutations, and the
in-process runner of every command with the campaign's assertions.

Seeds: the sample logs (long_run cut to its first lines), the format fixtures of
tests/formats (Claude Code, Codex, pi, Gemini CLI, OpenHands, the generic format) and the
hostile log of `hostile_log`.
Mutations work on lines (drop, repeat, swap, cut, join, blank, CRLF, BOM, no final newline) and
on values inside a line's JSON (ids, types, timestamps, numbers, nesting, strings) with the
values that broke the engine before (ids beyond 64 bits, year-1 times, `type: []`, 300 levels
of nesting, 2^64-1 token counts, escapes).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from hostile_log import hostile_lines

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_logs"
FORMATS = ROOT / "tests" / "formats"


def _fixture_logs() -> dict[str, list[bytes]]:
    sys.path.insert(0, str(FORMATS))
    try:
        import agent_fixtures as af
        import format_fixtures as ff
        import openhands_fixtures as oh
    finally:
        sys.path.remove(str(FORMATS))
    out = {}
    for name in ("CLAUDE_CODE", "CLAUDE_CODE_RESUMED", "CODEX", "CODEX_LEGACY", "AGENTLOG"):
        recs = getattr(ff, name, None)
        if recs:
            out[name.lower()] = [orjson.dumps(r) for r in recs]
    for name, recs in (("pi", af.PI), ("gemini_cli", af.GEMINI_CLI), ("openhands", oh.OPENHANDS)):
        out[name] = [orjson.dumps(r) for r in recs]
    return out


def seed_logs() -> dict[str, list[bytes]]:
    """name -> the lines of a seed log (without newlines)."""
    seeds: dict[str, list[bytes]] = {}
    for p in sorted(SAMPLES.glob("*.jsonl")):
        lines = p.read_bytes().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        seeds[p.stem] = lines[:80]
    seeds.update(_fixture_logs())
    seeds["hostile"] = hostile_lines()
    return seeds


# ---- mutations ------------------------------------------------------------------------------

NASTY_VALUES: list[Any] = [
    2**63, 2**63 - 1, -(2**63), 2**64 - 1, -(2**63) - 1, 0, -1, 1.5, 1e308, -1e308, True, None,
    [], {}, "", "0001-01-01T00:00:00", "9999-12-31T23:59:59Z", "2026-13-45T99:99:99Z",
    "\x1b]0;PWNED\x1b\\", "\x9b31m\u202eevil", "\u0000\u007f", "é" * 50, "a" * 3000,
    {"type": []}, {"seq": "1"}, [[[[[[]]]]]],
]


def deep(n: int) -> Any:
    v: Any = []
    for _ in range(n):
        v = [v]
    return v


def mutate_value(obj: Any, path_choice: int, value: Any) -> Any:
    """Replace (or add) one value somewhere in `obj`, chosen by `path_choice`."""
    if not isinstance(obj, dict):
        return value
    containers = [obj]
    stack = [obj]
    while stack and len(containers) < 64:
        c = stack.pop()
        for v in (c.values() if isinstance(c, dict) else c):
            if isinstance(v, (dict, list)):
                containers.append(v)
                stack.append(v)
    target = containers[path_choice % len(containers)]
    if isinstance(target, dict):
        keys = list(target) + ["type", "seq", "ts", "data", "uuid", "parentUuid", "timestamp", "payload"]
        target[keys[(path_choice // 7) % len(keys)]] = value
    elif target:
        target[(path_choice // 7) % len(target)] = value
    else:
        target.append(value)
    return obj


def apply_mutation(lines: list[bytes], op: tuple) -> list[bytes]:
    """One mutation `op` = (name, a, b, payload) on a list of lines (a new list)."""
    lines = list(lines)
    name, a, b, payload = op
    n = len(lines)
    if n == 0:
        return [payload if isinstance(payload, bytes) else b"{}"]
    i, j = a % n, b % n
    if name == "drop":
        del lines[i]
    elif name == "repeat":
        lines.insert(j, lines[i])
    elif name == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif name == "cut":
        lines[i] = lines[i][: b % (len(lines[i]) + 1)]
    elif name == "join":
        if i + 1 < n:
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
    elif name == "blank":
        lines.insert(i, b"   " if b % 2 else b"")
    elif name == "crlf":
        lines[i] = lines[i] + b"\r"
    elif name == "bom":
        lines[0] = b"\xef\xbb\xbf" + lines[0]
    elif name == "bytes":
        raw = lines[i]
        k = b % (len(raw) + 1)
        lines[i] = raw[:k] + payload + raw[k:]
    elif name == "value":
        try:
            obj = orjson.loads(lines[i])
        except orjson.JSONDecodeError:
            return lines
        value = NASTY_VALUES[b % len(NASTY_VALUES)] if payload == b"" else (
            deep(250 + b % 800) if payload == b"deep" else payload.decode("utf-8", "replace"))
        obj = mutate_value(obj, a // max(n, 1) + b, value)
        try:
            lines[i] = orjson.dumps(obj)
        except TypeError:  # beyond what orjson writes (a deep value): the json module can
            try:
                lines[i] = json.dumps(obj).encode()
            except (RecursionError, ValueError):
                return lines
    return lines


def build_log(lines: list[bytes], terminated: bool) -> bytes:
    data = b"\n".join(lines)
    return data + b"\n" if terminated and lines else data


def physical_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


# ---- running the commands -----------------------------------------------------------------------


@dataclass
class Run:
    argv: list[str]
    code: int
    out: str
    err: str


def run_cli(argv: list[str]) -> Run:
    """The CLI in-process (stdout/stderr captured); SystemExit becomes the exit code, any other
    exception escapes (the campaign asserts that none does)."""
    from agentlog_tui.tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return Run(argv, 0 if code is None else code, out.getvalue(), err.getvalue())


# Every command, as it is run on a log (LOG, OUT and DIR are filled in). Extend as commands land.
COMMANDS: list[list[str]] = [
    ["state", "LOG"],
    ["state", "LOG", "--json"],
    ["state", "LOG", "--at", "2"],
    ["check", "LOG"],
    ["check", "LOG", "--json"],
    ["diff", "LOG"],
    ["diff", "LOG", "--json"],
    ["compact", "LOG"],
    ["compact", "LOG", "--json"],
    ["compact", "LOG", "-o", "OUT"],
    ["brief", "LOG"],
    ["brief", "LOG", "--json"],
    ["fork", "LOG", "--at", "3", "-o", "FORK"],
]


def fill(argv: list[str], log: str, out: str) -> list[str]:
    fork = os.path.join(os.path.dirname(out), "fork.jsonl")
    return [log if a == "LOG" else out if a == "OUT" else fork if a == "FORK" else a for a in argv]


def fingerprint(path: str) -> tuple[bytes, int]:
    st = os.stat(path)
    with open(path, "rb") as fh:
        return fh.read(), st.st_mtime_ns
