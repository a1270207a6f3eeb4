"""The app's error boundary: an unexpected exception (a bug) shows one line in a dialog instead
of a traceback screen; closing the dialog quits with exit code 3, and the same line is printed
on stderr after the terminal is restored. `AGENTLOG_DEBUG=1` keeps Textual's traceback."""

from __future__ import annotations

import asyncio
import functools
import inspect
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

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

    def run_worker(self, work: Any, *args: Any, thread: bool = False, **kwargs: Any) -> Worker:
        """Textual's, with a thread worker's non-Exception escapes carried out (`WorkerRaised`)."""
        if thread and callable(work) and not inspect.iscoroutinefunction(getattr(work, "func", work)):
            work = _contained(work)
        return super().run_worker(work, *args, thread=thread, **kwargs)  # type: ignore[misc]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker of the app that raised is a bug (workers handle what they expect): the
        dialog, exit 3."""
        error = event.worker.error
        if event.state != WorkerState.ERROR or error is None:
            return
        if isinstance(error, WorkerRaised) and error.__cause__ is not None:
            error = error.__cause__  # type: ignore[assignment]
        if debug_enabled() and self.internal_error is None:
            # Textual's traceback, drawn from the worker's exception (outside an except block
            # there is no current exception for Textual to take it from)
            self.internal_error = internal_error_line(error, _log_of(self), hint=False)
            self._handle_exception(_Traced(error))
            return
        self._handle_exception(error)  # type: ignore[arg-type]


class _Traced(Exception):
    """An exception caught elsewhere, rendered by Textual (`panic`) as its traceback."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error

    def __rich__(self) -> Any:
        from rich.traceback import Traceback

        e = self.error
        return Traceback.from_exception(type(e), e, e.__traceback__)


class WorkerRaised(Exception):
    """A worker thread raised a BaseException that is not an Exception (a custom projection's
    own class, say): Textual's workers let those escape unseen, so the app's workers carry it
    out as this, and the dialog names the original."""


def _contained(work: Any) -> Any:
    @functools.wraps(work)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return work(*args, **kwargs)
        except Exception:
            raise
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # carried out as an Exception, see WorkerRaised
            raise WorkerRaised(str(exc)) from exc

    return run


def _log_of(app: object) -> str | None:
    model = getattr(app, "model", None)
    return getattr(model, "path", None) if model is not None else None
