"""Hand-made agent sessions for the UI tests (written for these tests, not copied from logs).

Claude Code and Codex ids are line numbers; the comments give them.
"""

from __future__ import annotations

from pathlib import Path

import orjson

SID = "11111111-aaaa-bbbb-cccc-000000000001"


def _env(uuid: str, parent: str | None, ts: str) -> dict:
    return {"parentUuid": parent, "isSidechain": False, "userType": "external",
            "cwd": "/home/dev/proj", "sessionId": SID, "version": "2.1.0", "gitBranch": "main",
            "uuid": uuid, "timestamp": f"2026-01-01T10:00:{ts}Z"}


def _user(uuid: str, parent: str | None, ts: str, content) -> dict:
    return {**_env(uuid, parent, ts), "type": "user",
            "message": {"role": "user", "content": content}}


def _assistant(uuid: str, parent: str, ts: str, mid: str, block: dict) -> dict:
    return {**_env(uuid, parent, ts), "type": "assistant",
            "message": {"model": "claude-test", "id": mid, "type": "message", "role": "assistant",
                        "content": [block], "usage": {"input_tokens": 5, "output_tokens": 3}}}


def _call(tid: str, name: str, **inp) -> dict:
    return {"type": "tool_use", "id": tid, "name": name, "input": inp}


def _result(uuid: str, parent: str, ts: str, tid: str, text: str, is_error: bool = False,
            tur: dict | None = None) -> dict:
    rec = _user(uuid, parent, ts, [{"tool_use_id": tid, "type": "tool_result", "content": text,
                                    "is_error": is_error}])
    rec["toolUseResult"] = tur if tur is not None else {
        "stdout": text, "stderr": "", "interrupted": False}
    return rec


def _hook(uuid: str, parent: str, ts: str, tid: str, event: str) -> dict:
    return {**_env(uuid, parent, ts), "type": "progress", "parentToolUseID": tid,
            "toolUseID": f"p-{uuid}",
            "data": {"type": "hook_progress", "hookEvent": event, "hookName": f"{event}:Bash",
                     "command": "true"}}


CLAUDE_SESSION: list[dict] = [
    _user("u1", None, "01.000", "Fix the failing parser test\nin src/parse.py"),              # 1
    _assistant("a1", "u1", "02.000", "m1", {"type": "text", "text": "I'll run the tests first."}),  # 2
    _assistant("a2", "a1", "02.100", "m1",
               _call("t1", "Bash", command='cd "C:\\Users\\dev\\proj" && npm test',
                     description="Run the tests")),                                          # 3
    _hook("h1", "a2", "02.200", "t1", "PreToolUse"),                                         # 4
    _hook("h2", "h1", "02.300", "t1", "PostToolUse"),                                        # 5
    _result("u2", "a2", "03.000", "t1", "npm ERR! 1 test failed: parse()", is_error=True),  # 6
    _assistant("a3", "u2", "04.000", "m2", _call("t2", "Glob", pattern="**/*.py",
                                                 path="/home/dev/proj")),                    # 7
    _result("u3", "a3", "04.500", "t2", "/home/dev/proj/src/parse.py",
            tur={"filenames": ["/home/dev/proj/src/parse.py"], "numFiles": 1}),              # 8
    _assistant("a4", "u3", "05.000", "m3", _call("t3", "Grep", pattern="def parse",
                                                 path="src")),                               # 9
    _result("u4", "a4", "05.500", "t3", "src/parse.py:1:def parse():",
            tur={"filenames": ["src/parse.py"], "numFiles": 1, "mode": "content"}),          # 10
    {"type": "queue-operation", "operation": "enqueue", "timestamp": "2026-01-01T10:00:06.000Z",
     "sessionId": SID, "content": "also run the linter"},                                    # 11
    {**_env("s1", "u4", "06.500"), "type": "system", "subtype": "turn_duration",
     "durationMs": 5000, "isMeta": False},                                                    # 12
    _user("u5", "s1", "07.000", "Thanks, now explain the fix"),                               # 13
    _assistant("a5", "u5", "08.000", "m4", {"type": "text", "text": "The parser skipped a line."}),  # 14
]


def write(path: Path, records: list[dict]) -> str:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return str(path)


def _cx(ts: str, type_: str, payload: dict) -> dict:
    return {"timestamp": f"2026-01-03T08:00:{ts}Z", "type": type_, "payload": payload}


def _shell(cid: str, cmd: str) -> dict:
    return {"type": "function_call", "name": "shell", "call_id": cid,
            "arguments": orjson.dumps({"command": ["bash", "-lc", cmd]}).decode()}


def _out(cid: str, text: str, code: int) -> dict:
    return {"type": "function_call_output", "call_id": cid,
            "output": orjson.dumps({"output": text, "metadata": {"exit_code": code}}).decode()}


CODEX_SESSION: list[dict] = [
    _cx("00.000", "session_meta", {"id": "019a0000-0000-7000-8000-000000000009",
                                   "timestamp": "2026-01-03T08:00:00.000Z", "cwd": "/home/dev/app",
                                   "originator": "codex_cli_rs", "cli_version": "0.60.0",
                                   "source": "cli", "model_provider": "openai"}),         # 1
    _cx("01.000", "response_item", {"type": "message", "role": "user",
                                    "content": [{"type": "input_text", "text": "Run the tests"}]}),  # 2
    _cx("02.000", "response_item", _shell("call_1", "pytest -q")),                        # 3
    _cx("03.000", "response_item", _out("call_1", "1 failed", 2)),                        # 4
    _cx("04.000", "response_item", _shell("call_2", "grep -n nothing a.py")),             # 5
    _cx("05.000", "response_item", _out("call_2", "", 1)),                                # 6: no match
    _cx("06.000", "response_item", {"type": "message", "role": "assistant",
                                    "content": [{"type": "output_text", "text": "One test fails."}]}),  # 7
]


# The same session, compacted at its end: every prompt before the compaction is superseded.
CLAUDE_COMPACTED: list[dict] = [
    *CLAUDE_SESSION,
    {**_env("c1", None, "09.000"), "logicalParentUuid": "a5", "type": "system",
     "subtype": "compact_boundary", "content": "Conversation compacted", "isMeta": False,
     "level": "info", "compactMetadata": {"trigger": "auto", "preTokens": 5000}},           # 15
    {**_user("u6", "c1", "09.001", "This session is being continued. Summary: parser fixed."),
     "isCompactSummary": True},                                                              # 16
    _assistant("a6", "u6", "10.000", "m5", {"type": "text", "text": "Continuing."}),          # 17
]
