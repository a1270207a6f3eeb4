"""`agentlog-tui check`: the JSON document of DESIGN section 10, integrity findings on
malformed.jsonl and resume findings on resumed_executor.jsonl, exactly as sample_logs/README.md
lists them."""

from __future__ import annotations

from cli_helpers import MALFORMED, PUBLISH, RESUMED, assert_accounted, physical_lines

CHECK_KEYS = {"format", "events", "malformed", "anomalies", "resumes", "pending_tail"}


def test_check_json_shape_clean_log(cli):
    res = cli("check", PUBLISH, "--json")
    assert res.code == 0, res.out
    doc = res.json
    assert CHECK_KEYS <= set(doc)
    assert doc["format"] == "agentlog"
    assert doc["events"] == 8
    assert doc["malformed"] == []
    assert doc["anomalies"] == []
    assert doc["pending_tail"] is False
    assert isinstance(doc["resumes"], list)
    assert_accounted(doc, PUBLISH)


def test_check_publish_post_resume_is_clean(cli):
    doc = cli("check", PUBLISH, "--json").json
    (r,) = doc["resumes"]
    assert r["seq"] == 6
    assert r["from_event"] == 5
    assert r["missed"] == []
    assert r["unknown_from_event"] is False
    assert r["duplicates"] == []
    assert r["findings"] == 0


def test_check_plain_text_clean(cli):
    res = cli("check", PUBLISH)
    assert res.code == 0
    assert "8 events" in res.out


# ---- malformed.jsonl ----------------------------------------------------------------------------

MALFORMED_LINES = {  # line -> (offset, words the error must contain, one of)
    3: (216, ("json",)),
    5: (396, ("json",)),
    6: (445, ("utf-8", "utf8")),
    7: (527, ("object",)),
    8: (537, ("object",)),
    9: (553, ("type",)),
}


def test_check_malformed_exit_1_and_every_bad_line(cli):
    res = cli("check", MALFORMED, "--json")
    assert res.code == 1
    doc = res.json
    assert doc["format"] == "agentlog"
    assert doc["events"] == 12
    got = {m["line"]: m for m in doc["malformed"]}
    assert sorted(got) == sorted(MALFORMED_LINES)
    for line, (offset, words) in MALFORMED_LINES.items():
        m = got[line]
        assert set(m) >= {"line", "offset", "error"}
        assert m["offset"] == offset, line
        assert any(w in m["error"].lower() for w in words), (line, m["error"])
    # kinds told apart: an array and a string are "not an object"; line 9 lacks a type
    assert "array" in got[7]["error"].lower()
    assert "string" in got[8]["error"].lower()


def test_check_malformed_anomalies(cli):
    doc = cli("check", MALFORMED, "--json").json
    kinds = {(a["kind"], a["line"]) for a in doc["anomalies"]}
    assert kinds == {("duplicate_id", 12), ("id_backwards", 15), ("id_gap", 18), ("ts_backwards", 19)}
    by_kind = {a["kind"]: a for a in doc["anomalies"]}
    assert by_kind["duplicate_id"]["seq"] == 4
    assert by_kind["id_backwards"]["seq"] == 0
    assert by_kind["id_gap"]["seq"] == 11
    assert by_kind["ts_backwards"]["seq"] == 12


def test_check_malformed_pending_tail_and_accounting(cli):
    doc = cli("check", MALFORMED, "--json").json
    assert doc["pending_tail"] is True
    assert doc["blank_lines"] == 1
    assert physical_lines(MALFORMED) == 20
    assert_accounted(doc, MALFORMED)
    # the BOM line and the CRLF line are events, not malformed
    assert 1 not in {m["line"] for m in doc["malformed"]}
    assert 4 not in {m["line"] for m in doc["malformed"]}
    # the pending tail (line 20) is not malformed
    assert 20 not in {m["line"] for m in doc["malformed"]}


def test_check_malformed_plain_text(cli):
    res = cli("check", MALFORMED)
    assert res.code == 1
    assert "malformed" in res.out


# ---- resumed_executor.jsonl ---------------------------------------------------------------------


def _resumes(cli):
    res = cli("check", RESUMED, "--json")
    assert res.code == 1
    doc = res.json
    assert doc["events"] == 31
    assert doc["malformed"] == [] and doc["anomalies"] == [] and doc["pending_tail"] is False
    assert_accounted(doc, RESUMED)
    return {r["seq"]: r for r in doc["resumes"]}


def test_resume_12_is_clean(cli):
    resumes = _resumes(cli)
    assert sorted(resumes) == [12, 24]
    r = resumes[12]
    assert r["from_event"] == 11
    assert r["missed"] == []
    assert r["unknown_from_event"] is False
    assert r["duplicates"] == []
    assert r["findings"] == 0
    snap = r["snapshot"]
    assert snap["source"] and snap["at_seq"] == 10 and snap["verdict"] == "match"
    assert snap["differences"] == []


def test_resume_24_missed_events(cli):
    r = _resumes(cli)[24]
    assert r["from_event"] == 17
    # 23 is the snapshot the executor loaded: excluded from the missed events
    assert r["missed"] == [18, 19, 20, 21, 22]
    assert r["unknown_from_event"] is False


def test_resume_24_loaded_a_drifted_snapshot(cli):
    snap = _resumes(cli)[24]["snapshot"]
    assert snap["at_seq"] == 22
    assert snap["verdict"] == "drift"
    paths = [tuple(d["path"]) for d in snap["differences"]]
    assert sorted(paths) == sorted([
        ("draft", "drafts/launch.md", "sha"),
        ("draft", "drafts/launch.md", "words"),
        ("publish", "devto", "status"),
        ("publish", "devto", "url"),
        ("publish", "hashnode"),
    ])


def test_resume_24_duplicate_effect(cli):
    r = _resumes(cli)[24]
    assert r["duplicates"] == [{"seq": 27, "original_seq": 18, "entity": "publish", "subject": "devto"}]
    # 5 missed + 1 drifted snapshot + 1 duplicate
    assert r["findings"] == 7


def test_resume_plain_text(cli):
    res = cli("check", RESUMED)
    assert res.code == 1
    for s in ("#18", "#22", "#27"):
        assert s in res.out
