"""The default entities projection, field by field, and custom projections."""

from __future__ import annotations

import pytest

from agentlog_tui.core.analysis import open_analysis
from agentlog_tui.core.projection import (
    EntityProjection,
    ProjectionError,
    load_projection,
    split_type,
)

TASK = {"status": "started", "goal": "publish post X"}
DRAFT = {"drafts/x.md": {"status": "written", "path": "drafts/x.md", "sha": "a1b2"}}
VERIF = {"status": "passed", "check": "links_resolve"}
EXEC = {"status": "resumed", "from_event": 5}

EXPECTED = {
    1: {"task": TASK},
    2: {"task": TASK, "draft": DRAFT},
    3: {"task": TASK, "draft": DRAFT, "verification": VERIF},
    4: {"task": TASK, "draft": DRAFT, "verification": VERIF,
        "publish": {"status": "attempted", "target": "devto"}},
    5: {"task": TASK, "draft": DRAFT, "verification": VERIF,
        "publish": {"status": "failed", "error": "429 rate limited"}},
    6: {"task": TASK, "draft": DRAFT, "verification": VERIF,
        "publish": {"status": "failed", "error": "429 rate limited"}, "executor": EXEC},
    7: {"task": TASK, "draft": DRAFT, "verification": VERIF,
        "publish": {"status": "retried", "backoff_s": 30}, "executor": EXEC},
    8: {"task": TASK, "draft": DRAFT, "verification": VERIF,
        "publish": {"status": "succeeded", "url": "https://dev.to/alice/x"}, "executor": EXEC},
}


@pytest.mark.parametrize("seq", sorted(EXPECTED))
def test_publish_post_state_at_each_event(samples, seq):
    a = open_analysis(samples / "publish_post.jsonl")
    got_seq, state = a.state_at(seq)
    assert got_seq == seq
    assert state == EXPECTED[seq]


@pytest.mark.parametrize(
    ("type_", "expected"),
    [("publish_failed", ("publish", "failed")), ("tool.call.started", ("tool.call", "started")),
     ("heartbeat", ("heartbeat", None)), ("a.b_c", ("a.b", "c")), ("_x", ("_x", None))],
)
def test_split_type(type_, expected):
    assert split_type(type_) == expected


def test_entity_rules(write_log):
    lines = [
        {"seq": 1, "type": "job_started", "data": {"id": 7, "status": "queued"}},  # payload status wins
        {"seq": 2, "type": "job_started", "data": {"id": 8}},
        {"seq": 3, "type": "job_removed", "data": {"id": 8}},  # tombstone of a subject
        {"seq": 4, "type": "cache_set", "data": {"size": 1}},
        {"seq": 5, "type": "cache_cleared", "data": {}},  # tombstone of an entity
        {"seq": 6, "type": "note", "data": {"text": "hi"}},  # no separator: own entity, verb None
        {"seq": 7, "type": "file_read", "key": "k1", "data": {"path": "p"}},  # top-level key wins
        {"seq": 8, "type": "snapshot", "data": {"state": {}, "at_seq": 7}},  # not applied
    ]
    a = open_analysis(write_log(lines))
    assert a.state == {
        "job": {"7": {"status": "queued", "id": 7}},
        "note": {"status": None, "text": "hi"},
        "file": {"k1": {"status": "read", "path": "p"}},
    }


def test_key_fields_can_be_changed(write_log):
    from agentlog_tui.core.formats.base import Options

    p = write_log([{"seq": 1, "type": "run_done", "data": {"id": "a", "host": "h1"}}])
    a = open_analysis(p, options=Options(key_fields=("host",)))
    assert a.state == {"run": {"h1": {"status": "done", "id": "a", "host": "h1"}}}


def test_custom_projection_from_a_file(tmp_path, samples):
    f = tmp_path / "proj.py"
    f.write_text(
        "def count(state, event):\n"
        "    state['n'] = state.get('n', 0) + 1\n\n"
        "class Types:\n"
        "    name = 'types'\n"
        "    def initial_state(self):\n"
        "        return {'types': []}\n"
        "    def apply(self, state, event):\n"
        "        state['types'].append(event.type)\n"
    )
    a = open_analysis(samples / "publish_post.jsonl", projection=load_projection(f"{f}:count"))
    assert a.state == {"n": 8}
    a = open_analysis(samples / "publish_post.jsonl", projection=load_projection(f"{f}:Types"))
    assert a.state["types"][0] == "task_started" and len(a.state["types"]) == 8
    m = load_projection("agentlog_tui.core.projection:EntityProjection")
    assert isinstance(m, EntityProjection)


@pytest.mark.parametrize(
    ("spec", "message"),
    [("nope.py:x", "no such projection file"), ("agentlog_tui.core.projection:nothing", "has no 'nothing'"),
     ("no_such_module_xyz:f", "ModuleNotFoundError"), ("justaname", "expected FILE.py:NAME")],
)
def test_bad_projection_specs_raise_one_line_errors(spec, message):
    with pytest.raises(ProjectionError) as err:
        load_projection(spec)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_projection_file_that_raises_on_import(tmp_path):
    f = tmp_path / "bad.py"
    f.write_text("raise RuntimeError('nope')\n")
    with pytest.raises(ProjectionError, match="RuntimeError: nope"):
        load_projection(f"{f}:x")
