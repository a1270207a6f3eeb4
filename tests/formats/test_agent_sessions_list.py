"""pi and Gemini CLI sessions in the session list: project and title from their first and last
lines, and their folders among the user's own agent folders."""

from __future__ import annotations

from agent_fixtures import GEMINI_CLI, PI

from agentlog_tui.core.sessions import default_roots, describe


def test_pi_and_gemini_rows_have_their_project_and_title(write_log):
    pi = describe(write_log(PI, name="pi.jsonl"))
    assert (pi.format, pi.project, pi.title) == ("pi", "/home/dev/calc", "floats in add()")
    untitled = describe(write_log(PI[:8], name="pi-short.jsonl"))
    assert untitled.title == "Make add() in calc.py handle floats"
    g = describe(write_log(GEMINI_CLI, name="gemini.jsonl"))
    assert (g.format, g.title) == ("gemini-cli", "Read and summarise the README")
    g2 = describe(write_log(GEMINI_CLI[:8], name="gemini-short.jsonl"))
    assert g2.title == "List the files and read README.md"


def test_default_roots_include_pi_and_gemini_folders_that_exist(tmp_path):
    (tmp_path / ".pi" / "agent" / "sessions").mkdir(parents=True)
    (tmp_path / ".gemini" / "tmp").mkdir(parents=True)
    assert default_roots({"HOME": str(tmp_path)}) == [tmp_path / ".pi" / "agent" / "sessions",
                                                       tmp_path / ".gemini" / "tmp"]
    other = tmp_path / "elsewhere"
    (other / "sessions").mkdir(parents=True)
    assert other / "sessions" in default_roots({"HOME": str(tmp_path), "PI_CODING_AGENT_DIR": str(other)})
