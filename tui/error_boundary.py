"""The app's error boundary: an unexpected exception (a bug) shows one line in a dialog instead
of a traceback screen; closing the dialog quits with exit code 3, and the same line is printed
on stderr after the terminal is restored. `AGENTLOG_DEBUG=1` keeps Textual's traceback."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from agentlog_tui.tui.errors import EXIT_INTERNAL, debug_enabled, internal_error_line


class InternalErrorScreen(ModalScreen[None]):
    """Says what went wrong, in one line, and quits when closed."""

    DEFAULT_CSS = """
    InternalErrorScreen { align: center middle; }
    InternalErrorScreen > Vertical {
        width: 80%; max-width: 100; height: auto; border: thick $error; background: $surface;
        padding: 1 2;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "quit", id="internal_error.quit"),
    ]

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Internal error", style="bold red"))
            yield Static(Text(self.line))  # made safe by internal_error_line
            yield Static(Text("This is a bug. q, escape or enter quits (exit code 3); run with "
                              "AGENTLOG_DEBUG=1 to see the traceback.", style="dim"))


class ErrorBoundary:
    """Mixed into the App: `_handle_exception` shows the dialog (once) instead of the crash
    screen. `internal_error` holds the line; run_app prints it and exits 3."""

    internal_error: str | None = None

    def _handle_exception(self, error: Exception) -> None:
        app = self  # an App
        if debug_enabled() or self.internal_error is not None:  # Textual's traceback screen
            if self.internal_error is None:
                self.internal_error = internal_error_line(error, _log_of(app), hint=False)
            super()._handle_exception(error)  # type: ignore[misc]
            app._return_code = EXIT_INTERNAL  # type: ignore[attr-defined]
            return
        self.internal_error = internal_error_line(error, _log_of(app))
        if app._exception is None:  # type: ignore[attr-defined]  # run_test re-raises it (tests)
            app._exception = error  # type: ignore[attr-defined]
        app._return_code = EXIT_INTERNAL  # type: ignore[attr-defined]
        try:
            app.push_screen(InternalErrorScreen(self.internal_error),  # type: ignore[attr-defined]
                            callback=lambda _r: app.exit(return_code=EXIT_INTERNAL))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - no dialog possible: Textual's own way out
            super()._handle_exception(error)  # type: ignore[misc]


def _log_of(app: object) -> str | None:
    model = getattr(app, "model", None)
    return getattr(model, "path", None) if model is not None else None
