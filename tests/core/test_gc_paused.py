"""The cyclic garbage collector is paused while `Analysis.run` reads (core/analysis.py `run`).

That is safe only because reading makes no cyclic garbage: every object it drops is freed by its
reference count. These tests hold the built-in formats and projections to that (on the samples,
generated Claude Code and Codex sessions and the real logs when present), and check that the
collector is paused during the run and back on after it, also when the run raises.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.liveness import compute_marks
from agentlog_tui.core.projection import FunctionProjection

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "real_logs"
SAMPLES = sorted((ROOT / "sample_logs").glob("*.jsonl"))


def _garbage_made_by(path: Path) -> int:
    """Objects in cycles left unreachable by analysing `path` (with the collector paused)."""
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        a = Analysis(path)
        a.run()
        compute_marks(a)
        return gc.collect()
    finally:
        if was:
            gc.enable()


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_the_samples_make_no_cyclic_garbage(path):
    assert _garbage_made_by(path) == 0


@pytest.mark.parametrize("fmt", ["claude-code", "codex"])
def test_generated_agent_sessions_make_no_cyclic_garbage(tmp_path, fmt):
    sys.path.insert(0, str(ROOT / "bench"))
    from gen_agents import GENERATORS

    path = tmp_path / f"{fmt}.jsonl"
    GENERATORS[fmt](path, 400_000, 3)
    assert _garbage_made_by(path) == 0


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real_logs is not there")
def test_the_real_logs_make_no_cyclic_garbage():
    paths = sorted(REAL.glob("*/*.jsonl"))
    assert paths
    for path in paths:
        assert _garbage_made_by(path) == 0, path.name


def test_the_collector_is_paused_during_a_run_and_back_after(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text("".join(f'{{"seq": {i}, "type": "job_started", "data": {{"id": "j"}}}}\n'
                            for i in range(1, 6)))
    seen = []
    a = Analysis(path, projection=FunctionProjection(lambda s, e: seen.append(gc.isenabled())))
    assert gc.isenabled()
    a.run()
    assert seen and not any(seen)
    assert gc.isenabled()


def test_the_collector_is_back_after_a_run_that_raises(tmp_path, monkeypatch):
    path = tmp_path / "log.jsonl"
    path.write_text('{"seq": 1, "type": "job_started", "data": {}}\n')
    a = Analysis(path)

    def boom(*_args, **_kw):
        raise RuntimeError("the file went away")

    monkeypatch.setattr(a, "_run", boom)
    with pytest.raises(RuntimeError):
        a.run()
    assert gc.isenabled()


def test_a_run_leaves_a_paused_collector_paused(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text('{"seq": 1, "type": "job_started", "data": {}}\n')
    gc.disable()
    try:
        Analysis(path).run()
        assert not gc.isenabled()
    finally:
        gc.enable()
