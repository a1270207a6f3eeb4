"""The hand-made fixture folder of sessions (every format, subagents, a compressed rollout)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixture"
CLAUDE = FIXTURE / "claude" / "projects" / "-home-ana-shop"
PARENT1 = CLAUDE / "11111111-aaaa-4000-8000-000000000001.jsonl"
SUB1 = CLAUDE / "11111111-aaaa-4000-8000-000000000001" / "subagents" / "agent-a1b2c3d.jsonl"
PARENT2 = CLAUDE / "22222222-bbbb-4000-8000-000000000002.jsonl"
SUB2 = CLAUDE / "agent-e5f6a7b.jsonl"
CODEX = FIXTURE / "codex" / "sessions" / "2025" / "11" / "17" / \
    "rollout-2025-11-17T10-00-00-0199aaaa-0000-7000-8000-000000000001.jsonl"
CODEX_GZ = FIXTURE / "codex" / "sessions" / "2025" / "11" / "18" / \
    "rollout-2025-11-18T08-00-00-0199bbbb-0000-7000-8000-000000000002.jsonl.gz"
GENERIC = FIXTURE / "other" / "deploy.jsonl"
NOT_A_LOG = FIXTURE / "other" / "notes.jsonl"


@pytest.fixture
def fixture_dir() -> Path:
    return FIXTURE


@pytest.fixture
def run_cli(capsys):
    """`run_cli("sessions", DIR, "--json")`: the CLI in-process; returns (code, out, err)."""
    import os

    from agentlog_tui.tui.cli import main

    def run(*argv):
        capsys.readouterr()
        try:
            code = main([os.fspath(a) for a in argv])
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return (0 if code is None else code), out, err

    return run
