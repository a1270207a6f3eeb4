"""`agentlog-tui formats`: the log formats this tool reads, and where each came from.

Also resolves the `--format` option of every command: a registered format's name, or
`FILE.py:NAME` (a plugin format loaded from a file, registered, then forced).
"""

from __future__ import annotations

import argparse
from typing import Any


def resolve_format(value: str) -> str:
    """The name of the format `--format VALUE` asks for (loading it when it names a file).
    Raises ValueError with a one-line message for a format that cannot be had."""
    from agentlog_tui.core.formats import REGISTRY
    from agentlog_tui.core.formats.plugins import PluginError, is_file_spec, load_file

    if is_file_spec(value):
        try:
            return load_file(REGISTRY, value).name
        except PluginError as exc:
            raise ValueError(str(exc)) from None
    try:
        return REGISTRY.get(value).name
    except KeyError as exc:
        raise ValueError(f"--format: {exc.args[0]}") from None


def warn_problems() -> None:
    """One line on stderr per plugin format that failed to load (a log it would read is read
    otherwise, and the user should know why)."""
    import sys

    from agentlog_tui.core.formats.plugins import PROBLEMS
    from agentlog_tui.tui.cli import clean

    for _, err in PROBLEMS:
        sys.stderr.write(f"agentlog-tui: warning: a format plugin was not loaded "
                         f"(see `agentlog-tui formats`): {clean(err)}\n")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("formats", help="list the log formats this tool reads, and where each came from")
    p.add_argument("--json", action="store_true",
                   help="print [{name, description, source, kinds}] and plugin problems as JSON")
    p.add_argument("--format", metavar="FILE.py:NAME", action="append",
                   help="also load a format from a file (repeatable), to check it loads")


def formats_json() -> dict[str, Any]:
    """The `formats --json` document."""
    from agentlog_tui.core.formats import REGISTRY
    from agentlog_tui.core.formats.plugins import BUILT_IN, PROBLEMS, SOURCES

    out = []
    for f in REGISTRY.formats:
        kinds = getattr(f, "known_kinds", None)
        out.append({"name": f.name, "description": f.description,
                    "source": SOURCES.get(f.name, BUILT_IN).to_json(),
                    "known_kinds": sorted(kinds) if kinds is not None else None})
    return {"formats": out, "problems": [{"plugin": w, "error": e} for w, e in PROBLEMS]}


def run(args: argparse.Namespace) -> int:
    from agentlog_tui.tui.cli import UsageError, clean, emit_json

    for spec in args.format or ():
        try:
            resolve_format(spec)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    doc = formats_json()
    if args.json:
        emit_json(doc)
        return 1 if doc["problems"] else 0
    from agentlog_tui.core.formats import REGISTRY
    from agentlog_tui.core.formats.plugins import BUILT_IN, SOURCES

    width = max(12, *(len(f.name) + 1 for f in REGISTRY.formats))
    for f in REGISTRY.formats:
        src = SOURCES.get(f.name, BUILT_IN)
        print(f"{clean(f.name):<{width}} {src.kind:<12} {clean(f.description)}")
        if src is not BUILT_IN:
            print(f"{'':<{width}} {'':<12} from {clean(src.text())}")
    for problem in doc["problems"]:
        print(f"not loaded: {clean(problem['error'])}")
    return 1 if doc["problems"] else 0
