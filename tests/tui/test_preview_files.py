"""Previews of records keyed by file path name the files (Claude Code's `files`)."""

from agentlog_tui.tui.preview import preview


def test_records_keyed_by_path_are_named_by_file():
    files = {
        "/home/u/proj/core/app.py": {"op": "edit"},
        "C:\\Users\\u\\proj\\README.md": {"op": "write"},
        "/home/u/proj/tests/test_app.py": {"op": "read"},
        "/home/u/proj/setup.cfg": {"op": "read"},
    }
    assert preview(files) == "app.py (op: edit), README.md (op: write), test_app.py (op: read), …"


def test_records_keyed_by_id_stay_previews_of_their_items():
    calls = {"call_1": {"name": "shell", "call": "shell: ls", "status": "done"},
             "call_2": {"name": "shell", "call": "shell: pwd", "status": "failed"}}
    assert preview(calls) == "shell ls · done, shell pwd · failed"


def test_a_long_call_keeps_its_status_in_a_narrow_tree():
    # a Codex call or a Claude Code tool with a long command: the status came after 80 cells of
    # command, past the edge of an 80x24 inspector
    cmd = "pytest -q tests/test_very_long_module_name.py -k 'one and not two' --maxfail=1 -x"
    codex_item = {"call": f"shell: {cmd}", "call_id": "c1"}
    calls = {"c1": {"name": "shell", "status": "done"}}
    shown = preview(codex_item, 100, calls)
    assert shown.startswith("shell pytest -q tests/") and shown.endswith("… · done")
    assert len(shown) <= 6 + 40 + len(" · done")
    tool = {"name": "Bash", "input": cmd, "status": "error"}
    shown = preview(tool, 100)
    assert shown.startswith("Bash pytest -q") and shown.endswith("… · error")
    assert len(shown) <= 5 + 40 + len(" · error")
