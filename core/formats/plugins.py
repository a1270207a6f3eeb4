"""Formats from outside the project: entry points and files named on the command line.

A third-party format is any object with the `LogFormat` attributes (base.py). It comes in two ways:
- an installed distribution declares an entry point in the group `agentlog_tui.formats`, e.g. in
  its pyproject.toml `[project.entry-points."agentlog_tui.formats"] mylog = "mylog_format:MyLog"`;
  every such format joins detection when the registry is built;
- `--format FILE.py:NAME` loads NAME from FILE.py (Python code, run only because the user named
  it), registers it and forces it for that log.
A class is instantiated without arguments; an instance is used as it is. Where every format came
from is kept in `SOURCES` (for `agentlog-tui formats`); a plugin that fails to load is listed with
its error in `PROBLEMS` and never stops the tool.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from agentlog_tui.core.formats.base import FormatRegistry, LogFormat

GROUP = "agentlog_tui.formats"
REQUIRED = ("name", "description", "detect", "mapper", "projection", "boundary", "summary",
            "is_snapshot")


class PluginError(ValueError):
    """A plugin format that cannot be loaded (the message names it and says why)."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a format came from: "built-in", "entry point" (with its distribution) or "file"."""

    kind: str
    origin: str = ""  # the entry point's `module:attr`, or the file's path
    distribution: str | None = None
    version: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.origin:
            out["origin"] = self.origin
        if self.distribution is not None:
            out["distribution"] = self.distribution
            out["version"] = self.version
        return out

    def text(self) -> str:
        if self.kind == "entry point":
            return f"entry point {self.origin} ({self.distribution} {self.version})"
        if self.kind == "file":
            return f"file {self.origin}"
        return self.kind


BUILT_IN = Source("built-in")
# format name -> where it came from; plugin problems as (what, error) for `formats`
SOURCES: dict[str, Source] = {}
PROBLEMS: list[tuple[str, str]] = []


def as_format(obj: Any, what: str) -> LogFormat:
    """`obj` (a format class or instance) as a format instance, or PluginError saying what lacks."""
    if isinstance(obj, type):
        try:
            obj = obj()
        except Exception as exc:  # noqa: BLE001 - a plugin's constructor: report, never crash
            raise PluginError(f"{what}: cannot create the format: {type(exc).__name__}: {exc}") from None
    missing = [a for a in REQUIRED if not hasattr(obj, a)]
    if missing:
        raise PluginError(f"{what}: not a log format (it has no {', '.join(missing)})")
    if not isinstance(obj.name, str) or not obj.name.strip():
        raise PluginError(f"{what}: the format's `name` must be a non-empty string")
    return obj


def _add(registry: FormatRegistry, fmt: LogFormat, source: Source, what: str) -> LogFormat:
    for f in registry.formats:
        if f.name == fmt.name:
            if f is fmt or (type(f) is type(fmt) and SOURCES.get(f.name) == source):
                return f  # the same plugin again (a file named twice): nothing to add
            had = SOURCES.get(f.name, BUILT_IN).text()
            raise PluginError(f"{what}: a format named {fmt.name!r} exists already ({had})")
    registry.formats.append(fmt)
    SOURCES[fmt.name] = source
    return fmt


def load_entry_point(registry: FormatRegistry, ep: EntryPoint) -> LogFormat:
    """Load one entry point of the group and add its format to `registry`."""
    dist = getattr(ep, "dist", None)
    dist_name = dist.metadata["Name"] if dist is not None else None
    source = Source("entry point", ep.value, dist_name, dist.version if dist is not None else None)
    what = f"entry point {ep.name} = {ep.value}" + (f" ({dist_name})" if dist_name else "")
    try:
        obj = ep.load()
    except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, never fatal
        raise PluginError(f"{what}: cannot import: {type(exc).__name__}: {exc}") from None
    return _add(registry, as_format(obj, what), source, what)


def load_entry_points(registry: FormatRegistry) -> list[LogFormat]:
    """Add every format of the `agentlog_tui.formats` entry point group (problems to PROBLEMS)."""
    added = []
    try:
        eps = sorted(entry_points(group=GROUP), key=lambda e: (e.name, e.value))
    except Exception as exc:  # noqa: BLE001 - broken metadata elsewhere must not stop the tool
        PROBLEMS.append((f"entry point group {GROUP}", f"{type(exc).__name__}: {exc}"))
        return added
    for ep in eps:
        try:
            added.append(load_entry_point(registry, ep))
        except PluginError as exc:
            PROBLEMS.append((f"entry point {ep.name}", str(exc)))
    return added


def load_file(registry: FormatRegistry, spec: str) -> LogFormat:
    """Load `FILE.py:NAME`, add the format to `registry` and return it (PluginError otherwise)."""
    path, sep, attr = spec.rpartition(":")
    if not sep or not path.endswith(".py") or not attr.isidentifier():
        raise PluginError(f"--format {spec}: expected a format name or FILE.py:NAME")
    if not os.path.isfile(path):
        raise PluginError(f"--format {spec}: {path}: no such file")
    full = os.path.abspath(path)
    modname = "agentlog_tui_format_" + str(abs(hash(full)))
    module = sys.modules.get(modname)
    if module is None:
        try:
            mspec = importlib.util.spec_from_file_location(modname, full)
            if mspec is None or mspec.loader is None:
                raise PluginError(f"--format {spec}: cannot load {path}")
            module = importlib.util.module_from_spec(mspec)
            sys.modules[modname] = module  # dataclasses and pickling look modules up by name
            mspec.loader.exec_module(module)
        except PluginError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user's code: one line, never a traceback
            sys.modules.pop(modname, None)
            raise PluginError(f"--format {spec}: {path} raised {type(exc).__name__}: {exc}") from None
    obj = getattr(module, attr, None)
    if obj is None:
        raise PluginError(f"--format {spec}: {path} defines no {attr!r}")
    return _add(registry, as_format(obj, f"--format {spec}"), Source("file", full), f"--format {spec}")


def is_file_spec(value: str) -> bool:
    """True when a `--format` value names a file (`FILE.py:NAME`) rather than a format."""
    return ".py:" in value
