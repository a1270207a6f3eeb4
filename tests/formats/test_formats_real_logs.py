"""The formats on real agent logs in ../shared/real_logs (skipped when that folder is absent),
and detection of the project's own sample logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.compaction import plan_compaction
from agentlog_tui.core.liveness import compute_marks

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "real_logs"
CC_DIR = REAL / "claude_code"
CODEX_DIR = REAL / "codex"
CC_COMPACTED = CC_DIR / "fa812bfe-b295-4cca-9c2f-fdf01028cb46.jsonl"

needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"real agent logs not present at {REAL}")


def _real(pattern: str) -> list[Path]:
    return sorted(REAL.glob(pattern)) if REAL.is_dir() else []


REAL_LOGS = [(p, "claude-code") for p in _real("claude_code/*.jsonl")] + [
    (p, "codex") for p in _real("codex/*.jsonl")]


@pytest.mark.parametrize("path", sorted((ROOT / "sample_logs").glob("*.jsonl")), ids=lambda p: p.name)
def test_sample_logs_are_detected_as_agentlog(path):
    assert Analysis(path).format.name == "agentlog"


@needs_real
def test_real_logs_are_present():
    assert {fmt for _, fmt in REAL_LOGS} == {"claude-code", "codex"}


@pytest.fixture(scope="module")
def analysed():
    cache: dict[Path, Analysis] = {}

    def get(path: Path) -> Analysis:
        if path not in cache:
            a = Analysis(path)
            a.run()
            cache[path] = a
        return cache[path]

    return get


@needs_real
@pytest.mark.parametrize("path, fmt", REAL_LOGS, ids=lambda v: getattr(v, "name", v))
class TestRealLog:
    def test_detection_picks_the_right_format(self, analysed, path, fmt):
        assert analysed(path).format.name == fmt

    def test_every_line_is_an_event(self, analysed, path, fmt):
        a = analysed(path)
        physical = path.read_bytes().count(b"\n")
        assert a.n_lines == physical == a.n_events
        assert not a.malformed and not a.failed and a.pending is None

    def test_summaries_are_one_line(self, analysed, path, fmt):
        a = analysed(path)
        for pos in range(a.n_events):
            s = a.format.summary(a.event(pos))
            assert "\n" not in s and len(s) <= 200

    def test_state_at_head_has_session_context_tools_files_and_tokens(self, analysed, path, fmt):
        s = analysed(path).state
        assert s["session"]["id"] and s["session"]["cwd"]
        if fmt == "claude-code":
            assert s["session"]["version"] and s["session"]["branch"]
            assert s["context"] and s["tools"]
            assert all(t.get("status") in ("running", "done", "error") for t in s["tools"].values())
            assert s["files"]
            assert s["tokens"]["output"] > 0 and s["tokens"]["responses"] > 0
        else:
            assert s["history"] and s["calls"] and s["turn_context"]["model"]
            assert s["tokens"]["total"]["total_tokens"] > 0

    def test_compaction_verifies(self, analysed, path, fmt):
        a = analysed(path)
        plan = plan_compaction(a)
        assert plan.verified, plan.to_json()
        assert 0 < len(plan.kept) < a.n_events


@pytest.mark.skipif(not CC_COMPACTED.is_file(), reason=f"{CC_COMPACTED} not present")
def test_the_claude_code_compaction_is_found_and_the_context_before_it_superseded(analysed):
    a = analysed(CC_COMPACTED)
    compactions = [p for p, b in a.boundaries.items() if b.kind == "compaction"]
    assert len(compactions) == 1
    boundary = compactions[0]
    assert a.event(boundary).type == "system.compact_boundary"
    assert a.event(boundary + 1).type == "user.compact_summary"
    # nothing in the model's context at the head comes from before the boundary
    assert a.state["context"]
    assert all(a.blame(("context", k)) >= boundary for k in a.state["context"])
    m = compute_marks(a)
    live_before = [p for p in range(boundary) if m.is_live(p)]
    for p in live_before:
        ev = a.event(p)
        # what stays: assistant records (their usage is in the token totals), the last access
        # of a file still in `files`, and the record that first wrote the session
        assert ev.type.startswith("assistant") or ev.type == "user.tool_result" or p < 10, ev.type
        if ev.type == "user.tool_result":
            assert m.reason(p) == "visible"
            assert any(a.blame(("files", f)) == p for f in a.state["files"])
    superseded_before = boundary - len(live_before)
    assert superseded_before > 0.8 * boundary
    for p in range(boundary):
        if a.event(p).type in ("user.prompt", "progress") and p >= 10:
            assert not m.is_live(p)
