"""Fork (core/fork.py): a log ending at an event replays to that event's state; nothing is ever
written over a file, and a refused fork writes nothing."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.fork import ForkError, fork

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "sample_logs").glob("*.jsonl"))


def analysed(path, **kw) -> Analysis:
    a = Analysis(path, **kw)
    a.run()
    return a


def replayed(path) -> Analysis:
    return analysed(path)


ENTITIES = ["task", "draft", "publish", "check", "note"]
VERBS = ["started", "written", "failed", "succeeded", "deleted", "retried"]


@st.composite
def generic_logs(draw):
    """Lines of a generic log: events with ids (or none), some malformed or blank lines, an
    unterminated last line sometimes."""
    n = draw(st.integers(1, 40))
    with_ids = draw(st.booleans())
    lines: list[bytes] = []
    seq = 0
    for i in range(n):
        kind = draw(st.sampled_from(["event"] * 8 + ["malformed", "blank"])) if i else "event"
        if kind == "malformed":
            lines.append(draw(st.sampled_from([b"{not json", b"[1, 2]", b'{"no_type": 1}'])))
            continue
        if kind == "blank":
            lines.append(b"")
            continue
        seq += draw(st.integers(1, 2))
        t = f"{draw(st.sampled_from(ENTITIES))}_{draw(st.sampled_from(VERBS))}"
        data = {}
        if draw(st.booleans()):
            data["key"] = draw(st.sampled_from(["a", "b", "c"]))
        data["v"] = draw(st.integers(0, 9))
        obj = {"seq": seq, "ts": f"2026-01-01T00:00:{min(seq, 59):02d}Z", "type": t, "data": data}
        if not with_ids:
            del obj["seq"]
        lines.append(json.dumps(obj).encode())
    tail = draw(st.booleans())
    return b"\n".join(lines) + (b"" if tail else b"\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=generic_logs(), pick=st.integers(0, 10_000), compact=st.booleans())
def test_a_fork_at_any_event_replays_to_that_events_state(data, pick, compact):
    with tempfile.TemporaryDirectory() as d:
        log = Path(d) / "log.jsonl"
        log.write_bytes(data)
        a = analysed(log)
        if a.n_events == 0:
            return
        pos = pick % a.n_events
        seq = a.seqs[pos]
        if a.pos_of_seq(seq) != pos:  # an id used twice: the fork is at its last use
            pos = a.pos_of_seq(seq)
        out = Path(d) / "fork.jsonl"
        try:
            res = fork(a, seq, out, compact=compact)
        except ForkError as exc:
            # only when nothing is live: a compacted fork would be empty, never written
            assert compact and "would be an empty file" in str(exc)
            assert canonical(a.state_at_pos(pos)) == canonical({}) and not out.exists()
            return
        assert res.verified and out.exists()
        f = replayed(out)
        assert canonical(f.state) == canonical(a.state_at_pos(pos))
        if not compact:
            # the original bytes of every line up to the event
            end = a.log.bounds[a.event_lines[pos] + 1] if a.event_lines[pos] < a.log.n_complete else len(data)
            written = out.read_bytes()
            assert written.rstrip(b"\n") == data[:end].rstrip(b"\n") or written == data[:end]
            assert f.n_events == pos + 1
        a.close()
        f.close()


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_fork_of_every_sample_at_a_few_points(path, tmp_path):
    a = analysed(path)
    for i, pos in enumerate(sorted({0, a.n_events // 2, a.n_events - 1})):
        seq = a.seqs[pos]
        pos = a.pos_of_seq(seq)
        out = tmp_path / f"f{i}.jsonl"
        fork(a, seq, out)
        assert canonical(replayed(out).state) == canonical(a.state_at_pos(pos))


def test_fork_never_writes_over_a_file_or_the_input(tmp_path):
    src = ROOT / "sample_logs" / "resumed_executor.jsonl"
    a = analysed(src)
    before = src.read_bytes()
    with pytest.raises(ForkError, match="refusing to write over the log"):
        fork(a, 5, src)
    existing = tmp_path / "x.jsonl"
    existing.write_text("keep me\n")
    with pytest.raises(ForkError, match="already exists"):
        fork(a, 5, existing)
    assert existing.read_text() == "keep me\n" and src.read_bytes() == before
    with pytest.raises(KeyError):
        fork(a, 999, tmp_path / "y.jsonl")
    with pytest.raises(ForkError, match="no such directory"):
        fork(a, 5, tmp_path / "nope" / "y.jsonl")
    assert sorted(os.listdir(tmp_path)) == ["x.jsonl"]  # no temporary file left behind


@pytest.mark.parametrize("compact", [False, True])
def test_overwrite_replaces_a_file_only_with_a_verified_fork(tmp_path, compact):
    # the app asks before replacing a file (F); the CLI never does
    src = ROOT / "sample_logs" / "resumed_executor.jsonl"
    a = analysed(src)
    existing = tmp_path / "x.jsonl"
    existing.write_text("keep me\n")
    fork(a, 17, existing, compact=compact, overwrite=True)
    assert canonical(replayed(existing).state) == canonical(a.state_at_pos(a.pos_of_seq(17)))
    with pytest.raises(ForkError, match="refusing to write over the log"):
        fork(a, 5, src, compact=compact, overwrite=True)
    with pytest.raises(ForkError, match="is a directory"):
        fork(a, 5, tmp_path, compact=compact, overwrite=True)
    assert sorted(os.listdir(tmp_path)) == ["x.jsonl"]  # no temporary file left behind


def test_a_fork_that_does_not_verify_writes_nothing(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps({"seq": i, "type": "x_set", "data": {"v": i}}) + "\n" for i in range(1, 5)))

    class Impure:
        name = "impure"
        calls = 0

        def initial_state(self):
            return {}

        def apply(self, state, event):
            Impure.calls += 1
            state["n"] = Impure.calls  # depends on how often it ran: a fresh replay differs

    a = analysed(log, projection=Impure())
    out = tmp_path / "out.jsonl"
    with pytest.raises(ForkError, match="nothing written"):
        fork(a, 4, out)
    assert not out.exists() and sorted(os.listdir(tmp_path)) == ["log.jsonl"]
    out.write_text("keep me\n")  # asked to replace a file: an unverified fork leaves it be
    with pytest.raises(ForkError, match="nothing written"):
        fork(a, 4, out, overwrite=True)
    assert out.read_text() == "keep me\n" and sorted(os.listdir(tmp_path)) == ["log.jsonl", "out.jsonl"]


def test_compacted_fork_of_the_resumed_executor(tmp_path):
    a = analysed(ROOT / "sample_logs" / "resumed_executor.jsonl")
    res = fork(a, 24, tmp_path / "c.jsonl", compact=True)
    assert res.compact and res.events < 24
    assert canonical(replayed(tmp_path / "c.jsonl").state) == canonical(a.state_at(24)[1])
