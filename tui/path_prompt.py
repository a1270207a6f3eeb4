"""The dialog that asks where to write a file (`s` export, `w` compacted log).

It is prefilled with a free name in the current directory. A name that exists is never written
over silently: Enter on it asks "overwrite? y/n" (y: replace it, n: edit the name again); a
folder is refused. Escape cancels (the caller says so in a toast). The dialog dismisses with
`(path, overwrite)` or None.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from agentlog_tui.core.safetext import UNSAFE, safe_text

EDIT_HINT = "Enter writes · escape cancels"


def resolve(out: str) -> str:
    """A name typed by the user: `~` expanded, relative to the current directory."""
    return os.path.abspath(os.path.expanduser(out))


def safe_name(name: str) -> str:
    """A file name proposed from a log's name, with its terminal controls (UNSAFE) as `_`: the
    name is shown in the prompt, and a control character in a file name only brings trouble."""
    return "".join("_" if ord(c) in UNSAFE else c for c in name)


def ask_path(app: Any, title: str, summary: str, default: str, what: str,
             then: Callable[[str, bool], object]) -> None:
    """The path prompt over `app`: its answer goes to `then(path, overwrite)`; escape says
    "<what> cancelled: nothing written" (the `s`, `w` and `F` keys all ask this way)."""

    def done(answer: tuple[str, bool] | None) -> None:
        if answer is None:
            app.notify(f"{what} cancelled: nothing written", timeout=3)
            return
        then(*answer)

    app.push_screen(PathPromptScreen(title, summary, default), done)


def free_name(folder: str, stem: str, ext: str) -> str:
    """`folder/stem.ext`, or `stem-2.ext`, `stem-3.ext`… : the first name nothing holds."""
    cand = os.path.join(folder, stem + ext)
    i = 2
    while os.path.lexists(cand):
        cand = os.path.join(folder, f"{stem}-{i}{ext}")
        i += 1
    return cand


class PathPromptScreen(ModalScreen[tuple[str, bool] | None]):
    """Asks for the file to write; asks again before replacing an existing one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="path.cancel"),
        Binding("y", "overwrite", "overwrite", id="path.overwrite"),
        Binding("n", "edit", "edit the name", id="path.edit"),
    ]

    def __init__(self, title: str, summary: str, default: str) -> None:
        super().__init__()
        self.title_text = title
        self.summary = summary
        self.default = default
        self.confirming: str | None = None  # the existing file Enter would replace

    def compose(self) -> ComposeResult:
        with Vertical(id="path-box"):
            yield Static(Text(self.title_text, style="bold"))
            yield Static(Text(self.summary, style="dim"))
            yield Input(value=self.default, id="path-input")
            yield Static(Text(EDIT_HINT, style="dim"), id="path-hint")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("overwrite", "edit"):
            return self.confirming is not None
        return True

    def _hint(self, text: str, style: str = "dim") -> None:
        self.query_one("#path-hint", Static).update(Text(text, style=style))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value:
            self._hint("a file name, please · escape cancels", "bold yellow")
            return
        path = resolve(value)
        if os.path.isdir(path):
            self._hint(f"{safe_text(path)} is a folder: give a file name", "bold yellow")
            return
        if os.path.lexists(path):
            self.confirming = path
            inp = self.query_one("#path-input", Input)
            inp.disabled = True  # y / n now answer the question, not edit the name
            self._hint(
                f"{safe_text(path)} exists: overwrite it? y replaces it · n edits the "
                "name · escape cancels",
                "bold yellow",
            )
            self.refresh_bindings()
            return
        self.dismiss((path, False))

    def action_overwrite(self) -> None:
        if self.confirming is not None:
            self.dismiss((self.confirming, True))

    def action_edit(self) -> None:
        self.confirming = None
        inp = self.query_one("#path-input", Input)
        inp.disabled = False
        inp.focus()
        self._hint(EDIT_HINT)
        self.refresh_bindings()

    def action_cancel(self) -> None:
        self.dismiss(None)
