"""The optional C accelerator (core/_fastloop.c), or None.

It is built when the project is installed with a C compiler at hand; without one everything runs
in Python (slower, same results). `AGENTLOG_PURE_PYTHON=1` turns it off, to compare the two.
"""

from __future__ import annotations

import os
from types import ModuleType

_fastloop: ModuleType | None
if os.environ.get("AGENTLOG_PURE_PYTHON"):
    _fastloop = None
else:
    try:
        from agentlog_tui.core import _fastloop
    except ImportError:  # not built: no compiler when the project was installed
        _fastloop = None

__all__ = ["_fastloop"]
