"""The readable sections (`details`) each format gives the Event tab, on hand-made records."""

from __future__ import annotations

import json

import pytest
from format_fixtures import (
    BY_FORMAT,
    CODEX_META,
    TURN_CONTEXT,
    _usage,
    assistant,
    cx,
    hook,
    msg,
    progress,
    tool_result,
    tool_use,
    totals,
    user,
)
from test_format_contract import ODD_OBJECTS

from agentlog_tui.core.events import Event
from agentlog_tui.core.formats import REGISTRY
from agentlog_tui.core.formats.base import Options, event_details

CC = REGISTRY.get("claude-code")
CODEX = REGISTRY.get("codex")
T0 = "2026-02-01T09:00:00.000Z"


def event(fmt, obj: dict) -> Event:
    """`obj` mapped to an event the way the reader maps a line of that format."""
    m = fmt.mapper([obj], Options()).map(obj)
    return Event(seq=1, type=m.type, data=m.data, ts=m.ts, line=1)


def cc(obj: dict) -> tuple[str, list[tuple[str, str]]]:
    ev = event(CC, obj)
    return ev.type, CC.details(ev)


def codex(payload_type: str, payload: dict) -> tuple[str, list[tuple[str, str]]]:
    ev = event(CODEX, cx("00:00.000", payload_type, payload))
    return ev.type, CODEX.details(ev)


def say(block: dict) -> dict:
    return assistant("a1", None, T0, "m1", block, _usage(1, 1))


# ---- Claude Code -----------------------------------------------------------------------------


class TestClaudeCodeDetails:
    def test_prompt_is_its_whole_text(self):
        text = "Fix the parser.\n\nIt fails on empty input:\n\tparse('')"
        assert cc(user("u1", None, T0, text)) == ("user.prompt", [("prompt", text)])

    def test_assistant_text_is_its_whole_text(self):
        text = "First line.\nSecond line, " + "long " * 100
        assert cc(say({"type": "text", "text": text})) == ("assistant.text", [("text", text)])

    def test_thinking_is_the_thinking_text(self):
        block = {"type": "thinking", "thinking": "Maybe the tokenizer.\nCheck it.", "signature": "s"}
        assert cc(say(block)) == ("assistant.thinking", [("thinking", "Maybe the tokenizer.\nCheck it.")])

    def test_bash_call_shows_command_then_description(self):
        block = tool_use("t1", "Bash", description="List files", command="ls -la /tmp | head -3")
        assert cc(say(block)) == ("assistant.tool_use", [
            ("tool", "Bash"), ("command", "ls -la /tmp | head -3"), ("description", "List files")])

    def test_edit_call_shows_path_and_both_strings_whole(self):
        block = tool_use("t2", "Edit", old_string="def f():\n    pass\n", file_path="/w/a.py",
                         new_string="def f():\n    return 1\n", replace_all=False)
        assert cc(say(block))[1] == [
            ("tool", "Edit"), ("file_path", "/w/a.py"), ("old_string", "def f():\n    pass\n"),
            ("new_string", "def f():\n    return 1\n"), ("replace_all", "false")]

    def test_write_call_shows_path_and_content(self):
        block = tool_use("t3", "Write", file_path="/w/b.md", content="# Title\n\nBody.\n")
        assert cc(say(block))[1] == [("tool", "Write"), ("file_path", "/w/b.md"),
                                     ("content", "# Title\n\nBody.\n")]

    def test_read_call_shows_path(self):
        assert cc(say(tool_use("t4", "Read", file_path="/w/c.rs")))[1] == [
            ("tool", "Read"), ("file_path", "/w/c.rs")]

    def test_todowrite_is_a_checklist(self):
        todos = [{"content": "Read the parser", "status": "completed", "activeForm": "Reading"},
                 {"content": "Fix it", "status": "in_progress", "activeForm": "Fixing"},
                 {"content": "Run the tests", "status": "pending", "activeForm": "Running"}]
        assert cc(say(tool_use("t5", "TodoWrite", todos=todos)))[1] == [
            ("tool", "TodoWrite"), ("todos", "[x] Read the parser\n[~] Fix it\n[ ] Run the tests")]

    def test_other_tool_inputs_are_key_value_sections(self):
        block = tool_use("t6", "Grep", pattern="def \\w+", path="src", head_limit=5,
                         glob=["*.py", "*.pyi"])
        assert cc(say(block))[1] == [("tool", "Grep"), ("path", "src"), ("pattern", "def \\w+"),
                                     ("head_limit", "5"), ("glob", "- *.py\n- *.pyi")]

    def test_task_call_keeps_its_order_with_the_long_prompt_after_the_description(self):
        block = tool_use("t7", "Task", description="Explore", prompt="Look at:\n1. a\n2. b",
                         subagent_type="Explore")
        assert cc(say(block))[1] == [("tool", "Task"), ("description", "Explore"),
                                     ("prompt", "Look at:\n1. a\n2. b"), ("subagent_type", "Explore")]

    def test_bash_result_is_the_whole_output(self):
        out = "\n".join(f"line {i}" for i in range(500))
        rec = tool_result("u2", "a1", T0, "t1", out, {"stdout": out, "stderr": "", "interrupted": False,
                                                        "isImage": False})
        t, details = cc(rec)
        assert t == "user.tool_result"
        assert details == [("result", out)]
        assert len(CC.summary(event(CC, rec))) <= 160  # the timeline's line stays one line

    def test_empty_result_falls_back_to_stdout_and_stderr(self):
        rec = tool_result("u3", "a1", T0, "t1", "", {"stdout": "built\n", "stderr": "warning: x\n"})
        assert cc(rec)[1] == [("result", "built\nwarning: x\n")]

    def test_stderr_not_in_the_result_gets_its_own_section(self):
        rec = tool_result("u4", "a1", T0, "t1", "built", {"stdout": "built", "stderr": "warning: x"})
        assert cc(rec)[1] == [("result", "built"), ("stderr", "warning: x")]

    def test_read_result_names_the_file_and_shows_the_content(self):
        content = "     1\u2192import os\n     2\u2192print(os.getcwd())"
        rec = tool_result("u5", "a1", T0, "t4", content, {"type": "text", "file": {
            "filePath": "/w/c.py", "content": "import os\nprint(os.getcwd())", "numLines": 2,
            "startLine": 1, "totalLines": 2}})
        assert cc(rec)[1] == [("file", "/w/c.py"), ("result", content)]

    def test_edit_result_shows_the_patch(self):
        rec = tool_result("u6", "a1", T0, "t2", "The file /w/a.py has been updated.", {
            "filePath": "/w/a.py", "oldString": "pass", "newString": "return 1",
            "structuredPatch": [{"oldStart": 1, "oldLines": 2, "newStart": 1, "newLines": 2,
                                 "lines": [" def f():", "-    pass", "+    return 1"]}]})
        assert cc(rec)[1] == [
            ("file", "/w/a.py"), ("result", "The file /w/a.py has been updated."),
            ("patch", "@@ -1,2 +1,2 @@\n def f():\n-    pass\n+    return 1")]

    def test_error_result_is_labelled_error(self):
        rec = tool_result("u7", "a1", T0, "t1", "Exit code 2\nno such file", "Error: Exit code 2",
                          is_error=True)
        assert cc(rec)[1] == [("error", "Exit code 2\nno such file")]

    def test_result_from_content_blocks(self):
        rec = user("u8", "a1", T0, [{"type": "tool_result", "tool_use_id": "t9",
                                     "content": [{"type": "text", "text": "part one"},
                                                 {"type": "text", "text": "part two"}]}])
        assert cc(rec)[1] == [("result", "part one\npart two")]

    def test_compact_boundary_gives_trigger_and_tokens_before(self):
        rec = {"type": "system", "subtype": "compact_boundary", "content": "Conversation compacted",
               "uuid": "s1", "sessionId": "x", "timestamp": T0,
               "compactMetadata": {"trigger": "auto", "preTokens": 160123}}
        assert cc(rec) == ("system.compact_boundary", [("trigger", "auto"), ("tokens before", "160123")])

    def test_compact_summary_is_the_summary_text(self):
        text = "This session is being continued.\n\n1. The user asked for X."
        rec = user("u9", "s1", T0, text, isCompactSummary=True)
        assert cc(rec) == ("user.compact_summary", [("summary", text)])

    def test_hook_progress_gives_hook_event_and_command(self):
        rec = progress("p1", "a1", T0, "t1", {**hook("PreToolUse", "Bash"), "command": "./check.sh"})
        assert cc(rec) == ("progress", [("hook", "PreToolUse:Bash"), ("event", "PreToolUse"),
                                        ("command", "./check.sh")])


# ---- Codex -----------------------------------------------------------------------------------


class TestCodexDetails:
    def test_message_is_role_and_whole_text(self):
        assert codex("response_item", msg("assistant", "Done.\n\n- a\n- b")) == (
            "response_item.message", [("assistant", "Done.\n\n- a\n- b")])

    def test_reasoning_is_its_summary(self):
        p = {"type": "reasoning", "summary": [{"type": "summary_text", "text": "**Plan**"},
                                              {"type": "summary_text", "text": "Then act"}],
             "content": None, "encrypted_content": "zz"}
        assert codex("response_item", p)[1] == [("reasoning summary", "**Plan**\nThen act")]

    def test_encrypted_reasoning_says_so(self):
        p = {"type": "reasoning", "summary": [], "encrypted_content": "zz"}
        assert codex("response_item", p)[1] == [("reasoning", "(encrypted)")]

    def test_function_call_parses_arguments_and_shows_the_script(self):
        args = {"command": ["bash", "-lc", "cat <<'EOF' > x\nhello\nEOF"], "workdir": "/w",
                "timeout_ms": 1000}
        p = {"type": "function_call", "name": "shell", "arguments": json.dumps(args), "call_id": "c1"}
        assert codex("response_item", p) == ("response_item.function_call", [
            ("call", "shell"), ("command", "cat <<'EOF' > x\nhello\nEOF"), ("workdir", "/w"),
            ("timeout_ms", "1000")])

    def test_command_array_without_a_shell_is_quoted_as_a_shell_line(self):
        p = {"type": "function_call", "name": "exec", "call_id": "c2",
             "arguments": json.dumps({"cmd": ["rg", "-n", "two words", "src"]})}
        assert codex("response_item", p)[1] == [("call", "exec"), ("cmd", "rg -n 'two words' src")]

    def test_unparseable_arguments_are_shown_as_written(self):
        p = {"type": "function_call", "name": "shell", "arguments": "{not json", "call_id": "c3"}
        assert codex("response_item", p)[1] == [("call", "shell"), ("arguments", "{not json")]

    def test_custom_tool_call_shows_its_input(self):
        patch = "*** Begin Patch\n*** Update File: a.py\n*** End Patch"
        p = {"type": "custom_tool_call", "name": "apply_patch", "input": patch, "call_id": "c4"}
        assert codex("response_item", p)[1] == [("call", "apply_patch"), ("input", patch)]

    def test_function_call_output_is_whole_with_exit_code(self):
        out = "\n".join(f"file{i}.py" for i in range(300))
        p = {"type": "function_call_output", "call_id": "c1",
             "output": json.dumps({"output": out, "metadata": {"exit_code": 1,
                                                              "duration_seconds": 0.5}})}
        assert codex("response_item", p)[1] == [("output", out), ("exit code", "1"),
                                                ("duration", "0.5 s")]

    def test_plain_output_is_shown_as_is(self):
        p = {"type": "custom_tool_call_output", "call_id": "c4", "output": "Success. Updated a.py"}
        assert codex("response_item", p)[1] == [("output", "Success. Updated a.py")]

    def test_token_count_gives_totals(self):
        t, details = codex("event_msg", totals(100, 10))
        assert t == "event_msg.token_count"
        assert details[:3] == [
            ("total", "in 100, cached 0, out 10, reasoning 0, total 110"),
            ("last response", "in 100, cached 0, out 10, reasoning 0, total 110"),
            ("context window", "200000")]
        assert details[3] == ("rate limits", "primary:\n  used_percent: 1.0")

    def test_turn_context_gives_each_field(self):
        t, details = codex("turn_context", TURN_CONTEXT)
        assert t == "turn_context"
        assert details == [("cwd", "/home/dev/app"), ("approval_policy", "never"),
                           ("sandbox_policy", "mode: workspace-write"), ("model", "gpt-test"),
                           ("effort", "high"), ("summary", "auto")]

    def test_session_meta_leaves_out_empty_fields(self):
        labels = [label for label, _ in codex("session_meta", CODEX_META)[1]]
        assert "instructions" not in labels and labels[:3] == ["id", "timestamp", "cwd"]

    def test_compacted_gives_summary_and_replacement_history(self):
        p = {"message": "Summary so far", "replacement_history": [msg("user", "Add a flag"),
                                                                   msg("assistant", "Added.")]}
        assert codex("compacted", p) == ("compacted", [
            ("summary", "Summary so far"),
            ("replacement history (2 items)", "user: Add a flag\nassistant: Added.")])

    def test_user_message_event_is_the_prompt(self):
        p = {"type": "user_message", "message": "Add a --verbose flag\nplease", "images": []}
        assert codex("event_msg", p)[1] == [("prompt", "Add a --verbose flag\nplease")]


# ---- every format ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [f.name for f in REGISTRY.formats])
def test_details_never_raise_on_odd_records(name):
    fmt = REGISTRY.get(name)
    for obj in ODD_OBJECTS:
        try:
            ev = event(fmt, obj)
        except ValueError:
            continue
        for data in (ev.data, None, 5, "x", [1], {"message": {"content": [None, 3]}}):
            odd = Event(seq=1, type=ev.type, data=data)
            assert isinstance(event_details(fmt, odd), list)


@pytest.mark.parametrize("name", [f.name for f in REGISTRY.formats])
def test_details_are_label_text_pairs_on_each_fixture_record(name):
    fmt = REGISTRY.get(name)
    for obj in BY_FORMAT[name]:
        for label, text in event_details(fmt, event(fmt, obj)):
            assert isinstance(label, str) and label and isinstance(text, str)


def test_generic_format_has_no_details_so_the_event_tab_shows_json():
    fmt = REGISTRY.get("agentlog")
    assert event_details(fmt, event(fmt, BY_FORMAT["agentlog"][1])) == []


def test_a_format_without_details_or_a_failing_one_gives_none():
    class Bare:
        pass

    class Broken:
        def details(self, event):
            raise RuntimeError("bug")

    ev = Event(seq=1, type="t", data={})
    assert event_details(Bare(), ev) == [] and event_details(Broken(), ev) == []
