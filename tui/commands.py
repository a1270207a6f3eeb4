"""Every app action in the command palette, with the same words as the Footer."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

ACTIONS = [
    ("goto", "Go to event id", "move the cursor to an event by its id (:)"),
    ("filter", "Filter", "show only records whose type or text matches (/)"),
    ("next_match", "Next match", "next record matching the filter (n)"),
    ("prev_match", "Previous match", "previous record matching the filter (N)"),
    ("prev_resume", "Previous resume", "jump to the previous executor resume ([)"),
    ("next_resume", "Next resume", "jump to the next executor resume (])"),
    ("mark", "Mark for diff", "mark the event at the cursor; Diff compares cursor vs mark (m)"),
    ("hide_superseded", "Hide superseded", "hide or show superseded events (h)"),
    ("hide_branches", "Hide other branches",
     "hide or show the records off the live branch (a rewind's abandoned branch) (o)"),
    ("marks_at_cursor", "Marks at cursor",
     "show superseded marks relative to the cursor's event, not the head (r)"),
    ("marks_at_head", "Marks at head", "show superseded marks relative to the head again (r)"),
    ("follow", "Follow", "follow the end of the log, or pause (f)"),
    ("export", "Export snapshot", "write the state at the cursor to a snapshot file (s)"),
    ("compaction", "Compaction review", "what compaction would drop, verified by replay (c)"),
    ("toggle_event_view", "Event: raw/readable",
     "the Event tab as readable text and tool inputs, or as JSON with the raw line (v)"),
    ("write_compacted", "Write compacted log", "write the compacted log to a new file (w)"),
    ("next_unknown_kind", "Next unknown kind",
     "next record of a kind the log's format does not know: a newer agent version? (u)"),
    ("brief", "Brief", "what a fresh executor needs at the cursor's event, each item citing events (b)"),
    ("fork", "Fork at cursor", "write the log up to the cursor's event to a new file, to resume from (F)"),
    ("first", "First record", "move to the first record (g)"),
    ("last", "Last record", "move to the last record and follow (G)"),
    ("help", "Help", "keys and markers (?)"),
    ("quit", "Quit", "leave agentlog-tui (q)"),
]


class AgentlogCommands(Provider):
    """The app's actions, offered when they apply now."""

    def _available(self):
        app = self.app
        for action, name, help_text in ACTIONS:
            if app.check_action(action, ()) is not False:
                yield action, name, help_text

    async def discover(self) -> Hits:
        for action, name, help_text in self._available():
            yield DiscoveryHit(name, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, name, help_text in self._available():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action),
                          help=help_text)
