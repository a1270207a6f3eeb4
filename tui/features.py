"""What the app's feature modules share: how a feature plugs into `AgentlogApp`.

A feature is a mixin class in its own module (`session.py`, `navigation.py`, `inspection.py`,
`resumes.py`, `export.py`, `compaction_review.py`, `header.py`). It owns:

- its keys: a `BINDINGS` list (Textual does not merge a plain mixin's `BINDINGS`; `tui/app.py`
  collects every feature's list with `collect_bindings`, in the footer order `FOOTER_ORDER` names);
- its actions: `action_<name>` methods, and `_can_<name>()` (True: available; False: hidden;
  None: shown greyed) when the action is not always available (`AgentlogApp.check_action` asks it);
- its messages: `Message` classes defined in its module and handled there by the naming
  convention (`on_<message_name>`; `@on` needs Textual's metaclass, which a mixin lacks);
- its state: set in an `_init_<feature>()` method that `AgentlogApp.__init__` calls.

To add a key: append a `Binding(..., id="name")` to the feature's `BINDINGS`, write
`action_name` (and `_can_name` if needed), put the id in `FOOTER_ORDER` in `tui/app.py` if the
footer position matters, and a line in `tui/screens.py` HELP. To add a feature: a new module with
a mixin class following the above, then one line in `AgentlogApp`'s bases and `FEATURES`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from textual.binding import Binding
from textual.css.query import NoMatches


def while_mounted(handler):
    """Ignore a message or timer that arrives after the main screen has gone (at exit)."""

    @functools.wraps(handler)
    def wrapper(self, *args, **kwargs):
        try:
            return handler(self, *args, **kwargs)
        except NoMatches:
            if self._main_alive():
                raise
            return None

    return wrapper


def collect_bindings(features: Iterable[type], order: list[str]) -> list[Binding]:
    """Every feature's `BINDINGS` in the order of their ids in `order`; the bindings `order`
    does not name go where it says "*" (in feature order), or at the end without one."""
    found: list[Binding] = []
    for feature in features:
        found.extend(feature.__dict__.get("BINDINGS", []))
    rank = {name: i for i, name in enumerate(order)}
    rest_rank = rank.get("*", len(order))
    keyed = [(rank.get(b.id or "", rest_rank), i, b) for i, b in enumerate(found)]
    return [b for _, _, b in sorted(keyed, key=lambda k: (k[0], k[1]))]
