"""Reading a log read-only: a byte-offset line index, and one record per physical line.

The index is built without parsing (so a large log can be shown before it is parsed); parsing is
done per line with orjson, on demand or in one pass. Every physical line becomes exactly one
record; nothing raises out of here for bad content.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import os
import stat
import zlib
from array import array
from pathlib import Path
from typing import Any, Self

import orjson

from agentlog_tui.core.events import Blank, Event, Malformed, PendingTail, Record
from agentlog_tui.core.formats.base import Mapper, MappingError
from agentlog_tui.core.native import _fastloop

BOM = b"\xef\xbb\xbf"


class LogReadError(OSError):
    """The log cannot be opened or read (the message names the file and the problem)."""


# First bytes of the compressed files a log may come as.
COMPRESSIONS = ((b"\x1f\x8b", "gzip"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"BZh", "bzip2"),
                (b"\xfd7zXZ\x00", "xz"))


def compression_of(head: bytes) -> str | None:
    """The compression a file's first bytes name, or None for plain text."""
    for magic, name in COMPRESSIONS:
        if head.startswith(magic):
            return name
    return None


def check_log_path(path: Path) -> os.stat_result:
    """The file's stat when it can be read as a log; one line saying why not otherwise.

    Only regular files are logs: a directory, a pipe or socket (reading may block forever), a
    character or block device (/dev/zero never ends, /dev/null is no log) and the files of
    /proc and /sys (made up as they are read, their size says 0) are refused."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise LogReadError(_describe_os_error(path, exc)) from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise LogReadError(f"{path}: is a directory, not a log file")
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        raise LogReadError(f"{path}: is a pipe, not a file (save the log to a file first)")
    if stat.S_ISCHR(mode):
        raise LogReadError(f"{path}: is a character device, not a log file")
    if stat.S_ISBLK(mode):
        raise LogReadError(f"{path}: is a block device, not a log file")
    if not stat.S_ISREG(mode):
        raise LogReadError(f"{path}: is not a regular file")
    real = os.path.realpath(path)
    if real.startswith(("/proc/", "/sys/")):
        raise LogReadError(f"{path}: is a file of {real.split('/')[1]!r} (made up as it is read), "
                           "not a log file")
    return st


# A decompression bomb (a few kilobytes that decompress to terabytes) is refused: decompressed
# output may exceed neither MAX_DECOMPRESSED_FLOOR nor MAX_RATIO times the compressed size,
# whichever is larger. Real logs compress 5-50x; AGENTLOG_MAX_DECOMPRESSED=SIZE (e.g. 16G, or
# "none") raises the floor.
MAX_RATIO = 200
MAX_DECOMPRESSED_FLOOR = 1 << 30
MAX_DECOMPRESSED_ENV = "AGENTLOG_MAX_DECOMPRESSED"
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _size_text(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover - the loop returns


def decompression_limit(compressed_size: int) -> int | None:
    """How many decompressed bytes a compressed log of `compressed_size` bytes may give before
    it is refused as a decompression bomb (None: no limit, `AGENTLOG_MAX_DECOMPRESSED=none`)."""
    floor = MAX_DECOMPRESSED_FLOOR
    text = os.environ.get(MAX_DECOMPRESSED_ENV, "").strip()
    if text:
        if text.lower() in ("none", "0", "unlimited"):
            return None
        t = text.upper().removesuffix("IB").removesuffix("B")
        unit = t[-1:] if t[-1:] in _UNITS else ""
        try:
            floor = int(float(t[: len(t) - len(unit)]) * _UNITS[unit])
        except ValueError:
            raise LogReadError(f"{MAX_DECOMPRESSED_ENV}={text!r} is not a size "
                               "(e.g. 16G, 500M, or none)") from None
    return max(floor, MAX_RATIO * compressed_size)


class DecompressionLimitError(LogReadError):
    """A compressed log decompresses to more than `decompression_limit` allows."""

    def __init__(self, path: str | os.PathLike[str], kind: str, reached: int,
                 compressed: int) -> None:
        super().__init__(
            f"{path}: {kind} data decompresses to more than {_size_text(reached)} "
            f"({reached // max(compressed, 1)}x its {_size_text(compressed)}): refused as a "
            f"possible decompression bomb; set {MAX_DECOMPRESSED_ENV}=SIZE (e.g. 16G) to read more")


class CappedReader(io.RawIOBase):
    """A decompressing stream that raises `DecompressionLimitError` past the limit."""

    def __init__(self, stream: Any, path: str | os.PathLike[str], kind: str,
                 compressed: int) -> None:
        self._stream = stream
        self._path, self._kind, self._compressed = path, kind, compressed
        self._limit = decompression_limit(compressed)
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        want = len(b)
        if self._limit is not None:
            want = min(want, self._limit + 1 - self.total)  # one byte past says "too much"
        data = self._stream.read(max(want, 1))
        n = len(data)
        self.total += n
        if self._limit is not None and self.total > self._limit:
            raise DecompressionLimitError(self._path, self._kind, self._limit, self._compressed)
        b[:n] = data
        return n

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(Exception):
                self._stream.close()
        super().close()


def capped(stream: Any, path: str | os.PathLike[str], kind: str,
           compressed: int | None = None) -> io.BufferedReader:
    """`stream` (a decompressing reader) read through `CappedReader`, buffered."""
    if compressed is None:
        try:
            compressed = os.stat(path).st_size
        except OSError:
            compressed = 0
    return io.BufferedReader(CappedReader(stream, path, kind, compressed), 1 << 16)


def _decompress(path: Path, fd: int, kind: str) -> int:
    """A descriptor of an anonymous temporary file holding the decompressed bytes of `fd`
    (at most `decompression_limit` of them: a bomb is refused in one line)."""
    import tempfile

    if kind == "zstd":
        try:
            import zstandard
        except ImportError:
            raise LogReadError(f"{path}: is zstd-compressed and the zstandard package is not "
                               "installed (pip install zstandard, or decompress it first)") from None
    tmp = tempfile.TemporaryFile(prefix="agentlog-")  # noqa: SIM115 - its descriptor outlives it
    try:
        with os.fdopen(os.dup(fd), "rb") as raw:
            raw.seek(0)
            if kind == "gzip":
                import gzip

                stream: Any = gzip.GzipFile(fileobj=raw, mode="rb")
            elif kind == "bzip2":
                import bz2

                stream = bz2.BZ2File(raw, "rb")
            elif kind == "xz":
                import lzma

                stream = lzma.LZMAFile(raw, "rb")  # noqa: SIM115 - closed by the with below
            else:
                stream = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            limit = decompression_limit(os.fstat(fd).st_size)
            with stream:
                total = 0
                while buf := stream.read(1 << 20):
                    total += len(buf)
                    if limit is not None and total > limit:
                        raise DecompressionLimitError(path, kind, limit, os.fstat(fd).st_size)
                    tmp.write(buf)
        tmp.flush()
        out = os.dup(tmp.fileno())
    except LogReadError:
        raise
    except OSError as exc:
        if exc.errno is not None:  # the disk, not the data (ENOSPC in the temporary folder...)
            raise LogReadError(f"{path}: cannot decompress ({kind}): {exc.strerror or exc}") from None
        raise LogReadError(f"{path}: {kind} data is corrupt or truncated ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - EOFError, zstd and lzma errors: bad data, one line
        raise LogReadError(f"{path}: {kind} data is corrupt or truncated "
                           f"({type(exc).__name__}: {exc})") from None
    finally:
        tmp.close()
    return out


class LogChangedError(LogReadError):
    """The log shrank or was rewritten while it was being read: what was read is not the file."""


def _describe_os_error(path: Path, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"{path}: {reason.lower() if reason else 'cannot read'}"


class LogFile:
    """A log file opened read-only, with an index of where each line starts.

    Bytes are read with `pread`, never memory-mapped: a log that shrinks under a mapping would
    kill the process (SIGBUS) when the vanished pages are touched; a short read is harmless.
    `refresh()` reads what was appended since; `changed()` tells whether the file shrank, was
    replaced, or had already-read bytes rewritten (then the caller reloads).
    """

    CHUNK = 4 << 20

    def __init__(self, path: str | os.PathLike[str], *, index: bool = True) -> None:
        self.path = Path(path)
        # bounds[i] is where line i starts and bounds[i + 1] just past its newline: one append
        # adds a line whole, so a reader in another thread never sees half of one
        self.bounds = array("Q", [0])
        self.scanned = 0  # bytes searched for newlines so far
        self.size = 0
        self._index_on_open = index
        self._fd: int | None = None
        self._inode: tuple[int, int] | None = None
        self._probe = b""  # the last bytes of the indexed part, to notice rewrites
        self._head = b""  # the first bytes of the file, likewise
        self._blocks: list[tuple[int, int, int]] = []  # (start, end, crc32) of read bytes
        self._hashed = 0  # bytes covered by _blocks
        self._verify_next = 0
        self.compression: str | None = None  # "gzip", "zstd"...: read whole, never tailed
        self._source: tuple[int, int, int, int] | None = None  # a compressed file's identity
        self.open()

    # ---- opening and growing ---------------------------------------------------------------

    def open(self) -> None:
        """(Re)open the file and index it from the start (or only open it, with `index=False`:
        then `index_more()` builds the index in steps, e.g. in a worker while a UI shows).

        A compressed log (gzip, zstd, bzip2, xz, told by its first bytes) is decompressed whole
        into an anonymous temporary file that is then read like a log that does not grow."""
        self.close()
        st = check_log_path(self.path)
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError as exc:
            raise LogReadError(_describe_os_error(self.path, exc)) from None
        try:
            st = os.fstat(fd)
            magic = os.pread(fd, 6, 0)
            self.compression = compression_of(magic)
            if self.compression is not None:
                self._source = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
                plain = _decompress(self.path, fd, self.compression)
                os.close(fd)
                fd = plain
            self._fd = fd
            self._inode = (st.st_dev, st.st_ino)
            self._blocks, self._hashed, self._verify_next = [], 0, 0
            self.bounds = array("Q", [0])
            self.scanned = 0
            self.size = os.fstat(fd).st_size
            self._head = os.pread(fd, 64, 0)
        except LogReadError:
            self._close_fd(fd)
            raise
        except OSError as exc:  # e.g. EISDIR on odd filesystems, EIO
            self._close_fd(fd)
            raise LogReadError(_describe_os_error(self.path, exc)) from None
        if self._index_on_open:
            self.index_more()

    def _close_fd(self, fd: int) -> None:
        self._fd = None
        with contextlib.suppress(OSError):
            os.close(fd)

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # a LogFile dropped without close() does not keep its descriptor
        fd = getattr(self, "_fd", None)
        if fd is not None:
            self._fd = None
            with contextlib.suppress(OSError):
                os.close(fd)

    def _pread(self, length: int, offset: int) -> bytes:
        if self._fd is None or length <= 0:
            return b""
        try:
            return os.pread(self._fd, length, offset)
        except OSError:
            return b""

    def _pread_into(self, view: memoryview, offset: int) -> int:
        """Read len(view) bytes at `offset` into `view` (a reused buffer: a fresh 4 MB bytes
        object per chunk costs the process about 2,000 page faults, every chunk); the count read,
        short at the end of the file or on an error."""
        if self._fd is None:
            return 0
        got, n = 0, len(view)
        try:
            while got < n:
                k = os.preadv(self._fd, [view[got:]], offset + got)
                if k <= 0:
                    break
                got += k
        except OSError:
            pass
        return got

    def index_more(self, max_bytes: int | None = None) -> bool:
        """Extend the line index over up to `max_bytes` more bytes; True when it is complete."""
        limit = self.size if max_bytes is None else min(self.size, self.scanned + max_bytes)
        self._index_from(self.complete_end, limit)
        return self.fully_indexed

    @property
    def fully_indexed(self) -> bool:
        return self.scanned >= self.size

    @property
    def complete_end(self) -> int:
        """The offset just past the last newline."""
        return self.bounds[-1]

    def _index_from(self, pos: int, limit: int | None = None) -> None:
        end = self.size if limit is None else limit
        bounds = self.bounds
        start = pos  # start of the line being looked at
        chunk_at = pos
        # with the C scan, every chunk is read into one buffer (see _pread_into)
        buf = memoryview(bytearray(min(self.CHUNK, end - chunk_at))) if (
            _fastloop is not None and end > chunk_at) else None
        while chunk_at < end:
            if buf is not None:
                chunk = buf[: self._pread_into(buf[: min(self.CHUNK, end - chunk_at)], chunk_at)]
            else:
                chunk = self._pread(min(self.CHUNK, end - chunk_at), chunk_at)
            if not chunk:  # the file shrank under us: changed() will say so
                end = chunk_at
                break
            i = max(0, start - chunk_at)  # a line may have begun in an earlier chunk
            if _fastloop is not None:
                found = _fastloop.line_starts(chunk, i, chunk_at)
                if found:
                    bounds.frombytes(found)
                    start = bounds[-1]
            else:
                find = chunk.find
                while True:
                    nl = find(b"\n", i)
                    if nl < 0:
                        break
                    start = chunk_at + nl + 1
                    bounds.append(start)
                    i = nl + 1
            chunk_at += len(chunk)
        self.scanned = max(self.scanned, end)
        lo = max(0, start - 64)
        self._probe = self._pread(start - lo, lo)

    def changed(self) -> str | None:
        """Why the file can no longer be read by appending ("shrank", "replaced", "rewritten")."""
        try:
            st = os.stat(self.path)
        except OSError:
            return "replaced"
        if self.compression is not None:  # read whole: any change to the file is a new file
            if (st.st_dev, st.st_ino) != self._inode:
                return "replaced"
            if (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) != self._source:
                return "rewritten"
            return None
        if (st.st_dev, st.st_ino) != self._inode:
            return "replaced"
        if st.st_size < max(self.complete_end, self.size):
            return "shrank"
        if self._probe and self._pread(len(self._probe), self.complete_end - len(self._probe)) != self._probe:
            return "rewritten"
        if self._verify_block():
            return "rewritten"
        if self._head and self._pread(len(self._head), 0) != self._head[: max(0, min(len(self._head), st.st_size))]:
            return "rewritten"
        return None

    # A rewrite in the middle of what was read is found by checksums of the read bytes in blocks,
    # taken a bounded amount per changed() call (nothing for a log that is read once, as the CLI
    # does) and checked one block per call in turn: every block is checked again within
    # len(blocks) calls, at the cost of one block's read per call.
    VERIFY_BLOCK = 256 << 10
    HASH_STEP = 4 << 20

    def _verify_block(self) -> bool:
        """True when one of the blocks read before no longer has its checksum."""
        blocks = self._blocks
        end = min(self.complete_end, self._hashed + self.HASH_STEP)
        while self._hashed < end:  # checksums of what was read since (bounded per call)
            if blocks and blocks[-1][1] - blocks[-1][0] < self.VERIFY_BLOCK:
                a, b, h = blocks[-1]
                n = min(self.VERIFY_BLOCK - (b - a), end - b)
                data = self._pread(n, b)
                if len(data) != n:
                    return True
                blocks[-1] = (a, b + n, zlib.crc32(data, h))
            else:
                a = self._hashed
                n = min(self.VERIFY_BLOCK, end - a)
                data = self._pread(n, a)
                if len(data) != n:
                    return True
                blocks.append((a, a + n, zlib.crc32(data)))
            self._hashed += n
        if not blocks:
            return False
        k = self._verify_next % len(blocks)
        self._verify_next = k + 1
        a, b, h = blocks[k]
        return zlib.crc32(self._pread(b - a, a)) != h

    def refresh(self) -> int:
        """Index bytes appended since the last read; the number of new complete lines."""
        if self._fd is None:
            return 0
        size = os.fstat(self._fd).st_size
        if size <= self.size:
            return 0
        before = self.n_complete
        complete = self.fully_indexed
        self.size = size
        if len(self._head) < 64:
            self._head = self._pread(64, 0)
        if complete:
            self._index_from(self.complete_end)
        return self.n_complete - before

    # ---- access ------------------------------------------------------------------------------

    @property
    def n_complete(self) -> int:
        return len(self.bounds) - 1

    @property
    def has_tail(self) -> bool:
        """True when bytes follow the last newline (an unterminated last line)."""
        return self.scanned >= self.size > self.complete_end

    @property
    def n_lines(self) -> int:
        """Physical lines: complete ones plus the unterminated tail, if any."""
        return len(self.bounds) - 1 + (1 if self.has_tail else 0)

    def line_span(self, i: int) -> tuple[int, int]:
        """Byte span of line i (0-based), without its newline."""
        bounds = self.bounds
        n = len(bounds) - 1
        if 0 <= i < n:
            return bounds[i], bounds[i + 1] - 1
        if i == n and self.has_tail:
            return bounds[n], self.size
        raise IndexError(i)

    def line_bytes(self, i: int) -> bytes:
        a, b = self.line_span(i)
        return self._pread(b - a, a)

    def bytes_range(self, a: int, b: int) -> bytes:
        return self._pread(b - a, a)

    def iter_chunks(self, start: int, stop: int, max_lines: int | None = None, reuse: bool = False):
        """(i, j, base, chunk) covering complete lines start..stop-1: lines i..j-1 read in one
        chunk whose first byte is at offset `base` (line k is chunk[bounds[k] - base :
        bounds[k + 1] - 1 - base]).

        With `reuse`, every chunk is a memoryview into one buffer (see `_pread_into`), good until
        the next chunk is read: the caller copies (`bytes(...)`) what it keeps."""
        bounds = self.bounds
        i = start
        buf: memoryview | None = None
        while i < stop:
            a = bounds[i]
            # as many whole lines as fit in one chunk (at least one): the last j with
            # bounds[j] <= a + CHUNK
            j = bisect.bisect_right(bounds, a + self.CHUNK, i + 1, stop + 1) - 1
            j = max(j, i + 1)
            if max_lines is not None:
                j = min(j, i + max_lines)
            n = bounds[j] - a
            if reuse:
                if buf is None or len(buf) < n:  # one buffer: the first chunk's size, or a longer line's
                    buf = memoryview(bytearray(max(n, min(self.CHUNK, bounds[stop] - a))))
                chunk = buf[: self._pread_into(buf[:n], a)]
            else:
                chunk = self._pread(n, a)
            if len(chunk) != n:  # the file shrank (or failed) under the index
                raise LogChangedError(f"{self.path}: the file shrank while it was being read "
                                      "(truncated or rewritten); read it again")
            yield i, j, a, chunk
            i = j

    def iter_lines(self, start: int, stop: int):
        """(line, offset, raw) for complete lines start..stop-1, read in large chunks."""
        bounds = self.bounds
        for i, j, a, chunk in self.iter_chunks(start, stop):
            for k in range(i, j):
                yield k, bounds[k], chunk[bounds[k] - a : bounds[k + 1] - 1 - a]


def parse_line(raw: bytes, first: bool = False) -> tuple[Any, str | None]:
    """Parse one line's bytes; (value, None) or (None, the parser's message)."""
    if first and raw.startswith(BOM):
        raw = raw[3:]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError as exc:
        msg = str(exc)
        if "utf-8" in msg.lower() or "surrogate" in msg.lower():
            return None, f"invalid UTF-8: {msg}"
        return None, f"invalid JSON: {msg}"


def _type_name(v: Any) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number",
            bool: "a boolean", type(None): "null"}.get(type(v), type(v).__name__)


# Event ids are kept in a signed 64-bit array: an id outside it makes its line malformed.
ID_MIN, ID_MAX = -(1 << 63), (1 << 63) - 1


def make_record(i: int, offset: int, raw: bytes, mapper: Mapper, terminated: bool) -> Record:
    """Turn line i (0-based) into its record. Never raises for bad content."""
    line = i + 1
    if not raw or raw.isspace():
        if terminated:
            return Blank(line, offset)
        return PendingTail(line, offset, raw) if raw else Blank(line, offset)
    value, err = parse_line(raw, first=(i == 0))
    if err is not None:
        if not terminated:
            return PendingTail(line, offset, raw)
        return Malformed(line, offset, raw, err)
    if not isinstance(value, dict):
        if not terminated:
            return PendingTail(line, offset, raw)
        return Malformed(line, offset, raw, f"not a JSON object: {_type_name(value)}")
    try:
        m = mapper.map(value)
    except Exception as exc:  # noqa: BLE001 - a format's bug must not lose the line
        return unmappable(line, offset, raw, exc)
    seq = line if m.seq is None else m.seq
    if not ID_MIN <= seq <= ID_MAX:
        return out_of_range(line, offset, raw, seq)
    return Event.make(seq, m.type, m.data, m.ts, line, offset, raw, not terminated, m.key)


def unmappable(line: int, offset: int, raw: bytes, exc: Exception) -> Malformed:
    """The record of a line whose object the mapper refused (or failed on)."""
    if isinstance(exc, MappingError):
        return Malformed(line, offset, raw, str(exc))
    return Malformed(line, offset, raw, f"cannot map record: {type(exc).__name__}: {exc}")


def out_of_range(line: int, offset: int, raw: bytes, seq: int) -> Malformed:
    """The record of a line whose id does not fit the id arrays."""
    return Malformed(line, offset, raw, f"id {seq} is outside the signed 64-bit range")


def first_objects(log: LogFile, limit: int = 64) -> list[dict]:
    """The first parseable JSON objects of a log, for format and field detection."""
    out: list[dict] = []
    for i in range(min(log.n_complete, limit * 4)):
        value, err = parse_line(log.line_bytes(i), first=(i == 0))
        if err is None and isinstance(value, dict):
            out.append(value)
            if len(out) >= limit:
                break
    if not out and log.has_tail:
        value, err = parse_line(log.line_bytes(log.n_complete), first=(log.n_complete == 0))
        if err is None and isinstance(value, dict):
            out.append(value)
    return out


def record_at(log: LogFile, i: int, mapper: Mapper) -> Record:
    """The record of physical line i (0-based)."""
    a, b = log.line_span(i)
    raw = log.bytes_range(a, b)
    return make_record(i, a, raw, mapper, terminated=i < log.n_complete)
