"""The contract every log format passes: a pytest test class for format authors.

Every built-in format passes it (tests/formats/test_format_contract.py); a plugin format's own
tests subclass it and provide two fixtures:

    import pytest
    from agentlog_tui.core.formats.contract import FormatContract
    from mylog_format import MyLog

    class TestMyLog(FormatContract):
        @pytest.fixture
        def fmt(self):
            return MyLog()

        @pytest.fixture
        def sample_records(self):
            return [{"kind": "start", ...}, ...]  # a small log of the format, every record kind once

and, optionally, `other_logs` (logs of other formats the format must not claim). This module is
the only one of the package that imports pytest; nothing else imports it.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from agentlog_tui.core.analysis import Analysis, canonical
from agentlog_tui.core.compaction import plan_compaction
from agentlog_tui.core.formats import REGISTRY
from agentlog_tui.core.formats.base import Boundary, LogFormat, Mapped, MappingError, Options

# Objects a format may meet in a damaged or foreign file: mapping them returns an event or raises
# MappingError, nothing else.
ODD_OBJECTS: list[dict] = [
    {}, {"type": 5}, {"type": None}, {"type": "user"}, {"type": "assistant", "message": "x"},
    {"type": "assistant", "message": {"content": [1, None, {"type": "tool_use"}]}},
    {"type": "user", "message": {"content": [{"type": "tool_result"}]}, "toolUseResult": "Error"},
    {"type": "progress", "data": None}, {"type": "system", "subtype": 3},
    {"type": "response_item", "payload": {}}, {"type": "event_msg", "payload": {"type": 7}},
    {"type": "compacted", "payload": {"replacement_history": "x"}}, {"record_type": "state"},
    {"seq": "x", "type": "t"}, {"payload": [1]},
    {"action": 3, "observation": None}, {"id": "x", "cause": [], "source": {}},
    {"action": "run", "args": None}, {"observation": "run", "extras": "x", "cause": "1"},
]

# A generic agentlog log: no other format may claim it.
GENERIC_LOG: list[dict] = [
    {"seq": 1, "ts": "2026-01-01T00:00:00Z", "type": "task.created", "data": {"key": "t1", "title": "x"}},
    {"seq": 2, "ts": "2026-01-01T00:00:01Z", "type": "task.updated", "data": {"key": "t1", "status": "done"}},
    {"seq": 3, "ts": "2026-01-01T00:00:02Z", "type": "note.added", "data": {"key": "n1", "text": "y"}},
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    """Write records as JSON Lines and return the path."""
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


class FormatContract:
    """Tests any log format passes. Subclass it and provide the fixtures `fmt` and
    `sample_records` (see the module docstring)."""

    @pytest.fixture
    def fmt(self) -> LogFormat:
        raise NotImplementedError("provide a `fmt` fixture: the format under test")

    @pytest.fixture
    def sample_records(self) -> list[dict]:
        raise NotImplementedError("provide a `sample_records` fixture: a small log of the format")

    @pytest.fixture
    def other_logs(self) -> list[list[dict]]:
        """Logs of other formats that this format must not claim."""
        return [GENERIC_LOG]

    @pytest.fixture
    def registered(self, fmt, monkeypatch) -> LogFormat:
        """The format, in detection beside the installed ones (added for this test if absent)."""
        if fmt not in REGISTRY.formats:
            others = [f for f in REGISTRY.formats if f.name != fmt.name]
            monkeypatch.setattr(REGISTRY, "formats", [*others, fmt])
        return fmt

    @pytest.fixture
    def fixture_log(self, fmt, sample_records, tmp_path) -> Path:
        assert sample_records, "sample_records is empty"
        return write_jsonl(tmp_path / f"{fmt.name}.jsonl", sample_records)

    def test_has_a_name_and_a_description(self, fmt, registered):
        assert fmt.name and isinstance(fmt.name, str) and fmt.name.strip() == fmt.name
        assert isinstance(fmt.description, str) and len(fmt.description) > 10
        assert [f.name for f in REGISTRY.formats].count(fmt.name) == 1

    def test_detection_picks_the_format_for_its_own_log(self, fmt, registered, sample_records,
                                                        fixture_log):
        assert REGISTRY.detect(sample_records) is fmt
        assert Analysis(fixture_log).format is fmt

    def test_detection_leaves_other_formats_logs_alone(self, fmt, registered, other_logs):
        for records in other_logs:
            assert REGISTRY.detect(records) is not fmt, records[:2]
            assert not fmt.detect(records) > 0.5

    def test_every_line_is_accounted_for(self, fmt, registered, sample_records, fixture_log):
        a = Analysis(fixture_log)
        a.run()
        physical = fixture_log.read_bytes().count(b"\n")
        assert a.n_lines == physical
        assert a.n_events + len(a.malformed) + a.blank_lines == physical
        assert a.n_events == len(sample_records)

    def test_mapping_odd_objects_never_raises_anything_but_mapping_error(self, fmt, sample_records):
        mapper = fmt.mapper(sample_records, Options())
        for obj in ODD_OBJECTS:
            try:
                m = mapper.map(obj)
            except MappingError:
                continue
            assert isinstance(m, Mapped) and isinstance(m.type, str)

    def test_projection_applies_every_event_of_its_log_and_odd_ones(self, fmt, registered,
                                                                    sample_records, fixture_log,
                                                                    tmp_path):
        a = Analysis(fixture_log)
        a.run()
        assert a.failed == {}
        odd = write_jsonl(tmp_path / "odd.jsonl", [*sample_records[:1], *ODD_OBJECTS])
        b = Analysis(odd, format=fmt)
        b.run()
        assert b.failed == {}
        for pos in range(b.n_events):
            assert "\n" not in fmt.summary(b.event(pos))

    def test_projection_is_deterministic(self, fmt, registered, fixture_log):
        a, b = Analysis(fixture_log), Analysis(fixture_log)
        a.run()
        b.run()
        assert canonical(a.state) == canonical(b.state)
        # named explicitly, the projection is checked like a user's: replayed twice, untracked
        c = Analysis(fixture_log, projection=fmt.projection(Options()))
        c.run()
        assert c.deterministic()
        orjson.dumps(a.state)  # JSON-like

    def test_summary_is_one_short_line_for_every_event(self, fmt, registered, fixture_log):
        a = Analysis(fixture_log)
        a.run()
        for pos in range(a.n_events):
            s = fmt.summary(a.event(pos))
            assert isinstance(s, str)
            assert "\n" not in s and "\r" not in s
            assert len(s) <= 200

    def test_boundaries_are_resumes_or_compactions(self, fmt, registered, fixture_log):
        a = Analysis(fixture_log)
        a.run()
        for b in a.boundaries.values():
            assert isinstance(b, Boundary) and b.kind in ("resume", "compaction") and b.label

    def test_its_own_log_has_no_unknown_kinds(self, fmt, registered, fixture_log):
        """A format that declares its kinds (`known_kinds`) knows every kind of its sample log."""
        from agentlog_tui.core.drift import unknown_kinds

        a = Analysis(fixture_log)
        a.run()
        assert unknown_kinds(a) == []
        known = getattr(fmt, "known_kinds", None)
        if known is not None:  # declared: the kinds are strings, and they are checked
            assert known and all(isinstance(k, str) for k in known)
            assert a.drift is not None

    def test_compaction_of_its_log_verifies(self, fmt, registered, fixture_log):
        a = Analysis(fixture_log)
        a.run()
        plan = plan_compaction(a)
        assert plan.verified, plan.to_json()
