"""The C accelerator (core/_fastloop.c) analyses exactly like the Python loops it stands in for."""

from __future__ import annotations

import os

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agentlog_tui.core.analysis as analysis_mod
from agentlog_tui.core import liveness
from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.liveness import compute_marks
from agentlog_tui.core.native import _fastloop
from tests.core.test_fast_path import _fingerprint

pytestmark = pytest.mark.skipif(_fastloop is None and bool(os.environ.get("AGENTLOG_PURE_PYTHON")),
                                reason="AGENTLOG_PURE_PYTHON=1: the C accelerator is switched off")


def test_the_accelerator_is_built():
    # CI machines have a C compiler, so a missing extension means the build broke
    assert _fastloop is not None, (
        "core/_fastloop was not built (no C compiler when the project was installed?); "
        "set AGENTLOG_PURE_PYTHON=1 to run everything in Python")


class Counting:
    """Wraps the accelerator's run() to count the events it handled."""

    def __init__(self) -> None:
        self.events = 0

    def run(self, *args):
        out = _fastloop.run(*args)
        self.events += out[2]
        return out


# Mostly plain logs, as agents write them: consecutive ids, increasing UTC timestamps, a few
# entities written with and without subjects, deletes, completions, and now and then something
# that is not plain (a snapshot, a resume, a bad line, an id or a timestamp out of order).
verbs = st.sampled_from(["written", "written", "started", "succeeded", "deleted", "removed", None])
values = st.one_of(st.integers(0, 3), st.none(), st.text(max_size=3), st.lists(st.integers(0, 2), max_size=2))
plain_event = st.one_of(
    # most entities are used one way: always with a subject, or never
    st.tuples(st.just("draft"), verbs, st.sampled_from(["a", "a", "b", 7]), values, st.just(False)),
    st.tuples(st.just("job"), verbs, st.none(), values, st.just(False)),
    st.tuples(st.just("tool.call"), verbs, st.sampled_from(["x", "y"]), values, st.just(True)),
    # and some both ways
    st.tuples(st.just("cache_entry"), verbs, st.one_of(st.none(), st.just("a")), values, st.booleans()),
)
odd_line = st.sampled_from([
    "snapshot", "resume", "bad", "blank", "id_back", "id_gap", "ts_back", "ts_offset", "ts_epoch",
    "no_ts", "no_data", "flat_payload", "seq_bool", "seq_float", "key_bool", "key_float",
    "key_dict", "data_null", "data_list", "own_status", "ts_longer", "unicode", "type_number",
])
items = st.lists(st.one_of(*[plain_event] * 7, odd_line), min_size=10, max_size=150)


def _log(items) -> bytes:
    out, seq, sec = [], 0, 0
    for it in items:
        seq += 1
        sec += 1
        ts = f"2026-11-26T09:{sec // 60 % 60:02d}:{sec % 60:02d}Z"
        if isinstance(it, str):
            rec: dict | None = {"seq": seq, "ts": ts}
            if it == "snapshot":
                rec.update(type="snapshot", data={"state": {}, "at_seq": seq - 1})
            elif it == "resume":
                rec.update(type="executor_resumed", data={"from_event": max(1, seq - 3)})
            elif it == "bad":
                out.append(b'{"seq": ' + str(seq).encode() + b", oops")
                continue
            elif it == "blank":
                out.append(b"")
                continue
            elif it == "id_back":
                rec.update(seq=max(1, seq - 2), type="job_started", data={"key": "a"})
            elif it == "id_gap":
                seq += 3
                rec.update(seq=seq, type="job_started", data={"key": "b"})
            elif it == "ts_back":
                rec.update(ts="2026-11-26T08:00:00Z", type="note_written", data={})
            elif it == "ts_offset":
                rec.update(ts=ts.replace("Z", "+00:00"), type="note_written", data={"n": 1})
            elif it == "ts_epoch":
                rec.update(ts=1764147600 + sec, type="draft_written", data={"path": "a"})
            elif it == "no_ts":
                del rec["ts"]
                rec.update(type="draft_written", data={"path": "b"})
            elif it == "no_data":
                rec.update(type="job_started")
            elif it == "seq_bool":
                rec.update(seq=True, type="job_started", data={})
            elif it == "seq_float":
                rec.update(seq=seq + 0.5, type="job_started", data={})
            elif it in ("key_bool", "key_float", "key_dict"):
                key = {"key_bool": True, "key_float": 1.5, "key_dict": {"a": 1}}[it]
                rec.update(key=key, type="draft_written", data={"path": key, "id": 4})
            elif it == "data_null":
                rec.update(type="draft_written", data=None)
            elif it == "data_list":
                rec.update(type="job_started", key="a", data=[1, 2])
            elif it == "own_status":
                rec.update(type="draft_written", data={"path": "a", "status": "mine"})
            elif it == "ts_longer":
                rec.update(ts=ts.replace("Z", ".25Z"), type="job_started", data={})
            elif it == "unicode":
                rec.update(ts=ts.replace("T", "\u2009"), type="ünïcode_wrïtten", data={"key": "ключ"})
            elif it == "type_number":
                rec.update(type=5, data={})
            else:
                rec.update(type="job_started", data=5)
            out.append(orjson.dumps(rec))
            continue
        ent, verb, subject, v, in_envelope = it
        rec = {"seq": seq, "ts": ts, "type": ent if verb is None else f"{ent}_{verb}"}
        data: dict = {"v": v}
        if subject is not None:
            if in_envelope:
                rec["key"] = subject
            else:
                data["path" if ent == "draft" else "key"] = subject
        rec["data"] = data
        out.append(orjson.dumps(rec))
    return b"".join(x + b"\n" for x in out)


def _three(path, k, step):
    native = Analysis(path, checkpoint_every=k)
    counting = Counting()
    native.native = counting
    python = Analysis(path, checkpoint_every=k)
    python.native = None
    general = Analysis(path, checkpoint_every=k)
    general.fused = False
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(analysis_mod, "NATIVE_LINES", step)  # calls that stop at every few lines
        for a in (native, python, general):
            a.run()
    return native, python, general, counting


@settings(max_examples=150, deadline=None)
@given(items=items, k=st.integers(1, 8), step=st.sampled_from([1, 2, 5, 8192]))
def test_native_python_and_general_paths_agree(tmp_path_factory, items, k, step):
    path = tmp_path_factory.mktemp("native") / "log.jsonl"
    path.write_bytes(_log(items))
    native, python, general, _ = _three(path, k, step)
    expected = _fingerprint(general)
    assert _fingerprint(native) == expected
    assert _fingerprint(python) == expected


def test_the_accelerator_does_the_work_on_a_plain_log(tmp_path, monkeypatch):
    items = [("draft", "written", s, i, False) for i, s in enumerate("abcab" * 20)]
    items += [("job", "started", None, i, False) for i in range(30)]
    items += [("draft", "deleted", "a", 0, False), ("draft", "written", "a", 1, True)]
    items += [("job", "succeeded", "x", 1, True), ("note", None, None, 2, False)] * 5
    path = tmp_path / "log.jsonl"
    path.write_bytes(_log(items))
    native, _, general, counting = _three(path, 16, 8192)
    # only the first event of each entity and subject needs the Python side
    assert counting.events >= len(items) - 12
    assert _fingerprint(native) == _fingerprint(general)


@settings(max_examples=60, deadline=None)
@given(items=items, data=st.data())
def test_marks_at_any_position_agree_with_the_python_pass(tmp_path_factory, items, data):
    path = tmp_path_factory.mktemp("marks") / "log.jsonl"
    path.write_bytes(_log(items))
    a = Analysis(path)
    a.run()
    if not a.n_events:
        return
    at = data.draw(st.integers(0, a.n_events - 1))
    fast = [bytes(compute_marks(a, x).codes) for x in (at, None)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(liveness, "_fastloop", None)
        assert [bytes(compute_marks(a, x).codes) for x in (at, None)] == fast


def test_line_starts_match_a_search_for_newlines():
    chunk = b'{"a":1}\n\n{"b":2}\r\nno newline at the end'
    found = _fastloop.line_starts(chunk, 0, 1000)
    from array import array

    starts = array("Q")
    starts.frombytes(found)
    assert list(starts) == [1000 + i + 1 for i, c in enumerate(chunk) if c == 0x0A]
    starts = array("Q")
    starts.frombytes(_fastloop.line_starts(chunk, 9, 0))
    assert list(starts) == [i + 1 for i, c in enumerate(chunk) if c == 0x0A and i >= 9]


@settings(max_examples=60, deadline=None)
@given(items=items, cuts=st.lists(st.integers(0, 20_000), max_size=6), k=st.integers(1, 8))
def test_tailing_in_random_chunks_analyses_like_reading_whole(tmp_path_factory, items, cuts, k):
    blob = _log(items)
    d = tmp_path_factory.mktemp("tail")
    (d / "whole.jsonl").write_bytes(blob)
    whole = Analysis(d / "whole.jsonl", checkpoint_every=k)
    whole.run()
    path = d / "tail.jsonl"
    path.write_bytes(b"")
    tailing = Analysis(path, checkpoint_every=k)
    tailing.run()
    done = 0
    for p in sorted({min(c, len(blob)) for c in cuts} | {len(blob)}):
        with open(path, "ab") as fh:
            fh.write(blob[done:p])
        done = p
        tailing.update()
    assert _fingerprint(tailing) == _fingerprint(whole)
