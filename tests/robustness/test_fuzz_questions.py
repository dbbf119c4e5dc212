"""Any string as a question: an answer or "nothing found", never an exception, never a word
that is not in the articles."""

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.search import Searcher
from tests.conftest import SEEDS

SYNTAX = [
    '"',
    "*",
    "-",
    ":",
    "(",
    ")",
    "^",
    "+",
    "NEAR(",
    "NEAR",
    "AND",
    "OR",
    "NOT",
    "text:",
    "passages_fts:",
    "{",
    "}",
    "'",
    "\\",
    "\x00",
    "\u202e",
    "\u200f",
    "\u0301",
    "🪂",
    "\n",
    "\t",
]
WORDS = ["HALO", "jump", "Cruise", "motorbike", "mision", "imposible", "Norway", "13,000", "MI:7"]

questions = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(SYNTAX + WORDS) | st.text(max_size=8), max_size=40).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


ARTICLES = collapse(" ".join(p.read_text(encoding="utf-8") for p in Path(SEEDS).iterdir()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=questions)
def test_any_question_is_answered_or_declined(searcher: Searcher, question: str) -> None:
    answer = searcher.ask(question)
    assert answer.question == question
    assert answer.answered == bool(answer.excerpts)
    assert answer.answered or answer.note
    for excerpt in answer.excerpts:
        assert len(excerpt.text) <= 400
        assert collapse(excerpt.text) in ARTICLES  # verbatim: no invented word
        for start, end in excerpt.highlights:
            assert 0 <= start < end <= len(excerpt.text)


def test_a_hundred_thousand_characters(searcher: Searcher) -> None:
    answer = searcher.ask("HALO jump " * 10_000)
    assert answer.answered and "HALO" in answer.excerpts[0].text
