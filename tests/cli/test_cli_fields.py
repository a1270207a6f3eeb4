"""Field detection, aliases and overrides (DESIGN 3), and `--key-field` (DESIGN 4)."""

from __future__ import annotations

import json

import pytest
from cli_helpers import assert_accounted


def _write(path, objs):
    path.write_text("".join(json.dumps(o) + "\n" for o in objs))
    return path


@pytest.fixture
def alias_log(tmp_path):
    return _write(tmp_path / "alias.jsonl", [
        {"event_id": 10, "timestamp": "2026-01-01T00:00:00Z", "event": "draft_written",
         "payload": {"path": "a.md", "sha": "1"}},
        {"event_id": 11, "timestamp": "2026-01-01T00:00:01Z", "event": "draft_written",
         "payload": {"path": "b.md", "sha": "2"}},
        {"event_id": 12, "timestamp": "2026-01-01T00:00:02Z", "event": "draft_deleted",
         "payload": {"path": "a.md"}},
        {"event_id": 13, "timestamp": "2026-01-01T00:00:03Z", "event": "task_done",
         "payload": {"goal": "g"}},
    ])


def test_aliases_event_payload_timestamp_event_id(cli, alias_log):
    res = cli("check", alias_log, "--json")
    assert res.code == 0, res.out
    doc = res.json
    assert doc["format"] == "agentlog"
    assert doc["events"] == 4 and doc["malformed"] == [] and doc["anomalies"] == []
    assert_accounted(doc, alias_log)
    at11 = cli("state", alias_log, "--at", "11", "--json").json
    assert at11["seq"] == 11  # ids come from event_id
    assert at11["state"] == {"draft": {
        "a.md": {"status": "written", "path": "a.md", "sha": "1"},
        "b.md": {"status": "written", "path": "b.md", "sha": "2"}}}
    head = cli("state", alias_log, "--json").json
    assert head["seq"] == 13
    assert head["state"] == {  # the tombstone removed a.md
        "draft": {"b.md": {"status": "written", "path": "b.md", "sha": "2"}},
        "task": {"status": "done", "goal": "g"}}
    assert cli("state", alias_log, "--at", "1").code == 2  # 1 is a line number, not an id


def test_alias_timestamps_are_checked(cli, tmp_path):
    p = _write(tmp_path / "ts.jsonl", [
        {"event_id": 1, "timestamp": "2026-01-01T00:00:05Z", "event": "a_x", "payload": {}},
        {"event_id": 2, "timestamp": "2026-01-01T00:00:01Z", "event": "a_y", "payload": {}},
    ])
    res = cli("check", p, "--json")
    assert res.code == 1
    assert [(a["kind"], a["seq"]) for a in res.json["anomalies"]] == [("ts_backwards", 2)]


def test_flat_log_without_ids_uses_line_numbers(cli, tmp_path):
    p = _write(tmp_path / "flat.jsonl", [
        {"type": "x_set", "path": "a", "v": 1},
        {"type": "x_set", "path": "b", "v": 2},
        {"type": "x_set", "path": "a", "v": 3},
    ])
    doc = cli("check", p, "--json").json
    assert doc["events"] == 3 and doc["anomalies"] == []
    at2 = cli("state", p, "--at", "2", "--json").json
    assert at2 == {"seq": 2, "state": {"x": {
        "a": {"status": "set", "path": "a", "v": 1},
        "b": {"status": "set", "path": "b", "v": 2}}}}
    head = cli("state", p, "--json").json
    assert head["seq"] == 3
    assert head["state"]["x"]["a"] == {"status": "set", "path": "a", "v": 3}


def test_flat_log_ids_are_physical_line_numbers(cli, tmp_path):
    p = tmp_path / "flat_blank.jsonl"
    p.write_text('{"type": "x_set", "path": "a", "v": 1}\n\n{"type": "x_set", "path": "b", "v": 2}\n')
    assert cli("state", p, "--at", "3", "--json").json["seq"] == 3
    assert cli("state", p, "--at", "2").code == 2  # line 2 is blank: no event


def test_type_field_override(cli, tmp_path):
    p = _write(tmp_path / "kind2.jsonl", [
        {"seq": 1, "kind2": "draft_written", "type": "noise_x", "data": {"path": "a.md"}},
        {"seq": 2, "kind2": "check_passed", "type": "noise_y", "data": {"name": "links"}},
    ])
    default = cli("state", p, "--json").json["state"]
    assert set(default) == {"noise"}
    res = cli("state", p, "--type-field", "kind2", "--json")
    assert res.code == 0
    assert res.json["state"] == {
        "draft": {"a.md": {"status": "written", "path": "a.md"}},
        "check": {"links": {"status": "passed", "name": "links"}}}


def test_id_and_data_field_overrides(cli, tmp_path):
    p = _write(tmp_path / "ids.jsonl", [
        {"n": 100, "type": "note_added", "body": {"key": "k1", "text": "hi"}},
        {"n": 200, "type": "note_added", "body": {"key": "k2", "text": "yo"}},
    ])
    res = cli("state", p, "--id-field", "n", "--data-field", "body", "--at", "100", "--json")
    assert res.code == 0, res.err
    assert res.json == {"seq": 100, "state": {"note": {"k1": {"status": "added", "key": "k1", "text": "hi"}}}}


def test_key_field_changes_subjects(cli, tmp_path):
    p = _write(tmp_path / "keys.jsonl", [
        {"seq": 1, "type": "draft_written", "data": {"path": "a.md", "name": "post"}},
        {"seq": 2, "type": "draft_written", "data": {"path": "b.md", "name": "post"}},
    ])
    by_path = cli("state", p, "--json").json["state"]
    assert set(by_path["draft"]) == {"a.md", "b.md"}
    res = cli("state", p, "--key-field", "name", "--json")
    assert res.code == 0
    assert res.json["state"] == {"draft": {"post": {"status": "written", "path": "b.md", "name": "post"}}}
    # with subjects by name, event 1 is overwritten by 2
    comp = cli("compact", p, "--key-field", "name", "--json").json
    assert [(d["seq"], d["superseded_by"]) for d in comp["dropped"]] == [(1, [2])]
    # a key field absent from the events: no subject, the entity itself is replaced
    res = cli("state", p, "--key-field", "nothere", "--json")
    assert res.json["state"] == {"draft": {"status": "written", "path": "b.md", "name": "post"}}


def test_key_field_changes_duplicate_effects(cli, tmp_path):
    p = _write(tmp_path / "dup.jsonl", [
        {"seq": 1, "type": "publish_succeeded", "data": {"target": "devto", "url": "u1"}},
        {"seq": 2, "type": "executor_resumed", "data": {"from_event": 1}},
        {"seq": 3, "type": "publish_succeeded", "data": {"target": "hashnode", "url": "u2"}},
    ])
    # without a subject both are the same effect ("publish"): a possible duplicate
    r = cli("check", p, "--json")
    assert r.code == 1
    assert r.json["resumes"][0]["duplicates"] == [
        {"seq": 3, "original_seq": 1, "entity": "publish", "subject": None}]
    # keyed by target they are different effects
    r = cli("check", p, "--key-field", "target", "--json")
    assert r.code == 0, r.out
    assert r.json["resumes"][0]["duplicates"] == []


def test_formats_lists_agentlog(cli):
    res = cli("formats")
    assert res.code == 0
    names = [line.split()[0] for line in res.out.splitlines() if line.strip()]
    assert "agentlog" in names


def test_force_format_agentlog(cli, alias_log):
    res = cli("check", alias_log, "--format", "agentlog", "--json")
    assert res.code == 0 and res.json["format"] == "agentlog"
