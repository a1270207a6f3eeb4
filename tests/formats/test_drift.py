"""Format drift: records of kinds a format does not know are counted per kind, in `check` and for
the app; a format that declares nothing (the generic one) accepts every kind."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest
from format_fixtures import AGENTLOG, CLAUDE_CODE, CODEX, _env, assistant, cx
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.drift import KindCounter, drift_line, kind_counter, unknown_kinds
from agentlog_tui.core.formats import REGISTRY
from agentlog_tui.tui.cli import main


def analysed(path: Path) -> Analysis:
    a = Analysis(path)
    a.run()
    return a


# A Claude Code session of a newer version: a record type this version has never seen (twice), an
# assistant record whose only content block is of a new kind, and a user record without message.
NEW_TYPE = {**_env("n1", "a10", "2026-01-01T10:00:11.000Z"), "type": "hologram", "frames": 3}
NEW_TYPE2 = {**_env("n2", "n1", "2026-01-01T10:00:12.000Z"), "type": "hologram", "frames": 4}
NEW_BLOCK = assistant("n3", "n2", "2026-01-01T10:00:13.000Z", "m9",
                      {"type": "video", "url": "x"}, {"input_tokens": 1, "output_tokens": 1})
NO_MESSAGE = {**_env("n4", "n3", "2026-01-01T10:00:14.000Z"), "type": "user", "content": "hi"}
NEW_SUBTYPE = {**_env("n5", "n4", "2026-01-01T10:00:15.000Z"), "type": "system",
               "subtype": "teleported", "content": "x"}
CLAUDE_DRIFTED = [*CLAUDE_CODE, NEW_TYPE, NEW_TYPE2, NEW_BLOCK, NO_MESSAGE, NEW_SUBTYPE]
N = len(CLAUDE_CODE)


def test_claude_code_unknown_kinds_are_counted_per_kind_with_their_first_line(write_log):
    a = analysed(write_log(CLAUDE_DRIFTED))
    assert a.format.name == "claude-code"
    assert unknown_kinds(a) == [
        {"kind": "hologram", "count": 2, "first_line": N + 1, "first_seq": N + 1},
        {"kind": "assistant block video", "count": 1, "first_line": N + 3, "first_seq": N + 3},
        {"kind": "user without message", "count": 1, "first_line": N + 4, "first_seq": N + 4},
        {"kind": "system.teleported", "count": 1, "first_line": N + 5, "first_seq": N + 5},
    ]
    # the records are still events, mapped as well as they can be
    assert a.n_events == len(CLAUDE_DRIFTED) and a.malformed == []


def test_the_built_in_fixtures_have_no_unknown_kinds(write_log):
    for name, records in (("claude-code", CLAUDE_CODE), ("codex", CODEX), ("agentlog", AGENTLOG)):
        a = analysed(write_log(records, name=f"{name}.jsonl"))
        assert a.format.name == name and unknown_kinds(a) == []


def test_codex_unknown_kinds(write_log):
    drifted = [*CODEX,
               cx("09:00.000", "event_msg", {"type": "mind_meld", "depth": 2}),
               cx("09:01.000", "response_item", {"role": "assistant"}),  # no payload.type
               cx("09:02.000", "telemetry", {"x": 1})]
    a = analysed(write_log(drifted))
    assert a.format.name == "codex"
    n = len(CODEX)
    assert [(k["kind"], k["first_line"]) for k in unknown_kinds(a)] == [
        ("event_msg.mind_meld", n + 1), ("response_item", n + 2), ("telemetry", n + 3)]


def test_the_generic_format_accepts_every_kind(write_log):
    a = analysed(write_log([{"seq": i, "type": f"kind_{i}", "data": {}} for i in range(1, 30)]))
    assert a.format.name == "agentlog" and a.drift is None and unknown_kinds(a) == []
    assert drift_line(a) is None


def test_check_json_and_text_list_unknown_kinds_and_they_are_not_findings(write_log, capsys):
    # linked to the last record kept (a10 is cut off: a link naming no record is a finding)
    log = write_log(CLAUDE_CODE[:8] + [{**NEW_TYPE, "parentUuid": "p1"}, NEW_TYPE2])
    code = main(["check", "--json", str(log)])
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["unknown_kinds"] == [{"kind": "hologram", "count": 2, "first_line": 9, "first_seq": 9}]
    clean = main(["check", "--json", str(write_log(CLAUDE_CODE[:8], name="clean.jsonl"))])
    capsys.readouterr()
    assert code == clean  # information about this tool's version, not a problem in the log
    main(["check", str(log)])
    out = capsys.readouterr().out
    assert ("  2 records of 1 kind the claude-code format does not know: hologram ×2 "
            "(newer agent version?)\n") in out
    assert "  line      9  unknown kind      hologram ×2\n" in out


def test_check_text_names_at_most_ten_kinds(write_log, capsys):
    extra = [{**_env(f"k{i}", None, f"2026-01-01T11:00:{i:02d}.000Z"), "type": f"new-kind-{i}"}
             for i in range(12)]
    log = write_log(CLAUDE_CODE + extra)
    main(["check", str(log)])
    out = capsys.readouterr().out
    assert out.count("unknown kind      new_kind_") == 10
    assert "unknown kind      … and 2 more (all of them with --json)" in out
    assert "12 records of 12 kinds" in out and "new_kind_0, new_kind_1, new_kind_2, … 9 more" in out


def test_counts_grow_as_the_log_is_tailed_and_start_over_on_reload(write_log):
    log = write_log(CLAUDE_CODE[:8])
    a = analysed(log)
    assert unknown_kinds(a) == []
    with log.open("ab") as f:
        f.write(orjson.dumps(NEW_TYPE) + b"\n")
    a.update()
    assert [(k["kind"], k["count"]) for k in unknown_kinds(a)] == [("hologram", 1)]
    with log.open("ab") as f:
        f.write(orjson.dumps(NEW_TYPE2) + b"\n")
    a.update()
    assert [(k["kind"], k["count"]) for k in unknown_kinds(a)] == [("hologram", 2)]
    log.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in CLAUDE_CODE[:5]))  # replaced, shorter
    a.update()
    assert a.warning and unknown_kinds(a) == []


def test_a_format_check_that_raises_counts_nothing():
    def boom(event):
        raise RuntimeError("bug")

    c = KindCounter(frozenset({"a"}), boom)

    class Ev:
        type, line, seq = "a", 1, 1

    c.see(Ev())
    assert c.kinds == {}
    Ev.type = "b"
    c.see(Ev())
    assert c.to_json() == [{"kind": "b", "count": 1, "first_line": 1, "first_seq": 1}]


def test_every_built_in_format_but_the_generic_one_declares_its_kinds():
    for f in REGISTRY.formats:
        if f.name == "agentlog":
            assert kind_counter(f) is None
        elif f.name in ("claude-code", "codex"):
            assert kind_counter(f) is not None, f.name


@pytest.mark.parametrize("known", [None, 5])
def test_a_format_whose_declaration_is_not_a_set_of_kinds_is_not_checked(known):
    class F:
        known_kinds = known

    assert kind_counter(F()) is None


# ---- `unknown_kind_of`: the known types a format's check is asked about ------------------------

_CC_TYPES = st.sampled_from(["user", "assistant", "system", "progress", "summary", "user-x",
                             "assistant_y", "file-history-snapshot", "attachment", "queue-operation"])
_BLOCK = st.fixed_dictionaries(
    {"type": st.sampled_from(["text", "tool_use", "tool_result", "thinking", "image", "video", 3])},
    optional={"text": st.text(max_size=5), "id": st.sampled_from(["t1", None, 4]),
              "tool_use_id": st.sampled_from(["t1", None, 4]), "name": st.sampled_from(["Bash", 7])})
_CONTENT = st.one_of(st.none(), st.text(max_size=20), st.just("<command-name>/x"),
                     st.lists(_BLOCK | st.integers(), max_size=3))


@settings(max_examples=400, deadline=None)
@given(rtype=_CC_TYPES, message=st.one_of(st.none(), st.text(max_size=3),
                                          st.fixed_dictionaries({}, optional={"content": _CONTENT})),
       extra=st.fixed_dictionaries({}, optional={
           "subtype": st.sampled_from(["compact_boundary", "turn_duration", "", 5]),
           "isMeta": st.booleans(), "isCompactSummary": st.booleans()}))
def test_claude_code_check_names_nothing_for_the_types_it_is_not_asked_about(rtype, message, extra):
    from agentlog_tui.core.events import Event
    from agentlog_tui.core.formats import claude_code as cc

    obj = {**_env("u1", None, "2026-01-01T10:00:00.000Z"), "type": rtype, **extra}
    if message is not None:
        obj["message"] = message
    t = cc.record_type(obj)
    ev = Event.make(1, t, obj, obj["timestamp"], 2, 0, b"", False, None)
    if not cc.unknown_kind_of(t):
        assert cc.unknown_kind(ev) is None, (t, obj)


def test_a_check_is_not_asked_about_the_types_its_format_says_it_names_nothing_for():
    asked = []

    def check(event):
        asked.append(event.type)
        return "odd"

    counter = KindCounter(frozenset({"a", "b"}), check, lambda kind: kind == "b")
    assert [counter.mode(k) for k in ("a", "b", "c")] == [0, 2, 1]
    for t in ("a", "b", "c"):
        counter.see(SimpleNamespace(type=t, line=1, seq=1))
    assert asked == ["b"]
    assert set(counter.kinds) == {"odd", "c"}


def test_the_claude_code_counter_asks_only_about_user_and_assistant_types():
    counter = kind_counter(REGISTRY.get("claude-code"))
    assert counter.mode("assistant.text") == counter.mode("user.tool_result") == 2
    assert counter.mode("progress") == counter.mode("system.turn_duration") == 0
    assert counter.mode("hologram") == 1


def test_the_format_is_asked_once_per_type_what_its_check_names():
    """`see` works out what to do with a type once (the analysis calls it for every record of the
    types the check is asked about); the counts are the same as asking every time."""
    asked, checked = [], []

    def checks(kind):
        asked.append(kind)
        return kind == "b"

    def check(event):
        checked.append(event.seq)
        return "odd" if event.seq % 2 else None

    counter = KindCounter(frozenset({"a", "b"}), check, checks)
    for seq, t in enumerate("aabbbcbc", start=1):
        counter.see(SimpleNamespace(type=t, line=seq + 1, seq=seq))
    assert sorted(asked) == ["a", "b"]
    assert checked == [3, 4, 5, 7]
    assert counter.kinds == {"odd": [3, 4, 3], "c": [2, 7, 6]}
