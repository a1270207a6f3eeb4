"""Issue 14, the rest: the finding badge counts what `check` counts; huge payloads and base64
images in the inspector; `s` and `w` ask for a path and never overwrite without asking; the
stacked inspector's room at 80x24; Codex history previews.

Each behaviour runs at 80x24 and at 200x60 (the size is in the test's name)."""

from __future__ import annotations

import base64
import re

import orjson
import pytest
from tui_fixtures import (
    CLAUDE_SESSION,
    CODEX_SESSION,
    _assistant,
    _call,
    _cx,
    _result,
    _user,
    write,
)
from tui_helpers import goto_seq, ready, static_text, tree_text, wait_for

from agentlog_tui.tui.app import AgentlogApp
from agentlog_tui.tui.cli import main as cli_main

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((200, 60), id="200x60")]

# The Claude Code session with what its audit finds: a duplicate uuid (line 15 reuses u5's), a
# parentUuid naming no record (16), a result whose call is nowhere (17), a call never answered (18:
# the session went on without its result)
CLAUDE_AUDITED: list[dict] = [
    *CLAUDE_SESSION,
    _user("u5", "a5", "09.000", "again, with the same uuid"),                           # 15
    _user("u7", "ghost", "10.000", "a parent that is not in the file"),                # 16
    _result("u8", "u7", "11.000", "t_nowhere", "output of a call never made"),        # 17
    _assistant("a9", "u8", "12.000", "m9", _call("t_open", "Bash", command="make")),  # 18
    _user("u9", "a9", "13.000", "never mind, stop"),                                  # 19
]


def check_count(path: str, capsys) -> int:
    """The number of findings `agentlog-tui check` reports (as its own exit code sums them)."""
    capsys.readouterr()
    code = cli_main(["check", "--json", path])
    doc = orjson.loads(capsys.readouterr().out)
    n = (len(doc["malformed"]) + len(doc["anomalies"]) + int(doc["pending_tail"])
         + sum(r["findings"] for r in doc["resumes"]))
    assert code == (1 if n else 0)
    return n


@pytest.mark.parametrize("size", SIZES)
async def test_finding_badge_counts_what_check_counts(tmp_path, capsys, size):
    path = write(tmp_path / "audited.jsonl", CLAUDE_AUDITED)
    with open(path, "ab") as fh:  # noqa: ASYNC230 - before the app runs
        fh.write(b"{not json\n")  # and a malformed line
    expected = check_count(path, capsys)
    assert expected >= 5  # the four audit findings and the malformed line at least
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: app.audit_count is not None, what="the audit")
        await pilot.pause()
        assert app.audit_count == expected
        assert f"⚠ {expected} findings" in static_text(app, "AppHeader")


@pytest.mark.parametrize("size", SIZES)
async def test_finding_badge_clean_log_says_integrity(tmp_path, capsys, size):
    path = write(tmp_path / "clean.jsonl", CLAUDE_SESSION)
    assert check_count(path, capsys) == 0
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: app.audit_count is not None, what="the audit")
        await pilot.pause()
        assert app.audit_count == 0
        assert "✓ integrity" in static_text(app, "AppHeader")


# ---- s and w ask for the path --------------------------------------------------------------


def prompt_value(app) -> str:
    from textual.widgets import Input

    return app.screen.query_one("#path-input", Input).value


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.mark.parametrize("size", SIZES)
async def test_s_asks_for_a_free_name_and_confirms_overwrite(tmp_path, monkeypatch, size):
    from agentlog_tui.tui.path_prompt import PathPromptScreen

    path = write(tmp_path / "session.jsonl", CLAUDE_SESSION)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work / "session.jsonl.snapshot-14.json").write_text("taken\n")
    mine = work / "mine.json"
    mine.write_text("mine\n")
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, PathPromptScreen)
        # a free name in the current directory (the first one is taken)
        assert prompt_value(app) == str(work / "session.jsonl.snapshot-14-2.json")
        await pilot.press("escape")  # cancel: a toast, nothing written
        await pilot.pause()
        assert not isinstance(app.screen, PathPromptScreen)
        assert any("cancelled" in n for n in notes(app))
        assert sorted(p.name for p in work.iterdir()) == ["mine.json",
                                                            "session.jsonl.snapshot-14.json"]
        # an existing file: asked, n goes back to the name, y replaces it
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("ctrl+u", *"mine.json", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PathPromptScreen)
        assert "exists: overwrite it?" in static_text(app.screen, "#path-hint")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PathPromptScreen)
        assert mine.read_text() == "mine\n"
        assert prompt_value(app) == "mine.json"  # n is not typed into the name
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: mine.read_text() != "mine\n", what="replaced file")
        assert orjson.loads(mine.read_bytes())["seq"] == 14
        assert (work / "session.jsonl.snapshot-14.json").read_text() == "taken\n"


@pytest.mark.parametrize("size", SIZES)
async def test_w_proposes_a_free_name_and_asks_before_overwriting(tmp_path, monkeypatch, size):
    from agentlog_tui.tui.path_prompt import PathPromptScreen

    path = write(tmp_path / "session.jsonl", CLAUDE_SESSION)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work / "session.compacted.jsonl").write_text("taken\n")
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: app.plan is not None, what="plan")
        await pilot.pause()
        assert app.plan.verified and app.plan.dropped
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, PathPromptScreen)
        assert prompt_value(app) == str(work / "session.compacted-2.jsonl")
        await pilot.press("ctrl+u", *"session.compacted.jsonl", "enter")  # edited to a taken name
        await pilot.pause()
        assert "exists: overwrite it?" in static_text(app.screen, "#path-hint")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PathPromptScreen)
        assert any("cancelled" in n for n in notes(app))
        assert (work / "session.compacted.jsonl").read_text() == "taken\n"
        assert sorted(p.name for p in work.iterdir()) == ["session.compacted.jsonl"]
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("enter")  # the free name
        out = work / "session.compacted-2.jsonl"
        await wait_for(pilot, out.exists, what="compacted file")
        assert len(out.read_text().splitlines()) == len(app.plan.kept)


# ---- huge payloads and base64 images -------------------------------------------------------

B64 = base64.b64encode(bytes(range(256)) * 285).decode()  # 72,960 bytes: "71 KB" decoded
IMAGE = "[image/png, 71 KB base64]"
BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{200,}")  # what printed base64 looks like


def image_result() -> dict:
    """A Claude Code Read of a screenshot: the image in the tool result and in toolUseResult
    (the line is ~197 KB)."""
    rec = _user("u9", "a9", "09.500", [{"tool_use_id": "t9", "type": "tool_result", "content": [
        {"type": "text", "text": "screenshot taken"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": B64}}]}])
    rec["toolUseResult"] = {"type": "image", "file": {"base64": B64, "type": "image/png",
                                                      "originalSize": 72960}}
    return rec


HUGE_OUTPUT = "".join(f"line {i:05d} of a long build log\n" for i in range(4000))  # ~124 KB
CLAUDE_PAYLOADS: list[dict] = [
    *CLAUDE_SESSION,
    _assistant("a9", "a5", "09.000", "m9", _call("t9", "Read", file_path="/tmp/shot.png")),  # 15
    image_result(),                                                                          # 16
    _assistant("a10", "u9", "10.000", "m10", _call("t10", "Bash", command="make")),          # 17
    _result("u10", "a10", "11.000", "t10", HUGE_OUTPUT),                                     # 18
]
CODEX_IMAGE: list[dict] = [
    *CODEX_SESSION,
    _cx("07.000", "response_item", {"type": "message", "role": "user", "content": [
        {"type": "input_text", "text": "what is on this screen?"},
        {"type": "input_image", "image_url": "data:image/png;base64," + B64}]}),          # 8
]


def event_view_text(app) -> str:
    return static_text(app, "#event-view")


@pytest.mark.parametrize("size", SIZES)
async def test_event_tab_names_a_base64_image_in_every_view(tmp_path, size):
    path = write(tmp_path / "session.jsonl", CLAUDE_PAYLOADS)
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await goto_seq(pilot, 16)
        await ready(pilot)
        await pilot.press("2")
        for view in ("readable", "json"):
            text = event_view_text(app)
            # the readable view is the format's ("[image]"); the JSON and raw line name it here
            assert (IMAGE if view == "json" else "[image") in text, view
            assert not BASE64_RUN.search(text), view  # never printed
            # the ~197 KB line is laid out as a few KB of text, not as its base64
            assert len(text) < 12_000, (view, len(text))
            if view == "readable":
                await pilot.press("v")
                await pilot.pause()
        assert "raw line" in event_view_text(app)
        # the image is not a "huge payload": nothing to show all
        assert not app.inspector.event_cut


@pytest.mark.parametrize("size", SIZES)
async def test_huge_output_is_cut_and_plus_shows_it_all(tmp_path, size):
    path = write(tmp_path / "session.jsonl", CLAUDE_PAYLOADS)
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await goto_seq(pilot, 18)
        await ready(pilot)
        await pilot.press("2")
        text = event_view_text(app)
        assert "line 00000 of a long build log" in text
        assert "line 03999" not in text
        assert re.search(r"… \d+ KB more, press \+ to show all", text)  # where it is cut
        assert "huge payload: its first ~8 KB shown, press + to show all" in text.split(
            "line 00000")[0]  # and at the top, where the tab opens
        assert len(text) < 12_000
        assert "show_all" in {b.binding.id for b in app.active_bindings.values()
                              if b.enabled}  # in the footer while something is cut
        await pilot.press("plus")
        await pilot.pause()
        text = event_view_text(app)
        assert "line 03999 of a long build log" in text
        assert "show all" not in text
        assert not app.inspector.event_cut
        # the next record is cut again; a record that is not cut says so when + is pressed
        await goto_seq(pilot, 17)
        await ready(pilot)
        await pilot.press("plus")
        await pilot.pause()
        assert any("nothing is cut" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize("size", SIZES)
async def test_codex_input_image_data_url_is_named(tmp_path, size):
    path = write(tmp_path / "rollout.jsonl", CODEX_IMAGE)
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await goto_seq(pilot, 8)
        await ready(pilot)
        await pilot.press("2")
        for view in ("readable", "json"):
            text = event_view_text(app)
            assert not BASE64_RUN.search(text), view
            assert len(text) < 12_000, view
            if view == "readable":
                await pilot.press("v")
                await pilot.pause()
        assert text.count(IMAGE) == 2  # the JSON view and the raw line name it


@pytest.mark.parametrize("size", SIZES)
async def test_state_tree_and_values_name_base64_images(tmp_path, size):
    # a log whose projection keeps the image in the state (the generic agentlog format)
    recs = [{"seq": 1, "ts": "2026-01-01T09:00:00Z", "type": "page_opened",
             "data": {"key": "home", "url": "https://example.org"}},
            {"seq": 2, "ts": "2026-01-01T09:00:01Z", "type": "page_captured",
             "data": {"key": "home", "screenshot": "data:image/png;base64," + B64,
                      "shot": {"media_type": "image/png", "data": B64}}}]
    path = write(tmp_path / "pages.jsonl", recs)
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        tree = tree_text(app)
        assert f"screenshot: \"{IMAGE}\"" in tree
        assert f"data: \"{IMAGE}\"" in tree
        assert not BASE64_RUN.search(tree)
        await pilot.press("3")  # the Diff tab shows the new values by name too
        await pilot.pause()
        diff = static_text(app, "#diff-view")
        assert IMAGE in diff and not BASE64_RUN.search(diff)


# ---- Codex history previews ----------------------------------------------------------------

CODEX_REASONING: list[dict] = [
    *CODEX_SESSION[:2],
    _cx("01.500", "response_item", {"type": "reasoning", "summary": [
        {"type": "summary_text", "text": "**Running the tests first**\nthen reading the failure"}],
        "content": None, "encrypted_content": "gAAAAB…"}),                                   # 3
    *CODEX_SESSION[2:],
]


@pytest.mark.parametrize("size", SIZES)
async def test_codex_history_items_read_without_expanding(tmp_path, size):
    path = write(tmp_path / "rollout.jsonl", CODEX_REASONING)
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        from agentlog_tui.tui.inspector import StateTree

        root = app.query_one(StateTree).root
        nodes = {n.data.path: n for n in root.children if n.data is not None}
        items = [c.label.plain.removesuffix("  ◀ changed") for c in nodes[("history",)].children]
        assert items == [
            "0  user: Run the tests",
            "1  reasoning: **Running the tests first** then reading the failure",
            "2  shell pytest -q · done",
            "3  ↳ shell: (1 lines, exit 2) 1 failed",
            "4  shell grep -n nothing a.py · done",
            "5  ↳ shell: (0 lines, exit 1)",
            "6  assistant: One test fails.",
        ]
        calls = nodes[("calls",)].label.plain
        assert calls == "calls {2}  shell pytest -q · done, shell grep -n nothing a.py · done"
        assert not any("{" in i for i in items)  # no field counts: the previews say it all


# ---- the stacked inspector's room at 80x24 -------------------------------------------------


def long_session(n: int = 30) -> list[dict]:
    """A Claude Code session of `n` prompts and answers, then a tool call and its result: the
    last event changes a message far down the context."""
    recs: list[dict] = []
    parent = None
    for i in range(n):
        u, a = f"u{i}", f"a{i}"
        recs.append(_user(u, parent, f"{i:02d}.000", f"question {i}: what is in part {i}?"))
        recs.append(_assistant(a, u, f"{i:02d}.500", f"m{i}",
                               {"type": "text", "text": f"answer {i}: part {i} holds a parser"}))
        parent = a
    recs.append(_assistant("ax", parent, "59.000", "mx", _call("tx", "Bash", command="make test")))
    recs.append(_result("ux", "ax", "59.500", "tx", "2 tests failed", is_error=True))
    return recs


def tree_rows(app) -> int:
    from agentlog_tui.tui.inspector import StateTree

    return app.query_one(StateTree).scrollable_content_region.height


@pytest.mark.parametrize("size", SIZES)
async def test_changed_node_is_scrolled_to_the_top_of_the_state_tree(tmp_path, size):
    from agentlog_tui.tui.inspector import StateTree

    path = write(tmp_path / "long.jsonl", long_session())
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await goto_seq(pilot, 61)  # the Bash call: a new message at the end of the context
        await ready(pilot)
        tree = app.query_one(StateTree)
        await wait_for(pilot, lambda: tree.cursor_node is not None and tree.cursor_node.data
                       is not None and tree.cursor_node.data.path == ("context", "mx"),
                       what="cursor on the changed message")
        await pilot.pause(0.1)
        node = tree.cursor_node
        top = round(tree.scroll_offset.y)
        height = tree.scrollable_content_region.height
        assert top <= node.line < top + height  # in view
        # near the top (one row of context above), unless the tree ends before a screenful
        assert node.line - top <= 1 or top == round(tree.max_scroll_y)
        # what it holds, expanded below it, is in view too
        assert node.is_expanded and node.children
        assert node.children[0].line < top + height


async def test_stacked_inspector_has_room_and_z_gives_it_more_80x24(tmp_path):
    path = write(tmp_path / "long.jsonl", long_session())
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.inspector.region.y >= app.timeline.region.bottom  # stacked
        before = tree_rows(app)
        assert before >= 7  # the inspector has the larger share (3 tree rows before)
        tl_rows = app.timeline.scrollable_content_region.height
        assert tl_rows >= 5
        await pilot.press("z")
        await pilot.pause()
        assert tree_rows(app) >= before + 3
        assert app.timeline.scrollable_content_region.height == 3
        tl = app.timeline
        top = round(tl.scroll_offset.y)
        assert top <= tl.cursor < top + 3  # the cursor's row stays in view
        await pilot.press("z")
        await pilot.pause()
        assert tree_rows(app) == before


async def test_z_widens_the_inspector_side_by_side_200x60(tmp_path):
    path = write(tmp_path / "long.jsonl", long_session())
    app = AgentlogApp(path, watch=False)
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        width = app.inspector.region.width
        await pilot.press("z")
        await pilot.pause()
        assert app.inspector.region.width >= width + 30
        assert app.inspector.region.y == app.timeline.region.y  # still side by side
