"""The tracker's write path in C (core/_tracker.c) records exactly what the Python one does.

Every log is analysed twice in one process, with the C path on and switched off
(`native_tracker(False)`: each C function then calls its Python namesake), and everything the
tracker recorded is compared: the per-event arrays, killers, deps and readers, the blame trie's
writers, the whole slot tree (owner, vis, size, tomb, children), and the analysis' answers (state,
marks, checkpoints, state at every few positions, blame). Logs: the format fixtures, sample_logs/,
the generated growing sessions, the real logs beside the project (when present), random Claude
Code and Codex sessions, and random operations on tracked views without an undo log.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core import tracked
from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.events import Event
from agentlog_tui.core.native import _tracker
from agentlog_tui.core.projection import EntityProjection
from agentlog_tui.core.tracked import TrackedDict, Tracker, native_tracker, seed
from tests.conftest import SAMPLES, real_log_paths
from tests.core.test_agent_direct_path import cc_record, codex_line
from tests.core.test_fast_path import _fingerprint
from tests.core.test_growing_state import claude_code, codex, generic

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "formats"))
from format_fixtures import CLAUDE_CODE, CLAUDE_CODE_RESUMED, CODEX, CODEX_LEGACY

pytestmark = pytest.mark.skipif(
    _tracker is None and bool(os.environ.get("AGENTLOG_PURE_PYTHON")),
    reason="AGENTLOG_PURE_PYTHON=1: the C accelerator is switched off",
)


def test_the_tracker_extension_is_built_and_used():
    assert _tracker is not None, (
        "core/_tracker was not built (no C compiler when the project was installed?); "
        "set AGENTLOG_PURE_PYTHON=1 to run everything in Python"
    )
    assert tracked.write is _tracker.write and tracked.step_into is _tracker.step_into


@contextmanager
def python_path():
    was = native_tracker(False)
    try:
        yield
    finally:
        native_tracker(was)


def slot_tree(slot) -> tuple:
    ch = slot.children
    kids = None if ch is None else [(k, slot_tree(c)) for k, c in ch.items()]
    return (slot.owner, slot.vis, slot.size, slot.tomb, kids)


def blame_tree(node) -> tuple:
    """A blame node and all under it, as represented (None, an int or an array of writers;
    None or a dict of children): the C path must make the same representation, not just the
    same answers."""
    w = node.writers
    ws = w if w is None or type(w) is int else (type(w).__name__, w.typecode, list(w))
    ch = node.children
    return (ws, None if ch is None else [(k, blame_tree(c)) for k, c in ch.items()])


def tracker_record(t: Tracker, n: int) -> tuple:
    return (
        list(t.live[:n]),
        list(t.last_death[:n]),
        list(t.killer[:n]),
        t.more_killers,
        t.deps,
        t.readers,
        list(t.died),
        bytes(t.wrote[:n]),
        t.cur,
        t.touched,
        t.pairs,
        blame_tree(t.blame_root),
        slot_tree(t.root),
    )


def analysis_record(a: Analysis) -> tuple:
    n = a.n_events
    answers = []
    for pos in range(-1, n, max(1, n // 25)):
        answers.append(canonical(a.state_at_pos(pos)))
        for path in (
            (),
            ("history",),
            ("calls",),
            ("context",),
            ("tools",),
            ("tokens",),
            ("session",),
            ("files",),
            ("task",),
            ("draft",),
        ):
            answers.append(a.blame(path, pos))
    return (_fingerprint(a), tracker_record(a.tracker, n), answers, a._keep_undo)


def both(path, k: int | None = None, projection=None) -> tuple[tuple, tuple]:
    def one() -> tuple:
        a = Analysis(path, checkpoint_every=k, projection=projection)
        a.run()
        return analysis_record(a)

    c = one()
    with python_path():
        py = one()
    return c, py


def _write(path: Path, records: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


@pytest.mark.parametrize(
    "records",
    [
        CODEX,
        CODEX_LEGACY,
        CLAUDE_CODE,
        CLAUDE_CODE_RESUMED,
        codex(400),
        claude_code(400),
        generic(300),
    ],
    ids=["codex", "codex-legacy", "cc", "cc-resumed", "codex-400", "cc-400", "generic-300"],
)
def test_c_and_python_record_the_same_on_sessions(tmp_path, records):
    c, py = both(_write(tmp_path / "log.jsonl", records), 7)
    assert c == py


def _cc(type_: str, uuid: str, **fields) -> dict:
    return {"type": type_, "uuid": uuid, "sessionId": "s1", "cwd": "/w", **fields}


def _result(uuid: str, tid: str) -> dict:
    content = [{"type": "tool_result", "tool_use_id": tid, "content": "ok", "is_error": False}]
    return _cc("user", uuid, message={"role": "user", "content": content})


def _progress(uuid: str, tid: str) -> dict:
    return _cc("progress", uuid, parentToolUseID=tid, data={"type": "bash_progress"})


# reads of what was deleted: a progress entry removed by its result leaves a tombstone, which a
# second result for the same call (and a progress record after it) reads
TOMBSTONES = [
    _cc(
        "assistant",
        "u1",
        message={
            "id": "m1",
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "ls"}}
            ],
            "usage": {"input_tokens": 3, "output_tokens": 1},
        },
    ),
    _progress("u2", "t1"),
    _progress("u3", "t2"),
    _result("u4", "t1"),
    _result("u5", "t1"),
    _progress("u6", "t1"),
    _result("u7", "t2"),
    _result("u8", "t2"),
]


def test_c_and_python_record_the_same_reads_of_tombstones(tmp_path):
    path = _write(tmp_path / "session.jsonl", TOMBSTONES)
    a = Analysis(path)
    a.run()
    assert a.format.name == "claude-code" and "t1" not in a.state["progress"]
    c, py = both(path, 3)
    assert c == py


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.jsonl")))
def test_c_and_python_record_the_same_on_sample_logs(name):
    c, py = both(SAMPLES / name, 5)
    assert c == py


REAL = real_log_paths()


@pytest.mark.skipif(not REAL, reason="no real agent logs in ../shared/real_logs")
@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_c_and_python_record_the_same_on_real_logs(path):
    c, py = both(path)
    assert c == py


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(codex_line, max_size=30), k=st.integers(1, 6))
def test_c_and_python_record_the_same_on_random_rollouts(tmp_path_factory, lines, k):
    head = {"type": "session_meta", "payload": {"id": "s1", "cwd": "/w", "cli_version": "0.5"}}
    records = [
        {"timestamp": f"2026-01-01T00:00:{i % 60:02d}Z", **line}
        for i, line in enumerate([head, *lines])
    ]
    path = _write(tmp_path_factory.mktemp("codex") / "rollout.jsonl", records)
    c, py = both(path, k)
    assert c == py


@settings(max_examples=60, deadline=None)
@given(records=st.lists(cc_record, min_size=1, max_size=30), k=st.integers(1, 6))
def test_c_and_python_record_the_same_on_random_sessions(tmp_path_factory, records, k):
    records = [{"timestamp": f"2026-01-01T00:00:{i % 60:02d}Z", **r} for i, r in enumerate(records)]
    path = _write(tmp_path_factory.mktemp("cc") / "session.jsonl", records)
    c, py = both(path, k)
    assert c == py


# ---- tracked views without an undo log --------------------------------------------------------
#
# The views call the same names; without an undo log (a direct path that falls back to its view,
# the entity projection) they run in C. Random programs of view operations, each event run on a
# tracker with its undo log off, C against Python.

_key = st.sampled_from(["a", "b", "c", 0, 1])
_leaf = st.one_of(st.integers(0, 3), st.none(), st.sampled_from(["x", "y"]))
_value = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    ),
    max_leaves=6,
)
_path = st.lists(st.sampled_from(["a", "b", "c", 0, 1]), max_size=2)
_op = st.one_of(
    st.tuples(st.just("set"), _path, _key, _value),
    st.tuples(st.just("setdefault"), _path, _key, _value),
    st.tuples(st.just("del"), _path, _key, st.none()),
    st.tuples(st.just("pop"), _path, _key, st.none()),
    st.tuples(st.just("discard"), _path, _key, st.none()),
    st.tuples(st.just("get"), _path, _key, st.none()),
    st.tuples(st.just("in"), _path, _key, st.none()),
    st.tuples(st.just("len"), _path, st.none(), st.none()),
    st.tuples(st.just("iter"), _path, st.none(), st.none()),
    st.tuples(st.just("eq"), _path, st.none(), _value),
    st.tuples(st.just("append"), _path, st.none(), _value),
    st.tuples(st.just("copy_to"), _path, _key, st.none()),
    st.tuples(st.just("insert"), _path, st.none(), _value),
    st.tuples(st.just("clear"), _path, st.none(), st.none()),
)
_event = st.lists(_op, min_size=1, max_size=4)


def _step(view, path):
    for k in path:
        try:
            view = view[k]
        except (KeyError, IndexError, TypeError):
            return None
    return view


def _run_op(root, op) -> None:
    kind, path, key, value = op
    v = _step(root, path)
    if v is None or not hasattr(v, "_slot"):
        return
    is_dict = isinstance(v, TrackedDict)
    if not is_dict and isinstance(key, str):
        key = len(key) % 2
    try:
        if kind == "set":
            v[key] = value
        elif kind == "setdefault" and is_dict:
            v.setdefault(key, value)
        elif kind == "del":
            del v[key]
        elif kind == "pop":
            v.pop(key)
        elif kind == "discard" and is_dict:
            v.discard(key)
        elif kind == "get":
            v.get(key) if is_dict else v[key]
        elif kind == "in":
            _ = key in v
        elif kind == "len":
            len(v)
        elif kind == "iter":
            list(v)
        elif kind == "eq":
            _ = v == value
        elif kind == "append" and not is_dict:
            v.append(value)
        elif kind == "copy_to" and is_dict:
            v[key] = root.get("b")  # a tracked value written elsewhere: read, then copied
        elif kind == "insert" and not is_dict:
            v.insert(0, value)
        elif kind == "clear":
            v.clear()
    except (KeyError, IndexError, TypeError):
        pass


def _replay(events, initial: dict) -> tuple:
    t = Tracker()
    state = orjson.loads(orjson.dumps(initial))
    seed(t, state)
    for pos, ops in enumerate(events):
        t.begin(pos)
        t.no_undo()
        root = TrackedDict(t, state, t.root)
        for op in ops:
            _run_op(root, op)
        t.commit()
    return canonical(state), tracker_record(t, len(events))


@settings(max_examples=150, deadline=None)
@given(
    events=st.lists(_event, min_size=1, max_size=12),
    initial=st.dictionaries(st.sampled_from(["a", "b", "c"]), _value, max_size=3),
)
def test_c_and_python_record_the_same_through_views_without_undo(events, initial):
    c = _replay(events, initial)
    with python_path():
        py = _replay(events, initial)
    assert c == py


def _entity_replay(events, through_views: bool) -> tuple:
    proj = EntityProjection()
    t = Tracker()
    state: dict = {}
    seed(t, state)
    for pos, (type_, key, data) in enumerate(events):
        t.begin(pos)
        t.no_undo()
        if through_views:
            ev = Event(
                seq=pos + 1, type=type_, data=data, ts=None, line=pos, offset=0, raw=b"", key=key
            )
            proj.apply(TrackedDict(t, state, t.root), ev)
        else:
            proj.apply_parts(t, state, type_, data, key)
        t.commit()
    return canonical(state), tracker_record(t, len(events))


_entity_event = st.tuples(
    st.sampled_from(["draft_written", "draft_deleted", "job", "job_done", "job_removed"]),
    st.one_of(st.none(), st.sampled_from(["a", "b", 3])),
    st.one_of(_value, st.fixed_dictionaries({"key": st.sampled_from(["a", "b"]), "n": _leaf})),
)


@settings(max_examples=100, deadline=None)
@given(events=st.lists(_entity_event, min_size=1, max_size=20), views=st.booleans())
def test_c_and_python_record_the_same_for_the_entity_projection(events, views):
    c = _entity_replay(events, views)
    with python_path():
        py = _entity_replay(events, views)
    assert c == py


# ---- nothing leaks -----------------------------------------------------------------------------


def test_the_c_path_leaks_no_objects(tmp_path):
    # the same log analysed again and again: once warm, the number of allocated blocks must not
    # grow with the number of runs (a missing DECREF in the C path leaks an object or more per
    # write: thousands of blocks per run here)
    path = _write(tmp_path / "log.jsonl", claude_code(300))
    cpath = _write(tmp_path / "rollout.jsonl", codex(300))

    def run() -> None:
        for p in (path, cpath):
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
