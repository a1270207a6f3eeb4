"""The tracker's sets of events (Tracker.deps, readers, more_killers) are tuples while small.

A tuple in the order the events were added up to SMALL_SET items, a set beyond (core/tracked.py
`_with`). The C path (core/_tracker.c `small_add`) must make the same representation as the Python
one, hold the same events as a plain set would, and an undone event must leave them as they were.
"""

from __future__ import annotations

import pytest

from agentlog_tui.core import tracked
from agentlog_tui.core.native import _tracker
from agentlog_tui.core.tracked import SMALL_SET, Slot, Tracker, native_tracker

N = SMALL_SET + 4  # events enough to go past a tuple


def _as_sets(d: dict) -> dict:
    return {k: set(v) for k, v in d.items()}


def _shape(d: dict) -> dict:
    return {k: (type(v).__name__, v if type(v) is tuple else sorted(v)) for k, v in d.items()}


def _run(undo: bool) -> tuple[Tracker, dict, dict]:
    """Event 0 writes N keys; event i (1..N-1) reads the values of events 0..i-1 (twice: the
    second read adds nothing), and overwrites key i (event 0's, a further killer of 0 each time).
    With `undo`, each event first runs with an undo log and is rolled back, then runs again."""
    t = Tracker()
    state: dict = {}
    root = Slot(-1, None, {})
    model_deps: dict = {}
    model_readers: dict = {}

    def event(pos: int) -> None:
        if pos == 0:
            for k in range(N):
                tracked.write(t, root, state, k, 0, ())
            return
        for _ in range(2):
            for owner in range(pos):
                tracked.dep(t, owner)
        tracked.write(t, root, state, pos, pos, ())

    for pos in range(N):
        if undo:
            before = (_as_sets(t.deps), _as_sets(t.readers), _as_sets(t.more_killers))
            t.begin(pos)
            event(pos)
            t.rollback()
            # an undone event leaves what it added out (a readers entry it made stays, empty; a
            # tuple it made a set stays a set, of the same events)
            readers = {k: v for k, v in _as_sets(t.readers).items() if v}
            after = (_as_sets(t.deps), readers, _as_sets(t.more_killers))
            assert after == before, f"undo of event {pos}"
            t.begin(pos)
        else:
            t.begin(pos)
            t.no_undo()
        event(pos)
        t.commit()
        if pos:
            model_deps[pos] = set(range(pos))
            for owner in range(pos):
                model_readers.setdefault(owner, set()).add(pos)
    return t, model_deps, model_readers


@pytest.mark.parametrize("native", [True, False], ids=["c", "python"])
@pytest.mark.parametrize("undo", [False, True], ids=["no-undo", "undo"])
def test_small_sets_hold_what_plain_sets_would(native, undo):
    if native and _tracker is None:
        pytest.skip("core/_tracker is not built")
    was = native_tracker(native)
    try:
        t, deps, readers = _run(undo)
    finally:
        native_tracker(was)
    assert _as_sets(t.deps) == deps
    assert {k: v for k, v in _as_sets(t.readers).items() if v} == readers
    assert t.killers_of(0) == list(range(1, N))
    # tuples while small, in the order added; sets beyond (or once beyond, before an undo)
    for d in (t.deps, t.readers, t.more_killers):
        for v in d.values():
            if len(v) > SMALL_SET:
                assert type(v) is set
            elif not undo:
                assert type(v) is tuple and list(v) == sorted(v)
    assert type(t.deps[1]) is tuple and type(t.deps[N - 1]) is set
    assert type(t.readers[N - 2]) is tuple and type(t.readers[0]) is set
    assert type(t.more_killers[0]) is set  # killers 2..N-1: more than SMALL_SET


def test_c_python_and_undo_make_the_same_sets():
    c, _, _ = _run(undo=False)
    was = native_tracker(False)
    try:
        py, _, _ = _run(undo=False)
    finally:
        native_tracker(was)
    und, _, _ = _run(undo=True)
    for name in ("deps", "readers", "more_killers"):
        assert _shape(getattr(c, name)) == _shape(getattr(py, name)), name
    assert _as_sets(c.deps) == _as_sets(und.deps)
    assert _as_sets(c.more_killers) == _as_sets(und.more_killers)
    assert {k: v for k, v in _as_sets(und.readers).items() if v} == _as_sets(c.readers)


def test_an_undone_reader_and_killer_leave_the_tuples_as_they_were():
    t = Tracker()
    state: dict = {}
    root = Slot(-1, None, {})
    t.begin(0)
    t.no_undo()
    tracked.write(t, root, state, "a", 0, ())
    tracked.write(t, root, state, "b", 0, ())
    tracked.write(t, root, state, "c", 0, ())
    t.begin(1)
    t.no_undo()
    tracked.dep(t, 0)
    tracked.write(t, root, state, "a", 1, ())
    t.begin(2)
    t.no_undo()
    tracked.dep(t, 0)
    tracked.write(t, root, state, "b", 2, ())
    assert t.readers == {0: (1, 2)} and t.more_killers == {0: (2,)}
    t.begin(3)  # with an undo log
    tracked.dep(t, 0)
    tracked.dep(t, 1)
    tracked.write(t, root, state, "c", 3, ())
    assert t.readers == {0: (1, 2, 3), 1: (3,)} and t.more_killers == {0: (2, 3)}
    assert t.deps[3] == (0, 1)
    t.rollback()
    assert t.readers == {0: (1, 2), 1: ()} and t.more_killers == {0: (2,)}
    assert 3 not in t.deps and t.killers_of(0) == [1, 2]
    t.begin(3)
    tracked.write(t, root, state, "c", 3, ())
    t.commit()
    t.begin(4)
    tracked.write(t, root, state, "c", 4, ())  # kills event 3's slot: a first killer of 3
    assert t.killers_of(3) == [4]
    t.rollback()
    assert t.more_killers == {0: (2, 3)} and t.killers_of(3) == []
    t.begin(4)
    t.no_undo()
    tracked.write(t, root, state, "y", 4, ())
    tracked.write(t, root, state, "z", 4, ())
    t.begin(5)
    t.no_undo()
    tracked.write(t, root, state, "y", 5, ())  # the first killer of 4
    t.begin(6)  # with an undo log: a further killer of 4, its entry made, then undone
    tracked.write(t, root, state, "z", 6, ())
    assert t.more_killers == {0: (2, 3), 4: (6,)} and t.killers_of(4) == [5, 6]
    t.rollback()
    assert t.more_killers == {0: (2, 3)} and t.killers_of(4) == [5]


def test_the_c_path_leaves_its_nodes_and_tuples_out_of_the_cyclic_gc():
    # blame nodes and the tuples of events hold no reference that could close a cycle: the C
    # path makes them untracked, so the collection after a run need not walk them (a node made
    # through BlameNode() and a tuple made in Python are tracked, as any)
    if _tracker is None:
        pytest.skip("core/_tracker is not built")
    import gc

    t = Tracker()
    state: dict = {}
    root = Slot(-1, None, {})
    for pos in range(3):
        t.begin(pos)
        t.no_undo()
        tracked.dep(t, 0)
        tracked.dep(t, 1)
        tracked.write(t, root, state, "k", pos, ("a", "b"))
        tracked.record_write(t, ("a", "c", "d"))
    nodes, stack = [], list(t.blame_root.children.values())
    while stack:
        n = stack.pop()
        nodes.append(n)
        stack.extend((n.children or {}).values())
    assert len(nodes) == 5
    assert not any(gc.is_tracked(n) for n in nodes)
    values = [*t.deps.values(), *t.readers.values(), *t.more_killers.values()]
    assert values and all(type(v) is tuple for v in values)
    assert not any(gc.is_tracked(v) for v in values)
