"""Delta checkpoints (core/checkpoints.py) answer what a replay from scratch answers.

A projection that does every kind of write the tracked views know (dict set and delete, nested
containers created and replaced, list append, index write, insert, pop, sort, clear, a failing
event in the middle of its writes) is replayed with checkpoints every k events; the state at
every position must equal the fold of the events up to it.
"""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core import analysis as analysis_module
from agentlog_tui.core import checkpoints
from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.checkpoints import Checkpoints, _native_patch, _patch, _patch_py, dumps
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
        # the same state with its keys in the same order: a projection may depend on the order
        # (here `sort(key=str)` of dicts), and a checkpointed state must not change it
        assert _ordered(a.state_at_pos(pos)) == _ordered(state), pos


def _ordered(state) -> bytes:
    return orjson.dumps(state, option=orjson.OPT_NON_STR_KEYS)


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


def test_a_rebuilt_state_keeps_every_dict_in_its_key_order():
    cps = Checkpoints()
    state = {"pad": list(range(2000)), "a": 1, "b": {"x": 1, "y": 2}, "l": [{"q": 1, "p": 2}]}
    cps.add(0, state, [])
    # keys added in an order sorting would change, a key deleted and added again, a nested
    # dict's new key, an existing key overwritten in place, a new value with unsorted keys
    state["z"] = 1
    state["m"] = {"zz": 1, "aa": 2}
    del state["a"]
    state["a"] = 5
    state["b"]["w"] = 0
    state["b"]["x"] = 9
    state["l"][0]["o"] = 3
    cps.add(1, state, [("z",), ("m",), ("a",), ("a",), ("b", "w"), ("b", "x"), ("l", 0, "o")])
    # the last key written under (taken out and put back), and one deleted before it
    state["a"] = {"k": 1}
    cps.add(2, state, [("a",)])
    state["a"]["j"] = 2
    del state["m"]
    cps.add(3, state, [("a", "j"), ("m",)])
    assert cps.full == [True, False, False, False]
    assert orjson.dumps(cps.state(3)) == orjson.dumps(state)
    assert list(cps.state(1)) == ["pad", "b", "l", "z", "m", "a"]
    assert list(cps.state(1)["b"]) == ["x", "y", "w"]


# ---- the patch tree, built from a trie of the written paths, against the sort-and-walk it replaced


def _reference_patch(state: dict, touched: list[tuple]) -> dict:
    """The patch tree as core/checkpoints.py built it until the trie (kept here as the oracle):
    the paths sorted by length, each walked from the root, then every list's tail cut out."""
    tree: dict = {}
    for path in sorted(dict.fromkeys(touched), key=len):
        node, cur, ok = tree, state, True
        for depth, key in enumerate(path):
            if depth == len(path) - 1:
                break
            entry = node.get(key)
            if entry is not None and entry[0] != "/":
                ok = False
                break
            try:
                nxt = cur[key]
            except (KeyError, IndexError, TypeError):
                nxt = _MISSING
            if not isinstance(nxt, (dict, list)):
                node[key] = ["-"] if nxt is _MISSING else ["=", nxt]
                ok = False
                break
            if entry is None:
                entry = node[key] = ["/", {}]
            node, cur = entry[1], nxt
        if not ok or not path:
            continue
        key = path[-1]
        try:
            value = cur[key]
        except (KeyError, IndexError, TypeError):
            value = _MISSING
        node[key] = ["-"] if value is _MISSING else ["=", value]
    _reference_tails(tree, state)
    return tree


def _reference_tails(tree: dict, container) -> None:
    for key, entry in tree.items():
        if entry[0] != "/":
            continue
        sub = container[key]
        _reference_tails(entry[1], sub)
        if not isinstance(sub, list):
            continue
        items = entry[1]
        first = len(sub)
        while first - 1 in items and items[first - 1][0] == "=":
            first -= 1
        if first < len(sub):
            for i in range(first, len(sub)):
                del items[i]
            entry.extend((first, sub[first:]))


_MISSING = object()
KEYS = st.sampled_from(["a", "b", "c", "d"])
VALUES = st.recursive(
    st.integers(0, 9) | st.sampled_from(["x", "y"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=25)


def _paths(value, prefix=()):
    """Every path in a state (containers and leaves)."""
    yield prefix
    items = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    for k, v in items:
        yield from _paths(v, (*prefix, k))


@settings(max_examples=300, deadline=None)
@given(state=st.dictionaries(KEYS, VALUES, max_size=4), data=st.data())
def test_the_patch_tree_is_the_one_the_sort_and_walk_built(state, data):
    existing = [p for p in _paths(state) if p]
    # paths that exist, that do not (a deleted key, an index past a list's end, a key into a
    # scalar), in any order and repeated, as the tracker and the C loop note them
    anywhere = st.lists(KEYS | st.integers(0, 5), min_size=1, max_size=4).map(tuple)
    touched = data.draw(st.lists(st.sampled_from(existing) | anywhere if existing else anywhere,
                                 max_size=12))
    new = _patch(state, list(touched))
    old = _reference_patch(state, list(touched))
    assert dumps(_unmoved(new), sort=True) == dumps(old, sort=True)


def _unmoved(tree: dict) -> dict:
    """The patch tree without its moves (a dict's last keys, which the reference did not order)."""
    out = {}
    for key, entry in tree.items():
        op = {"+": "=", ">": "/"}.get(entry[0], entry[0])
        if op == "/":
            out[key] = [op, _unmoved(entry[1]), *entry[2:]]
        else:
            out[key] = [op, *entry[1:]]
    return out


@pytest.mark.skipif(_native_patch is None, reason="the C extension is not built")
@settings(max_examples=400, deadline=None)
@given(state=st.dictionaries(KEYS, VALUES, max_size=4), data=st.data())
def test_the_c_patch_tree_is_the_python_one_key_for_key(state, data):
    existing = [p for p in _paths(state) if p]
    # (no negative index: the tracker notes a list index as it is, from 0)
    anywhere = st.lists(KEYS | st.integers(0, 5), min_size=0, max_size=4).map(tuple)
    touched = data.draw(st.lists(st.sampled_from(existing) | anywhere if existing else anywhere,
                                 max_size=12))
    c_tree = _native_patch(state, list(touched))
    py_tree = _patch_py(state, list(touched))
    assert c_tree == py_tree
    # the same order of keys at every level (== on dicts does not look at it)
    assert orjson.dumps(c_tree, option=orjson.OPT_NON_STR_KEYS) == orjson.dumps(
        py_tree, option=orjson.OPT_NON_STR_KEYS)


def test_a_path_that_is_not_a_tuple_goes_the_python_way():
    state = {"a": {"b": 1}}
    # (a string is a sequence of keys to the Python one; the C one takes tuples only)
    assert _patch(state, ["ab"]) == _patch_py(state, ["ab"]) == {"a": [">", {"b": ["+", 1]}]}


def test_a_list_tail_is_cut_where_its_written_indices_stop_running_to_its_end():
    state = {"l": [0, 1, {"v": 2}, 3, 4], "gone": []}
    # 4 and 3 run to the end; 2 is a container written under it; 9 is past the end
    tree = _patch(state, [("l", 4), ("l", 3), ("l", 2, "v"), ("l", 9), ("gone", 0)])
    # (every key of both dicts was written: each is a move, `>` or `+`, in its dict's order)
    assert tree == {"l": [">", {2: ["/", {"v": ["+", 2]}], 9: ["-"]}, 3, [3, 4]],
                    "gone": [">", {0: ["-"]}]}
    assert _unmoved(tree) == _reference_patch(state, [("l", 4), ("l", 3), ("l", 2, "v"), ("l", 9),
                                            ("gone", 0)])


def _bulky(state, event):
    """A growing conversation with big turns: deltas past 4 KB, a state past 64 KB."""
    turns = state.setdefault("turns", [])
    v = event.data["v"]
    if event.type == "say":
        turns.append({"text": f"{v:04d} " * (400 + v % 50), "n": v})
    elif event.type == "edit" and turns:
        turns[v % len(turns)]["text"] = f"edited {v}"
    elif event.type == "drop" and turns:
        turns.pop()


@pytest.mark.parametrize("codec", ["zstd", "zlib"])
def test_compressed_checkpoints_answer_a_replay_from_scratch(tmp_path, monkeypatch, codec):
    monkeypatch.setattr(checkpoints, "_CODEC", None)
    monkeypatch.setattr(checkpoints, "USE_ZSTD", codec == "zstd")
    def kind(i: int) -> str:
        return "drop" if i % 37 == 36 else "edit" if i % 6 == 3 else "say"

    path = tmp_path / "log.jsonl"
    path.write_bytes(b"".join(
        orjson.dumps({"seq": i + 1, "type": kind(i), "data": {"v": i}}) + b"\n"
        for i in range(240)))
    a = Analysis(path, projection=FunctionProjection(_bulky), checkpoint_every=5)
    a.run()
    cps = a.checkpoints
    assert cps._codec.name == codec
    # both kinds were compressed, so the rebuild below went through the codec
    assert any(z and f for z, f in zip(cps.zipped, cps.full, strict=True))
    assert sum(z and not f for z, f in zip(cps.zipped, cps.full, strict=True)) > 10
    state: dict = {}
    for pos in range(a.n_events):
        _bulky(state, a.event(pos))
        assert a.state_at_pos(pos) == state, pos


def _keeps_text(state: dict, event) -> None:
    state.setdefault("notes", []).append(event.data["text"])


@pytest.mark.parametrize("share", [0.25, 0.05])
def test_checkpoints_stay_uncompressed_within_their_share_of_the_log(tmp_path, monkeypatch, share):
    """Checkpoints are kept as serialized while they hold at most PLAIN_SHARE of the log's bytes
    read; past that, the big ones are compressed. Every answer is a replay's either way."""
    monkeypatch.setattr(analysis_module, "PLAIN_SHARE", share)
    path = tmp_path / "log.jsonl"
    # each line 20 KB; the state keeps 1.5 KB of it: deltas and full checkpoints hold about 15%
    path.write_bytes(b"".join(
        orjson.dumps({"seq": i + 1, "type": "say",
                      "data": {"text": f"{i:05d}" * 300, "pad": "x" * 18500}}) + b"\n"
        for i in range(120)))
    a = Analysis(path, projection=FunctionProjection(_keeps_text), checkpoint_every=5)
    a.run()
    cps = a.checkpoints
    big = [not f for f in cps.full]  # deltas of 7.5 KB: each over COMPRESS_DELTA_FROM
    assert sum(big) > 10
    if share == 0.25:
        assert not any(cps.zipped)
    else:  # within the budget first, compressed past it
        assert not cps.zipped[0] and any(cps.zipped)
        assert cps.zipped.index(True) > 0
    kept = 0  # a big checkpoint kept uncompressed fitted in the budget when it was taken
    for pos, blob, z, f in zip(cps.positions, cps.blobs, cps.zipped, cps.full, strict=True):
        if not z and len(blob) >= (checkpoints.COMPRESS_FROM if f else checkpoints.COMPRESS_DELTA_FROM):
            assert kept + len(blob) <= share * a.log.line_span(a.event_lines[pos])[1]
        kept += len(blob)
    state: dict = {}
    for pos in range(a.n_events):
        _keeps_text(state, a.event(pos))
        assert a.state_at_pos(pos) == state, pos
