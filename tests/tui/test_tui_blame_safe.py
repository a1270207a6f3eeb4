"""The blame line under the state tree quotes an event type: it must be made safe like any other
log text (issue 15: an OSC sequence in a type set the terminal's title through it)."""

from __future__ import annotations

from agentlog_tui.core.safetext import UNSAFE
from agentlog_tui.tui.model import LogModel, blame_text


def test_blame_text_of_a_hostile_type_has_no_escape(write_log):
    typ = "job\x1b]0;PWNED\x1b\\_done\x9b\u202e"
    p = write_log([{"seq": 1, "type": typ, "data": {"id": "a", "v": 1}}])
    model = LogModel(str(p))
    try:
        with model.lock:
            a = model.a
            a.run()
            _seq, state = a.state_at()
            text = blame_text(model, (next(iter(state)),), a.n_events - 1)
    finally:
        model.a.close()
    assert text.startswith("written by #1 ")
    assert "PWNED" in text
    assert not any(ord(c) in UNSAFE for c in text), text
