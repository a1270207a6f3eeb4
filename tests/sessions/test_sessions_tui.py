"""The session list and the way into a session, its subagent, and back (Pilot)."""

from __future__ import annotations

from pathlib import Path

from sessions_fixture import (
    CODEX,
    CODEX_GZ,
    FIXTURE,
    GENERIC,
    NOT_A_LOG,
    PARENT1,
    PARENT2,
    SUB1,
    wait_for,
)

from agentlog_tui.tui.session_browser import Frame, SessionLogApp, browse
from agentlog_tui.tui.session_list import ListState, SessionListApp


def keys(app: SessionListApp) -> list[Path]:
    t = app.table
    return [Path(t.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(t.row_count)]


def cell(app: SessionListApp, path: Path, column: str) -> str:
    return str(app.table.get_cell(str(path), column))


def all_filled(app: SessionListApp) -> bool:
    rows = app.state.rows
    return rows is not None and all(r.stats is not None or r.error for r in rows)


async def listed(pilot) -> None:
    await wait_for(pilot, lambda: all_filled(pilot.app), what="rows and their counts")
    await pilot.pause()


async def test_list_rows_and_counts_fill_in(tmp_path):
    app = SessionListApp(ListState([FIXTURE]))
    async with app.run_test(size=(200, 40)) as pilot:
        await listed(pilot)
        assert keys(app) == [PARENT1, PARENT2, GENERIC, CODEX_GZ, CODEX, NOT_A_LOG]
        assert (cell(app, PARENT1, "events"), cell(app, PARENT1, "findings")) == ("11", "1")
        assert cell(app, PARENT2, "compactions") == "1"
        assert cell(app, PARENT1, "title") == "[1 subagent] The checkout test fails, please fix it"
        assert cell(app, CODEX_GZ, "format") == "codex (gz)" and cell(app, CODEX_GZ, "events") == "5"
        assert cell(app, NOT_A_LOG, "title").startswith("✗ no JSON object")
        header = str(app.query_one("#sessions-header").render())
        assert "6 sessions" in header and "analysing" not in header


async def test_sort_by_any_column_and_reverse():
    app = SessionListApp(ListState([FIXTURE]))
    async with app.run_test(size=(200, 40)) as pilot:
        await listed(pilot)
        await pilot.press("s")  # the next column: format
        assert app.state.sort == "format"
        # agentlog < claude-code < codex; ties keep the newest first; files that are not logs last
        assert keys(app) == [GENERIC, PARENT1, PARENT2, CODEX_GZ, CODEX, NOT_A_LOG]
        await pilot.press("S")
        assert keys(app)[0] in (CODEX, CODEX_GZ)
        await pilot.press("s")  # events, most first
        assert app.state.sort == "events" and keys(app)[:2] == [PARENT1, CODEX]
        await pilot.press("s")  # findings
        assert keys(app)[0] == PARENT1


async def test_filter_by_text_and_escape_clears_it():
    app = SessionListApp(ListState([FIXTURE]))
    async with app.run_test(size=(120, 30)) as pilot:
        await listed(pilot)
        await pilot.press("f", *"codex", "enter")
        assert keys(app) == [CODEX_GZ, CODEX]
        assert "2 of 6 sessions" in str(app.query_one("#sessions-header").render())
        await pilot.press("escape")
        assert len(keys(app)) == 6


async def test_enter_opens_and_the_list_comes_back_where_it_was():
    state = ListState([FIXTURE])
    app = SessionListApp(state)
    async with app.run_test(size=(120, 30)) as pilot:
        await listed(pilot)
        await pilot.press("s")  # sorted by format: the cursor stays on its session
        assert keys(app)[app.table.cursor_row] == PARENT1
        await pilot.press("down", "enter")
    assert app.return_value == ("open", PARENT2, None)
    again = SessionListApp(state)  # what browse() runs after Escape in the session
    async with again.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert state.sort == "format" and keys(again)[again.table.cursor_row] == PARENT2


async def test_slash_searches_across_sessions_and_enter_opens_at_the_hit():
    app = SessionListApp(ListState([FIXTURE]))
    async with app.run_test(size=(120, 30)) as pilot:
        await listed(pilot)
        await pilot.press("slash", *"permission denied", "enter")
        await wait_for(pilot, lambda: app.state.search.done, what="search")
        await pilot.pause()
        assert app.hits_table.display and app.hits_table.row_count == 1
        assert str(app.hits_table.get_cell_at((0, 1))) == "#3"
        header = str(app.query_one("#sessions-header").render())
        assert "1 hits" in header and "permission denied" in header
        await pilot.press("enter")
    assert app.return_value == ("open", PARENT1, 3)


async def test_search_reaches_subagent_transcripts_and_escape_returns_to_the_list():
    app = SessionListApp(ListState([FIXTURE]))
    async with app.run_test(size=(120, 30)) as pilot:
        await listed(pilot)
        await pilot.press("slash", *"CACHE_DIR = '/var", "enter")
        await wait_for(pilot, lambda: app.state.search.done, what="search")
        assert SUB1 in {h.path for h in app.state.search.hits}
        await pilot.press("escape")
        assert app.table.display and not app.hits_table.display


async def session_ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.model.analysed and app.task_calls is not None
                   and app.progress is None, what="analysis")
    await pilot.pause()


def cursor_seq(app) -> int | None:
    row = app.model.row(app.timeline.cursor_line)
    return getattr(row.record, "seq", None)


async def test_a_session_opens_at_the_event_and_escape_goes_back():
    app = SessionLogApp(str(PARENT1), {}, start_seq=3, can_go_back=True, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await session_ready(pilot)
        await wait_for(pilot, lambda: cursor_seq(app) == 3, what="cursor at #3")
        await pilot.press("escape")
    assert app.return_value == ("back",)


async def test_escape_closes_the_filter_before_going_back():
    app = SessionLogApp(str(PARENT1), {}, can_go_back=True, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await session_ready(pilot)
        await pilot.press("slash", *"Task", "enter")
        await wait_for(pilot, lambda: app.filter_query == "Task")
        await pilot.press("escape")
        assert app.filter_query is None and app.is_running
        await pilot.press("escape")
    assert app.return_value == ("back",)


async def test_a_opens_the_subagent_of_the_task_call_at_the_cursor():
    app = SessionLogApp(str(PARENT1), {}, start_seq=4, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await session_ready(pilot)
        await wait_for(pilot, lambda: cursor_seq(app) == 4, what="cursor at #4")
        await pilot.press("a")
    kind, path, call = app.return_value
    assert (kind, path, call.seq, call.description) == ("subagent", SUB1, 4, "Find cache config")


async def test_a_elsewhere_or_on_a_missing_transcript_says_so():
    app = SessionLogApp(str(PARENT1), {}, start_seq=7, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await session_ready(pilot)
        await wait_for(pilot, lambda: cursor_seq(app) == 7, what="cursor at #7")
        await pilot.press("a")
        assert app.is_running
        assert any("transcript is missing (agent-dead000.jsonl)" in str(n.message) for n in app._notifications)
        assert any("1 subagent transcript(s) missing: Task #7" in str(n.message) for n in app._notifications)
        await pilot.press("g", "a")
        assert app.is_running
        assert any("no Task call at the cursor (Task calls: #4, #7" in str(n.message) for n in app._notifications)


async def test_the_subagents_header_names_its_parent_and_the_call():
    from agentlog_tui.tui.session_browser import frame_for

    f = frame_for(SUB1, None)
    assert f.title == 'agent-a1b2c3d.jsonl ← Task #4 "Find cache config" in 11111111….jsonl'
    app = SessionLogApp(str(f.path), {}, title=f.title, can_go_back=True, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await session_ready(pilot)
        assert "← Task #4 \"Find cache config\" in 11111111….jsonl" in str(app.query_one("AppHeader").render())


def test_browse_keeps_the_way_back():
    """List → session → subagent → back to the parent at the call → back to the list → quit."""
    seen: list[tuple] = []
    states: list[ListState] = []
    lists = iter([("open", PARENT1, 3), None])
    call = type("Call", (), {"seq": 4, "description": "Find cache config"})()
    logs = iter([("subagent", SUB1, call), ("back",), ("back",)])

    def run_list(state):
        states.append(state)
        return next(lists)

    def run_log(frame: Frame, kwargs, can_go_back):
        seen.append((frame.path, frame.seq, frame.title, can_go_back))
        return next(logs)

    browse([FIXTURE], run_list=run_list, run_log=run_log)
    assert seen == [
        (PARENT1, 3, None, True),
        (SUB1, None, 'agent-a1b2c3d.jsonl ← Task #4 "Find cache config" in 11111111….jsonl', True),
        (PARENT1, 4, None, True),
    ]
    assert len(states) == 2 and states[0] is states[1]


def test_one_log_without_a_list_quits_with_q():
    seen = []
    browse(None, PARENT1, run_list=lambda s: 1 / 0,
           run_log=lambda f, k, back: seen.append((f.path, back)))
    assert seen == [(PARENT1, False)]


def test_a_compressed_rollout_opens_from_the_file_itself_read_only(monkeypatch):
    """The reader decompresses it: the app gets the user's .gz (no private copy), not tailed,
    and its header says it is read-only."""
    from agentlog_tui.tui import session_browser

    seen: dict = {}

    class Recorder:
        def __init__(self, path, kwargs, **kw):
            seen.update(kw, path=path)

        def run(self):
            return ("back",)

    monkeypatch.setattr(session_browser, "SessionLogApp", Recorder)
    assert session_browser.run_log_app(Frame(CODEX_GZ), {}, True) == ("back",)
    assert seen["path"] == str(CODEX_GZ) and seen["watch"] is False
    assert seen["title"] == f"{CODEX_GZ.name} (gz, read-only)"


async def test_a_compressed_rollout_shows_its_events():
    app = SessionLogApp(str(CODEX_GZ), {}, title=f"{CODEX_GZ.name} (gz, read-only)",
                        can_go_back=True, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await session_ready(pilot)
        assert app.model.a.n_events == 5
        assert "(gz, read-only)" in str(app.query_one("AppHeader").render())
