"""Branches in the app: `o` hides the records off the live branch (core/branches.py).

The timeline marks each such record with `⎇` and, on the first record of a branch, the event it
forks from; the header counts the branches. This feature owns the key and the rows it hides;
navigation's rows worker asks `branch_hidden` when the key is on.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

BRANCH_GLYPH = "⎇ "


class BranchesFeature:
    """Hide or show the records on abandoned branches (mixed into `AgentlogApp`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "hide_branches", "hide other branches", id="hide_branches"),
    ]

    def _init_branches(self) -> None:
        self.hide_branches = False

    def _can_hide_branches(self) -> bool:
        m = self.model
        tree = m.a.tree if m.analysed else None
        return tree is not None and bool(tree.off)

    def action_hide_branches(self) -> None:
        self.hide_branches = not self.hide_branches
        self.recompute_rows(self.timeline.cursor_line)
        self.update_header()

    def branch_hidden(self, superseded: bytearray | None) -> bytearray:
        """Per event position: 1 to hide (off the live branch, or superseded when given)."""
        a = self.model.a
        out = bytearray(superseded) if superseded is not None else bytearray(a.n_events)
        if len(out) < a.n_events:
            out.extend(bytes(a.n_events - len(out)))
        tree = a.tree
        if tree is not None:
            for p in tree.off:
                if p < len(out):
                    out[p] = 1
        return out


def branch_forks(analysis) -> dict[int, int | None]:
    """First position of each abandoned branch -> the id of the event it forks from."""
    tree = analysis.tree
    if tree is None or not tree.off:
        return {}
    seqs = analysis.seqs
    return {b.first: (seqs[b.fork] if b.fork is not None else None) for b in tree.branches()}
