"""state_at with checkpoints, blame, diffs and the determinism check."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis, canonical, open_analysis
from agentlog_tui.core.projection import EntityProjection, FunctionProjection

ENTITIES = ["draft", "publish", "check", "task"]
VERBS = ["written", "failed", "succeeded", "deleted", "started"]

event_strategy = st.tuples(
    st.sampled_from(ENTITIES), st.sampled_from(VERBS),
    st.one_of(st.none(), st.sampled_from(["a", "b", "c"])), st.integers(0, 3),
)


def write_events(path, events):
    lines = []
    for i, (ent, verb, key, v) in enumerate(events):
        data = {"v": v}
        if key is not None:
            data["key"] = key
        lines.append(orjson.dumps({"seq": i + 1, "type": f"{ent}_{verb}", "data": data}))
    path.write_bytes(b"".join(x + b"\n" for x in lines))


def counter(state, event):
    """A projection that reads what it writes."""
    ent = event.type.rsplit("_", 1)[0]
    box = state.setdefault(ent, {})
    box["n"] = box.get("n", 0) + event.data["v"]
    if event.data.get("key") == "c":
        box.pop("n", None)
    if event.data.get("key") == "b":
        state.setdefault("log", []).append(ent)


def scratch(events, projection):
    state = projection.initial_state()
    for ev in events:
        projection.apply(state, ev)
    return state


@settings(max_examples=60, deadline=None)
@given(events=st.lists(event_strategy, max_size=60), k=st.integers(1, 9), use_counter=st.booleans(),
       data=st.data())
def test_state_at_equals_a_replay_from_scratch(tmp_path_factory, events, k, use_counter, data):
    path = tmp_path_factory.mktemp("tt") / "log.jsonl"
    write_events(path, events)
    proj = FunctionProjection(counter) if use_counter else EntityProjection()
    a = Analysis(path, projection=proj, checkpoint_every=k)
    a.run()
    evs = [a.event(p) for p in range(a.n_events)]
    positions = data.draw(st.lists(st.integers(-1, max(a.n_events - 1, -1)), max_size=5)) if evs else []
    for pos in positions:
        fresh = FunctionProjection(counter) if use_counter else EntityProjection()
        want = scratch(evs[: pos + 1], fresh)
        assert canonical(a.state_at_pos(pos) if pos >= 0 else a.projection.initial_state()) == canonical(want)
    assert a.deterministic()


def test_no_query_replays_more_than_k_events(samples, monkeypatch):
    a = Analysis(samples / "long_run.jsonl", checkpoint_every=50)
    a.run()
    applied = []
    orig = a._replay_onto

    def spy(state, start, stop):
        applied.append(stop - start)
        return orig(state, start, stop)

    monkeypatch.setattr(a, "_replay_onto", spy)
    for pos in (0, 49, 50, 1234, a.n_events - 2):
        a.state_at_pos(pos)
    assert max(applied) <= 50


def test_blame_at_head_and_at_a_position(samples):
    a = open_analysis(samples / "publish_post.jsonl")
    assert a.blame_seq(("publish", "status")) == 8
    assert a.blame_seq(("publish", "status"), a.pos_of_seq(5)) == 5
    assert a.blame_seq(("publish",), a.pos_of_seq(7)) == 7
    assert a.blame_seq(("draft", "drafts/x.md", "sha")) == 2
    assert a.blame_seq(("nothing",)) is None


def test_diff_between_positions(samples):
    a = open_analysis(samples / "publish_post.jsonl")
    changes = {(c.path, c.kind, c.old, c.new) for c in a.event_diff(a.pos_of_seq(5))}
    assert changes == {
        (("publish", "status"), "changed", "attempted", "failed"),
        (("publish", "target"), "removed", "devto", None),
        (("publish", "error"), "added", None, "429 rate limited"),
    }
    first = a.diff_positions(-1, 0)
    assert [(c.path, c.kind) for c in first] == [(("task",), "added")]


def test_a_nondeterministic_projection_is_reported(samples):
    import itertools

    ticks = itertools.count()

    def impure(state, event):
        state["tick"] = next(ticks)

    a = open_analysis(samples / "publish_post.jsonl", projection=FunctionProjection(impure))
    assert not a.deterministic()
