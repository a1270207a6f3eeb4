"""Files written for Claude Code and Codex (compaction, fork) are files the agent could load:
calls and results kept or dropped together, tree links moved to the nearest kept ancestor, the
written bytes read back afresh and checked by the format's validator (DESIGN section 13)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import orjson
import pytest
from format_fixtures import (
    CLAUDE_CODE,
    CODEX,
    CODEX_META,
    SID,
    TURN_CONTEXT,
    analysed,
    assistant,
    cx,
    msg,
    pos_of_line,
    progress,
    tool_result,
    tool_use,
    user,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.compaction import (
    CompactionError,
    NotVerified,
    default_output_path,
    plan_compaction,
    select_events,
    write_compacted,
    write_selection,
)
from agentlog_tui.core.formats import REGISTRY

CC = REGISTRY.get("claude-code")
CX = REGISTRY.get("codex")


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process: (code, stdout, parsed JSON or None)."""
    from types import SimpleNamespace

    from agentlog_tui.tui.cli import main

    def run(*argv):
        capsys.readouterr()
        try:
            code = main([str(x) for x in argv])
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        doc = json.loads(out) if out.startswith("{") else None
        return SimpleNamespace(code=code, out=out, err=err, json=doc)

    return run


def _objs(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _usage(n: int) -> dict:
    return {"input_tokens": n, "output_tokens": 1, "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": 0}


# ---- Claude Code ------------------------------------------------------------------------------


def test_claude_code_compaction_writes_a_session_claude_code_could_load(write_log, tmp_path):
    a = analysed(write_log(CLAUDE_CODE))
    assert CC.validate(CLAUDE_CODE) == []
    plan = plan_compaction(a)
    assert plan.verified and plan.valid and plan.reasons == []
    out = tmp_path / "out.jsonl"
    write_compacted(a, plan, out)
    objs = _objs(out)
    assert CC.validate(objs) == []
    uuids = {o["uuid"] for o in objs if o.get("uuid")}
    for o in objs:  # every link names a kept record (or nothing)
        assert o.get("parentUuid") is None or o["parentUuid"] in uuids, o
    # the summary chain is whole: the boundary, then its summary naming it
    b = next(i for i, o in enumerate(objs) if o.get("subtype") == "compact_boundary")
    assert objs[b + 1]["isCompactSummary"] and objs[b + 1]["parentUuid"] == objs[b]["uuid"]
    # every kept call has its result and every result its call
    uses = {bl["id"] for o in objs for bl in (o.get("message") or {}).get("content") or []
            if isinstance(bl, dict) and bl.get("type") == "tool_use"}
    results = {bl["tool_use_id"] for o in objs for bl in (o.get("message") or {}).get("content") or []
               if isinstance(bl, dict) and bl.get("type") == "tool_result"}
    assert results <= uses and uses - results == {"t7"}  # t7 is in flight at the end
    fresh = Analysis(out)
    fresh.run()
    assert fresh.format.name == "claude-code"
    assert canonical(fresh.state) == canonical(a.state)


def test_relinked_records_point_to_their_nearest_kept_ancestor_never_elsewhere(write_log, tmp_path):
    a = analysed(write_log(CLAUDE_CODE))
    plan = plan_compaction(a)
    by_uuid = {o.get("uuid"): o for o in CLAUDE_CODE if o.get("uuid")}
    kept_uuids = {CLAUDE_CODE[a.event_lines[p]].get("uuid") for p in plan.kept}
    assert plan.selection.replaced  # some links had to move
    for p, raw in plan.selection.replaced.items():
        new = json.loads(raw)
        old = CLAUDE_CODE[a.event_lines[p]]
        # only the link fields changed
        assert {k: v for k, v in new.items() if k not in ("parentUuid", "logicalParentUuid", "leafUuid")} == \
            {k: v for k, v in old.items() if k not in ("parentUuid", "logicalParentUuid", "leafUuid")}
        # the new parent is the first kept record up the old chain
        u = old["parentUuid"]
        while u is not None and u not in kept_uuids:
            u = by_uuid[u]["parentUuid"]
        assert new["parentUuid"] == u


def test_a_session_with_a_result_whose_call_is_gone_cannot_be_compacted_validly(write_log, tmp_path, cli):
    log = [
        user("u1", None, "2026-01-01T10:00:00.000Z", "go on"),
        # a copied history lost the call of this result
        tool_result("u2", "u1", "2026-01-01T10:00:01.000Z", "t-gone", "ok", {"stdout": "ok", "stderr": ""}),
        assistant("a1", "u2", "2026-01-01T10:00:02.000Z", "m1", {"type": "text", "text": "done"}, _usage(3)),
    ]
    path = write_log(log)
    assert any("t-gone" in r for r in CC.validate(log))
    a = analysed(path)
    plan = plan_compaction(a)
    assert not plan.verified and not plan.valid
    assert any("line 2" in r and "t-gone" in r for r in plan.reasons), plan.reasons
    out = tmp_path / "out.jsonl"
    with pytest.raises(NotVerified):
        write_compacted(a, plan, out)
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl*"))
    res = cli("compact", path, "-o", out)
    assert res.code == 1 and not out.exists()
    assert "t-gone" in res.out and "nothing written" in res.out
    doc = cli("compact", path, "--json").json
    assert doc["valid"] is False and doc["verified"] is False
    assert any("t-gone" in r for r in doc["reasons"])


def test_fork_selection_drops_the_call_in_flight_at_the_cut(write_log, tmp_path):
    """`select_events(..., partners="drop")`: everything up to line 11 (a Bash call whose result
    comes at 13) keeps the finished Read call and leaves the unanswered Bash call out."""
    a = analysed(write_log(CLAUDE_CODE))
    cut = pos_of_line(a, 11)
    sel = select_events(a, range(cut + 1), partners="drop")
    assert [a.seqs[p] for p in sel.removed] == [11]
    assert pos_of_line(a, 7) in sel.positions and pos_of_line(a, 10) in sel.positions
    out = tmp_path / "fork.jsonl"
    n, v = write_selection(a, sel, out)
    assert v.verified and v.valid and n == out.stat().st_size
    objs = _objs(out)
    assert CC.validate(objs) == []
    assert not any(o.get("uuid") == "a4" for o in objs)


# ---- Codex --------------------------------------------------------------------------------------


def test_codex_compaction_keeps_calls_with_their_outputs_and_loads(write_log, tmp_path):
    a = analysed(write_log(CODEX))
    plan = plan_compaction(a)
    assert plan.verified and plan.valid, plan.reasons
    out = tmp_path / "out.jsonl"
    write_compacted(a, plan, out)
    objs = _objs(out)
    assert objs[0]["type"] == "session_meta"
    assert CX.validate(objs) == []
    calls = {o["payload"].get("call_id") for o in objs if o["type"] == "response_item"
             and o["payload"]["type"] in ("function_call", "custom_tool_call")}
    outputs = {o["payload"].get("call_id") for o in objs if o["type"] == "response_item"
               and o["payload"]["type"].endswith("_output")}
    assert outputs <= calls
    fresh = Analysis(out)
    fresh.run()
    assert canonical(fresh.state) == canonical(a.state)


INTERRUPTED = [
    cx("00:00.000", "session_meta", CODEX_META),                                               # 1
    cx("00:01.000", "response_item", msg("user", "Deploy it")),                                # 2
    cx("00:01.001", "event_msg", {"type": "user_message", "message": "Deploy it", "images": []}),  # 3
    cx("00:01.002", "turn_context", TURN_CONTEXT),                                             # 4
    cx("00:01.003", "event_msg", {"type": "task_started", "model_context_window": 200000}),    # 5
    cx("00:02.000", "response_item", {"type": "function_call", "name": "shell",
                                      "arguments": '{"command":["bash","-lc","make deploy"]}',
                                      "call_id": "call_d"}),                                   # 6
    cx("00:03.000", "event_msg", {"type": "turn_aborted", "reason": "interrupted"}),           # 7
    cx("15:00.000", "response_item", msg("user", "<environment_context>cwd</environment_context>")),  # 8
    cx("15:00.001", "response_item", msg("user", "go on")),                                    # 9
    cx("15:00.002", "event_msg", {"type": "task_started", "model_context_window": 200000}),    # 10
    cx("15:01.000", "response_item", {"type": "message", "role": "assistant",
                                      "content": [{"type": "output_text", "text": "ok"}]}),    # 11
]


def test_codex_interrupted_call_left_unanswered_cannot_be_compacted_validly(write_log, tmp_path):
    assert CX.validate(INTERRUPTED) == ["line 6: shell call call_d was never answered"]
    a = analysed(write_log(INTERRUPTED))
    plan = plan_compaction(a)
    assert not plan.verified and not plan.valid
    assert any("call_d" in r for r in plan.reasons)
    out = tmp_path / "out.jsonl"
    with pytest.raises(NotVerified):
        write_compacted(a, plan, out)
    assert not out.exists()


def test_codex_validator_wants_the_session_meta_first_and_no_output_without_call():
    assert CX.validate([]) and CC.validate([])
    assert CX.validate(CODEX[1:])[0].startswith("line 1 is not the session_meta")
    orphan = [CODEX[0], cx("00:01.000", "response_item",
                           {"type": "function_call_output", "call_id": "nope", "output": "x"})]
    assert CX.validate(orphan) == ["line 2: output for nope has no call earlier in the file"]


# ---- writing: never an existing file, never an empty one, never a file read differently ------


def test_a_file_read_with_other_fields_is_not_verified_and_not_written(write_log, tmp_path):
    """Issue 15: `data` in 2 of 4 lines; the kept 3 would be detected with other fields."""
    path = write_log([{"seq": 1, "type": "a_set", "data": {"v": 1}},
                      {"seq": 2, "type": "a_set", "data": {"v": 2}},
                      {"seq": 3, "type": "b_set", "x": 1}, {"seq": 4, "type": "c_set", "y": 2}])
    a = analysed(path)
    plan = plan_compaction(a)
    assert not plan.verified
    assert plan.reasons[0].startswith("the written file's fields would be detected differently")
    out = tmp_path / "out.jsonl"
    with pytest.raises(NotVerified):
        write_compacted(a, plan, out)
    assert not out.exists()


def test_nothing_kept_writes_no_empty_file(write_log, tmp_path):
    path = write_log([{"seq": 1, "type": "snapshot", "data": {"at_seq": 0, "state": {}}}])
    a = analysed(path)
    plan = plan_compaction(a)
    assert plan.kept == [] and not plan.verified
    assert plan.reasons == ["no event is kept: an empty file is not written"]
    out = tmp_path / "out.jsonl"
    with pytest.raises(CompactionError):
        write_compacted(a, plan, out)
    assert not out.exists()


def test_write_never_replaces_an_existing_file_unless_asked(write_log, tmp_path):
    a = analysed(write_log(CLAUDE_CODE))
    out = tmp_path / "there.jsonl"
    out.write_bytes(b"mine\n")
    plan = plan_compaction(a)
    with pytest.raises(CompactionError, match="already exists"):
        write_compacted(a, plan, out)
    assert out.read_bytes() == b"mine\n"
    write_compacted(a, plan, out, overwrite=True)
    assert CC.validate(_objs(out)) == []


def test_default_output_path_is_never_inside_the_agents_session_folders(tmp_path, monkeypatch):
    home = tmp_path / "home"
    sessions = home / ".claude" / "projects" / "p"
    sessions.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    log = sessions / "abc.jsonl"
    work = tmp_path / "work"
    work.mkdir()
    assert default_output_path(log, cwd=work) == str(work / "abc.compacted.jsonl")
    (work / "abc.compacted.jsonl").write_text("x")
    assert default_output_path(log, cwd=work) == str(work / "abc.compacted-2.jsonl")
    # run from inside the session folder: the home directory instead
    out = default_output_path(log, cwd=sessions)
    assert os.path.dirname(out) == str(home.resolve())
    codex = home / ".codex" / "sessions"
    codex.mkdir(parents=True)
    assert not default_output_path(log, cwd=codex).startswith(str(home / ".codex"))


# ---- property: random small sessions compact into loadable files with the same state -------

FILES = ("/p/a.py", "/p/b.py")
COMMANDS = ("ls", "make test", "git status")


@st.composite
def claude_sessions(draw) -> list[dict]:
    recs: list[dict] = []
    last: str | None = None
    open_calls: list[str] = []
    n = 0
    mid = 0

    def new_id(prefix: str) -> str:
        nonlocal n
        n += 1
        return f"{prefix}{n}"

    def ts() -> str:
        return f"2026-01-01T10:{len(recs) // 60:02d}:{len(recs) % 60:02d}.000Z"

    steps = draw(st.lists(st.sampled_from(
        ["prompt", "text", "call", "call", "result", "progress", "compact", "queue"]),
        min_size=1, max_size=24))
    for step in steps:
        if step == "prompt" and not open_calls:
            u = new_id("u")
            recs.append(user(u, last, ts(), f"do thing {n}"))
            last = u
        elif step in ("text", "call"):
            u = new_id("a")
            if not draw(st.booleans()) or mid == 0:
                mid += 1
            if step == "text":
                block = {"type": "text", "text": f"text {n}"}
            else:
                t = new_id("t")
                kind = draw(st.sampled_from(["Read", "Edit", "Bash", "TodoWrite"]))
                if kind == "Bash":
                    block = tool_use(t, "Bash", command=draw(st.sampled_from(COMMANDS)))
                elif kind == "TodoWrite":
                    block = tool_use(t, "TodoWrite", todos=[
                        {"content": "x", "status": draw(st.sampled_from(["pending", "completed"]))}])
                else:
                    block = tool_use(t, kind, file_path=draw(st.sampled_from(FILES)))
                open_calls.append(t)
            recs.append(assistant(u, last, ts(), f"m{mid}", block, _usage(draw(st.integers(1, 50)))))
            last = u
        elif step == "result" and open_calls:
            u = new_id("r")
            blocks = [{"tool_use_id": t, "type": "tool_result", "content": f"out {t}",
                       "is_error": draw(st.booleans())} for t in open_calls]
            rec = user(u, last, ts(), blocks)
            rec["toolUseResult"] = {"stdout": "out", "stderr": ""}
            recs.append(rec)
            open_calls = []
            last = u
        elif step == "progress" and open_calls:
            u = new_id("p")
            recs.append(progress(u, last, ts(), open_calls[-1],
                                 {"type": "hook_progress", "hookEvent": "PreToolUse", "hookName": "h"}))
            last = u
        elif step == "compact" and not open_calls:
            c, s = new_id("c"), new_id("s")
            recs.append({**user(c, None, ts(), ""), "type": "system", "subtype": "compact_boundary",
                         "logicalParentUuid": last, "content": "Conversation compacted",
                         "compactMetadata": {"trigger": "auto", "preTokens": 100}})
            del recs[-1]["message"]
            recs.append(user(s, c, ts(), "Summary of the work", isCompactSummary=True))
            last = s
        elif step == "queue":
            recs.append({"type": "queue-operation", "operation": "enqueue", "timestamp": ts(),
                         "sessionId": SID, "content": "later"})
    if not any(r.get("type") in ("user", "assistant") for r in recs):
        recs.insert(0, user("u0", None, "2026-01-01T09:00:00.000Z", "hello"))
        if len(recs) > 1 and recs[1].get("parentUuid") is None and recs[1].get("type") != "system":
            recs[1]["parentUuid"] = "u0"
    return recs


@st.composite
def codex_sessions(draw) -> list[dict]:
    lines = [cx("00:00.000", "session_meta", CODEX_META)]
    open_calls: list[str] = []

    def t() -> str:
        return f"{len(lines) // 60:02d}:{len(lines) % 60:02d}.000"

    steps = draw(st.lists(st.sampled_from(
        ["user", "call", "call", "output", "message", "tokens", "context", "compacted", "reasoning"]),
        min_size=1, max_size=24))
    for k, step in enumerate(steps, 1):
        if step == "user" and not open_calls:
            lines.append(cx(t(), "response_item", msg("user", f"task {k}")))
            lines.append(cx(t(), "event_msg", {"type": "user_message", "message": f"task {k}"}))
            lines.append(cx(t(), "event_msg", {"type": "task_started"}))
        elif step == "call":
            cid = f"call_{k}"
            if draw(st.booleans()):
                cmd = draw(st.sampled_from(COMMANDS))
                lines.append(cx(t(), "response_item", {
                    "type": "function_call", "name": "shell", "call_id": cid,
                    "arguments": json.dumps({"command": ["bash", "-lc", cmd]})}))
            else:
                lines.append(cx(t(), "response_item", {
                    "type": "custom_tool_call", "name": "apply_patch", "call_id": cid,
                    "input": f"*** Begin Patch\n*** Update File: {draw(st.sampled_from(FILES))}\n"}))
            open_calls.append(cid)
        elif step == "output" and open_calls:
            cid = open_calls.pop(0)
            kind = "custom_tool_call_output" if any(
                ln["payload"].get("call_id") == cid and ln["payload"]["type"] == "custom_tool_call"
                for ln in lines) else "function_call_output"
            lines.append(cx(t(), "response_item", {"type": kind, "call_id": cid, "output": f"ok {k}"}))
        elif step == "message":
            lines.append(cx(t(), "response_item", msg("assistant", f"said {k}")))
        elif step == "reasoning":
            lines.append(cx(t(), "response_item", {"type": "reasoning", "summary": [
                {"type": "summary_text", "text": f"r{k}"}], "content": None}))
        elif step == "tokens":
            lines.append(cx(t(), "event_msg", {"type": "token_count", "info": {
                "total_token_usage": {"total_tokens": k}, "last_token_usage": {"total_tokens": 1},
                "model_context_window": 1000}}))
        elif step == "context":
            lines.append(cx(t(), "turn_context", {**TURN_CONTEXT, "effort": draw(st.sampled_from(["low", "high"]))}))
        elif step == "compacted" and not open_calls:
            lines.append(cx(t(), "compacted", {"message": f"summary {k}",
                                               "replacement_history": [msg("user", f"kept {k}")]}))
    return lines


def _compacts_to_a_loadable_file(tmp_path: Path, records: list[dict], fmt) -> None:
    assert fmt.validate(records) == [], "the generator made a session its agent could not load"
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    a = Analysis(path)
    a.run()
    assert a.format.name == fmt.name
    plan = plan_compaction(a)
    assert plan.verified and plan.valid, plan.reasons
    out = tmp_path / "out.jsonl"
    if out.exists():
        out.unlink()
    write_compacted(a, plan, out)
    assert fmt.validate(_objs(out)) == []
    fresh = Analysis(out)
    fresh.run()
    assert fresh.format.name == fmt.name
    assert canonical(fresh.state) == canonical(a.state)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=claude_sessions())
def test_random_claude_code_sessions_compact_to_a_loadable_file_with_the_same_state(tmp_path, records):
    _compacts_to_a_loadable_file(tmp_path, records, CC)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=codex_sessions())
def test_random_codex_sessions_compact_to_a_loadable_file_with_the_same_state(tmp_path, records):
    _compacts_to_a_loadable_file(tmp_path, records, CX)


# ---- the real logs ------------------------------------------------------------------------------

_ROOT = Path(__file__).resolve().parents[2]
# ../shared beside a clone; ../../shared beside a worktree in a folder of worktrees
REAL = next((p for p in (_ROOT.parent / "shared" / "real_logs",
                         _ROOT.parent.parent / "shared" / "real_logs") if p.is_dir()), None)
REAL_LOGS = sorted(REAL.rglob("*.jsonl")) if REAL is not None else []


@pytest.mark.skipif(not REAL_LOGS, reason="no real agent logs in ../shared/real_logs")
@pytest.mark.parametrize("log", REAL_LOGS, ids=lambda p: p.name[:24])
def test_real_logs_compact_to_a_file_their_agent_could_load(log, tmp_path):
    a = Analysis(log)
    a.run()
    plan = plan_compaction(a)
    assert plan.verified and plan.valid, plan.reasons
    out = tmp_path / "out.jsonl"
    write_compacted(a, plan, out)
    assert a.format.validate(_objs(out)) == []
    assert a.format.validate(_objs(log)) == []
