"""Logs saved as one JSON array (or an object holding it, or a folder of per-event files) read as
logs, one event per element; files that are no log named in one line."""

from __future__ import annotations

import gzip
import json

import orjson
import pytest

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.jsondoc import JsonDocLog, open_log
from agentlog_tui.core.reader import LogFile, LogReadError
from agentlog_tui.tui.cli import main

EVENTS = [
    {"type": "task_created", "ts": "2026-01-01T10:00:00Z", "data": {"key": "t1", "title": "write"}},
    {"type": "task_created", "ts": "2026-01-01T10:00:01Z", "data": {"key": "t2", "title": "test"}},
    {"type": "task_done", "ts": "2026-01-01T10:00:02Z", "data": {"key": "t1"}},
]
STATE = {"task": {"t1": {"status": "done", "key": "t1"},
                  "t2": {"status": "created", "key": "t2", "title": "test"}}}


def analysed(path) -> Analysis:
    a = Analysis(path)
    a.run()
    return a


@pytest.mark.parametrize("indent", [None, 2])
def test_a_json_array_is_read_one_event_per_element_with_element_numbers_as_ids(tmp_path, indent):
    p = tmp_path / "trajectory.json"
    p.write_text(json.dumps(EVENTS, indent=indent))
    a = analysed(p)
    assert isinstance(a.log, JsonDocLog) and a.log.container == "json array"
    assert a.n_events == 3 and a.malformed == [] and a.blank_lines == 0
    assert list(a.seqs) == [1, 2, 3]  # element numbers: 1 is the first element, jq .[0]
    assert a.state == STATE
    assert a.event(2).data == {"key": "t1"} and a.event(2).ts == "2026-01-01T10:00:02Z"


def test_an_element_with_an_id_of_its_own_keeps_it(tmp_path):
    p = tmp_path / "a.json"
    p.write_text(json.dumps([{**e, "id": 10 + i} for i, e in enumerate(EVENTS)], indent=1))
    assert list(analysed(p).seqs) == [10, 11, 12]


@pytest.mark.parametrize("key", ["events", "trajectory", "history", "messages"])
def test_an_object_holding_the_array_under_an_obvious_key(tmp_path, key):
    p = tmp_path / "session.json"
    p.write_text(json.dumps({"version": 3, "meta": {"agent": "x"}, key: EVENTS}, indent=2))
    a = analysed(p)
    assert a.log.container == "json object" and a.log.key == key
    assert a.state == STATE
    assert a.log.describe() == (f"the array under {key!r} of a JSON object: 3 elements, one event "
                                "each; not live-tailed")


def test_an_object_whose_only_array_of_objects_is_under_another_key(tmp_path):
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"name": "run", "tags": ["a"], "turns": EVENTS}, indent=2))
    a = analysed(p)
    assert a.log.key == "turns" and a.n_events == 3


def test_a_one_line_object_holding_the_array_is_a_document_but_a_one_line_event_is_not(tmp_path):
    p = tmp_path / "doc.json"
    p.write_bytes(orjson.dumps({"events": EVENTS}) + b"\n")
    assert analysed(p).n_events == 3
    q = tmp_path / "one.jsonl"
    q.write_bytes(orjson.dumps({"type": "batch", "events": EVENTS}) + b"\n")
    b = analysed(q)
    assert type(b.log) is LogFile and b.n_events == 1 and b.event(0).type == "batch"


def test_json_lines_are_still_read_as_json_lines(tmp_path):
    p = tmp_path / "log.jsonl"
    p.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in EVENTS))
    a = analysed(p)
    assert type(a.log) is LogFile and a.state == STATE
    # lines that are arrays are JSON Lines too, each one malformed (said per line)
    q = tmp_path / "arrays.jsonl"
    q.write_bytes(b"[1, 2]\n[3]\n")
    b = analysed(q)
    assert type(b.log) is LogFile and [m.line for m in b.malformed] == [1, 2]


def test_a_log_being_written_is_never_taken_for_something_else(tmp_path):
    p = tmp_path / "live.jsonl"
    p.write_bytes(b'{"seq": 1, "ty')  # a writer mid-write
    a = analysed(p)
    assert type(a.log) is LogFile and a.pending is not None
    p.write_bytes(b"")
    assert type(analysed(p).log) is LogFile


def test_a_json_array_is_not_tailed(tmp_path):
    p = tmp_path / "t.json"
    p.write_text(json.dumps(EVENTS[:2], indent=2))
    a = analysed(p)
    p.write_text(json.dumps(EVENTS, indent=2))  # rewritten whole, as such files are
    assert a.update() == 0 and a.n_events == 2 and a.warning is None
    assert a.log.to_json() == {"container": "json array", "elements": 2, "live": False}


def test_a_broken_json_array_is_read_as_lines_with_their_errors(tmp_path):
    p = tmp_path / "cut.json"
    p.write_text(json.dumps(EVENTS, indent=2)[:-40])  # cut short: not one document
    a = analysed(p)
    assert type(a.log) is LogFile and a.malformed


# ---- per-event folders ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["{i}.json", "event-{i:05d}.json"])
def test_a_folder_of_per_event_files_in_number_order(tmp_path, name):
    d = tmp_path / "session" / "events"
    d.mkdir(parents=True)
    events = [{"type": "step_done", "data": {"key": f"s{i}", "n": i}} for i in range(12)]
    for i, e in enumerate(events):
        (d / name.format(i=i)).write_text(json.dumps(e, indent=2))
    (d.parent / "metadata.json").write_text("{}")
    for path in (d.parent, d):  # the session folder or its events/ folder
        a = analysed(path)
        assert a.log.container == "event folder" and a.n_events == 12
        assert [a.event(p).data["n"] for p in range(12)] == list(range(12))  # 10 after 9
        assert a.log.describe() == "a folder of 12 per-event JSON files, one event each; not live-tailed"


def test_a_bad_per_event_file_is_one_malformed_line(tmp_path):
    d = tmp_path / "events"
    d.mkdir()
    (d / "0.json").write_text(json.dumps(EVENTS[0]))
    (d / "1.json").write_text('{"type": "x",\n "data": ')
    (d / "2.json").write_text(json.dumps(EVENTS[2]))
    a = analysed(d)
    assert a.n_events == 2 and [m.line for m in a.malformed] == [2]
    assert b"\n" not in a.malformed[0].raw


def test_a_folder_without_event_files_is_still_an_error(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SystemExit) as exc:
        main(["check", str(tmp_path)])
    assert exc.value.code == 2 and "is a directory" in capsys.readouterr().err


# ---- not a log -------------------------------------------------------------------------------------


@pytest.mark.parametrize("content, what", [
    (bytes(range(256)) * 8, "binary data"),
    (b"<!DOCTYPE html>\n<html><body>x</body></html>\n", "HTML or XML"),
    (b"2026-01-01 INFO started\n2026-01-01 INFO stopped\n", ("plain text, not JSON (first line: "
                                                             "'2026-01-01 INFO started')")),
    (b"---\nkey: value\nother: 2\n", "YAML"),
    (json.dumps({"name": "x", "settings": {"a": 1}}, indent=2).encode(),
     "not a log: one JSON object (keys: name, settings) with no array of events"),
    (json.dumps([1, 2, 3], indent=1).encode(), "not a log: a JSON array of 3 number values"),
])
def test_a_file_that_is_no_log_is_one_line_naming_what_it_looks_like(tmp_path, capsys, content, what):
    p = tmp_path / "thing.jsonl"
    p.write_bytes(content)
    with pytest.raises(LogReadError, match=".*"):
        open_log(p, strict=True)
    assert analysed(p).n_events == 0  # the engine still reads it, every line a record
    for cmd in (["check"], ["check", "--json"], ["state"], ["compact"]):
        with pytest.raises(SystemExit) as exc:
            main([*cmd, str(p)])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and str(p) in err and what in err, err


def test_compressed_files_are_left_to_the_reader(tmp_path):
    p = tmp_path / "log.jsonl.gz"
    p.write_bytes(gzip.compress(b"".join(orjson.dumps(e) + b"\n" for e in EVENTS)))
    assert not isinstance(open_log(p), JsonDocLog)  # no "binary data" verdict for it here


# ---- the CLI ---------------------------------------------------------------------------------------


def test_check_says_what_the_log_was_read_from(tmp_path, capsys):
    p = tmp_path / "t.json"
    p.write_text(json.dumps({"history": EVENTS}, indent=2))
    assert main(["check", "--json", str(p)]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["container"] == {"container": "json object", "elements": 3, "live": False,
                                "key": "history"}
    assert doc["events"] == 3 and doc["malformed"] == []
    main(["check", str(p)])
    assert ("  read as the array under 'history' of a JSON object: 3 elements, one event each; "
            "not live-tailed\n") in capsys.readouterr().out
    q = tmp_path / "l.jsonl"
    q.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in EVENTS))
    main(["check", "--json", str(q)])
    assert orjson.loads(capsys.readouterr().out)["container"] is None


def test_compacting_a_json_array_writes_a_json_array(tmp_path, capsys):
    p = tmp_path / "t.json"
    p.write_text(json.dumps(EVENTS, indent=2))
    out = tmp_path / "small.json"
    assert main(["compact", str(p), "-o", str(out)]) == 0
    written = json.loads(out.read_text())
    assert written == [EVENTS[1], EVENTS[2]]
    assert analysed(out).state == STATE


def test_compacting_an_object_keeps_the_object_around_the_array(tmp_path):
    p = tmp_path / "t.json"
    p.write_text(json.dumps({"version": 2, "events": EVENTS}))
    out = tmp_path / "small.json"
    assert main(["compact", str(p), "-o", str(out)]) == 0
    assert json.loads(out.read_text()) == {"version": 2, "events": [EVENTS[1], EVENTS[2]]}


def test_an_event_folder_is_a_log_for_the_app_not_a_session_list(tmp_path):
    from agentlog_tui.core.jsondoc import is_event_folder

    session = tmp_path / "sess"
    (session / "events").mkdir(parents=True)
    assert not is_event_folder(session) and not is_event_folder(tmp_path)
    (session / "events" / "0.json").write_text(json.dumps(EVENTS[0]))
    assert is_event_folder(session) and is_event_folder(session / "events")
    assert not is_event_folder(tmp_path)  # a folder of sessions stays a session list
    assert not is_event_folder(session / "events" / "0.json")
