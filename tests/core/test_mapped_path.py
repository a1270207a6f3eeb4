"""The inlined reading loop of format logs (`Analysis._run_mapped`) and the per-type shortcuts of
`_apply` (fused boundaries, drift modes, effect flags) analyse exactly like the general path
(`make_record` + `_add`, the format's boundary then the mapper's refinement, `see` and
`effect_of` on every event): same arrays, state, marks, findings, boundaries, drift, branches,
failures, and the same Event objects handed to the projection."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.drift import kind_counter
from agentlog_tui.core.formats.base import MappingError
from agentlog_tui.core.formats.claude_code import ClaudeCodeMapper, block_text, record_type
from agentlog_tui.core.formats.codex import CodexMapper
from agentlog_tui.core.projection import FunctionProjection, effect_of
from tests.core.test_agent_direct_path import cc_record, codex_line
from tests.core.test_fast_path import _fingerprint, line_strategy
from tests.core.test_growing_state import appending, claude_code, codex

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "formats"))
from format_fixtures import CLAUDE_CODE, CLAUDE_CODE_RESUMED, CODEX, CODEX_LEGACY

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "sample_logs").glob("*.jsonl"))
REAL = ROOT.parent / "shared" / "real_logs"
REAL_LOGS = sorted(REAL.glob("*/*.jsonl")) if REAL.is_dir() else []


def _record_events(a: Analysis) -> list:
    """Make `a` remember every (position, event) its projection is handed."""
    seen: list = []
    if a._apply_tracked is not None:
        direct = a._apply_tracked

        def recording(t, state, ev):
            seen.append((a.tracker.cur, ev))
            return direct(t, state, ev)

        a._apply_tracked = recording
        native = a._direct_native()
        if native is not None:  # the C loop calls the direct path's C half first

            def native_recording(t, state, ev):
                done = native(t, state, ev)
                if done:
                    seen.append((a.tracker.cur, ev))
                return done

            a._direct_native = lambda: native_recording
    else:
        proj = a.projection
        apply = proj.apply

        class Recording:
            name = proj.name
            initial_state = proj.initial_state

            def apply(self, state, ev):
                seen.append((a.tracker.cur, ev))
                return apply(state, ev)

        a.projection = Recording()
    return seen


def _everything(a: Analysis, seen: list) -> tuple:
    events = [(p, type(ev), ev.__dict__) for p, ev in seen]
    return (
        _fingerprint(a),
        [x.to_json() for x in a.information],
        a.drift.to_json() if a.drift is not None else None,
        sorted(a.tree.off) if a.tree is not None else None,
        sorted(a.boundaries.items()),
        sorted(a.failed.items()),
        events,
        [a.type_of(p) for p in range(a.n_events)],
    )


def _both(path, k=None, projection=None, general_boundary=False):
    """(inlined loop, general path) over the same file; the inlined loop in C (when built) is
    also held to the inlined loop in Python."""
    out = []
    for fast, native in ((True, True), (True, False), (False, True)):
        if native and fast and Analysis.native is None:
            continue  # no C build: the Python loop is the inlined loop
        a = Analysis(path, checkpoint_every=k, projection=projection)
        a.fast = fast
        if not native:
            a.native = None
        if general_boundary and not fast:
            a.boundary_of = _composed(a)
        seen = _record_events(a)
        a.run()
        out.append((a, seen))
    if len(out) == 3:
        (c, sc), (x, sx), (y, sy) = out
        assert _everything(c, sc) == _everything(x, sx), "the C loop and the Python loop differ"
        x, sx = c, sc
    else:
        (x, sx), (y, sy) = out
    return x, y, _everything(x, sx), _everything(y, sy)


def _composed(a: Analysis):
    """The boundary as the format and the mapper give it in two calls (the fused path's oracle)."""
    fmt, mapper = a.format, a.mapper
    if not hasattr(mapper, "boundary_of"):
        return a.boundary_of  # a format without a fused boundary
    return lambda ev: mapper.boundary(ev, fmt.boundary(ev))


def _write(path, records, crlf=False) -> None:
    nl = b"\r\n" if crlf else b"\n"
    path.write_bytes(
        b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + nl for r in records)
    )


@pytest.mark.parametrize(
    "records",
    [CODEX, CODEX_LEGACY, CLAUDE_CODE, CLAUDE_CODE_RESUMED, codex(300), claude_code(300)],
    ids=[
        "codex",
        "codex-legacy",
        "claude-code",
        "claude-code-resumed",
        "codex-300",
        "claude-code-300",
    ],
)
@pytest.mark.parametrize("k", [None, 3])
def test_the_inlined_loop_analyses_sessions_like_the_general_path(tmp_path, records, k):
    path = tmp_path / "log.jsonl"
    _write(path, records)
    x, _y, fx, fy = _both(path, k, general_boundary=True)
    assert x.format.name in ("codex", "claude-code")
    assert x.boundary_of == x.mapper.boundary_of  # the fused boundary was used
    assert fx == fy
    assert fx[6], "the projection was handed events"


def test_the_inlined_loop_keeps_odd_lines_as_the_general_path_does(tmp_path):
    odd = [
        b"",
        b"   ",
        b"{bad",
        b"[1, 2]",
        b'"text"',
        b"\xff\xfe",
        b'{"no": "type"}',
        b'{"type": 5}',
        b'{"type": ["x"], "payload": {}}',
        b'{"type": "user", "uuid": "u9"}',
        b'{"type": "assistant", "message": {"content": [{"type": ["odd"]}]}}',
    ]
    records = [*CLAUDE_CODE[:3], *odd, *CLAUDE_CODE[3:], *odd]
    for crlf in (False, True):
        path = tmp_path / f"odd{crlf}.jsonl"
        _write(path, records, crlf)
        x, _y, fx, fy = _both(path, 2, general_boundary=True)
        assert x.format.name == "claude-code"
        assert len(x.malformed) >= 8 and x.blank_lines >= 2
        assert fx == fy


@pytest.mark.parametrize("log", SAMPLES, ids=lambda p: p.name)
def test_the_inlined_loop_analyses_the_sample_logs_like_the_general_path(log):
    for projection in (None, FunctionProjection(appending, "appending")):
        *_, fx, fy = _both(log, projection=projection)
        assert fx == fy


@pytest.mark.skipif(not REAL_LOGS, reason="no real agent logs in ../shared/real_logs")
@pytest.mark.parametrize("log", REAL_LOGS, ids=lambda p: p.name)
def test_the_inlined_loop_analyses_real_logs_like_the_general_path(log):
    x, _y, fx, fy = _both(log, general_boundary=True)
    assert fx == fy
    assert x.n_events > 0


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(codex_line, max_size=30),
    k=st.integers(1, 6),
    gaps=st.lists(st.integers(0, 200), max_size=30),
)
def test_the_inlined_loop_analyses_random_rollouts_like_the_general_path(
    tmp_path_factory, lines, k, gaps
):
    path = tmp_path_factory.mktemp("codex") / "rollout.jsonl"
    head = {"type": "session_meta", "payload": {"id": "s1", "cwd": "/w", "cli_version": "0.5"}}
    t, records = 0, []
    for i, line in enumerate([head, *lines]):
        t += gaps[i] if i < len(gaps) else 1  # long silences make interrupted turns resumes
        records.append(
            {"timestamp": f"2026-01-01T{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}Z", **line}
        )
    _write(path, records)
    x, _y, fx, fy = _both(path, k, general_boundary=True)
    assert x.format.name == "codex"
    assert fx == fy


@settings(max_examples=60, deadline=None)
@given(
    records=st.lists(cc_record, min_size=1, max_size=30),
    k=st.integers(1, 6),
    order=st.lists(st.integers(0, 59), max_size=30),
)
def test_the_inlined_loop_analyses_random_sessions_like_the_general_path(
    tmp_path_factory, records, k, order
):
    path = tmp_path_factory.mktemp("cc") / "session.jsonl"
    # timestamps that go back now and then (information findings)
    _write(
        path,
        [
            {"timestamp": f"2026-01-01T00:00:{order[i] if i < len(order) else i % 60:02d}Z", **r}
            for i, r in enumerate(records)
        ],
    )
    *_, fx, fy = _both(path, k, general_boundary=True)
    assert fx == fy


@settings(max_examples=80, deadline=None)
@given(lines=st.lists(line_strategy, max_size=40), k=st.integers(1, 6))
def test_the_inlined_loop_analyses_generic_logs_with_a_custom_projection_like_the_general_path(
    tmp_path_factory, lines, k
):
    # a custom projection keeps the generic format off its own fused loop: ids, gaps, duplicates,
    # ids out of range, snapshots and resumes come through the inlined loop
    extra = [
        b'{"seq": 9223372036854775808, "type": "a_b", "data": {}}',
        b'{"seq": 18446744073709551615, "type": "a_b", "data": {}}',
    ]
    path = tmp_path_factory.mktemp("generic") / "log.jsonl"
    path.write_bytes(b"".join(x + b"\n" for x in [*lines[:3], *extra, *lines[3:]]))
    *_, fx, fy = _both(path, k, projection=FunctionProjection(appending, "appending"))
    assert fx == fy


# ---- the per-type shortcuts against what they stand for ---------------------------------------


def _events(records) -> list:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "log.jsonl"
        _write(path, records)
        a = Analysis(path)
        a.run()
        return [a.event(p) for p in range(a.n_events)], a.format


@pytest.mark.parametrize(
    "records", [CODEX, CODEX_LEGACY, CLAUDE_CODE, CLAUDE_CODE_RESUMED, codex(200), claude_code(200)]
)
def test_drift_modes_and_effect_flags_say_what_see_and_effect_of_would(records):
    events, fmt = _events(records)
    events = [
        *events,
        *(
            type(events[0]).make(1, t, {"type": "user"}, None, 1, 0, b"", False, None)
            for t in (
                "user.prompt",
                "assistant",
                "new_kind",
                "job_completed",
                "response_item.function_call",
                "event_msg.undo_completed",
            )
        ),
    ]
    every, by_mode = kind_counter(fmt), kind_counter(fmt)
    for ev in events:
        every.see(ev)
        if by_mode.mode(ev.type):
            by_mode.see(ev)
        a = Analysis.__new__(Analysis)  # _type_id's per-type answer, for this type alone
        a.drift, a._resume_types = kind_counter(fmt), frozenset()
        a.types, a._type_index, a._type_info, a._glue = [], {}, {}, {}
        a._type_id(ev.type)
        _tid, effect, _mode = a._glue[ev.type]
        assert effect == (effect_of(ev, ("key", "id", "path", "name")) is not None), ev.type
    assert every.kinds == by_mode.kinds
    assert every.kinds, "some kinds were unknown"


def _record_type_before(obj: dict) -> str:
    """record_type as it was written before _message and _blocks were inlined (the oracle)."""

    def message(o):
        m = o.get("message")
        return m if isinstance(m, dict) else {}

    def blocks(o):
        content = message(o).get("content")
        return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []

    t = obj.get("type")
    if not isinstance(t, str):
        raise MappingError("record has no `type` string")
    if t == "user":
        if obj.get("isCompactSummary"):
            return "user.compact_summary"
        kinds = {b.get("type") for b in blocks(obj)}
        if "tool_result" in kinds:
            return "user.tool_result"
        if obj.get("isMeta"):
            return "user.meta"
        text = block_text(message(obj).get("content")).lstrip()
        if text.startswith(("<command-name>", "<local-command-", "<command-message>")):
            return "user.command"
        return "user.prompt"
    if t == "assistant":
        kinds = {b.get("type") for b in blocks(obj)}
        for k in ("tool_use", "server_tool_use", "text", "thinking", "redacted_thinking"):
            if k in kinds:
                return "assistant." + (
                    "tool_use"
                    if k == "server_tool_use"
                    else "thinking"
                    if k == "redacted_thinking"
                    else k
                )
        if isinstance(message(obj).get("content"), str):
            return "assistant.text"
        return "assistant"
    if t == "system":
        sub = obj.get("subtype")
        return f"system.{sub}" if isinstance(sub, str) and sub else "system"
    return t.replace("-", "_")


_block = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "tool_use",
                    "server_tool_use",
                    "text",
                    "thinking",
                    "redacted_thinking",
                    "tool_result",
                    "image",
                    "new",
                ]
            )
        },
        optional={"text": st.sampled_from(["<command-name>x", "  hi", 3])},
    ),
    st.just({"type": ["unhashable"]}),
    st.just("a string block"),
    st.just({}),
)
_content = st.one_of(
    st.lists(_block, min_size=1, max_size=4),
    st.lists(_block, max_size=2),
    st.sampled_from([None, "<local-command-stdout>", " plain", 3]),
)
_record = st.builds(
    lambda t, msg, flags: {"type": t, **({"message": msg} if msg is not ... else {}), **flags},
    st.sampled_from(["user", "assistant"] * 3 + ["system", "progress", "file-history-snapshot", 5]),
    st.one_of(st.builds(lambda c: {"content": c}, _content), st.sampled_from([..., [1]])),
    st.fixed_dictionaries(
        {},
        optional={
            "isMeta": st.booleans(),
            "isCompactSummary": st.booleans(),
            "subtype": st.sampled_from(["compact_boundary", "", 1]),
        },
    ),
)


def _outcome(f, obj):
    try:
        return f(obj)
    except Exception as exc:  # noqa: BLE001 - the same failure, as make_record reports it
        return (type(exc).__name__, str(exc))


@settings(max_examples=300, deadline=None)
@given(obj=_record)
def test_record_type_names_records_as_before(obj):
    assert _outcome(record_type, obj) == _outcome(_record_type_before, obj)


def test_the_fused_boundaries_are_used_only_for_the_format_they_include(tmp_path):
    from agentlog_tui.core.formats.claude_code import ClaudeCodeFormat

    class Renamed(ClaudeCodeFormat):  # a format that marks its boundaries its own way
        def boundary(self, event, options=None):
            return None

    path = tmp_path / "s.jsonl"
    _write(path, CLAUDE_CODE_RESUMED)
    own = Analysis(path, format=Renamed())
    own.run()
    assert own.boundary_of != own.mapper.boundary_of
    assert not own.boundaries
    assert isinstance(own.mapper, ClaudeCodeMapper)
    builtin = Analysis(path)
    builtin.run()
    assert builtin.boundary_of == builtin.mapper.boundary_of
    assert any(b.kind == "resume" for b in builtin.boundaries.values())
    assert CodexMapper.FORMAT_BOUNDARY.__qualname__ == "CodexFormat.boundary"


def test_the_inlined_loop_checkpoints_by_bytes_read_like_the_general_path(tmp_path):
    # big records: checkpoints are taken by bytes of log read, not only every K events
    records = claude_code(120)
    for r in records:
        if isinstance(r.get("message"), dict):
            r["message"] = {**r["message"], "padding": "x" * 9000}
    path = tmp_path / "big.jsonl"
    _write(path, records)
    x, _y, fx, fy = _both(path)
    assert len(x.checkpoints) >= 4
    assert x.checkpoint_every > 20  # so the checkpoints were taken by bytes
    assert fx == fy


@pytest.mark.parametrize("fmt_name", ["claude_code", "codex"])
def test_a_format_that_never_stores_snapshots_is_not_asked_but_a_subclass_that_does_is(
        tmp_path, fmt_name):
    from agentlog_tui.core.formats.claude_code import ClaudeCodeFormat
    from agentlog_tui.core.formats.codex import CodexFormat

    base = ClaudeCodeFormat if fmt_name == "claude_code" else CodexFormat
    records = claude_code(60) if fmt_name == "claude_code" else codex(60)
    asked: list = []

    class Snapshots(base):  # its own is_snapshot (every third record a stored snapshot): asked
        def is_snapshot(self, event):
            return event.line % 3 == 0

    path = tmp_path / "s.jsonl"
    _write(path, records)
    fmt = base()  # the format itself says it never stores one: not asked per record
    fmt.is_snapshot = lambda ev: asked.append(ev) or False
    quiet = Analysis(path, format=fmt)
    quiet.run()
    assert quiet.n_events > 50 and len(asked) <= 1  # (the first line goes the general way)
    assert base.__dict__["never_snapshots"] is True
    out = []
    for fast in (True, False):
        a = Analysis(path, format=Snapshots())
        a.fast = fast
        a.run()
        out.append((list(a.snapshot_positions), _fingerprint(a)))
    assert out[0][0], "the subclass's snapshots were seen"
    assert out[0] == out[1]


@pytest.mark.skipif(Analysis.native is None, reason="no C build")
def test_the_c_loop_calls_the_direct_paths_c_half_and_the_drift_check_itself(tmp_path):
    """The C loop asks the projection's C half (`direct_native`) first and the format's drift
    check itself: the Python `apply_tracked` runs only for the records the C half leaves, and the
    check once per checked record (`see`, which asks again, only when it names something)."""
    from agentlog_tui.core.formats import claude_code as cc

    if cc._native_apply is None:
        pytest.skip("no C build of the Claude Code projection")
    path = tmp_path / "log.jsonl"
    _write(path, claude_code(300))
    a = Analysis(path)
    calls = {"native": 0, "done": 0, "direct": 0, "check": 0}
    native, direct, check = a._direct_native(), a._apply_tracked, a.drift.check
    assert native is cc._native_apply

    def counting_native(t, state, ev):
        calls["native"] += 1
        done = native(t, state, ev)
        calls["done"] += bool(done)
        return done

    def counting_direct(t, state, ev):
        calls["direct"] += 1
        return direct(t, state, ev)

    def counting_check(ev):
        calls["check"] += 1
        return check(ev)

    a._direct_native = lambda: counting_native
    a._apply_tracked = counting_direct
    a.drift.check = counting_check
    a.run()
    checked = sum(1 for p in range(a.n_events) if a._glue[a.type_of(p)][2] == 2)
    # every line but the first (read the general way: a BOM) is the C loop's
    assert calls["native"] == a.n_events - 1
    assert calls["done"] > 0.9 * a.n_events  # the common record: applied by the C half
    assert calls["direct"] == calls["native"] - calls["done"] + 1  # the rest: apply_tracked
    assert checked > 0 and calls["check"] == checked  # no record of it names anything
    assert a.drift.to_json() == []
