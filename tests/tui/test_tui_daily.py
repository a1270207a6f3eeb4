"""The app for daily use (issue 14): legible state, layouts that fit the terminal, every key
reachable at 80x24, no lost keystrokes, `:` to lines, keys that say when they have nothing to do.

Each behaviour runs at 80x24 and at 200x60 (the size is in the test's name)."""

from __future__ import annotations

import pytest
from textual import events
from textual.containers import VerticalScroll
from textual.widgets import TabbedContent
from tui_fixtures import CLAUDE_COMPACTED, CLAUDE_SESSION, CODEX_SESSION, write
from tui_helpers import (
    cursor_seq,
    goto_seq,
    ready,
    sample,
    screen_rows,
    static_text,
    tree_text,
    wait_for,
)

from agentlog_tui.tui.app import AgentlogApp
from agentlog_tui.tui.inspector import StateTree

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((200, 60), id="200x60")]


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.fixture
def claude_log(tmp_path):
    return write(tmp_path / "session.jsonl", CLAUDE_SESSION)


# ---- legible state -------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_claude_context_reads_as_a_conversation(claude_log, size):
    app = AgentlogApp(claude_log, {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        text = tree_text(app)
        # the context is open at once, each message says who and what, in order
        assert "user: Fix the failing parser test" in text
        assert "assistant: I'll run the tests first." in text
        assert "user: error: npm ERR! 1 test failed" in text
        assert "assistant: tool_use: Glob: **/*.py in /home/dev/proj" in text
        assert text.index("Fix the failing") < text.index("I'll run") < text.index("explain the fix")
        # a message shows no field count: its preview says it all
        assert "u1 {" not in text
        # tool calls (collapsed) show name, key argument and status
        tree = app.query_one(StateTree)
        tools = next(n for n in tree.root.children if n.label.plain.startswith("tools"))
        tools.expand()
        await pilot.pause()
        labels = [c.label.plain for c in tools.children]
        assert any("Bash npm test · error" in lab for lab in labels), labels
        assert any("Grep def parse in src · done" in lab for lab in labels), labels


@pytest.mark.parametrize("size", SIZES)
async def test_lists_show_length_and_first_items(tmp_path, size):
    log = tmp_path / "l.jsonl"
    log.write_text('{"seq":1,"ts":"2026-01-01T00:00:00Z","type":"note_added",'
                   '"data":{"id":"n1","tags":["alpha","beta","gamma","delta"]}}\n')
    app = AgentlogApp(str(log), {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        tree = app.query_one(StateTree)
        note = tree.root.children[0]
        # a one-entry dict shows its entry; an entity its first fields
        assert "note {1}  n1: status: added" in note.label.plain
        note.children[0].expand()
        await pilot.pause()
        text = tree_text(app)
        assert "tags [4]  alpha, beta, gamma, …" in text


@pytest.mark.parametrize("size", SIZES)
async def test_changed_path_is_expanded_and_in_view(claude_log, size):
    app = AgentlogApp(claude_log, {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await goto_seq(pilot, 6)  # the error result
        await ready(pilot)
        tree = app.query_one(StateTree)
        await wait_for(pilot, lambda: tree.cursor_node is not None
                       and "◀ changed" in tree.cursor_node.label.plain, what="cursor on a change")
        await pilot.pause(0.1)
        node = tree.cursor_node
        top = round(tree.scroll_offset.y)
        assert top <= node.line < top + tree.scrollable_content_region.height
        assert all(p.is_expanded for p in _ancestors(node))


def _ancestors(node):
    p = node.parent
    while p is not None and p.parent is not None:
        yield p
        p = p.parent


# ---- views ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_number_keys_switch_inspector_tabs(claude_log, size):
    app = AgentlogApp(claude_log, {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        tabs = app.query_one(TabbedContent)
        for key, pane in (("2", "tab-event"), ("3", "tab-diff"), ("4", "tab-snapshot"),
                          ("5", "tab-compaction"), ("6", "tab-brief"), ("1", "tab-state")):
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == pane


async def test_layout_stacked_at_80x24():
    app = AgentlogApp(sample("resumed_executor.jsonl"), {}, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        tl, ins = app.timeline.outer_size, app.inspector.outer_size
        assert app.inspector.region.y >= app.timeline.region.bottom  # timeline over inspector
        assert tl.width == ins.width >= 78  # the full width


async def test_layout_wide_inspector_at_200x60():
    app = AgentlogApp(sample("resumed_executor.jsonl"), {}, watch=False)
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        tl, ins = app.timeline.region, app.inspector.region
        assert ins.x >= tl.right and ins.y == tl.y  # side by side
        assert ins.width >= 85


@pytest.mark.parametrize("size", SIZES)
async def test_rows_show_time_and_type(size):
    app = AgentlogApp(sample("resumed_executor.jsonl"), {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        rows = screen_rows(app)
        assert any("09:07:36 task_completed" in r for r in rows), rows


@pytest.mark.parametrize("size", SIZES)
async def test_help_scrolls_to_the_last_key_and_the_legend(size):
    app = AgentlogApp(sample("resumed_executor.jsonl"), {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        box = app.screen.query_one("#help-box", VerticalScroll)
        for _ in range(60):
            await pilot.press("j")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y
        # the last lines of the help (legend) are inside the visible part of the box
        text = static_text(app.screen, "#help-text").splitlines()
        last = len(text) - 1
        assert box.scroll_y + box.scrollable_content_region.height >= last
        assert any("ctrl+p" in line for line in text) and any(line.strip().startswith("q ")
                                                              for line in text)
        assert any("◆" in line for line in text)  # the legend's last entry
        await pilot.press("escape")


@pytest.mark.parametrize("size", SIZES)
async def test_header_shortens_a_long_file_name_first(tmp_path, size):
    name = "a-very-long-session-file-name-0123456789abcdef-0123456789abcdef-0123456789.jsonl"
    log = tmp_path / name
    log.write_text((tmp_path.parent / "x").as_posix() and
                   '{"seq":1,"ts":"2026-01-01T00:00:00Z","type":"task_started","data":{"id":"t"}}\n')
    app = AgentlogApp(str(log), {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        header = static_text(app, "AppHeader")
        assert "1 events" in header and "live" in header
        if size[0] < len(name) + 40:
            assert "…" in header and name not in header
            head, _, tail = header.split()[0].partition("…")  # cut in the middle
            assert name.startswith(head) and name.endswith(tail) and len(tail) >= 12
        else:
            assert name in header


# ---- every input kept ----------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_keys_typed_at_full_speed_reach_the_prompt(size):
    app = AgentlogApp(sample("resumed_executor.jsonl"), {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        # `m` then `:25⏎` posted at once, without waiting between keys
        for key, char in (("m", "m"), ("colon", ":"), ("2", "2"), ("5", "5"), ("enter", None)):
            app.post_message(events.Key(key, char))
        await wait_for(pilot, lambda: cursor_seq(app) == 25, what="cursor on #25")
        assert not any("not an event id" in n for n in notes(app))


@pytest.mark.parametrize("size", SIZES)
async def test_colon_goes_to_a_line_and_says_which(tmp_path, size):
    app = AgentlogApp(sample("malformed.jsonl"), {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("colon", "L", "3", "enter")
        await wait_for(pilot, lambda: app.timeline.cursor_line == 2, what="cursor on line 3")
        assert any("line 3 (no event on it)" in n for n in notes(app))
        await pilot.press("colon", "L", "4", "enter")
        await wait_for(pilot, lambda: cursor_seq(app) == 3, what="cursor on line 4, event #3")
        assert any("line 4 (event #3)" in n for n in notes(app))
        await pilot.press("colon", "2", "enter")
        await wait_for(pilot, lambda: cursor_seq(app) == 2, what="event #2")
        await pilot.press("colon", "9", "enter")  # no event #9: line 9 instead
        await wait_for(pilot, lambda: app.timeline.cursor_line == 8, what="line 9")
        assert any("no event #9: went to line 9" in n for n in notes(app))
        await pilot.press("colon", "L", "9", "9", "9", "enter")
        await pilot.pause()
        assert any("no line 999" in n for n in notes(app))


@pytest.mark.parametrize("size", SIZES)
async def test_a_key_with_nothing_to_do_says_so(claude_log, size):
    app = AgentlogApp(claude_log, {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("right_square_bracket")
        await pilot.press("n")
        await pilot.press("w")
        await pilot.pause()
        said = notes(app)
        assert "no resumes in this log" in said
        assert "no filter: / filters first" in said
        assert any("c reviews one first" in n for n in said)


# ---- error-first navigation ----------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_e_steps_through_failures_and_percent_joins_call_and_result(claude_log, size):
    app = AgentlogApp(claude_log, {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: app.calls.scanned == 14, what="call index")
        await pilot.press("g", "e")
        await wait_for(pilot, lambda: cursor_seq(app) == 6, what="the error result #6")
        assert "failure 1 of 1" in notes(app)
        await pilot.press("e")
        await pilot.pause()
        assert cursor_seq(app) == 6 and any("no more failures that way" in n for n in notes(app))
        await pilot.press("percent_sign")  # result -> its call
        await wait_for(pilot, lambda: cursor_seq(app) == 3, what="the Bash call #3")
        await pilot.press("percent_sign")  # and back
        await wait_for(pilot, lambda: cursor_seq(app) == 6, what="back to #6")
        await pilot.press("G", "E")
        await wait_for(pilot, lambda: cursor_seq(app) == 6, what="E from the end")
        await pilot.press("colon", "1", "enter", "percent_sign")
        await wait_for(pilot, lambda: any("not a tool call or result" in n for n in notes(app)),
                       what="a toast on a prompt")


@pytest.mark.parametrize("size", SIZES)
async def test_result_rows_name_their_call_and_summaries_identify_calls(claude_log, size):
    app = AgentlogApp(claude_log, {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: app.calls.scanned == 14, what="call index")
        await pilot.pause()
        width = app.timeline.scrollable_content_region.width
        rows = {r.split()[0]: r for r in (app.timeline.row_text(i, 400).plain for i in range(14))}
        assert "Bash: npm test" in rows["3"]  # no leading cd "C:\..." &&
        assert "Glob: **/*.py in /home/dev/proj" in rows["7"]
        assert "Grep: def parse in src" in rows["9"]
        assert "↳ Bash: npm test → error: npm ERR!" in rows["6"]
        assert "↳ Glob: **/*.py in /home/dev/proj → Glob (1 files)" in rows["8"]
        shown = screen_rows(app)
        assert any("↳ Grep" in r for r in shown), (width, shown)


@pytest.mark.parametrize("size", SIZES)
async def test_codex_calls_and_outputs_read_and_pair(tmp_path, size):
    log = write(tmp_path / "rollout.jsonl", CODEX_SESSION)
    app = AgentlogApp(log, {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: app.calls.scanned == 7, what="call index")
        rows = [app.timeline.row_text(i, 400).plain for i in range(7)]
        assert "shell: pytest -q" in rows[2]
        assert "↳ shell: pytest -q → (1 lines, exit 2) 1 failed" in rows[3]
        await pilot.press("g", "e")
        await wait_for(pilot, lambda: app.timeline.cursor_line == 3, what="the failed output")
        await pilot.press("e")  # grep exiting 1 (no match) is not a failure
        await pilot.pause()
        assert app.timeline.cursor_line == 3
        await pilot.press("percent_sign")
        await wait_for(pilot, lambda: app.timeline.cursor_line == 2, what="its call")


# ---- kinds, not just superseded ------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_kind_filter_conversation_preset_hides_hooks_and_system_records(claude_log, size):
    app = AgentlogApp(claude_log, {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("c", "enter")
        await wait_for(pilot, lambda: app.timeline.rows is not None, what="rows")
        shown = [app.timeline.row_text(i, 200).plain for i in app.timeline.rows]
        assert len(shown) == 10  # 14 less 2 hook progress, the queue operation, turn_duration
        assert not any("progress" in r or "queue_operation" in r or "system." in r for r in shown)
        await pilot.pause()
        assert "kinds: 3 hidden" in static_text(app, "AppHeader")
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("a", "enter")  # all kinds again
        await wait_for(pilot, lambda: app.timeline.rows is None, what="every row")
        assert "kinds:" not in static_text(app, "AppHeader")


@pytest.mark.parametrize("size", SIZES)
async def test_h_counts_the_prompts_it_hides_in_the_header(tmp_path, size):
    log = write(tmp_path / "compacted.jsonl", CLAUDE_COMPACTED)
    app = AgentlogApp(log, {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("h")
        await wait_for(pilot, lambda: app.timeline.rows is not None, what="rows")
        await pilot.pause()
        # both prompts came before the compaction; the first also wrote the session's cwd and
        # id, which the head still shows, so only the second is superseded
        assert app.hidden_prompts == 1
        assert "(hidden, 1 prompt)" in static_text(app, "AppHeader")


# ---- copy ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_y_copies_the_selected_value_and_Y_its_path(claude_log, size):
    app = AgentlogApp(claude_log, {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        tree = app.query_one(StateTree)
        await wait_for(pilot, lambda: tree.cursor_node is not None
                       and tree.cursor_node.data is not None, what="a selected node")
        path = tree.cursor_node.data.path
        await pilot.press("Y")
        await pilot.pause()
        assert app.clipboard == 'context.m4'  # the changed message of the last event
        assert path == ("context", "m4")
        await pilot.press("y")
        await pilot.pause()
        assert '"role": "assistant"' in app.clipboard
        assert any(n.startswith("copied the value of context.m4") for n in notes(app))


# ---- search that finds what people mean ----------------------------------------------------


async def _filter(pilot, text: str) -> None:
    await pilot.press("slash", *text, "enter")
    await wait_for(pilot, lambda: pilot.app.filter_query == text and pilot.app.timeline.rows
                   is not None and pilot.app.filter_matches == len(pilot.app.timeline.rows),
                   what=f"filter {text}")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
async def test_filter_matches_values_not_keys_by_regex_and_highlights(claude_log, size):
    app = AgentlogApp(claude_log, {}, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        seqs = lambda: [app.model.row(i).record.seq for i in app.timeline.rows]
        await _filter(pilot, "stderr")  # a key of every tool result, never a value
        assert seqs() == []
        await _filter(pilot, "fail")  # the prompt ("failing") and the error result ("failed")
        assert seqs() == [1, 6]
        await _filter(pilot, "np[m] (test|ERR)")  # a regular expression
        assert seqs() == [3, 6]
        await _filter(pilot, "NPM")  # a capital: case matters (smartcase), nothing matches
        assert seqs() == []
        await _filter(pilot, "fail")
        # the match is marked in the timeline row and in the Event tab
        tl = app.timeline
        top = round(tl.scroll_offset.y)
        other = next(r for r in range(tl.n_rows) if r != tl.cursor)  # the cursor's colour wins
        row = tl.render_line(other - top)
        marked = "".join(seg.text for seg in row if seg.style and seg.style.bgcolor
                         and seg.style.bgcolor.name == "#ffd75f")
        assert marked.lower() == "fail"
        await ready(pilot)
        event = app.query_one("#event-view").content
        assert any("#ffd75f" in str(span.style) for span in event.spans)


@pytest.mark.parametrize("width", [60, 80, 81, 200])
async def test_the_header_fits_its_row_exactly_and_cuts_the_name_not_a_count(width):
    # a real Claude Code session at 80 columns lost the word "superseded": the name's
    # placeholder was counted one cell wider than it is, so the row came out one cell too long
    from rich.text import Text
    from textual.app import App

    from agentlog_tui.tui.header import AppHeader

    name = "fa812bfe-b295-4cca-9c2f-fdf01028cb46.jsonl"
    parts = [(9, Text(" \0name")), (4, Text("  1,881 events")), (6, Text("  ● live")),
             (3, Text("  ⚠ 2 findings")), (2, Text("  ░ 1,567 superseded"))]

    class One(App):
        def compose(self):
            yield AppHeader(id="h")

    app = One()
    async with app.run_test(size=(width, 5)) as pilot:
        app.query_one(AppHeader).show(parts, name)
        await pilot.pause()
        shown = static_text(app, "AppHeader")
        assert Text(shown).cell_len <= width
        if width >= 16 + 62:  # room for every part beside a name cut to its minimum
            assert shown.endswith("░ 1,567 superseded")
        if width >= len(name) + 62:
            assert name in shown
