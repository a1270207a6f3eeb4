"""The brief of pi and Gemini CLI sessions (core/brief_agents.py session_brief): the user's
prompts on the live branch only, calls and files from the state, every citation checked through
blame."""

from __future__ import annotations

import json

from agent_fixtures import GEMINI_CLI, PI

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.brief import make_brief
from agentlog_tui.core.formats.base import event_details


def analysed(tmp_path, name, records) -> Analysis:
    p = tmp_path / name
    p.write_text("".join(json.dumps(r) + "\n" for r in records))
    a = Analysis(p)
    a.run()
    return a


def items(b, name):
    s = b.section(name)
    return s.items if s is not None else []


def check(a, b):
    pos = a.pos_of_seq(b.seq)
    for s in b.sections:
        for it in s.items:
            assert all(a.pos_of_seq(x) is not None and a.pos_of_seq(x) <= pos for x in it.seqs)
            if it.path is not None:
                assert a.blame_seq(it.path, pos) == it.seqs[0], it


def prompt_of(a, seq):
    return dict(event_details(a.format, a.event(a.pos_of_seq(seq))))["prompt"]


def test_pi_brief_leaves_the_abandoned_branch_out(tmp_path):
    a = analysed(tmp_path, "pi.jsonl", PI)
    assert a.format.name == "pi"
    b = make_brief(a)
    assert b.note is None
    check(a, b)
    goal = items(b, "goal")
    texts = [i.text for i in goal]
    assert "first prompt: Make add() in calc.py handle floats" in texts
    assert "latest instruction: Add a docstring to add() instead" in texts
    cited = {x for s in b.sections for i in s.items for x in i.seqs}
    off = a.tree.off
    assert not any(a.pos_of_seq(x) in off for x in cited)  # nothing from the abandoned branch
    for it in goal:
        if it.text.startswith(("first prompt: ", "latest instruction: ")):
            assert it.text.split(": ", 1)[1] == prompt_of(a, it.seqs[0])
    assert [i.text for i in items(b, "files")] == ["edit: /home/dev/calc/calc.py"]
    # at every event the brief cites only what was written by then, as blame says
    for p in range(a.n_events):
        check(a, make_brief(a, a.seqs[p]))


def test_gemini_brief(tmp_path):
    a = analysed(tmp_path, "gemini.json", GEMINI_CLI)
    assert a.format.name == "gemini-cli"
    b = make_brief(a)
    check(a, b)
    texts = [i.text for i in items(b, "goal")]
    assert "first prompt: List the files and read README.md" in texts
    assert items(b, "boundaries")[0].text.startswith("compaction at #")
    for p in range(a.n_events):
        bp = make_brief(a, a.seqs[p])
        assert bp.note is None
        check(a, bp)
