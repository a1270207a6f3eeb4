"""Delta checkpoints (core/checkpoints.py) answer what a replay from scratch answers.

A projection that does every kind of write the tracked views know (dict set and delete, nested
containers created and replaced, list append, index write, insert, pop, sort, clear, a failing
event in the middle of its writes) is replayed with checkpoints every k events; the state at
every position must equal the fold of the events up to it.
"""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.checkpoints import Checkpoints
from agentlog_tui.core.projection import FunctionProjection

OPS = ["set", "nest", "del", "append", "index", "insert", "pop", "sort", "clear", "replace",
       "fail", "big"]


def busy(state, event):
    """Every kind of write, chosen by the event's type."""
    op, k, v = event.type, event.data["k"], event.data["v"]
    lst = state.setdefault("l", [])
    box = state.setdefault("box", {})
    if op == "set":
        box[k] = v
    elif op == "nest":
        box.setdefault("deep", {}).setdefault(k, {})["v"] = v
    elif op == "del":
        box.pop(k, None)
        if v % 2:
            box.pop("deep", None)
    elif op == "append":
        lst.append({"v": v, "k": k})
    elif op == "index" and lst:
        lst[v % len(lst)] = v
    elif op == "insert":
        lst.insert(v % (len(lst) + 1), k)
    elif op == "pop" and lst:
        lst.pop(v % len(lst))
    elif op == "sort":
        lst.sort(key=lambda x: str(x))
    elif op == "clear":
        lst.clear()
    elif op == "replace":
        state["l"] = [v, k]
    elif op == "fail":
        lst.append("half")
        box["half"] = True
        raise ValueError("midway")
    elif op == "big":
        state[f"t{v}"] = {"items": list(range(v * 40))}


@settings(max_examples=80, deadline=None)
@given(events=st.lists(st.tuples(st.sampled_from(OPS), st.sampled_from(["a", "b", "c"]),
                                 st.integers(0, 9)), max_size=70),
       k=st.integers(1, 7))
def test_state_at_every_position_equals_a_replay_from_scratch(tmp_path_factory, events, k):
    path = tmp_path_factory.mktemp("cp") / "log.jsonl"
    path.write_bytes(b"".join(
        orjson.dumps({"seq": i + 1, "type": op, "data": {"k": key, "v": v}}) + b"\n"
        for i, (op, key, v) in enumerate(events)))
    a = Analysis(path, projection=FunctionProjection(busy), checkpoint_every=k)
    a.run()
    state: dict = {}
    for pos in range(a.n_events):
        scratch = orjson.loads(orjson.dumps(state, option=orjson.OPT_NON_STR_KEYS))
        try:
            busy(scratch, a.event(pos))
        except ValueError:
            scratch = state  # a failed event leaves the state as it was
        state = scratch
        assert canonical(a.state_at_pos(pos)) == canonical(state), pos


def test_a_delta_holds_what_was_written_not_the_whole_state():
    cps = Checkpoints()
    state = {"l": list(range(1000)), "box": {"a": 1}}
    cps.add(0, state, [("l",), ("box",)])
    state["l"].append(1000)
    state["box"]["b"] = 2
    touched = [("l", 1000), ("box", "b")]
    cps.add(1, state, touched)
    assert touched == []  # emptied in place (the C loop holds the list)
    assert cps.full == [True, False] and len(cps.blobs[1]) < 60
    assert cps.state(1) == {"l": list(range(1001)), "box": {"a": 1, "b": 2}}
    assert cps.state(0)["l"] == list(range(1000))
