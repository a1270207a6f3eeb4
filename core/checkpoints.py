"""Checkpoints of a replay: the state every K events, kept as deltas so memory stays linear.

`state_at` needs the state at some position before the one asked for, so that it replays at
most K events. Until issue 11 every checkpoint held the whole state, serialized. That is right
for the generic log, whose state stays small (entities are overwritten), and quadratic for a
conversation, whose state grows with the log: N/K checkpoints of a state of size ~N.

What replaced it, and why this structure:
- A checkpoint is a **delta**: the values, at the checkpoint, of the paths written since the
  previous one (`Tracker.touched`: every tracked write and the C loop note their path). Its size
  is what the events between the two checkpoints wrote, so all the deltas together are bounded
  by what the whole log wrote: linear.
- Now and then a checkpoint is **full** (the whole state): the first one, and whenever the
  deltas since the last full one add up to its size (`FULL_EVERY`), or hold `FULL_PATHS`
  written paths. Full checkpoints then total about as much as the deltas (linear too), and
  rebuilding any checkpoint reads one full state plus at most as much again in deltas, of at
  most `FULL_PATHS` paths: O(state), which `state_at` costs anyway since it returns the whole
  state. A state that is mostly rewritten (the generic log) gets a full checkpoint nearly every
  time, as before. (Until the 50 MB agent-log work a full came at a quarter of its size: full
  states were 80% of what checkpoints serialized and compressed, and twice the memory.)
- Why not a persistent map (structural sharing, e.g. `immutables.Map`)? The projections write
  plain dicts and lists, in place, through tracked views and through the C loop; sharing would
  mean a second, persistent copy of every write (a cost on the 1M-event generic path, where
  checkpoints are cheap already) or projections that write persistent maps. The tracker already
  knows which paths each event wrote: a delta costs no more than the writes themselves.
- Bytes (orjson) rather than live objects: a serialized state is several times smaller than the
  objects, copying it out is `orjson.loads`, and keys become strings exactly as before (non-string
  keys as orjson writes them), so `state_at` answers what it answered with whole-state blobs.
  Once the checkpoints hold more than a quarter of the bytes of the log read so far
  (`PLAIN_SHARE`, the analysis sets `budget`), a full checkpoint of 64 KB or more (a big state)
  and a delta of 4 KB or more are kept compressed with zstd at level 1 (zlib level 1 when zstandard is missing, or `USE_ZSTD` is
  off). On the checkpoints of the 50 MB Codex and Claude Code logs
  (7.3 and 8.5 MB serialized), zstd against zlib: compressing 43 vs 104 ms and 53 vs 152 ms,
  decompressing all of them 21 vs 54 ms and 21 vs 63 ms, 1.76 vs 2.00 MB and 2.45 vs 2.76 MB
  kept. Level -1 is 15% faster but keeps 25-40% more; a zstd stream per full checkpoint and its
  deltas keeps 10-25% less but makes every delta depend on the stream: not worth it. The
  generic log's states are smaller than 64 KB and almost always stored whole (most of the state
  is rewritten between two checkpoints), so its checkpoints are stored as they were.
- Building a delta: the written paths (deduplicated: a Claude Code interval writes each about
  twice) go into a trie, which is then walked once beside the state, so each container is looked
  up once rather than once per path under it, with no sort. Until the 50 MB agent-log work the
  paths were sorted by length and each walked from the root: on the 50 MB Codex log the delta
  trees took 0.085 s, now 0.05 s (the test holds the two to the same bytes).

Where the cost of checkpoints goes (50 MB Codex log, 660 checkpoints; the CPU of the analysis
is about 2 s): before this work 0.27 s, of which compressing 0.13, the delta trees 0.085,
serializing 0.04; with zstd and the trie 0.19 s, and 0.16 s with a checkpoint every 128 KB of
log (analysis.CHECKPOINT_BYTES). With zlib and 128 KB: 0.20 s against 0.30 s before, in one
run on a loaded machine; on the Claude Code log zstd takes 0.10 s less than zlib. The rest is what the state is: every byte a
checkpoint keeps is serialized and compressed once.

- Why a budget before compressing (Dec 3): compressing took 8% of the analysis of the 50 MB
  agent logs (64 of 810 ms on Claude Code, 52 of 694 ms on Codex), and their checkpoints hold
  8.2 and 6.9 MB serialized, 16% and 14% of the log. Kept as they are, they cost about 6 MB of
  peak memory more than compressed (the 1.5x-the-log target has room since the blame trie got
  smaller), and scrubbing decompresses nothing. A log whose checkpoints outgrow a quarter of it
  (a big state rewritten often) is compressed past that point, so memory stays bounded by the
  log's size as before.

- Key order: a rebuilt state has every dict's keys in the order the replay left them (a
  projection may depend on it: a sort by `str()` of dicts, a "first key" lookup). Deltas are
  written with the state's own order (not sorted), and the keys a dict gained since the last
  checkpoint, which end it, are stored as moves (see `_tree`). Until Dec 3 deltas were written
  with sorted keys, and a state rebuilt from them could differ in key order from the replay.

A delta is one JSON value, a patch tree: `["=", value]` sets the value at that path, `["-"]`
deletes the key, `["/", {key: patch}]` goes into the container (a list's index as a string), and
for a list `["/", {index: patch}, first, items]` also replaces its items from `first` on (what
was appended); `+` and `>` are `=` and `/` for a dict's last keys, each moved to its end. A
path written whole is stored once, its own paths under it are not.
"""

from __future__ import annotations

import bisect
import threading
import zlib
from typing import Any

import orjson

from agentlog_tui.core.jsonvalue import copy_value, to_json
from agentlog_tui.core.native import _fastloop

_native_patch = _fastloop.patch_tree if _fastloop is not None else None

OPTS = orjson.OPT_NON_STR_KEYS
FULL_EVERY = 1  # a full checkpoint when the deltas since the last one reach 1/FULL_EVERY of it
FULL_PATHS = 4096  # or when they hold this many written paths (a rebuild applies each in Python)
COMPRESS_FROM = 64 << 10  # full checkpoints this big are kept compressed (zstd level 1)
COMPRESS_DELTA_FROM = 4 << 10  # and deltas this big
# ... once the checkpoints hold more than this share of the log's bytes read (`budget`): below it
# they are kept as serialized, which costs no compressing (8% of the analysis of the 50 MB agent
# logs) and no decompressing when scrubbing
PLAIN_SHARE = 0.25
_MISSING = object()


class _Zlib:
    """zlib level 1: the codec when the zstandard package is missing (it is a dependency, for
    zstd-compressed logs, but core/reader.py runs without it and so do checkpoints)."""

    name = "zlib"

    def compress(self, data: bytes) -> bytes:
        return zlib.compress(data, 1)

    def decompressor(self) -> Any:
        return zlib


class _Zstd:
    """zstd level 1: about 3x faster than zlib level 1 both ways, and smaller (measured on the
    checkpoints of the 50 MB Codex and Claude Code logs)."""

    name = "zstd"

    def __init__(self, zstandard: Any) -> None:
        self._zstandard = zstandard
        self._local = threading.local()  # a zstandard context serves one thread at a time

    def compress(self, data: bytes) -> bytes:
        local = self._local
        c = getattr(local, "c", None)
        if c is None:
            c = local.c = self._zstandard.ZstdCompressor(level=1)
        # a copy of the exact size: the compressor's own output was allocated at the bound (about
        # the input's size) and, shrunk in place, kept the heap fragmented (+10 MB of RSS at the
        # end of the 50 MB Claude Code log)
        return bytes(memoryview(c.compress(data)))

    def decompressor(self) -> Any:
        return self._zstandard.ZstdDecompressor()


# zstd: it compresses the checkpoints of the 50 MB Claude Code log in 49 ms of CPU against
# zlib's 150 (8.4 MB, 2.29 against 2.63 MB kept). Its compression context (1.1 MB) once raised
# that log's peak RSS by about 2 MB; with a checkpoint every 128 KB of log the peak is the same
# with either (72 against 73 MB in one bench run each, Dec 3). `False`: zlib.
USE_ZSTD = True
_CODEC: _Zlib | _Zstd | None = None


def codec() -> _Zlib | _Zstd:
    """The codec of compressed checkpoints (zstd imported on first use, when chosen)."""
    global _CODEC
    if _CODEC is None:
        try:
            if not USE_ZSTD:
                raise ImportError
            import zstandard
        except ImportError:
            _CODEC = _Zlib()
        else:
            _CODEC = _Zstd(zstandard)
    return _CODEC


def dumps(value: Any, sort: bool = False) -> bytes:
    """orjson's bytes, keys in the state's order (`sort`: sorted, for tests that compare two
    patch trees whatever order their paths were written in)."""
    try:
        return orjson.dumps(value, option=OPTS | orjson.OPT_SORT_KEYS if sort else OPTS,
                            default=repr)
    except TypeError:  # deeper than orjson writes, an int beyond 64 bits: keep a copy (issue 15)
        return _Kept(value)  # type: ignore[return-value]


class _Kept:
    """A state orjson cannot write, kept as a copy (core.jsonvalue) in place of its bytes."""

    __slots__ = ("size", "value")

    def __init__(self, value: Any) -> None:
        self.value = copy_value(value)
        self.size = len(to_json(value))

    def __len__(self) -> int:
        return self.size


def _loads(blob: Any) -> Any:
    return orjson.loads(blob) if type(blob) is bytes else copy_value(blob.value)


def _patch(state: dict, touched: list[tuple]) -> dict:
    """The patch tree of the touched paths: their values in `state` now (in C when built: the
    same tree, tests/core/test_checkpoints.py holds the two together)."""
    if _native_patch is not None:
        try:
            return _native_patch(state, touched)
        except TypeError:  # a path that is not a tuple: the Python one says what it says
            pass
    return _patch_py(state, touched)


def _patch_py(state: dict, touched: list[tuple]) -> dict:
    """`_patch` in Python."""
    # the written paths as a trie, key -> None (written whole) or {key: ...} (written under it);
    # a path written whole wins over its own paths, whichever order they were written in
    trie: dict = {}
    for path in dict.fromkeys(touched):
        n = len(path)
        if n == 1:
            trie[path[0]] = None
            continue
        if n == 2:  # most of them (an entity's subject, a list's index): no inner loop
            node = trie.get(path[0], _MISSING)
            if node is _MISSING:
                trie[path[0]] = {path[1]: None}
            elif node is not None:
                node[path[1]] = None
            continue
        node = trie
        for key in path[:-1]:
            nxt = node.get(key, _MISSING)
            if nxt is None:
                break  # an ancestor is stored whole already
            if nxt is _MISSING:
                nxt = node[key] = {}
            node = nxt
        else:
            if path:
                node[path[-1]] = None
    return _tree(trie, state)


def _tree(trie: dict, container: Any) -> dict:
    """The patch tree of `trie`'s paths under `container`, with each list's new items (its
    written indices that run to its end) as one tail: appends cost their values, not an entry
    per index.

    A dict keeps its key order. The keys it gained since the last checkpoint are at its end and
    were all written (a dict adds a key at its end), so the written keys that end it are stored
    last, in its order, as moves (`+` for `=`, `>` for `/`): applied, each is taken out and put
    back at the end, which gives the dict its order again (a key deleted and added again too).
    Finding them looks at those keys and one more, not at the whole dict."""
    tree: dict = {}  # key -> ["=", value] | ["-"] | ["/", subtree] | ["/", subtree, first, tail]
    moved: list = []
    if type(container) is dict:
        for key in reversed(container):
            if key not in trie:
                break
            moved.append(key)
    if moved:
        last = set(moved)
        for key, sub in trie.items():
            if key not in last:
                tree[key] = _entry(key, sub, container)
        for key in reversed(moved):
            entry = _entry(key, trie[key], container)
            entry[0] = "+" if entry[0] == "=" else ">"
            tree[key] = entry
    else:
        for key, sub in trie.items():
            tree[key] = _entry(key, sub, container)
    return tree


def _entry(key: Any, sub: dict | None, container: Any) -> list:
    """The patch of one written key of `container` (its sub-trie, or None when written whole)."""
    try:
        value = container[key]
    except (KeyError, IndexError, TypeError):
        return ["-"]
    if sub is None or not isinstance(value, (dict, list)):
        # written whole, or the container is not one any more: the value as it is now
        return ["=", value]
    if isinstance(value, list):
        first = len(value)
        while first - 1 in sub and (sub[first - 1] is None
                                    or not isinstance(value[first - 1], (dict, list))):
            first -= 1
        if first < len(value):
            rest = sub.copy()
            for i in range(first, len(value)):
                del rest[i]
            return ["/", _tree(rest, value), first, value[first:]]
    return ["/", _tree(sub, value)]


def _apply(container: Any, tree: dict) -> None:
    """Apply a decoded patch tree to a rebuilt state (in place)."""
    is_list = isinstance(container, list)
    for key, entry in tree.items():
        k: Any = int(key) if is_list else key
        op = entry[0]
        if op == "=":
            if is_list and k == len(container):
                container.append(entry[1])
            else:
                container[k] = entry[1]
        elif op == "-":
            if not is_list:
                container.pop(k, None)
        elif op == "+":  # a dict's key at its end, in order
            container.pop(k, None)
            container[k] = entry[1]
        else:  # "/", or ">" for a dict's key at its end
            sub = container.pop(k) if op == ">" else container[k]
            _apply(sub, entry[1])
            if len(entry) == 4:  # a list's tail
                sub[entry[2]:] = entry[3]
            if op == ">":
                container[k] = sub


class Checkpoints:
    """The checkpoints of one replay, in increasing position."""

    def __init__(self) -> None:
        self.positions: list[int] = []
        self.blobs: list[bytes] = []  # a full state, or a delta from the previous checkpoint
        self.full: list[bool] = []
        self.zipped: list[bool] = []
        self._codec: _Zlib | _Zstd | None = None  # chosen at the first compressed checkpoint
        self._since_full = 0  # bytes of deltas since the last full checkpoint
        self._paths_since_full = 0  # paths written in them
        self._full_size = 0
        self._touch_bytes = 0.0  # bytes of the last delta per path written
        self.nbytes = 0
        # bytes the checkpoints may keep uncompressed: set by the analysis before each `add`
        # (PLAIN_SHARE of the log read so far); 0 compresses every big one
        self.budget = 0

    def __len__(self) -> int:
        return len(self.positions)

    def __iter__(self):
        """(position, blob as stored) of every checkpoint."""
        return iter(zip(self.positions, self.blobs, strict=True))

    @property
    def last(self) -> int:
        """The position of the last checkpoint (-1 when none)."""
        return self.positions[-1] if self.positions else -1

    def add(self, pos: int, state: dict, touched: list[tuple], pairs: list | None = None) -> int:
        """Take a checkpoint of `state` at `pos`; `touched` (the paths written since the last
        one) and `pairs` (the C loop's, flat: entity, subject or None, ...) are emptied.
        Returns its size in bytes."""
        pairs = pairs if pairs is not None else []
        n_touched = len(touched) + len(pairs) // 2
        # a state mostly rewritten between checkpoints (the generic log) goes straight to a full
        # checkpoint when the delta would be too big by the bytes per write of the last delta
        guess = (self._since_full + n_touched * self._touch_bytes) * FULL_EVERY
        full = (not self.positions or guess >= self._full_size or () in touched
                or self._paths_since_full + n_touched >= FULL_PATHS)
        if not full:
            if pairs:
                touched.extend((e,) if s is None else (e, s)
                               for e, s in zip(pairs[::2], pairs[1::2], strict=True))
            blob = dumps(_patch(state, touched))
            self._touch_bytes = len(blob) / max(1, n_touched)
            if (self._since_full + len(blob)) * FULL_EVERY >= self._full_size:
                full = True
        if full:
            blob = dumps(state)
            self._since_full, self._full_size, self._paths_since_full = 0, len(blob), 0
        else:
            self._since_full += len(blob)
            self._paths_since_full += n_touched
        del touched[:]
        del pairs[:]  # in place: the C loop holds this list
        size = len(blob)
        zipped = (type(blob) is bytes and size >= (COMPRESS_FROM if full else COMPRESS_DELTA_FROM)
                  and self.nbytes + size > self.budget)
        if zipped:
            if self._codec is None:
                self._codec = codec()
            blob = self._codec.compress(blob)
        self.positions.append(pos)
        self.blobs.append(blob)
        self.full.append(full)
        self.zipped.append(zipped)
        self.nbytes += len(blob)
        return size

    @property
    def state_size(self) -> int:
        """About how many bytes the whole state takes (the last full checkpoint and the deltas
        since)."""
        return self._full_size + self._since_full

    def at_or_before(self, pos: int) -> int:
        """The index of the last checkpoint at or before `pos` (-1 when none)."""
        return bisect.bisect_right(self.positions, pos) - 1

    def state(self, i: int) -> dict:
        """A fresh copy of the state at checkpoint number `i`."""
        base = i
        while not self.full[base]:
            base -= 1
        # a decompressor of this call's own: queries may run in another thread than `add`
        d = self._codec.decompressor() if self._codec is not None else None
        blobs, zipped = self.blobs, self.zipped
        state = _loads(d.decompress(blobs[base]) if zipped[base] else blobs[base])
        for j in range(base + 1, i + 1):
            _apply(state, _loads(d.decompress(blobs[j]) if zipped[j] else blobs[j]))
        return state
