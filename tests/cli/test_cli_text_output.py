"""Plain-text output is for people and safe for terminals; a few resume edge cases."""

from __future__ import annotations

import pytest
from cli_helpers import SAMPLES


@pytest.mark.parametrize("cmd", ["state", "check", "diff", "compact"])
def test_markup_log_prints_no_control_characters(cli, cmd):
    res = cli(cmd, SAMPLES / "markup.jsonl")
    assert res.code in (0, 1), res.err
    assert "Traceback" not in res.err
    bad = {c for c in res.out if (ord(c) < 32 and c not in "\n") or ord(c) == 0x7F}
    assert not bad, sorted(map(ord, bad))


def test_resume_from_an_event_that_does_not_exist(cli, tmp_path):
    p = tmp_path / "unknown_from.jsonl"
    p.write_text('{"seq": 1, "type": "a_set", "data": {}}\n'
                 '{"seq": 2, "type": "executor_resumed", "data": {"from_event": 9}}\n')
    res = cli("check", p, "--json")
    assert res.code == 1
    (r,) = res.json["resumes"]
    assert r["seq"] == 2 and r["from_event"] == 9
    assert r["unknown_from_event"] is True
    assert r["findings"] >= 1


def test_resume_from_seq_alias_and_session_resumed(cli, tmp_path):
    p = tmp_path / "resume_alias.jsonl"
    p.write_text('{"seq": 1, "type": "mail_sent", "data": {"to": "x"}}\n'
                 '{"seq": 2, "type": "a_set", "data": {}}\n'
                 '{"seq": 3, "type": "session_resumed", "data": {"from_seq": 1}}\n'
                 '{"seq": 4, "type": "mail_sent", "data": {"to": "x"}}\n')
    res = cli("check", p, "--json")
    assert res.code == 1
    (r,) = res.json["resumes"]
    assert (r["seq"], r["from_event"], r["missed"]) == (3, 1, [2])
    assert [(d["seq"], d["original_seq"], d["entity"]) for d in r["duplicates"]] == [(4, 1, "mail")]


def test_resume_type_option(cli, tmp_path):
    p = tmp_path / "resume_type.jsonl"
    p.write_text('{"seq": 1, "type": "mail_sent", "data": {"to": "x"}}\n'
                 '{"seq": 2, "type": "a_set", "data": {}}\n'
                 '{"seq": 3, "type": "agent_rebooted", "data": {"from_seq": 1}}\n'
                 '{"seq": 4, "type": "mail_sent", "data": {"to": "x"}}\n')
    assert cli("check", p, "--json").json["resumes"] == []  # not a resume type by default
    res = cli("check", p, "--resume-type", "agent_rebooted", "--json")
    assert res.code == 1
    (r,) = res.json["resumes"]
    assert (r["seq"], r["from_event"], r["missed"]) == (3, 1, [2])
    assert [(d["seq"], d["original_seq"], d["entity"]) for d in r["duplicates"]] == [(4, 1, "mail")]


def test_snapshot_event_without_at_seq_describes_the_event_before(cli, tmp_path):
    p = tmp_path / "snap.jsonl"
    p.write_text('{"seq": 1, "type": "a_set", "data": {"v": 1}}\n'
                 '{"seq": 2, "type": "snapshot", "data": {"state": {"a": {"status": "set", "v": 1}}}}\n'
                 '{"seq": 3, "type": "a_set", "data": {"v": 2}}\n'
                 '{"seq": 4, "type": "snapshot", "data": {"state": {"a": {"status": "set", "v": 1}}}}\n')
    res = cli("diff", p, "--json")
    assert res.code == 1
    s2, s4 = res.json["snapshots"]
    assert (s2["at_seq"], s2["verdict"]) == (1, "match")
    assert (s4["at_seq"], s4["verdict"]) == (3, "drift")
    assert [(d["path"], d["kind"], d["snapshot"], d["replay"], d["written_by"]) for d in s4["differences"]] \
        == [(["a", "v"], "changed", 1, 2, 3)]
    # snapshot events are not applied and are no_effect for compaction
    assert cli("state", p, "--json").json["state"] == {"a": {"status": "set", "v": 2}}
    comp = cli("compact", p, "--json").json
    reasons = {d["seq"]: d["reason"] for d in comp["dropped"]}
    assert reasons[2] == "no_effect" and reasons[4] == "no_effect"
