"""Any string as a question: an answer or "nothing found", never an exception, never a word
that is not in the articles."""

import re
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.search import Searcher
from bot.engine.words import COMBINING_MARKS, CombiningMarks, normalise
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


def test_questions_of_every_character_leave_memory_bounded() -> None:
    """The accent-stripping table fills in as characters come; all of Unicode in questions must
    not make it hold a million entries (nor change what normalising gives)."""
    text = "".join(chr(code) for code in range(0x80, 0x30000) if not 0xD800 <= code < 0xE000)
    for start in range(0, len(text), 5_000):
        chunk = text[start : start + 5_000]
        decomposed = unicodedata.normalize("NFKD", chunk.casefold())
        expected = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        assert normalise(chunk) == expected
    assert len(COMBINING_MARKS) <= CombiningMarks.LIMIT
