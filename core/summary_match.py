"""Does a compaction summary keep a user's instruction? A documented, tested heuristic.

`in_summary(instruction, summary)` is true when the instruction's text (whitespace collapsed,
lower case) appears in the summary whole, or when at least half of its distinctive words appear
in it. Distinctive words are command-line options (`-q`, `--dry-run`) and runs of letters and
digits of 4 or more characters that are not common English words (STOPWORDS); a word appears
when it is a substring of the lowered summary (so "parse" is found in "parser"). An instruction with no distinctive word ("ok", "go on") has
nothing the summary could lose: true.
"""

from __future__ import annotations

import re

STOPWORDS = frozenset({
    "also", "that", "this", "with", "from", "have", "what", "when", "where", "which", "will",
    "would", "could", "should", "there", "their", "them", "then", "than", "they", "your", "yours",
    "into", "onto", "about", "after", "before", "again", "just", "only", "some", "more", "most",
    "very", "make", "sure", "please", "thanks", "thank", "like", "want", "need", "does", "doing",
    "done", "dont", "can't", "cant", "isnt", "wasn", "here", "okay", "yeah", "each", "other",
    "such", "been", "being", "were", "those", "these", "because", "while", "until", "over", "under",
    "between", "through",
})
WORD = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*|[A-Za-z0-9]{4,}")


def distinctive_words(text: str) -> list[str]:
    """The words of `text` a summary would have to mention (lower case, in order, no repeats)."""
    out: list[str] = []
    for w in WORD.findall(text):
        lw = w.lower()
        if lw not in STOPWORDS and lw not in out:
            out.append(lw)
    return out


def in_summary(instruction: str, summary: str) -> bool:
    """True when `summary` keeps `instruction` (see the module's docstring)."""
    s = " ".join(summary.lower().split())
    t = " ".join(instruction.lower().split())
    if t and t in s:
        return True
    words = distinctive_words(instruction)
    if not words:
        return True
    found = sum(1 for w in words if w in s)
    return found * 2 >= len(words)
