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
