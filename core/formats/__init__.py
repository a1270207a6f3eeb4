"""Log formats: the generic agentlog format and the adapters for real agents' logs."""

from __future__ import annotations

from agentlog_tui.core.formats.agentlog import AgentlogFormat
from agentlog_tui.core.formats.base import (
    Boundary,
    FormatRegistry,
    LogFormat,
    Mapped,
    MappingError,
    Options,
)

REGISTRY = FormatRegistry([AgentlogFormat()])


def register(fmt: LogFormat) -> None:
    """Add a format to detection (after the generic one, which is the fallback)."""
    REGISTRY.formats.append(fmt)


def _load_builtin() -> None:
    try:
        from agentlog_tui.core.formats.claude_code import ClaudeCodeFormat
    except ImportError:  # the adapter is optional while it is being written
        pass
    else:
        register(ClaudeCodeFormat())
    try:
        from agentlog_tui.core.formats.codex import CodexFormat
    except ImportError:
        pass
    else:
        register(CodexFormat())


_load_builtin()

__all__ = [
    "REGISTRY", "AgentlogFormat", "Boundary", "FormatRegistry", "LogFormat", "Mapped",
    "MappingError", "Options", "register",
]
