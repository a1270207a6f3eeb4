"""The Claude Code and Codex projections' direct paths (`apply_tracked`) record exactly what their
`apply` records through tracked views: same state, marks, blame, checkpoints, failures."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.formats.claude_code import ClaudeCodeProjection
from agentlog_tui.core.formats.codex import CodexProjection
from tests.core.test_fast_path import _fingerprint
from tests.core.test_growing_state import claude_code, codex

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "formats"))
from format_fixtures import CLAUDE_CODE, CLAUDE_CODE_RESUMED, CODEX, CODEX_LEGACY


class ThroughViews:
    """A built-in projection without its direct path: `apply` through TrackedDict views."""

    def __init__(self, proj) -> None:
        self.name = proj.name
        self.initial_state = proj.initial_state
        self.apply = proj.apply


def _both(path, k: int | None = None) -> tuple[Analysis, Analysis]:
    direct = Analysis(path, checkpoint_every=k)
    direct.run()
    views = Analysis(path, checkpoint_every=k, projection=ThroughViews(direct.projection))
    views.run()
    assert direct._apply_tracked is not None and views._apply_tracked is None
    return direct, views


def _write(path, records) -> None:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))


@pytest.mark.parametrize(
    "records",
    [CODEX, CODEX_LEGACY, CLAUDE_CODE, CLAUDE_CODE_RESUMED, codex(300), claude_code(300)],
    ids=[
        "codex",
        "codex-legacy",
        "claude-code",
        "claude-code-resumed",
        "codex-300",
        "claude-code-300",
    ],
)
def test_direct_path_records_what_the_views_record_on_sessions(tmp_path, records):
    path = tmp_path / "log.jsonl"
    _write(path, records)
    direct, views = _both(path, 7)
    assert isinstance(direct.projection, (CodexProjection, ClaudeCodeProjection))
    assert _fingerprint(direct) == _fingerprint(views)
    for pos in range(0, direct.n_events, 5):
        for path_ in (("history",), ("calls",), ("context",), ("tools",), ("tokens",), ("turn",)):
            assert direct.blame(path_, pos) == views.blame(path_, pos)


# ---- random rollouts and sessions, odd payloads included ---------------------------------------

_cid = st.sampled_from(["c1", "c2", "c3", 7, None])
_text = st.sampled_from(
    [
        "ls",
        "",
        "<env>",
        "make test\nok",
        '{"output": "x\\ny", "metadata": {"exit_code": 1}}',
        ' {"output": 3}',
        "error: no",
    ]
)
_usage = st.fixed_dictionaries(
    {"input_tokens": st.integers(0, 3), "total_tokens": st.integers(0, 3)}
)

codex_payload = st.one_of(
    st.builds(
        lambda c, a: {"type": "function_call", "name": "shell", "call_id": c, "arguments": a},
        _cid,
        st.sampled_from(['{"command": ["bash", "-lc", "ls"]}', "not json", "[1]"]),
    ),
    st.builds(
        lambda c, o: {"type": "function_call_output", "call_id": c, "output": o}, _cid, _text
    ),
    st.builds(
        lambda c, o: {"type": "custom_tool_call_output", "call_id": c, "output": o}, _cid, _text
    ),
    st.builds(
        lambda c: {
            "type": "custom_tool_call",
            "name": "apply_patch",
            "id": c,
            "input": "*** Begin",
        },
        _cid,
    ),
    st.builds(
        lambda r, t: {"type": "message", "role": r, "content": [{"type": "input_text", "text": t}]},
        st.sampled_from(["user", "assistant"]),
        _text,
    ),
    st.just({"type": "reasoning", "summary": [{"type": "summary_text", "text": "think"}]}),
    st.just({"type": "ghost_snapshot", "ghost_commit": {"id": "g1", "parent": "g0"}}),
    st.just({"type": "web_search_call", "action": {"query": "q"}}),
)
event_payload = st.one_of(
    st.builds(
        lambda u, rl: {
            "type": "token_count",
            "info": {"total_token_usage": u, "last_token_usage": u},
            **({"rate_limits": rl} if rl is not None else {}),
        },
        _usage,
        st.one_of(st.none(), st.sampled_from([{"primary": 1}, {"primary": 2}, [1]])),
    ),
    st.just({"type": "token_count", "info": None, "rate_limits": {"primary": 1}}),
    st.just({"type": "task_started"}),
    st.builds(lambda m: {"type": "user_message", "message": m}, _text),
    st.builds(
        lambda m: {"type": "task_complete", "last_agent_message": m}, st.one_of(st.none(), _text)
    ),
    st.just({"type": "turn_aborted"}),
    st.builds(lambda n: {"type": "thread_rolled_back", "num_turns": n}, st.integers(0, 2)),
    st.just({"type": "agent_message", "message": "hi"}),
)
codex_line = st.one_of(
    st.builds(lambda p: {"type": "response_item", "payload": p}, codex_payload),
    st.builds(lambda p: {"type": "event_msg", "payload": p}, event_payload),
    st.builds(
        lambda c: {"type": "turn_context", "payload": {"cwd": "/w", "model": c}},
        st.sampled_from(["m1", "m2"]),
    ),
    st.builds(
        lambda n: {
            "type": "compacted",
            "payload": {
                "message": "sum",
                "replacement_history": [
                    {
                        "type": "message",
                        "role": "user",
                        "content": [{"type": "input_text", "text": "keep"}],
                    }
                ]
                * n,
            },
        },
        st.integers(0, 2),
    ),
    st.just({"type": "session_meta", "payload": {"id": "s2", "cwd": "/w"}}),
)


@settings(max_examples=80, deadline=None)
@given(lines=st.lists(codex_line, max_size=30), k=st.integers(1, 6))
def test_codex_direct_path_records_what_the_views_record(tmp_path_factory, lines, k):
    path = tmp_path_factory.mktemp("codex") / "rollout.jsonl"
    head = {"type": "session_meta", "payload": {"id": "s1", "cwd": "/w", "cli_version": "0.5"}}
    _write(
        path,
        [
            {"timestamp": f"2026-01-01T00:00:{i % 60:02d}Z", **line}
            for i, line in enumerate([head, *lines])
        ],
    )
    direct, views = _both(path, k)
    assert direct.format.name == "codex"
    assert _fingerprint(direct) == _fingerprint(views)


_tid = st.sampled_from(["t1", "t2", 5])
_uuid = st.sampled_from(["u1", "u2", "u3", None, ["odd"]])
_mid = st.sampled_from(["m1", "m2", None])
cc_usage = st.builds(
    lambda i, o, c: {"input_tokens": i, "output_tokens": o, "cache_read_input_tokens": c},
    st.integers(0, 3),
    st.integers(0, 2),
    st.integers(0, 1),
)
cc_block = st.one_of(
    st.builds(
        lambda tid, name, path: {
            "type": "tool_use",
            "id": tid,
            "name": name,
            "input": {
                "file_path": path,
                "command": "ls",
                "todos": [{"content": "a", "status": "pending"}],
            },
        },
        _tid,
        st.sampled_from(["Read", "Edit", "Bash", "TodoWrite"]),
        st.sampled_from(["/a", "/b", 3]),
    ),
    st.builds(lambda s: {"type": "text", "text": s}, _text),
    st.just({"type": "thinking", "thinking": "hmm"}),
)
cc_record = st.one_of(
    st.builds(
        lambda u, mid, blocks, usage, sid: {
            "type": "assistant",
            "uuid": u,
            "sessionId": sid,
            "cwd": "/w",
            "message": {
                "id": mid,
                "role": "assistant",
                "content": blocks,
                **({"usage": usage} if usage is not None else {}),
            },
        },
        _uuid,
        _mid,
        st.lists(cc_block, max_size=3),
        st.one_of(st.none(), cc_usage),
        st.sampled_from(["s1", "s2", 4]),
    ),
    st.builds(
        lambda u, tid, err, tur: {
            "type": "user",
            "uuid": u,
            "sessionId": "s1",
            "gitBranch": "main",
            "message": {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": tid,
                        "content": "1 line\n2 line",
                        "is_error": err,
                    }
                ],
            },
            **({"toolUseResult": tur} if tur is not None else {}),
        },
        _uuid,
        _tid,
        st.booleans(),
        st.one_of(
            st.none(),
            st.sampled_from(
                [
                    {"file": {"filePath": "/a", "numLines": 2}},
                    {"filePath": "/b", "type": "create", "content": "x"},
                    {"stdout": "ok", "stderr": ""},
                ]
            ),
        ),
    ),
    st.builds(
        lambda u, text: {
            "type": "user",
            "uuid": u,
            "sessionId": "s1",
            "message": {"role": "user", "content": text},
        },
        _uuid,
        _text,
    ),
    st.builds(
        lambda u, tid: {
            "type": "progress",
            "uuid": u,
            "sessionId": "s1",
            "parentToolUseID": tid,
            "data": {"type": "bash_progress", "totalLines": 3},
        },
        _uuid,
        _tid,
    ),
    st.builds(
        lambda u: {
            "type": "system",
            "subtype": "compact_boundary",
            "uuid": u,
            "sessionId": "s1",
            "compactMetadata": {"trigger": "auto", "preTokens": 10},
        },
        _uuid,
    ),
    st.just({"type": "summary", "summary": "title", "leafUuid": "u1"}),
    st.just({"type": "system", "subtype": "turn_duration", "sessionId": "s1", "version": "2.0"}),
)


@settings(max_examples=80, deadline=None)
@given(records=st.lists(cc_record, min_size=1, max_size=30), k=st.integers(1, 6))
def test_claude_code_direct_path_records_what_the_views_record(tmp_path_factory, records, k):
    path = tmp_path_factory.mktemp("cc") / "session.jsonl"
    _write(
        path, [{"timestamp": f"2026-01-01T00:00:{i % 60:02d}Z", **r} for i, r in enumerate(records)]
    )
    direct, views = _both(path, k)
    if direct.format.name != "claude-code":
        return  # too few records of the format to be detected as one
    assert _fingerprint(direct) == _fingerprint(views)


def test_a_record_the_direct_path_fails_on_midway_is_undone_and_marked_failed(tmp_path):
    # an assistant record whose uuid is a list: its session fields are written, then keying the
    # context by it raises; without an undo log the analysis reads the log again with one
    records = [dict(r) for r in CLAUDE_CODE]
    i = next(i for i, r in enumerate(records) if r["type"] == "assistant")
    records[i] = {**records[i], "uuid": ["odd"], "cwd": "/elsewhere"}
    path = tmp_path / "session.jsonl"
    _write(path, records)
    direct, views = _both(path)
    assert direct._keep_undo and not views._keep_undo
    assert list(direct.failed) == [i] and list(views.failed) == [i]
    assert direct.state["session"]["cwd"] != "/elsewhere"
    assert _fingerprint(direct) == _fingerprint(views)


def test_a_subclass_that_changes_apply_is_replayed_through_the_views(tmp_path):
    class Counting(CodexProjection):
        def apply(self, state, event):
            super().apply(state, event)
            state["seen"] = state.get("seen", 0) + 1

    path = tmp_path / "rollout.jsonl"
    _write(path, CODEX)
    a = Analysis(path, projection=Counting())
    a.run()
    assert a._apply_tracked is None
    assert a.state["seen"] == a.n_events
