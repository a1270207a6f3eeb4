"""Export: `s` saves the state at the cursor's event to a new JSON file (`e` is lnav's next
failure, tui/failures.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

import orjson
from textual import work
from textual.binding import Binding, BindingType


class ExportFeature:
    """The state at the cursor, exported (mixed into `AgentlogApp`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "export", "save state", id="export"),
    ]

    def _can_export(self) -> bool:
        m = self.model
        return m.analysed and m.a.n_events > 0

    def action_export(self) -> None:
        line = self.timeline.cursor_line
        if line is not None:
            self.export_snapshot(line)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def export_snapshot(self, line: int) -> None:
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
            out = export_path(model.path, seq)
            blob = orjson.dumps({"seq": seq, "state": state},
                                option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=repr)
            with open(out, "xb") as fh:  # never overwrite anything
                fh.write(blob + b"\n")
        except OSError as exc:
            self.call_from_thread(self.notify, f"export failed: {exc}", severity="error",
                                  markup=False)
            return
        self.call_from_thread(self.notify, f"state at #{seq} written to {out}", title="exported",
                              markup=False)


def export_path(log_path: str, seq: int) -> str:
    """A new file for a snapshot export: beside the log if possible, else in the cwd."""
    log = Path(log_path).resolve()
    name = f"{log.name}.snapshot-{seq}"
    for folder in (log.parent, Path.cwd()):
        if not os.access(folder, os.W_OK):
            continue
        for i in range(1, 1000):
            cand = folder / (f"{name}.json" if i == 1 else f"{name}-{i}.json")
            if not cand.exists() and cand != log:
                return str(cand)
    raise OSError(f"no writable place for {name}.json")

