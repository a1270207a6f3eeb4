"""The tree's per-record path in C (core/_tree.c) gives what the Python tree (branches.PyTree)
gives: every answer of `add`, `dirty`, the chain, the per-node data, settle() and branches()."""

from __future__ import annotations

import gc
import os
import random
import sys
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core import branches
from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.branches import Link, PyTree, Tree
from agentlog_tui.core.native import _tree

pytestmark = pytest.mark.skipif(
    _tree is None and bool(os.environ.get("AGENTLOG_PURE_PYTHON")),
    reason="AGENTLOG_PURE_PYTHON=1: the C accelerator is switched off",
)


def test_the_accelerator_is_built_and_used():
    assert _tree is not None, "core/_tree was not built (no C compiler when installed?)"
    assert issubclass(Tree, _tree.TreeCore) and issubclass(Tree, PyTree)
    assert Tree.add is _tree.TreeCore.add


def link(ev):
    return ev


def state(t) -> tuple:
    """Everything a tree holds, as plain values (dict key order included)."""
    return (
        sorted(t.off),
        t.dirty,
        t.n_linked,
        t.leaf,
        t.forced_upto,
        list(t.chain),
        list(t.chain_at.items()),
        list(t.chain_turns),
        list(t.parent),
        list(t.first_pos),
        bytes(t.flags),
        bytes(t.node_off),
        list(t.node_of.items()),
        list(t.parent_id.items()),
        list(t.extra.items()),
    )


def report(t) -> list[tuple]:
    return [(b.first, b.fork, b.turn, b.last, b.events) for b in t.branches()]


def both(forced=frozenset(), upto=-1):
    return PyTree(link, forced, upto), Tree(link, forced, upto)


def step(py, c, pos, lk):
    """One record into both trees: the same answer and the same tree after it."""
    v_py, v_c = py.add(pos, lk), c.add(pos, lk)
    assert type(v_c) is bool and v_c is v_py, (pos, lk)
    assert state(c) == state(py), (pos, lk)
    return v_py


def settle_both(py, c):
    assert c.dirty == py.dirty
    if py.dirty:
        off_py, off_c = py.settle(), c.settle()
        assert off_c == off_py
        assert state(c) == state(py)
    assert report(c) == report(py)


# ids 0..11; parents among them (known, not yet read, read later) or among 100.. (never read)
_ID = st.integers(0, 11)
_PARENT = st.one_of(st.none(), _ID, _ID, st.integers(100, 102))
_FLAG = st.one_of(st.booleans(), st.booleans(), st.sampled_from([0, 1, "", "x", None]))
_REC = st.one_of(
    st.none(),
    st.just("settle"),
    st.tuples(_ID, _PARENT, _FLAG, _FLAG),
    st.tuples(_ID, _PARENT, _FLAG, _FLAG),
    st.tuples(_ID, _PARENT, _FLAG, _FLAG),
)


def _link(r):
    i, p, leaf, turn = r
    return Link(f"n{i}", None if p is None else f"n{p}", leaf, turn)


@settings(max_examples=1500, deadline=None)
@given(
    raw=st.lists(_REC, max_size=50),
    upto=st.integers(-1, 50),
    forced=st.sets(st.integers(0, 50)),
    with_forced=st.booleans(),
)
def test_the_c_tree_answers_and_holds_what_the_python_tree_does(raw, upto, forced, with_forced):
    """Random link sequences (new roots, children of known, unknown and later parents, repeated
    ids, records naming themselves as their parent, leaf and turn flags of any truth value,
    forced verdicts), read in batches with settling between them, as a live tail is."""
    py, c = both(frozenset(forced), upto) if with_forced else both()
    assert state(c) == state(py)
    pos = 0
    for r in raw:
        if r == "settle":
            settle_both(py, c)
            continue
        step(py, c, pos, None if r is None else _link(r))
        pos += 1
    settle_both(py, c)
    # a record after settling is decided on arrival in both
    step(py, c, pos, Link("late", "n0", True, False))
    settle_both(py, c)


# the same, shaped like real logs: most records continue a recent one. Drawn from a seed: the
# records a rare path needs (a switch after a replay, leaving a part of the chain without a turn
# behind) come up far more often from plain random draws than from hypothesis's own lists.


def _shaped(rng: random.Random) -> list:
    out: list = []
    for _ in range(rng.randint(0, 60)):
        if rng.random() < 0.15:
            out.append("settle")
            continue
        q = rng.random()
        if q < 0.3:
            parent = ("back", 1)
        elif q < 0.75:
            parent = ("back", rng.randint(1, 4))
        elif q < 0.85:
            parent = None
        elif q < 0.95:
            parent = (rng.choice(["later", "never"]), rng.randint(1, 3))
        else:
            parent = ("self", 0)
        id_back = 0 if rng.random() < 0.75 else rng.randint(1, 6)
        out.append((id_back, parent, rng.random() < 0.5, rng.random() < 0.33))
    return out


def _shaped_links(raw):
    ids: list[str] = []
    fresh = 0
    out: list = []
    for r in raw:
        if r == "settle":
            out.append(r)
            continue
        id_back, parent, leaf, turn = r
        if id_back and len(ids) >= id_back:
            lid = ids[-id_back]
        else:
            lid, fresh = f"n{fresh}", fresh + 1
        if parent is None:
            pid = None
        elif parent[0] == "back":
            pid = ids[-parent[1]] if len(ids) >= parent[1] else None
        elif parent[0] == "later":
            pid = f"n{fresh + parent[1] - 1}"
        elif parent[0] == "never":
            pid = f"gone{parent[1]}"
        else:
            pid = lid
        ids.append(lid)
        out.append(Link(lid, pid, leaf, turn))
    return out


@settings(max_examples=1500, deadline=None)
@given(seed=st.integers(0, 2**32), eager=st.booleans())
def test_the_c_tree_is_the_python_tree_on_shaped_logs_read_as_the_analysis_reads(seed, eager):
    """Batches (`settle` marks, or every record when `eager`: a live tail read a record at a
    time), settled when dirty; when settling changes a verdict already given, read again from
    the start with the settled verdicts forced, as core/branches.py `settle` has the analysis do."""
    items = _shaped_links(_shaped(random.Random(seed)))
    links = [lk for lk in items if lk != "settle"]
    ends, n = [], 0
    for lk in items:
        if lk == "settle" or eager:
            ends.append(n + (lk != "settle"))
        n += lk != "settle"
    ends = sorted(set(ends) | {len(links)})
    forced, upto = frozenset(), -1
    while True:
        py, c = both(forced, upto)
        pos, replay = 0, False
        for end in ends:
            while pos < end:
                step(py, c, pos, links[pos])
                pos += 1
            assert c.dirty == py.dirty
            if py.dirty:
                off = py.settle()
                assert c.settle() == off and state(c) == state(py)
                if off != py.off and upto < end - 1:
                    forced, upto, replay = frozenset(off), end - 1, True
                    break
        if not replay:
            break
    settle_both(py, c)


def test_leaving_a_part_of_the_chain_that_something_off_hangs_off_settles():
    # a, e (no turn), g (a turn under e), x under e: g is off (forced, as the replay after the
    # settling gives it) and hangs off e on the chain; then f from a leaves e behind: e's subtree
    # holds the turn g, so it must settle
    py, c = both(frozenset({2}), 3)
    lks = [
        Link("a", None),
        Link("e", "a", True, False),
        Link("g", "e"),
        Link("x", "e", True, False),
    ]
    for i, lk in enumerate(lks):
        step(py, c, i, lk)
    settle_both(py, c)
    assert c.off == {2} and not c.dirty
    step(py, c, 4, Link("f", "a", True, False))
    assert c.dirty
    assert c.settle() == py.settle() == {1, 2, 3}
    assert state(c) == state(py)


@settings(max_examples=300, deadline=None)
@given(raw=st.lists(st.tuples(_ID, _PARENT, _FLAG, _FLAG), max_size=40))
def test_tuples_and_other_sequences_are_links_too(raw):
    py, c = both()
    for i, r in enumerate(raw):
        lk = (f"n{r[0]}", None if r[1] is None else f"n{r[1]}", r[2], r[3])
        step(py, c, i, lk if i % 2 else list(lk))
    settle_both(py, c)


def test_errors_are_the_python_trees():
    for bad, exc in [
        (("a", None, True), ValueError),
        (("a", None, True, True, 1), ValueError),
        ((["a"], None, True, True), TypeError),
        (("a", ["p"], True, True), TypeError),
        (5, TypeError),
    ]:
        for t in both():
            with pytest.raises(exc):
                t.add(0, bad)


def test_settled_state_can_be_set_and_read_back():
    c = Tree(link)
    for i, lk in enumerate([Link("a", None), Link("c", "b"), Link("b", "a")]):
        c.add(i, lk)
    from array import array

    with pytest.raises(ValueError):
        c.parent = array("i", [-1, 2])  # not one per node
    with pytest.raises(ValueError):
        c.parent = array("i", [-1, 7, 0])  # no such node
    with pytest.raises(TypeError):
        c.parent = bytearray(3)
    c.parent = array("i", [-1, 2, 0])
    assert list(c.parent) == [-1, 2, 0]
    c.node_off = bytearray([0, 1, 0])
    assert bytes(c.node_off) == b"\0\1\0"
    with pytest.raises(IndexError):
        c._extend([5])


def _linked_events(path: Path, limit: int | None = None):
    """(position, event) as the analysis hands them to its tree, for a log's first records."""
    seen: list = []

    class Recording(PyTree):
        def add(self, pos, event):
            seen.append((pos, event))
            return PyTree.add(self, pos, event)

    real = branches.Tree
    branches.Tree = Recording
    try:
        a = Analysis(path)
        a.run()
    finally:
        branches.Tree = real
    return getattr(a.format, "tree_linker", None), list(islice(seen, limit))


_ROOT = Path(__file__).resolve().parents[2]
_SHARED = next(
    (
        p
        for p in (_ROOT.parent / "shared", _ROOT.parent.parent / "shared")
        if (p / "real_logs").is_dir()
    ),
    None,
)
_REAL = sorted((_SHARED / "real_logs").rglob("*.jsonl")) if _SHARED else []
# the generated Claude Code log of the benchmarks, when generated (here or in a worktree's main)
_BENCH = [
    p
    for p in (
        _ROOT / "bench" / "data" / "claude-code-5mb-s1.jsonl",
        _ROOT.parent.parent / "main" / "bench" / "data" / "claude-code-5mb-s1.jsonl",
    )
    if p.is_file()
][:1]


@pytest.mark.skipif(not _REAL + _BENCH, reason="no real or generated tree-shaped logs here")
@pytest.mark.parametrize("log", _REAL + _BENCH, ids=lambda p: p.name[:24])
def test_real_logs_give_the_same_tree(log):
    make, events = _linked_events(log, 6000)
    if not events:
        pytest.skip("not a tree-shaped log")
    for cut in (len(events), len(events) // 3):  # whole, and as batches with settling between
        py, c = PyTree(make()), Tree(make())
        for k, (pos, ev) in enumerate(events):
            assert c.add(pos, ev) is py.add(pos, ev)
            if cut and k % cut == cut - 1:
                settle_both(py, c)
        assert state(c) == state(py)
        settle_both(py, c)


def test_an_analysis_with_the_c_tree_is_the_python_trees(tmp_path):
    from tests.core.test_fast_path import _fingerprint

    log = tmp_path / "cc.jsonl"
    lines = [
        '{"type":"user","uuid":"a","parentUuid":null,"message":{"content":"hi"}}',
        '{"type":"assistant","uuid":"b","parentUuid":"a","message":{"content":"x"}}',
        '{"type":"user","uuid":"c","parentUuid":"b","message":{"content":"go on"}}',
        '{"type":"user","uuid":"d","parentUuid":"a","message":{"content":"rewind"}}',
        '{"type":"assistant","uuid":"e","parentUuid":"d","message":{"content":"y"}}',
    ]
    log.write_text("\n".join(lines) + "\n")
    a = Analysis(log)
    a.run()
    assert type(a.tree) is Tree
    real = branches.Tree
    branches.Tree = PyTree
    try:
        b = Analysis(log)
        b.run()
    finally:
        branches.Tree = real
    assert type(b.tree) is PyTree
    assert sorted(a.tree.off) == sorted(b.tree.off) == [1, 2]
    assert state(a.tree) == state(b.tree) and report(a.tree) == report(b.tree)
    assert _fingerprint(a) == _fingerprint(b)


def test_adding_leaks_nothing():
    links = []
    for i in range(300):
        links += [
            Link(f"u{i}", f"r{i - 1}" if i else None, True, True),
            Link(f"a{i}", f"u{i}", True, False),
            Link(f"a{i}", f"u{i}", True, False),
            Link(f"p{i}", f"a{i}", False, False),
            Link(f"r{i}", f"a{i}", True, False),
        ]
        if i % 50 == 49:
            links.append(Link(f"w{i}", f"u{i - 10}", True, True))  # a rewind: dirty, settled
        links.append(None)

    def run():
        t = Tree(link, frozenset(range(0, 40, 3)), 40)
        for k, lk in enumerate(links):
            t.add(k, lk)
            if t.dirty and k % 97 == 0:
                t.settle()
        t.settle()
        t.branches()
        state(t)
        del t
        gc.collect()

    run()
    run()
    before = sys.getallocatedblocks()
    objects = len(gc.get_objects())
    for _ in range(10):
        run()
    grown = sys.getallocatedblocks() - before
    assert grown < 100, f"{grown} blocks more after 10 runs"
    assert len(gc.get_objects()) - objects < 20
