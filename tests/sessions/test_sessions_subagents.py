"""core.subagents: Task calls linked to their sidechain transcripts, and the missing ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sessions_fixture import PARENT1, PARENT2, SUB1, SUB2

from agentlog_tui.core.analysis import open_analysis
from agentlog_tui.core.subagents import missing_subagents, parent_link, task_calls


def test_task_calls_link_to_transcripts_in_both_layouts():
    c1, c2 = task_calls(open_analysis(PARENT1))
    assert (c1.seq, c1.description, c1.agent_id, c1.transcript, c1.result_seq) == (
        4, "Find cache config", "a1b2c3d", SUB1, 6)
    assert (c2.seq, c2.agent_id, c2.transcript) == (7, "dead000", None)
    (c,) = task_calls(open_analysis(PARENT2))
    assert (c.agent_id, c.transcript) == ("e5f6a7b", SUB2)  # agent-*.jsonl beside the session


def test_a_call_without_agent_id_is_matched_by_the_sidechains_first_prompt(tmp_path: Path):
    proj = tmp_path / "p"
    (proj / PARENT1.stem / "subagents").mkdir(parents=True)
    # the call was cut before its result and no progress record names the agent
    lines = [json.loads(x) for x in PARENT1.read_text().splitlines()]
    kept = [o for o in lines if o["type"] != "progress"
            and not (o["type"] == "user" and "agentId" in json.dumps(o.get("toolUseResult")))]
    (proj / PARENT1.name).write_text("".join(json.dumps(o) + "\n" for o in kept))
    shutil.copy(SUB1, proj / PARENT1.stem / "subagents" / "renamed.jsonl")
    shutil.copy(SUB1, proj / PARENT1.stem / "subagents" / "agent-zzz.jsonl")
    c1 = task_calls(open_analysis(proj / PARENT1.name))[0]
    assert (c1.agent_id, c1.transcript) == ("a1b2c3d", proj / PARENT1.stem / "subagents" / "agent-zzz.jsonl")


def test_missing_subagent_transcripts_are_findings():
    (m,) = missing_subagents(open_analysis(PARENT1))
    assert (m["kind"], m["seq"], m["line"], m["agent_id"]) == ("subagent_missing", 7, 7, "dead000")
    assert "Check other caches" in m["message"]
    assert missing_subagents(open_analysis(PARENT2)) == []


def test_a_failed_task_call_is_not_a_missing_transcript(tmp_path: Path):
    lines = [json.loads(x) for x in PARENT1.read_text().splitlines()]
    for o in lines:
        for b in (o.get("message") or {}).get("content") or []:
            if isinstance(b, dict) and b.get("tool_use_id") == "toolu_t2":
                b["is_error"] = True
    p = tmp_path / PARENT1.name
    p.write_text("".join(json.dumps(o) + "\n" for o in lines))
    # the copy has no subagents/ folder: the call that ran (#4) is missing, the failed one (#7) not
    assert [m["seq"] for m in missing_subagents(open_analysis(p))] == [4]


def test_subagent_names_its_parent_and_the_call_that_started_it():
    link = parent_link(SUB1)
    assert link.parent == PARENT1 and (link.call.seq, link.call.description) == (4, "Find cache config")
    link = parent_link(SUB2)
    assert link.parent == PARENT2 and link.call.seq == 3
    assert parent_link(PARENT1) is None  # not a sidechain


def test_check_reports_the_missing_transcript(run_cli):
    code, out, _ = run_cli("check", PARENT1)
    assert code == 1
    assert "subagent_missing" in out and "#7 Task 'Check other caches'" in out
    code, out, _ = run_cli("check", PARENT1, "--json")
    assert [a["seq"] for a in json.loads(out)["anomalies"] if a["kind"] == "subagent_missing"] == [7]
    assert run_cli("check", PARENT2)[0] == 0
