"""The hand-made fixture folder of sessions (every format, subagents, a compressed rollout) and a
waiting helper for the Pilot tests (a module name of its own, so it cannot clash with other test
folders' helpers)."""

from __future__ import annotations

from pathlib import Path

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



async def wait_for(pilot, predicate, timeout: float = 10.0, what: str = "condition") -> None:
    """Let the app run until `predicate()` holds (polling with pilot.pause, never sleep)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.02)
    assert predicate(), f"timed out waiting for {what}"
