"""Export: `s` saves the state at the cursor's event to a JSON file (`e` is lnav's next failure,
tui/failures.py). The file name is asked for (`PathPromptScreen`), prefilled with a free name in
the current directory; an existing file is replaced only when the user says so."""

from __future__ import annotations

import os
from typing import ClassVar

import orjson
from textual import work
from textual.binding import Binding, BindingType

from agentlog_tui.tui.path_prompt import ask_path, free_name, safe_name


class ExportFeature:
    """The state at the cursor, exported (mixed into `AgentlogApp`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "export", "save state", id="export"),
    ]

    def _can_export(self) -> bool:
        m = self.model
        return m.analysed and m.a.n_events > 0

    def _cursor_seq(self, line: int) -> int | None:
        """The id of the event at or before `line` (the inspector's, when it shows that line)."""
        ins = self.inspector.inspection
        if ins is not None and ins.line == line:
            return ins.pos_seq
        model = self.model
        with model.lock:
            pos = model.event_pos_at_or_before(line)
            return model.a.seqs[pos] if pos >= 0 else None

    def _cursor_event(self) -> tuple[int, int] | None:
        """(cursor line, id of the event at or before it), or None (with a warning when the
        cursor has no event at or before it)."""
        line = self.timeline.cursor_line
        if line is None:
            return None
        seq = self._cursor_seq(line)
        if seq is None:
            self.notify("no event at or before the cursor", severity="warning", timeout=3)
            return None
        return line, seq

    def action_export(self) -> None:
        at = self._cursor_event()
        if at is None:
            return
        line, seq = at
        ask_path(self, f"Save the state after #{seq} as JSON",
                 "the state at the cursor's event, as `state --at` prints it",
                 export_path(self.model.path, seq), "export",
                 lambda out, overwrite: self.export_snapshot(line, out, overwrite))

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def export_snapshot(self, line: int, out: str, overwrite: bool = False) -> None:
        model = self.model
        with model.lock:
            pos = model.event_pos_at_or_before(line)
            if pos < 0:
                self.call_from_thread(self.notify, "no event at or before the cursor",
                                      severity="warning")
                return
            seq = model.a.seqs[pos]
            state = model.a.state_at_pos(pos)
        try:
            if os.path.exists(out) and os.path.samefile(out, model.path):
                raise OSError(f"{out}: refusing to write over the log itself")
            blob = orjson.dumps({"seq": seq, "state": state},
                                option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=repr)
            # "x": never over a file the user did not agree to replace (one may appear meanwhile)
            with open(out, "wb" if overwrite else "xb") as fh:
                fh.write(blob + b"\n")
        except OSError as exc:
            self.call_from_thread(self.notify, f"export failed: {exc}", severity="error",
                                  markup=False)
            return
        self.call_from_thread(self.notify, f"state at #{seq} written to {out}", title="exported",
                              markup=False)


def export_path(log_path: str, seq: int) -> str:
    """A free name for a snapshot export in the current directory: `<log>.snapshot-<seq>.json`
    (numbered when taken; terminal controls in the log's name are not repeated)."""
    name = safe_name(os.path.basename(log_path))
    return free_name(os.getcwd(), f"{name}.snapshot-{seq}", ".json")
