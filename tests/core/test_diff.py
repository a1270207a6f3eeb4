"""Structural diffs and the path format people read."""

from __future__ import annotations

import pytest

from agentlog_tui.core.diff import diff_values, format_path


@pytest.mark.parametrize(
    ("path", "text"),
    [((), "(root)"), (("publish", "status"), "publish.status"),
     (("draft", "drafts/x.md", "sha"), 'draft["drafts/x.md"].sha'), (("context", 3), "context[3]"),
     (("a b",), '["a b"]'), (("x", "7"), 'x["7"]')],
)
def test_format_path(path, text):
    assert format_path(path) == text


def test_diff_values_by_key_and_index():
    old = {"a": 1, "b": [1, 2, 3], "c": {"d": 1}, "n": 1}
    new = {"a": 2, "b": [1, 5], "e": None, "n": 1.0}
    got = [(c.path, c.kind, c.old, c.new) for c in diff_values(old, new)]
    assert got == [
        (("a",), "changed", 1, 2), (("b", 1), "changed", 2, 5), (("b", 2), "removed", 3, None),
        (("c",), "removed", {"d": 1}, None), (("e",), "added", None, None),
    ]
