"""The Codex projection's direct path in C (core/_codex.c) does exactly what the Python one does.

Every log is analysed twice in one process, with the C path on and switched off
(`_codex.set_enabled(False)`: `apply` then leaves every line to `apply_tracked` in Python), and
compared: the analysis (state, marks, checkpoints' bytes, boundaries, effects, failures), the
tracker's whole record (as tests/core/test_tracker_native.py compares it), the state at several
positions and blame, and the state's shape (dict key order, int vs float vs bool, str). Logs: the
format fixtures, sample_logs/, generated rollouts (tests' and bench/gen_agents.py's), the real
Codex rollouts beside the project (when present) and random rollouts with odd payloads. The
summaries are also compared one by one (`_codex.item` against `_item`) on odd payloads.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.formats import codex as codex_format
from agentlog_tui.core.formats.codex import CodexProjection, _is_old_meta, _item
from agentlog_tui.core.native import _codex
from agentlog_tui.core.tracked import Tracker, seed
from tests.conftest import SAMPLES, real_log_paths
from tests.core.test_agent_direct_path import codex_line
from tests.core.test_growing_state import codex
from tests.core.test_tracker_native import analysis_record

sys.path.insert(0, str(Path(__file__).resolve().parent))
from format_fixtures import CODEX, CODEX_LEGACY

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    _codex is None and bool(os.environ.get("AGENTLOG_PURE_PYTHON")),
    reason="AGENTLOG_PURE_PYTHON=1: the C accelerator is switched off",
)


def test_the_codex_extension_is_built_and_used():
    assert _codex is not None, (
        "core/_codex was not built (no C compiler when the project was installed?); "
        "set AGENTLOG_PURE_PYTHON=1 to run everything in Python"
    )
    assert codex_format._native_apply is _codex.apply


@contextmanager
def python_path():
    was = _codex.set_enabled(False)
    try:
        yield
    finally:
        _codex.set_enabled(was)


def shape(x):
    """A value with its exact types and dict key order (== says 1 == 1.0 == True, {a, b} == {b, a})."""
    if type(x) is dict:
        return ("dict", [(shape(k), shape(v)) for k, v in x.items()])
    if type(x) is list:
        return ("list", [shape(v) for v in x])
    return (type(x).__name__, repr(x))


def record(path, k: int | None = None) -> tuple:
    a = Analysis(path, checkpoint_every=k)
    a.run()
    n = a.n_events
    states = [shape(a.state_at_pos(p)) for p in range(-1, n, max(1, n // 10))]
    return analysis_record(a), shape(a.state), states, a.format.name


def both(path, k: int | None = None) -> tuple[tuple, tuple]:
    c = record(path, k)
    with python_path():
        py = record(path, k)
    return c, py


def _write(path: Path, records: list[dict]) -> Path:
    # json, not orjson: integers beyond 64 bits are written too
    path.write_text("".join(json.dumps(r, allow_nan=False) + "\n" for r in records))
    return path


# ---- the C path is the one taken -----------------------------------------------------------------


def _fresh():
    proj = CodexProjection()
    t = Tracker()
    state = proj.initial_state()
    seed(t, state)
    t.begin(0)
    t.no_undo()
    return t, state


@pytest.mark.parametrize(
    "type_, payload, taken",
    [
        ("response_item.message", {"type": "message", "role": "user", "content": "hi"}, True),
        (
            "response_item.function_call",
            {"type": "function_call", "call_id": "c", "arguments": "{}"},
            True,
        ),
        (
            "response_item.function_call_output",
            {"type": "function_call_output", "call_id": "c", "output": "x"},
            True,
        ),
        ("response_item.web_search_call", {"type": "web_search_call", "action": {"q": 1}}, True),
        ("event_msg.token_count", {"type": "token_count", "info": {}}, True),
        ("event_msg.agent_reasoning", {"type": "agent_reasoning", "text": "x"}, True),
        ("turn_context", {"model": "m"}, True),
        (
            "response_item.ghost_snapshot",
            {"type": "ghost_snapshot", "ghost_commit": {"id": "g"}},
            False,
        ),
        ("event_msg.thread_rolled_back", {"type": "thread_rolled_back", "num_turns": 1}, False),
        ("session_meta", {"id": "s"}, False),
        ("compacted", {"message": "m"}, False),
    ],
)
def test_apply_takes_the_common_lines_and_leaves_the_rest(type_, payload, taken):
    t, state = _fresh()
    before = shape(state)
    assert _codex.apply(t, state, payload, type_) is taken
    if not taken:
        assert shape(state) == before and not t.touched  # nothing written
    with python_path():
        t, state = _fresh()
        assert _codex.apply(t, state, payload, type_) is False


def test_a_line_given_up_writes_nothing():
    # a dict subclass as arguments' value: the C path gives the line up before writing
    class Odd(dict):
        pass

    t, state = _fresh()
    p = {"type": "local_shell_call", "call_id": "c", "action": Odd(command=["ls"])}
    assert _codex.apply(t, state, p, "response_item.local_shell_call") is False
    assert state["history"] == [] and not t.touched


# ---- the summaries, one by one -------------------------------------------------------------------

_chars = st.sampled_from(
    list('ab z{}[]":,-0\\')
    + [
        "\n",
        "\t",
        "\r",
        "\x0b",
        "\x1c",
        "\x85",
        "\xa0",
        "\u2028",
        "\u3000",
        "\x00",
        "\x7f",
        "\x1b",
        "é",
        "日",
        "😀",
        "…",
        "\ufeff",
    ]
)
_text = st.one_of(
    st.text(_chars, max_size=30),
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "\n",
            "a\n",
            "a\nb",
            "a\nb\n",
            "x" * 250,
            ("word " * 60).strip(),
            "日本" * 120,
            "😀 " * 150,
            "\t\n " * 50 + "late",
            "error: no",
            "NaN",
            "Infinity",
            "-Infinity",
            "1" * 40,
            "-0",
            "[1, 2]",
            "[",
            "{",
            "{}",
            "null",
            "true",
            '"str"',
            ' \n\t{"output": 1}',
            '{"output": "x\\ny", "metadata": {"exit_code": 1}}',
            '{"output": "x\\ny\\n", "metadata": {"exit_code": 12345678901234567890123}}',
            '{"output": [{"type": "text", "text": "a"}, "b", {"type": "image"}], "metadata": []}',
            '{"output": {"a": 1}, "metadata": {"exit_code": 1.5, "duration_seconds": 2}}',
            '{"output": null, "metadata": {"exit_code": null}}',
            '{"content": "no output key"}',
            '{"output": "bad" ',
            '\u3000{"output": "ideographic space"}',
            '\x85{"output": 1}',
            '{"output": "\\ud800"}',
            '{"output": 1e400}',
            '{"output": NaN}',
            '{"command": ["bash", "-lc", "make  test\\n"]}',
            '{"command": ["bash", "-c"]}',
            '{"command": ["sh", "-lc", 5, "ls"]}',
            '{"command": "git status", "cmd": "x"}',
            '{"cmd": ["ls", "-la"]}',
            '{"command": null, "path": "/a"}',
            '{"query": "q", "url": 3}',
            '{"plan": [1], "explanation": "why"}',
            '{"plan": "p"}',
            "{}",
            '{"x": {"y": [1, 2]}}',
            "*** Begin Patch\n*** Update File: a.py\n",
            "[" * 1500 + "]" * 1500,
        ]
    ),
)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.integers(min_value=2**63, max_value=2**70),
    st.integers(max_value=-(2**64)),
    st.floats(allow_nan=False, allow_infinity=False),
    _text,
)
_json = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["type", "text", "output", "content", "command", "x"]),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=8,
)
_block = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["input_text", "output_text", "image"]),
            "text": st.one_of(_text, _json),
        }
    ),
    st.fixed_dictionaries({"type": st.one_of(st.just("image"), _json)}),
    _text,
    _json,
)
_blocks = st.one_of(st.lists(_block, max_size=4), _text, _json)
_args = st.one_of(
    _text,
    st.builds(
        json.dumps,
        st.fixed_dictionaries(
            {},
            optional={
                "command": st.one_of(st.lists(st.one_of(_text, _json), max_size=5), _text, _json),
                "cmd": st.one_of(st.lists(_text, max_size=4), _text),
                "path": _json,
                "file_path": _text,
                "query": _text,
                "url": _json,
                "plan": _json,
                "explanation": _text,
                "workdir": _text,
            },
        ),
    ),
    _json,
)
_output_json = st.builds(
    json.dumps,
    st.fixed_dictionaries(
        {},
        optional={
            "output": st.one_of(_text, _blocks, _json),
            "metadata": st.one_of(st.fixed_dictionaries({}, optional={"exit_code": _json}), _json),
        },
    ),
)
_output = st.one_of(
    _text,
    _output_json,
    st.builds(
        lambda pad, text: pad + text, st.sampled_from([" ", "\n", "\u3000", "\x85"]), _output_json
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "content": _blocks,
            "output": st.one_of(_text, _blocks),
            "metadata": st.one_of(st.fixed_dictionaries({}, optional={"exit_code": _json}), _json),
        },
    ),
    _blocks,
)
KINDS = [
    "message",
    "reasoning",
    "function_call",
    "custom_tool_call",
    "local_shell_call",
    "function_call_output",
    "custom_tool_call_output",
    "web_search_call",
    "",
    "new_kind",
]
_payload = st.builds(
    lambda kind, fields: {"type": kind, **fields},
    st.sampled_from(KINDS),
    st.fixed_dictionaries(
        {},
        optional={
            "role": _json,
            "content": _blocks,
            "summary": _blocks,
            "encrypted_content": _json,
            "name": _json,
            "call_id": st.one_of(st.sampled_from(["c1", "c2", ""]), _json),
            "id": st.one_of(st.sampled_from(["c1", "c3"]), _json),
            "arguments": _args,
            "input": _args,
            "action": st.one_of(
                st.fixed_dictionaries(
                    {}, optional={"command": st.lists(_text, max_size=4), "type": _text}
                ),
                _json,
            ),
            "output": _output,
            "status": _json,
        },
    ),
)


def _python_item(kind: str, p: dict):
    try:
        return _item(kind, p), None
    except Exception as exc:  # noqa: BLE001 - compared with the C path's answer
        return None, exc


@settings(max_examples=1500, deadline=None)
@given(p=_payload)
def test_the_summaries_are_the_python_ones(p):
    kind = p["type"]
    py, exc = _python_item(kind, p)
    c = _codex.item(kind, p)
    if c is None:  # given up: only where Python raises (the line then fails the same way)
        assert exc is not None
    else:
        assert exc is None and shape(c) == shape(py)


CHOSEN = [
    ("function_call", {"name": "shell", "arguments": '{"command": ["bash", "-lc", "ls  -la\\n"]}'}),
    ("function_call", {"arguments": '{"command": ["zsh", "-c", "x", "y"]}'}),
    ("function_call", {"name": {"a": 1}, "arguments": "[1]"}),
    ("function_call", {"name": 0.5, "arguments": '{"path": 3, "url": "u"}'}),
    ("function_call", {"name": "", "type": "", "arguments": "0"}),
    ("function_call", {"arguments": "12345678901234567890123"}),
    ("local_shell_call", {"type": "local_shell_call", "action": {"command": ["ls"]}}),
    ("function_call_output", {"output": '{"output": "a\\nb\\n", "metadata": {"exit_code": 0}}'}),
    (
        "function_call_output",
        {"output": {"content": [{"text": "x"}], "metadata": {"exit_code": -1.0}}},
    ),
    ("function_call_output", {"output": "  \n"}),
    (
        "function_call_output",
        {"output": '{"output": "x", "metadata": {"exit_code": 99999999999999999999999}}'},
    ),
    ("custom_tool_call_output", {"output": [{"type": "image"}, "a\n"]}),
    ("reasoning", {"summary": [], "content": [{"text": ""}], "encrypted_content": "e"}),
    ("reasoning", {"summary": "not a list", "content": "c"}),
    ("message", {"role": None, "content": [{"type": "image"}, {"text": 1}, "\x07 bell"]}),
    ("web_search_call", {"type": "web_search_call", "action": {"query": "q", "n": 2**70}}),
]


@pytest.mark.parametrize("kind, p", CHOSEN)
def test_the_summaries_of_chosen_payloads_are_the_python_ones(kind, p):
    c = _codex.item(kind, p)
    assert c is not None and shape(c) == shape(_item(kind, p))


def test_where_python_raises_the_c_path_gives_the_line_up():
    deep = "[" * 1500 + "]" * 1500  # orjson refuses it, json.loads raises RecursionError
    p = {"type": "function_call", "call_id": "c", "arguments": deep}
    with pytest.raises(RecursionError):
        _item("function_call", p)
    assert _codex.item("function_call", p) is None
    t, state = _fresh()
    assert _codex.apply(t, state, p, "response_item.function_call") is False
    assert state["history"] == [] and not t.touched


# ---- whole logs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "records, k",
    [(CODEX, 3), (CODEX_LEGACY, 2), (codex(400), 7), (codex(400), None)],
    ids=["codex", "codex-legacy", "codex-400", "codex-400-default-k"],
)
def test_c_and_python_agree_on_sessions(tmp_path, records, k):
    c, py = both(_write(tmp_path / "log.jsonl", records), k)
    assert c == py


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.jsonl")))
def test_c_and_python_agree_on_sample_logs(name):
    c, py = both(SAMPLES / name, 5)
    assert c == py


def _is_rollout(path: Path) -> bool:
    with path.open("rb") as f:
        try:
            o = orjson.loads(f.readline())
        except orjson.JSONDecodeError:
            return False
    return isinstance(o, dict) and (o.get("type") == "session_meta" or _is_old_meta(o))


REAL = [p for p in real_log_paths() if _is_rollout(p)]


@pytest.mark.skipif(not REAL, reason="no real Codex rollouts in ../shared/real_logs")
@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_c_and_python_agree_on_real_rollouts(path):
    c, py = both(path, 11)
    assert c[3] == "codex" and c == py


@pytest.mark.parametrize("seed_", [1, 2, 3])
def test_c_and_python_agree_on_generated_rollouts(tmp_path, seed_):
    sys.path.insert(0, str(ROOT / "bench"))
    from gen_agents import GENERATORS

    path = tmp_path / "codex.jsonl"
    GENERATORS["codex"](path, 300_000, seed_)
    c, py = both(path, 13 * seed_)
    assert c[3] == "codex" and c == py


_odd_line = st.one_of(
    codex_line,
    st.builds(lambda p: {"type": "response_item", "payload": p}, _payload),
    st.builds(lambda p: {"type": "response_item", "payload": p}, _payload),
    st.builds(
        lambda kind, fields: {"type": "event_msg", "payload": {"type": kind, **fields}},
        st.sampled_from(
            [
                "token_count",
                "task_started",
                "user_message",
                "task_complete",
                "turn_aborted",
                "agent_message",
                "thread_rolled_back",
                "other",
            ]
        ),
        st.fixed_dictionaries(
            {},
            optional={
                "info": st.one_of(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "total_token_usage": _json,
                            "last_token_usage": _json,
                            "model_context_window": _json,
                        },
                    ),
                    _json,
                ),
                "rate_limits": st.one_of(
                    st.sampled_from([{"primary": 1}, {"primary": 1.0}]), _json
                ),
                "message": _json,
                "last_agent_message": _json,
                "num_turns": st.integers(-1, 3),
            },
        ),
    ),
    st.builds(
        lambda p: {"type": "turn_context", "payload": p},
        st.one_of(
            st.sampled_from([{"model": "m"}, {"model": "m", "n": 1}, {"model": "m", "n": 1.0}]),
            st.dictionaries(st.sampled_from(["model", "cwd"]), _json),
        ),
    ),
)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(_odd_line, max_size=30), k=st.integers(1, 6))
def test_c_and_python_agree_on_random_rollouts(tmp_path_factory, lines, k):
    head = {"type": "session_meta", "payload": {"id": "s1", "cwd": "/w", "cli_version": "0.5"}}
    records = [
        {"timestamp": f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z", **line}
        for i, line in enumerate([head, *lines])
    ]
    path = _write(tmp_path_factory.mktemp("codex") / "rollout.jsonl", records)
    c, py = both(path, k)
    assert c == py


# ---- nothing leaks -------------------------------------------------------------------------------


def test_the_c_path_leaks_no_objects(tmp_path):
    # the same rollouts analysed again and again: once warm, the number of allocated blocks must
    # not grow with the number of runs (a missing DECREF leaks an object or more per line)
    sys.path.insert(0, str(ROOT / "bench"))
    from gen_agents import GENERATORS

    gen = tmp_path / "gen.jsonl"
    GENERATORS["codex"](gen, 200_000, 5)
    paths = [_write(tmp_path / "rollout.jsonl", codex(300)), gen]

    def run() -> None:
        for p in paths:
            a = Analysis(p)
            a.run()
            del a
        gc.collect()

    run()
    run()
    before = sys.getallocatedblocks()
    for _ in range(4):
        run()
    grown = sys.getallocatedblocks() - before
    assert grown < 200, f"{grown} blocks more after 4 runs"


def test_the_summaries_leak_nothing_on_odd_payloads_either():
    # every branch of the summaries, those that give up included, run again and again
    deep = "[" * 1500 + "]" * 1500
    payloads = [
        *[(k, p) for k, p in CHOSEN],
        ("function_call", {"arguments": deep}),
        ("function_call_output", {"output": '{"output": ' + deep + "}"}),
        ("function_call_output", {"output": '{"output": "\\ud800", "metadata": {"exit_code": 1}}'}),
        ("function_call", {"arguments": "NaN", "name": [1]}),
    ]

    def run() -> None:
        for kind, p in payloads:
            _codex.item(kind, p)
        t, state = _fresh()  # a new tracker each run: what it records is dropped with it
        for pos, (kind, p) in enumerate(payloads * 3):
            t.begin(pos)
            t.no_undo()
            _codex.apply(t, state, p, "response_item." + kind)
        del t, state
        gc.collect()

    run()
    run()
    before = sys.getallocatedblocks()
    for _ in range(20):
        run()
    grown = sys.getallocatedblocks() - before
    assert grown < 100, f"{grown} blocks more after 20 runs"
