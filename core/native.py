"""The optional C accelerators, or None: core/_fastloop.c (the generic reading loop),
core/_tracker.c (the tracker's write path, used by core/tracked.py), core/_codex.c (the Codex
projection's direct path for the common rollout lines, used by core/formats/codex.py) and
core/_claude.c (the Claude Code projection's direct path, used by core/formats/claude_code.py)
and core/_tree.c (the tree's per-record path, used by core/branches.py).

They are built when the project is installed with a C compiler at hand; without one everything
runs in Python (slower, same results). `AGENTLOG_PURE_PYTHON=1` turns them off, to compare the two.
"""

from __future__ import annotations

import os
from types import ModuleType

_fastloop: ModuleType | None
_tracker: ModuleType | None
_codex: ModuleType | None
_claude: ModuleType | None
_tree: ModuleType | None
if os.environ.get("AGENTLOG_PURE_PYTHON"):
    _fastloop = None
    _tracker = None
    _codex = None
    _claude = None
    _tree = None
else:
    try:
        from agentlog_tui.core import _fastloop
    except ImportError:  # not built: no compiler when the project was installed
        _fastloop = None
    try:
        from agentlog_tui.core import _tracker
    except ImportError:
        _tracker = None
    try:
        from agentlog_tui.core import _codex  # the Codex projection's common lines
    except ImportError:
        _codex = None
    try:
        from agentlog_tui.core import _claude  # the Claude Code projection's common records
    except ImportError:
        _claude = None
    try:
        from agentlog_tui.core import _tree  # the tree's per-record path
    except ImportError:
        _tree = None

__all__ = ["_claude", "_codex", "_fastloop", "_tracker", "_tree"]
