"""The direct paths in C call the tracker's C entry points (core/_tracker.h) with the same record.

core/_claude.c and core/_codex.c call the tracker straight through the capsule core/_tracker.c
exports, with one context per record, instead of through its Python-level functions. Every log
is analysed three ways in one process and everything the tracker recorded is compared (as
tests/core/test_tracker_native.py compares it): through the entry points (the default), through
the Python-level functions (`set_direct(False)` in both consumers) and all in Python (the
tracker's switch off, `native_tracker(False)`: the consumers then go through the Python-level
functions, which call their Python namesakes). The same again with an undo log on every record
(what the analysis does after a direct path failed midway), where the entry points must not run.
The entry points' own argument checks (a Slot, a tuple path, else the Python namesake) are held
to the Python-level functions' through `_tracker.api_call`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from array import array
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core import tracked
from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.native import _claude, _codex, _tracker
from agentlog_tui.core.tracked import Slot, Tracker, native_tracker, seed
from tests.conftest import real_log_paths
from tests.core.test_agent_direct_path import cc_record, codex_line
from tests.core.test_growing_state import claude_code, codex
from tests.core.test_tracker_native import TOMBSTONES, analysis_record, slot_tree, tracker_record

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "formats"))
from format_fixtures import CLAUDE_CODE, CLAUDE_CODE_RESUMED, CODEX, CODEX_LEGACY

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("AGENTLOG_PURE_PYTHON")),
    reason="AGENTLOG_PURE_PYTHON=1: the C accelerators are switched off",
)


def test_both_direct_paths_call_the_tracker_through_its_entry_points():
    assert _tracker is not None and _claude is not None and _codex is not None
    assert _claude.direct_calls() and _codex.direct_calls()


@contextmanager
def modes(mode: str):
    """`capsule`: the entry points; `python-level`: the tracker's Python-level functions (still
    its C path); `python`: the tracker's switch off (its Python namesakes)."""
    was = (_claude.set_direct(mode == "capsule"), _codex.set_direct(mode == "capsule"))
    on = native_tracker(mode != "python")
    try:
        yield
    finally:
        native_tracker(on)
        _claude.set_direct(was[0])
        _codex.set_direct(was[1])


def run(path: Path, mode: str, k: int | None, undo: bool) -> tuple[tuple, int]:
    """The analysis' record in `mode`, and how many records ran through the entry points."""
    with modes(mode):
        a = Analysis(path, checkpoint_every=k)
        a._keep_undo = undo  # an undo log on every record, as after a direct path failed
        before = _tracker.direct_records()
        a.run()
        return analysis_record(a), _tracker.direct_records() - before


def three(path: Path, k: int | None = None, undo: bool = False) -> dict[str, tuple]:
    out = {m: run(path, m, k, undo) for m in ("capsule", "python-level", "python")}
    n = out["capsule"][1]
    if undo:
        assert n == 0, "an entry point ran with an undo log"
    assert out["python-level"][1] == 0 and out["python"][1] == 0
    return {m: r for m, (r, _) in out.items()} | {"entry records": n}


def _write(path: Path, records: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


LOGS = {
    "codex": CODEX,
    "codex-legacy": CODEX_LEGACY,
    "cc": CLAUDE_CODE,
    "cc-resumed": CLAUDE_CODE_RESUMED,
    "cc-tombstones": TOMBSTONES,
    "codex-300": codex(300),
    "cc-300": claude_code(300),
}


@pytest.mark.parametrize("undo", [False, True], ids=["no-undo", "undo"])
@pytest.mark.parametrize("name", list(LOGS))
def test_entry_points_python_level_and_python_record_the_same(tmp_path, name, undo):
    r = three(_write(tmp_path / "log.jsonl", LOGS[name]), 5, undo)
    assert r["capsule"] == r["python-level"] == r["python"]
    if not undo and name.endswith("-300"):
        # the common records do go through the entry points (not all: a record the direct path
        # leaves to Python, a session's first line, go their own way)
        assert r["entry records"] > 250


REAL = real_log_paths()


@pytest.mark.skipif(not REAL, reason="no real agent logs in ../shared/real_logs")
@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_entry_points_record_the_same_on_real_logs(path):
    r = three(path)
    assert r["capsule"] == r["python-level"] == r["python"]


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(codex_line, max_size=30), k=st.integers(1, 6), undo=st.booleans())
def test_entry_points_record_the_same_on_random_rollouts(tmp_path_factory, lines, k, undo):
    head = {"type": "session_meta", "payload": {"id": "s1", "cwd": "/w", "cli_version": "0.5"}}
    records = [
        {"timestamp": f"2026-01-01T00:00:{i % 60:02d}Z", **line}
        for i, line in enumerate([head, *lines])
    ]
    r = three(_write(tmp_path_factory.mktemp("codex") / "rollout.jsonl", records), k, undo)
    assert r["capsule"] == r["python-level"] == r["python"]


@settings(max_examples=40, deadline=None)
@given(
    records=st.lists(cc_record, min_size=1, max_size=30), k=st.integers(1, 6), undo=st.booleans()
)
def test_entry_points_record_the_same_on_random_sessions(tmp_path_factory, records, k, undo):
    records = [{"timestamp": f"2026-01-01T00:00:{i % 60:02d}Z", **r} for i, r in enumerate(records)]
    r = three(_write(tmp_path_factory.mktemp("cc") / "session.jsonl", records), k, undo)
    assert r["capsule"] == r["python-level"] == r["python"]


# ---- the entry points' own argument checks ------------------------------------------------------


def _fresh(undo: bool = False) -> tuple[Tracker, dict]:
    t = Tracker()
    state = {"a": {"x": 1}, "l": [1, 2]}
    seed(t, state)
    t.begin(0)
    if not undo:
        t.no_undo()
    return t, state


def _plain(x) -> object:
    if isinstance(x, Slot):
        return ("slot", slot_tree(x))
    if isinstance(x, tuple):
        return tuple(_plain(v) for v in x)
    return repr(x)


def _outcome(call) -> tuple:
    """What a sequence of calls did: their results (or exception types) and the whole record."""
    t, state = _fresh()
    try:
        got = ("ok", _plain(call(t, state)))
    except Exception as exc:  # noqa: BLE001 - the exception's type is what is compared
        got = ("raised", type(exc).__name__)
    return got, orjson.dumps(state), tracker_record(t, 1)


def _api(name):
    return lambda *a: _tracker.api_call(name, *a)


def _py_level(name):
    return getattr(tracked, name)


def _append_list_path(f):
    def go(t, s):
        lst, slot = f("step_into")(t, t.root, s, "l", (), [])
        return f("append_to")(t, slot, lst, 3, ["l"])

    return go


# calls a direct path never makes: a path that is a list, a slot that is not a Slot, None
ODD_CALLS = {
    "write-list-path": lambda f: lambda t, s: f("write")(t, t.root, s, "y", 2, []),
    "write-not-a-slot": lambda f: lambda t, s: f("write")(t, None, s, "y", 2, ()),
    "step-into-list-path": lambda f: lambda t, s: f("step_into")(t, t.root, s, "a", [], {}),
    "read-key-not-a-slot": lambda f: lambda t, s: f("read_key")(t, {}, s, "a"),
    "read-key-default": lambda f: lambda t, s: f("read_key")(t, t.root, s, "zz", 7),
    "differs-not-a-slot": lambda f: lambda t, s: f("differs")(t, s["a"], 3, {"x": 1}),
    "differs-none": lambda f: lambda t, s: f("differs")(t, s["a"], None, {"x": 1}),
    "set-if-changed-list-path": lambda f: (
        lambda t, s: f("set_if_changed")(t, t.root, s, "a", 5, [])
    ),
    "delete-key-list-path": lambda f: lambda t, s: f("delete_key")(t, t.root, s, "a", []),
    "delete-key-absent": lambda f: lambda t, s: f("delete_key")(t, t.root, s, "zz", ()),
    "append-to-list-path": _append_list_path,
    "append-to-not-a-slot": lambda f: lambda t, s: f("append_to")(t, "x", s["l"], 3, ("l",)),
}


@pytest.mark.parametrize("name", list(ODD_CALLS))
def test_an_entry_point_does_what_the_python_level_function_does_with_odd_arguments(name):
    via_api = _outcome(ODD_CALLS[name](_api))
    assert via_api == _outcome(ODD_CALLS[name](_py_level))
    with modes("python"):
        assert via_api == _outcome(ODD_CALLS[name](_py_level))


def test_an_entry_point_with_an_undo_log_leaves_the_call_to_python():
    def go(f) -> tuple:
        t, state = _fresh(undo=True)
        f("write")(t, t.root, state, "a", 9, ())
        undo = [u[0] for u in t._undo]
        written = orjson.dumps(state)
        t.rollback()
        return undo, written, orjson.dumps(state), tracker_record(t, 1)

    before = _tracker.direct_records()
    assert go(_api) == go(_py_level)
    assert _tracker.direct_records() == before


# ---- without core/_tracker ------------------------------------------------------------------------

_WITHOUT_TRACKER = """
import sys
sys.modules["agentlog_tui.core._tracker"] = None  # as if it was not built
from agentlog_tui.core import tracked
from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.native import _claude, _codex, _tracker
from tests.core.test_tracker_native import analysis_record
assert _tracker is None and tracked.write is tracked.PYTHON["write"]
assert _claude is not None and _codex is not None
flags = (_claude.direct_calls(), _codex.direct_calls())
for path in sys.argv[1:]:
    a = Analysis(path, checkpoint_every=5)
    a.run()
    print(repr((flags, analysis_record(a))))
"""


def test_without_the_tracker_extension_the_direct_paths_call_the_python_functions(tmp_path):
    paths = [_write(tmp_path / f"{n}.jsonl", LOGS[n]) for n in ("cc-300", "codex-300")]
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", _WITHOUT_TRACKER, *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    ).stdout.splitlines()
    assert len(out) == 2
    for path, line in zip(paths, out):
        with modes("python"):
            a = Analysis(path, checkpoint_every=5)
            a.run()
            assert line == repr(((False, False), analysis_record(a)))


# ---- the blame trie the entry points build ------------------------------------------------------


@pytest.mark.parametrize("name", ["cc-300", "codex-300"])
def test_every_blame_node_is_compact_and_owns_its_array_of_writers(tmp_path, name):
    # writers: None, one writer as an int, or an array('i') of its own (two writers or more, and
    # every node up to ARRAY_DEPTH, which core/_fastloop.c appends to); children: None until the
    # first child, except up to DICT_DEPTH. The C path makes arrays as array("i") * 0.
    a = Analysis(_write(tmp_path / "log.jsonl", LOGS[name]))
    a.run()
    seen: set[int] = set()
    kinds = {"none": 0, "int": 0, "array": 0, "leaf": 0}
    stack = [(a.tracker.blame_root, 0)]
    while stack:
        node, depth = stack.pop()
        w = node.writers
        if w is None:
            kinds["none"] += 1
            assert depth > tracked.ARRAY_DEPTH
        elif type(w) is int:
            kinds["int"] += 1
            assert depth > tracked.ARRAY_DEPTH and w >= 0
        else:
            kinds["array"] += 1
            assert type(w) is array and w.typecode == "i"
            assert len(w) >= 2 or depth <= tracked.ARRAY_DEPTH
            assert id(w) not in seen
            seen.add(id(w))
        if node.children is None:
            kinds["leaf"] += 1
            assert depth > tracked.DICT_DEPTH
        else:
            assert type(node.children) is dict
            assert node.children or depth <= tracked.DICT_DEPTH
            stack.extend((c, depth + 1) for c in node.children.values())
    # the compact forms are what most nodes use
    assert kinds["int"] > 100 and kinds["leaf"] > 100, kinds
