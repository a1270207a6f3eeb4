"""The OpenHands format: events, pairing by cause, state at chosen points, condensations, drift,
detection, and the three ways its logs are saved (JSON Lines, one JSON array, a folder of files)."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from format_fixtures import BY_FORMAT
from openhands_fixtures import OPENHANDS, action, observation

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.drift import unknown_kinds
from agentlog_tui.core.formats import REGISTRY
from agentlog_tui.tui.cli import main

REAL = Path("/tmp/am_oh")  # real OpenHands trajectories, when fetched (not committed)


def analysed(path) -> Analysis:
    a = Analysis(path)
    a.run()
    return a


@pytest.fixture
def array_log(tmp_path) -> Path:
    p = tmp_path / "trajectory.json"
    p.write_text(json.dumps(OPENHANDS, indent=2))
    return p


def state_after(a: Analysis, seq: int) -> dict:
    return a.state_at(seq)[1]


def test_a_trajectory_array_opens_as_openhands_with_event_ids(array_log):
    a = analysed(array_log)
    assert a.format.name == "openhands" and a.log.container == "json array"
    assert a.n_events == len(OPENHANDS) and a.malformed == [] and a.failed == {}
    assert list(a.seqs) == [e["id"] for e in OPENHANDS]
    assert a.event(3).type == "message" and a.event(4).type == "agent_state_changed.obs"


def test_the_task_and_the_agent_state(array_log):
    a = analysed(array_log)
    assert state_after(a, 2)["task"] is None and state_after(a, 2)["agent_state"] == "init"
    s = state_after(a, 4)
    assert s["task"] == "Fix the failing test in calc.py and check the docs page"
    assert s["agent_state"] == "running"
    assert a.state["agent_state"] == "finished"


def test_actions_and_observations_pair_by_cause(array_log):
    a = analysed(array_log)
    assert state_after(a, 9)["pending"] == {"9": "$ pytest -q"}
    assert state_after(a, 9)["commands"]["9"] == {"command": "pytest -q", "status": "running"}
    s = state_after(a, 10)
    assert s["pending"] == {}
    assert s["commands"]["9"] == {"command": "pytest -q", "status": "failed", "exit_code": 1,
                                  "output_lines": 2}
    assert state_after(a, 14)["commands"]["13"]["status"] == "done"
    assert a.state["commands"]["35"]["status"] == "no exit"  # -1: timed out / still running
    assert a.state["pending"] == {"40": "read /workspace/README.md"}  # never answered


def test_files_edited_and_browser_steps(array_log):
    a = analysed(array_log)
    assert state_after(a, 8)["files"] == {"/workspace/calc.py": {"op": "read", "by": "7"}}
    assert a.state["files"] == {"/workspace/calc.py": {"op": "edit", "by": "11"},
                                "/workspace/NOTES.md": {"op": "write", "by": "15"}}
    assert a.state["browser"] == {
        "22": {"step": "http://localhost:8000/docs", "url": "http://localhost:8000/docs", "status": "done"},
        "24": {"step": "click('42')", "status": "error"},
    }
    assert a.state["errors"] == {"25": {"cause": 24, "error": "Timeout clicking element 42"}}
    assert a.state["finished"] == "finish: The test passes."


def test_condensations_are_compactions_that_forget_context(array_log):
    a = analysed(array_log)
    before = state_after(a, 18)["context"]
    assert {"7", "8", "9", "10"} <= set(before)
    after = state_after(a, 21)["context"]
    assert not {"7", "8", "9", "10"} & set(after)
    assert after["21"] == "summary: Read calc.py; the test failed on add."
    assert a.state["condensations"] == {
        "21": {"forgotten": 4, "removed_from_context": 4, "summary": "Read calc.py; the test failed on add."},
        "31": {"forgotten": 8, "removed_from_context": 8, "summary": None},  # the range 11..18
    }
    assert not {str(i) for i in range(11, 19)} & set(a.state["context"])
    bounds = {a.seqs[p]: b for p, b in a.boundaries.items()}
    assert set(bounds) == {21, 31}
    assert bounds[21].kind == "compaction" and bounds[21].label == "context condensed (4 events forgotten)"


def test_check_lists_condensations_under_compactions(array_log, capsys):
    main(["check", "--json", str(array_log)])
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["format"] == "openhands"
    assert [(c["seq"], c["line"]) for c in doc["compactions"]] == [(21, 20), (31, 30)]
    assert doc["unknown_kinds"] == [] and doc["malformed"] == []


def test_summaries(array_log):
    a = analysed(array_log)
    by_seq = {a.seqs[p]: a.format.summary(a.event(p)) for p in range(a.n_events)}
    assert by_seq[9] == "$ pytest -q"
    assert by_seq[10] == "#9 exit 1 (2 lines): F 1 failed"
    assert by_seq[11] == "edit (str_replace) /workspace/calc.py"
    assert by_seq[21] == "condensed: forgot 4 events; summary: Read calc.py; the test failed on add."
    assert by_seq[25] == "#24 error: Timeout clicking element 42"
    assert by_seq[4] == "agent state: running"


def test_details_show_the_command_output_and_exit_code(array_log):
    a = analysed(array_log)
    fmt = a.format
    sections = dict(fmt.details(a.event(a.pos_of_seq(10))))
    assert sections["exit code"] == "1" and sections["content"] == "F\n1 failed\n"
    assert sections["answers"] == "#9"
    act = dict(fmt.details(a.event(a.pos_of_seq(11))))
    assert act["path"] == "/workspace/calc.py" and act["old_str"] == "a - b"
    browse = dict(fmt.details(a.event(a.pos_of_seq(23))))
    assert "screenshot" not in browse


def test_a_folder_of_per_event_files_reads_the_same(tmp_path, array_log):
    events = tmp_path / "sessions" / "abc123" / "events"
    events.mkdir(parents=True)
    for e in OPENHANDS:
        (events / f"{e['id']}.json").write_text(json.dumps(e))
    (events.parent / "metadata.json").write_text("{}")
    a, b = analysed(events.parent), analysed(array_log)
    assert a.format.name == "openhands" and a.log.container == "event folder"
    assert a.state == b.state and list(a.seqs) == list(b.seqs)


def test_new_kinds_of_event_are_counted(write_log):
    drifted = [*OPENHANDS[:5],
               action(50, "agent", "teleport", {"to": "mars"}),
               observation(51, 50, "teleported", "ok"),
               action(52, "agent", "teleport", {"to": "venus"}),
               {"id": 53, "timestamp": "x", "source": "agent", "message": "", "action": "run"}]
    a = analysed(write_log(drifted))
    assert a.format.name == "openhands"
    assert [(k["kind"], k["count"], k["first_line"]) for k in unknown_kinds(a)] == [
        ("teleport", 2, 6), ("teleported.obs", 1, 7), ("run without args", 1, 9)]


def test_detection_never_confuses_openhands_with_the_others():
    oh = REGISTRY.get("openhands")
    assert REGISTRY.detect(OPENHANDS) is oh
    for name, records in BY_FORMAT.items():
        if name != "openhands":
            assert REGISTRY.detect(records) is not oh and oh.detect(records) < 0.5, name
    # a generic log with `id` and `action` fields but no source is not OpenHands
    generic = [{"id": i, "action": "set", "type": "kv_set", "data": {"key": "a"}} for i in range(5)]
    assert REGISTRY.detect(generic) is not oh


def test_compaction_keeps_what_the_state_needs_and_writes_an_array(array_log, tmp_path):
    out = tmp_path / "small.json"
    assert main(["compact", str(array_log), "-o", str(out)]) == 0
    kept = json.loads(out.read_text())
    assert isinstance(kept, list) and 0 < len(kept) < len(OPENHANDS)
    assert analysed(out).state == analysed(array_log).state


@pytest.mark.skipif(not (REAL / "basic_gui_mode.json").exists(),
                    reason="real OpenHands trajectories not fetched (All-Hands-AI/OpenHands "
                           "tests/runtime/trajs, MIT) into /tmp/am_oh")
def test_real_trajectories_open_with_a_legible_state():
    for f in sorted(REAL.glob("*.json")):
        a = analysed(f)
        assert a.format.name == "openhands" and a.malformed == [] and a.failed == {}, f
        assert unknown_kinds(a) == [], f
        assert a.state["task"], f


def test_condensations_are_reviewed_like_the_other_agents_compactions(array_log, capsys):
    main(["check", "--json", str(array_log)])
    first, second = orjson.loads(capsys.readouterr().out)["compactions"]
    assert first["seq"] == 21 and first["trigger"] == "auto" and first["summary_seq"] == 21
    assert first["dropped_events"] == 4
    assert first["files"] == [{"path": "/workspace/calc.py", "read": True, "written": False,
                               "in_summary": True}]
    assert first["errors"] == [{"seq": 10, "tool": "run", "text": "F 1 failed"}]
    assert second["seq"] == 31 and second["trigger"] == "requested" and second["summary_seq"] is None
    assert second["dropped_events"] == 8
    assert [f["path"] for f in second["files"]] == ["/workspace/calc.py", "/workspace/NOTES.md"]


def test_a_condensation_names_the_user_prompts_and_calls_in_flight_it_affects(write_log, capsys):
    log = write_log([
        action(0, "user", "message", {"content": "Deploy the site"}),
        action(1, "agent", "run", {"command": "make deploy"}),
        action(2, "agent", "condensation", {"forgotten_event_ids": [0]}),
    ])
    main(["check", "--json", str(log)])
    (c,) = orjson.loads(capsys.readouterr().out)["compactions"]
    assert c["user_prompts"] == [{"seq": 0, "text": "Deploy the site", "in_summary": False}]
    assert c["calls_in_flight"] == [{"seq": 1, "call_id": "1", "name": "run", "input": "$ make deploy"}]


def test_ids_skipped_by_a_saved_trajectory_are_information_not_findings(tmp_path, capsys):
    # a saved trajectory leaves out hidden events, so its ids skip: OpenHands does not promise
    # consecutive ids, and a user could do nothing about the gap
    def shifted(e: dict) -> dict:
        e = dict(e)
        if e["id"] > 10:
            e["id"] += 5
        if isinstance(e.get("cause"), int) and e["cause"] > 10:
            e["cause"] += 5
        return e

    p = tmp_path / "trajectory.json"
    p.write_text(json.dumps([shifted(e) for e in OPENHANDS], indent=2))
    code = main(["check", "--json", str(p)])
    doc = orjson.loads(capsys.readouterr().out)
    assert [x["kind"] for x in doc["anomalies"]] == []
    assert {x["kind"] for x in doc["information"]} == {"id_gap"}
    assert code == 0
