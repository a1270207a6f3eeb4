"""Hand-written pi and Gemini CLI sessions (not copied from real logs), written from the agents'
public sources (pi-mono's session-manager.ts, gemini-cli's chatRecordingService.ts).

Line numbers are the event ids; the comments give them.
"""

from __future__ import annotations

# ---- pi ------------------------------------------------------------------------------------------

PI_SID = "0199aaaa-bbbb-7ccc-8ddd-000000000001"
PI_CWD = "/home/dev/calc"
CALC = "/home/dev/calc/calc.py"
NOTES = "/home/dev/calc/NOTES.md"


def pi_usage(inp: int, out: int, cache_read: int = 0, cache_write: int = 0, cost: float = 0.0) -> dict:
    return {"input": inp, "output": out, "cacheRead": cache_read, "cacheWrite": cache_write,
            "totalTokens": inp + out + cache_read + cache_write,
            "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0, "total": cost}}


def pi(eid: str, parent: str | None, ts: str, type_: str, **fields) -> dict:
    return {"type": type_, "id": eid, "parentId": parent, "timestamp": f"2026-03-01T09:{ts}Z", **fields}


def pi_user(eid: str, parent: str | None, ts: str, text: str) -> dict:
    return pi(eid, parent, ts, "message", message={"role": "user", "content": [{"type": "text", "text": text}],
                                                   "timestamp": 1772355600000})


def pi_assistant(eid: str, parent: str, ts: str, content: list, usage: dict, stop: str = "stop", **extra) -> dict:
    return pi(eid, parent, ts, "message", message={
        "role": "assistant", "content": content, "api": "anthropic-messages", "provider": "anthropic",
        "model": "claude-test", "usage": usage, "stopReason": stop, "timestamp": 1772355600000, **extra})


def pi_call(cid: str, name: str, **args) -> dict:
    return {"type": "toolCall", "id": cid, "name": name, "arguments": args}


def pi_result(eid: str, parent: str, ts: str, cid: str, name: str, text: str, is_error: bool = False) -> dict:
    return pi(eid, parent, ts, "message", message={
        "role": "toolResult", "toolCallId": cid, "toolName": name,
        "content": [{"type": "text", "text": text}], "isError": is_error, "timestamp": 1772355600000})


# A session: settings, a read, an edit, a user `!` command, a compaction that keeps the entries from
# the `!` command on, a failed write, a response aborted by the user, then a return (/tree) to the
# entry after the edit with a branch summary, and a new prompt from there: the entries after the
# edit (9-18) are an abandoned branch. Every kind of entry appears once at least.
PI: list[dict] = [
    {"type": "session", "version": 3, "id": PI_SID, "timestamp": "2026-03-01T09:00:00.000Z",
     "cwd": PI_CWD},                                                                           # 1
    pi("e01", None, "00:00.100", "model_change", provider="anthropic", modelId="claude-test"),  # 2
    pi("e02", "e01", "00:00.200", "thinking_level_change", thinkingLevel="medium"),            # 3
    pi_user("e03", "e02", "00:01.000", "Make add() in calc.py handle floats"),                 # 4
    pi_assistant("e04", "e03", "00:02.000", [
        {"type": "thinking", "thinking": "Read the file first."},
        pi_call("c1", "read", path=CALC)], pi_usage(100, 20, 0, 50, 0.001), stop="toolUse"),  # 5
    pi_result("e05", "e04", "00:02.500", "c1", "read", "def add(a, b):\n    return int(a) + int(b)\n"),  # 6
    pi_assistant("e06", "e05", "00:03.000", [
        pi_call("c2", "edit", path=CALC, oldText="int(a) + int(b)", newText="a + b")],
        pi_usage(10, 30, 150, 0, 0.002), stop="toolUse"),                                       # 7
    pi_result("e07", "e06", "00:03.500", "c2", "edit", "Successfully replaced text in calc.py"),  # 8
    # 9-18: the branch the user comes back from
    pi("e08", "e07", "00:04.000", "message", message={
        "role": "bashExecution", "command": "python -m pytest -q", "output": "1 passed\n",
        "exitCode": 0, "cancelled": False, "truncated": False, "timestamp": 1772355604000}),  # 9
    pi_assistant("e09", "e08", "00:05.000", [{"type": "text", "text": "Tests pass. add() takes floats now."}],
                 pi_usage(20, 10, 200, 0, 0.001)),                                              # 10
    pi("e10", "e09", "00:06.000", "compaction", summary="Changed add() to accept floats; tests pass.",
       firstKeptEntryId="e08", tokensBefore=12000),                                            # 11
    pi_user("e11", "e10", "00:07.000", "Write the change into NOTES.md"),                      # 12
    pi_assistant("e12", "e11", "00:08.000", [pi_call("c3", "write", path=NOTES, content="floats\n")],
                 pi_usage(30, 12, 100, 0, 0.001), stop="toolUse"),                              # 13
    pi_result("e13", "e12", "00:08.500", "c3", "write", "EACCES: permission denied", is_error=True),  # 14
    pi_assistant("e14", "e13", "00:09.000", [], pi_usage(0, 0), stop="aborted",
                 errorMessage="Request was aborted"),                                           # 15
    pi("e15", "e14", "00:09.500", "label", targetId="e10", label="after compaction"),          # 16
    pi("e16", "e15", "00:09.600", "custom", customType="todo-ext", data={"open": 1}),          # 17
    pi("e17", "e16", "00:09.700", "custom_message", customType="reminder",
       content="Remember the changelog", display=True),                                        # 18
    # 19: back to e07 (/tree) with a summary of the branch left
    pi("e18", "e07", "00:10.000", "branch_summary", fromId="e17",
       summary="Tried writing NOTES.md: permission denied."),                                  # 19
    pi_user("e19", "e18", "00:11.000", "Add a docstring to add() instead"),                   # 20
    pi_assistant("e20", "e19", "00:12.000", [pi_call("c4", "edit", path=CALC, oldText="def add(a, b):",
                                                     newText='def add(a, b):\n    """Sum."""')],
                 pi_usage(40, 25, 300, 0, 0.002), stop="toolUse"),                              # 21
    pi_result("e21", "e20", "00:12.500", "c4", "edit", "Successfully replaced text in calc.py"),  # 22
    pi("e22", "e21", "00:13.000", "session_info", name="floats in add()"),                     # 23
    pi_assistant("e23", "e22", "00:14.000", [{"type": "text", "text": "Done."}],
                 pi_usage(50, 5, 350, 0, 0.001)),                                               # 24
]

# The same session on one line of work (no branch), compacted: for the compaction review.
PI_LINEAR: list[dict] = PI[:18]


# ---- Gemini CLI ----------------------------------------------------------------------------------

G_SID = "5f0c1d2e-3b4a-4c5d-8e9f-000000000003"
G_README = "/home/dev/site/README.md"


def g_ts(s: str) -> str:
    return f"2026-04-01T12:{s}Z"


def g_call(cid: str, name: str, args: dict, status: str, output: str | None = None) -> dict:
    call = {"id": cid, "name": name, "args": args, "status": status, "timestamp": g_ts("00:05.000"),
            "displayName": name, "description": "", "renderOutputAsMarkdown": False}
    if output is not None:
        call["result"] = [{"functionResponse": {"id": cid, "name": name, "response": {"output": output}}}]
        call["resultDisplay"] = output
    return call


def g_tokens(inp: int, out: int, thoughts: int = 0) -> dict:
    return {"input": inp, "output": out, "cached": 0, "thoughts": thoughts, "tool": 0,
            "total": inp + out + thoughts}


def gemini(mid: str, s: str, content="", **extra) -> dict:
    return {"id": mid, "timestamp": g_ts(s), "type": "gemini", "content": content, **extra}


LS = g_call("call-1", "run_shell_command", {"command": "ls"}, "executing")
LS_DONE = g_call("call-1", "run_shell_command", {"command": "ls"}, "success", "README.md\nsrc\n")
THOUGHT = [{"subject": "Listing the files", "description": "Run ls first.", "timestamp": g_ts("00:02.000")}]

# A session: a prompt, a shell call written three times as it runs, finishes and gets its tokens,
# a file read, an answer; a prompt to delete the README that the user rewinds (its messages stay in
# the file: a branch), a new prompt, a history rewrite (compression), and an API error at the end.
GEMINI_CLI: list[dict] = [
    {"sessionId": G_SID, "projectHash": "9a8b7c6d5e4f", "startTime": g_ts("00:00.000"),
     "lastUpdated": g_ts("00:00.000"), "kind": "main"},                                       # 1
    {"id": "g1", "timestamp": g_ts("00:01.000"), "type": "user",
     "content": [{"text": "List the files and read README.md"}]},                             # 2
    {"$set": {"lastUpdated": g_ts("00:01.000")}},                                             # 3
    gemini("g2", "00:02.000", toolCalls=[LS], thoughts=THOUGHT, model="gemini-2.5-pro",
           tokens=None),                                                                      # 4
    gemini("g2", "00:02.000", toolCalls=[LS_DONE], thoughts=THOUGHT, model="gemini-2.5-pro",
           tokens=None),                                                                      # 5
    gemini("g2", "00:02.000", toolCalls=[LS_DONE], thoughts=THOUGHT, model="gemini-2.5-pro",
           tokens=g_tokens(1000, 50, 20)),                                                    # 6
    gemini("g3", "00:03.000", toolCalls=[g_call("call-2", "read_file", {"absolute_path": G_README},
                                               "success", "# Site\nHello.\n")],
           thoughts=[], model="gemini-2.5-pro", tokens=g_tokens(1200, 30)),                   # 7
    gemini("g4", "00:04.000", "The README says hello.", thoughts=[], model="gemini-2.5-pro",
           tokens=g_tokens(1300, 10)),                                                        # 8
    # 9-11: rewound
    {"id": "g5", "timestamp": g_ts("00:10.000"), "type": "user", "content": [{"text": "Delete README.md"}]},  # 9
    gemini("g6", "00:11.000", toolCalls=[g_call("call-3", "run_shell_command",
                                               {"command": f"rm {G_README}"}, "success", "")],
           thoughts=[], model="gemini-2.5-pro", tokens=g_tokens(1400, 20)),                   # 10
    {"id": "g7", "timestamp": g_ts("00:11.500"), "type": "info", "content": "File deleted."},  # 11
    {"$rewindTo": "g5"},                                                                       # 12
    {"id": "g8", "timestamp": g_ts("00:20.000"), "type": "user",
     "content": [{"text": "Summarise README.md in one line"}]},                               # 13
    gemini("g9", "00:21.000", "A site that says hello.", thoughts=[], model="gemini-2.5-pro",
           tokens=g_tokens(1500, 8)),                                                         # 14
    {"$set": {"messages": [
        {"id": "s1", "timestamp": g_ts("00:22.000"), "type": "user",
         "content": [{"text": "<state_snapshot>Read the README of a site.</state_snapshot>"}]},
        {"id": "g9", "timestamp": g_ts("00:21.000"), "type": "gemini", "content": "A site that says hello."}],
        "lastUpdated": g_ts("00:22.000")}},                                                   # 15
    {"id": "g10", "timestamp": g_ts("00:23.000"), "type": "user", "content": [{"text": "Thanks"}]},  # 16
    gemini("g11", "00:24.000", "You're welcome.", thoughts=[], model="gemini-2.5-flash",
           tokens=g_tokens(300, 5)),                                                          # 17
    {"id": "g12", "timestamp": g_ts("00:25.000"), "type": "error", "content": "[API Error: 429]"},  # 18
    {"$set": {"summary": "Read and summarise the README"}},                                   # 19
]
