"""The contract every log format passes, run over each registered format with a small log of it.

The contract itself lives in the package (agentlog_tui.core.formats.contract), where plugin
authors import it; here every built-in format is run through it.
"""

from __future__ import annotations

import pytest
from format_fixtures import BY_FORMAT

from agentlog_tui.core.formats import REGISTRY, SOURCES
from agentlog_tui.core.formats.contract import ODD_OBJECTS, FormatContract

__all__ = ["ODD_OBJECTS"]  # tests/formats/test_details.py imports it from here

FORMAT_NAMES = [f.name for f in REGISTRY.formats if SOURCES[f.name].kind == "built-in"]


class TestFormatContract(FormatContract):
    @pytest.fixture(params=FORMAT_NAMES)
    def fmt(self, request):
        return REGISTRY.get(request.param)

    @pytest.fixture
    def sample_records(self, fmt):
        assert fmt.name in BY_FORMAT, f"format {fmt.name} has no contract fixture in format_fixtures.py"
        return BY_FORMAT[fmt.name]

    @pytest.fixture
    def other_logs(self, fmt):
        return [records for name, records in BY_FORMAT.items() if name != fmt.name]


def test_every_built_in_format_is_run_through_the_contract():
    assert {"agentlog", "claude-code", "codex"} <= set(FORMAT_NAMES)
    assert set(FORMAT_NAMES) <= set(BY_FORMAT)
