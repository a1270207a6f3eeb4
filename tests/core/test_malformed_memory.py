"""Malformed lines cost little memory, in proportion to their number (issue 15, item 7: 10^6 bad
lines took ~300 MB for `state` and ~800 MB for `check --json`, ~370 bytes per record).

Counted with tracemalloc at N and 4N lines, never timed."""

from __future__ import annotations

import gc
import io
import random
import tracemalloc

import orjson

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.events import Malformed, MalformedLines
from agentlog_tui.core.jsonvalue import to_json
from agentlog_tui.core.report_stream import iter_json, malformed_json, plain, write_json

N = 4_000


def bad_lines(n: int, seed: int = 0) -> bytes:
    """n malformed lines of several kinds (bad JSON at varying columns, not objects, no type)."""
    rnd = random.Random(seed)
    kinds = [b"{", b"[1, 2]", b'{"no_type": 1}', b"garbage", b'"text"', b'{"a": tru']
    out = []
    for _ in range(n):
        k = rnd.choice(kinds)
        out.append(k + b" " * rnd.randrange(4) + b"x" * rnd.randrange(3))
    return b"\n".join(out) + b"\n"


def retained_per_line(path, n: int) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        a = Analysis(path)
        a.run()
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(a.malformed) == n
    a.close()
    return held / n


class Sink:
    """A text stream that counts what is written to it and keeps nothing."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, s: str) -> int:
        self.chars += len(s)
        return len(s)


def check_output_peak(path) -> int:
    """Bytes allocated at the peak while `check --json`'s malformed list is written, beyond what
    the analysis holds."""
    a = Analysis(path)
    a.run()
    doc = {"events": a.n_events, "malformed": malformed_json(a.malformed)}
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        sink = Sink()
        write_json(doc, sink)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
        a.close()
    assert sink.chars > 40 * len(a.malformed)
    return peak


def test_a_malformed_line_is_held_in_a_few_dozen_bytes_at_n_and_4n(tmp_path):
    small, big = tmp_path / "n.jsonl", tmp_path / "4n.jsonl"
    small.write_bytes(bad_lines(N))
    big.write_bytes(bad_lines(4 * N, seed=1))
    per_n = retained_per_line(small, N)
    per_4n = retained_per_line(big, 4 * N)
    # what a line costs in all: the line index (8 bytes), its kind and position (5), the
    # tracker's per-line room (13), and the compact record (16 bytes: line, offset, length,
    # message id) with the arrays' slack: ~45 bytes (it was ~370)
    assert per_4n < 64, per_4n
    assert per_n < 120, per_n  # the few distinct messages weigh more on fewer lines
    assert per_4n <= per_n * 1.1, (per_n, per_4n)  # linear: no growth per line with N


def test_writing_check_json_holds_a_bounded_amount_whatever_the_number_of_malformed_lines(tmp_path):
    small, big = tmp_path / "n.jsonl", tmp_path / "4n.jsonl"
    small.write_bytes(bad_lines(N))
    big.write_bytes(bad_lines(4 * N, seed=1))
    peak_n, peak_4n = check_output_peak(small), check_output_peak(big)
    # one chunk of entries at a time: the same peak for N and 4N lines (the whole document,
    # as before, was ~400 bytes per line: 6 MB at 4N)
    assert peak_4n < 2 << 20, peak_4n
    assert peak_4n < peak_n * 1.5 + (256 << 10), (peak_n, peak_4n)


def test_malformed_records_read_their_raw_bytes_back_from_the_log(tmp_path):
    data = bad_lines(50) + b'{"type": "a_set", "data": {}}\n' + b"\xff\xfe bad utf-8\r\n"
    p = tmp_path / "log.jsonl"
    p.write_bytes(data)
    a = Analysis(p)
    a.run()
    lines = data.split(b"\n")
    assert isinstance(a.malformed, MalformedLines) and len(a.malformed) == 51
    for m in a.malformed:
        assert m.raw == lines[m.line - 1]
        assert a.record(m.line - 1) == m  # the record the timeline shows is the same record
    last = a.malformed[-1]
    assert last.raw == b"\xff\xfe bad utf-8\r" and last.error.startswith("invalid UTF-8")
    assert a.malformed[-2:] == [a.malformed[49], last]
    assert a.malformed == list(a.malformed) and a.malformed != []
    a.close()


def test_malformed_is_immutable_and_equal_by_value():
    m = Malformed(3, 10, b"{", "invalid JSON: x")
    assert (
        m == Malformed(3, 10, b"{", "invalid JSON: x") != Malformed(3, 10, b"[", "invalid JSON: x")
    )
    assert hash(m) == hash(Malformed(3, 10, b"{", "invalid JSON: x"))
    stored = Malformed.stored(3, 10, 1, "invalid JSON: x", lambda a, b: b"...{"[a - 7 : b - 7])
    assert stored == m and stored.raw == b"{"
    try:
        m.line = 4  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("a Malformed record was changed")


def test_check_json_streamed_is_byte_for_byte_the_document_it_was(tmp_path, samples):
    # the streamed writer gives what `to_json(doc, indent=True)` gave for the whole document
    for path in [*samples.glob("*.jsonl"), tmp_path / "bad.jsonl"]:
        if path.name == "bad.jsonl":
            path.write_bytes(bad_lines(2500))  # more than one chunk of entries
        a = Analysis(path)
        a.run()
        doc = {
            "format": a.format.name,
            "lines": a.n_lines,
            "malformed": malformed_json(a.malformed),
            "anomalies": [],
            "pending_tail": False,
        }
        old = {
            **doc,
            "malformed": [
                {"line": m.line, "offset": m.offset, "error": m.error} for m in a.malformed
            ],
        }
        out = io.StringIO()
        write_json(doc, out)
        assert out.getvalue() == to_json(old, indent=True).decode() + "\n", path.name
        assert b"".join(iter_json(doc)) == to_json(plain(doc), indent=True) + b"\n"
        assert orjson.loads(out.getvalue())["malformed"] == old["malformed"]
        a.close()
    empty = io.StringIO()
    write_json({"malformed": malformed_json([])}, empty)
    assert empty.getvalue() == '{\n  "malformed": []\n}\n'


def test_offsets_past_four_gibibytes_widen_the_arrays():
    reads = []

    def read(a: int, b: int) -> bytes:
        reads.append((a, b))
        return b"x" * (b - a)

    ml = MalformedLines(read)
    ml.append(Malformed(1, 0, b"{", "invalid JSON: a"))
    far = 5 << 32  # a line 20 GiB into a log
    ml.append(Malformed.stored(2**33, far, 3, "invalid JSON: b", read))
    ml.append(Malformed(2**33 + 1, far + 4, b"[]", "not a JSON object: an array"))
    assert [(m.line, m.offset, m.error) for m in ml] == [
        (1, 0, "invalid JSON: a"),
        (2**33, far, "invalid JSON: b"),
        (2**33 + 1, far + 4, "not a JSON object: an array"),
    ]
    assert ml[1].raw == b"xxx" and reads[-1] == (far, far + 3)
    assert ml.pop().line == 2**33 + 1 and len(ml) == 2
