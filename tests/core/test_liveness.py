"""Liveness marks and compaction (DESIGN section 7), rule by rule and as properties."""

from __future__ import annotations

import itertools

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis, canonical, open_analysis
from agentlog_tui.core.compaction import CompactionError, plan_compaction, write_compacted
from agentlog_tui.core.liveness import compute_marks
from agentlog_tui.core.projection import EntityProjection, FunctionProjection


def analyse(write_log, events, projection=None, name="log.jsonl"):
    lines = [{"seq": i + 1, "type": t, "data": d} for i, (t, d) in enumerate(events)]
    return open_analysis(write_log(lines, name=name), projection=projection)


def marks_by_seq(a, at=None):
    m = compute_marks(a, at)
    return {a.seqs[p]: (m.reason(p), m.superseded_by(p) or m.read_by(p)) for p in range(m.at + 1)}


def counter_projection():
    def proj(state, ev):
        if ev.type == "set":
            state["n"] = ev.data["v"]
        elif ev.type == "inc":
            state["n"] = state["n"] + 1
        elif ev.type == "copy":
            state["m"] = state["n"]
        elif ev.type == "noop":
            pass

    return FunctionProjection(proj)


def test_overwrite(write_log):
    a = analyse(write_log, [("draft_written", {"path": "x", "sha": "1"}),
                            ("draft_written", {"path": "x", "sha": "2"})])
    assert marks_by_seq(a) == {1: ("overwritten", [2]), 2: ("visible", [])}


def test_partial_overwrite_keeps_the_earlier_event_live(write_log):
    def proj(state, ev):
        if ev.type == "put":
            state["x"] = {"a": 1, "b": 2}
        else:
            state["x"]["b"] = 3

    a = analyse(write_log, [("put", {}), ("child", {})], FunctionProjection(proj))
    assert marks_by_seq(a) == {1: ("visible", [2]), 2: ("visible", [])}


def test_delete_and_tombstone(write_log):
    a = analyse(write_log, [("job_started", {"id": "a"}), ("job_removed", {"id": "a"}),
                            ("job_started", {"id": "b"})])
    assert marks_by_seq(a) == {1: ("overwritten", [2]), 2: ("visible", []), 3: ("visible", [])}
    assert a.state == {"job": {"b": {"status": "started", "id": "b"}}}


def test_read_dependency_keeps_the_writer_live(write_log):
    a = analyse(write_log, [("set", {"v": 1}), ("inc", {}), ("inc", {})], counter_projection())
    assert marks_by_seq(a) == {1: ("read_by", [2]), 2: ("read_by", [3]), 3: ("visible", [])}


def test_transitive_read_through_a_superseded_reader(write_log):
    # 2 reads n (written by 1) into m; 3 overwrites m, so 2 is superseded and nothing live reads
    # 1 either; then 4 overwrites n: 1 is dead too.
    a = analyse(write_log, [("set", {"v": 1}), ("copy", {}), ("set", {"v": 5}), ("copy", {})],
                counter_projection())
    assert marks_by_seq(a) == {1: ("overwritten", [3]), 2: ("overwritten", [4]),
                               3: ("visible", [4]), 4: ("visible", [])}
    # 1 is read by 2 which is superseded, so 1 is not kept alive by it
    a = analyse(write_log, [("set", {"v": 1}), ("inc", {}), ("copy", {}), ("set", {"v": 9})],
                counter_projection(), name="b.jsonl")
    marks = marks_by_seq(a)
    assert marks[2] == ("read_by", [3])  # inc's n is overwritten by 4, but copy (live) read it
    assert marks[1] == ("read_by", [2])  # transitively live through the live reader 2
    assert marks[4] == ("visible", [])


def test_no_effect(write_log):
    a = analyse(write_log, [("set", {"v": 1}), ("noop", {}),
                            ("snapshot", {"state": {"n": 1}, "at_seq": 1})], counter_projection())
    assert marks_by_seq(a) == {1: ("visible", []), 2: ("no_effect", []), 3: ("no_effect", [])}


def test_containers_created_with_setdefault(write_log):
    a = analyse(write_log, [("draft_written", {"path": "a"}), ("draft_written", {"path": "b"}),
                            ("draft_written", {"path": "a", "v": 2})])
    assert marks_by_seq(a) == {1: ("overwritten", [3]), 2: ("visible", []), 3: ("visible", [])}


def test_marks_relative_to_a_position(samples):
    a = open_analysis(samples / "publish_post.jsonl")
    at5 = marks_by_seq(a, a.pos_of_seq(5))
    assert at5 == {1: ("visible", []), 2: ("visible", []), 3: ("visible", []),
                   4: ("overwritten", [5]), 5: ("visible", [])}
    head = marks_by_seq(a)
    assert {s for s, (r, _) in head.items() if r == "overwritten"} == {4, 5, 7}


def test_publish_post_compaction_drops_4_5_7(samples, tmp_path):
    a = open_analysis(samples / "publish_post.jsonl")
    plan = plan_compaction(a)
    assert [(d.seq, d.reason, d.superseded_by) for d in plan.dropped] == [
        (4, "overwritten", [5]), (5, "overwritten", [7]), (7, "overwritten", [8])]
    assert plan.verified
    out = tmp_path / "out.jsonl"
    write_compacted(a, plan, out)
    lines = (samples / "publish_post.jsonl").read_bytes().splitlines(keepends=True)
    assert out.read_bytes() == b"".join(lines[i] for i in (0, 1, 2, 5, 7))
    try:
        write_compacted(a, plan, samples / "publish_post.jsonl")
    except CompactionError as exc:
        assert "refusing to write over" in str(exc)
    else:
        raise AssertionError("compaction wrote over its input")


def test_protect_last_keeps_the_tail(samples):
    a = open_analysis(samples / "publish_post.jsonl")
    plan = plan_compaction(a, protect_last=2)
    assert [d.seq for d in plan.dropped] == [4, 5]


def test_an_impure_projection_is_refused(samples, tmp_path):
    ticks = itertools.count()

    def impure(state, event):
        state["last"] = next(ticks)

    a = open_analysis(samples / "publish_post.jsonl", projection=FunctionProjection(impure))
    plan = plan_compaction(a)
    assert not plan.verified and plan.differing_paths
    out = tmp_path / "never.jsonl"
    try:
        write_compacted(a, plan, out)
    except CompactionError:
        pass
    assert not out.exists()


ENTITIES = ["draft", "publish", "check"]
VERBS = ["written", "failed", "succeeded", "deleted"]
ev_strategy = st.tuples(st.sampled_from(ENTITIES), st.sampled_from(VERBS),
                        st.one_of(st.none(), st.sampled_from(["a", "b"])), st.integers(0, 2))


def reading_projection(state, event):
    """Reads what it writes: running totals, a list of events, deletes."""
    ent, _, verb = event.type.rpartition("_")
    box = state.setdefault(ent, {})
    key = event.data.get("key") or "_"
    if verb == "deleted":
        box.pop(key, None)
        return
    box[key] = box.get(key, 0) + event.data["v"]
    if event.data["v"] == 2:
        state.setdefault("big", []).append(key)
    if verb == "failed" and "total" in state:
        state["total"] = state["total"] + 1
    elif verb == "failed":
        state["total"] = 0


def write_events(path, events):
    out = []
    for i, (ent, verb, key, v) in enumerate(events):
        d = {"v": v}
        if key:
            d["key"] = key
        out.append(orjson.dumps({"seq": i + 1, "type": f"{ent}_{verb}", "data": d}) + b"\n")
    path.write_bytes(b"".join(out))


@settings(max_examples=80, deadline=None)
@given(events=st.lists(ev_strategy, max_size=40), custom=st.booleans(), data=st.data())
def test_compaction_replays_to_the_same_state_and_marks_match_a_cut_log(tmp_path_factory, events,
                                                                        custom, data):
    d = tmp_path_factory.mktemp("cmp")
    path = d / "log.jsonl"
    write_events(path, events)

    def proj():
        return FunctionProjection(reading_projection) if custom else EntityProjection()

    a = Analysis(path, projection=proj())
    a.run()
    plan = plan_compaction(a)
    if not plan.verified:
        # only when the written file could not be read as the input is (nothing kept, or the
        # fields detected differently); never a replay difference of a file read the same way
        assert plan.reasons
        assert all(r.startswith(("no event is kept", "the written file")) for r in plan.reasons), plan.reasons
        out = d / "refused.jsonl"
        with pytest.raises(CompactionError):
            write_compacted(a, plan, out)
        assert not out.exists()
    if a.n_events and plan.verified:
        out = d / "out.jsonl"
        write_compacted(a, plan, out)
        b = Analysis(out, projection=proj())
        b.run()
        assert canonical(b.state) == canonical(a.state)
        n = data.draw(st.integers(0, a.n_events - 1))
        cut = d / "cut.jsonl"
        cut.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[: n + 1]))
        c = Analysis(cut, projection=proj())
        c.run()
        m_at, m_cut = compute_marks(a, n), compute_marks(c)
        for p in range(n + 1):
            assert (m_at.reason(p), m_at.superseded_by(p), m_at.read_by(p)) == (
                m_cut.reason(p), m_cut.superseded_by(p), m_cut.read_by(p)), p


@settings(max_examples=80, deadline=None)
@given(events=st.lists(ev_strategy, max_size=40), custom=st.booleans(),
       cuts=st.lists(st.integers(0, 40), max_size=6))
def test_marks_brought_up_to_date_while_tailing_equal_marks_computed_afresh(
        tmp_path_factory, events, custom, cuts):
    from agentlog_tui.core.liveness import update_marks

    d = tmp_path_factory.mktemp("inc")
    path = d / "log.jsonl"
    write_events(path, events)
    lines = path.read_bytes().splitlines(keepends=True)
    tail = d / "tail.jsonl"
    tail.write_bytes(b"")
    proj = FunctionProjection(reading_projection) if custom else EntityProjection()
    a = Analysis(tail, projection=proj)
    a.run()
    marks = compute_marks(a)
    done = 0
    for cut in sorted(set(cuts)) + [len(lines)]:
        cut = min(cut, len(lines))
        with open(tail, "ab") as fh:
            fh.write(b"".join(lines[done:cut]))
        done = cut
        a.update()
        marks = update_marks(marks)
        fresh = compute_marks(a)
        assert bytes(marks.codes) == bytes(fresh.codes)
        for p in range(a.n_events):
            assert marks.read_by(p) == fresh.read_by(p) and marks.superseded_by(p) == fresh.superseded_by(p)
