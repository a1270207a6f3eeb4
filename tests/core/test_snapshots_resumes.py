"""Snapshot drift with blame, and the resume checks, on the sample logs."""

from __future__ import annotations

import orjson
import pytest

from agentlog_tui.core.analysis import open_analysis
from agentlog_tui.core.resumes import resume_reports
from agentlog_tui.core.snapshots import SnapshotFileError, file_report, snapshot_reports


def test_resumed_executor_snapshots(samples):
    a = open_analysis(samples / "resumed_executor.jsonl")
    first, stale = snapshot_reports(a)
    assert (first.source, first.at_seq, first.verdict, first.differences) == ("event #11", 10, "match", [])
    assert (stale.at_seq, stale.verdict) == (22, "drift")
    got = [(d.path, d.kind, d.snapshot, d.replay, d.written_by) for d in stale.differences]
    assert got == [
        (("draft", "drafts/launch.md", "sha"), "changed", "c0d9e88", "d41a7b2", 21),
        (("draft", "drafts/launch.md", "words"), "changed", 702, 710, 21),
        (("publish", "devto", "status"), "changed", "started", "succeeded", 18),
        (("publish", "devto", "url"), "missing", None,
         "https://dev.to/agentlog/launching-agentlog-tui-3k1f", 18),
        (("publish", "hashnode"), "missing", None,
         {"status": "retried", "key": "hashnode", "attempt": 2}, 22),
    ]


def test_resumed_executor_resume_findings(samples):
    a = open_analysis(samples / "resumed_executor.jsonl")
    clean, bad = resume_reports(a)
    assert (clean.seq, clean.from_seq, clean.findings) == (12, 11, 0)
    assert clean.snapshot is not None and clean.snapshot.verdict == "match"
    assert (bad.seq, bad.from_seq) == (24, 17)
    assert bad.missed == [18, 19, 20, 21, 22]
    assert bad.snapshot is not None and bad.snapshot.verdict == "drift"
    assert [(d.seq, d.original_seq, d.entity, d.subject) for d in bad.duplicates] == [
        (27, 18, "publish", "devto")]
    assert not bad.unknown_from


def test_resume_from_an_event_that_does_not_exist(write_log):
    a = open_analysis(write_log([
        {"seq": 1, "type": "a_set", "data": {}},
        {"seq": 2, "type": "executor_resumed", "data": {"from_event": 40}},
    ]))
    (r,) = resume_reports(a)
    assert r.unknown_from and r.findings == 1


def test_snapshot_files(samples, tmp_path):
    a = open_analysis(samples / "publish_post.jsonl")
    good = tmp_path / "s.json"
    seq, state = a.state_at(5)
    good.write_bytes(orjson.dumps({"seq": seq, "state": state}))
    assert file_report(a, good).verdict == "match"
    state["publish"]["status"] = "succeeded"
    state["extra"] = 1
    del state["task"]
    bad = tmp_path / "b.json"
    bad.write_bytes(orjson.dumps({"at_seq": 5, "state": state}))
    r = file_report(a, bad)
    assert r.verdict == "drift"
    assert sorted((d.path, d.kind, d.written_by) for d in r.differences) == [
        (("extra",), "extra", None), (("publish", "status"), "changed", 5), (("task",), "missing", 1)]
    bare = tmp_path / "bare.json"
    bare.write_bytes(orjson.dumps(a.state))
    r = file_report(a, bare)
    assert (r.verdict, r.at_seq) == ("match", 8)
    for content in (b"[1]", b"{nope"):
        (tmp_path / "x.json").write_bytes(content)
        with pytest.raises(SnapshotFileError):
            file_report(a, tmp_path / "x.json")
