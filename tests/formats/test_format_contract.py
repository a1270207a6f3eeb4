"""The contract every log format passes, run over each registered format with a small log of it."""

from __future__ import annotations

import orjson
import pytest
from format_fixtures import BY_FORMAT

from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.compaction import plan_compaction
from agentlog_tui.core.formats import REGISTRY
from agentlog_tui.core.formats.base import Boundary, Mapped, MappingError, Options

FORMAT_NAMES = [f.name for f in REGISTRY.formats]

# Objects a format may meet in a damaged or foreign file: mapping them returns an event or raises
# MappingError, nothing else.
ODD_OBJECTS = [
    {}, {"type": 5}, {"type": None}, {"type": "user"}, {"type": "assistant", "message": "x"},
    {"type": "assistant", "message": {"content": [1, None, {"type": "tool_use"}]}},
    {"type": "user", "message": {"content": [{"type": "tool_result"}]}, "toolUseResult": "Error"},
    {"type": "progress", "data": None}, {"type": "system", "subtype": 3},
    {"type": "response_item", "payload": {}}, {"type": "event_msg", "payload": {"type": 7}},
    {"type": "compacted", "payload": {"replacement_history": "x"}}, {"record_type": "state"},
    {"seq": "x", "type": "t"}, {"payload": [1]},
]


@pytest.fixture(params=FORMAT_NAMES)
def fmt(request):
    return REGISTRY.get(request.param)


@pytest.fixture
def fixture_log(fmt, write_log):
    assert fmt.name in BY_FORMAT, f"format {fmt.name} has no contract fixture in format_fixtures.py"
    return write_log(BY_FORMAT[fmt.name], name=f"{fmt.name}.jsonl")


class TestFormatContract:
    def test_has_a_name_and_a_description(self, fmt):
        assert fmt.name and isinstance(fmt.name, str)
        assert isinstance(fmt.description, str) and len(fmt.description) > 10
        assert FORMAT_NAMES.count(fmt.name) == 1

    def test_detection_picks_the_format_for_its_own_log(self, fmt, fixture_log):
        assert REGISTRY.detect(BY_FORMAT[fmt.name]) is fmt
        assert Analysis(fixture_log).format is fmt

    def test_every_line_is_accounted_for(self, fmt, fixture_log):
        a = Analysis(fixture_log)
        a.run()
        physical = fixture_log.read_bytes().count(b"\n")
        assert a.n_lines == physical
        assert a.n_events + len(a.malformed) + a.blank_lines == physical
        assert a.n_events == len(BY_FORMAT[fmt.name])

    def test_mapping_odd_objects_never_raises_anything_but_mapping_error(self, fmt):
        mapper = fmt.mapper(BY_FORMAT[fmt.name], Options())
        for obj in ODD_OBJECTS:
            try:
                m = mapper.map(obj)
            except MappingError:
                continue
            assert isinstance(m, Mapped) and isinstance(m.type, str)

    def test_projection_applies_every_event_of_its_log_and_odd_ones(self, fmt, fixture_log, write_log):
        a = Analysis(fixture_log)
        a.run()
        assert a.failed == {}
        odd = write_log([*BY_FORMAT[fmt.name][:1], *ODD_OBJECTS], name="odd.jsonl")
        b = Analysis(odd, format=fmt.name)
        b.run()
        assert b.failed == {}
        for pos in range(b.n_events):
            assert "\n" not in fmt.summary(b.event(pos))

    def test_projection_is_deterministic(self, fmt, fixture_log):
        a, b = Analysis(fixture_log), Analysis(fixture_log)
        a.run()
        b.run()
        assert canonical(a.state) == canonical(b.state)
        # named explicitly, the projection is checked like a user's: replayed twice, untracked
        c = Analysis(fixture_log, projection=fmt.projection(Options()))
        c.run()
        assert c.deterministic()
        orjson.dumps(a.state)  # JSON-like

    def test_summary_is_one_short_line_for_every_event(self, fmt, fixture_log):
        a = Analysis(fixture_log)
        a.run()
        for pos in range(a.n_events):
            s = fmt.summary(a.event(pos))
            assert isinstance(s, str)
            assert "\n" not in s and "\r" not in s
            assert len(s) <= 200

    def test_boundaries_are_resumes_or_compactions(self, fmt, fixture_log):
        a = Analysis(fixture_log)
        a.run()
        for b in a.boundaries.values():
            assert isinstance(b, Boundary) and b.kind in ("resume", "compaction") and b.label

    def test_compaction_of_its_log_verifies(self, fmt, fixture_log):
        a = Analysis(fixture_log)
        a.run()
        plan = plan_compaction(a)
        assert plan.verified, plan.to_json()
