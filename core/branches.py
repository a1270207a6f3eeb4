"""Tree-shaped logs: the live branch and the records left on other branches.

Some agents link their records into a tree (Claude Code `uuid`/`parentUuid`, pi `id`/`parentId`;
Gemini CLI's `$rewindTo` makes one). Rewinding or editing an earlier prompt leaves the records
after it in the file, on a branch the agent no longer follows. The live branch is the chain from
the last leaf (the last record that can end a conversation) up to its root; a subtree hanging off
that chain is an abandoned branch when it holds a turn (a prompt). Subtrees without one are part
of the live branch's own step (Claude Code's progress records and parallel tool calls hang off
the chain that way). Records on abandoned branches never feed the state.

A format declares its tree with `tree_linker()`, a fresh callable per pass that gives each event's
`Link` (or None: not in the tree). The verdict for a record is given when it is read, so a live
tail stays linear: a record continuing the live branch is decided at once; one that switches the
branch (its parent is not the leaf) marks the tree dirty, and the analysis settles it after the
batch (one linear pass over the links; a replay only when a record's verdict changed, which is
rare: a rewind).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from agentlog_tui.core.native import _tree

if TYPE_CHECKING:
    from agentlog_tui.core.analysis import Analysis


class Link(NamedTuple):
    """Where one record sits in its log's tree.

    `id` names the record's node (records repeating an id are more records of the same node);
    `parent` the node it follows (None: a root). `leaf`: the record can end the live branch (a
    conversation record, not a progress note). `turn`: a subtree off the live branch holding one
    is an abandoned branch (a prompt); every turn is also a leaf."""

    id: str
    parent: str | None
    leaf: bool = True
    turn: bool = True


Linker = Callable[[Any], "Link | None"]


@dataclass(frozen=True, slots=True)
class Branch:
    """An abandoned branch: positions of its first record, the live-branch record it forks from
    (None when it hangs off no record of the file), its first turn, its last record; its size."""

    first: int
    fork: int | None
    turn: int | None
    last: int
    events: int


class PyTree:
    """The tree links of one pass over a log, and which records are off the live branch.

    `forced` (positions) are the verdicts worked out by an earlier pass over the same lines; they
    are used as given for positions up to `forced_upto`, so a replay after a rewind is exact.

    This is the pure-Python tree; `Tree` below is the one to use (core/_tree.c's per-record path
    under these same methods, when built)."""

    def __init__(
        self, linker: Linker, forced: frozenset[int] = frozenset(), forced_upto: int = -1
    ) -> None:
        self.linker = linker
        self.forced, self.forced_upto = forced, forced_upto
        self.node_of: dict[str, int] = {}
        self.parent = array("i")  # per node: parent node, -1 none or not (yet) known
        # nodes whose parent was not (yet) read when they were: the parent's id as written
        self.parent_id: dict[int, str] = {}
        self.first_pos = array("i")  # per node: its first record's position
        self.extra: dict[int, list[int]] = {}  # node -> positions of its later records
        self.flags = bytearray()  # per node: 1 leaf, 2 turn
        self.node_off = bytearray()  # per node: 1 when off the live branch (as applied)
        self.off: set[int] = set()  # positions applied as off the live branch
        self.leaf = -1
        self.chain: list[int] = []  # the live branch, root first
        self.chain_at: dict[int, int] = {}  # node -> index in chain
        self.chain_turns: list[int] = []  # turns in chain[:i+1]
        self.dirty = False
        self.n_linked = 0

    # ---- reading ---------------------------------------------------------------------------

    def add(self, pos: int, event: Any) -> bool:
        """Take the event at `pos` in; True when it is off the live branch (not to be applied)."""
        link = self.linker(event)
        if link is None:
            return False
        self.n_linked += 1
        lid, parent, leaf, turn = link
        node_of = self.node_of
        node = node_of.get(lid)
        if node is None:  # a new node (nearly every record): in one frame, with few lookups
            first_pos = self.first_pos
            node = len(first_pos)
            # the parent is looked up before the node is named: a record naming itself as its
            # parent (a damaged log) is a root, not its own child
            if parent is None:
                p = -1
            else:
                p = node_of.get(parent, -1)
                if p < 0:
                    self.parent_id[node] = parent  # written later, or never: settling looks again
            node_of[lid] = node
            self.parent.append(p)
            first_pos.append(pos)
            self.flags.append((1 if leaf or turn else 0) | (2 if turn else 0))
            node_off = self.node_off
            off = p >= 0 and node_off[p] != 0
            node_off.append(1 if off else 0)
            if (leaf or turn) and not self.dirty:
                if p >= 0 and p == self.leaf:  # the live branch goes on: _extend([node]), inline
                    chain, turns = self.chain, self.chain_turns
                    self.chain_at[node] = len(chain)
                    turns.append((turns[-1] if turns else 0) + (1 if turn else 0))
                    chain.append(node)
                    self.leaf = node
                    off = False
                else:
                    self._switch(node, p)
                    off = self.node_off[node] != 0
            if pos > self.forced_upto:  # (the common case: no verdict forced, nothing off)
                if off:
                    self.off.add(pos)
                return off
        else:  # another record of a known node: it shares the node's fate
            self.extra.setdefault(node, []).append(pos)
            off = self.node_off[node] != 0
        if pos <= self.forced_upto:  # an earlier pass over these lines settled it
            off = pos in self.forced
            self.node_off[node] = 1 if off else 0
        if off:
            self.off.add(pos)
        return off

    def _extend(self, nodes: list[int]) -> None:
        chain, at, turns = self.chain, self.chain_at, self.chain_turns
        for n in nodes:
            at[n] = len(chain)
            turns.append((turns[-1] if turns else 0) + (1 if self.flags[n] & 2 else 0))
            chain.append(n)
        self.leaf = chain[-1]

    def _restart(self, chain: list[int]) -> None:
        """The live chain anew (settling): `chain`, or none."""
        self.chain, self.chain_at, self.chain_turns = [], {}, []
        if chain:
            self._extend(chain)
        else:
            self.leaf = -1

    def _switch(self, node: int, p: int) -> None:
        """A new leaf whose parent is not the leaf: cheap when no verdict changes, else dirty."""
        path = []
        n, seen = p, 0
        while n >= 0 and n not in self.chain_at:
            if self.node_off[n] or seen > len(self.node_off):
                self.dirty = True
                return
            path.append(n)
            n, seen = self.parent[n], seen + 1
        if n < 0 and self.chain:
            self.dirty = True  # a new root (or a parent not in the file): settle it whole
            return
        cut = self.chain_at[n] + 1 if n >= 0 else 0
        # the part of the chain left behind stays live only if it holds no turn and nothing
        # hangs off it that is already off (which would make the whole part a branch)
        below = (
            self.chain_turns[-1] - (self.chain_turns[cut - 1] if cut else 0) if self.chain else 0
        )
        if below or (cut < len(self.chain) and self.off):
            self.dirty = True
            return
        for m in self.chain[cut:]:
            del self.chain_at[m]
        del self.chain[cut:]
        del self.chain_turns[cut:]
        path.reverse()
        path.append(node)
        self._extend(path)

    # ---- settling --------------------------------------------------------------------------

    def _compute(self) -> tuple[list[int], array, bytearray, array]:
        """From every link read, without changing the tree (the app may ask while a worker
        reads on): the live chain, each node's subtree top (see `_tops`), which tops hold a turn,
        and the parents (with the ones written after their children resolved)."""
        first_pos = self.first_pos  # (read once: a copy when core/_tree.c holds it)
        n_nodes = len(first_pos)
        parent = array("i", self.parent[:n_nodes])
        node_of, parent_id = self.node_of, self.parent_id
        for n, pid in list(parent_id.items()):  # (a copy: a worker may read on meanwhile)
            if n < n_nodes and parent[n] < 0:
                parent[n] = node_of.get(pid, -1)
        flags = self.flags
        leaf = next((n for n in range(n_nodes - 1, -1, -1) if flags[n] & 1), -1)
        chain: list[int] = []
        on_chain = bytearray(n_nodes)
        n = leaf
        while n >= 0 and not on_chain[n]:
            on_chain[n] = 1
            chain.append(n)
            n = parent[n]
        chain.reverse()
        top = _tops(parent, on_chain)
        has_turn = bytearray(n_nodes)
        for n in range(n_nodes):
            t = top[n]
            if t >= 0 and flags[n] & 2:
                has_turn[t] = 1
        return chain, top, has_turn, parent

    def settle(self) -> set[int]:
        """Work the live branch out anew from every link read; returns the positions off it and
        brings the incremental state (chain, verdicts) up to date."""
        chain, top, has_turn, parent = self._compute()
        self.parent = parent
        n_nodes = len(top)
        node_off = bytearray(n_nodes)
        off: set[int] = set()
        first_pos, extra = self.first_pos, self.extra
        for n in range(n_nodes):
            t = top[n]
            if t >= 0 and has_turn[t]:
                node_off[n] = 1
                off.update([first_pos[n], *extra.get(n, ())])
        self.node_off = node_off
        self._restart(chain)
        self.dirty = False
        return off

    def branches(self) -> list[Branch]:
        """The abandoned branches, in file order (worked out from the links read; remembered
        until more are read)."""
        key = (len(self.node_of), len(self.off), sum(map(len, list(self.extra.values()))))
        cached = getattr(self, "_branches", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        _chain, top, has_turn, parent = self._compute()
        first_pos, flags, extra = self.first_pos, self.flags, self.extra
        members: dict[int, list[int]] = {}
        for n in range(len(top)):
            t = top[n]
            if t >= 0 and has_turn[t]:
                members.setdefault(t, []).append(n)
        out = []
        for t, nodes in members.items():
            pos = sorted(p for n in nodes for p in (first_pos[n], *extra.get(n, ())))
            turns = [first_pos[n] for n in nodes if flags[n] & 2]
            p = parent[t]
            out.append(
                Branch(
                    first=first_pos[t],
                    fork=first_pos[p] if p >= 0 else None,
                    turn=min(turns) if turns else None,
                    last=pos[-1],
                    events=len(pos),
                )
            )
        out.sort(key=lambda b: b.first)
        self._branches = (key, out)
        return out


if _tree is not None:

    class Tree(_tree.TreeCore, PyTree):  # type: ignore[misc]
        """The tree of core/branches.py with its per-record path (`add`, `_extend`, `_switch`)
        and per-node data in C (core/_tree.c); settling and the branches are PyTree's, reading
        the same attributes (copies of the C arrays)."""

else:
    Tree = PyTree  # type: ignore[misc]


def _tops(parent: array, on_chain: bytearray) -> array:
    """Per node: the root of the subtree off the chain it is in (itself when it hangs off a chain
    node), -1 on the chain, -2 in no subtree of the chain (another root, or a cycle)."""
    n_nodes = len(on_chain)
    top = array("i", [-3]) * n_nodes
    for start in range(n_nodes):
        if top[start] != -3:
            continue
        walk, n = [], start
        while n >= 0 and top[n] == -3 and not on_chain[n] and len(walk) <= n_nodes:
            walk.append(n)
            n = parent[n]
        if n < 0 or len(walk) > n_nodes:
            t = -2
        elif on_chain[n]:
            t = walk[-1] if walk else -1
        else:
            t = top[n]
        for m in walk:
            top[m] = t
        if on_chain[start]:
            top[start] = -1
    return top


# ---- the analysis's side -----------------------------------------------------------------------


def start(
    analysis: Analysis, forced: frozenset[int] = frozenset(), forced_upto: int = -1
) -> Tree | None:
    """A fresh tree for a pass over the log, when its format declares one."""
    make = getattr(analysis.format, "tree_linker", None)
    if make is None:
        return None
    return Tree(make(), forced, forced_upto)


def off_in(fmt: Any, events: list) -> set[int]:
    """Indices of `events` (a whole log's, in order) off its live branch; empty for a format
    without a tree."""
    make = getattr(fmt, "tree_linker", None)
    if make is None:
        return set()
    tree = Tree(make())
    for i, ev in enumerate(events):
        tree.add(i, ev)
    return tree.settle() if tree.dirty else set(tree.off)


def settle(analysis: Analysis) -> bool:
    """After a batch: when a record switched the branch, work the live branch out again; when
    that changes a verdict already applied, replay from the start with the new verdicts (the
    caller then runs the analysis again). True when such a replay is needed."""
    tree = analysis.tree
    if tree is None or not tree.dirty:
        return False
    off = tree.settle()
    if off == tree.off or tree.forced_upto >= analysis.n_events - 1:
        return False  # nothing applied differs (or this pass already used settled verdicts)
    analysis._branch_hint = (frozenset(off), analysis.n_events - 1)
    return True


def branch_reports(analysis: Analysis) -> list[dict]:
    """The abandoned branches as `check --json` prints them."""
    tree = analysis.tree
    if tree is None:
        return []
    seqs, lines = analysis.seqs, analysis.event_lines
    out = []
    for b in tree.branches():
        d: dict[str, Any] = {
            "seq": seqs[b.first],
            "line": lines[b.first] + 1,
            "events": b.events,
            "last_seq": seqs[b.last],
        }
        d["forks_at"] = seqs[b.fork] if b.fork is not None else None
        d["forks_at_line"] = lines[b.fork] + 1 if b.fork is not None else None
        d["first_turn"] = seqs[b.turn] if b.turn is not None else None
        out.append(d)
    return out
