"""Tracked state: the record of what each event read and wrote (DESIGN section 4).

The replay hands a projection `TrackedDict` views instead of plain dicts. Every read and write
goes through them and lands in a `Tracker`, which keeps a shadow tree of *slots* beside the state:
for every leaf the event that wrote it, for every container the event that created it, for every
deleted key a tombstone owned by the deleter. From that shadow tree come the per-event dependencies
(the events whose values it read), the visibility counts used by liveness, the write paths used by
blame, and the undo log that lets a failed event leave the state as it was.

Rules (all err towards keeping an event):
- a write at a path overwrites every slot under it and creates a slot for every leaf of the new
  value (an empty dict or list is itself a leaf);
- reading a scalar, `len()`, iteration, `in` or `==` read the slots involved;
- stepping into an existing container depends on its creator; `setdefault` on an existing
  container depends on nothing;
- `list.append` reads the list's length and writes the new index. A list's length is owned by
  the last event that changed it (`Slot.size`): an append depends on that one event, which in
  turn depended on the one before, so the chain keeps every earlier appender alive for a live
  appender at the cost of one dependency per append. (Depending on every index's slot, as this
  did until issue 11, recorded n dependencies for the n-th append: quadratic memory for any
  projection that appends to a list, 1.1 GB at 5,000 events.)

Undo records what a write replaced (a dict value, a list item, a list's length), never a copy
of a whole container, so a failed event costs what it wrote. Every write also notes its path in
`touched`, from which the analysis stores checkpoints as deltas (core/checkpoints.py).

The write path without an undo log (the direct paths and the entity projection, which is most
of a replay's bookkeeping) has a C transliteration, core/_tracker.c, used when it is built: the
views and the direct paths call the module-level names at the end of this file (`write(t, ...)`
rather than `t.write(...)`), which are the C functions when the extension is there and the
Python ones otherwise. The C functions run these Python ones whenever an undo log is on.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, MutableMapping, MutableSequence
from typing import Any

from agentlog_tui.core.native import _tracker as _native

INITIAL = -1  # owner of everything in initial_state()
_MISSING = object()


class Slot:
    """Shadow of one value in the state.

    `owner`: the event a reader of this value depends on (leaf writer, container creator,
    deleter for a tombstone). `size`: for an expanded list, the event that last changed its
    length (what `len()` and `append` read). `vis`: the event this slot keeps visible, or None when it keeps
    none (a non-empty container). `children`: key -> Slot for an expanded container; None for a
    scalar, a tombstone, or an *opaque* value: a container written whole by one event, which
    stands for all its leaves at once until something steps into it (`expand`). Every leaf of an
    opaque value has the same writer and dies at the same time, so one slot is an exact stand-in.
    """

    __slots__ = ("children", "owner", "size", "tomb", "vis")

    def __init__(self, owner: int, vis: int | None, children: dict | None, tomb: bool = False):
        self.owner = owner
        self.vis = vis
        self.children = children
        self.tomb = tomb
        self.size = owner


def _minus_ones(n: int) -> array:
    return array("i", [-1]) * n


class BlameNode:
    """A node of the write-path trie: which events wrote exactly this path, in order.

    Most nodes are leaves written by one event, so a node is kept small (issue 11: the trie was
    the largest thing a growing-state analysis kept, ~190 bytes a leaf for an empty dict and a
    one-item array): `children` is None until its first child, and `writers` is None (no writer
    yet), the position of its one writer as an int, or an array('i') of two or more in order.

    BlameNode() itself makes the full form (writers = array('i'), children = {}), which
    core/_fastloop.c's entity loop makes and appends to; the nodes the tracker makes near the root
    (`_blame_node`) keep the parts of that form that loop reads, see ARRAY_DEPTH.
    """

    __slots__ = ("children", "writers")

    def __init__(self) -> None:
        self.writers: None | int | array = array("i")
        self.children: dict[Any, BlameNode] | None = {}


# core/_fastloop.c's entity loop (the default projection) appends to the writers of the nodes at
# depth 1 and 2 with array.append, and looks up subjects in the children of those at depth 1:
# nodes up to these depths are made with an array and a dict as BlameNode() makes them.
# core/_tracker.c makes its nodes the same way (setup() is given both).
ARRAY_DEPTH = 2
DICT_DEPTH = 1

_new_node = object.__new__


def _blame_node(depth: int) -> BlameNode:
    """A new node of the blame trie at `depth` (the root is 0), as compact as it may be."""
    n = _new_node(BlameNode)
    n.writers = array("i") if depth <= ARRAY_DEPTH else None
    n.children = {} if depth <= DICT_DEPTH else None
    return n


def _blame_step(node: BlameNode, key: Any, depth: int) -> BlameNode:
    """The child of `node` (at depth - 1) for `key`, made when missing."""
    ch = node.children
    if ch is None:
        ch = node.children = {}
    nxt = ch.get(key)
    if nxt is None:
        nxt = ch[key] = _blame_node(depth)
    return nxt


def _blame_add(node: BlameNode, cur: int, undo: list | None) -> None:
    """Note `cur` as the newest writer of `node` (once per event)."""
    w = node.writers
    if w is None:
        node.writers = cur
    elif type(w) is int:
        if w == cur:
            return
        node.writers = array("i", (w, cur))
    else:
        if w and w[-1] == cur:
            return
        w.append(cur)
    if undo is not None:
        undo.append(("blame", node, w))


# A set of events in Tracker.deps, readers and more_killers is a tuple (in the order they were
# added) up to SMALL_SET items, a set beyond: most hold one event, and a set is 216 bytes where a
# tuple of one is 48 (issue 11: ~47,000 of them, 10 MB, for a 50 MB Codex rollout). Their readers
# (core/liveness.py, killers_of) only iterate them.
SMALL_SET = 8


def _with(s: tuple | set, x: int) -> tuple | set:
    """`s` (not holding x) with x added: a new tuple up to SMALL_SET items, then a set."""
    if type(s) is tuple:
        if len(s) < SMALL_SET:
            return (*s, x)
        s = set(s)
    s.add(x)
    return s


def _without(s: tuple | set, x: int) -> tuple | set:
    """`s` without x (undo of `_with`): a new tuple, or the set itself."""
    if type(s) is tuple:
        return tuple(y for y in s if y != x)
    s.discard(x)
    return s


class Tracker:
    """Owns the shadow tree and the per-event read/write record of one replay."""

    # __slots__: core/_tracker.c reads and writes these members at their offsets
    __slots__ = (
        "_undo",
        "blame_root",
        "cur",
        "deps",
        "died",
        "killer",
        "last_death",
        "live",
        "more_killers",
        "pairs",
        "readers",
        "root",
        "touched",
        "wrote",
    )

    def __init__(self) -> None:
        self.root = Slot(INITIAL, None, {})
        self.cur = INITIAL
        self.live = array("i")  # per event: slots it keeps visible now
        self.last_death = array("i")  # per event: last position one of its slots died
        self.killer = array(
            "i"
        )  # per event: the first event that overwrote one of its slots, or -1
        # event -> further overwriters (a set of events as in deps: a tuple while small)
        self.more_killers: dict[int, tuple[int, ...] | set[int]] = {}
        # event -> earlier events whose values it read; event -> later events that read its
        # values. Each a set of events, as a tuple while small (see _with)
        self.deps: dict[int, tuple[int, ...] | set[int]] = {}
        self.readers: dict[int, tuple[int, ...] | set[int]] = {}
        self.died = array("i")  # events whose last visible slot died, in order (for update_marks)
        self.blame_root = BlameNode()
        self.wrote = bytearray()  # per event: 1 when it wrote anything
        self.touched: list[tuple] = []  # paths written since the last checkpoint took them
        self.pairs: list = []  # the same from the C loop, flat: entity, subject or None, ...
        self._undo: list[tuple] | None = None

    # ---- event lifecycle -------------------------------------------------------------------

    def begin(self, pos: int) -> None:
        """Start recording event number `pos` (0-based position among events)."""
        while len(self.live) <= pos:
            self.live.append(0)
            self.last_death.append(-1)
            self.wrote.append(0)
            self.killer.append(-1)
        self.cur = pos
        self._undo = []

    def reserve(self, n: int) -> None:
        """Room in the per-event arrays for n events (what `begin` would append, in bulk)."""
        more = n - len(self.live)
        if more > 0:
            more = max(more, 4096)
            self.live.frombytes(bytes(4 * more))
            self.last_death.extend(_minus_ones(more))
            self.killer.extend(_minus_ones(more))
            self.wrote.extend(bytes(more))

    def no_undo(self) -> None:
        """The current event's writes need no undo log (a projection that cannot fail midway)."""
        self._undo = None

    def commit(self) -> None:
        """The event applied cleanly: keep what it recorded."""
        self._undo = None

    def rollback(self) -> None:
        """The event raised: undo its writes to the state and to the shadow tree."""
        undo, self._undo = self._undo or [], None
        for op in reversed(undo):
            kind = op[0]
            if kind == "dset":
                _, d, k, old = op
                if old is _MISSING:
                    d.pop(k, None)
                else:
                    d[k] = old
            elif kind == "list":
                _, lst, old = op
                lst[:] = old
            elif kind == "lset":
                _, lst, i, old = op
                lst[i] = old
            elif kind == "pop":
                op[1].pop()
            elif kind == "size":
                _, slot, old = op
                slot.size = old
            elif kind == "child":
                _, slot, k, old = op
                if old is None:
                    slot.children.pop(k, None)
                else:
                    slot.children[k] = old
            elif kind == "children":
                _, slot, old = op
                slot.children = old
            elif kind == "vis":
                _, slot, old = op
                slot.vis = old
            elif kind == "live":
                _, e, delta = op
                self.live[e] -= delta
            elif kind == "death":
                _, e, old = op
                self.last_death[e] = old
            elif kind == "killer":
                _, e, k = op
                if self.killer[e] == k:
                    self.killer[e] = -1
                else:
                    mk = self.more_killers
                    more = mk.get(e)
                    if more is not None:
                        more = mk[e] = _without(more, k)
                        if not more:
                            del mk[e]
            elif kind == "expand":
                _, slot, vis, extra = op
                self.live[vis] -= extra
                slot.vis = vis
                slot.children = None
            elif kind == "blame":
                _, node, old = op  # the writers before: an array appended to, or None or an int
                if type(old) is array:
                    old.pop()
                else:
                    node.writers = old
        cur = self.cur
        for owner in self.deps.pop(cur, ()):
            r = self.readers.get(owner)
            if r is not None:
                self.readers[owner] = _without(r, cur)
        self.wrote[self.cur] = 0

    # ---- reads -------------------------------------------------------------------------------

    def dep(self, owner: int) -> None:
        """The current event read a value owned by `owner`."""
        cur = self.cur
        if owner != cur and owner >= 0:
            deps = self.deps
            s = deps.get(cur)
            if s is None:
                deps[cur] = (owner,)
            elif owner in s:
                return
            else:
                deps[cur] = _with(s, owner)
            readers = self.readers
            r = readers.get(owner)
            if r is None:
                readers[owner] = (cur,)
            elif cur not in r:
                readers[owner] = _with(r, cur)

    def dep_children(self, slot: Slot) -> None:
        """Read the presence of every key of a container (len, iteration, keys)."""
        if slot.children:
            for child in slot.children.values():
                self.dep(child.owner)

    def dep_len(self, slot: Slot) -> None:
        """Read a list's length: the event that last changed it (see the module's docstring)."""
        self.dep(slot.size)

    def set_size(self, slot: Slot) -> None:
        """The current event changed the length of the list shadowed by `slot`."""
        if self._undo is not None:
            self._undo.append(("size", slot, slot.size))
        slot.size = self.cur

    def dep_subtree(self, slot: Slot) -> None:
        """Read every value under a slot (equality, copying)."""
        self.dep(slot.owner)
        if slot.children:
            for child in slot.children.values():
                self.dep_subtree(child)

    # ---- writes ------------------------------------------------------------------------------

    def _vis(self, slot: Slot, new: int | None) -> None:
        old = slot.vis
        if old == new:
            return
        if old is not None:
            self._die(old)
        if new is not None:
            self.live[new] += 1
            if self._undo is not None:
                self._undo.append(("live", new, 1))
        if self._undo is not None:
            self._undo.append(("vis", slot, old))
        slot.vis = new

    def _die(self, e: int) -> None:
        """One visible slot of event `e` dies now, overwritten by the current event."""
        cur = self.cur
        live = self.live
        n = live[e] - 1
        live[e] = n
        if not n:
            self.died.append(e)
        undo = self._undo
        last_death = self.last_death
        if undo is not None:
            undo.append(("live", e, -1))
            undo.append(("death", e, last_death[e]))
        if last_death[e] < cur:  # noqa: PLR1730 - max() without the call
            last_death[e] = cur
        if e != cur:
            killer = self.killer
            first = killer[e]
            if first == cur:
                return
            if first < 0:
                killer[e] = cur
            else:
                mk = self.more_killers
                more = mk.get(e)
                if more is None:
                    mk[e] = (cur,)
                elif cur in more:
                    return
                else:
                    mk[e] = _with(more, cur)
            if undo is not None:
                undo.append(("killer", e, cur))

    def killers_of(self, e: int) -> list[int]:
        """Positions of the events that overwrote a slot of event `e`, in order."""
        first = self.killer[e] if e < len(self.killer) else -1
        if first < 0:
            return []
        more = self.more_killers.get(e)
        return sorted({first, *more}) if more else [first]

    def kill(self, slot: Slot) -> None:
        """Everything under `slot` is overwritten by the current event."""
        vis = slot.vis
        if vis is not None:  # _vis(slot, None), inline: one call less per leaf overwritten
            self._die(vis)
            if self._undo is not None:
                self._undo.append(("vis", slot, vis))
            slot.vis = None
        children = slot.children
        if children:
            kill = self.kill
            for child in children.values():
                kill(child)

    def build(self, value: Any) -> Slot:
        """The slot of a freshly written value: one opaque slot owned by the current event."""
        cur = self.cur
        self.live[cur] += 1
        if self._undo is not None:
            self._undo.append(("live", cur, 1))
        return Slot(cur, cur, None)

    def expand(self, slot: Slot, value: Any) -> None:
        """Give an opaque container one opaque slot per item, as it is stepped into.

        A change of representation only: the same leaves, owners and visibility."""
        if isinstance(value, dict):
            keys = value.keys()
        elif isinstance(value, list):
            keys = range(len(value))
        else:
            return
        owner, vis = slot.owner, slot.vis
        slot.size = owner
        slot.children = {k: Slot(owner, vis, None) for k in keys}
        if slot.children and vis is not None:
            self.live[vis] += len(slot.children) - 1
            slot.vis = None
            if self._undo is not None:
                self._undo.append(("expand", slot, vis, len(slot.children) - 1))

    def set_child(self, parent: Slot, key: Any, slot: Slot | None) -> None:
        """Put (or remove, with None) the slot of `key` under `parent`."""
        old = parent.children.get(key)
        if self._undo is not None:
            self._undo.append(("child", parent, key, old))
        if slot is None:
            parent.children.pop(key, None)
        else:
            parent.children[key] = slot

    def filled(self, parent: Slot) -> None:
        """`parent` was an empty container and now gets a child: its emptiness is overwritten."""
        if parent.vis is not None and not parent.tomb:
            self._vis(parent, None)

    def emptied(self, parent: Slot) -> None:
        """`parent` (a list) became empty through the current event: that emptiness is its write."""
        self._vis(parent, self.cur)

    def record_write(self, path: tuple) -> None:
        """Note for blame that the current event wrote (or deleted) at `path`."""
        node = self.blame_root
        for d, k in enumerate(path, 1):
            node = _blame_step(node, k, d)
        cur = self.cur
        self.wrote[cur] = 1
        self.touched.append(path)
        _blame_add(node, cur, self._undo)

    def write(
        self, parent: Slot, container: dict | list, key: Any, value: Any, path: tuple
    ) -> None:
        """Assign `value` at `container[key]` (a dict key or an existing list index).

        `build`, `set_child` and `record_write` inline (the most frequent call of a replay)."""
        children = parent.children
        old = children.get(key)
        if old is not None:
            if old.vis is not None or old.children:
                self.kill(old)
        elif not children:
            self.filled(parent)
        undo = self._undo
        cur = self.cur
        if undo is not None:
            if isinstance(container, dict):
                undo.append(("dset", container, key, container.get(key, _MISSING)))
            else:
                undo.append(("lset", container, key, container[key]))
            undo.append(("live", cur, 1))
            undo.append(("child", parent, key, old))
        container[key] = value
        self.live[cur] += 1
        children[key] = Slot(cur, cur, None)
        # record_write(path + (key,))
        node = self.blame_root
        for d, k in enumerate(path, 1):
            node = _blame_step(node, k, d)
        node = _blame_step(node, key, len(path) + 1)
        self.wrote[cur] = 1
        self.touched.append((*path, key))
        _blame_add(node, cur, undo)

    def delete(self, parent: Slot, container: dict, key: Any, path: tuple) -> None:
        """Delete an existing dict key, leaving a tombstone owned by the current event."""
        old = parent.children.get(key)
        if old is not None:
            self.kill(old)
        if self._undo is not None:
            self._undo.append(("dset", container, key, container.get(key, _MISSING)))
        del container[key]
        tomb = Slot(self.cur, None, None, tomb=True)
        self.set_child(parent, key, tomb)
        self._vis(tomb, self.cur)
        self.record_write(path + (key,))

    def rewrite_list(self, slot: Slot, lst: list, new: list, path: tuple) -> None:
        """Replace a list's items from the first index where they differ (insert, remove, sort)."""
        start = 0
        n = min(len(lst), len(new))
        while start < n and lst[start] is new[start]:
            start += 1
        if start == len(lst) == len(new):
            return
        if self._undo is not None:
            self._undo.append(("list", lst, list(lst)))
        if len(new) != len(lst):
            self.set_size(slot)
        self.touched.append(path)  # the list as a whole: a checkpoint stores it whole
        for i in range(start, len(lst)):
            old = slot.children.get(i)
            if old is not None:
                self.kill(old)
                self.set_child(slot, i, None)
        if start == 0 and not lst and new:
            self.filled(slot)
        lst[:] = new
        for i in range(start, len(new)):
            self.set_child(slot, i, self.build(new[i]))
            self.record_write(path + (i,))
        if not new:
            self.emptied(slot)
            self.record_write(path)

    # ---- queries -----------------------------------------------------------------------------

    def blame(self, path: tuple, upto: int | None = None) -> int | None:
        """Position of the last event at or before `upto` that wrote at, above or under `path`."""
        limit = self.cur if upto is None else upto
        node = self.blame_root
        best = _last_at_or_before(node.writers, limit)
        for k in path:
            ch = node.children
            node = ch.get(k) if ch else None
            if node is None:
                return best if best >= 0 else None
            best = max(best, _last_at_or_before(node.writers, limit))
        stack = list(node.children.values()) if node.children else []
        while stack:
            n = stack.pop()
            best = max(best, _last_at_or_before(n.writers, limit))
            if n.children:
                stack.extend(n.children.values())
        return best if best >= 0 else None


def _last_at_or_before(writers: None | int | array, limit: int) -> int:
    """The last of a node's writers (see BlameNode) at or before `limit`, or -1."""
    if writers is None:
        return -1
    if type(writers) is int:
        return writers if writers <= limit else -1
    if not writers:
        return -1
    if writers[-1] <= limit:
        return writers[-1]
    lo, hi = 0, len(writers)
    while lo < hi:
        mid = (lo + hi) // 2
        if writers[mid] <= limit:
            lo = mid + 1
        else:
            hi = mid
    return writers[lo - 1] if lo else -1


def seed(tracker: Tracker, state: dict) -> None:
    """Shadow an initial state: every value in it is owned by INITIAL."""
    tracker.cur = INITIAL

    tracker.root = Slot(INITIAL, None, None)
    tracker.expand(tracker.root, state)


def plain(value: Any, tracker: Tracker | None = None) -> Any:
    """A deep, untracked copy of a value; reading a tracked view records the reads."""
    t = type(value)
    # the common cases by exact type first: isinstance against the tracked views goes through
    # the ABC machinery (MutableMapping), which was a good part of writing a parsed payload
    if t in _SCALARS:
        return value
    if t is dict:
        return {k: plain(v, tracker) for k, v in value.items()}
    if t is list:
        return [plain(v, tracker) for v in value]
    if isinstance(value, (TrackedDict, TrackedList)):
        if tracker is not None:
            dep_subtree(tracker, value._slot)
        return plain(value._data)
    if isinstance(value, dict):
        return {k: plain(v, tracker) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, tracker) for v in value]
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _view(tracker: Tracker, value: Any, slot: Slot | None, path: tuple) -> Any:
    if slot is None:  # state mutated behind the tracker's back: shadow it as initial
        slot = Slot(INITIAL, None, {} if isinstance(value, (dict, list)) else None)
    if isinstance(value, dict):
        if slot.children is None:
            expand(tracker, slot, value)
        return TrackedDict(tracker, value, slot, path)
    if isinstance(value, list):
        if slot.children is None:
            expand(tracker, slot, value)
        return TrackedList(tracker, value, slot, path)
    return value


class TrackedDict(MutableMapping):
    """A dict view that records reads and writes in a Tracker."""

    __slots__ = ("_data", "_path", "_slot", "_t")

    def __init__(self, tracker: Tracker, data: dict, slot: Slot, path: tuple = ()):
        self._t = tracker
        self._data = data
        self._slot = slot
        self._path = path

    def _absent(self, key: Any) -> None:
        tomb = self._slot.children.get(key)
        if tomb is not None:
            dep(self._t, tomb.owner)

    def __getitem__(self, key: Any) -> Any:
        data = self._data
        if key not in data:
            self._absent(key)
            raise KeyError(key)
        value = data[key]
        slot = self._slot.children.get(key)
        if slot is not None:
            dep(self._t, slot.owner)
        return _view(self._t, value, slot, self._path + (key,))

    def get(self, key: Any, default: Any = None) -> Any:
        if key not in self._data:
            self._absent(key)
            return default
        return self[key]

    def __contains__(self, key: object) -> bool:
        slot = self._slot.children.get(key)
        if slot is not None:
            dep(self._t, slot.owner)
        return key in self._data

    def __setitem__(self, key: Any, value: Any) -> None:
        write(self._t, self._slot, self._data, key, plain(value, self._t), self._path)

    def __delitem__(self, key: Any) -> None:
        if key not in self._data:
            self._absent(key)
            raise KeyError(key)
        delete(self._t, self._slot, self._data, key, self._path)

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        if key not in self._data:
            self._absent(key)
            if default is _MISSING:
                raise KeyError(key)
            return default
        value = plain(self[key], self._t)
        delete(self._t, self._slot, self._data, key, self._path)
        return value

    def discard(self, key: Any) -> None:
        """Delete `key` if present. Reads nothing: the key is absent afterwards either way."""
        if key in self._data:
            delete(self._t, self._slot, self._data, key, self._path)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        data = self._data
        if key in data:
            value = data[key]
            slot = self._slot.children.get(key)
            if not isinstance(value, (dict, list)) and slot is not None:
                dep(self._t, slot.owner)
            return _view(self._t, value, slot, self._path + (key,))
        self._absent(key)
        self[key] = default
        return self[key] if isinstance(default, (dict, list)) else data[key]

    def __iter__(self) -> Iterator[Any]:
        dep_children(self._t, self._slot)
        return iter(list(self._data))

    def __len__(self) -> int:
        dep_children(self._t, self._slot)
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        dep_subtree(self._t, self._slot)
        return self._data == plain(other)

    __hash__ = None  # type: ignore[assignment]

    def clear(self) -> None:
        for key in list(self._data):
            del self[key]

    def copy(self) -> dict:
        return plain(self, self._t)

    def __repr__(self) -> str:
        return f"TrackedDict({self._data!r})"


class TrackedList(MutableSequence):
    """A list view that records reads and writes in a Tracker."""

    __slots__ = ("_data", "_path", "_slot", "_t")

    def __init__(self, tracker: Tracker, data: list, slot: Slot, path: tuple = ()):
        self._t = tracker
        self._data = data
        self._slot = slot
        self._path = path

    def _index(self, i: int) -> int:
        n = len(self._data)
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            dep(self._t, self._slot.size)
            raise IndexError(i)
        return j

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            dep(self._t, self._slot.size)
            return [plain(self[j]) for j in range(*i.indices(len(self._data)))]
        j = self._index(i)
        slot = self._slot.children.get(j)
        if slot is not None:
            dep(self._t, slot.owner)
        return _view(self._t, self._data[j], slot, self._path + (j,))

    def __setitem__(self, i: Any, value: Any) -> None:
        if isinstance(i, slice):
            dep_children(self._t, self._slot)
            new = list(self._data)
            new[i] = [plain(v, self._t) for v in value]
            self._t.rewrite_list(self._slot, self._data, new, self._path)
            return
        j = self._index(i)
        write(self._t, self._slot, self._data, j, plain(value, self._t), self._path)

    def __delitem__(self, i: Any) -> None:
        dep_children(self._t, self._slot)
        new = list(self._data)
        del new[i]
        self._t.rewrite_list(self._slot, self._data, new, self._path)

    def insert(self, i: int, value: Any) -> None:
        dep_children(self._t, self._slot)
        new = list(self._data)
        new.insert(i, plain(value, self._t))
        self._t.rewrite_list(self._slot, self._data, new, self._path)

    def append(self, value: Any) -> None:
        t = self._t
        # the length and the emptiness are read before `plain` reads the value (append_to
        # repeats both: a second read of the same slot records nothing)
        dep(t, self._slot.size)
        if not self._data:
            t.filled(self._slot)
        append_to(t, self._slot, self._data, plain(value, t), self._path)

    def __len__(self) -> int:
        dep(self._t, self._slot.size)
        return len(self._data)

    def __iter__(self) -> Iterator[Any]:
        dep(self._t, self._slot.size)
        for j in range(len(self._data)):
            yield self[j]

    def __contains__(self, value: object) -> bool:
        dep_subtree(self._t, self._slot)
        return plain(value) in self._data

    def __eq__(self, other: object) -> bool:
        dep_subtree(self._t, self._slot)
        return self._data == plain(other)

    __hash__ = None  # type: ignore[assignment]

    def sort(self, *, key: Any = None, reverse: bool = False) -> None:
        dep_subtree(self._t, self._slot)
        new = sorted(self._data, key=key, reverse=reverse)
        self._t.rewrite_list(self._slot, self._data, new, self._path)

    def reverse(self) -> None:
        dep_subtree(self._t, self._slot)
        self._t.rewrite_list(self._slot, self._data, self._data[::-1], self._path)

    def clear(self) -> None:
        # the result is [] whatever was there: no read
        self._t.rewrite_list(self._slot, self._data, [], self._path)

    def copy(self) -> list:
        return plain(self, self._t)

    def __repr__(self) -> str:
        return f"TrackedList({self._data!r})"


# ---- direct paths ------------------------------------------------------------------------------
#
# A built-in projection may declare its reads and writes to the tracker itself (`apply_tracked`)
# instead of going through TrackedDict views: no view objects, no deep copy of every value
# written (`plain`), no path tuples built per step. Each helper records exactly what the view
# operation it names records, in the same order; a property test holds every direct path to the
# same tracker record as its projection's `apply` through views.


def _step_into(
    t: Tracker, slot: Slot, data: dict, key: Any, path: tuple, default: Any
) -> tuple[Any, Slot]:
    """`view.setdefault(key, default)` where the value is (or becomes) a container: the container
    and its slot. `path` is the view's own path; `default` a container made for this call."""
    if key in data:
        value = data[key]
        child = slot.children.get(key)
        if child is None:  # as _view: state changed behind the tracker's back
            child = Slot(INITIAL, None, {})
        elif child.children is None:
            t.expand(child, value)
        return value, child
    tomb = slot.children.get(key)
    if tomb is not None:
        t.dep(tomb.owner)
    t.write(slot, data, key, default, path)
    child = slot.children[key]
    t.expand(child, default)  # the view steps into what it just wrote (reading its own write)
    return default, child


def _read_key(
    t: Tracker, slot: Slot, data: dict, key: Any, default: Any = None
) -> tuple[Any, Slot | None]:
    """`view.get(key, default)`: the value and its slot (None when absent)."""
    if key not in data:
        tomb = slot.children.get(key)
        if tomb is not None:
            t.dep(tomb.owner)
        return default, None
    value = data[key]
    child = slot.children.get(key)
    if child is None:
        child = Slot(INITIAL, None, {} if isinstance(value, (dict, list)) else None)
    else:
        t.dep(child.owner)
        if child.children is None and isinstance(value, (dict, list)):
            t.expand(child, value)
    return value, child


def _differs(t: Tracker, value: Any, slot: Slot | None, other: Any) -> bool:
    """`view_value != other` for a value `read_key` returned (a container compares every leaf)."""
    if slot is not None and isinstance(value, (dict, list)):
        t.dep_subtree(slot)
    return value != other


def _append_to(t: Tracker, slot: Slot, lst: list, value: Any, path: tuple) -> None:
    """`list_view.append(value)` (`path`: the list's own path) of a value made for this call."""
    t.dep(slot.size)
    if not lst:
        t.filled(slot)
    n = len(lst)
    if t._undo is not None:
        t._undo.append(("pop", lst))
    lst.append(value)
    t.set_size(slot)
    t.set_child(slot, n, t.build(value))
    t.record_write(path + (n,))


def _delete_key(t: Tracker, slot: Slot, data: dict, key: Any, path: tuple) -> bool:
    """`del view[key]` (`path`: the view's own path); False where the view raises KeyError."""
    if key not in data:
        tomb = slot.children.get(key)
        if tomb is not None:
            t.dep(tomb.owner)
        return False
    t.delete(slot, data, key, path)
    return True


def _set_if_changed(t: Tracker, slot: Slot, d: dict, key: Any, value: Any, path: tuple) -> None:
    """`if view.get(key) != value: view[key] = value` (`path`: the view's own path) of a value
    made for this call: reads the key (every leaf of a container held there), writes when it
    differs; an absent key is not written with None."""
    if key in d:
        now = d[key]
        child = slot.children.get(key)
        if child is not None:
            t.dep(child.owner)
            if isinstance(now, (dict, list)):
                if child.children is None:
                    t.expand(child, now)
                t.dep_subtree(child)
        if now != value:
            t.write(slot, d, key, value, path)
        return
    tomb = slot.children.get(key)
    if tomb is not None:
        t.dep(tomb.owner)
    if value is not None:
        t.write(slot, d, key, value, path)


# ---- the names the views and the direct paths call ---------------------------------------------
#
# Each is the C transliteration of its Python namesake (core/_tracker.c) when the extension is
# built, and that Python function otherwise. The C function calls the Python one itself whenever
# the tracker has an undo log, or an argument is not of the usual type, or `native_tracker(False)`
# switched it off (tests compare the two).

PYTHON = {
    "dep": Tracker.dep,
    "dep_children": Tracker.dep_children,
    "dep_subtree": Tracker.dep_subtree,
    "kill": Tracker.kill,
    "expand": Tracker.expand,
    "write": Tracker.write,
    "delete": Tracker.delete,
    "record_write": Tracker.record_write,
    "step_into": _step_into,
    "read_key": _read_key,
    "differs": _differs,
    "append_to": _append_to,
    "delete_key": _delete_key,
    "set_if_changed": _set_if_changed,
}

if _native is not None:
    _native.setup(Tracker, Slot, BlameNode, INITIAL, PYTHON, ARRAY_DEPTH, DICT_DEPTH, SMALL_SET)
    _impl = vars(_native)
else:
    _impl = PYTHON

dep = _impl["dep"]
dep_children = _impl["dep_children"]
dep_subtree = _impl["dep_subtree"]
kill = _impl["kill"]
expand = _impl["expand"]
write = _impl["write"]
delete = _impl["delete"]
record_write = _impl["record_write"]
step_into = _impl["step_into"]
read_key = _impl["read_key"]
differs = _impl["differs"]
append_to = _impl["append_to"]
delete_key = _impl["delete_key"]
set_if_changed = _impl["set_if_changed"]


def native_tracker(on: bool) -> bool:
    """Switch the C write path on or off (for tests that compare it with the Python one); returns
    whether it was on. False, and no effect, when the extension is not built."""
    if _native is None:
        return False
    return bool(_native.set_enabled(on))
