"""`agentlog-tui diff`: in-log snapshots and --snapshot files against fresh replays (DESIGN 6)."""

from __future__ import annotations

import copy
import json

from cli_helpers import PUBLISH, RESUMED, assert_usage_error

DRIFT_23 = [
    (["draft", "drafts/launch.md", "sha"], "changed", "c0d9e88", "d41a7b2", 21),
    (["draft", "drafts/launch.md", "words"], "changed", 702, 710, 21),
    (["publish", "devto", "status"], "changed", "started", "succeeded", 18),
    (["publish", "devto", "url"], "missing", None,
     "https://dev.to/agentlog/launching-agentlog-tui-3k1f", 18),
    (["publish", "hashnode"], "missing", None, {"status": "retried", "key": "hashnode", "attempt": 2}, 22),
]


def test_diff_json_shape_and_verdicts(cli):
    res = cli("diff", RESUMED, "--json")
    assert res.code == 1  # a drift
    doc = res.json
    assert set(doc) == {"snapshots"}
    snaps = doc["snapshots"]
    assert len(snaps) == 2
    for s in snaps:
        assert {"source", "at_seq", "verdict", "differences"} <= set(s)
        for d in s["differences"]:
            assert set(d) == {"path", "kind", "snapshot", "replay", "written_by"}
            assert isinstance(d["path"], list)
    assert [(s["at_seq"], s["verdict"]) for s in snaps] == [(10, "match"), (22, "drift")]
    assert "11" in snaps[0]["source"] and "23" in snaps[1]["source"]
    assert snaps[0]["differences"] == []


def test_diff_every_difference_of_the_drifted_snapshot(cli):
    snap = cli("diff", RESUMED, "--json").json["snapshots"][1]
    got = [(d["path"], d["kind"], d["snapshot"], d["replay"], d["written_by"])
           for d in snap["differences"]]
    assert sorted(got, key=lambda t: t[0]) == sorted(DRIFT_23, key=lambda t: t[0])


def test_diff_no_snapshots_exit_0(cli):
    res = cli("diff", PUBLISH, "--json")
    assert res.code == 0
    assert res.json == {"snapshots": []}
    res = cli("diff", PUBLISH)
    assert res.code == 0


def test_diff_plain_text(cli):
    res = cli("diff", RESUMED)
    assert res.code == 1
    assert "drift" in res.out and "match" in res.out
    assert "#21" in res.out and "#18" in res.out and "#22" in res.out


def _write_state_at(cli, log, at, path):
    res = cli("state", log, "--at", str(at), "--json")
    assert res.code == 0
    path.write_text(res.out)
    return res.json


def test_snapshot_file_from_state_matches(cli, tmp_path):
    snap = tmp_path / "snap5.json"
    _write_state_at(cli, PUBLISH, 5, snap)
    res = cli("diff", PUBLISH, "--snapshot", snap, "--json")
    assert res.code == 0, res.out
    (r,) = res.json["snapshots"]
    assert r["source"].endswith("snap5.json")
    assert r["at_seq"] == 5
    assert r["verdict"] == "match"
    assert r["differences"] == []


def test_snapshot_file_from_state_matches_on_resumed_log(cli, tmp_path):
    snap = tmp_path / "snap22.json"
    _write_state_at(cli, RESUMED, 22, snap)
    res = cli("diff", RESUMED, "--snapshot", snap, "--json")
    assert res.code == 1  # the in-log snapshot 23 still drifts
    mine = res.json["snapshots"][-1]
    assert mine["at_seq"] == 22 and mine["verdict"] == "match"


def test_hand_edited_snapshot_drifts(cli, tmp_path):
    snap = tmp_path / "edited.json"
    doc = _write_state_at(cli, PUBLISH, 5, snap)
    edited = copy.deepcopy(doc)
    edited["state"]["publish"]["error"] = "500 server error"  # changed
    del edited["state"]["task"]  # missing (in replay, not in snapshot)
    edited["state"]["draft"]["drafts/x.md"]["words"] = 12  # extra (in snapshot only)
    snap.write_text(json.dumps(edited))
    res = cli("diff", PUBLISH, "--snapshot", snap, "--json")
    assert res.code == 1
    (r,) = res.json["snapshots"]
    assert r["verdict"] == "drift" and r["at_seq"] == 5
    got = {tuple(d["path"]): d for d in r["differences"]}
    assert set(got) == {("publish", "error"), ("task",), ("draft", "drafts/x.md", "words")}
    ch = got[("publish", "error")]
    assert (ch["kind"], ch["snapshot"], ch["replay"], ch["written_by"]) == (
        "changed", "500 server error", "429 rate limited", 5)
    mi = got[("task",)]
    assert (mi["kind"], mi["replay"], mi["written_by"]) == (
        "missing", {"status": "started", "goal": "publish post X"}, 1)
    ex = got[("draft", "drafts/x.md", "words")]
    assert (ex["kind"], ex["snapshot"], ex["replay"]) == ("extra", 12, None)
    # the path is not in the replay: blame its nearest existing container (written by 2), or none
    assert ex["written_by"] in (2, None)


def test_snapshot_file_with_at_seq_key(cli, tmp_path):
    state = cli("state", PUBLISH, "--at", "3", "--json").json["state"]
    snap = tmp_path / "at3.json"
    snap.write_text(json.dumps({"at_seq": 3, "state": state}))
    res = cli("diff", PUBLISH, "--snapshot", snap, "--json")
    assert res.code == 0
    assert res.json["snapshots"][0]["at_seq"] == 3


def test_bare_object_snapshot_is_compared_at_head(cli, tmp_path):
    head = cli("state", PUBLISH, "--json").json["state"]
    snap = tmp_path / "bare.json"
    snap.write_text(json.dumps(head))
    res = cli("diff", PUBLISH, "--snapshot", snap, "--json")
    assert res.code == 0
    (r,) = res.json["snapshots"]
    assert r["verdict"] == "match" and r["at_seq"] == 8
    # the state at 5 as a bare object is compared with the head: it drifts
    at5 = cli("state", PUBLISH, "--at", "5", "--json").json["state"]
    snap.write_text(json.dumps(at5))
    res = cli("diff", PUBLISH, "--snapshot", snap, "--json")
    assert res.code == 1
    (r,) = res.json["snapshots"]
    assert r["at_seq"] == 8 and r["verdict"] == "drift"
    got = {tuple(d["path"]): d for d in r["differences"]}
    assert got[("executor",)]["kind"] == "missing"
    assert got[("executor",)]["written_by"] == 6
    assert got[("publish", "status")]["written_by"] == 8


def test_bad_snapshot_files(cli, tmp_path):
    cases = {
        "missing.json": None,
        "notjson.json": "{not json",
        "array.json": "[1, 2]",
        "badseq.json": '{"at_seq": "five", "state": {}}',
    }
    for name, content in cases.items():
        p = tmp_path / name
        if content is not None:
            p.write_text(content)
        res = cli("diff", PUBLISH, "--snapshot", p, "--json")
        assert_usage_error(res, p)
    res = cli("diff", PUBLISH, "--snapshot", tmp_path, "--json")  # a directory
    assert_usage_error(res, tmp_path)


def test_snapshot_at_unknown_seq_is_a_drift_not_a_crash(cli, tmp_path):
    p = tmp_path / "far.json"
    p.write_text('{"at_seq": 99, "state": {}}')
    res = cli("diff", PUBLISH, "--snapshot", p, "--json")
    if res.code == 2:
        assert_usage_error(res, p)
    else:
        assert res.code == 1
        (r,) = res.json["snapshots"]
        assert r["verdict"] == "drift" and r["at_seq"] == 99
        assert "99" in r.get("error", "")
