"""core.sessions: finding sessions in folders and their columns, on the hand-made fixture."""

from __future__ import annotations

import os
from pathlib import Path

from sessions_fixture import (
    CODEX,
    CODEX_GZ,
    FIXTURE,
    GENERIC,
    NOT_A_LOG,
    PARENT1,
    PARENT2,
    SUB1,
    SUB2,
)

from agentlog_tui.core.sessions import (
    default_roots,
    describe,
    discover,
    fill_stats,
    group_subagents,
    list_sessions,
    session_stats,
)


def test_discover_finds_every_log_recursively_once():
    found = sorted(discover([FIXTURE, FIXTURE / "other"]))  # a root inside another: once
    assert found == sorted([PARENT1, SUB1, PARENT2, SUB2, CODEX, CODEX_GZ, GENERIC, NOT_A_LOG])


def test_discover_follows_symlinks_and_survives_a_link_loop(tmp_path: Path):
    home = tmp_path / "home"
    proj = home / ".claude" / "projects" / "-p"
    proj.mkdir(parents=True)
    (proj / PARENT1.name).symlink_to(PARENT1)
    (home / ".codex").mkdir()
    (home / ".codex" / "sessions").symlink_to(CODEX.parent.parent.parent.parent)  # a linked folder
    (proj / "loop").symlink_to(proj)
    roots = default_roots({"HOME": str(home)})
    assert roots == [home / ".claude" / "projects", home / ".codex" / "sessions"]
    names = sorted(p.name for p in discover(roots))
    assert names == sorted([PARENT1.name, CODEX.name, CODEX_GZ.name])


def test_default_roots_respect_claude_config_dir_and_codex_home(tmp_path: Path):
    (tmp_path / "cc" / "projects").mkdir(parents=True)
    (tmp_path / "cx" / "sessions").mkdir(parents=True)
    (tmp_path / "home" / ".claude" / "projects").mkdir(parents=True)
    env = {"HOME": str(tmp_path / "home"), "CLAUDE_CONFIG_DIR": str(tmp_path / "cc"),
           "CODEX_HOME": str(tmp_path / "cx")}
    assert default_roots(env) == [tmp_path / "cc" / "projects", tmp_path / "cx" / "sessions"]
    assert default_roots({"HOME": str(tmp_path / "home")}) == [tmp_path / "home" / ".claude" / "projects"]
    assert default_roots({"HOME": str(tmp_path / "nothing")}) == []


def test_claude_code_row_from_first_and_last_lines():
    r = describe(PARENT1)
    assert (r.format, r.session_id, r.project) == ("claude-code", "11111111-aaaa-4000-8000-000000000001",
                                                   "/home/ana/shop")
    assert r.title == "The checkout test fails, please fix it"
    assert (r.started, r.last_activity) == ("2026-03-01T10:00:00.000Z", "2026-03-01T10:03:00.000Z")
    assert r.size == PARENT1.stat().st_size and r.stats is None and not r.is_subagent


def test_the_agents_own_summary_is_the_title():
    assert describe(PARENT2).title == "Release notes for 1.4"


def test_sidechain_rows_know_their_agent_and_parent_session():
    r = describe(SUB1)
    assert (r.agent_id, r.parent_session) == ("a1b2c3d", "11111111-aaaa-4000-8000-000000000001")
    assert describe(SUB2).agent_id == "e5f6a7b"


def test_codex_title_skips_the_environment_context():
    r = describe(CODEX)
    assert (r.format, r.project, r.title) == ("codex", "/home/bo/api", "add a health endpoint and check it answers")


def test_compressed_rollout_is_listed_with_its_columns():
    r = describe(CODEX_GZ)
    assert (r.format, r.compressed, r.title) == ("codex", "gz", "rename the config module to settings")
    assert r.started == "2025-11-18T08:00:00.000Z"
    fill_stats(r)
    assert r.error is None and r.stats.events == 5
    assert CODEX_GZ.read_bytes()[:2] == b"\x1f\x8b"  # still the user's compressed file


def test_compressed_rollout_is_analysed_by_the_reader_without_a_named_copy(monkeypatch):
    import tempfile

    def no_copy(*args, **kwargs):
        raise AssertionError("a named temporary copy of the log was made")

    monkeypatch.setattr(tempfile, "mkstemp", no_copy)
    stats, last = session_stats(CODEX_GZ)
    assert stats.events == 5 and last is not None


def test_generic_log_and_a_file_that_is_not_a_log():
    g = describe(GENERIC)
    assert g.format == "agentlog" and g.title.startswith("task_started")
    bad = describe(NOT_A_LOG)
    assert bad.error == "no JSON object in its first lines" and bad.format == "?"


def test_background_pass_counts_events_findings_compactions():
    p1, p2, gen = fill_stats(describe(PARENT1)), fill_stats(describe(PARENT2)), fill_stats(describe(GENERIC))
    assert (p1.stats.events, p1.stats.findings, p1.stats.subagents_missing) == (11, 1, 1)
    assert (p2.stats.events, p2.stats.compactions, p2.stats.findings) == (7, 1, 0)
    assert (gen.stats.events, gen.stats.resumes, gen.stats.findings) == (3, 0, 0)


def test_list_is_newest_first_with_subagents_under_their_parents():
    rows = group_subagents(list_sessions([FIXTURE]))
    assert [r.path for r in rows] == [PARENT1, PARENT2, GENERIC, CODEX_GZ, CODEX, NOT_A_LOG]
    assert [s.path for s in rows[0].subagents] == [SUB1]
    assert [s.path for s in rows[1].subagents] == [SUB2]


def test_json_row_shape():
    row = fill_stats(describe(PARENT1)).to_json()
    assert set(row) == {"path", "format", "session_id", "project", "title", "started", "last_activity",
                        "size", "compressed", "events", "findings", "compactions", "resumes", "error"}
    assert row["path"] == os.fspath(PARENT1) and row["events"] == 11
