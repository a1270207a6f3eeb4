"""Issue 15, item 5 (core part): a rewrite in the middle of what was read is noticed, and a run
that fails part-way leaves nothing half-added for the next run to add again."""

from __future__ import annotations

import os

import pytest

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.reader import LogChangedError, LogFile


def lines(n: int) -> list[dict]:
    return [{"seq": i, "type": "task_set", "data": {"id": f"t{i % 7}", "v": i}} for i in range(1, n + 1)]


def test_a_rewrite_in_the_middle_is_noticed(write_log):
    p = write_log(lines(3000))
    with LogFile(p) as log:
        log.VERIFY_BLOCK = 4096
        for _ in range(3):
            assert log.changed() is None  # checksums taken, nothing changed
        n_blocks = len(log._blocks)
        assert n_blocks > 10
        middle = log.size // 2
        with open(p, "r+b") as fh:  # same size, one byte in the middle (a digit)
            fh.seek(middle)
            b = fh.read(1)
            fh.seek(middle)
            fh.write(b"7" if b != b"7" else b"8")
        st = os.stat(p)
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
        seen = [log.changed() for _ in range(n_blocks + 1)]
        assert "rewritten" in seen


def test_analysis_reloads_after_a_rewrite_in_the_middle(write_log):
    p = write_log(lines(2000))
    with Analysis(p) as a:
        a.run()
        a.log.VERIFY_BLOCK = 4096
        a.update()  # the live tail's first poll takes the checksums
        data = p.read_bytes()
        i = data.index(b'"v":1000}')
        p.write_bytes(data[:i] + b'"v":9999}' + data[i + 9:])  # the same length
        for _ in range(200):
            a.update()
            if a.warning:
                break
        assert a.warning and "rewritten" in a.warning
        assert a.n_events == 2000
        assert any(a.state_at(1000)[1]["task"][k].get("v") == 9999 for k in a.state_at(1000)[1]["task"])


@pytest.mark.parametrize("native", [True, False], ids=["C loop", "Python loop"])
def test_a_failed_run_adds_nothing_twice(write_log, native, monkeypatch):
    if not native:
        monkeypatch.setattr(Analysis, "native", None)
    p = write_log(lines(3000))
    data = p.read_bytes()
    with Analysis(p) as a:
        with open(p, "r+b") as fh:
            fh.truncate(len(data) // 2)
        with pytest.raises(LogChangedError):
            a.run()
        assert a.n_events == 0 and a.n_lines == 0  # nothing half-added
        p.write_bytes(data)
        a.update()
        assert a.n_events == 3000 and a.n_lines == 3000
        assert not a.malformed
