"""The Claude Code projection's direct path in C (core/_claude.c) gives exactly what the Python
`apply_tracked` gives.

Every log is analysed twice in one process: with the C direct path, and with it switched off
(`claude_code._native_apply = None`: the Python method runs every record). Compared: the state
(with its dict key order, ints vs floats: canonical JSON would hide both, so the states are
compared as `repr`s), everything the tracker recorded (the per-event arrays, killers, deps and
readers, the blame trie, the slot tree: as tests/core/test_tracker_native.py compares them),
the analysis' answers (marks, checkpoints, state and blame at every few positions, failed
events, whether the log was read again with an undo log), and how many records C applied.
Logs: the format fixtures, sample_logs/, the benchmark generator's sessions, the real logs beside
the project (when present), and hypothesis-made records, common and odd.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.events import Event
from agentlog_tui.core.formats import claude_code
from agentlog_tui.core.formats.base import MappingError
from agentlog_tui.core.formats.claude_code import ClaudeCodeProjection
from agentlog_tui.core.native import _claude
from agentlog_tui.core.tracked import Tracker, seed
from tests.conftest import SAMPLES, real_log_paths
from tests.core.test_agent_direct_path import cc_record
from tests.core.test_tracker_native import analysis_record, tracker_record

sys.path.insert(0, str(Path(__file__).resolve().parent))
from format_fixtures import CLAUDE_CODE, CLAUDE_CODE_RESUMED

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from gen_agents import generate_claude_code

pytestmark = pytest.mark.skipif(
    _claude is None and bool(os.environ.get("AGENTLOG_PURE_PYTHON")),
    reason="AGENTLOG_PURE_PYTHON=1: the C accelerator is switched off",
)


def test_the_claude_extension_is_built_and_used():
    assert _claude is not None, (
        "core/_claude was not built (no C compiler when the project was installed?); "
        "set AGENTLOG_PURE_PYTHON=1 to run everything in Python"
    )
    assert claude_code._native_apply is _claude.apply_tracked


@contextmanager
def python_path():
    was = claude_code._native_apply
    claude_code._native_apply = None
    try:
        yield
    finally:
        claude_code._native_apply = was


class Counting:
    """Counts the records the C path applied (True) and left to the Python (False)."""

    def __init__(self) -> None:
        self.applied = 0
        self.left = 0
        self.fn = claude_code._native_apply

    def __call__(self, t, state, event) -> bool:
        done = self.fn(t, state, event)
        if done:
            self.applied += 1
        else:
            self.left += 1
        return done


def record(path: Path, k: int | None = None) -> tuple:
    a = Analysis(path, checkpoint_every=k)
    a.run()
    return (repr(a.state), dict(a.failed), analysis_record(a), a.format.name)


def both(path: Path, k: int | None = None) -> tuple[tuple, tuple, Counting]:
    counting = Counting()
    was = claude_code._native_apply
    claude_code._native_apply = counting
    try:
        c = record(path, k)
    finally:
        claude_code._native_apply = was
    with python_path(), python_mapping():
        py = record(path, k)
    return c, py, counting


def _write(path: Path, records: list) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def assert_same(path: Path, k: int | None = None, *, applied: bool = True) -> Counting:
    c, py, counting = both(path, k)
    assert c[0] == py[0]  # the state, key order and int/float included
    assert c[1] == py[1]  # failed events
    assert c[2] == py[2]  # tracker record and the analysis' answers
    if applied and c[3] == "claude-code":
        assert counting.applied > 0
    return counting


@pytest.mark.parametrize("records", [CLAUDE_CODE, CLAUDE_CODE_RESUMED], ids=["cc", "cc-resumed"])
def test_c_and_python_give_the_same_on_fixtures(tmp_path, records):
    assert_same(_write(tmp_path / "log.jsonl", records), 3)


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.jsonl")))
def test_c_and_python_give_the_same_on_sample_logs(name):
    assert_same(SAMPLES / name, 5, applied=False)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_c_and_python_give_the_same_on_generated_sessions(tmp_path, seed):
    path = tmp_path / "gen.jsonl"
    generate_claude_code(path, 400_000, seed)
    counting = assert_same(path)
    assert counting.left < counting.applied // 20  # the common records are C's


REAL = [p for p in real_log_paths() if "claude" in str(p)]


@pytest.mark.skipif(not REAL, reason="no real Claude Code logs in ../shared/real_logs")
@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_c_and_python_give_the_same_on_real_logs(path):
    assert_same(path)


# ---- hypothesis: the records of the existing direct-path property test ------------------------


@settings(max_examples=60, deadline=None)
@given(records=st.lists(cc_record, min_size=1, max_size=30), k=st.integers(1, 6))
def test_c_and_python_give_the_same_on_random_sessions(tmp_path_factory, records, k):
    records = [{"timestamp": f"2026-01-01T00:00:{i % 60:02d}Z", **r} for i, r in enumerate(records)]
    path = _write(tmp_path_factory.mktemp("cc") / "session.jsonl", records)
    assert_same(path, k, applied=False)


# ---- hypothesis: odd records, applied one by one ------------------------------------------------
#
# Records with every field the projection reads either of a plausible shape or any JSON-like
# junk (missing, None, bools, huge ints, floats, unicode, controls, nested lists and dicts), each
# applied to a tracker without an undo log (as the analysis applies them) by the C path and by
# the Python, with any exception noted: the state, the exceptions and the tracker's record must
# be the same, record by record.

_texts = st.one_of(
    st.text(max_size=40),
    st.text(
        alphabet=" \t\n\r\x0b\x0c\x1c\x85\u00a0\u2028\u3000x\u00e9\u4e2d\U0001f600\x07\x7f",
        max_size=30,
    ),
    st.sampled_from(
        [
            "",
            " ",
            "cd /x && ls -la",
            "  cd 'a b' ; make test",
            "\u3000cd x && y",
            "cd x &&   ",
            "cdx && y",
            "é" * 150,
            "a\nb\n",
            "line\n" * 5,
            "\x1b[31mred\x1b[0m",
            "中文" * 70,
            "w " * 80,
            "$ " + "x" * 300,
            "<command-name>/clear</command-name>",
            " \n<local-command-stdout>ok",
            "<command-message>",
            "<command-nam",
        ]
    ),
)
_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 5),
    st.integers(min_value=2**63, max_value=2**200),
    st.floats(allow_nan=False),
    st.just(1.0),
    _texts,
)
_junk = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["type", "text", "content", "a", "filePath"]), inner, max_size=3
        ),
    ),
    max_leaves=6,
)


_MISSING = object()


def _maybe(s):
    """A plausible value most of the time, else junk or nothing (the key left out)."""
    return st.one_of(s, s, s, s, _junk, st.just(_MISSING))


def _some(**fields):
    """A dict of these fields, each plausible, junk or missing."""
    return st.fixed_dictionaries({k: _maybe(v) for k, v in fields.items()}).map(
        lambda d: {k: v for k, v in d.items() if v is not _MISSING}
    )


_tids = st.sampled_from(["t1", "t2", "t3", ""])
_names = st.sampled_from(
    [
        "Read",
        "Write",
        "Edit",
        "MultiEdit",
        "NotebookEdit",
        "NotebookRead",
        "Bash",
        "Glob",
        "Grep",
        "TodoWrite",
        "Task",
        "",
        "X",
    ]
)
_input = _some(
    **{
        k: _texts
        for k in (
            "command",
            "file_path",
            "notebook_path",
            "path",
            "pattern",
            "glob",
            "url",
            "query",
            "description",
            "prompt",
            "subject",
            "task_id",
            "taskId",
            "skill",
        )
    },
    todos=st.lists(
        _maybe(
            _some(content=_texts, status=st.sampled_from(["completed", "pending", "in_progress"]))
        ).filter(lambda v: v is not _MISSING),
        max_size=3,
    ),
)
_inner_block = _some(type=st.sampled_from(["text", "image", "tool_result"]), text=_texts)
_result_content = st.one_of(_texts, st.lists(st.one_of(_inner_block, _texts), max_size=3))
_block = st.one_of(
    _some(
        type=st.sampled_from(["tool_use", "server_tool_use"]), id=_tids, name=_names, input=_input
    ),
    _some(
        type=st.just("tool_result"),
        tool_use_id=_tids,
        content=_result_content,
        is_error=st.booleans(),
    ),
    _some(
        type=st.sampled_from(["text", "thinking", "redacted_thinking", "image"]),
        text=_texts,
        thinking=_texts,
    ),
)
_result = st.tuples(
    _some(tool_use_id=_tids, content=_result_content, is_error=st.just(False)), _tids
).map(lambda r: {"type": "tool_result", "tool_use_id": r[1], **r[0]})
_count = st.one_of(st.integers(-2, 10**6), st.integers(min_value=2**64, max_value=2**90))
_usage = _some(
    **{
        k: _count
        for k in (
            "input_tokens",
            "output_tokens",
            "cache_read_input_tokens",
            "cache_creation_input_tokens",
        )
    }
)
_message = _some(
    id=st.sampled_from(["m1", "m2", "u1"]),
    content=st.one_of(st.lists(_block, max_size=4), _texts),
    usage=_usage,
)
_tur = st.one_of(
    _some(file=_some(filePath=_texts, numLines=_count, totalLines=_count, content=_texts)),
    _some(filePath=_texts, type=st.sampled_from(["create", "update", "x"]), content=_texts),
    _some(stdout=_texts, stderr=_texts, interrupted=st.booleans()),
    _some(filenames=st.lists(_texts, max_size=3), numFiles=_count, mode=_texts),
    _some(agentId=_texts, totalToolUseCount=_count, content=_result_content),
    _some(
        file=_some(filePath=_texts),
        filePath=_texts,
        stdout=_texts,
        filenames=st.lists(_texts),
        agentId=_texts,
        content=_texts,
    ),
)
_pdata = _some(
    type=st.sampled_from(["hook_progress", "bash_progress", "agent_progress", "waiting", ""]),
    hookName=_texts,
    hookEvent=_texts,
    totalLines=_count,
    prompt=_texts,
    taskDescription=_texts,
    message=_some(message=_some(content=st.one_of(st.lists(_inner_block, max_size=2), _texts))),
)
_envelope = {
    "uuid": st.sampled_from(["u1", "u2", "u3", ""]),
    "sessionId": st.sampled_from(["s1", "s2", ""]),
    "cwd": _texts,
    "version": st.sampled_from(["2.0", ""]),
    "gitBranch": _texts,
    "timestamp": _texts,
}
_odd_record = st.tuples(
    st.one_of(
        # an assistant record: its blocks, usage
        st.tuples(
            st.just("assistant"),
            _some(
                **_envelope,
                message=_some(
                    id=st.sampled_from(["m1", "m2", "u1"]),
                    content=st.one_of(st.lists(_block, max_size=4), _texts),
                    usage=_usage,
                ),
            ),
        ),
        # a tool result: its blocks and toolUseResult
        st.tuples(
            st.just("user"),
            st.tuples(
                _some(**_envelope),
                _tur,
                st.lists(st.one_of(_block, _result, _result), min_size=1, max_size=3),
            ).map(lambda r: {**r[0], "toolUseResult": r[1], "message": {"content": r[2]}}),
        ),
        # a prompt, a progress record, anything
        st.tuples(st.just("user"), _some(**_envelope, message=_message, isMeta=st.booleans())),
        st.tuples(
            st.just("progress"),
            _some(**_envelope, parentToolUseID=_tids, toolUseID=_tids, data=_pdata),
        ),
        st.tuples(
            st.sampled_from(["assistant", "user", "progress", "system"]),
            _some(
                **_envelope,
                message=_message,
                toolUseResult=_tur,
                parentToolUseID=_tids,
                toolUseID=_tids,
                data=_pdata,
                subtype=st.sampled_from(["turn_duration", "x"]),
            ),
        ),
    ),
    st.one_of(st.none(), st.none(), st.none(), _junk),
).map(
    lambda r: {
        "type": r[0][0],
        **r[0][1],
        **({} if r[1] is None else {claude_code.RESUME_KEY: r[1]}),
    }
)
# event types: the record's own, or one forced on it (a hand-made event)
_forced_type = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "assistant",
            "assistant.tool_use",
            "assistant.text",
            "assistant.thinking",
            "user",
            "user.tool_result",
            "user.prompt",
            "user.meta",
            "userx",
            "progress",
            "system.turn_duration",
            "file_history_snapshot",
        ]
    ),
)


def _drive(items: list, native: bool) -> tuple:
    proj = ClaudeCodeProjection()
    t = Tracker()
    state = proj.initial_state()
    seed(t, state)
    outcomes = []
    was = claude_code._native_apply
    if not native:
        claude_code._native_apply = None
    try:
        for pos, (obj, forced, ts) in enumerate(items):
            try:
                ty = forced or claude_code.record_type(obj)
            except (MappingError, TypeError):  # no type; an unhashable block type
                ty = "assistant"
            ev = Event(seq=pos + 1, type=ty, data=obj, ts=ts, line=pos + 1)
            t.begin(pos)
            t.no_undo()
            try:
                proj.apply_tracked(t, state, ev)
                outcomes.append(None)
            except Exception as exc:  # noqa: BLE001 - the same failure is what is compared
                outcomes.append((type(exc).__name__, str(exc)))
            t.commit()
    finally:
        claude_code._native_apply = was
    return repr(state), outcomes, tracker_record(t, len(items))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(
        st.tuples(_odd_record, _forced_type, st.one_of(_texts, st.none(), st.integers(), _junk)),
        min_size=1,
        max_size=12,
    )
)
def test_c_and_python_give_the_same_on_odd_records(items):
    assert _drive(items, True) == _drive(items, False)


# ---- nothing leaks ------------------------------------------------------------------------------


def test_the_c_path_leaks_no_objects(tmp_path):
    # the same session analysed again and again: once warm, the number of allocated blocks must
    # not grow with the number of runs (a missing DECREF leaks an object or more per record)
    path = tmp_path / "gen.jsonl"
    generate_claude_code(path, 150_000, 5)

    def run() -> None:
        a = Analysis(path)
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


# ---- every branch of the summaries, by name -----------------------------------------------------

_TURS = [
    None,
    "text",
    {},
    {"file": {"filePath": "/a.py", "numLines": 3}},
    {"file": {"filePath": "/a.py", "numLines": 0, "totalLines": 2.5}},
    {"file": {"filePath": "/a.py", "content": "a\nb\n"}},
    {"file": {"filePath": 3}},
    {"filePath": "/b", "type": "create", "content": "x"},
    {"filePath": "/b", "type": "update"},
    {"filePath": "/b", "type": "update", "content": ""},
    {"filePath": "/b"},
    {"stdout": "one\ntwo\n", "stderr": ""},
    {"stdout": "", "stderr": "bad\n"},
    {"stdout": ""},
    {"stdout": ["x"]},
    {"stdout": None, "stderr": {"a": 1}},
    {"filenames": ["a", "b"], "numFiles": 2, "mode": "files"},
    {"filenames": ["a"]},
    {"filenames": None, "numFiles": None},
    {"filenames": "abc"},
    {"filenames": 5},
    {"agentId": "x", "content": [{"type": "text", "text": "done\nall"}]},
    {"totalToolUseCount": 3, "content": []},
    {"agentId": None},
]
_RESULT_CONTENTS = [
    "ok",
    "",
    "a\nb\nc",
    "é " * 80,
    ["x", {"type": "image"}, {"text": "t"}],
    None,
    5,
]
_USES = [
    {"name": "Bash", "input": {"command": "cd /w && make -j4"}},
    {"name": "Bash", "input": {"command": "cd /w && "}},
    {"name": "Bash", "input": {"command": " "}},
    {"name": "Glob", "input": {"pattern": "**/*.py", "path": "src"}},
    {"name": "Grep", "input": {"pattern": "def", "glob": "*.py"}},
    {"name": "Grep", "input": {"pattern": ""}},
    {"name": "TodoWrite", "input": {"todos": [{"content": "a", "status": "completed"}, "x", {}]}},
    {"name": "TodoWrite", "input": {"todos": "no"}},
    {"name": "Read", "input": {"file_path": "/r"}},
    {"name": "Edit", "input": {"notebook_path": "/n.ipynb"}},
    {"name": "Write", "input": {"file_path": 4}},
    {"name": "Task", "input": {"description": "  ", "prompt": "do it"}},
    {"name": "WebFetch", "input": {"x": [1, {"b": 2}], "a": None}},
    {"name": "X", "input": {}},
    {"name": "", "input": "junk"},
    {"input": {"query": "q"}},
    {"name": 7, "input": {}},
]
_PROGRESS = [
    {"type": "hook_progress", "hookName": "pre"},
    {"type": "hook_progress", "hookEvent": 3},
    {"type": "hook_progress"},
    {"type": "bash_progress", "totalLines": 4},
    {"type": "bash_progress"},
    {
        "type": "agent_progress",
        "message": {"message": {"content": [{"type": "text", "text": "hi"}]}},
    },
    {"type": "agent_progress", "prompt": "go"},
    {"type": "agent_progress", "prompt": ["x"]},
    {"type": "waiting", "taskDescription": "build"},
    {},
    {"type": None},
    {"type": 0},
]


def test_c_and_python_give_the_same_on_every_summary_branch():
    items = []
    for i, use in enumerate(_USES):
        tid = f"t{i}"
        blocks = [{"type": "tool_use", "id": tid, **use}, {"type": "server_tool_use", **use}]
        msg = {
            "id": f"m{i % 3}",
            "content": blocks,
            "usage": {"input_tokens": i, "output_tokens": 1},
        }
        items.append(({"type": "assistant", "uuid": f"a{i}", "message": msg}, None, f"ts{i}"))
        for j, tur in enumerate(_TURS):
            content = _RESULT_CONTENTS[(i + j) % len(_RESULT_CONTENTS)]
            result = {
                "type": "tool_result",
                "tool_use_id": tid,
                "content": content,
                "is_error": (i + j) % 5 == 0,
            }
            rec = {"type": "user", "uuid": f"r{i}-{j}", "message": {"content": [result, result]}}
            if tur is not None:
                rec["toolUseResult"] = tur
            items.append((rec, None, j))
    for k, data in enumerate(_PROGRESS):
        for tid in ("t1", f"q{k}"):  # a call answered already, one not seen
            items.append(
                ({"type": "progress", "uuid": f"p{k}", "toolUseID": tid, "data": data}, None, None)
            )
    texts = ["plain", ["a", {"type": "image"}, {"type": "text", "text": "b"}], None, {"x": 1}]
    for k, text in enumerate(texts):
        for ty in ("user.prompt", "user", "assistant.text", "assistant.thinking", "assistant"):
            msg = {"content": text if k % 2 else [{"type": "thinking", "thinking": text}]}
            items.append(({"type": ty.split(".")[0], "uuid": f"x{k}{ty}", "message": msg}, ty, 1.5))
    c, py = _drive(items, True), _drive(items, False)
    assert c == py
    summaries = c[0]
    for shown in (
        "Glob (1 files)",
        "Grep (2 files)",
        "Read /a.py (3 lines)",
        "Write /b",
        "Bash (2 lines): one two",
        "Bash (no output)",
        "Task: done all",
        "hook pre",
        "bash output (4 lines so far)",
        "agent: hi",
        "waiting build",
        "Bash: make -j4",
        "3 todos, 1 completed",
        "Glob: **/*.py in src",
    ):
        assert shown in summaries  # the branch was taken


# ---- record_type and tree_link -----------------------------------------------------------------


@contextmanager
def python_mapping():
    fmt = claude_code.ClaudeCodeFormat
    was = claude_code.record_type, claude_code.tree_link, fmt.__dict__["unknown_kind"]
    mapper = claude_code.ClaudeCodeMapper
    was_mapper = mapper.__dict__["map"], mapper.__dict__["boundary_of"]
    claude_code.record_type = claude_code._record_type_py
    claude_code.tree_link = claude_code._tree_link_py
    fmt.unknown_kind = staticmethod(claude_code._unknown_kind_py)
    mapper.map, mapper.boundary_of = claude_code._map_py, claude_code._boundary_of_py
    try:
        yield
    finally:
        claude_code.record_type, claude_code.tree_link, fmt.unknown_kind = was
        mapper.map, mapper.boundary_of = was_mapper


def test_record_type_tree_link_and_unknown_kind_are_the_c_ones():
    assert claude_code.record_type is _claude.record_type
    assert claude_code.tree_link is _claude.tree_link
    assert claude_code.ClaudeCodeFormat().unknown_kind is _claude.unknown_kind


def _outcome(fn, *args):
    try:
        r = fn(*args)
    except Exception as exc:  # noqa: BLE001 - the same failure is what is compared
        return ("raises", type(exc).__name__, str(exc))
    return (type(r).__name__, r if not isinstance(r, tuple) else (type(r), tuple(r)))


_type_record = st.one_of(
    _odd_record,
    st.fixed_dictionaries(
        {
            "type": st.one_of(
                st.sampled_from(
                    [
                        "user",
                        "assistant",
                        "system",
                        "file-history-snapshot",
                        "queue-operation",
                        "x-y-z",
                        "",
                    ]
                ),
                _junk,
            )
        },
        optional={
            "isCompactSummary": _junk,
            "isMeta": _junk,
            "subtype": _junk,
            "isSidechain": _junk,
            "uuid": _junk,
            "parentUuid": _junk,
            "logicalParentUuid": _junk,
            "message": _some(
                content=st.one_of(
                    st.lists(st.one_of(_block, _some(type=_junk), _texts), max_size=4), _texts
                )
            ),
        },
    ),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=_type_record, forced=_forced_type)
def test_c_and_python_name_and_link_records_the_same(obj, forced):
    c = _outcome(claude_code.record_type, obj)
    assert c == _outcome(claude_code._record_type_py, obj)
    ty = forced or (c[1] if c[0] == "str" else "user.prompt")
    ev = Event(seq=1, type=ty, data=obj)
    assert _outcome(claude_code.tree_link, ev) == _outcome(claude_code._tree_link_py, ev)
    assert _outcome(claude_code.unknown_kind, ev) == _outcome(claude_code._unknown_kind_py, ev)


_TYPE_CASES = [
    {"type": "user", "isCompactSummary": True, "message": {"content": "s"}},
    {"type": "user", "message": {"content": [{"type": "tool_result"}, {"type": 3}]}},
    {"type": "user", "message": {"content": [{"type": ["x"]}]}},
    {"type": "user", "isMeta": 1, "message": {"content": "<command-name>"}},
    {"type": "user", "message": {"content": " \n<command-name>/clear</command-name>"}},
    {"type": "user", "message": {"content": [{"type": "text", "text": "<local-command-stdout>"}]}},
    {"type": "user", "message": {"content": ["<command-message>x"]}},
    {"type": "user", "message": {"content": "<command-nam"}},
    {"type": "user", "message": "junk"},
    {"type": "assistant", "message": {"content": [{"type": "text"}, {"type": "server_tool_use"}]}},
    {"type": "assistant", "message": {"content": [{"type": "redacted_thinking"}, {"type": "x"}]}},
    {"type": "assistant", "message": {"content": [{"type": "thinking"}, {"type": "text"}]}},
    {"type": "assistant", "message": {"content": [{"type": "x"}, 5]}},
    {"type": "assistant", "message": {"content": [{"type": {"a": 1}}]}},
    {"type": "assistant", "message": {"content": "text"}},
    {"type": "assistant", "message": {"content": None}},
    {"type": "system", "subtype": "compact_boundary"},
    {"type": "system", "subtype": ""},
    {"type": "system", "subtype": 4},
    {"type": "file-history-snapshot"},
    {"type": "queue-operation"},
    {"type": 5},
    {},
]
_LINK_CASES = [
    {"uuid": "u", "parentUuid": "p", "type": "user"},
    {"uuid": "u", "parentUuid": None, "logicalParentUuid": "l", "type": "system"},
    {"uuid": "u", "parentUuid": 3, "logicalParentUuid": 4, "type": "progress"},
    {"uuid": "u", "isSidechain": True, "type": "assistant"},
    {"uuid": "u", "isSidechain": 1, "type": "assistant"},
    {"uuid": 5, "type": "user"},
    {"uuid": "u", "type": ["x"]},
    {"uuid": "u"},
]


@pytest.mark.parametrize("obj", _TYPE_CASES)
def test_c_and_python_name_these_records_the_same(obj):
    assert _outcome(claude_code.record_type, obj) == _outcome(claude_code._record_type_py, obj)


@pytest.mark.parametrize("obj", _LINK_CASES)
@pytest.mark.parametrize("ty", ["user.prompt", "user.command", "user.meta", "assistant", 5])
def test_c_and_python_link_these_records_the_same(obj, ty):
    ev = Event(seq=1, type=ty, data=obj)
    assert _outcome(claude_code.tree_link, ev) == _outcome(claude_code._tree_link_py, ev)
    assert _outcome(claude_code.unknown_kind, ev) == _outcome(claude_code._unknown_kind_py, ev)


_RESULTS = [
    {"type": "user", "message": {"content": [{"type": "tool_result", "tool_use_id": "t"}]}},
    {
        "type": "user",
        "message": {
            "content": [{"type": "tool_result", "tool_use_id": "t"}, {"type": "tool_result"}]
        },
    },
    {"type": "user", "message": {"content": [{"type": "tool_result", "tool_use_id": 5}, "x"]}},
    {"type": "user", "message": {"content": [{"type": "text"}]}},
    {"type": "assistant", "message": {"content": [{"type": "mystery"}, {"type": 3}]}},
    {"type": "assistant", "message": {"content": []}},
    {"type": "assistant"},
    {"type": "user", "message": 4},
    {"type": ["user"]},
]


@pytest.mark.parametrize("obj", _TYPE_CASES + _LINK_CASES + _RESULTS)
@pytest.mark.parametrize("ty", ["user.tool_result", "assistant", "user.prompt", 5])
def test_c_and_python_see_the_same_unknown_kinds(obj, ty):
    ev = Event(seq=1, type=ty, data=obj)
    assert _outcome(claude_code.unknown_kind, ev) == _outcome(claude_code._unknown_kind_py, ev)


# ---- the mapper's map and boundary_of ------------------------------------------------------------


def test_the_mappers_map_and_boundary_of_are_the_c_ones():
    m = claude_code.ClaudeCodeMapper(None)
    assert m.map.__func__ is _claude.map and m.boundary_of.__func__ is _claude.boundary_of
    assert claude_code._map_py is not _claude.map


def _mapped(r):
    """A map outcome with what == would hide: the data's key order, and whether it is the record."""
    if r[0] != "raises" and isinstance(r[1], tuple):
        t, values = r[1]
        return (t, values, list(values[3].items()) if isinstance(values[3], dict) else None)
    return r


_session_record = st.fixed_dictionaries(
    {"type": st.sampled_from(["user", "assistant", "system", "progress", "x-y", 5])},
    optional={
        "sessionId": st.sampled_from(["s1", "s2", "s3", 5, None]),
        "uuid": st.sampled_from(["u1", "u2", "u3", "u4", 7, None]),
        "parentUuid": st.sampled_from(["u1", "u2", "u3", None, 3]),
        "timestamp": st.sampled_from(["2026-01-01T10:00:00.000Z", 5, None]),
        "subtype": st.sampled_from(["compact_boundary", "turn_duration", 3]),
        "compactMetadata": st.sampled_from([{"trigger": "auto"}, 4]),
        "message": st.sampled_from([{"content": "hi"}, {"content": [{"type": "tool_result"}]}, 3]),
        claude_code.RESUME_KEY: st.sampled_from(["s0", 5]),
    },
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(st.one_of(_session_record, _type_record), max_size=14),
       first=st.sampled_from([None, "s1", "s2"]))
def test_c_and_python_map_and_bound_records_the_same(records, first):
    """A file's records through two mappers, one with the C calls, one with the Python methods:
    the same events (data the record itself, or the same copy with the resume mark), the same
    boundaries, and the same learnt state (sessions, resumed sessions' first records, lines)."""
    c, py = claude_code.ClaudeCodeMapper(first), claude_code.ClaudeCodeMapper(first)
    for i, obj in enumerate(records):
        rc = _outcome(c.map, obj)
        rp = _outcome(claude_code._map_py, py, obj)
        assert _mapped(rc) == _mapped(rp)
        if rc[0] == "raises":
            continue
        t, _seq, ts, data, _key = rc[1][1]
        assert (data is obj) == (rp[1][1][3] is obj)
        for j, ty in enumerate((t, "system.compact_boundary", 5)):  # (seqs: which call noted it)
            ev = Event(seq=3 * i + j, type=ty, data=data, ts=ts)
            assert _outcome(c.boundary_of, ev) == _outcome(claude_code._boundary_of_py, py, ev)
    assert (c.first_session, c._order, c._first_uuid, list(c._line_of.items())) == (
        py.first_session, py._order, py._first_uuid, list(py._line_of.items()))


@pytest.mark.parametrize("data", [None, 5, [1], {"uuid": 3}, {"uuid": None}, {}])
@pytest.mark.parametrize("ty", ["user.prompt", "system.compact_boundary", 5, None])
def test_c_and_python_bound_odd_events_the_same(data, ty):
    c, py = claude_code.ClaudeCodeMapper("s1"), claude_code.ClaudeCodeMapper("s1")
    ev = Event(seq=3, type=ty, data=data)
    assert _outcome(c.boundary_of, ev) == _outcome(claude_code._boundary_of_py, py, ev)
    assert c._line_of == py._line_of


def test_the_c_map_takes_the_first_sessions_records_and_leaves_a_resumed_one_to_python(
        monkeypatch):
    calls = []
    real = claude_code._map_py

    def counted(self, obj):
        calls.append(obj.get("uuid"))
        return real(self, obj)

    _claude.setup_mapper({"map": counted, "boundary_of": claude_code._boundary_of_py,
                          "mapped": claude_code.Mapped})
    try:
        m = claude_code.ClaudeCodeMapper(None)
        recs = [{"type": "user", "sessionId": s, "uuid": u, "message": {"content": "x"}}
                for s, u in (("a", "1"), ("a", "2"), ("b", "3"), ("b", "4"), ("a", "5"))]
        out = [m.map(r) for r in recs]
    finally:
        _claude.setup_mapper({"map": claude_code._map_py,
                              "boundary_of": claude_code._boundary_of_py,
                              "mapped": claude_code.Mapped})
    assert calls == ["1", "3", "4"]  # no session known yet; a resumed session's records
    assert [claude_code.RESUME_KEY in o.data for o in out] == [False, False, True, False, False]
