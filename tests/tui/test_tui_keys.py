"""Pilot tests: each key of the main screen, asserting what the user sees."""

from __future__ import annotations

import json
from pathlib import Path

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

SIZE = (120, 40)


def app_for(name: str, **kw) -> AgentlogApp:
    return AgentlogApp(sample(name) if "/" not in name else name, {}, watch=False, **kw)


def visible_seqs(app) -> list[int]:
    tl = app.timeline
    out = []
    for r in range(tl.n_rows):
        row = app.model.row(tl.line_of(r))
        if row is not None and hasattr(row.record, "seq"):
            out.append(row.record.seq)
    return out


async def test_opens_on_last_event_following_with_markers():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert cursor_seq(app) == 8
        assert app.following
        header = static_text(app, "AppHeader")
        assert "publish_post.jsonl" in header and "8 events" in header and "● live" in header
        assert "✓ integrity" in header
        rows = screen_rows(app)
        assert rows[3].startswith("░") and "publish_attempted" in rows[3] and rows[3].rstrip().endswith("⤳5")
        assert rows[4].startswith("░") and rows[4].rstrip().endswith("⤳7")
        assert rows[5].startswith("─") and "from #5" in rows[5]
        assert rows[6].startswith("░") and rows[6].rstrip().endswith("⤳8")
        assert not rows[7].startswith("░") and "publish_succeeded" in rows[7]
        assert "09:04:11" in rows[7]


async def test_goto_5_shows_publish_failed_with_429_in_state_tab():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await goto_seq(pilot, 5)
        await ready(pilot)
        text = tree_text(app)
        assert 'status: "failed"' in text
        assert 'error: "429 rate limited"' in text
        assert "executor" not in text  # the resume comes later
        assert "state after #5 publish_failed" in static_text(app, "#state-title")
        assert not app.following  # going back in time pauses following


async def test_goto_unknown_id_warns_and_keeps_cursor():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("colon", "9", "9", "enter")
        await pilot.pause()
        assert cursor_seq(app) == 8
        assert any("no event #99" in str(n.message) for n in app._notifications)


async def test_selected_state_node_shows_blame():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: "written by" in static_text(app, "#blame"), what="blame")
        assert "written by #8 publish_succeeded" in static_text(app, "#blame")
        await goto_seq(pilot, 7)
        await wait_for(pilot, lambda: "#7" in static_text(app, "#blame"), what="blame of #7")
        assert "publish.status" in static_text(app, "#blame")
        assert "written by #7 publish_retried" in static_text(app, "#blame")
        # moving the tree cursor to the task entity blames the event that wrote it
        tree = app.query_one(StateTree)
        tree.focus()
        task = next(n for n in tree.root.children if n.label.plain.startswith("task"))
        tree.move_cursor(task)
        await wait_for(pilot, lambda: "written by #1 task_started" in static_text(app, "#blame"),
                       what="blame of task")


async def test_h_hides_superseded_events_4_5_7_and_shows_them_again():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert visible_seqs(app) == [1, 2, 3, 4, 5, 6, 7, 8]
        await pilot.press("h")
        await wait_for(pilot, lambda: app.timeline.rows is not None, what="rows hidden")
        assert visible_seqs(app) == [1, 2, 3, 6, 8]
        assert not any(r.startswith("░") for r in screen_rows(app))
        await pilot.press("h")
        await wait_for(pilot, lambda: app.timeline.rows is None, what="rows shown")
        assert visible_seqs(app) == [1, 2, 3, 4, 5, 6, 7, 8]


async def test_brackets_step_between_resumes_and_show_drift():
    app = app_for("resumed_executor.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await ready(pilot)
        assert cursor_seq(app) == 1
        await pilot.press("right_square_bracket")
        await ready(pilot)
        assert cursor_seq(app) == 12
        assert app.query_one("TabbedContent").active == "tab-snapshot"
        await pilot.press("right_square_bracket")
        await ready(pilot)
        assert cursor_seq(app) == 24
        report = static_text(app, "#snapshot-view")
        assert "Resume at #24 from #17" in report
        assert "missed" in report and "DRIFT" in report
        assert "written by" in report
        await pilot.press("left_square_bracket")
        await ready(pilot)
        assert cursor_seq(app) == 12
        assert "no missed events" in static_text(app, "#snapshot-view")


async def test_slash_filters_by_type_and_n_N_step_through_matches():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("k")  # pause following so the filter keeps the cursor near it
        await pilot.press("slash", *"publish_", "enter")
        await wait_for(pilot, lambda: app.timeline.rows is not None, what="filter")
        assert visible_seqs(app) == [4, 5, 7, 8]
        assert "filter: publish_ (4)" in static_text(app, "AppHeader")
        await pilot.press("g")
        assert cursor_seq(app) == 4
        await pilot.press("n")
        assert cursor_seq(app) == 5
        await pilot.press("n", "n")
        assert cursor_seq(app) == 8
        await pilot.press("N")
        assert cursor_seq(app) == 7
        # text filter on payload content
        await pilot.press("slash", "ctrl+u", *"429", "enter")
        await wait_for(pilot, lambda: visible_seqs(app) == [5], what="text filter")
        # empty filter clears it
        await pilot.press("slash", "ctrl+u", "enter")
        await wait_for(pilot, lambda: app.timeline.rows is None, what="filter cleared")
        assert len(visible_seqs(app)) == 8


async def test_m_marks_and_diff_compares_cursor_with_mark():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("colon", "3", "enter")
        await ready(pilot)
        await pilot.press("m")
        await ready(pilot)
        assert app.query_one("TabbedContent").active == "tab-diff"
        assert "● marked #3" in static_text(app, "AppHeader")
        await pilot.press("G")
        await ready(pilot)
        diff = static_text(app, "#diff-view")
        assert "marked #3 vs cursor #8" in diff
        assert "+ publish" in diff and "https://dev.to/alice/x" in diff
        assert "+ executor" in diff and '"from_event":5' in diff


async def test_diff_without_mark_is_the_cursor_event_change():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("colon", "5", "enter")
        await ready(pilot)
        diff = static_text(app, "#diff-view")
        assert "before vs after this event" in diff
        assert '"attempted" → "failed"' in diff
        assert "- publish.target" in diff


async def test_event_tab_shows_pretty_json_and_raw_line_with_offset():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("colon", "2", "enter")
        await ready(pilot)
        text = static_text(app, "#event-view")
        raw = Path(sample("publish_post.jsonl")).read_bytes().split(b"\n")
        offset = len(raw[0]) + 1
        assert f"line 2 · byte offset {offset}" in text
        assert '"sha": "a1b2"' in text
        assert raw[1].decode() in text


async def test_k_pauses_follow_and_f_and_G_resume_it():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("k")
        assert not app.following and "paused" in static_text(app, "AppHeader")
        await pilot.press("f")
        assert app.following and cursor_seq(app) == 8
        await pilot.press("k", "k")
        assert cursor_seq(app) == 6 and not app.following
        await pilot.press("G")
        assert app.following and cursor_seq(app) == 8
        await pilot.press("pageup")
        assert cursor_seq(app) == 1 and not app.following
        await pilot.press("j", "down")
        assert cursor_seq(app) == 3


async def test_s_exports_the_state_at_the_cursor(copy_sample, tmp_path, monkeypatch):
    path = copy_sample("publish_post.jsonl")
    monkeypatch.chdir(tmp_path)  # the proposed name is in the current directory
    before = Path(path).read_bytes()
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("colon", "5", "enter")
        await ready(pilot)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")  # the proposed name
        out = tmp_path / "publish_post.jsonl.snapshot-5.json"
        await wait_for(pilot, out.exists, what="snapshot file")
        data = json.loads(out.read_text())
        assert data["seq"] == 5
        assert data["state"]["publish"] == {"status": "failed", "error": "429 rate limited"}
        await pilot.press("s")  # a second export proposes a new name
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, (tmp_path / "publish_post.jsonl.snapshot-5-2.json").exists)
    assert Path(path).read_bytes() == before


async def test_c_shows_compaction_review_and_w_writes_new_file(copy_sample, tmp_path, monkeypatch):
    path = copy_sample("publish_post.jsonl")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # the default file goes to the current directory, not beside the log
    before = Path(path).read_bytes()
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: app.plan is not None, what="plan")
        await pilot.pause()
        text = static_text(app, "#compaction-view")
        assert "keep 5, drop 3" in text
        assert "✓ verified" in text
        assert "overwritten (3)" in text
        assert "#4⤳5" in text and "#5⤳7" in text and "#7⤳8" in text
        await pilot.press("w")
        await pilot.pause()
        from agentlog_tui.tui.path_prompt import PathPromptScreen

        assert isinstance(app.screen, PathPromptScreen)
        await pilot.press("enter")
        out = work / "publish_post.compacted.jsonl"
        await wait_for(pilot, out.exists, what="compacted file")
        lines = [json.loads(x)["seq"] for x in out.read_text().splitlines()]
        assert lines == [1, 2, 3, 6, 8]
        # an existing file is never replaced silently: overwrite? y/n
        mine = work / "mine.jsonl"
        mine.write_text("mine\n")
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("ctrl+u", *"mine.jsonl", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PathPromptScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert mine.read_text() == "mine\n"
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("ctrl+u", *"mine.jsonl", "enter")
        await pilot.pause()
        await pilot.press("y")  # replace it
        await wait_for(pilot, lambda: mine.read_text() != "mine\n", what="replaced file")
        assert [json.loads(x)["seq"] for x in mine.read_text().splitlines()] == [1, 2, 3, 6, 8]
        # asking to write over the input is refused, even when confirmed, and the input is untouched
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("ctrl+u", *path, "enter")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: any("refusing" in str(n.message) for n in app._notifications),
                       what="refusal")
    assert Path(path).read_bytes() == before


async def test_question_mark_opens_help_and_escape_closes_it():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        from agentlog_tui.tui.screens import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        assert "hide / show superseded" in static_text(app.screen, "#help-text")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_q_quits():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_command_palette_offers_the_app_actions():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        from agentlog_tui.tui.commands import AgentlogCommands

        provider = AgentlogCommands(app.screen)
        names = [hit.text async for hit in provider.discover()]
        for name in ("Go to event id", "Filter", "Hide superseded", "Compaction review",
                     "Export snapshot", "Follow", "Help", "Quit", "Mark for diff",
                     "Marks at cursor"):
            assert name in names
        assert "Next match" not in names  # no filter active: hidden, as in the Footer
        assert "Write compacted log" not in names
        assert "Marks at head" not in names  # already at the head


async def test_footer_hides_inapplicable_bindings():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.check_action("next_match", ()) is False
        assert app.check_action("hide_superseded", ()) is True
        assert app.check_action("write_compacted", ()) is False
        bindings = {b.id for b in app.BINDINGS}
        assert {"goto", "filter", "prev_resume", "next_resume", "mark", "hide_superseded",
                "follow", "export", "compaction", "help", "quit"} <= bindings
        assert all(b.description for b in app.BINDINGS)


async def test_scrubber_click_jumps_to_that_part_of_the_log():
    app = app_for("long_run.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        n = app.model.n_lines
        await pilot.click("Scrubber", offset=(1, 0))
        await wait_for(pilot, lambda: app.timeline.cursor_line < n // 20, what="jump to start")
        assert not app.following
        await pilot.click("Scrubber", offset=(59, 0))
        await wait_for(pilot, lambda: abs(app.timeline.cursor_line - n // 2) < n // 20,
                       what="jump to middle")


async def test_scrubber_density_counts_each_event_in_the_cell_of_its_line():
    """The bar's shade per cell: the share of superseded events among the events drawn there
    (the cells are computed from ranges of positions, checked here event by event)."""
    from agentlog_tui.tui.scrubber import SHADES, Scrubber

    app = app_for("long_run.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        bar = app.query_one(Scrubber)
        a, sup = app.model.a, bar.derived.superseded
        n = app.model.n_lines
        assert sum(sup) and n > 200
        for width in (7, 60, 117, 200):
            counts, totals = [0] * width, [0] * width
            for p, line in enumerate(a.event_lines):
                x = min(width - 1, line * width // n)
                totals[x] += 1
                counts[x] += sup[p]
            cells = bar._build_cells(width)
            for x in range(width):
                if not totals[x] or cells[x][0] != "━":  # no event, or a marker drawn over it
                    continue
                frac = counts[x] / totals[x]
                want = "#5f875f" if frac == 0 else SHADES[min(3, int(frac * 4))]
                assert cells[x][1] == want, (width, x)


async def test_malformed_lines_show_red_with_the_parser_message():
    app = app_for("malformed.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        rows = screen_rows(app)
        malformed = [r for r in rows if r.startswith("✗")]
        assert len(malformed) == len(app.model.a.malformed) >= 5
        assert all("malformed" in r for r in malformed)
        assert any("no type" in r for r in malformed)
        assert "⚠" in static_text(app, "AppHeader")
        # the red style is on the row
        tl = app.timeline
        y = next(i for i, r in enumerate(rows) if r.startswith("✗"))
        strip = tl.render_line(y)
        assert any(seg.style and seg.style.color and seg.style.color.name == "red" for seg in strip)


async def test_r_shows_marks_at_the_cursor_and_back_at_the_head():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await goto_seq(pilot, 5)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.timeline.derived.at == 4, what="marks at #5")
        rows = screen_rows(app)
        # at #5, publish_failed's status is still visible: #5 is live; #4 was overwritten by it
        assert not rows[4].startswith("░") and "publish_failed" in rows[4]
        assert rows[3].startswith("░") and rows[3].rstrip().endswith("⤳5")
        assert not any(r.startswith("░") for r in rows[:3])
        # after the cursor: no marks (#6, the resume, keeps its boundary marker)
        assert rows[5].startswith("─") and rows[6].startswith("·") and rows[7].startswith("·")
        assert "⤳" not in rows[6]
        header = static_text(app, "AppHeader")
        assert "marks @#5" in header and "░ 1 superseded" in header
        assert app.check_action("marks_at_head", ()) and not app.check_action("marks_at_cursor", ())
        # h hides what is superseded at the cursor: only #4
        await pilot.press("h")
        await wait_for(pilot, lambda: app.timeline.rows is not None, what="rows hidden")
        assert visible_seqs(app) == [1, 2, 3, 5, 6, 7, 8]
        await pilot.press("h")
        await wait_for(pilot, lambda: app.timeline.rows is None, what="rows shown")

        await pilot.press("r")
        await pilot.pause()
        rows = screen_rows(app)
        assert [i + 1 for i, r in enumerate(rows[:8]) if r.startswith("░")] == [4, 5, 7]
        header = static_text(app, "AppHeader")
        assert "marks @" not in header and "░ 3 superseded" in header


async def test_marks_at_the_cursor_follow_the_cursor():
    app = app_for("publish_post.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await goto_seq(pilot, 5)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.timeline.derived.at == 4, what="marks at #5")
        await pilot.press("j", "j")  # to #7 publish_retried, which overwrote #5's status
        await wait_for(pilot, lambda: app.timeline.derived.at == 6, what="marks at #7")
        rows = screen_rows(app)
        assert rows[4].startswith("░") and rows[4].rstrip().endswith("⤳7")
        assert rows[7].startswith("·")
        assert "marks @#7" in static_text(app, "AppHeader")


async def test_a_log_bigger_than_the_first_index_opens_at_once_then_ends_on_its_last_event(tmp_path):
    path = tmp_path / "big.jsonl"
    n = 4000  # ~0.5 MB: more than the 256 KB indexed before the first screen
    lines = []
    for i in range(1, n + 1):
        ts = f"2026-11-26T{9 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
        lines.append(json.dumps({"seq": i, "ts": ts, "type": "step_done",
                                 "data": {"step": i, "note": "x" * 80}}) + "\n")
    path.write_text("".join(lines))
    app = AgentlogApp(str(path), {}, watch=False)
    assert not app.model.a.log.fully_indexed  # the first screen does not wait for the index
    assert 0 < app.model.n_lines < n
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.timeline.n_rows == n
        assert cursor_seq(app) == n and app.following
        assert "4,000 events" in static_text(app, "AppHeader")
        assert screen_rows(app)[-1].split()[0] == str(n)
