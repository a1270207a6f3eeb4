"""`safe_text`: the one sanitizer for terminal text removes every code point a terminal could
interpret (C0, DEL, C1, bidi controls, lone surrogates) and shows it instead."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentlog_tui.core.safetext import UNSAFE, is_safe, safe_text

BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]


@pytest.mark.parametrize("cp", [*range(0x20), 0x7F, *range(0x80, 0xA0), *BIDI, 0xD800, 0xDC80, 0xDFFF])
def test_every_dangerous_code_point_is_replaced(cp):
    out = safe_text(f"a{chr(cp)}b")
    assert chr(cp) not in out
    assert out.startswith("a") and out.endswith("b") and len(out) > 2
    assert is_safe(out)
    out.encode("utf-8")  # no lone surrogate left: printable on any UTF-8 terminal


def test_stand_ins():
    assert safe_text("\x1b]0;PWNED\x1b\\") == "␛]0;PWNED␛\\"
    assert safe_text("\x9b31m") == "\\x9b31m"
    assert safe_text("abc\u202edef") == "abc\\u202edef"
    assert safe_text("x\ud800") == "x\\ud800"
    assert safe_text("tab\there\nnl\x7f") == "tab␉here␊nl␡"


def test_printable_text_is_unchanged():
    for s in ("", "plain", "émoji 🎉 中文", "quotes \"' and \\ backslash", "\u00a0nbsp", "ﬁ"):
        assert safe_text(s) == s


def test_non_strings():
    assert safe_text(12) == "12"
    assert safe_text(None) == "None"
    assert safe_text(b"\x1b[31m\xff") == "␛[31m\ufffd"
    assert safe_text(("a\x1b",)) == "('a\\x1b',)"  # repr of a tuple escapes by itself

    class Hostile:
        def __str__(self):
            raise RuntimeError("no")

        def __repr__(self):
            raise RuntimeError("no")

    assert safe_text(Hostile()) == "<Hostile>"
    assert safe_text(10 ** 5000) == "<int>"  # str() refuses ints this long: still no crash


_DANGEROUS = st.sampled_from([chr(c) for c in sorted(UNSAFE)])


@given(st.lists(st.one_of(st.characters(), _DANGEROUS), max_size=50).map("".join))
def test_property_nothing_unsafe_survives_and_idempotent(s):
    out = safe_text(s)
    assert not any(ord(c) in UNSAFE for c in out)
    assert safe_text(out) == out
    out.encode("utf-8")
