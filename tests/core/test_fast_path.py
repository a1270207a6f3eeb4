"""The entity projection's direct path records exactly what the tracked view would."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.liveness import compute_marks
from agentlog_tui.core.projection import EntityProjection, FunctionProjection

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


line_strategy = st.one_of(
    st.builds(
        lambda seq, ent, verb, key, v, ts, top: orjson.dumps(
            {"seq": seq, "ts": ts, "type": ent if verb is None else f"{ent}_{verb}",
             "data": ({"v": v} if key is None else {"key": key, "v": v}), **({"key": top} if top else {})}),
        st.integers(0, 30), st.sampled_from(["draft", "publish", "job", "snapshot", "executor"]),
        st.sampled_from(["written", "succeeded", "deleted", "resumed", None]),
        st.one_of(st.none(), st.sampled_from(["a", "b", 3])), st.integers(0, 2),
        st.sampled_from(["2026-11-26T09:00:01Z", "2026-11-26T09:00:00Z", "2026-11-26T09:00:02.5Z", 5, None]),
        st.sampled_from([None, "k"]),
    ),
    st.sampled_from([b"", b"{bad", b"[1]", b'{"seq": 4, "data": {}}', b'{"seq": "x", "type": "a_b", "data": {}}',
                     b'{"seq": 9, "type": "a_b"}', b'{"seq": 9, "type": 5, "event": "e_f", "data": {}}',
                     b'{"seq": 1, "type": "snapshot", "data": {"state": {}, "at_seq": 1}}',
                     b'{"seq": 7, "type": "executor_resumed", "data": {"from_event": 2}}', b"\xff"]),
)


def _fingerprint(a):
    from agentlog_tui.core.liveness import compute_marks

    m = compute_marks(a) if a.n_events else None
    t = a.tracker
    n = a.n_events  # the tracker's arrays may have room for more
    return (bytes(a.kinds), list(a.line_pos), list(a.event_lines), list(a.seqs),
            [a.type_of(p) for p in range(a.n_events)], canonical(a.state),
            [x.to_json() for x in a.anomalies], [(m_.line, m_.error) for m_ in a.malformed],
            a.blank_lines, sorted((p, b.kind, b.from_seq) for p, b in a.boundaries.items()),
            a.snapshot_positions, a.effects, a.failed, [p for p, _ in a.checkpoints],
            _checkpointed(a), list(t.live[:n]), list(t.last_death[:n]),
            list(t.killer[:n]), t.more_killers, t.deps, bytes(t.wrote[:n]), list(t.died),
            _blame_writers(t.blame_root), bytes(m.codes) if m else b"", a._max_seq, a._prev_seq,
            a._prev_ts_raw, a._seq_first_line, t.cur)


def _checkpointed(a) -> list:
    """Each checkpoint's state (keys in order) and whether it is stored whole. Not its bytes: a
    delta lists the paths written in the order they were noted, which the C loop and the
    Python one may differ in."""
    cps = a.checkpoints
    return [(cps.full[i], orjson.dumps(cps.state(i), option=orjson.OPT_NON_STR_KEYS))
            for i in range(len(cps))]


def _blame_writers(node, path=()):
    w = node.writers  # None, one writer (an int) or an array (core/tracked.py BlameNode)
    w = [] if w is None else [w] if type(w) is int else list(w)
    out = {path: w} if w else {}
    for k, child in (node.children or {}).items():
        out.update(_blame_writers(child, path + (k,)))
    return out


@settings(max_examples=120, deadline=None)
@given(lines=st.lists(line_strategy, max_size=40), k=st.integers(1, 6))
def test_the_fused_reading_loop_analyses_exactly_like_the_general_one(tmp_path_factory, lines, k):
    path = tmp_path_factory.mktemp("fused") / "log.jsonl"
    path.write_bytes(b"".join(x + b"\n" for x in lines))
    fused = Analysis(path, checkpoint_every=k)
    python = Analysis(path, checkpoint_every=k)
    python.native = None
    general = Analysis(path, checkpoint_every=k)
    general.fused = False
    for a in (fused, python, general):
        a.run()
    assert _fingerprint(fused) == _fingerprint(general)
    assert _fingerprint(python) == _fingerprint(general)


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(line_strategy, max_size=40), k=st.integers(1, 6), crlf=st.booleans())
def test_state_at_replays_plain_lines_without_records_as_the_general_replay(
        tmp_path_factory, lines, k, crlf):
    """state_at's replay makes the generic log's plain lines into events without make_record
    (Analysis._replay_onto): the same states as the general replay at every position."""
    path = tmp_path_factory.mktemp("replay") / "log.jsonl"
    end = b"\r\n" if crlf else b"\n"
    path.write_bytes(b"".join(x + end for x in lines))
    plain = Analysis(path, checkpoint_every=k)
    general = Analysis(path, checkpoint_every=k)
    general.fused = False  # the general analysis, and the general replay
    for a in (plain, general):
        a.run()
    # (most examples detect a payload field, so `plain` replays plain lines; the test below
    # makes sure that path is taken)
    assert not general._fused_ok()
    for pos in range(plain.n_events):
        assert canonical(plain.state_at_pos(pos)) == canonical(general.state_at_pos(pos)), pos


def test_state_at_makes_no_record_for_a_plain_line(tmp_path, monkeypatch):
    from agentlog_tui.core import analysis

    path = tmp_path / "log.jsonl"
    path.write_bytes(b"".join(
        orjson.dumps({"seq": i + 1, "type": f"job{i % 7}_written", "data": {"v": i}}) + b"\n"
        for i in range(300)))
    a = Analysis(path, checkpoint_every=100)
    a.run()
    made = []
    real = analysis.make_record
    monkeypatch.setattr(analysis, "make_record", lambda *args: made.append(args) or real(*args))
    state = a.state_at_pos(198)  # replays the 99 events after the checkpoint at 99
    assert made == []
    assert state["job0"] == {"status": "written", "v": 196}
    a.fused = False
    assert a.state_at_pos(198) == state and len(made) == 99
