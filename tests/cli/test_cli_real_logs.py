"""Real agent logs from ../shared/real_logs/: `check` and `state` never fail on them, and every
line is accounted for. Skipped when the folder is absent (a plain clone)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import REAL_LOGS, assert_accounted

LOGS = sorted(REAL_LOGS.rglob("*.jsonl")) if REAL_LOGS.is_dir() else []

pytestmark = pytest.mark.skipif(not LOGS, reason=f"no real logs in {REAL_LOGS}")


def _id(p: Path) -> str:
    return f"{p.parent.name}/{p.name[:24]}"


@pytest.mark.parametrize("log", LOGS, ids=_id)
def test_check_real_log(cli, log):
    res = cli("check", log, "--json")
    assert res.code in (0, 1), res.err
    assert "Traceback" not in res.err
    doc = res.json
    assert doc["events"] > 0
    assert_accounted(doc, log)
    for m in doc["malformed"]:
        assert {"line", "offset", "error"} <= set(m)
    assert cli("check", log).code == res.code  # the plain-text form agrees


@pytest.mark.parametrize("log", LOGS, ids=_id)
def test_state_real_log(cli, log):
    res = cli("state", log, "--json")
    assert res.code == 0, res.err
    doc = res.json
    assert set(doc) == {"seq", "state"}
    assert isinstance(doc["state"], dict)
    assert cli("state", log).code == 0


@pytest.mark.parametrize("log", LOGS, ids=_id)
def test_state_at_head_id_equals_head_real_log(cli, log):
    head = cli("state", log, "--json").json
    res = cli("state", log, "--at", str(head["seq"]), "--json")
    assert res.code == 0, res.err
    assert res.json == head
