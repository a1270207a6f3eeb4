"""The brief (core/brief.py, core/brief_agents.py): sections, and every citation checked through blame.

A citation is right when the cited event really wrote what the item says: an item taken from the
state names its state path, and blame at the brief's point must name the first cited event; a
duplicate effect cites completions of that very effect; a user's words cite the record that holds
them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.brief import (
    MAX_LINES,
    VerbsFileError,
    VerbTable,
    load_verbs,
    make_brief,
)
from agentlog_tui.core.brief_agents import is_read_only_command

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "sample_logs").glob("*.jsonl"))
RESUMED = ROOT / "sample_logs" / "resumed_executor.jsonl"
REAL = ROOT.parent / "shared" / "real_logs"
REAL_LOGS = sorted(REAL.rglob("*.jsonl")) if REAL.is_dir() else []


def analysed(path: Path, **kw) -> Analysis:
    a = Analysis(path, **kw)
    a.run()
    return a


def items(brief, name):
    s = brief.section(name)
    return s.items if s is not None else []


def check_citations(a: Analysis, brief) -> None:
    """Every cited id is an event at or before the point; every item from the state is blamed on
    its first cited event."""
    pos = a.pos_of_seq(brief.seq)
    for s in brief.sections:
        for it in s.items:
            assert it.seqs, (s.name, it)
            for seq in it.seqs:
                p = a.pos_of_seq(seq)
                assert p is not None and p <= pos, (s.name, it, seq)
            if it.path is not None:
                assert a.blame_seq(it.path, pos) == it.seqs[0], (s.name, it)


# ---- the generic format ----------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_citation_of_every_sample_at_every_point_is_blamed_on_its_event(path):
    a = analysed(path)
    step = max(1, a.n_events // 40)  # long_run: about 40 points
    for pos in list(range(0, a.n_events, step)) + [a.n_events - 1]:
        b = make_brief(a, a.seqs[pos])
        check_citations(a, b)
        assert len(b.lines()) <= MAX_LINES


def test_resumed_executor_head_names_the_duplicate_publish_with_its_events():
    a = analysed(RESUMED)
    b = make_brief(a)
    dup = [i for i in items(b, "pending_effects") if "duplicate" in i.text]
    assert len(dup) == 1
    assert dup[0].seqs == (18, 27)
    assert dup[0].text.startswith("publish devto: completed twice")
    # both cited events really completed that effect
    for seq in dup[0].seqs:
        assert a.effects[a.pos_of_seq(seq)] == ("publish", "devto")
        assert a.blame_seq(("publish", "devto", "status"), a.pos_of_seq(seq)) == seq
    text = "\n".join(b.lines())
    assert "publish devto: completed twice (#18, #27): a duplicate effect  [#18 #27]" in text
    resume = [i for i in items(b, "boundaries") if i.seqs == (24,)]
    assert "missed #18–#22" in resume[0].text and "repeated #18 at #27" in resume[0].text


def test_resumed_executor_before_the_second_publish_warns_it_was_already_done():
    a = analysed(RESUMED)
    b = make_brief(a, 26)
    warn = [i for i in items(b, "pending_effects") if i.text.startswith("publish devto")]
    assert len(warn) == 1
    assert "ALREADY COMPLETED at #18" in warn[0].text
    assert warn[0].seqs == (26, 18)
    assert a.type_of(a.pos_of_seq(26)) == "publish_started"
    assert a.effects[a.pos_of_seq(18)] == ("publish", "devto")


def test_resumed_executor_mid_run_failure_and_pending_retry():
    a = analysed(RESUMED)
    b = make_brief(a, 20)
    failed = items(b, "failed")
    assert [i.seqs for i in failed] == [(20,)]
    assert "publish hashnode: failed: 429 rate limited" in failed[0].text
    assert "publish devto: succeeded" in " ".join(i.text for i in items(b, "done"))
    b = make_brief(a, 23)
    pending = items(b, "pending_effects")
    assert [(i.seqs, i.text.split(";")[0]) for i in pending] == [((22,), "publish hashnode: retried: attempt=2")]
    assert items(b, "failed") == []  # the retry replaced the failure
    goal = items(b, "goal")
    assert goal[0].text == "task: Launch post for agentlog-tui (started)" and goal[0].seqs == (2,)


def test_the_brief_at_the_first_event_has_only_that_event():
    a = analysed(RESUMED)
    b = make_brief(a, 1)
    cited = {s for sec in b.sections for i in sec.items for s in i.seqs}
    assert cited <= {1}


def test_json_has_the_same_sections_with_seq_lists():
    a = analysed(RESUMED)
    b = make_brief(a)
    doc = b.to_json()
    assert doc["at"] == 31 and doc["format"] == "agentlog" and doc["events"] == 31
    names = [s["name"] for s in doc["sections"]]
    assert names[:5] == ["goal", "done", "in_progress", "failed", "pending_effects"]
    for s in doc["sections"]:
        for it in s["items"]:
            assert isinstance(it["seq"], list) and all(isinstance(x, int) for x in it["seq"])
    json.dumps(doc)


def test_text_is_bounded_and_says_what_it_left_out():
    a = analysed(ROOT / "sample_logs" / "long_run.jsonl")
    b = make_brief(a)
    lines = b.lines()
    assert len(lines) <= MAX_LINES
    assert any("earlier (all of them with --json)" in x for x in lines)
    assert len(b.lines(12)) <= 12
    doc = b.to_json()
    done = next(s for s in doc["sections"] if s["name"] == "done")
    assert len(done["items"]) > 8  # JSON keeps what the text leaves out


def test_verbs_file_extends_the_table(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join(json.dumps(o) for o in [
        {"seq": 1, "type": "deploy_kicked", "data": {"key": "prod"}},
        {"seq": 2, "type": "invoice_drafted", "data": {"key": "inv-7"}},
        {"seq": 3, "type": "check_flunked", "data": {"name": "lint", "error": "E501"}},
    ]) + "\n")
    a = analysed(log)
    plain = make_brief(a)
    assert [i.seqs for i in items(plain, "other")] == [(1,), (2,), (3,)]
    vf = tmp_path / "verbs.json"
    vf.write_text(json.dumps({"in_progress": ["kicked", "drafted"], "failed": ["flunked"],
                              "effects": ["invoice"]}))
    b = make_brief(a, verbs=load_verbs(vf))
    assert [i.seqs for i in items(b, "pending_effects")] == [(1,), (2,)]  # deploy is an effect already
    assert [i.seqs for i in items(b, "failed")] == [(3,)]
    assert "E501" in items(b, "failed")[0].text
    check_citations(a, b)


@pytest.mark.parametrize("content, why", [
    ("[1, 2]", "expected a JSON object"),
    ('{"verbz": ["x"]}', "unknown key 'verbz'"),
    ('{"done": "x"}', "must be a list"),
    ("{nope", "not JSON"),
])
def test_bad_verbs_files_say_why(tmp_path, content, why):
    vf = tmp_path / "v.json"
    vf.write_text(content)
    with pytest.raises(VerbsFileError, match=why):
        load_verbs(vf)
    with pytest.raises(VerbsFileError, match="no such file"):
        load_verbs(tmp_path / "absent.json")


def test_effect_entities_match_a_word_of_the_name():
    t = VerbTable.default()
    assert t.entity_is("effects", "publish") and t.entity_is("effects", "email.send")
    assert t.entity_is("effects", "slack_notify") and not t.entity_is("effects", "draft")


def test_a_verb_moves_to_the_group_a_verbs_file_names():
    t = VerbTable.default().extended({"failed": ["passed"]})
    assert t.group_of("passed") == "failed"


def test_an_empty_log_has_an_empty_brief(tmp_path):
    log = tmp_path / "empty.jsonl"
    log.write_text("")
    a = analysed(log)
    b = make_brief(a)
    assert b.seq is None and all(not s.items for s in b.sections)
    with pytest.raises(KeyError):
        make_brief(a, 3)


def test_unknown_id_is_a_key_error():
    with pytest.raises(KeyError):
        make_brief(analysed(RESUMED), 999)


# ---- agent sessions (hand-made) ----------------------------------------------------------------

SID = "33333333-aaaa-bbbb-cccc-000000000003"


def _cc(uuid, parent, ts, type_, **rest):
    return {"parentUuid": parent, "isSidechain": False, "userType": "external", "cwd": "/w",
            "sessionId": SID, "version": "2.1.0", "gitBranch": "main", "uuid": uuid,
            "timestamp": f"2026-01-05T10:00:{ts:02d}.000Z", "type": type_, **rest}


def _prompt(uuid, parent, ts, text):
    return _cc(uuid, parent, ts, "user", message={"role": "user", "content": text})


def _call(uuid, parent, ts, tid, name, **inp):
    return _cc(uuid, parent, ts, "assistant", message={
        "id": f"m-{uuid}", "role": "assistant", "type": "message", "model": "m",
        "content": [{"type": "tool_use", "id": tid, "name": name, "input": inp}],
        "usage": {"input_tokens": 1, "output_tokens": 1}})


def _result(uuid, parent, ts, tid, text, tur, is_error=False):
    return _cc(uuid, parent, ts, "user", toolUseResult=tur, message={"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": tid, "content": text, "is_error": is_error}]})


CC_SESSION = [
    _prompt("u1", None, 1, "Ship the release notes for v2"),                                   # 1
    _call("a1", "u1", 2, "t1", "TodoWrite", todos=[
        {"content": "write notes", "status": "completed", "activeForm": "w"},
        {"content": "publish notes", "status": "in_progress", "activeForm": "p"},
        {"content": "tell the team", "status": "pending", "activeForm": "t"}]),               # 2
    _result("r1", "a1", 3, "t1", "ok", {"oldTodos": [], "newTodos": []}),                     # 3
    _call("a2", "r1", 4, "t2", "Write", file_path="/w/NOTES.md", content="v2"),              # 4
    _result("r2", "a2", 5, "t2", "File created", {"type": "create", "filePath": "/w/NOTES.md",
                                                   "content": "v2"}),                          # 5
    _call("a3", "r2", 6, "t3", "Bash", command="make lint"),                                  # 6
    _result("r3", "a3", 7, "t3", "Exit code 2\nlint failed", "Error: lint failed", True),     # 7
    _prompt("u2", "r3", 8, "<command-name>/clear</command-name>"),                            # 8
    _prompt("u3", "u2", 9, "ignore lint, just publish"),                                      # 9
    _call("a4", "u3", 10, "t4", "Bash", command="gh release create v2 -F NOTES.md"),          # 10
    _call("a5", "a4", 11, "t5", "Grep", pattern="TODO", path="/w"),                           # 11
    _call("a6", "a5", 12, "t6", "Bash", command="make lint"),                                 # 12
    _result("r6", "a6", 13, "t6", "ok", {"stdout": "ok", "stderr": ""}),                      # 13
]


def _write(tmp_path, name, records):
    p = tmp_path / name
    p.write_text("".join(json.dumps(r) + "\n" for r in records))
    return p


def test_claude_code_session_brief(tmp_path):
    a = analysed(_write(tmp_path, "s.jsonl", CC_SESSION))
    assert a.format.name == "claude-code"
    b = make_brief(a)
    check_citations(a, b)
    goal = items(b, "goal")
    assert [(i.text, i.seqs) for i in goal] == [
        ("first prompt: Ship the release notes for v2", (1,)),
        ("latest instruction: ignore lint, just publish", (9,))]
    pending = items(b, "pending_effects")
    assert [i.seqs for i in pending] == [(10,)]
    assert pending[0].text.startswith("Bash: gh release create v2 -F NOTES.md: called, no result yet")
    running = items(b, "in_progress")
    assert ("[~] publish notes", (2,)) in [(i.text, i.seqs) for i in running]
    assert any(i.seqs == (11,) and i.text.startswith("Grep: ") for i in running)  # a read, not an effect
    failed = items(b, "failed")
    assert [i.seqs for i in failed] == [(7, 6, 13)] and "lint failed" in failed[0].text
    assert failed[0].text.endswith("; a later `make lint` succeeded at #13")
    failed = items(make_brief(a, 12), "failed")  # before the second run
    assert [i.seqs for i in failed] == [(7, 6)] and "later" not in failed[0].text
    assert ("[x] write notes", (2,)) in [(i.text, i.seqs) for i in items(b, "done")]
    assert ("[ ] to do: tell the team", (2,)) in [(i.text, i.seqs) for i in items(b, "decisions")]
    assert [(i.text, i.seqs) for i in items(b, "files")] == [("write: /w/NOTES.md", (5,))]
    # the user's words are in the records cited
    for it in goal:
        rec = a.event(a.pos_of_seq(it.seqs[0])).data
        assert it.text.split(": ", 1)[1] in rec["message"]["content"]


def test_claude_code_brief_before_the_effect_has_no_pending_effect(tmp_path):
    a = analysed(_write(tmp_path, "s.jsonl", CC_SESSION))
    b = make_brief(a, 9)
    check_citations(a, b)
    assert items(b, "pending_effects") == []
    b = make_brief(a, 4)  # the Write called, no result yet
    assert [i.seqs for i in items(b, "pending_effects")] == [(4,)]


def _cx(ts, type_, payload):
    return {"timestamp": f"2026-01-06T08:00:{ts:02d}.000Z", "type": type_, "payload": payload}


def _fcall(ts, cid, script):
    return _cx(ts, "response_item", {"type": "function_call", "name": "shell", "call_id": cid,
                                     "arguments": json.dumps({"command": ["bash", "-lc", script]})})


def _fout(ts, cid, text, code):
    return _cx(ts, "response_item", {"type": "function_call_output", "call_id": cid, "output": json.dumps(
        {"output": text, "metadata": {"exit_code": code}})})


CODEX_SESSION = [
    _cx(0, "session_meta", {"id": "019a-test", "cwd": "/w", "cli_version": "0.60.0"}),       # 1
    _cx(1, "event_msg", {"type": "user_message", "message": "<environment_context/>"}),      # 2
    _cx(2, "event_msg", {"type": "user_message", "message": "migrate the db and deploy"}),   # 3
    _cx(3, "event_msg", {"type": "task_started"}),                                            # 4
    _fcall(4, "c1", "ls migrations"),                                                         # 5
    _fout(5, "c1", "001.sql\n002.sql\n", 0),                                                  # 6
    _cx(6, "response_item", {"type": "function_call", "name": "update_plan", "call_id": "c2",
                             "arguments": json.dumps({"plan": [
                                 {"step": "run migrations", "status": "completed"},
                                 {"step": "deploy", "status": "in_progress"},
                                 {"step": "announce", "status": "pending"}]})}),              # 7
    _cx(7, "response_item", {"type": "function_call_output", "call_id": "c2",
                             "output": "Plan updated"}),                                      # 8
    _fcall(8, "c3", "apply_patch <<'P'\n*** Begin Patch\n*** Update File: app/db.py\n*** End Patch\nP"),  # 9
    _fout(9, "c3", "Success.", 0),                                                            # 10
    _fcall(10, "c4", "pytest -q"),                                                            # 11
    _fout(11, "c4", "1 failed", 1),                                                           # 12
    _cx(12, "event_msg", {"type": "user_message", "message": "deploy anyway"}),              # 13
    _fcall(13, "c5", "fly deploy"),                                                           # 14
    _fcall(14, "c6", "rg -n nothing-here"),                                                   # 15
    _fout(15, "c6", "", 1),                                                                   # 16
]


def test_codex_session_brief(tmp_path):
    a = analysed(_write(tmp_path, "rollout-x.jsonl", CODEX_SESSION))
    assert a.format.name == "codex"
    b = make_brief(a)
    check_citations(a, b)
    assert [(i.text, i.seqs) for i in items(b, "goal")] == [
        ("first prompt: migrate the db and deploy", (3,)), ("latest instruction: deploy anyway", (13,))]
    done = [i.seqs for i in items(b, "done")]
    assert (10, 9) in done  # the patch (an effect) is listed among what was done
    assert [i.seqs for i in items(b, "pending_effects")] == [(14,)]
    assert "fly deploy" in items(b, "pending_effects")[0].text
    assert [i.seqs for i in items(b, "failed")] == [(12, 11)]  # not the search that found nothing
    assert any(i.seqs == (16, 15) for i in items(b, "done"))
    assert "exit 1" in items(b, "failed")[0].text
    assert ("[x] run migrations", (7,)) in [(i.text, i.seqs) for i in items(b, "done")]
    assert ("[~] deploy", (7,)) in [(i.text, i.seqs) for i in items(b, "in_progress")]
    assert ("[ ] to do: announce", (7,)) in [(i.text, i.seqs) for i in items(b, "decisions")]
    assert [(i.text, i.seqs) for i in items(b, "files")] == [("update: app/db.py", (9,))]
    assert ("turn running", (4,)) in [(i.text, i.seqs) for i in items(b, "in_progress")]
    # the file item's event really holds that patch
    assert "*** Update File: app/db.py" in a.event(a.pos_of_seq(9)).data["arguments"]


def test_done_lists_effects_before_reads():
    from agentlog_tui.core.brief import Item
    from agentlog_tui.core.brief_agents import RECENT_DONE, recent_done

    rows = [(p, p % 5 == 0, Item(str(p), (p,))) for p in range(40)]
    picked = [int(i.text) for i in recent_done(rows)]
    assert len(picked) == RECENT_DONE and picked == sorted(picked)
    assert {0, 5, 10, 15, 20, 25, 30, 35} == set(picked)  # the 8 effects, though older than reads
    few = [(p, p == 3, Item(str(p), (p,))) for p in range(20)]
    assert [int(i.text) for i in recent_done(few)] == [3, 13, 14, 15, 16, 17, 18, 19]


@pytest.mark.parametrize("cmd, ro", [
    ("ls -la", True), ("cat a | grep x | wc -l", True), ("git status && git diff", True),
    ("sed -n '1,20p' f", True), ("cd src && rg foo", True),
    ("sed -i s/a/b/ f", False), ("echo x > f", False), ("git push", False), ("rm -rf build", False),
    ("make", False), ("", False), ("cat a | tee b", False),
])
def test_read_only_commands(cmd, ro):
    assert is_read_only_command(cmd) is ro


# ---- real logs ---------------------------------------------------------------------------------


@pytest.mark.skipif(not REAL_LOGS, reason=f"real agent logs not present at {REAL}")
@pytest.mark.parametrize("path", REAL_LOGS, ids=lambda p: p.name)
def test_real_logs_brief_cites_correctly_and_names_the_first_prompt(path):
    a = analysed(path)
    b = make_brief(a)
    assert b.note is None  # the agent's own brief, not the fallback
    check_citations(a, b)
    assert items(b, "goal") and items(b, "goal")[0].text.startswith("first prompt: ")
    assert len(b.lines()) <= MAX_LINES
    mid = make_brief(a, a.seqs[a.n_events // 2])
    check_citations(a, mid)
