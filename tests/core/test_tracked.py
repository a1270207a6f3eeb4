"""The tracked-state rules of DESIGN section 4, one test per rule.

Each test replays a tiny log through a custom projection and checks the per-event record the
tracker keeps: dependencies (what an event read, by owner), visibility and who overwrote whom.
"""

from __future__ import annotations

from agentlog_tui.core.analysis import open_analysis
from agentlog_tui.core.liveness import compute_marks
from agentlog_tui.core.projection import FunctionProjection


def run(write_log, fn, events):
    lines = [{"seq": i + 1, "type": t, "data": d} for i, (t, d) in enumerate(events)]
    return open_analysis(write_log(lines), projection=FunctionProjection(fn))


def deps(a, seq):
    """Ids of the events that event `seq` read from."""
    return sorted(a.seqs[p] for p in a.tracker.deps.get(a.pos_of_seq(seq), ()))


def killers(a, seq):
    return sorted(a.seqs[p] for p in a.tracker.killers_of(a.pos_of_seq(seq)))


def test_assigning_a_value_writes_every_leaf_inside_it(write_log):
    def proj(state, ev):
        if ev.type == "put":
            state["x"] = {"a": 1, "b": {"c": 2}, "e": {}}
        else:
            state["x"]["b"]["c"] = 3

    a = run(write_log, proj, [("put", {}), ("touch", {})])
    # three leaves: a, b.c and the empty dict e
    assert a.tracker.live[0] == 2 and a.tracker.live[1] == 1
    assert killers(a, 1) == [2]
    assert a.blame_seq(("x", "b", "c")) == 2 and a.blame_seq(("x", "a")) == 1


def test_assigning_over_a_path_overwrites_every_leaf_under_it(write_log):
    def proj(state, ev):
        state["x"] = ev.data

    a = run(write_log, proj, [("w", {"a": 1, "b": 2}), ("w", {"c": 3})])
    assert a.tracker.live[0] == 0 and killers(a, 1) == [2]
    assert compute_marks(a).reason(0) == "overwritten"


def test_deleting_overwrites_and_leaves_a_tombstone_owned_by_the_deleter(write_log):
    def proj(state, ev):
        if ev.type == "put":
            state["x"] = 1
        elif ev.type == "del":
            del state["x"]
        else:
            state["seen"] = state.get("x", "none")

    a = run(write_log, proj, [("put", {}), ("del", {}), ("get", {})])
    assert killers(a, 1) == [2]
    assert a.tracker.live[1] == 1  # the tombstone
    assert deps(a, 3) == [2]  # get() on the missing key read the tombstone


def test_reading_a_scalar_depends_on_its_writer(write_log):
    def proj(state, ev):
        if ev.type == "set":
            state["n"] = ev.data["v"]
        else:
            state["m"] = state["n"] + 1

    a = run(write_log, proj, [("set", {"v": 1}), ("inc", {})])
    assert deps(a, 2) == [1]


def test_len_iteration_in_and_equality_read_the_container(write_log):
    def proj(state, ev):
        box = state.setdefault("box", {})
        if ev.type == "add":
            box[ev.data["k"]] = 1
        elif ev.type == "len":
            state["n"] = len(box)
        elif ev.type == "iter":
            state["keys"] = sorted(box)
        elif ev.type == "in":
            state["has"] = "b" in box
        elif ev.type == "eq":
            state["same"] = box == {"a": 1, "b": 1}

    a = run(write_log, proj, [("add", {"k": "a"}), ("add", {"k": "b"}), ("len", {}), ("iter", {}),
                              ("in", {}), ("eq", {})])
    assert deps(a, 3) == [1, 2]
    assert deps(a, 4) == [1, 2]
    assert deps(a, 5) == [2]
    assert deps(a, 6) == [1, 2]
    assert a.state["n"] == 2 and a.state["keys"] == ["a", "b"] and a.state["has"] and a.state["same"]


def test_get_on_a_missing_key_without_tombstone_depends_on_nothing(write_log):
    def proj(state, ev):
        state["y"] = state.get("never", 0)

    a = run(write_log, proj, [("a", {}), ("b", {})])
    assert deps(a, 2) == []


def test_stepping_into_a_container_depends_on_its_creator(write_log):
    def proj(state, ev):
        if ev.type == "make":
            state["d"] = {"k": 1}
        else:
            state["d"]["j"] = 2

    a = run(write_log, proj, [("make", {}), ("step", {})])
    assert deps(a, 2) == [1]


def test_setdefault_on_an_existing_container_depends_on_nothing(write_log):
    def proj(state, ev):
        state.setdefault("draft", {})[ev.data["path"]] = ev.data["v"]

    a = run(write_log, proj, [("w", {"path": "a", "v": 1}), ("w", {"path": "b", "v": 2}),
                              ("w", {"path": "a", "v": 3})])
    assert deps(a, 2) == [] and deps(a, 3) == []
    m = compute_marks(a)
    # the event that created the container is not kept alive for that
    assert m.reason(0) == "overwritten" and m.superseded_by(0) == [3]


def test_append_reads_the_length_and_writes_the_new_index(write_log):
    def proj(state, ev):
        state.setdefault("log", []).append(ev.data["m"])

    a = run(write_log, proj, [("m", {"m": "a"}), ("m", {"m": "b"}), ("m", {"m": "c"})])
    # the length is owned by the last append: one dependency per append, a chain to the first
    assert deps(a, 3) == [2] and deps(a, 2) == [1]
    assert a.blame_seq(("log", 2)) == 3 and a.blame_seq(("log", 0)) == 1
    assert a.state == {"log": ["a", "b", "c"]}


def test_an_append_keeps_the_appenders_before_it_even_when_their_items_were_overwritten(write_log):
    def proj(state, ev):
        log = state.setdefault("log", [])
        if ev.type == "m":
            log.append(ev.data["m"])
        elif ev.type == "fix":
            log[0] = "fixed"
        else:
            state["n"] = len(log)

    a = run(write_log, proj, [("m", {"m": "a"}), ("fix", {}), ("m", {"m": "b"}), ("len", {})])
    m = compute_marks(a)
    # the first append's item was overwritten, but without it the second append (and the length
    # read after it) would see a shorter list: it is kept, read by the second append
    assert m.reason(0) == "read_by" and m.read_by(0) == [3]
    assert deps(a, 4) == [3]
    assert a.state == {"log": ["fixed", "b"], "n": 2}


def test_a_projection_that_raises_leaves_the_state_as_before_and_replay_goes_on(write_log):
    def proj(state, ev):
        state["a"] = ev.data["v"]
        state.setdefault("l", []).append(ev.data["v"])
        if ev.data["v"] == 2:
            raise ValueError("boom")

    a = run(write_log, proj, [("x", {"v": 1}), ("x", {"v": 2}), ("x", {"v": 3})])
    assert a.failed == {1: "ValueError: boom"}
    assert a.state == {"a": 3, "l": [1, 3]}
    assert a.state_at_pos(1) == {"a": 1, "l": [1]}
    assert killers(a, 2) == [] and compute_marks(a).reason(1) == "no_effect"
    assert compute_marks(a).reason(0) == "visible" and compute_marks(a).read_by(0) == [3]


def test_values_stored_are_copies_not_the_events_payload(write_log):
    def proj(state, ev):
        state["x"] = ev.data
        state["x"]["touched"] = True

    a = run(write_log, proj, [("w", {"a": 1})])
    assert a.event(0).data == {"a": 1}
    assert a.state == {"x": {"a": 1, "touched": True}}


def test_list_operations_are_tracked(write_log):
    def proj(state, ev):
        lst = state.setdefault("l", [])
        if ev.type == "add":
            lst.extend(ev.data["items"])
        elif ev.type == "pop":
            lst.pop(0)
        elif ev.type == "ins":
            lst.insert(0, "z")
        elif ev.type == "sort":
            lst.sort()
        elif ev.type == "clear":
            lst.clear()

    a = run(write_log, proj, [("add", {"items": ["b", "a", "c"]}), ("pop", {}), ("ins", {}),
                              ("sort", {})])
    assert a.state == {"l": ["a", "c", "z"]}
    assert [a.state_at_pos(p)["l"] for p in range(4)] == [["b", "a", "c"], ["a", "c"], ["z", "a", "c"], ["a", "c", "z"]]
    a = run(write_log, proj, [("add", {"items": [1]}), ("clear", {})])
    m = compute_marks(a)
    assert a.state == {"l": []} and m.reason(0) == "overwritten" and m.is_live(1)
