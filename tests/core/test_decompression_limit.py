"""A compressed log that decompresses to far more than a log could be (a decompression bomb) is
refused in one line naming the compression and the size reached; a normal one is read."""

from __future__ import annotations

import gzip
import os
import zlib

import pytest

from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.reader import (
    MAX_DECOMPRESSED_ENV,
    MAX_DECOMPRESSED_FLOOR,
    MAX_RATIO,
    DecompressionLimitError,
    LogFile,
    LogReadError,
    decompression_limit,
)
from agentlog_tui.core.sessions import open_bytes
from agentlog_tui.tui.cli import main

zstandard = pytest.importorskip("zstandard")

BOMB_BYTES = 16 << 20  # 16 MiB of zeros: ~16 KiB of gzip, ~0.5 KiB of zstd
SMALL_LIMIT = "1M"  # a floor of 1 MiB for the test, so the bomb need not be gigabytes


def gzip_bomb() -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip wrapper
    block = bytes(1 << 20)
    return b"".join([*(z.compress(block) for _ in range(BOMB_BYTES >> 20)), z.flush()])


def zstd_bomb() -> bytes:
    return zstandard.ZstdCompressor(level=1).compress(bytes(BOMB_BYTES))


BOMBS = {"gzip": gzip_bomb, "zstd": zstd_bomb}


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return code or 0, out, err


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_a_decompression_bomb_is_refused_in_one_line(capsys, monkeypatch, tmp_path, kind):
    monkeypatch.setenv(MAX_DECOMPRESSED_ENV, SMALL_LIMIT)
    p = tmp_path / f"bomb.jsonl.{'gz' if kind == 'gzip' else 'zst'}"
    p.write_bytes(BOMBS[kind]())
    compressed = p.stat().st_size
    assert BOMB_BYTES > MAX_RATIO * compressed  # far more than a log compresses
    limit = decompression_limit(compressed)
    assert limit == max(1 << 20, MAX_RATIO * compressed) < BOMB_BYTES
    with pytest.raises(DecompressionLimitError) as info:
        LogFile(p)
    assert isinstance(info.value, LogReadError)
    for cmd in ("state", "check"):
        code, out, err = run_cli(capsys, cmd, p)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and "Traceback" not in err
        assert str(p) in err and kind in err and "decompression bomb" in err
        assert MAX_DECOMPRESSED_ENV in err  # and how to read it anyway
        assert "more than 1.0 MiB" in err or f"more than {limit / 2**20:.1f} MiB" in err
    # the session list and `find` read compressed logs as a stream: refused there too
    with pytest.raises(DecompressionLimitError), open_bytes(p) as f:
        while f.read(1 << 16):
            pass


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_the_limit_is_raised_by_the_environment(monkeypatch, tmp_path, kind):
    p = tmp_path / f"bomb.jsonl.{'gz' if kind == 'gzip' else 'zst'}"
    p.write_bytes(BOMBS[kind]())
    monkeypatch.setenv(MAX_DECOMPRESSED_ENV, "32M")
    with LogFile(p) as log:  # read: one line of zeros, unterminated
        assert log.size == BOMB_BYTES and log.n_lines == 1
    monkeypatch.setenv(MAX_DECOMPRESSED_ENV, "none")
    assert decompression_limit(10) is None
    monkeypatch.setenv(MAX_DECOMPRESSED_ENV, "lots")
    with pytest.raises(LogReadError, match=MAX_DECOMPRESSED_ENV):
        LogFile(p)


def test_the_default_limit_is_a_gibibyte_or_two_hundred_times_the_file(monkeypatch):
    monkeypatch.delenv(MAX_DECOMPRESSED_ENV, raising=False)
    assert MAX_DECOMPRESSED_FLOOR == 1 << 30 and MAX_RATIO == 200
    assert decompression_limit(1000) == 1 << 30  # a small file may give up to 1 GiB
    assert decompression_limit(100 << 20) == 200 * (100 << 20)  # a big one 200x its size
    monkeypatch.setenv(MAX_DECOMPRESSED_ENV, "16G")
    assert decompression_limit(1000) == 16 << 30
    monkeypatch.setenv(MAX_DECOMPRESSED_ENV, "500MiB")
    assert decompression_limit(1000) == 500 << 20


def normal_log(n: int = 2000) -> bytes:
    return b"".join(
        b'{"seq": %d, "ts": "2026-11-26T10:00:00Z", "type": "step_done", "data": {"n": %d}}\n'
        % (i, i * 7919 % 1000)
        for i in range(1, n + 1)
    )


@pytest.mark.parametrize("kind", ["gzip", "zstd"])
def test_a_normal_compressed_log_reads_as_its_plain_text(tmp_path, kind):
    data = normal_log()
    plain = tmp_path / "log.jsonl"
    plain.write_bytes(data)
    packed = tmp_path / f"log.jsonl.{'gz' if kind == 'gzip' else 'zst'}"
    if kind == "gzip":
        packed.write_bytes(gzip.compress(data))
    else:  # two frames, as a log compressed in pieces is
        c = zstandard.ZstdCompressor(level=3)
        half = data.index(b"\n", len(data) // 2) + 1
        packed.write_bytes(c.compress(data[:half]) + c.compress(data[half:]))
    assert len(data) < MAX_RATIO * packed.stat().st_size  # not a bomb
    with Analysis(packed) as a, Analysis(plain) as b:
        a.run()
        b.run()
        assert a.log.compression == kind
        assert a.n_events == b.n_events == 2000 and not a.malformed
        assert canonical(a.state) == canonical(b.state)
    with open_bytes(packed) as f:
        assert f.read() == data
    assert os.path.exists(packed)
