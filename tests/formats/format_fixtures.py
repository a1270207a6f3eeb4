"""Small hand-written logs of each format, one record kind after another (not copied from real logs).

Line numbers are the event ids of Claude Code and Codex logs; the comments give them.
"""

from __future__ import annotations

from pathlib import Path

from agent_fixtures import GEMINI_CLI, PI

from agentlog_tui.core.analysis import Analysis

SID = "11111111-aaaa-bbbb-cccc-000000000001"
SID2 = "22222222-aaaa-bbbb-cccc-000000000002"
CWD = "/home/dev/proj"


def _env(uuid: str | None, parent: str | None, ts: str, sid: str = SID) -> dict:
    return {"parentUuid": parent, "isSidechain": False, "userType": "external", "cwd": CWD,
            "sessionId": sid, "version": "2.1.0", "gitBranch": "main", "uuid": uuid, "timestamp": ts}


def _usage(inp: int, out: int, cache_read: int = 0, cache_creation: int = 0) -> dict:
    return {"input_tokens": inp, "output_tokens": out, "cache_read_input_tokens": cache_read,
            "cache_creation_input_tokens": cache_creation}


def user(uuid: str, parent: str | None, ts: str, content, sid: str = SID, **extra) -> dict:
    return {**_env(uuid, parent, ts, sid), "type": "user",
            "message": {"role": "user", "content": content}, **extra}


def assistant(uuid: str, parent: str | None, ts: str, mid: str, block: dict, usage: dict,
              sid: str = SID) -> dict:
    return {**_env(uuid, parent, ts, sid), "type": "assistant",
            "message": {"model": "claude-test", "id": mid, "type": "message", "role": "assistant",
                        "content": [block], "usage": usage}}


def tool_use(tid: str, name: str, **inp) -> dict:
    return {"type": "tool_use", "id": tid, "name": name, "input": inp}


def tool_result(uuid: str, parent: str, ts: str, tid: str, text: str, tur, is_error: bool = False) -> dict:
    rec = user(uuid, parent, ts, [{"tool_use_id": tid, "type": "tool_result", "content": text,
                                   "is_error": is_error}])
    rec["toolUseResult"] = tur
    return rec


def progress(uuid: str, parent: str | None, ts: str, tool_id: str, data: dict) -> dict:
    return {**_env(uuid, parent, ts), "type": "progress", "data": data,
            "parentToolUseID": tool_id, "toolUseID": f"p-{uuid}"}


def hook(event: str, name: str) -> dict:
    return {"type": "hook_progress", "hookEvent": event, "hookName": f"{event}:{name}", "command": "true"}


PARSE = "/home/dev/proj/src/parse.py"
OTHER = "/home/dev/proj/src/other.py"

# A session that reads a file, runs a command, edits the file, keeps a todo list, reads the file
# again, is compacted, and goes on with one tool call still in flight at the end.
CLAUDE_CODE: list[dict] = [
    # 1
    {"type": "summary", "summary": "Fix the parser", "leafUuid": "u-last"},
    # 2
    {"type": "file-history-snapshot", "messageId": "u1",
     "snapshot": {"messageId": "u1", "trackedFileBackups": {}, "timestamp": "2026-01-01T10:00:00.000Z"},
     "isSnapshotUpdate": False},
    # 3: writes the session
    progress("p0", None, "2026-01-01T10:00:00.100Z", "hook-start", hook("SessionStart", "startup")),
    # 4
    user("u1", None, "2026-01-01T10:00:01.000Z", "Fix the parser in src/parse.py"),
    # 5-7: one API response streamed as three records sharing message id m1
    assistant("a1", "u1", "2026-01-01T10:00:02.000Z", "m1",
              {"type": "thinking", "thinking": "Look at the parser first.", "signature": "x"},
              _usage(10, 5, 100, 0)),
    assistant("a2", "a1", "2026-01-01T10:00:02.100Z", "m1",
              {"type": "text", "text": "Let me read it.\nThen fix it."}, _usage(10, 5, 100, 0)),
    assistant("a3", "a2", "2026-01-01T10:00:02.200Z", "m1",
              tool_use("t1", "Read", file_path=PARSE), _usage(10, 12, 100, 0)),
    # 8-9
    progress("p1", "a3", "2026-01-01T10:00:02.300Z", "t1", hook("PreToolUse", "Read")),
    progress("p2", "p1", "2026-01-01T10:00:02.400Z", "t1", hook("PostToolUse", "Read")),
    # 10
    tool_result("u2", "a3", "2026-01-01T10:00:02.500Z", "t1", "1 def parse():\n2   pass\n3 \n",
                {"type": "text", "file": {"filePath": PARSE, "content": "def parse():\n  pass\n\n",
                                          "numLines": 3, "startLine": 1, "totalLines": 3}}),
    # 11
    assistant("a4", "u2", "2026-01-01T10:00:03.000Z", "m2",
              tool_use("t2", "Bash", command="ls -la", description="List files"), _usage(20, 4, 200, 0)),
    # 12
    progress("p3", "a4", "2026-01-01T10:00:03.100Z", "t2",
             {"type": "bash_progress", "output": "a", "fullOutput": "a", "elapsedTimeSeconds": 1,
              "totalLines": 1}),
    # 13
    tool_result("u3", "a4", "2026-01-01T10:00:03.500Z", "t2", "a\nb\n",
                {"stdout": "a\nb\n", "stderr": "", "interrupted": False, "isImage": False}),
    # 14
    assistant("a5", "u3", "2026-01-01T10:00:04.000Z", "m3",
              tool_use("t3", "Edit", file_path=PARSE, old_string="pass", new_string="return 1"),
              _usage(30, 6, 300, 0)),
    # 15
    tool_result("u4", "a5", "2026-01-01T10:00:04.500Z", "t3", "The file was updated.",
                {"filePath": PARSE, "oldString": "pass", "newString": "return 1", "replaceAll": False}),
    # 16
    assistant("a6", "u4", "2026-01-01T10:00:05.000Z", "m4",
              tool_use("t4", "TodoWrite", todos=[
                  {"content": "Fix parse", "status": "in_progress", "activeForm": "Fixing parse"},
                  {"content": "Run tests", "status": "pending", "activeForm": "Running tests"}]),
              _usage(40, 7, 400, 0)),
    # 17
    tool_result("u5", "a6", "2026-01-01T10:00:05.500Z", "t4", "Todos have been modified", {"oldTodos": []}),
    # 18: the same file read again
    assistant("a7", "u5", "2026-01-01T10:00:06.000Z", "m5",
              tool_use("t5", "Read", file_path=PARSE), _usage(50, 8, 500, 0)),
    # 19
    tool_result("u6", "a7", "2026-01-01T10:00:06.500Z", "t5", "1 def parse():\n2   return 1\n",
                {"type": "text", "file": {"filePath": PARSE, "content": "def parse():\n  return 1\n",
                                          "numLines": 2, "startLine": 1, "totalLines": 2}}),
    # 20: the todo list replaced
    assistant("a8", "u6", "2026-01-01T10:00:07.000Z", "m6",
              tool_use("t6", "TodoWrite", todos=[
                  {"content": "Fix parse", "status": "completed", "activeForm": "Fixing parse"},
                  {"content": "Run tests", "status": "in_progress", "activeForm": "Running tests"}]),
              _usage(60, 9, 600, 0)),
    # 21
    tool_result("u7", "a8", "2026-01-01T10:00:07.500Z", "t6", "Todos have been modified", {"oldTodos": []}),
    # 22
    {**_env("s1", "u7", "2026-01-01T10:00:08.000Z"), "type": "system", "subtype": "turn_duration",
     "durationMs": 7000, "isMeta": False},
    # 23
    {"type": "queue-operation", "operation": "enqueue", "timestamp": "2026-01-01T10:00:08.100Z",
     "sessionId": SID, "content": "also run the linter"},
    # 24: the compaction
    {**_env("c1", None, "2026-01-01T10:00:09.000Z"), "logicalParentUuid": "s1", "type": "system",
     "subtype": "compact_boundary", "content": "Conversation compacted", "isMeta": False,
     "level": "info", "compactMetadata": {"trigger": "auto", "preTokens": 5000}},
    # 25
    user("u8", "c1", "2026-01-01T10:00:09.001Z",
         "This session is being continued from a previous conversation. Summary: parser fixed.",
         isCompactSummary=True, isVisibleInTranscriptOnly=True),
    # 26
    assistant("a9", "u8", "2026-01-01T10:00:10.000Z", "m7",
              {"type": "text", "text": "Continuing with the tests."}, _usage(5, 3, 50, 10)),
    # 27: in flight at the end
    assistant("a10", "a9", "2026-01-01T10:00:10.100Z", "m7",
              tool_use("t7", "Read", file_path=OTHER), _usage(5, 6, 50, 10)),
    # 28
    progress("p4", "a10", "2026-01-01T10:00:10.200Z", "t7", hook("PreToolUse", "Read")),
]

# Session A, then session B resuming it in the same file (its first record's parent is A's last).
CLAUDE_CODE_RESUMED: list[dict] = [
    user("r1", None, "2026-01-02T09:00:00.000Z", "Start the server"),                       # 1
    assistant("r2", "r1", "2026-01-02T09:00:01.000Z", "mr1",
              {"type": "text", "text": "Started."}, _usage(3, 2)),                        # 2
    user("r3", "r2", "2026-01-02T10:00:00.000Z", "Is it still running?", sid=SID2),         # 3
    assistant("r4", "r3", "2026-01-02T10:00:01.000Z", "mr2",
              {"type": "text", "text": "Yes."}, _usage(4, 1), sid=SID2),                 # 4
]

CODEX_META = {"id": "019a0000-0000-7000-8000-000000000001", "timestamp": "2026-01-03T08:00:00.000Z",
              "cwd": "/home/dev/app", "originator": "codex_cli_rs", "cli_version": "0.60.0",
              "instructions": None, "source": "cli", "model_provider": "openai",
              "git": {"commit_hash": "abc123", "branch": "main"}}
TURN_CONTEXT = {"cwd": "/home/dev/app", "approval_policy": "never",
                "sandbox_policy": {"mode": "workspace-write"}, "model": "gpt-test", "effort": "high",
                "summary": "auto"}


def cx(ts: str, type_: str, payload: dict) -> dict:
    return {"timestamp": f"2026-01-03T08:{ts}Z", "type": type_, "payload": payload}


def msg(role: str, text: str) -> dict:
    kind = "input_text" if role == "user" else "output_text"
    return {"type": "message", "role": role, "content": [{"type": kind, "text": text}]}


def totals(inp: int, out: int) -> dict:
    usage = {"input_tokens": inp, "cached_input_tokens": 0, "output_tokens": out,
             "reasoning_output_tokens": 0, "total_tokens": inp + out}
    return {"type": "token_count", "info": {"total_token_usage": usage, "last_token_usage": usage,
                                            "model_context_window": 200000},
            "rate_limits": {"primary": {"used_percent": 1.0}}}


CODEX: list[dict] = [
    cx("00:00.000", "session_meta", CODEX_META),                                             # 1
    cx("00:01.000", "response_item", msg("user", "<environment_context>cwd</environment_context>")),  # 2
    cx("00:02.000", "response_item", msg("user", "Add a --verbose flag")),                   # 3
    cx("00:02.001", "event_msg", {"type": "user_message", "message": "Add a --verbose flag", "images": []}),  # 4
    cx("00:02.002", "turn_context", TURN_CONTEXT),                                           # 5
    cx("00:02.003", "event_msg", {"type": "task_started", "model_context_window": 200000}),  # 6
    cx("00:02.100", "response_item", {"type": "ghost_snapshot", "ghost_commit": {
        "id": "g1", "parent": "abc123", "preexisting_untracked_files": [],
        "preexisting_untracked_dirs": []}}),                                                 # 7
    cx("00:03.000", "event_msg", {"type": "agent_reasoning", "text": "**Looking at the CLI**"}),  # 8
    cx("00:03.001", "response_item", {"type": "reasoning", "summary": [
        {"type": "summary_text", "text": "**Looking at the CLI**"}], "content": None,
        "encrypted_content": "zzz"}),                                                        # 9
    cx("00:03.002", "response_item", {"type": "function_call", "name": "shell",
                                      "arguments": '{"command":["bash","-lc","ls -la"]}',
                                      "call_id": "call_1"}),                                 # 10
    cx("00:03.500", "response_item", {"type": "function_call_output", "call_id": "call_1",
                                      "output": '{"output":"a.py\\nb.py\\n","metadata":{"exit_code":0}}'}),  # 11
    cx("00:03.600", "event_msg", totals(100, 10)),                                           # 12
    cx("00:03.700", "turn_context", TURN_CONTEXT),                                           # 13: identical repeat
    cx("00:04.000", "response_item", {"type": "custom_tool_call", "status": "completed",
                                      "call_id": "call_2", "name": "apply_patch",
                                      "input": "*** Begin Patch\n*** Update File: a.py\n*** End Patch"}),  # 14
    cx("00:04.500", "response_item", {"type": "custom_tool_call_output", "call_id": "call_2",
                                      "output": "Success. Updated a.py"}),                   # 15
    cx("00:04.600", "event_msg", totals(250, 30)),                                           # 16
    cx("00:05.000", "response_item", msg("assistant", "Added --verbose.")),                  # 17
    cx("00:05.001", "event_msg", {"type": "agent_message", "message": "Added --verbose."}),  # 18
    cx("00:05.002", "event_msg", {"type": "task_complete", "last_agent_message": "Added --verbose."}),  # 19
    cx("00:06.000", "response_item", msg("user", "Also add -q")),                            # 20
    cx("00:06.500", "response_item", {"type": "function_call", "name": "shell",
                                      "arguments": '{"command":["bash","-lc","grep -n verbose a.py"]}',
                                      "call_id": "call_3"}),                                 # 21
    cx("00:07.000", "event_msg", {"type": "thread_rolled_back", "num_turns": 1}),           # 22
    cx("00:08.000", "compacted", {"message": "summary of the work so far",
                                  "replacement_history": [msg("user", "Add a --verbose flag"),
                                                          msg("assistant", "Summary: flag added.")]}),  # 23
    cx("00:09.000", "response_item", msg("user", "Now write the changelog")),                # 24
    cx("00:09.500", "response_item", {"type": "function_call", "name": "shell",
                                      "arguments": '{"command":["bash","-lc","cat CHANGELOG.md"]}',
                                      "call_id": "call_4"}),                                 # 25
    cx("00:10.000", "session_meta", {**CODEX_META, "id": "019a0000-0000-7000-8000-000000000002"}),  # 26
]

# The older Codex layout: a bare first line, then bare response items and state lines.
CODEX_LEGACY: list[dict] = [
    {"id": "0c0ffee0-0000-0000-0000-000000000001", "timestamp": "2025-06-01T10:00:00.000Z",
     "instructions": "Be brief.", "git": {"branch": "dev"}},                                   # 1
    {"record_type": "state"},                                                                 # 2
    msg("user", "list the files"),                                                            # 3
    {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Listing"}],
     "encrypted_content": "q"},                                                               # 4
    {"type": "function_call", "id": "fc_1", "name": "shell",
     "arguments": '{"command":["ls"]}', "call_id": "call_a"},                                  # 5
    {"record_type": "state"},                                                                 # 6
    {"type": "function_call_output", "call_id": "call_a",
     "output": '{"output":"x\\ny\\n","metadata":{"exit_code":0}}'},                            # 7
    msg("assistant", "Two files: x and y."),                                                  # 8
]

AGENTLOG: list[dict] = [
    {"seq": 1, "ts": "2026-01-04T00:00:00Z", "type": "task_started", "data": {"id": "t1"}},
    {"seq": 2, "ts": "2026-01-04T00:00:01Z", "type": "draft_written", "data": {"path": "a.md"}},
    {"seq": 3, "ts": "2026-01-04T00:00:02Z", "type": "draft_written", "data": {"path": "a.md"}},
    {"seq": 4, "ts": "2026-01-04T00:00:03Z", "type": "task_completed", "data": {"id": "t1"}},
]

# format name -> a small log of that format, for the contract tests
from openhands_fixtures import OPENHANDS  # its own module (agents-more)

BY_FORMAT: dict[str, list[dict]] = {
    "agentlog": AGENTLOG,
    "openhands": OPENHANDS,
    "claude-code": CLAUDE_CODE,
    "codex": CODEX,
    "pi": PI,
    "gemini-cli": GEMINI_CLI,
}


def analysed(path: Path) -> Analysis:
    """The analysis of a log, run to its end."""
    a = Analysis(path)
    a.run()
    return a


def pos_of_line(a: Analysis, line: int) -> int:
    """Event position of a 1-based line (ids are line numbers)."""
    p = a.pos_of_seq(line)
    assert p is not None
    return p
