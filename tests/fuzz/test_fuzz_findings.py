"""What the long fuzz campaign found, one regression test each (the cases as it shrank them)."""

from __future__ import annotations

import os

import orjson
import pytest
from fuzz_helpers import COMMANDS, build_log, fill, run_cli, seed_logs

SEEDS = seed_logs()


def every_command(tmp_path, data: bytes) -> dict[str, int]:
    log = tmp_path / "log.jsonl"
    log.write_bytes(data)
    codes = {}
    for argv in COMMANDS:
        out = tmp_path / "out.jsonl"
        if out.exists():
            os.unlink(out)
        r = run_cli(fill(argv, str(log), str(out)))
        assert "Traceback" not in r.err
        codes[" ".join(argv)] = r.code
    return codes


def with_value(seed: str, line: int, field: str, value: object) -> list[bytes]:
    lines = list(SEEDS[seed])
    obj = orjson.loads(lines[line])
    obj[field] = value
    lines[line] = orjson.dumps(obj)
    return lines


def first_line_where(seed: str, test) -> int:
    return next(i for i, raw in enumerate(SEEDS[seed]) if test(orjson.loads(raw)))


@pytest.mark.parametrize("value", [{}, [], 5])
def test_a_resumed_claude_code_session_whose_parent_link_is_not_a_string(tmp_path, value):
    # long run, seed 1: `parentUuid: {}` on the first record of a resumed session made `state`
    # exit 3 ("unhashable type: 'dict'") when the resume's origin was looked up
    seed = "claude_code_resumed"
    sessions: list = []
    for raw in SEEDS[seed]:
        sid = orjson.loads(raw).get("sessionId")
        if sid is not None and sid not in sessions:
            sessions.append(sid)
    first_resumed = first_line_where(
        seed, lambda o: o.get("sessionId") == sessions[1] and "uuid" in o
    )
    codes = every_command(
        tmp_path, build_log(with_value(seed, first_resumed, "parentUuid", value), False)
    )
    assert set(codes.values()) <= {0, 1}, codes


@pytest.mark.parametrize("value", [{}, []])
def test_a_compact_summary_whose_parent_link_is_not_a_string(tmp_path, value):
    # found while fixing the above: `check`, `compact` and `fork` hashed a compact summary's
    # `parentUuid` (exit 3); now it names no boundary, a `summary_unlinked` finding
    seed = "claude_code"
    summary = first_line_where(seed, lambda o: o.get("isCompactSummary"))
    codes = every_command(tmp_path, build_log(with_value(seed, summary, "parentUuid", value), True))
    assert set(codes.values()) <= {0, 1}, codes
    r = run_cli(["check", str(tmp_path / "log.jsonl"), "--json"])
    kinds = [x["kind"] for x in orjson.loads(r.out)["anomalies"]]
    assert "summary_unlinked" in kinds


def test_a_codex_response_item_whose_type_is_a_deep_list(tmp_path):
    # long run, seed 2: `payload.type` nested 300 lists deep in the first response item made
    # `check` exit 3 (the compaction review looked the list up in a set of call types)
    from fuzz_helpers import apply_mutation

    lines = apply_mutation(SEEDS["codex"], ("value", 138, 0, b"deep"))
    assert lines != SEEDS["codex"]
    codes = every_command(tmp_path, build_log(lines, False))
    assert set(codes.values()) <= {0, 1}, codes


@pytest.mark.parametrize("value", [{}, []])
def test_a_claude_code_tool_call_whose_name_is_not_a_string(tmp_path, value):
    # found by a sweep of odd values after the above: a tool_use block named `[]` made `check`
    # exit 3 (the Task-call lookup and the compaction review's file tools hashed the name)
    seed = "claude_code"
    lines = list(SEEDS[seed])
    i = first_line_where(
        seed,
        lambda o: any(
            isinstance(b, dict) and b.get("type") == "tool_use"
            for b in (o.get("message") or {}).get("content") or []
            if isinstance(b, dict)
        ),
    )
    obj = orjson.loads(lines[i])
    block = next(b for b in obj["message"]["content"] if b.get("type") == "tool_use")
    block["name"] = value
    lines[i] = orjson.dumps(obj)
    codes = every_command(tmp_path, build_log(lines, True))
    assert set(codes.values()) <= {0, 1}, codes


def test_a_copied_value_whose_keys_collide_keeps_the_last_as_a_json_round_trip_does():
    # found by the suite's own hypothesis property (tests/core/test_jsonvalue.py) on a run:
    # {"5": [], 5: None} copied as {"5": []} (the list filled in after the later null)
    from agentlog_tui.core.jsonvalue import copy_value

    for v in ({"5": [], 5: None}, {5: None, "5": [1]}, {"a": {"5": {}, 5: 2}}):
        assert copy_value(v) == orjson.loads(orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS))


def _with_field(seed: str, line: int, path: tuple, value: object) -> list[bytes]:
    lines = list(SEEDS[seed])
    obj = orjson.loads(lines[line])
    node = obj
    for k in path[:-1]:
        node = node[k]
    assert path[-1] in node or isinstance(node, list)  # the field exists in the fixture
    node[path[-1]] = value
    lines[line] = orjson.dumps(obj)
    return lines


@pytest.mark.parametrize("value", [[], {}])
@pytest.mark.parametrize(
    ("seed", "line", "path"),
    [
        # found by a sweep of `[]` and `{}` over every field of the pi, Gemini CLI and OpenHands
        # fixtures once they joined the seeds: each made `check` exit 3 (a value from the log
        # hashed as a dict key or set member in the compaction review)
        ("pi", 4, ("message", "content", 1, "name")),
        ("gemini_cli", 5, ("toolCalls", 0, "status")),
        ("gemini_cli", 6, ("toolCalls", 0, "name")),
        ("gemini_cli", 14, ("$set", "messages", 0, "id")),
    ],
)
def test_a_pi_or_gemini_cli_field_that_is_a_container_where_a_name_belongs(
        tmp_path, seed, line, path, value):
    codes = every_command(tmp_path, build_log(_with_field(seed, line, path, value), True))
    assert set(codes.values()) <= {0, 1}, codes


@pytest.mark.parametrize("value", [[], {}])
def test_latent_lookups_of_pi_and_openhands_do_not_hash_a_container(value):
    # the same kind of lookup, on paths the sweep's one-field changes did not reach: a pi tool
    # result answering a call id that is not a string, its tool name, a pi entry typed by a
    # container, and an OpenHands event whose source is one
    from agentlog_tui.core.formats import openhands, pi

    assert not pi._looks_like_entry({"type": value, "id": "a", "parentId": None})
    assert not pi._looks_like_entry({"type": "message", "id": "a", "message": {"role": value}})
    assert not openhands._looks_like_event({"id": 1, "source": value, "action": "run"})
    objs = [orjson.loads(raw) for raw in SEEDS["pi"]]
    result = next(o for o in objs if (o.get("message") or {}).get("role") == "toolResult")
    result["message"]["toolCallId"] = value
    result["message"]["toolName"] = value
    pi.context_compactions(objs)  # raises TypeError if it hashes them
