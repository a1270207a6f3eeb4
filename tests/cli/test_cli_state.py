"""`agentlog-tui state`: JSON shape, time travel with --at, the head of publish_post (DESIGN 4, 10)."""

from __future__ import annotations

from cli_helpers import PUBLISH, assert_usage_error

HEAD_STATE = {
    "task": {"status": "started", "goal": "publish post X"},
    "draft": {"drafts/x.md": {"status": "written", "path": "drafts/x.md", "sha": "a1b2"}},
    "verification": {"status": "passed", "check": "links_resolve"},
    "publish": {"status": "succeeded", "url": "https://dev.to/alice/x"},
    "executor": {"status": "resumed", "from_event": 5},
}


def test_state_json_shape(cli):
    res = cli("state", PUBLISH, "--json")
    assert res.code == 0
    assert res.err == ""
    doc = res.json
    assert set(doc) == {"seq", "state"}
    assert doc["seq"] == 8
    assert isinstance(doc["state"], dict)


def test_head_state_field_by_field(cli):
    state = cli("state", PUBLISH, "--json").json["state"]
    assert set(state) == set(HEAD_STATE)
    assert state["task"] == HEAD_STATE["task"]
    # the draft is keyed by its path
    assert list(state["draft"]) == ["drafts/x.md"]
    assert state["draft"]["drafts/x.md"] == HEAD_STATE["draft"]["drafts/x.md"]
    assert state["verification"] == HEAD_STATE["verification"]
    assert state["publish"]["status"] == "succeeded"
    assert state["publish"]["url"] == "https://dev.to/alice/x"
    assert state["publish"] == HEAD_STATE["publish"]  # replacement, not merge: no stale error
    assert state["executor"] == {"status": "resumed", "from_event": 5}


def test_state_at_5_publish_failed(cli):
    res = cli("state", PUBLISH, "--at", "5", "--json")
    assert res.code == 0
    doc = res.json
    assert doc["seq"] == 5
    assert doc["state"]["publish"] == {"status": "failed", "error": "429 rate limited"}
    assert "executor" not in doc["state"]  # the resume is event 6


def test_state_at_every_event(cli):
    expected_keys = {
        1: {"task"},
        2: {"task", "draft"},
        3: {"task", "draft", "verification"},
        4: {"task", "draft", "verification", "publish"},
        5: {"task", "draft", "verification", "publish"},
        6: {"task", "draft", "verification", "publish", "executor"},
        7: {"task", "draft", "verification", "publish", "executor"},
        8: set(HEAD_STATE),
    }
    publish = {
        4: {"status": "attempted", "target": "devto"},
        5: {"status": "failed", "error": "429 rate limited"},
        6: {"status": "failed", "error": "429 rate limited"},
        7: {"status": "retried", "backoff_s": 30},
        8: HEAD_STATE["publish"],
    }
    for seq, keys in expected_keys.items():
        doc = cli("state", PUBLISH, "--at", str(seq), "--json").json
        assert doc["seq"] == seq
        assert set(doc["state"]) == keys, seq
        if seq in publish:
            assert doc["state"]["publish"] == publish[seq], seq


def test_state_at_last_equals_head(cli):
    assert cli("state", PUBLISH, "--at", "8", "--json").json == cli("state", PUBLISH, "--json").json


def test_state_at_unknown_id(cli):
    for bad in ("99", "0", "-1"):
        res = cli("state", PUBLISH, "--at", bad, "--json")
        assert_usage_error(res, PUBLISH)
        assert res.out == ""


def test_state_plain_text(cli):
    res = cli("state", PUBLISH)
    assert res.code == 0
    assert "publish_succeeded" in res.out
    assert "https://dev.to/alice/x" in res.out
