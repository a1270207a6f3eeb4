"""Hand-written tree-shaped logs (not copied from real logs): a Claude Code session with a rewind.

Line numbers are the event ids; the comments give them.
"""

from __future__ import annotations

from format_fixtures import _usage, assistant, progress, tool_result, tool_use, user

HELLO = "/home/dev/proj/hello.py"
TEST = "/home/dev/proj/test_hello.py"

# The user asks for hello.py, then for its deletion; rewinds that prompt (Esc Esc) and asks for a
# test instead. The answer runs two tools in parallel (two records of one response, each result
# hanging off its own call: the chain from the last leaf skips one of them, but that is not a
# branch). The deletion's records stay in the file on an abandoned branch.
CLAUDE_CODE_REWIND: list[dict] = [
    user("u1", None, "2026-02-01T10:00:00.000Z", "Write hello.py"),                          # 1
    assistant("a1", "u1", "2026-02-01T10:00:01.000Z", "m1",
              tool_use("t1", "Write", file_path=HELLO, content="print('hi')\n"), _usage(10, 5)),  # 2
    tool_result("r1", "a1", "2026-02-01T10:00:02.000Z", "t1", "File created",
                {"type": "create", "filePath": HELLO, "content": "print('hi')\n"}),         # 3
    assistant("a2", "r1", "2026-02-01T10:00:03.000Z", "m2",
              {"type": "text", "text": "Done."}, _usage(20, 2)),                           # 4
    # 5-8: the abandoned branch
    user("u2", "a2", "2026-02-01T10:01:00.000Z", "Now delete it"),                          # 5
    assistant("a3", "u2", "2026-02-01T10:01:01.000Z", "m3",
              tool_use("t2", "Bash", command=f"rm {HELLO}"), _usage(30, 4)),                # 6
    tool_result("r2", "a3", "2026-02-01T10:01:02.000Z", "t2", "",
                {"stdout": "", "stderr": "", "interrupted": False, "isImage": False}),     # 7
    assistant("a4", "r2", "2026-02-01T10:01:03.000Z", "m4",
              {"type": "text", "text": "Deleted."}, _usage(40, 2)),                        # 8
    # 9: the prompt edited after the rewind: a sibling of line 5
    user("u3", "a2", "2026-02-01T10:02:00.000Z", "Now add a test"),                         # 9
    # 10-11: one response, two parallel calls
    assistant("a5", "u3", "2026-02-01T10:02:01.000Z", "m5",
              tool_use("t3", "Write", file_path=TEST, content="def test(): pass\n"), _usage(50, 6)),  # 10
    assistant("a6", "a5", "2026-02-01T10:02:01.100Z", "m5",
              tool_use("t4", "Read", file_path=HELLO), _usage(50, 9)),                     # 11
    progress("p1", "a6", "2026-02-01T10:02:01.200Z", "t4",
             {"type": "hook_progress", "hookEvent": "PreToolUse", "hookName": "PreToolUse:Read",
              "command": "true"}),                                                          # 12
    tool_result("r4", "a6", "2026-02-01T10:02:02.000Z", "t4", "print('hi')\n",
                {"type": "text", "file": {"filePath": HELLO, "content": "print('hi')\n",
                                          "numLines": 1, "startLine": 1, "totalLines": 1}}),  # 13
    tool_result("r3", "a5", "2026-02-01T10:02:02.100Z", "t3", "File created",
                {"type": "create", "filePath": TEST, "content": "def test(): pass\n"}),     # 14
    assistant("a7", "r3", "2026-02-01T10:02:03.000Z", "m6",
              {"type": "text", "text": "Added a test."}, _usage(60, 3)),                   # 15
]
