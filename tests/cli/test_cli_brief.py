"""`agentlog-tui brief`: text and JSON, --at, --verbs, bad input (one line, exit 2)."""

from __future__ import annotations

import json

from cli_helpers import MALFORMED, PUBLISH, RESUMED, assert_usage_error, run_subprocess


def test_brief_text_cites_the_duplicate_publish(cli):
    res = cli("brief", RESUMED)
    assert res.code == 0 and res.err == ""
    lines = res.out.splitlines()
    assert lines[0] == "brief of resumed_executor.jsonl at #31 task_completed (agentlog, 31 events)"
    assert "  publish devto: completed twice (#18, #27): a duplicate effect  [#18 #27]" in lines
    assert len(lines) <= 40


def test_brief_json_at_an_event(cli):
    res = cli("brief", RESUMED, "--at", "20", "--json")
    assert res.code == 0
    doc = res.json
    assert doc["at"] == 20 and doc["type"] == "publish_failed"
    failed = next(s for s in doc["sections"] if s["name"] == "failed")
    assert failed["items"] == [{"text": "publish hashnode: failed: 429 rate limited retry_in_s=30",
                                "seq": [20], "path": ["publish", "hashnode", "status"]}]


def test_brief_with_a_verbs_file(cli, tmp_path):
    vf = tmp_path / "verbs.json"
    vf.write_text(json.dumps({"effects": ["draft"], "in_progress": ["written"]}))
    doc = cli("brief", PUBLISH, "--verbs", vf, "--json").json
    pending = next(s for s in doc["sections"] if s["name"] == "pending_effects")
    assert [i["seq"] for i in pending["items"]] == [[2]]


def test_brief_text_is_bounded(cli):
    assert len(cli("brief", RESUMED, "--lines", "10").out.splitlines()) <= 10


def test_brief_of_a_log_with_malformed_lines(cli):
    res = cli("brief", MALFORMED)
    assert res.code == 0 and "goal:" in res.out


def test_brief_bad_input(cli, tmp_path):
    assert_usage_error(cli("brief", RESUMED, "--at", "999"), RESUMED)
    assert_usage_error(cli("brief", tmp_path / "absent.jsonl"), tmp_path / "absent.jsonl")
    vf = tmp_path / "v.json"
    vf.write_text('{"nope": []}')
    assert_usage_error(cli("brief", RESUMED, "--verbs", vf), vf)
    empty = tmp_path / "e.jsonl"
    empty.write_text("")
    assert_usage_error(cli("brief", empty, "--at", "1"), empty)
    assert cli("brief", empty).code == 0


def test_brief_in_a_subprocess_bad_id():
    assert_usage_error(run_subprocess("brief", RESUMED, "--at", "0"), RESUMED)
