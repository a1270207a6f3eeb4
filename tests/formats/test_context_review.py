"""Context-compaction review (DESIGN section 13): what the model lost at each compaction."""

from __future__ import annotations

import json

import pytest
from format_fixtures import CLAUDE_CODE, CODEX, PARSE, analysed, tool_result, user

from agentlog_tui.core.context_review import compaction_line, compaction_reviews
from agentlog_tui.core.summary_match import distinctive_words, in_summary


@pytest.mark.parametrize(("instruction", "summary", "kept"), [
    ("Fix the parser in src/parse.py", "Summary: parser fixed.", True),
    ("Also add a --dry-run option to the deploy script", "Summary: parser fixed.", False),
    ("never push to main", "The user said: never push to main.", True),  # whole text
    ("ok", "anything", True),  # nothing distinctive to lose
    ("Rename fetch_user to load_user and update the tests",
     "Renamed fetch_user; tests pending", True),  # 2 of 4 distinctive words: half
    ("Use PostgreSQL, not SQLite, for the cache layer", "We use Redis for the cache.", False),
])
def test_in_summary_heuristic(instruction, summary, kept):
    assert in_summary(instruction, summary) is kept


def test_distinctive_words_skip_short_and_common_words():
    assert distinctive_words("Please make sure the parser parses src/parse.py") == [
        "parser", "parses", "parse"]


LOST = "Also add a --dry-run option to the deploy script"


@pytest.fixture
def cc_review(write_log):
    log = [dict(r) for r in CLAUDE_CODE]
    # one more instruction before the compaction, which the summary does not keep, and an error
    log[21] = user("u7", "u6", "2026-01-01T10:00:07.500Z", LOST)
    err = tool_result("ue", "u7", "2026-01-01T10:00:07.600Z", "t6", "permission denied", None, is_error=True)
    log.insert(22, err)
    return analysed(write_log(log))


def test_claude_code_compaction_review(cc_review):
    [c] = compaction_reviews(cc_review)
    assert (c["seq"], c["line"], c["trigger"], c["tokens_before"], c["tokens_after"]) == (
        25, 25, "auto", 5000, 65)
    assert c["summary_seq"] == 26
    assert c["dropped_events"] == 17  # user/assistant/system records since the start
    assert [(p["seq"], p["in_summary"]) for p in c["user_prompts"]] == [(4, True), (22, False)]
    assert c["user_prompts"][1]["text"] == LOST
    assert c["files"] == [{"path": PARSE, "read": True, "written": True, "in_summary": False}]
    assert c["errors"] == [{"seq": 23, "tool": "TodoWrite", "text": "permission denied"}]
    assert c["open_todos"] == [{"content": "Run tests", "status": "in_progress"}]
    assert c["calls_in_flight"] == []
    assert compaction_line(c) == ("#25 auto compaction: 5k -> 65 tokens, 17 events left the context, "
                                  "1 of 2 user instructions not in the summary")


def test_check_prints_one_line_per_compaction_and_the_lost_instructions(cc_review, capsys):
    from agentlog_tui.tui.cli import main

    main(["check", cc_review.path])
    out = capsys.readouterr().out
    assert "compaction        #25 auto compaction: 5k -> 65 tokens" in out
    assert f"not in the summary: #22 {LOST}" in out
    main(["check", cc_review.path, "--json"])
    doc = json.loads(capsys.readouterr().out)
    [c] = doc["compactions"]
    assert {"seq", "line", "trigger", "tokens_before", "tokens_after", "summary_seq", "dropped_events",
            "user_prompts", "files", "errors", "open_todos", "calls_in_flight"} <= set(c)


def test_codex_compaction_review(write_log):
    a = analysed(write_log(CODEX))
    [c] = compaction_reviews(a)
    assert (c["seq"], c["trigger"], c["summary_seq"]) == (23, None, 23)
    assert c["tokens_before"] == 250 and c["tokens_after"] is None  # no token count after it
    # the replacement history keeps the first request; the second is not in the summary
    assert [(p["seq"], p["text"], p["in_summary"]) for p in c["user_prompts"]] == [
        (3, "Add a --verbose flag", True), (20, "Also add -q", False)]
    assert c["files"] == [{"path": "a.py", "read": False, "written": True, "in_summary": False}]
    assert [x["call_id"] for x in c["calls_in_flight"]] == ["call_3"]
    assert c["dropped_events"] == 11  # response items since the start (lines 2-21)


def test_a_generic_log_reports_its_compaction_boundaries_with_unknown_fields(write_log):
    from agentlog_tui.core.formats.base import Options

    path = write_log([{"seq": 1, "type": "a_set", "data": {}},
                      {"seq": 2, "type": "memory_compacted", "data": {}}])
    from agentlog_tui.core.analysis import Analysis

    a = Analysis(path, options=Options())
    a.run()
    for c in compaction_reviews(a):
        assert c["tokens_before"] is None and c["user_prompts"] == []


def test_command_line_options_are_distinctive():
    assert distinctive_words("Also add -q and --dry-run") == ["-q", "--dry-run"]
    assert not in_summary("Also add -q", "Summary: flag added.")
