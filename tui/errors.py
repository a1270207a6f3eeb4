"""The one-line report of an internal error (a bug), for the CLI's error boundary and the app's
error dialog: `agentlog-tui: internal error: FILE: TypeName: message`, log text made safe.
`AGENTLOG_DEBUG=1` asks for the traceback as well (printed by the callers). Also the program's
name and version, as every front end (CLI, app, MCP server) gives them."""

from __future__ import annotations

import os

from agentlog_tui.core.safetext import safe_text

PROG = "agentlog-tui"
EXIT_INTERNAL = 3


def debug_enabled() -> bool:
    return os.environ.get("AGENTLOG_DEBUG", "") not in ("", "0")


def internal_error_line(exc: BaseException, where: str | None = None, *, hint: bool = True) -> str:
    """One line naming the file (when there is one) and the error."""
    try:
        msg = str(exc)
    except Exception:  # noqa: BLE001 - the message itself may be what is broken
        msg = ""
    msg = " ".join(msg.split())
    if len(msg) > 300:
        msg = msg[:299] + "…"
    place = f"{where}: " if where else ""
    tail = " (AGENTLOG_DEBUG=1 shows the traceback)" if hint and not debug_enabled() else ""
    return safe_text(f"{PROG}: internal error: {place}{type(exc).__name__}{': ' + msg if msg else ''}{tail}")


class AppCrashed(Exception):
    """An app closed by its error boundary (the dialog was shown): `line` is for stderr."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


def raise_if_crashed(app: object) -> None:
    """After `app.run()`: raise AppCrashed when the app's error boundary closed it."""
    line = getattr(app, "internal_error", None)
    if line is not None:
        raise AppCrashed(line)


def package_version() -> str:
    """The installed version (`--version`, the MCP server's), or "unknown" when the package
    metadata is missing (run from a source tree that was never installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agentlog-tui")
    except PackageNotFoundError:
        return "unknown"
