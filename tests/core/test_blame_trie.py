"""The blame trie's compact nodes (core/tracked.py BlameNode): the same answers as a plain record
of every write, the same representation from the C path (core/_tracker.c) and the Python one, and
an undo of a failed event that leaves the answers as they were.

A node's writers are None, one writer as an int, or an array from the second distinct writer;
its children None until the first child. Each case is walked through: a node written once, twice
by the same event, by two events, then given children; after each event, the event is also run
with an undo log and rolled back, then run again.
"""

from __future__ import annotations

import pytest

from agentlog_tui.core import tracked
from agentlog_tui.core.native import _tracker
from agentlog_tui.core.tracked import Slot, Tracker, native_tracker
from tests.core.test_tracker_native import blame_tree

# the depths of the nodes written below: (x,) 1, (x, y) 2, (x, y, z) 3, (x, y, z, w) 4
X, XY = ("x",), ("x", "y")
P = ("x", "y", "z")
PW = P + ("w",)
PV = P + ("v",)
Q = ("q", "r", "s", "t")

# events, each a list of (how, path): "rw" through record_write, "write" through write (the
# value assigned at the path's last key under a container of its own)
EVENTS = [
    [("rw", P), ("rw", P)],  # P once, then again by the same event: still one writer
    [("write", P)],  # a second event: an array [0, 1]
    [("rw", PW)],  # P gets a child (its children dict made now), PW one writer
    [("write", PW), ("rw", P), ("rw", Q)],  # PW [2, 3], P [0, 1, 3], Q once
    [("rw", X), ("rw", XY), ("rw", PV)],  # the nodes near the root: arrays from the start
    [("rw", X), ("write", Q), ("rw", PV), ("rw", PV)],
    [("rw", ())],  # the root itself
]
QUERIES = [(), X, XY, P, PW, PV, Q, Q[:2], ("x", "nope"), P + ("nope",), ("nope",)]


def _apply(t: Tracker, ops, containers: dict) -> None:
    for how, path in ops:
        if how == "rw":
            tracked.record_write(t, path)
        else:
            parent = containers.setdefault(path[:-1], (Slot(-1, None, {}), {}))
            tracked.write(t, parent[0], parent[1], path[-1], t.cur, path[:-1])


def _answers(t: Tracker, n: int) -> list:
    return [t.blame(q, up) for q in QUERIES for up in [None, *range(-1, n + 1)]]


def _model(events) -> list:
    """The answers from a plain list of (position, path) of every write: the last writer at or
    before `upto` of the path, of a path above it or under it."""
    writes = [(pos, path) for pos, ops in enumerate(events) for _, path in ops]
    cur = len(events) - 1
    out = []
    for q in QUERIES:
        for up in [None, *range(-1, len(events) + 1)]:
            limit = cur if up is None else up
            hits = [
                pos
                for pos, path in writes
                if pos <= limit and (path[: len(q)] == q or q[: len(path)] == path)
            ]
            # blame walks down q only as far as the trie goes: a write under a missing key of q
            # cannot exist, and one above q is on the way
            out.append(max(hits) if hits else None)
    return out


def _run(events, undo: bool) -> tuple[list, list]:
    """Replay `events`; with `undo`, each event first runs with an undo log and is rolled back
    (its answers and writers checked to be as before), then runs again and is kept."""
    t = Tracker()
    containers: dict = {}
    trees, answers = [], []
    for pos, ops in enumerate(events):
        if undo:
            before = (_answers(t, pos + 1), _written(t.blame_root))
            t.begin(pos)
            _apply(t, ops, containers)
            t.rollback()
            assert (_answers(t, pos + 1), _written(t.blame_root)) == before
        t.begin(pos)
        if undo:
            # the writes again, with an undo log (the Python path); `write` put the values back
            _apply(t, ops, containers)
        else:
            t.no_undo()
            _apply(t, ops, containers)
        t.commit()
        trees.append(blame_tree(t.blame_root))
        answers.append(_answers(t, pos + 1))
    return trees, answers


def _written(node, path=()) -> dict:
    """Every path's writers as a list (the nodes an undone event made stay, writerless)."""
    w = node.writers
    w = [] if w is None else [w] if type(w) is int else list(w)
    out = {path: w} if w else {}
    for k, c in (node.children or {}).items():
        out.update(_written(c, path + (k,)))
    return out


@pytest.mark.parametrize("native", [True, False], ids=["c", "python"])
@pytest.mark.parametrize("undo", [False, True], ids=["no-undo", "undo"])
def test_compact_nodes_answer_as_a_record_of_every_write(native, undo):
    if native and _tracker is None:
        pytest.skip("core/_tracker is not built")
    was = native_tracker(native)
    try:
        _, answers = _run(EVENTS, undo)
    finally:
        native_tracker(was)
    for n in range(1, len(EVENTS) + 1):
        assert answers[n - 1] == _model(EVENTS[:n]), f"after event {n - 1}"


def test_the_representation_after_each_event():
    # the C path where it is built (no undo log); the Python one with an undo log
    trees, _ = _run(EVENTS, undo=False)

    def arr(*w):
        return ("array", "i", list(w))

    def root_x(xw, yw, z):
        return (arr(), [("x", (xw, [("y", (yw, [("z", z)]))]))])

    assert trees[0] == root_x(arr(), arr(), (0, None))  # once, twice by one event: an int
    assert trees[1] == root_x(arr(), arr(), (arr(0, 1), None))  # two events: an array
    assert trees[2] == root_x(arr(), arr(), (arr(0, 1), [("w", (2, None))]))  # children
    assert trees[3][1][1] == ("q", (arr(), [("r", (arr(), [("s", (None, [("t", (3, None))]))]))]))
    assert trees[3][1][0] == root_x(arr(), arr(), (arr(0, 1, 3), [("w", (arr(2, 3), None))]))[1][0]
    assert trees[4][1][0] == (
        "x",
        (
            arr(4),
            [
                (
                    "y",
                    (arr(4), [("z", (arr(0, 1, 3), [("w", (arr(2, 3), None)), ("v", (4, None))]))]),
                )
            ],
        ),
    )
    assert trees[5][1][0][1][1][0][1][1][0][1][1][1] == ("v", (arr(4, 5), None))
    assert trees[6][0] == arr(6)


def test_c_python_and_undo_make_the_same_trie():
    c_trees, c_answers = _run(EVENTS, undo=False)
    was = native_tracker(False)
    try:
        py_trees, py_answers = _run(EVENTS, undo=False)
    finally:
        native_tracker(was)
    undo_trees, undo_answers = _run(EVENTS, undo=True)
    assert c_trees == py_trees == undo_trees
    assert c_answers == py_answers == undo_answers


def test_an_undone_second_writer_leaves_one_int_writer():
    t = Tracker()
    t.begin(0)
    tracked.record_write(t, P)
    t.commit()
    node = t.blame_root.children["x"].children["y"].children["z"]
    assert node.writers == 0 and type(node.writers) is int
    t.begin(1)  # an undo log: the Python path
    tracked.record_write(t, P)
    tracked.record_write(t, PW)
    assert list(node.writers) == [0, 1]
    t.rollback()
    assert node.writers == 0 and type(node.writers) is int
    assert node.children["w"].writers is None
    assert t.blame(P, 5) == 0 and t.blame(PW, 5) == 0  # PW: its parent's write
    t.begin(1)
    tracked.record_write(t, P)
    t.commit()
    t.begin(2)
    tracked.record_write(t, P)
    t.rollback()  # appended to an array: popped
    assert list(node.writers) == [0, 1]
