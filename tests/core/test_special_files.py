"""Issue 15, item 4: what is not a log is refused in one line (devices, pipes, /proc files, as a
log or as a snapshot), and compressed logs are read whole, read-only, with no tail."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import stat
from pathlib import Path

import pytest

from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.reader import LogFile, LogReadError
from agentlog_tui.tui.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "sample_logs"
PUBLISH = SAMPLES / "publish_post.jsonl"


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main([os.fspath(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return (0 if code is None else code), out, err


def assert_one_line(code: int, err: str, name, *words: str) -> None:
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert os.fspath(name) in lines[0]
    for w in words:
        assert w in lines[0], (w, err)


DEVICES = [p for p in ("/dev/zero", "/dev/null", "/dev/urandom") if os.path.exists(p)]


@pytest.mark.parametrize("dev", DEVICES)
@pytest.mark.parametrize("cmd", ["state", "check", "compact", "diff"])
def test_character_devices_are_refused(capsys, dev, cmd):
    code, _out, err = run_cli(capsys, cmd, dev)
    assert_one_line(code, err, dev, "character device")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no /proc here")
@pytest.mark.parametrize("cmd", ["state", "check"])
def test_proc_files_are_refused(capsys, cmd):
    code, _out, err = run_cli(capsys, cmd, "/proc/self/status")
    assert_one_line(code, err, "/proc/self/status", "not a log file")


def test_fifo_log_and_snapshot_are_refused_without_blocking(capsys, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _out, err = run_cli(capsys, "state", fifo)
    assert_one_line(code, err, fifo, "pipe")
    code, _out, err = run_cli(capsys, "diff", PUBLISH, "--snapshot", fifo)
    assert_one_line(code, err, fifo, "pipe")


@pytest.mark.parametrize("dev", DEVICES)
def test_snapshot_from_a_device_is_refused(capsys, dev):
    code, _out, err = run_cli(capsys, "diff", PUBLISH, "--snapshot", dev)
    assert_one_line(code, err, dev, "character device", "not a snapshot file")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no /proc here")
def test_snapshot_from_proc_is_refused(capsys):
    code, _out, err = run_cli(capsys, "diff", PUBLISH, "--snapshot", "/proc/self/status")
    assert_one_line(code, err, "/proc/self/status")


def _zstd(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return zstandard.ZstdCompressor().compress(data)


COMPRESSORS = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress, "zstd": _zstd}


def plain_state(path) -> bytes:
    with Analysis(path) as a:
        a.run()
        return canonical(a.state)


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_compressed_logs_are_read_whole(capsys, tmp_path, kind):
    data = PUBLISH.read_bytes()
    p = tmp_path / f"publish.jsonl.{kind}"
    p.write_bytes(COMPRESSORS[kind](data))
    before = (p.read_bytes(), p.stat().st_mtime_ns)
    with Analysis(p) as a:  # the normal entry point (the session list opens them this way)
        a.run()
        assert a.log.compression == kind
        assert a.n_events == 8 and a.n_lines == data.count(b"\n")
        assert canonical(a.state) == plain_state(PUBLISH)
        assert a.log.refresh() == 0 and a.log.changed() is None  # read whole: no tail
    for cmd in ("state", "check", "compact", "diff"):
        code, out, err = run_cli(capsys, cmd, p)
        assert code in (0, 1), (cmd, err)
    code, out, _err = run_cli(capsys, "state", p, "--json")
    _code2, out2, _err = run_cli(capsys, "state", PUBLISH, "--json")
    assert out == out2
    assert (p.read_bytes(), p.stat().st_mtime_ns) == before  # read-only


def test_a_compressed_file_that_changes_is_a_new_file(tmp_path):
    p = tmp_path / "log.jsonl.gz"
    p.write_bytes(gzip.compress(PUBLISH.read_bytes()))
    with LogFile(p) as log:
        assert log.changed() is None
        with open(p, "ab") as fh:
            fh.write(gzip.compress(b'{"seq": 9, "type": "x_set", "data": {}}\n'))
        assert log.changed() == "rewritten"


@pytest.mark.parametrize("kind", ["gzip", "xz", "bzip2"])
def test_truncated_compressed_log_is_one_line(capsys, tmp_path, kind):
    p = tmp_path / f"cut.jsonl.{kind}"
    blob = COMPRESSORS[kind](PUBLISH.read_bytes() * 20)
    p.write_bytes(blob[: len(blob) // 2])
    code, _out, err = run_cli(capsys, "check", p)
    assert_one_line(code, err, p, kind, "corrupt or truncated")


def test_zstd_without_the_package_is_named(monkeypatch, tmp_path):
    import sys

    p = tmp_path / "log.jsonl.zst"
    p.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 20)
    monkeypatch.setitem(sys.modules, "zstandard", None)  # import fails
    with pytest.raises(LogReadError, match="zstd-compressed.*zstandard"):
        LogFile(p)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="no /proc here")
def test_logfile_is_a_context_manager_and_leaks_no_descriptor(tmp_path):
    before = _open_fds()
    for _ in range(50):
        with LogFile(PUBLISH) as log:
            assert log.n_lines == 8
    assert _open_fds() == before
    for _ in range(50):
        LogFile(PUBLISH)  # dropped without close()
    import gc

    gc.collect()
    assert _open_fds() == before
    gz = tmp_path / "x.jsonl.gz"
    gz.write_bytes(gzip.compress(PUBLISH.read_bytes()))
    for _ in range(20):
        with Analysis(gz) as a:
            a.run()
    assert _open_fds() == before
    with pytest.raises(LogReadError):
        LogFile("/dev/zero")
    assert _open_fds() == before


def test_regular_file_mode_checked_not_the_name(tmp_path):
    p = tmp_path / "looks.gz"  # a plain log named .gz is read as plain text
    p.write_bytes(PUBLISH.read_bytes())
    with LogFile(p) as log:
        assert log.compression is None and stat.S_ISREG(os.stat(p).st_mode)
