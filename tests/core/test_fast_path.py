"""The entity projection's direct path records exactly what the tracked view would."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from core.analysis import Analysis, canonical
from core.liveness import compute_marks
from core.projection import EntityProjection, FunctionProjection

events = st.lists(
    st.tuples(
        st.sampled_from(["draft", "publish", "job", "tool.call", "note"]),
        st.sampled_from(["written", "failed", "succeeded", "deleted", "removed", "cleared", None]),
        st.one_of(st.none(), st.sampled_from(["a", "b", 3])),
        st.one_of(st.integers(0, 2), st.lists(st.integers(0, 2), max_size=2), st.none()),
    ),
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(evs=events)
def test_direct_path_matches_the_tracked_view(tmp_path_factory, evs):
    path = tmp_path_factory.mktemp("fast") / "log.jsonl"
    lines = []
    for i, (ent, verb, key, v) in enumerate(evs):
        t = ent if verb is None else f"{ent}_{verb}"
        data = {"v": v} if key is None else {"key": key, "v": v}
        lines.append(orjson.dumps({"seq": i + 1, "type": t, "data": data}) + b"\n")
    path.write_bytes(b"".join(lines))
    fast = Analysis(path, projection=EntityProjection())
    fast.run()
    entity = EntityProjection()
    slow = Analysis(path, projection=FunctionProjection(entity.apply, "entities"))
    slow.run()
    assert fast._apply_tracked is not None and slow._apply_tracked is None
    assert canonical(fast.state) == canonical(slow.state)
    mf, ms = compute_marks(fast), compute_marks(slow)
    for p in range(fast.n_events):
        assert (mf.reason(p), mf.superseded_by(p), mf.read_by(p)) == (
            ms.reason(p), ms.superseded_by(p), ms.read_by(p)), p
    assert fast.tracker.deps == slow.tracker.deps
