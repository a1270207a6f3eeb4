"""one_line collapses only the start of a long value (a performance change, issue 11): it must
answer exactly what collapsing the whole value did."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agentlog_tui.core.formats.claude_code import one_line


def whole(value: str, width: int) -> str:
    """The definition: collapse every whitespace run, controls as '?', cut to width."""
    s = " ".join(value.split())
    s = "".join(c if c >= " " and c != "\x7f" else "?" for c in s)
    return s if len(s) <= width else s[: width - 1] + "…"


@settings(max_examples=300, deadline=None)
@given(value=st.text(alphabet=st.sampled_from("ab \n\t\x00\x1f\x7f\x85\xa0\u2028é\x1c"), max_size=3000),
       width=st.sampled_from([1, 2, 10, 100, 140, 200]))
def test_one_line_of_a_prefix_equals_one_line_of_the_whole_value(value, width):
    assert one_line(value, width) == whole(value, width)


def test_one_line_of_a_long_output_with_a_long_blank_start():
    value = " \n" * 50_000 + "x" * 500
    assert one_line(value, 100) == "x" * 99 + "…"
