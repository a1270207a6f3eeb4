"""A hand-written OpenHands event stream, every record kind the format reads (not copied from a
real session). Ids skip numbers where a saved trajectory would (hidden events left out)."""

from __future__ import annotations


def _ts(n: int) -> str:
    return f"2026-02-01T09:{n // 60:02d}:{n % 60:02d}.000000"


def action(i: int, source: str, name: str, args: dict, message: str = "", **extra) -> dict:
    return {"id": i, "timestamp": _ts(i), "source": source, "message": message, "action": name,
            "args": args, **extra}


def observation(i: int, cause: int | None, name: str, content: str = "", extras: dict | None = None,
                source: str = "agent", **extra) -> dict:
    ev = {"id": i, "timestamp": _ts(i), "source": source, "message": "", "observation": name,
          "content": content, "extras": extras or {}, **extra}
    if cause is not None:
        ev["cause"] = cause
    return ev


def run_meta(code: int) -> dict:
    return {"exit_code": code, "pid": -1, "username": "openhands", "working_dir": "/workspace",
            "prefix": "", "suffix": f"\n[The command completed with exit code {code}.]"}


TASK = "Fix the failing test in calc.py and check the docs page"

OPENHANDS: list[dict] = [
    observation(0, None, "agent_state_changed", extras={"agent_state": "loading"}, source="environment"),
    action(1, "environment", "change_agent_state", {"agent_state": "init", "thought": ""}),
    observation(2, 1, "null", source="environment"),
    action(3, "user", "message", {"content": TASK, "image_urls": None, "wait_for_response": False},
           message=TASK),
    observation(4, None, "agent_state_changed", extras={"agent_state": "running"}, source="environment"),
    action(5, "agent", "recall", {"recall_type": "workspace_context", "query": TASK}),
    observation(6, 5, "recall", extras={"recall_type": "workspace_context", "repo_name": "calc"},
                source="environment"),
    action(7, "agent", "read", {"path": "/workspace/calc.py", "start": 0, "end": -1,
                                "thought": "Read the code first."}),
    observation(8, 7, "read", "def add(a, b):\n    return a - b\n", {"path": "/workspace/calc.py"}),
    action(9, "agent", "run", {"command": "pytest -q", "is_input": False, "blocking": False,
                               "thought": "Run the tests."}, message="Running command: pytest -q"),
    observation(10, 9, "run", "F\n1 failed\n", {"command": "pytest -q", "metadata": run_meta(1)},
                success=False),
    action(11, "agent", "edit", {"path": "/workspace/calc.py", "command": "str_replace",
                                 "old_str": "a - b", "new_str": "a + b", "thought": "Fix the sign."}),
    observation(12, 11, "edit", "--- calc.py\n+++ calc.py\n-    return a - b\n+    return a + b\n",
                {"path": "/workspace/calc.py", "prev_exist": True}),
    action(13, "agent", "run", {"command": "pytest -q", "is_input": False}),
    observation(14, 13, "run", "1 passed\n", {"command": "pytest -q", "metadata": run_meta(0)},
                success=True),
    action(15, "agent", "write", {"path": "/workspace/NOTES.md", "content": "fixed add\n"}),
    observation(16, 15, "write", "", {"path": "/workspace/NOTES.md"}),
    action(17, "agent", "run_ipython", {"code": "print(1 + 1)", "thought": ""}),
    observation(18, 17, "run_ipython", "2\n", {"code": "print(1 + 1)"}),
    # 19, 20 hidden: left out of the saved trajectory
    action(21, "agent", "condensation", {"forgotten_event_ids": [7, 8, 9, 10],
                                         "summary": "Read calc.py; the test failed on add.",
                                         "summary_offset": 1}),
    action(22, "agent", "browse", {"url": "http://localhost:8000/docs", "thought": "Check the docs."}),
    observation(23, 22, "browse", "Docs page text", {"url": "http://localhost:8000/docs",
                                                     "trigger_by_action": "browse", "error": False,
                                                     "screenshot": "iVBORw0KGgo="}),
    action(24, "agent", "browse_interactive", {"browser_actions": "click('42')", "thought": ""}),
    observation(25, 24, "error", "Timeout clicking element 42", {"error_id": "BROWSER_TIMEOUT"}),
    action(26, "agent", "think", {"thought": "The docs page is fine; the click was not needed."}),
    observation(27, 26, "think", "Your thought has been logged."),
    action(28, "agent", "call_tool_mcp", {"name": "fetch", "arguments": {"url": "http://x"}}),
    observation(29, 28, "mcp", '{"ok": true}', {"name": "fetch"}),
    action(30, "agent", "condensation_request", {}),
    action(31, "agent", "condensation", {"forgotten_events_start_id": 11, "forgotten_events_end_id": 18}),
    observation(32, None, "condense", "Events 11 to 18 condensed.", source="environment"),
    action(33, "agent", "delegate", {"agent": "BrowsingAgent", "inputs": {"task": "open docs"}}),
    observation(34, 33, "delegate", "done", {"outputs": {"ok": True}}),
    action(35, "agent", "run", {"command": "python -m http.server", "is_input": False}),
    observation(36, 35, "run", "Serving HTTP", {"command": "python -m http.server",
                                                "metadata": run_meta(-1)}),
    action(37, "agent", "message", {"content": "Fixed: add() now adds.", "wait_for_response": True}),
    observation(38, 37, "null"),
    action(39, "agent", "finish", {"outputs": {}, "thought": "", "final_thought": "The test passes."}),
    action(40, "agent", "read", {"path": "/workspace/README.md"}),  # never answered
    observation(41, None, "agent_state_changed", extras={"agent_state": "finished"}, source="environment"),
]
