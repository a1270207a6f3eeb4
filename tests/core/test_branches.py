"""The tree engine (core/branches.py): the live branch, abandoned branches, verdicts as records arrive."""

from __future__ import annotations

from agentlog_tui.core.branches import Link, Tree


def link(ev):
    return ev


def feed(links):
    """A tree fed these links in order (positions 0..n-1), settled when it went dirty."""
    t = Tree(link)
    verdicts = [t.add(i, lk) for i, lk in enumerate(links)]
    off = t.settle() if t.dirty else set(t.off)
    return t, verdicts, off


def L(id, parent, leaf=True, turn=True):
    return Link(id, parent, leaf, turn)


def test_a_linear_log_has_no_branch_and_never_settles():
    t, verdicts, off = feed([L("a", None), L("b", "a"), L("c", "b"), None, L("d", "c")])
    assert not any(verdicts) and off == set() and not t.dirty
    assert t.chain == [0, 1, 2, 3] and t.branches() == []


def test_a_fork_leaves_the_older_subtree_off_the_live_branch():
    # a-b-c then back to a: d, e
    t, _, off = feed([L("a", None), L("b", "a"), L("c", "b"), L("d", "a"), L("e", "d")])
    assert off == {1, 2}
    (b,) = t.branches()
    assert (b.first, b.fork, b.turn, b.last, b.events) == (1, 0, 1, 2, 2)


def test_two_rewinds_from_the_same_point_are_two_branches():
    t, _, off = feed([L("a", None), L("b", "a"), L("c", "a"), L("d", "a")])
    assert off == {1, 2}
    assert [(b.first, b.fork) for b in t.branches()] == [(1, 0), (2, 0)]


def test_coming_back_to_an_old_branch_makes_it_live_again():
    _t, _, off = feed([L("a", None), L("b", "a"), L("c", "a"), L("b2", "b")])
    assert off == {2}


def test_a_subtree_without_a_turn_hangs_off_the_chain_and_stays_live():
    links = [L("u", None), L("a1", "u", turn=False), L("a2", "a1", turn=False),
             L("r2", "a2", turn=False), L("r1", "a1", turn=False), L("x", "r1", turn=False)]
    t, verdicts, off = feed(links)
    assert off == set() and not any(verdicts)
    assert not t.dirty  # switching to r1 changed no verdict: no settling needed


def test_records_that_cannot_end_the_branch_do_not_move_the_leaf():
    links = [L("a", None), L("b", "a"), L("p", "b", leaf=False, turn=False),
             L("c", "a"), L("q", "b", leaf=False, turn=False)]
    t, _verdicts, off = feed(links)
    assert off == {1, 2, 4}  # b's subtree (with its progress) is the abandoned branch
    assert t.chain == [0, 3]
    # once settled, a record under an abandoned node is decided on arrival
    assert t.add(5, L("r", "p", leaf=False, turn=False)) is True
    assert not t.dirty


def test_repeated_ids_are_records_of_one_node():
    t, _, off = feed([L("a", None), L("b", "a"), L("b", "a"), L("c", "a")])
    assert off == {1, 2}
    assert t.branches()[0].events == 2


def test_a_parent_written_after_its_child_and_a_cycle_are_handled():
    t, _, off = feed([L("a", None), L("c", "b"), L("b", "a"), L("x", "y"), L("y", "x"), L("d", "c")])
    assert off == set()
    assert t.chain == [0, 2, 1, 5]


def test_a_record_naming_itself_as_its_parent_is_a_root_not_a_crash():
    # found by the fuzz campaign: a damaged Claude Code record whose parentUuid is its own uuid
    t, verdicts, off = feed([L("a", None), L("b", "a"), L("c", "c"), L("d", "b")])
    assert len(verdicts) == 4 and not verdicts[3]
    assert 3 not in off and t.chain[-1] == 3


def test_a_second_root_is_not_marked():
    t, _, off = feed([L("a", None), L("b", "a"), L("r", None), L("s", "r")])
    assert off == set()  # another tree in the file: not a branch of this one
    assert t.chain == [2, 3]


def test_forced_verdicts_are_used_for_the_lines_they_cover():
    t = Tree(link, frozenset({1}), 1)
    assert t.add(0, L("a", None)) is False
    assert t.add(1, L("b", "a")) is True
    assert t.add(2, L("c", "a")) is False
    assert t.settle() == {1}


def test_work_grows_linearly_with_parallel_calls():
    """No settling and a bounded walk per record for the common shape (tool calls in parallel)."""
    def walk_steps(n):
        links, prev = [], None
        for i in range(n):
            u = f"u{i}"
            links += [L(u, prev), L(f"a{i}", u, turn=False), L(f"b{i}", f"a{i}", turn=False),
                      L(f"rb{i}", f"b{i}", turn=False), L(f"ra{i}", f"a{i}", turn=False)]
            prev = f"ra{i}"
        t = Tree(link)
        calls = {"settle": 0}
        real = t.settle
        t.settle = lambda: (calls.__setitem__("settle", calls["settle"] + 1), real())[1]
        for i, lk in enumerate(links):
            t.add(i, lk)
        assert not t.dirty
        return calls["settle"], len(t.chain)
    s1, c1 = walk_steps(100)
    s4, c4 = walk_steps(400)
    assert s1 == s4 == 0
    assert c4 == 4 * c1
