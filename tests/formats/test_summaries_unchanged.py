"""The one-line summaries the Claude Code and Codex projections put into their state were made
cheaper (issue 11: a C `one_line` and `count_lines`, JSON not parsed where it cannot be JSON, ...).
They are part of the state (`state --json`, compaction's replay check), so they must stay exactly
the strings they were.

The functions as they were before that work are kept below, in this file only, as the reference:
they are what the state held, so every answer of the new code (C and pure Python) is compared with
theirs, on hypothesis-made values and on every record of the fixtures, the sample logs, generated
sessions and the real logs beside the project (when present).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentlog_tui.core.formats import claude_code as cc
from agentlog_tui.core.formats import codex as cx
from agentlog_tui.core.formats.base import MappingError
from agentlog_tui.core.native import _fastloop

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from format_fixtures import CLAUDE_CODE, CLAUDE_CODE_RESUMED, CODEX

REAL_LOGS = ROOT.parent / "shared" / "real_logs"

# ---- the reference: the functions as they were (b0032f1), verbatim but for their names ----------


def old_one_line(value: Any, width: int = 100) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError):
            value = repr(value)
    cut = 4 * width + 64
    while True:
        s = " ".join(value[:cut].split())
        if len(s) > width or cut >= len(value):
            break
        cut *= 4
    if len(s) > width:
        s = s[: width - 1] + "…"
    return s if s.isprintable() else s.translate(OLD_CONTROLS)


OLD_CONTROLS = {c: "?" for c in [*range(32), 127]}


def old_count_lines(text: Any) -> int:
    if not isinstance(text, str) or not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def old_arguments(p: dict) -> Any:
    a = p.get("arguments", p.get("input"))
    if isinstance(a, str):
        try:
            return cx._json(a)
        except ValueError:
            return a
    return a


def old_blocks(obj: dict) -> list[dict]:
    content = cc._message(obj).get("content")
    if isinstance(content, list):
        return [b for b in content if isinstance(b, dict)]
    return []


def old_usage(msg: dict) -> dict[str, int] | None:
    u = msg.get("usage")
    if not isinstance(u, dict):
        return None

    def n(k: str) -> int:
        v = u.get(k)
        return v if isinstance(v, int) and not isinstance(v, bool) else 0

    return {
        "input": n("input_tokens"),
        "output": n("output_tokens"),
        "cache_read": n("cache_read_input_tokens"),
        "cache_creation": n("cache_creation_input_tokens"),
    }


# module attribute -> its reference (codex imported one_line and count_lines by name)
OLD = [
    (cc, "one_line", old_one_line),
    (cc, "count_lines", old_count_lines),
    (cx, "one_line", old_one_line),
    (cx, "count_lines", old_count_lines),
    (cx, "_arguments", old_arguments),
    (cc, "_blocks", old_blocks),
    (cc, "_usage", old_usage),
]


class old_world:
    """Within it, the modules answer as they did before (every changed function is its reference)."""

    def __enter__(self) -> None:
        self.saved = [(m, name, getattr(m, name)) for m, name, _ in OLD]
        for m, name, f in OLD:
            setattr(m, name, f)

    def __exit__(self, *exc: object) -> None:
        for m, name, f in self.saved:
            setattr(m, name, f)


class pure_python:
    """Within it, the C accelerator's summary functions are not used (as AGENTLOG_PURE_PYTHON=1)."""

    def __enter__(self) -> None:
        self.saved = cc._one_line_text, cc._count_newlines
        cc._one_line_text = cc._count_newlines = None

    def __exit__(self, *exc: object) -> None:
        cc._one_line_text, cc._count_newlines = self.saved


needs_c = pytest.mark.skipif(
    getattr(_fastloop, "one_line_text", None) is None,
    reason="the C accelerator is not built (or switched off)",
)

# ---- values: texts with every kind of whitespace and control, surrogates, long runs, JSON --------

WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]
ODD = [
    "\x00",
    "\x01",
    "\x08",
    "\x1b",
    "\x7f",
    "\x80",
    "\x9f",
    "\x85",
    "\xa0",
    "\u200b",
    "\u200e",
    "\u202e",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\U0001f600",
    "é",
    "…",
    "?",
    "\u0100",
    "\uffff",
]
chars = st.one_of(
    st.sampled_from(WHITESPACE),
    st.sampled_from(ODD),
    st.characters(),
    st.sampled_from('ab{}[]":,\\n-0'),
)
short_text = st.text(alphabet=chars, max_size=60)
# long texts: pieces repeated (a long blank start, long words, many lines)
long_text = st.builds(
    lambda parts: "".join(s * n for s, n in parts),
    st.lists(st.tuples(short_text, st.integers(1, 300)), max_size=4),
)
texts = st.one_of(short_text, short_text, long_text)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(short_text, inner, max_size=4),
    max_leaves=12,
)
widths = st.sampled_from(
    [1, 2, 3, 10, 80, 90, 100, 120, 140, 160, 200, 511, 512, 513, 1000, 10**12]
)

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RECORDS = settings(SETTINGS, max_examples=120)  # each record is a big draw


def all_ways(f, *args: Any) -> tuple[Any, Any, Any]:
    """(reference, new, new without C) answers of f(*args)."""
    with old_world():
        ref = f(*args)
    new = f(*args)
    with pure_python():
        py = f(*args)
    return ref, new, py


@SETTINGS
@given(value=st.one_of(texts, json_values), width=widths)
def test_one_line_gives_the_old_text(value, width):
    ref = old_one_line(value, width)
    assert cc.one_line(value, width) == ref
    with pure_python():
        assert cc.one_line(value, width) == ref


@needs_c
@SETTINGS
@given(value=texts, width=widths)
def test_one_line_in_c_gives_the_old_text(value, width):
    assert _fastloop.one_line_text(value, width) == old_one_line(value, width)


@needs_c
def test_one_line_in_c_on_every_character_between_words():
    # every code point, between words and doubled (a whitespace run), whole and cut short
    for start in range(0, 0x110000, 0x10000):
        value = "a".join(chr(c) * 2 for c in range(start, start + 0x10000)) + " "
        for width in (len(value), 1000, 7):
            assert _fastloop.one_line_text(value, width) == old_one_line(value, width), hex(start)


@SETTINGS
@given(text=st.one_of(texts, json_values))
def test_count_lines_gives_the_old_count(text):
    ref = old_count_lines(text)
    assert cc.count_lines(text) == ref
    with pure_python():
        assert cc.count_lines(text) == ref


@needs_c
@SETTINGS
@given(text=texts, pad=st.integers(0, 9))
def test_count_newlines_in_c_at_every_alignment(text, pad):
    text = "\n" * pad + text  # the eight-byte steps start at every offset of the newlines
    assert _fastloop.count_newlines(text) == text.count("\n")


def test_one_line_of_a_str_subclass_or_odd_width_goes_the_python_way():
    class S(str):
        pass

    assert cc.one_line(S("a  b\x00"), 10) == "a b?"
    assert cc.one_line("abc", 0) == old_one_line("abc", 0)
    assert cc.one_line("abc", -2) == old_one_line("abc", -2)


# ---- records: made by hypothesis, and every record of the fixtures and logs ---------------------

json_text = st.one_of(
    json_values.map(lambda v: json.dumps(v, ensure_ascii=False)),
    json_values.map(lambda v: " \n\t" + json.dumps(v)),
    texts,
    st.sampled_from(
        [
            "NaN",
            "-Infinity",
            "1e999",
            "123456789012345678901234567890",
            "*** Begin Patch\n",
            "\ufeff{}",
            "\x0c{}",
            '"x"',
            "tru",
            "[1,",
        ]
    ),
)
tool_input = st.one_of(
    json_values,
    st.dictionaries(
        st.sampled_from(
            [
                "command",
                "file_path",
                "pattern",
                "path",
                "glob",
                "todos",
                "prompt",
                "url",
                "cmd",
                "query",
                "plan",
                "explanation",
                "notebook_path",
                "description",
            ]
        ),
        st.one_of(texts, json_values),
        max_size=4,
    ),
)


@st.composite
def codex_payloads(draw) -> dict:
    kind = draw(
        st.sampled_from(
            [
                "message",
                "reasoning",
                "function_call",
                "custom_tool_call",
                "local_shell_call",
                "function_call_output",
                "custom_tool_call_output",
                "web_search_call",
                "other",
            ]
        )
    )
    p: dict = {"type": kind}
    if kind in ("function_call", "custom_tool_call", "local_shell_call"):
        p["name"] = draw(st.one_of(st.none(), st.sampled_from(["shell", "apply_patch", "x"])))
        key = draw(st.sampled_from(["arguments", "input", "action"]))
        p[key] = draw(
            st.one_of(
                json_text, tool_input, tool_input.map(lambda v: json.dumps(v, ensure_ascii=False))
            )
        )
        p["call_id"] = draw(st.one_of(st.none(), st.just("c1")))
    elif kind.endswith("_output"):
        meta = draw(
            st.one_of(
                st.none(),
                st.dictionaries(
                    st.sampled_from(["exit_code", "duration_seconds"]), json_values, max_size=2
                ),
            )
        )
        body = {"output": draw(st.one_of(texts, json_values))}
        if meta is not None:
            body["metadata"] = meta
        p["output"] = draw(
            st.one_of(
                texts,
                json_values,
                st.just(body),
                st.just(json.dumps(body, ensure_ascii=False)),
                st.just(" \n" + json.dumps(body)),
            )
        )
        p["call_id"] = "c1"
    else:
        p["content"] = draw(
            st.one_of(
                texts,
                st.lists(
                    st.one_of(
                        st.fixed_dictionaries({"type": st.just("text"), "text": texts}), json_values
                    ),
                    max_size=3,
                ),
            )
        )
        p["summary"] = draw(st.one_of(st.none(), st.lists(json_values, max_size=2)))
        p["role"] = draw(st.sampled_from(["user", "assistant"]))
        p["extra"] = draw(json_values)
    return p


@st.composite
def claude_records(draw) -> dict:
    blocks = draw(
        st.lists(
            st.one_of(
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(["tool_use", "server_tool_use"]),
                        "id": st.one_of(st.just("t1"), st.none()),
                        "name": st.sampled_from(
                            ["Bash", "Read", "Glob", "Grep", "TodoWrite", "Edit", "Task", "X"]
                        ),
                        "input": tool_input,
                    }
                ),
                st.fixed_dictionaries(
                    {
                        "type": st.just("tool_result"),
                        "tool_use_id": st.just("t1"),
                        "content": st.one_of(texts, st.lists(json_values, max_size=3)),
                        "is_error": st.booleans(),
                    }
                ),
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(["text", "thinking"]),
                        "text": texts,
                        "thinking": st.one_of(texts, json_values),
                    }
                ),
                json_values,
            ),
            max_size=3,
        )
    )
    tur = draw(
        st.one_of(
            json_values,
            st.dictionaries(
                st.sampled_from(
                    [
                        "file",
                        "filePath",
                        "type",
                        "content",
                        "stdout",
                        "stderr",
                        "filenames",
                        "numFiles",
                        "mode",
                        "agentId",
                    ]
                ),
                st.one_of(
                    texts,
                    json_values,
                    st.fixed_dictionaries(
                        {"filePath": texts, "content": texts, "numLines": json_values}
                    ),
                ),
                max_size=4,
            ),
        )
    )
    return {
        "type": draw(st.sampled_from(["user", "assistant", "progress", "system"])),
        "message": {
            "content": draw(st.one_of(texts, st.just(blocks))),
            "usage": draw(
                st.one_of(
                    json_values,
                    st.dictionaries(
                        st.sampled_from(
                            [
                                "input_tokens",
                                "output_tokens",
                                "cache_read_input_tokens",
                                "cache_creation_input_tokens",
                            ]
                        ),
                        json_values,
                        max_size=3,
                    ),
                )
            ),
        },
        "toolUseResult": tur,
        "data": draw(json_values),
        "content": draw(json_values),
        "subtype": "x",
    }


@SETTINGS
@given(a=st.one_of(json_text, json_values), key=st.sampled_from(["arguments", "input"]))
def test_call_arguments_are_parsed_as_before(a, key):
    p = {key: a}
    assert repr(cx._arguments(p)) == repr(old_arguments(p))


@pytest.mark.parametrize(
    "text",
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "null",
        "true",
        "false",
        '"x"',
        "[1]",
        "{}",
        "0",
        "7",
        "-1",
        " \t\n\r 1",
        "\x0c1",
        "\xa01",
        "\u20001",
        "\ufeff{}",
        "*** Begin Patch",
        "",
        " ",
        "nul",
        "-",
        "1 2",
        "{} x",
        "x",
    ],
)
def test_call_arguments_that_may_or_may_not_be_json_are_parsed_as_before(text):
    assert repr(cx._arguments({"arguments": text})) == repr(old_arguments({"arguments": text}))


def codex_answers(p: dict, type_: str | None = None) -> list:
    kind = p.get("type") if isinstance(p.get("type"), str) else "other"
    out: list = []
    for f, args in (
        (cx._item, (kind, p)),
        (cx.payload_summary, (type_ or f"response_item.{kind}", p)),
        (cx.call_summary, (p,)),
        (cx.output_summary, (p,)),
        (cx._call_args, (p,)),
        (cx._output_and_meta, (p,)),
    ):
        try:
            out.append(f(*args))
        except Exception as e:  # noqa: BLE001 - the same failure is the same answer
            out.append(("raised", type(e).__name__))
    return out


def claude_answers(obj: dict, type_: str | None = None) -> list:
    out: list = []
    try:
        t = type_ or cc.record_type(obj)
    except MappingError:
        t = "assistant.tool_use"
    calls = [
        (cc.record_summary, (t, obj)),
        (lambda o: list(cc._tool_uses(o)), (obj,)),
        (cc._usage, (cc._message(obj),)),
        (cc._blocks, (obj,)),
    ]
    calls += [(cc.tool_result_summary, (obj, b)) for b in cc._blocks(obj)]
    calls += [(cc.tool_use_summary, (b,)) for b in cc._blocks(obj)]
    for f, args in calls:
        try:
            out.append(f(*args))
        except Exception as e:  # noqa: BLE001
            out.append(("raised", type(e).__name__))
    return out


def assert_same(f, *args: Any) -> None:
    ref, new, py = all_ways(f, *args)
    # repr: NaN is not equal to itself, and a dict's order is part of the state
    assert repr(new) == repr(ref)
    assert repr(py) == repr(ref)


@RECORDS
@given(p=codex_payloads())
def test_codex_summaries_give_the_old_answers(p):
    assert_same(codex_answers, p)


@RECORDS
@given(obj=claude_records())
def test_claude_code_summaries_give_the_old_answers(obj):
    assert_same(claude_answers, obj)


def _jsonl(path: Path) -> Iterator[dict]:
    for line in path.read_bytes().splitlines():
        try:
            o = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(o, dict):
            yield o


def _generated(fmt: str, tmp: Path) -> list[dict]:
    sys.path.insert(0, str(ROOT / "bench"))
    from gen_agents import GENERATORS

    path = tmp / f"{fmt}.jsonl"
    GENERATORS[fmt](path, 400_000, 7)
    return list(_jsonl(path))


def _logs(where: Path, pattern: str) -> list[dict]:
    return [o for p in sorted(where.glob(pattern)) for o in _jsonl(p)] if where.is_dir() else []


def test_every_codex_record_of_the_fixtures_and_logs_gets_the_old_answers(tmp_path):
    objs = [
        *CODEX,
        *_logs(ROOT / "tests", "**/codex/**/*.jsonl"),
        *_logs(ROOT / "sample_logs", "*.jsonl"),
        *_generated("codex", tmp_path),
    ]
    mapper = cx.CodexMapper(False)
    n = 0
    for o in objs:
        try:
            m = mapper.map(o)
        except MappingError:
            continue
        if isinstance(m.data, dict):
            assert_same(codex_answers, m.data, m.type)
            rh = m.data.get("replacement_history")
            for it in rh if isinstance(rh, list) else []:
                if isinstance(it, dict):
                    assert_same(codex_answers, it)
            n += 1
    assert n > 1000


def test_every_claude_code_record_of_the_fixtures_and_logs_gets_the_old_answers(tmp_path):
    objs = [
        *CLAUDE_CODE,
        *CLAUDE_CODE_RESUMED,
        *_logs(ROOT / "tests", "**/claude/**/*.jsonl"),
        *_logs(ROOT / "sample_logs", "*.jsonl"),
        *_generated("claude-code", tmp_path),
    ]
    n = 0
    for o in objs:
        assert_same(claude_answers, o)
        n += 1
    assert n > 500


@pytest.mark.skipif(not REAL_LOGS.is_dir(), reason="no real logs beside the project (../shared)")
def test_every_record_of_the_real_logs_gets_the_old_answers():
    n = 0
    for o in _logs(REAL_LOGS, "claude_code/**/*.jsonl"):
        assert_same(claude_answers, o)
        n += 1
    mapper = cx.CodexMapper(False)
    for o in _logs(REAL_LOGS, "codex/**/*.jsonl"):
        m = mapper.map(o)
        if isinstance(m.data, dict):
            assert_same(codex_answers, m.data, m.type)
            n += 1
    assert n > 0


def test_usage_counts_only_ints_as_before():
    class Count(int):
        pass

    for v in (True, False, 3, -1, 2**70, 3.0, "3", None, [], Count(5)):
        msg = {
            "usage": {
                "input_tokens": v,
                "output_tokens": v,
                "cache_read_input_tokens": v,
                "cache_creation_input_tokens": v,
            }
        }
        assert repr(cc._usage(msg)) == repr(old_usage(msg))
    for msg in ({}, {"usage": None}, {"usage": []}, {"usage": {}}):
        assert cc._usage(msg) == old_usage(msg)
