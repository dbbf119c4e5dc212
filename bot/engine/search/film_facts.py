"""What the articles say about one film (``briefing film``, ``/film``): the passages that
mention it and say the most (dates, figures, names, and film words such as release, director,
cast, stunt), one per article first."""

from __future__ import annotations

import sqlite3

from bot.engine.model import Excerpt
from bot.engine.search.answer_spotting import DATE_RE, names_in, numbers_in
from bot.engine.search.excerpts import excerpts
from bot.engine.search.matching import Sentence
from bot.engine.search.question import Question, Term
from bot.engine.search.retrieve import Retriever, film_passages_sql
from bot.engine.words import stem, tokens

FILM_FACT_STEMS = frozenset(
    "releas direct director star cast role stunt shot film shoot play plot sequel trailer "
    "premier debut villain antagonist produc written box".split()
)
FILM_PASSAGES = 2000


def informativeness(sentence: Sentence, question: Question) -> float:
    """How much a sentence about a film tells: a date, a figure, names, film words."""
    text = sentence.text
    stems = {stem(w) for w in tokens(text)}
    return (
        1.0
        + 0.3 * bool(DATE_RE.search(text))
        + 0.2 * bool(numbers_in(text) - question.asked_tokens)
        + 0.1 * min(len(set(names_in(text)) - question.asked_tokens), 4)
        + 0.15 * min(len(stems & FILM_FACT_STEMS), 3)
    )


def film_excerpts(
    conn: sqlite3.Connection, retriever: Retriever, title: str, film_id: int, top: int
) -> list[Excerpt]:
    term = Term(title, frozenset(), (), "", 1, 1.0, True, film_id=film_id)
    question = Question(title, [term], None, frozenset(tokens(title)))
    passage_ids = {
        row[0] for row in retriever.run(film_passages_sql([film_id], None, FILM_PASSAGES))
    }
    sentences = retriever.with_neighbours(list(passage_ids)) if passage_ids else {}
    for sentence in sentences.values():
        sentence.matched = int(sentence.id in passage_ids)
        sentence.score = informativeness(sentence, question) if sentence.matched else 0
    ranked = sorted(sentences.values(), key=lambda s: (-s.score, s.id))
    return excerpts(conn, question, ranked, top)
