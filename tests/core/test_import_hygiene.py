"""core/ must never import textual or rich: it is usable without a terminal."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

from agentlog_tui import core


def test_core_modules_import_neither_textual_nor_rich():
    names = [m.name for m in pkgutil.walk_packages(core.__path__, "agentlog_tui.core.")]
    assert "agentlog_tui.core.analysis" in names and "agentlog_tui.core.tracked" in names
    code = (
        "import importlib, sys\n"
        f"for n in {names!r}: importlib.import_module(n)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich') or m.startswith('agentlog_tui.tui'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
