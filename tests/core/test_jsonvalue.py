"""The fallbacks for values orjson cannot write: the same result as an orjson round trip where
orjson can, and a result (never an exception) where it cannot (depth, big ints, tuple keys)."""

from __future__ import annotations

import json

import orjson
from hypothesis import given
from hypothesis import strategies as st

from agentlog_tui.core.jsonvalue import copy_value, dumps

OPTS = orjson.OPT_NON_STR_KEYS

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda kids: st.lists(kids, max_size=4)
    | st.dictionaries(st.text(max_size=4) | st.integers(-5, 5), kids, max_size=4),
    max_leaves=30,
)


@given(json_values)
def test_same_as_orjson_where_orjson_can(v):
    assert copy_value(v) == orjson.loads(orjson.dumps(v, option=OPTS))
    assert dumps(v) == orjson.dumps(v, option=OPTS)
    assert dumps(v, sort_keys=True) == orjson.dumps(v, option=OPTS | orjson.OPT_SORT_KEYS)
    assert dumps(v, indent=2) == orjson.dumps(v, option=OPTS | orjson.OPT_INDENT_2)


def test_any_depth():
    deep: object = []
    for _ in range(5000):
        deep = {"a": [deep]}
    text = dumps(deep, sort_keys=True)
    assert text.startswith(b'{"a":[{"a":[') and text.count(b"[") == 5001
    c = copy_value(deep)
    assert c is not deep
    for _ in range(5000):
        c = c["a"][0]
    assert c == []


def test_what_orjson_refuses():
    v = {(1, 2): 2**70, "neg": -(2**64), "t": (1, {3: object}), 10**5000: "huge key"}
    c = copy_value(v)
    assert c["(1, 2)"] == 2**70 and c["neg"] == -(2**64)
    assert c["t"] == [1, {"3": repr(object)}]
    text = dumps(v, sort_keys=True)
    back = json.loads(text)
    assert back["(1, 2)"] == 2**70 and back["t"] == [1, {"3": repr(object)}]
    assert dumps(10**5000).startswith(b'"<int>"') or dumps(10**5000)[:1] == b'"'
