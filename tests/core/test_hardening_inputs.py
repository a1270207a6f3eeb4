"""Issue 15, item 3: inputs that gave tracebacks now give a finding, a malformed line, a correct
result or one clear line (each reproduction from the issue, one test each)."""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path

import orjson
import pytest

from agentlog_tui.core.analysis import Analysis, canonical, copy_state, parse_ts
from agentlog_tui.core.events import Malformed
from agentlog_tui.core.reader import LogChangedError
from agentlog_tui.tui.cli import main

FORMATS = Path(__file__).resolve().parents[1] / "formats"


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main([os.fspath(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return (0 if code is None else code), out, err


COMMANDS = [("state",), ("state", "--json"), ("check",), ("check", "--json"), ("compact",), ("diff",)]


def all_commands_answer(capsys, path, *extra) -> dict[tuple, int]:
    codes = {}
    for cmd in COMMANDS:
        code, _out, err = run_cli(capsys, cmd[0], path, *cmd[1:], *extra)
        assert code in (0, 1, 2), (cmd, code, err)
        assert "Traceback" not in err and "internal error" not in err, (cmd, err)
        codes[cmd] = code
    return codes


@pytest.mark.parametrize("native", [True, False], ids=["C loop", "Python loop"])
def test_ids_beyond_signed_64_bits_are_malformed_lines(write_log, native, monkeypatch):
    if not native:
        monkeypatch.setattr(Analysis, "native", None)
    p = write_log([b'{"seq": 1, "type": "a_set", "data": {}}',
                   b'{"seq": 9223372036854775807, "type": "b_set", "data": {}}',
                   b'{"seq": 9223372036854775808, "type": "c_set", "data": {}}',
                   b'{"seq": 18446744073709551615, "type": "d_set", "data": {}}',
                   b'{"seq": -9223372036854775808, "type": "e_set", "data": {}}'])
    a = Analysis(p)
    a.run()
    assert a.n_events == 3  # 1, 2^63-1 and -2^63 fit
    bad = {m.line: m.error for m in a.malformed}
    assert set(bad) == {3, 4}
    assert "outside the signed 64-bit range" in bad[3]


def test_big_ids_through_the_cli(capsys, write_log):
    p = write_log([b'{"seq": 9223372036854775808, "type": "a_set", "data": {}}',
                   b'{"seq": 1, "type": "b_set", "data": {}}'])
    codes = all_commands_answer(capsys, p)
    assert codes[("check",)] == 1  # a malformed line is a finding


def test_year_one_timestamps(capsys, write_log):
    p = write_log([{"seq": 1, "ts": "0001-01-01T00:00:00", "type": "a_set", "data": {}},
                   {"seq": 2, "ts": "0001-01-01T00:00:00Z", "type": "a_set", "data": {}},
                   {"seq": 3, "ts": 1e308, "type": "a_set", "data": {}}])
    parse_ts("0001-01-01T00:00:00")  # no local epoch time in year 1: None or a number, no raise
    assert parse_ts(10**400) is None  # an integer beyond a float
    all_commands_answer(capsys, p)


def test_non_string_types_among_the_first_lines(capsys, write_log):
    p = write_log([b'{"seq": 1, "type": [], "data": {}}', b'{"seq": 2, "type": {}, "data": {}}',
                   b'{"type": ["user"], "message": {}}', b'{"seq": 3, "type": "a_set", "data": {}}'])
    all_commands_answer(capsys, p)
    a = Analysis(p)
    a.run()
    assert a.n_events == 1 and len(a.malformed) == 3


@pytest.mark.parametrize("depth", [253, 256, 300, 1000])
def test_deep_nesting(capsys, write_log, depth):
    deep = "[" * depth + "]" * depth
    p = write_log([f'{{"seq": 1, "type": "a_set", "data": {{"v": {deep}}}}}',
                   '{"seq": 2, "type": "b_set", "data": {"id": "x"}}'])
    all_commands_answer(capsys, p)
    a = Analysis(p, checkpoint_every=1)  # a checkpoint of the deep state, too
    a.run()
    assert a.n_events == 2
    s1 = a.state_at_pos(0)
    assert canonical(s1) == canonical(copy_state(s1))
    v = s1["a"]["v"]
    for _ in range(depth - 1):
        (v,) = v
    assert v == []


def test_snapshot_300_deep(capsys, write_log, tmp_path):
    p = write_log([{"seq": 1, "type": "a_set", "data": {"v": 1}}])
    snap = tmp_path / "snap.json"
    snap.write_text('{"at_seq": 1, "state": {"a": ' + "[" * 300 + "]" * 300 + "}}")
    code, out, err = run_cli(capsys, "diff", p, "--snapshot", snap)
    assert code == 1 and "drift" in out, (code, err)
    code, out, err = run_cli(capsys, "diff", p, "--snapshot", snap, "--json")
    assert code == 1, err


PROJECTIONS = '''
class InitRaises:
    name = "init_raises"
    def initial_state(self):
        raise RuntimeError("nope")
    def apply(self, state, event):
        pass

class NameRaises:
    @property
    def name(self):
        raise RuntimeError("no name")
    def initial_state(self):
        return {}
    def apply(self, state, event):
        pass

def bigint(state, event):
    state["big"] = 2**70 * event.seq
    state["neg"] = -(2**80)

def tuplekey(state, event):
    state[(event.seq, "t")] = {"v": (1, 2)}
    state.setdefault("d", {})[(1, 2)] = event.seq
'''


@pytest.fixture
def projections(tmp_path):
    p = tmp_path / "hostile_projections.py"
    p.write_text(PROJECTIONS)
    return p


@pytest.mark.parametrize("name,message", [("InitRaises", "initial_state() raised RuntimeError: nope"),
                                          ("NameRaises", "reading its name raised RuntimeError")])
def test_projection_whose_initial_state_or_name_raises(capsys, samples, projections, name, message):
    for cmd in ("state", "check", "compact", "diff"):
        code, _out, err = run_cli(capsys, cmd, samples / "publish_post.jsonl",
                                 "--projection", f"{projections}:{name}")
        assert code == 2, err
        assert len(err.splitlines()) == 1 and message in err


@pytest.mark.parametrize("name", ["bigint", "tuplekey"])
def test_projection_states_orjson_cannot_write(capsys, samples, projections, name):
    log = samples / "publish_post.jsonl"
    all_commands_answer(capsys, log, "--projection", f"{projections}:{name}")
    _code, out, _err = run_cli(capsys, "state", log, "--json", "--projection", f"{projections}:{name}")
    doc = json.loads(out)
    if name == "bigint":
        assert doc["state"]["big"] == 2**70 * 8 and doc["state"]["neg"] == -(2**80)
    else:
        assert doc["state"]["d"] == {"(1, 2)": 8}


def test_claude_code_token_counts_of_2_64_minus_1(capsys, tmp_path):
    sys.path.insert(0, str(FORMATS))
    try:
        from format_fixtures import CLAUDE_CODE
    finally:
        sys.path.remove(str(FORMATS))
    recs = copy.deepcopy(CLAUDE_CODE)
    for r in recs:
        usage = (r.get("message") or {}).get("usage") if isinstance(r.get("message"), dict) else None
        if usage:
            for k in usage:
                usage[k] = 2**64 - 1
    p = tmp_path / "tokens.jsonl"
    p.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in recs))
    all_commands_answer(capsys, p)
    a = Analysis(p, checkpoint_every=2)
    a.run()
    assert a.format.name == "claude-code"
    for pos in range(a.n_events):
        a.state_at_pos(pos)  # checkpoints of states with sums beyond 64 bits


@pytest.mark.parametrize("native", [True, False], ids=["C loop", "Python loop"])
def test_truncated_while_read_is_an_error_not_a_silent_state(write_log, native, monkeypatch):
    if not native:
        monkeypatch.setattr(Analysis, "native", None)
    p = write_log([{"seq": i, "type": "a_set", "data": {"id": i}} for i in range(1, 2001)])
    a = Analysis(p)  # indexed: the index knows 2000 lines
    with open(p, "r+b") as fh:
        fh.truncate(p.stat().st_size // 2)
    with pytest.raises(LogChangedError, match="shrank while it was being read"):
        a.run()
    a.close()


def test_truncated_while_read_cli_line(capsys, write_log, monkeypatch):
    p = write_log([{"seq": i, "type": "a_set", "data": {"id": i}} for i in range(1, 2001)])
    real_run = Analysis.run

    def run_after_truncation(self, *args, **kwargs):
        self.log.index_more()
        with open(p, "r+b") as fh:
            fh.truncate(100)
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(Analysis, "run", run_after_truncation)
    code, _out, err = run_cli(capsys, "check", p)
    assert code == 2 and str(p) in err and "shrank" in err and len(err.splitlines()) == 1


def test_malformed_stays_malformed():  # the reader's record type for a bad id is Malformed
    from agentlog_tui.core.formats.agentlog import AgentlogMapper
    from agentlog_tui.core.reader import make_record

    m = AgentlogMapper("type", "seq", None, "data")
    rec = make_record(0, 0, b'{"seq": 9223372036854775808, "type": "a", "data": {}}', m, True)
    assert isinstance(rec, Malformed)
