"""The reader: every physical line becomes exactly one record, whatever its bytes."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis, open_analysis
from agentlog_tui.core.events import Blank, Event, Kind, Malformed, PendingTail

GOOD = b'{"seq": 1, "type": "a_set", "data": {"v": 1}}'


def kinds_of(path: Path) -> list[Kind]:
    a = open_analysis(path)
    return [Kind(k) for k in a.kinds]


def test_each_kind_of_bad_line_is_one_malformed_record(write_log):
    lines = [
        GOOD,
        b'{"seq": 2, "type": "a_set", "data": {\'v\': 2}}',  # invalid JSON
        b'{"seq": 3, "type": "a_se',  # truncated
        b'{"seq": 4, "type": "a_set", "data": {"v": "\xe9\xff"}}',  # invalid UTF-8
        b"[1, 2, 3]",  # not an object
        b'"text"',  # not an object
        b'{"seq": 5, "data": {}}',  # no type
        b"",  # blank
        b'{"seq": 6, "type": 7}',  # type is not a string
    ]
    a = open_analysis(write_log(lines))
    assert a.n_lines == len(lines)
    recs = [a.record(i) for i in range(a.n_lines)]
    assert isinstance(recs[0], Event)
    errors = {r.line: r.error for r in recs if isinstance(r, Malformed)}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 9]
    assert errors[2].startswith("invalid JSON")
    assert errors[3].startswith("invalid JSON")
    assert errors[4].startswith("invalid UTF-8")
    assert errors[5] == "not a JSON object: an array"
    assert errors[6] == "not a JSON object: a string"
    assert "no type field" in errors[7]
    assert isinstance(recs[7], Blank)
    assert [m.line for m in a.malformed] == [2, 3, 4, 5, 6, 7, 9]
    mal = a.malformed[0]
    assert mal.offset == len(GOOD) + 1 and mal.raw.startswith(b'{"seq": 2')


def test_bom_and_crlf_are_handled(write_log):
    p = write_log([b"\xef\xbb\xbf" + GOOD + b"\r", b'{"seq": 2, "type": "b_set", "data": {}}\r'])
    a = open_analysis(p)
    assert a.n_events == 2 and not a.malformed
    assert a.event(0).seq == 1 and a.event(1).type == "b_set"


def test_unterminated_last_line_is_event_or_pending_tail(write_log):
    a = open_analysis(write_log([GOOD, b'{"seq": 2, "type": "b_set", "data": {}}'], terminated=False))
    last = a.record(1)
    assert isinstance(last, Event) and last.unterminated and a.pending is None
    a = open_analysis(write_log([GOOD, b'{"seq": 2, "type": "b_s'], terminated=False))
    assert isinstance(a.record(1), PendingTail) and a.pending is not None and not a.malformed
    assert a.n_lines == 2


def test_twenty_megabyte_line_is_one_record(write_log):
    big = orjson.dumps({"seq": 1, "type": "blob_set", "data": {"text": "x" * (20 << 20)}})
    a = open_analysis(write_log([big, b"{not json" + b"y" * (20 << 20)]))
    assert a.n_lines == 2 and a.n_events == 1 and len(a.malformed) == 1
    assert len(a.state["blob"]["text"]) == 20 << 20


def test_record_count_equals_physical_lines_on_the_samples(samples):
    for path in samples.glob("*.jsonl"):
        a = open_analysis(path)
        data = path.read_bytes()
        physical = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        assert a.n_lines == physical, path.name
        counted = a.n_events + len(a.malformed) + a.blank_lines + (1 if a.pending else 0)
        assert counted == physical, path.name


def test_malformed_sample_findings(samples):
    a = open_analysis(samples / "malformed.jsonl")
    assert [m.line for m in a.malformed] == [3, 5, 6, 7, 8, 9]
    assert list(a.seqs) == [1, 2, 3, 4, 4, 5, 6, 0, 7, 8, 11, 12]
    assert [(x.kind, x.line) for x in a.anomalies] == [
        ("duplicate_id", 12), ("id_backwards", 15), ("id_gap", 18), ("ts_backwards", 19)
    ]
    assert a.pending is not None and a.pending.line == 20
    assert a.blank_lines == 1


def test_aliases_and_flat_logs(write_log):
    a = open_analysis(write_log([
        {"event_id": 10, "event": "job_started", "timestamp": 1.5, "payload": {"id": "j1"}},
        {"event_id": 11, "event": "job_done", "timestamp": 2.5, "payload": {"id": "j1"}},
    ]))
    assert list(a.seqs) == [10, 11] and a.event(0).ts == 1.5
    assert a.state == {"job": {"j1": {"status": "done", "id": "j1"}}}
    a = open_analysis(write_log([{"type": "file_written", "path": "a", "n": 1}], name="flat.jsonl"))
    assert a.uses_line_numbers and list(a.seqs) == [1]
    assert a.state == {"file": {"a": {"status": "written", "path": "a", "n": 1}}}


def test_an_integer_id_field_named_id_is_detected_but_a_string_one_is_not(write_log):
    a = open_analysis(write_log([{"id": 5, "type": "a_set"}, {"id": 6, "type": "a_set"}]))
    assert list(a.seqs) == [5, 6]
    a = open_analysis(write_log([{"id": "x", "type": "a_set"}], name="s.jsonl"))
    assert list(a.seqs) == [1] and a.state["a"]["x"]["status"] == "set"


def test_the_reader_never_writes_to_the_log(samples, tmp_path):
    p = tmp_path / "copy.jsonl"
    p.write_bytes((samples / "malformed.jsonl").read_bytes())
    os.chmod(p, 0o444)
    before = (p.read_bytes(), p.stat().st_mtime_ns)
    a = open_analysis(p)
    a.update()
    assert (p.read_bytes(), p.stat().st_mtime_ns) == before


lines_strategy = st.lists(
    st.one_of(
        st.builds(lambda s, v: orjson.dumps({"seq": s, "type": "k_set", "data": {"v": v}}),
                  st.integers(0, 50), st.integers(-(2**40), 2**40)),
        st.sampled_from([b"", b"{bad", b"[1]", b"  ", b'{"seq": 1}', b"\xff\xfe"]),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(lines=lines_strategy, cuts=st.lists(st.integers(0, 10_000), max_size=8), data=st.data())
def test_tailing_in_random_chunks_gives_the_same_records_as_reading_whole(tmp_path_factory, lines, cuts, data):
    blob = b"\n".join(lines) + (b"\n" if lines and data.draw(st.booleans()) else b"")
    d = tmp_path_factory.mktemp("tail")
    whole = d / "whole.jsonl"
    whole.write_bytes(blob)
    expected = open_analysis(whole)
    path = d / "tail.jsonl"
    path.write_bytes(b"")
    tailing = Analysis(path)
    tailing.run()
    points = sorted({min(c, len(blob)) for c in cuts} | {len(blob)})
    done = 0
    for p in points:
        with open(path, "ab") as fh:
            fh.write(blob[done:p])
        done = p
        tailing.update()
    assert tailing.warning is None
    got = [tailing.record(i) for i in range(tailing.n_lines)]
    want = [expected.record(i) for i in range(expected.n_lines)]
    assert got == want
    assert bytes(tailing.kinds) == bytes(expected.kinds)
    assert tailing.state == expected.state


def test_a_lazily_indexed_log_shows_its_start_at_once_and_the_rest_after_run(tmp_path):
    p = tmp_path / "big.jsonl"
    line = orjson.dumps({"seq": 0, "type": "x_set", "data": {"pad": "y" * 200}})
    p.write_bytes(b"".join(line.replace(b'"seq":0', b'"seq":%d' % (i + 1)) + b"\n" for i in range(5000)))
    a = Analysis(p, index=False)
    assert 0 < a.log.n_lines < 5000 and not a.log.fully_indexed and not a.log.has_tail
    assert a.record(0).seq == 1
    a.run()
    assert a.log.fully_indexed and a.n_lines == 5000 and a.n_events == 5000
    assert list(a.seqs) == list(range(1, 5001))


def test_a_log_that_shrinks_under_the_reader_is_reported_not_fatal(tmp_path):
    p = tmp_path / "shrink.jsonl"
    p.write_bytes(b"".join(b'{"seq": %d, "type": "a_set", "data": {"pad": "%s"}}\n' % (i, b"x" * 300)
                           for i in range(1, 200)))
    a = Analysis(p)
    a.run()
    with open(p, "r+b") as fh:
        fh.truncate(100)
    # reading lines that are gone gives short bytes (a malformed record), never a crash
    rec = a.record(150)
    assert not isinstance(rec, Event)
    assert a.log.changed() == "shrank"
    a.update()
    assert a.warning and "shrank" in a.warning
    assert a.n_events == 0 and a.pending is not None


def test_an_event_whose_newline_comes_later_is_not_replayed_again(tmp_path):
    p = tmp_path / "nl.jsonl"
    p.write_bytes(GOOD + b"\n" + b'{"seq": 2, "type": "b_set", "data": {}}')
    a = Analysis(p)
    a.run()
    tracker = a.tracker
    assert a.n_events == 2 and a.record(1).unterminated
    assert a.update() == 0 and a.tracker is tracker  # nothing new, nothing redone
    with open(p, "ab") as fh:
        fh.write(b"\n")
    a.update()
    assert a.tracker is tracker and a.n_events == 2 and not a.record(1).unterminated
    with open(p, "ab") as fh:
        fh.write(b'{"seq": 3, "type": "c_set", "data": {}}\n')
    a.update()
    assert a.tracker is tracker and list(a.seqs) == [1, 2, 3]


@settings(max_examples=40, deadline=None)
@given(lengths=st.lists(st.integers(0, 40), min_size=1, max_size=60), chunk=st.integers(1, 64),
       tail=st.booleans())
def test_the_line_index_is_exact_whatever_the_chunk_size(tmp_path_factory, lengths, chunk, tail):
    from agentlog_tui.core.reader import LogFile

    class SmallChunks(LogFile):
        CHUNK = chunk

    blob = b"\n".join(b"x" * n for n in lengths) + (b"" if tail else b"\n")
    p = tmp_path_factory.mktemp("idx") / "l.jsonl"
    p.write_bytes(blob)
    log = SmallChunks(p)
    lines = blob.split(b"\n")
    if not lines[-1]:  # after a final newline (or in an empty file) there is no line
        lines.pop()
    assert [log.line_bytes(i) for i in range(log.n_lines)] == lines
    assert [raw for _, _, raw in log.iter_lines(0, log.n_complete)] == lines[: log.n_complete]
    lazy = SmallChunks(p, index=False)
    while not lazy.index_more(chunk):
        pass
    assert list(lazy.bounds) == list(log.bounds)
    # chunks read into one reused buffer: the same lines, and one buffer (a new one only for a
    # line longer than any before it)
    whole = [(i, j, a, bytes(c)) for i, j, a, c in log.iter_chunks(0, log.n_complete)]
    buffers, longest = [], 0
    reused = []
    for i, j, a, c in log.iter_chunks(0, log.n_complete, reuse=True):
        reused.append((i, j, a, bytes(c)))
        if not any(b is c.obj for b in buffers):
            assert len(c) > longest or not buffers  # a fresh buffer only when a chunk outgrew it
            buffers.append(c.obj)
        longest = max(longest, len(c))
    assert reused == whole
    assert len(buffers) <= 1 + sum(1 for n in lengths if n + 1 > chunk)


def test_chunks_read_into_a_reused_buffer_report_a_log_that_shrank(tmp_path):
    import pytest

    from agentlog_tui.core.reader import LogChangedError, LogFile

    p = tmp_path / "l.jsonl"
    p.write_bytes(b"".join(b'{"n": %d}\n' % i for i in range(100)))
    log = LogFile(p)
    with open(p, "r+b") as fh:
        fh.truncate(50)
    with pytest.raises(LogChangedError):
        for _ in log.iter_chunks(0, log.n_complete, reuse=True):
            pass


def test_records_read_before_the_fields_are_known_are_not_kept(tmp_path):
    """A UI reads lines while the first one (too long for the first index step) is still
    unknown; once detection sees it, those lines are read again with the right fields."""
    p = tmp_path / "long_first.jsonl"
    big = orjson.dumps({"seq": 1, "type": "blob_written", "data": {"text": "x" * (600 << 10)}})
    p.write_bytes(big + b"\n" + b'{"seq": 2, "type": "a_set", "data": {"v": 2}}\n')
    a = Analysis(p, index=False)
    assert a.log.n_lines == 0  # the first line is longer than the first index step
    a.log.index_more()
    early = a.record(1)  # as the timeline would, before run()
    assert isinstance(early, Event) and early.data != {"v": 2}  # fields not detected yet
    a.run()
    assert a.record(1).data == {"v": 2} and a.record(0).data["text"].startswith("xxx")
    assert a.state == {"blob": {"status": "written", "text": "x" * (600 << 10)},
                       "a": {"status": "set", "v": 2}}
