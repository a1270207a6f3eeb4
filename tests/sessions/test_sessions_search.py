"""core.search: hits in events' text with their event ids, streamed file by file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sessions_fixture import CODEX, CODEX_GZ, FIXTURE, PARENT1, SUB1

from agentlog_tui.core import search as search_mod
from agentlog_tui.core.search import Query, QueryError, search, search_file
from agentlog_tui.core.sessions import discover


def hits(text: str, **kw) -> list[tuple[str, int, str, str]]:
    return [(h.path.name, h.seq, h.type, h.field) for h in search(sorted(discover([FIXTURE])), Query(text, **kw))]


def test_a_failed_command_is_found_with_its_event_id_and_the_match_marked():
    (h,) = list(search([PARENT1], Query("permission denied")))
    assert (h.line, h.seq, h.type, h.field) == (3, 3, "user.tool_result", "error")
    a, b = h.spans[0]
    assert h.text[a:b] == "Permission denied"


def test_json_keys_ids_and_envelope_are_not_searched():
    for key in ("parentUuid", "toolUseResult", "sessionId", "isSidechain", "call_id", "11111111-aaaa"):
        assert hits(key) == [], key


def test_tool_inputs_and_outputs_of_both_agents_are_searched():
    assert hits("pytest tests/test_checkout.py") == [(PARENT1.name, 2, "assistant.tool_use", "command")]
    assert hits("connection refused") == [(CODEX.name, 7, "response_item.function_call_output", "output")]
    assert hits("curl -s localhost") == [(CODEX.name, 6, "response_item.function_call", "command")]


def test_a_codex_message_written_twice_is_one_hit():
    assert hits("health endpoint") == [(CODEX.name, 3, "response_item.message", "user")]


def test_compressed_rollouts_are_searched():
    assert hits("renamed api/config.py") == [(CODEX_GZ.name, 5, "response_item.message", "assistant")]


def test_sidechains_are_searched_too():
    assert (SUB1.name, 3, "user.tool_result", "result") in hits("CACHE_DIR = '/var")


def test_smart_case_and_case_sensitive():
    assert len(hits("permission denied")) == 1
    assert len(hits("Permission denied")) == 1
    assert hits("PERMISSION denied") == []
    assert hits("permission denied", case_sensitive=True) == []


def test_regex():
    assert [x[1] for x in hits(r"exit code \d", regex=True)] == [3]
    with pytest.raises(QueryError):
        Query("(", regex=True)
    with pytest.raises(QueryError):
        Query("x*", regex=True)  # matches empty text: every line
    with pytest.raises(QueryError):
        Query("")


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("query", ["Café crème", 'say "hi"', "a\\b", "<tag> & co"])
def test_text_that_json_escapes_is_found(tmp_path: Path, ensure_ascii: bool, query: str):
    log = tmp_path / "x.jsonl"
    lines = [{"seq": 1, "type": "note_added", "data": {"text": "nothing here"}},
             {"seq": 7, "type": "note_added", "data": {"text": f"we {query} then"}}]
    log.write_text("".join(json.dumps(o, ensure_ascii=ensure_ascii) + "\n" for o in lines), encoding="utf-8")
    (h,) = list(search_file(log, Query(query)))
    assert (h.seq, h.field, h.text) == (7, "text", f"we {query} then")


def test_only_lines_holding_the_text_are_parsed(tmp_path: Path, monkeypatch):
    """Work counted at N and 4N lines: a plain search parses the matching lines, not the log."""
    calls = []
    real = search_mod._line_hits
    monkeypatch.setattr(search_mod, "_line_hits", lambda *a: calls.append(a[2]) or real(*a))
    for n in (1000, 4000):
        calls.clear()
        log = tmp_path / f"n{n}.jsonl"
        with log.open("w") as f:
            for i in range(1, n + 1):
                text = "the needle" if i == n // 2 else f"hay {i}"
                f.write(json.dumps({"seq": i, "type": "note_added", "data": {"text": text}}) + "\n")
        assert [h.seq for h in search_file(log, Query("needle"))] == [n // 2]
        assert calls == [n // 2]


def test_hits_stream_before_later_files_are_read(tmp_path: Path):
    first = tmp_path / "a.jsonl"
    first.write_text(json.dumps({"seq": 1, "type": "x_done", "data": {"text": "needle"}}) + "\n")
    big = tmp_path / "b.jsonl"
    with big.open("w") as f:
        for i in range(20000):
            f.write(json.dumps({"seq": i + 1, "type": "x_done", "data": {"text": f"hay {i}"}}) + "\n")
    seen = []
    it = search([first, big], Query("needle"), progress=lambda p: seen.append(p.files_done), every=0)
    hit = next(it)
    assert hit.path == first and seen[-1] == 0  # nothing of the big file was needed for it
    assert list(it) == [] and seen[-1] == 2


def test_progress_reports_files_bytes_hits_and_unreadable_files(tmp_path: Path):
    missing = tmp_path / "gone.jsonl"
    final = []
    out = list(search([PARENT1, missing], Query("permission"), progress=final.append))
    p = final[-1]
    assert len(out) == 1 and p.hits == 1 and p.files_done == 2 and p.fraction == 1.0
    assert [e[0] for e in p.errors] == [missing]
