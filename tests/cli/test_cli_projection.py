"""`--projection FILE.py:NAME` and `module:NAME`: functions, classes, load failures, and a
projection that raises on some events (DESIGN 4)."""

from __future__ import annotations

import textwrap

import pytest
from cli_helpers import PUBLISH, assert_usage_error

PROJECTIONS = textwrap.dedent('''
    def by_type(state, event):
        counts = state.setdefault("types", {})
        counts[event.type] = counts.get(event.type, 0) + 1

    class Counter:
        name = "counter"

        def initial_state(self):
            return {"count": 0}

        def apply(self, state, event):
            state["count"] += 1
            state["last"] = event.type

    def boom(state, event):
        if event.type.startswith("publish"):
            raise RuntimeError("no publishing here")
        state[event.type] = event.seq

    not_callable = 42
''')


@pytest.fixture
def projfile(tmp_path):
    p = tmp_path / "my_projections.py"
    p.write_text(PROJECTIONS)
    return p


def test_plain_function(cli, projfile):
    res = cli("state", PUBLISH, "--projection", f"{projfile}:by_type", "--json")
    assert res.code == 0, res.err
    doc = res.json
    assert doc["seq"] == 8
    assert doc["state"] == {"types": {
        "task_started": 1, "draft_written": 1, "verification_passed": 1, "publish_attempted": 1,
        "publish_failed": 1, "executor_resumed": 1, "publish_retried": 1, "publish_succeeded": 1}}
    at3 = cli("state", PUBLISH, "--projection", f"{projfile}:by_type", "--at", "3", "--json").json
    assert at3["state"] == {"types": {"task_started": 1, "draft_written": 1, "verification_passed": 1}}


def test_class_with_name_initial_state_apply(cli, projfile):
    res = cli("state", PUBLISH, "--projection", f"{projfile}:Counter", "--json")
    assert res.code == 0, res.err
    assert res.json["state"] == {"count": 8, "last": "publish_succeeded"}
    at1 = cli("state", PUBLISH, "--projection", f"{projfile}:Counter", "--at", "1", "--json").json
    assert at1["state"] == {"count": 1, "last": "task_started"}
    # a counter reads what it writes: every event stays live, and compaction verifies
    doc = cli("compact", PUBLISH, "--projection", f"{projfile}:Counter", "--json").json
    assert doc["verified"] is True
    assert {d["seq"] for d in doc["dropped"]} <= {1, 2, 3, 4, 5, 6, 7}


def test_module_name_form(cli, projfile, monkeypatch):
    monkeypatch.syspath_prepend(str(projfile.parent))
    res = cli("state", PUBLISH, "--projection", "my_projections:Counter", "--json")
    assert res.code == 0, res.err
    assert res.json["state"]["count"] == 8


def test_missing_projection_file(cli, tmp_path):
    p = tmp_path / "nowhere.py"
    res = cli("state", PUBLISH, "--projection", f"{p}:fn", "--json")
    assert_usage_error(res, p)


def test_missing_name_in_file(cli, projfile):
    res = cli("check", PUBLISH, "--projection", f"{projfile}:nope", "--json")
    assert_usage_error(res, projfile)
    assert "nope" in res.err


def test_file_that_raises_on_import(cli, tmp_path):
    p = tmp_path / "broken_proj.py"
    p.write_text("import json\nraise RuntimeError('broken at import')\n")
    res = cli("state", PUBLISH, "--projection", f"{p}:fn")
    assert_usage_error(res, p)
    assert "broken at import" in res.err


def test_file_with_syntax_error(cli, tmp_path):
    p = tmp_path / "syntax_proj.py"
    p.write_text("def fn(state, event:\n    pass\n")
    res = cli("state", PUBLISH, "--projection", f"{p}:fn")
    assert_usage_error(res, p)


def test_missing_module(cli):
    res = cli("state", PUBLISH, "--projection", "no_such_module_for_agentlog_tests:fn")
    assert_usage_error(res, "no_such_module_for_agentlog_tests")


def test_not_callable(cli, projfile):
    res = cli("state", PUBLISH, "--projection", f"{projfile}:not_callable")
    assert_usage_error(res, "not_callable")


def test_spec_without_name(cli, projfile):
    res = cli("state", PUBLISH, "--projection", str(projfile))
    assert res.code == 2 and "Traceback" not in res.err
    assert len(res.err.splitlines()) == 1 and res.err.startswith("agentlog-tui: ")


def test_projection_that_raises_marks_events_failed_and_replay_goes_on(cli, projfile):
    spec = f"{projfile}:boom"
    res = cli("check", PUBLISH, "--projection", spec, "--json")
    assert res.code == 1
    doc = res.json
    failed = [a for a in doc["anomalies"] if a["kind"] == "projection_failed"]
    assert [(a["seq"], a["line"]) for a in failed] == [(4, 4), (5, 5), (7, 7), (8, 8)]
    assert all("no publishing here" in a["error"] for a in failed)
    assert doc["events"] == 8
    state = cli("state", PUBLISH, "--projection", spec, "--json")
    assert state.code == 0
    assert state.json["state"] == {"task_started": 1, "draft_written": 2, "verification_passed": 3,
                                   "executor_resumed": 6}
    # a failed event has no effect: compaction drops it as no_effect and still verifies
    comp = cli("compact", PUBLISH, "--projection", spec, "--json").json
    assert comp["verified"] is True
    reasons = {d["seq"]: d["reason"] for d in comp["dropped"]}
    for seq in (4, 5, 7, 8):
        assert reasons.get(seq) == "no_effect"


def test_projection_that_raises_on_every_event(cli, tmp_path):
    p = tmp_path / "always_proj.py"
    p.write_text("def fn(state, event):\n    raise ValueError('nope ' + event.type)\n")
    res = cli("check", PUBLISH, "--projection", f"{p}:fn", "--json")
    assert res.code == 1
    assert sum(a["kind"] == "projection_failed" for a in res.json["anomalies"]) == 8
    assert cli("state", PUBLISH, "--projection", f"{p}:fn", "--json").json == {"seq": 8, "state": {}}
