"""Seeded generators of realistic Claude Code sessions and Codex rollouts of any size (issue 11).

    python bench/gen.py --format claude-code --mb 50 --seed 1 -o /tmp/cc.jsonl
    python bench/gen.py --format codex --mb 50 --seed 1 -o /tmp/codex.jsonl

Modelled on the real logs in ../shared/real_logs (record kinds, their mix and sizes) and on the
format modules (core/formats/claude_code.py, codex.py): turns that start with a prompt, thinking
and text, tool calls one at a time and in parallel (several calls, then their results), long tool
outputs (file reads, test runs, a few of 20-60 KB), hook and bash progress records, file history
snapshots, interrupted turns (a tool result "interrupted by user" / a `turn_aborted`), and context
compactions every few MB (Claude Code `compact_boundary` + summary record; Codex `compacted` with a
replacement history). The conversation's state grows with the log: every call, file and message
stays in it until a compaction.

`generate_claude_code(path, target_bytes, seed)` and `generate_codex(...)` return
{"events", "bytes"}; the same (size, seed) gives the same bytes.
"""

from __future__ import annotations

import base64
import random
import uuid as uuidlib
from pathlib import Path
from typing import Any

import orjson

START_MS = 1_795_683_600_000  # 2026-11-26T09:00:00Z
COMPACT_EVERY = 6_000_000  # bytes of log between context compactions (~ a 170k-token context)

_WORDS = ("the of and to in is that for it with as on be this are by file test function value "
         "error module session state call result check update return config path line should "
         "would need first then next fix add remove handle parse read write run build log "
         "event tool output input model data type string list dict index cache user request "
         "response stream server client token context limit retry timeout")
WORDS = _WORDS.split()
CODE = [
    "def {n}(self, value: int) -> int:", "    return value + {k}", "class {N}Handler:",
    "    if not isinstance(data, dict):", "        raise ValueError('bad {n}')",
    "import os", "from pathlib import Path", "    for item in items:", "        total += item.{n}",
    "    # keep the {n} in sync with the cache", "@dataclass", "    {n}: str = ''",
    "    logger.debug('{n} %s', key)", "    with open(path, 'rb') as fh:",
]
TOOLS_CC = [("Bash", 30), ("Read", 22), ("Edit", 20), ("Grep", 8), ("Glob", 6), ("Write", 6),
            ("TodoWrite", 4), ("Task", 2), ("WebFetch", 2)]
SHELL = ["rg -n '{n}' src", "pytest -q tests/test_{n}.py", "git diff --stat", "ls -la src/{n}",
         "sed -n 1,200p src/{n}.py", "cat package.json", "npm test -- {n}", "git status --short"]


class _Text:
    """Cheap seeded text: words, code and tool outputs of a wanted length."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = [f"{rng.choice(WORDS)}_{rng.choice(WORDS)}" for _ in range(400)]
        block = []
        for i in range(3000):
            n = self.names[i % len(self.names)]
            block.append(rng.choice(CODE).format(n=n, N=n.title().replace("_", ""), k=i % 97))
        self.code = "\n".join(block)
        self.prose = " ".join(rng.choice(WORDS) for _ in range(20000))

    def name(self) -> str:
        return self.rng.choice(self.names)

    def words(self, lo: int, hi: int) -> str:
        n = self.rng.randint(lo, hi) * 6
        start = self.rng.randrange(0, len(self.prose) - n - 1)
        return self.prose[start:start + n].strip()

    def code_block(self, chars: int) -> str:
        start = self.rng.randrange(0, max(1, len(self.code) - chars - 1))
        out = self.code[start:start + chars]
        while len(out) < chars:
            out += "\n" + self.code[: chars - len(out)]
        return out

    def output_size(self) -> int:
        """A tool output's length: mostly short, some long, a few very long."""
        r = self.rng.random()
        if r < 0.55:
            return self.rng.randint(40, 1500)
        if r < 0.92:
            return self.rng.randint(1500, 12000)
        return self.rng.randint(20000, 60000)


def _iso(ms: int) -> str:
    import time

    sec, milli = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + f".{milli:03d}Z"


def _uuid(rng: random.Random) -> str:
    return str(uuidlib.UUID(int=rng.getrandbits(128), version=4))


class _Writer:
    def __init__(self, path: str | Path, target: int) -> None:
        self.fh = open(path, "wb")  # noqa: SIM115 - closed by close()
        self.target = target
        self.bytes = 0
        self.events = 0
        self.buf: list[bytes] = []

    def write(self, obj: dict) -> None:
        line = orjson.dumps(obj) + b"\n"
        self.buf.append(line)
        self.bytes += len(line)
        self.events += 1
        if len(self.buf) >= 2000:
            self.fh.write(b"".join(self.buf))
            self.buf.clear()

    @property
    def full(self) -> bool:
        return self.bytes >= self.target

    def close(self) -> dict[str, int]:
        self.fh.write(b"".join(self.buf))
        self.fh.close()
        return {"events": self.events, "bytes": self.bytes}


# ---- Claude Code -------------------------------------------------------------------------------


def generate_claude_code(path: str | Path, target_bytes: int, seed: int = 1) -> dict[str, int]:
    """A Claude Code session transcript of about `target_bytes` (whole turns, then it stops)."""
    rng = random.Random(seed)
    text = _Text(rng)
    out = _Writer(path, target_bytes)
    sid = _uuid(rng)
    cwd = "/home/dev/projects/shop"
    clock = [START_MS]
    parent: list[str | None] = [None]
    tokens = [20000]
    next_compact = COMPACT_EVERY

    def env(kind: str, **extra: Any) -> dict:
        clock[0] += rng.randint(20, 4000)
        uuid = _uuid(rng)
        rec = {"parentUuid": parent[0], "isSidechain": False, "userType": "external", "cwd": cwd,
               "sessionId": sid, "version": "2.1.39", "gitBranch": "main", "type": kind, **extra,
               "uuid": uuid, "timestamp": _iso(clock[0])}
        parent[0] = uuid
        return rec

    def usage() -> dict:
        tokens[0] += rng.randint(200, 3000)
        return {"input_tokens": rng.randint(1, 9), "cache_creation_input_tokens": rng.randint(0, 3000),
                "cache_read_input_tokens": tokens[0], "output_tokens": rng.randint(5, 800),
                "service_tier": "standard"}

    def assistant(mid: str, block: dict) -> None:
        out.write(env("assistant", message={
            "model": "claude-opus-4-6", "id": mid, "type": "message", "role": "assistant",
            "content": [block], "stop_reason": None, "stop_sequence": None, "usage": usage()},
            requestId=f"req_{rng.getrandbits(64):016x}"))

    def tool_input(name: str) -> dict:
        f = f"{cwd}/src/{text.name()}.py"
        if name == "Bash":
            return {"command": rng.choice(SHELL).format(n=text.name()),
                    "description": text.words(3, 8)}
        if name in ("Read", "Write"):
            inp: dict = {"file_path": f}
            if name == "Write":
                inp["content"] = text.code_block(rng.randint(300, 4000))
            return inp
        if name == "Edit":
            return {"file_path": f, "old_string": text.code_block(rng.randint(40, 400)),
                    "new_string": text.code_block(rng.randint(40, 400))}
        if name == "Grep":
            return {"pattern": text.name(), "path": f"{cwd}/src", "output_mode": "content"}
        if name == "Glob":
            return {"pattern": "src/**/*.py"}
        if name == "TodoWrite":
            return {"todos": [{"content": text.words(3, 9), "status": rng.choice(
                ["pending", "in_progress", "completed"]), "activeForm": text.words(2, 5)}
                for _ in range(rng.randint(2, 7))]}
        if name == "Task":
            return {"description": text.words(2, 5), "prompt": text.words(30, 120),
                    "subagent_type": "Explore"}
        return {"url": f"https://example.com/{text.name()}", "prompt": text.words(5, 15)}

    def result(tid: str, name: str, inp: dict, interrupted: bool = False) -> None:
        if interrupted:
            content, tur, err = "[Request interrupted by user for tool use]", \
                "Error: [Request interrupted by user for tool use]", True
        else:
            body = text.code_block(text.output_size())
            err = rng.random() < 0.06
            content = body
            if name == "Bash":
                tur = {"stdout": body, "stderr": "error: " + text.words(3, 10) if err else "",
                       "interrupted": False, "isImage": False}
            elif name in ("Read",):
                tur = {"type": "text", "file": {"filePath": inp["file_path"], "content": body,
                                                "numLines": body.count("\n") + 1, "startLine": 1,
                                                "totalLines": body.count("\n") + 1}}
            elif name in ("Edit", "Write"):
                content = f"The file {inp['file_path']} has been updated."
                tur = {"filePath": inp["file_path"], "oldString": inp.get("old_string", ""),
                       "newString": inp.get("new_string", inp.get("content", "")),
                       "structuredPatch": [{"oldStart": 1, "oldLines": 3, "newStart": 1,
                                            "newLines": 4, "lines": body[:600].split("\n")}]}
            elif name == "TodoWrite":
                content = "Todos have been modified successfully."
                tur = {"oldTodos": [], "newTodos": inp["todos"]}
            else:
                tur = {"content": body[:2000], "durationMs": rng.randint(50, 9000)}
        out.write(env("user", message={"role": "user", "content": [
            {"tool_use_id": tid, "type": "tool_result", "content": content, "is_error": err}]},
            toolUseResult=tur))

    def progress(tid: str) -> None:
        data = ({"type": "bash_progress", "output": text.code_block(rng.randint(50, 800)),
                 "elapsedTimeSeconds": rng.randint(1, 60)} if rng.random() < 0.5 else
                {"type": "hook_progress", "hookEvent": "PostToolUse",
                 "hookName": "PostToolUse:Edit", "command": "~/.claude/hooks/format.sh"})
        out.write(env("progress", data=data, parentToolUseID=tid, toolUseID=f"p-{tid}"))

    while not out.full:
        if out.bytes >= next_compact:
            next_compact += COMPACT_EVERY
            boundary = env("system", subtype="compact_boundary", content="Conversation compacted",
                           isMeta=False, level="info",
                           compactMetadata={"trigger": "auto", "preTokens": tokens[0]})
            boundary["logicalParentUuid"], boundary["parentUuid"] = boundary["parentUuid"], None
            out.write(boundary)
            tokens[0] = 20000
            out.write(env("user", message={"role": "user", "content": (
                "This session is being continued from a previous conversation that ran out of "
                "context. The summary below covers the earlier portion of the conversation.\n\n"
                + text.words(300, 900))}, isCompactSummary=True, isVisibleInTranscriptOnly=True))
        # a turn: the prompt, thinking, text, then tool rounds
        out.write(env("user", message={"role": "user", "content": text.words(10, 80)},
                      permissionMode="default"))
        if rng.random() < 0.3:
            clock[0] += 5
            out.write({"type": "file-history-snapshot", "messageId": _uuid(rng), "snapshot": {
                "messageId": _uuid(rng), "timestamp": _iso(clock[0]), "trackedFileBackups": {
                    f"src/{text.name()}.py": {"backupFileName": f"{rng.getrandbits(48):012x}@v2",
                                              "version": 2, "backupTime": _iso(clock[0])}
                    for _ in range(rng.randint(0, 4))}}, "isSnapshotUpdate": False})
        mid = f"msg_{rng.getrandbits(96):024x}"
        assistant(mid, {"type": "thinking", "thinking": text.words(20, 200),
                        "signature": "sig" + "x" * rng.randint(100, 400)})
        assistant(mid, {"type": "text", "text": text.words(5, 60)})
        interrupted = False
        for _ in range(rng.randint(1, 12)):
            mid = f"msg_{rng.getrandbits(96):024x}"
            calls = []
            for _ in range(1 if rng.random() < 0.8 else rng.randint(2, 4)):  # parallel calls
                name = rng.choices([t for t, _ in TOOLS_CC], [w for _, w in TOOLS_CC])[0]
                tid = f"toolu_{rng.getrandbits(96):024x}"
                inp = tool_input(name)
                assistant(mid, {"type": "tool_use", "id": tid, "name": name, "input": inp})
                calls.append((tid, name, inp))
            for tid, name, inp in calls:
                for _ in range(rng.randint(0, 3) if name == "Bash" else rng.randint(0, 1)):
                    progress(tid)
                interrupted = interrupted or rng.random() < 0.01
                result(tid, name, inp, interrupted)
            if interrupted:
                out.write(env("user", message={"role": "user", "content": [
                    {"type": "text", "text": "[Request interrupted by user]"}]}))
                break
            if rng.random() < 0.3:
                assistant(mid, {"type": "text", "text": text.words(5, 80)})
        if not interrupted:
            assistant(f"msg_{rng.getrandbits(96):024x}", {"type": "text", "text": text.words(20, 200)})
            out.write(env("system", subtype="turn_duration", durationMs=rng.randint(2000, 900000),
                          isMeta=False))
    return out.close()


# ---- Codex -------------------------------------------------------------------------------------


def generate_codex(path: str | Path, target_bytes: int, seed: int = 1) -> dict[str, int]:
    """A Codex CLI rollout of about `target_bytes` (whole turns, then it stops)."""
    rng = random.Random(seed)
    text = _Text(rng)
    out = _Writer(path, target_bytes)
    cwd = "/home/dev/projects/shop"
    clock = [START_MS]
    totals = {"input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0,
              "reasoning_output_tokens": 0, "total_tokens": 0}
    next_compact = COMPACT_EVERY
    history: list[dict] = []  # what a compaction's replacement history keeps (user messages)

    def rec(kind: str, payload: dict) -> None:
        clock[0] += rng.randint(5, 3000)
        out.write({"timestamp": _iso(clock[0]), "type": kind, "payload": payload})

    def msg(role: str, body: str) -> dict:
        kind = "input_text" if role == "user" else "output_text"
        return {"type": "message", "role": role, "content": [{"type": kind, "text": body}]}

    def token_count() -> None:
        last = {"input_tokens": rng.randint(2000, 60000), "cached_input_tokens": rng.randint(0, 50000),
                "output_tokens": rng.randint(10, 3000), "reasoning_output_tokens": rng.randint(0, 2000)}
        last["total_tokens"] = last["input_tokens"] + last["output_tokens"]
        for k, v in last.items():
            totals[k] += v
        rec("event_msg", {"type": "token_count", "info": {
            "total_token_usage": dict(totals), "last_token_usage": last,
            "model_context_window": 272000}, "rate_limits": {
            "primary": {"used_percent": round(rng.random() * 90, 1), "window_minutes": 300},
            "secondary": {"used_percent": round(rng.random() * 60, 1), "window_minutes": 10080}}})

    sid = str(uuidlib.UUID(int=rng.getrandbits(128)))
    rec("session_meta", {"id": sid, "timestamp": _iso(clock[0]), "cwd": cwd,
                         "originator": "codex_cli_rs", "cli_version": "0.58.0", "instructions": None,
                         "source": "cli", "model_provider": "openai",
                         "git": {"commit_hash": f"{rng.getrandbits(160):040x}", "branch": "main"}})
    rec("response_item", msg("user", f"<environment_context>\n  <cwd>{cwd}</cwd>\n  "
                                     "<shell>bash</shell>\n</environment_context>"))
    while not out.full:
        if out.bytes >= next_compact:
            next_compact += COMPACT_EVERY
            keep = history[-20:] + [msg("user", "Summary of the conversation so far: "
                                            + text.words(200, 600))]
            rec("compacted", {"message": "", "replacement_history": keep})
            history = history[-20:]
        prompt = text.words(8, 80)
        history.append(msg("user", prompt))
        rec("event_msg", {"type": "user_message", "message": prompt, "images": []})
        rec("turn_context", {"cwd": cwd, "approval_policy": "on-request",
                             "sandbox_policy": {"mode": "workspace-write"}, "model": "gpt-5.1-codex",
                             "effort": rng.choice(["medium", "high"]), "summary": "auto"})
        rec("response_item", msg("user", prompt))
        rec("event_msg", {"type": "task_started", "model_context_window": 272000})
        if rng.random() < 0.3:
            rec("response_item", {"type": "ghost_snapshot", "ghost_commit": {
                "id": f"{rng.getrandbits(160):040x}", "parent": f"{rng.getrandbits(160):040x}",
                "preexisting_untracked_files": [], "preexisting_untracked_dirs": []}})
        aborted = False
        for _ in range(rng.randint(1, 14)):
            head = text.words(2, 6)
            rec("event_msg", {"type": "agent_reasoning", "text": f"**{head}**"})
            rec("response_item", {"type": "reasoning", "summary": [
                {"type": "summary_text", "text": f"**{head}**"}], "content": None,
                "encrypted_content": "gAAAAA" + base64.urlsafe_b64encode(
                    rng.randbytes(rng.randint(450, 3800))).decode()})
            calls = []
            for _ in range(1 if rng.random() < 0.8 else rng.randint(2, 4)):  # parallel calls
                cid = f"call_{rng.getrandbits(120):030x}"
                if rng.random() < 0.2:
                    patch = ("*** Begin Patch\n*** Update File: src/" + text.name() + ".py\n@@\n-"
                             + text.code_block(rng.randint(40, 400)) + "\n+"
                             + text.code_block(rng.randint(40, 600)) + "\n*** End Patch")
                    rec("response_item", {"type": "custom_tool_call", "status": "completed",
                                          "call_id": cid, "name": "apply_patch", "input": patch})
                    calls.append((cid, "custom_tool_call_output"))
                else:
                    cmd = rng.choice(SHELL).format(n=text.name())
                    rec("response_item", {"type": "function_call", "name": "shell", "call_id": cid,
                                          "arguments": orjson.dumps({"command": ["bash", "-lc", cmd],
                                                                     "workdir": cwd}).decode()})
                    calls.append((cid, "function_call_output"))
            for cid, kind in calls:
                if rng.random() < 0.01:
                    aborted = True
                    break
                body = text.code_block(text.output_size())
                if kind == "custom_tool_call_output":
                    output = orjson.dumps({"output": "Success. Updated the following files:\nM src/"
                                           + text.name() + ".py\n",
                                           "metadata": {"exit_code": 0, "duration_seconds": 0.1}})
                else:
                    output = orjson.dumps({"output": body, "metadata": {
                        "exit_code": 0 if rng.random() < 0.9 else 1,
                        "duration_seconds": round(rng.random() * 20, 1)}})
                rec("response_item", {"type": kind, "call_id": cid, "output": output.decode()})
            token_count()
            if aborted:
                rec("event_msg", {"type": "turn_aborted", "reason": "interrupted"})
                break
        if not aborted:
            answer = text.words(20, 250)
            rec("event_msg", {"type": "agent_message", "message": answer})
            rec("response_item", msg("assistant", answer))
            history.append(msg("assistant", answer))
            token_count()
            rec("event_msg", {"type": "task_complete", "last_agent_message": answer})
    return out.close()


GENERATORS = {"claude-code": generate_claude_code, "codex": generate_codex}
