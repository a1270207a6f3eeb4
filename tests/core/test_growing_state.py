"""A state that grows with the log costs linear work (issue 11), counted, not timed.

For a conversation of N events and one of 4N events, each built-in projection (generic entities,
Claude Code, Codex) and a custom projection that appends to a list are analysed, and the work the
analysis kept is counted: the bytes held by checkpoints, the dependency edges the tracker
recorded, and the peak of the memory traced during the analysis. Each may grow about 4x (the
bound is generous, 6x: full checkpoints come at sizes in a geometric series, so the ratio of a
linear cost wobbles around 4 at these sizes); a cost that grows with the square of the log grows
~16x.

Checkpoints are taken every K = 64 events (fixed), so that both sizes have many of them: with
whole-state checkpoints (before issue 11) their bytes grow ~16x here; the default K (sized by the
state) only moves the point where that shows.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import orjson
import pytest

from agentlog_tui.core.analysis import Analysis, canonical, copy_state
from agentlog_tui.core.liveness import compute_marks
from agentlog_tui.core.projection import FunctionProjection

N = 2000
K = 64
BOUND = 6.0


def _ts(i: int) -> str:
    return f"2026-01-03T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}.000Z"


def generic(n: int) -> list[dict]:
    """Entities that are created and never removed: the state grows with the log."""
    out = []
    for i in range(n):
        if i % 4 == 3:
            out.append({"seq": i + 1, "ts": _ts(i), "type": "draft_updated",
                        "data": {"key": f"d{i - 1}", "text": f"revised {i}"}})
        else:
            out.append({"seq": i + 1, "ts": _ts(i), "type": "draft_created",
                        "data": {"key": f"d{i}", "text": f"draft number {i}"}})
    return out


def claude_code(n: int) -> list[dict]:
    """A Claude Code session: a prompt, then tool calls and their results, one after another."""
    sid = "11111111-aaaa-bbbb-cccc-000000000001"
    out: list[dict] = []
    parent = None

    def env(uuid: str) -> dict:
        return {"parentUuid": parent, "isSidechain": False, "userType": "external",
                "cwd": "/home/dev/proj", "sessionId": sid, "version": "2.1.0",
                "gitBranch": "main", "uuid": uuid, "timestamp": _ts(len(out))}

    while len(out) < n:
        i = len(out)
        uuid = f"u-{i:08d}"
        if i % 3 == 0:
            rec = {**env(uuid), "type": "user",
                   "message": {"role": "user", "content": f"step {i}: edit src/mod_{i}.py"}}
        elif i % 3 == 1:
            rec = {**env(uuid), "type": "assistant",
                   "message": {"model": "claude-test", "id": f"msg_{i}", "type": "message",
                               "role": "assistant",
                               "content": [{"type": "tool_use", "id": f"toolu_{i}", "name": "Edit",
                                            "input": {"file_path": f"/home/dev/proj/src/mod_{i}.py",
                                                      "old_string": "a", "new_string": "b"}}],
                               "usage": {"input_tokens": 10 + i, "output_tokens": 5,
                                         "cache_read_input_tokens": 0,
                                         "cache_creation_input_tokens": 0}}}
        else:
            rec = {**env(uuid), "type": "user",
                   "message": {"role": "user", "content": [
                       {"tool_use_id": f"toolu_{i - 1}", "type": "tool_result",
                        "content": f"edited mod_{i - 1}.py", "is_error": False}]},
                   "toolUseResult": {"filePath": f"/home/dev/proj/src/mod_{i - 1}.py",
                                     "oldString": "a", "newString": "b"}}
        out.append(rec)
        parent = uuid
    return out


def codex(n: int) -> list[dict]:
    """A Codex rollout: messages, function calls and their outputs, token counts."""
    out: list[dict] = [{"timestamp": _ts(0), "type": "session_meta", "payload": {
        "id": "019a0000-0000-7000-8000-000000000001", "timestamp": _ts(0), "cwd": "/home/dev/proj",
        "originator": "codex_cli_rs", "cli_version": "0.58.0", "source": "cli",
        "model_provider": "openai"}}]
    while len(out) < n:
        i = len(out)
        r = i % 4
        if r == 0:
            p = {"type": "message", "role": "assistant",
                 "content": [{"type": "output_text", "text": f"working on step {i}"}]}
        elif r == 1:
            p = {"type": "function_call", "name": "shell", "call_id": f"call_{i}",
                 "arguments": orjson.dumps({"command": ["bash", "-lc", f"cat f{i}.txt"]}).decode()}
        elif r == 2:
            p = {"type": "function_call_output", "call_id": f"call_{i - 1}",
                 "output": orjson.dumps({"output": f"contents of f{i - 1}\n" * 3,
                                         "metadata": {"exit_code": 0}}).decode()}
        else:
            usage = {"input_tokens": i, "cached_input_tokens": 0, "output_tokens": 1,
                     "reasoning_output_tokens": 0, "total_tokens": i + 1}
            out.append({"timestamp": _ts(i), "type": "event_msg", "payload": {
                "type": "token_count", "info": {"total_token_usage": usage,
                                                "last_token_usage": usage,
                                                "model_context_window": 200000}}})
            continue
        out.append({"timestamp": _ts(i), "type": "response_item", "payload": p})
    return out


def appending(state, event) -> None:
    state.setdefault("l", []).append(event.seq)


CASES = {
    "generic": (generic, None, "agentlog"),
    "claude-code": (claude_code, None, "claude-code"),
    "codex": (codex, None, "codex"),
    "custom-append": (generic, lambda: FunctionProjection(appending), "agentlog"),
}


def replay(a: Analysis, pos: int) -> dict:
    """The state after position `pos`, replayed from the start without checkpoints."""
    state = copy_state(a.projection.initial_state())
    for p in range(pos + 1):
        a.projection.apply(state, a.event(p))
    return state


def work(tmp_path: Path, name: str, n: int) -> dict[str, int]:
    """What analysing a conversation of n events kept: checkpoint bytes, dependency edges, and
    the peak of the memory allocated while analysing (tracemalloc)."""
    make, projection, fmt = CASES[name]
    path = tmp_path / f"{name}-{n}.jsonl"
    path.write_bytes(b"".join(orjson.dumps(rec) + b"\n" for rec in make(n)))
    tracemalloc.start()
    try:
        a = Analysis(path, projection=projection() if projection else None, checkpoint_every=K)
        a.run()
        compute_marks(a)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert a.format.name == fmt and a.n_events == n and not a.failed
    assert len(a.checkpoints) >= n // K - 1
    # the checkpoints answer what a replay from scratch does
    for pos in (K - 1, n // 2, n - 2):
        assert canonical(a.state_at_pos(pos)) == canonical(replay(a, pos))
    out = {
        "checkpoint_bytes": sum(len(blob) for _, blob in a.checkpoints),
        "dependency_edges": sum(len(d) for d in a.tracker.deps.values()),
        "peak_traced_bytes": peak,
        "state_bytes": len(orjson.dumps(a.state)),
    }
    a.close()
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_work_kept_grows_linearly_with_a_growing_state(tmp_path, name):
    small, big = work(tmp_path, name, N), work(tmp_path, name, 4 * N)
    # the state really grows with the log (else this test could not fail)
    assert big.pop("state_bytes") >= 3 * small.pop("state_bytes")
    # a floor of 1,000 units: a count that is nearly nothing at both sizes is not growth
    grew = {key: (small[key], big[key]) for key in small
            if max(big[key], 1000) / max(small[key], 1000) > BOUND}
    assert not grew, grew
