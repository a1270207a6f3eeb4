"""Log formats: the generic agentlog format, the adapters for real agents' logs, and plugins.

Built-in formats are registered here; third-party formats join from the `agentlog_tui.formats`
entry point group (see plugins.py), after the built-in ones.
"""

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
from agentlog_tui.core.formats.plugins import BUILT_IN, SOURCES, Source, load_entry_points

REGISTRY = FormatRegistry([AgentlogFormat()])
SOURCES[REGISTRY.formats[0].name] = BUILT_IN


def register(fmt: LogFormat, source: Source = BUILT_IN) -> None:
    """Add a format to detection (after the generic one, which is the fallback)."""
    REGISTRY.formats.append(fmt)
    SOURCES[fmt.name] = source


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
    from agentlog_tui.core.formats.gemini_cli import GeminiCliFormat
    from agentlog_tui.core.formats.pi import PiFormat

    register(PiFormat())
    register(GeminiCliFormat())
    from agentlog_tui.core.formats.openhands import OpenHandsFormat

    register(OpenHandsFormat())


_load_builtin()
load_entry_points(REGISTRY)

__all__ = [
    "REGISTRY", "SOURCES", "AgentlogFormat", "Boundary", "FormatRegistry", "LogFormat", "Mapped",
    "MappingError", "Options", "register",
]
