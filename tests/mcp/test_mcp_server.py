"""`agentlog-tui mcp`: the server started in-process with the SDK's client (memory streams, the
initialize handshake), every tool called on a sample log, bad input as tool errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from mcp import Client

from agentlog_tui.tui.mcp_results import MAX_RESULT_CHARS, parse_path
from agentlog_tui.tui.mcp_server import build_server

ROOT = Path(__file__).resolve().parents[2]
RESUMED = ROOT / "sample_logs" / "resumed_executor.jsonl"
LONG_RUN = ROOT / "sample_logs" / "long_run.jsonl"
TOOLS = {"sessions", "check", "state_at", "blame", "diff", "brief", "compaction_plan", "find"}

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def call(client, name, args=None):
    r = await client.call_tool(name, args or {})
    text = r.content[0].text if r.content else ""
    if r.is_error:
        return None, text
    return (r.structured_content if r.structured_content is not None else json.loads(text)), None


def connect(root=None):
    return Client(build_server(None if root is None else str(root)), mode="legacy")


async def test_lists_every_tool_read_only():
    async with connect(RESUMED) as c:
        tools = (await c.list_tools()).tools
        assert {t.name for t in tools} == TOOLS
        for t in tools:
            assert t.annotations is not None and t.annotations.read_only_hint is True
            assert t.description


async def test_an_agent_can_ask_which_event_wrote_a_value():
    async with connect(RESUMED) as c:
        doc, err = await call(c, "blame", {"path": "publish.devto.url"})
        assert err is None
        assert doc["written_by"] == 27 and doc["event"]["type"] == "publish_succeeded"
        assert doc["value"] == "https://dev.to/agentlog/launching-agentlog-tui-5p2q"
        doc, _ = await call(c, "blame", {"path": 'draft["drafts/launch.md"].sha', "at": 20})
        assert doc["written_by"] == 14 and doc["value"] == "c0d9e88"
        doc, _ = await call(c, "blame", {"path": '["publish", "devto", "status"]', "at": 23})
        assert doc["written_by"] == 18


async def test_state_at_whole_and_one_subtree():
    async with connect(RESUMED) as c:
        doc, _ = await call(c, "state_at", {"at": 5})
        assert doc["seq"] == 5 and set(doc["state"]) >= {"task", "draft", "tool_call"}
        doc, _ = await call(c, "state_at", {"path": "publish.hashnode"})
        assert doc["value"]["status"] == "succeeded" and doc["written_by"] == 29


async def test_diff_brief_check_plan_on_a_sample_log():
    async with connect(RESUMED) as c:
        doc, _ = await call(c, "diff", {"a": 18})  # what event 18 changed
        assert doc["a"] == 17 and doc["b"] == 18
        assert {tuple(ch["path"]) for ch in doc["changes"]} >= {("publish", "devto", "status")}
        doc, _ = await call(c, "diff", {"a": 22, "b": 27})
        assert any(ch["path"][:2] == ["publish", "devto"] for ch in doc["changes"])
        doc, _ = await call(c, "brief", {})
        pending = next(s for s in doc["sections"] if s["name"] == "pending_effects")
        assert [18, 27] in [i["seq"] for i in pending["items"]]
        assert "a duplicate effect" in doc["text"]
        doc, _ = await call(c, "check", {})
        assert doc["format"] == "agentlog" and len(doc["resumes"]) == 2
        doc, _ = await call(c, "compaction_plan", {})
        assert doc["verified"] is True and doc["events"] == 31


async def test_sessions_and_find_over_a_folder(tmp_path):
    shutil.copy(RESUMED, tmp_path / "a.jsonl")
    async with connect(tmp_path) as c:
        doc, err = await call(c, "sessions", {})
        assert err is None
        assert [Path(s["path"]).name for s in doc["sessions"]] == ["a.jsonl"]
        doc, err = await call(c, "find", {"text": "hashnode"})
        assert err is None and doc["hits"] and all(h["path"].endswith("a.jsonl") for h in doc["hits"])
        # a relative log path is taken from the server's folder
        doc, err = await call(c, "blame", {"log": "a.jsonl", "path": "notify.slack.channel"})
        assert doc["written_by"] == 30


async def test_bad_input_is_a_tool_error_not_a_crash(tmp_path):
    async with connect(RESUMED) as c:
        for name, args, why in [
            ("state_at", {"at": 999}, "no event with that id"),
            ("blame", {"path": "publish.nope"}, "no 'nope' at publish"),
            ("blame", {"path": "publish[[["}, "cannot read the path"),
            ("brief", {"at": -4}, "no event with that id"),
            ("diff", {"a": 1, "b": 1000}, "b=1000"),
            ("check", {"log": str(tmp_path / "absent.jsonl")}, "no such file"),
            ("check", {"log": str(tmp_path)}, "is a folder"),
            ("find", {"text": "", "folder": str(tmp_path)}, "nothing to search for"),
            ("sessions", {"folder": str(tmp_path / "nope")}, "no such folder"),
            ("compaction_plan", {"protect_last": -1}, "protect_last"),
        ]:
            doc, err = await call(c, name, args)
            assert doc is None and err is not None and why in err, (name, args, err)
        doc, _ = await call(c, "check", {})  # still serving
        assert doc["events"] == 31
    async with connect() as c:
        doc, err = await call(c, "check", {})
        assert "give `log`" in err


async def test_large_results_are_bounded_with_a_note(monkeypatch):
    async with connect(LONG_RUN) as c:
        doc, _ = await call(c, "compaction_plan", {})
        assert "truncated, ask for a path" in doc["truncated"]
        assert len(json.dumps(doc, separators=(",", ":"))) <= MAX_RESULT_CHARS + 1000
        assert 0 < len(doc["dropped"]) < doc["events"]
        monkeypatch.setattr("agentlog_tui.tui.mcp_results.MAX_RESULT_CHARS", 3000)
        doc, _ = await call(c, "state_at", {})
        assert doc["truncated"].startswith("truncated, ask for a path")
        assert doc["state"]["draft"].startswith("{…") and len(json.dumps(doc)) < 6000
        doc, _ = await call(c, "state_at", {"path": "task.task-6"})  # a path is small enough
        assert "truncated" not in doc and doc["value"]["status"] == "completed"
        doc, _ = await call(c, "diff", {"a": 1, "b": 2995})
        assert "truncated" in doc and 0 < len(doc["changes"])


def test_state_paths_parse_as_the_cli_prints_them():
    assert parse_path('draft["drafts/x.md"].sha') == ("draft", "drafts/x.md", "sha")
    assert parse_path("context[3].role") == ("context", 3, "role")
    assert parse_path("tool_call.tc-1") == ("tool_call", "tc-1")
    assert parse_path('["a", 1]') == ("a", 1)
    assert parse_path("") == ()


async def test_the_command_serves_over_stdio():
    """`agentlog-tui mcp LOG` as a real process, spoken to over its stdin and stdout."""
    import os
    import sys

    from mcp import StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "agentlog_tui.tui.cli", "mcp", str(RESUMED)],
                                   env={**os.environ})
    async with Client(params, read_timeout_seconds=60) as c:
        assert {t.name for t in (await c.list_tools()).tools} == TOOLS
        doc, err = await call(c, "blame", {"path": "publish.hashnode.url"})
        assert err is None and doc["written_by"] == 29


def test_mcp_command_bad_path_is_one_line(tmp_path):
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "agentlog_tui.tui.cli", "mcp", str(tmp_path / "nope")],
                       capture_output=True, text=True, timeout=60, check=False)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "no such file or folder" in p.stderr
