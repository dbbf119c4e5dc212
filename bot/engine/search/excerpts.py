"""Excerpts: the ranked sentences as quotes a person reads, cited and highlighted.

An excerpt is a sentence, or two side by side (ranked as one: see ``features``); further
excerpts must score a fair share of the best one; a "how many" question whose close answers
from different articles share no figure gets a note saying so.
"""

from __future__ import annotations

import sqlite3

from bot.engine.model import Excerpt
from bot.engine.search.answer_spotting import numbers_in
from bot.engine.search.matching import Sentence
from bot.engine.search.question import Question, Term
from bot.engine.words import stem, token_spans

MAX_EXCERPT_CHARS = 400
MIN_RELATIVE_SCORE = 0.6  # further excerpts must score this share of the best one
DISAGREEMENT_SCORE = 0.6  # answers this close to the best one that differ are a disagreement


def excerpts(
    conn: sqlite3.Connection,
    question: Question,
    ranked: list[Sentence],
    top: int,
) -> list[Excerpt]:
    """Excerpts from the ``ranked`` sentences and pairs of sentences (best first, ``score`` a
    probability), none quoting a sentence twice."""
    if not ranked:
        return []
    best = ranked[0].score
    chosen: list[Excerpt] = []
    used: set[tuple[str, int]] = set()
    for sentence in ranked:
        if len(chosen) >= top or sentence.score < best * MIN_RELATIVE_SCORE:
            break
        if (sentence.article_id, sentence.position) in used:
            continue
        group = list(sentence.parts) or [sentence]
        if any((s.article_id, s.position) in used for s in group):
            continue
        used.update((s.article_id, s.position) for s in group)
        chosen.append(make_excerpt(conn, group, sentence.score, question))
    return chosen


def make_excerpt(
    conn: sqlite3.Connection, group: list[Sentence], score: float, question: Question
) -> Excerpt:
    text = " ".join(s.text for s in group)
    title, url = conn.execute(
        "SELECT title, url FROM articles WHERE id = ?", (group[0].article_id,)
    ).fetchone()
    return Excerpt(
        text=text,
        source=group[0].article_id,
        title=title,
        url=url,
        paragraph=group[0].paragraph,
        score=round(score, 4),
        highlights=highlights(text, question.terms),
        first_position=group[0].position,
        last_position=group[-1].position,
    )


def highlights(text: str, terms: list[Term]) -> tuple[tuple[int, int], ...]:
    """Offsets of the words in ``text`` that match the question, for bolding."""
    spans = []
    for word, start, end in token_spans(text):
        if any(
            t.known and (word in t.words or word in t.title_words or stem(word) == t.stem)
            for t in terms
        ):
            spans.append((start, end))
    return tuple(spans)


def disagreement_note(question: Question, chosen: list[Excerpt]) -> str | None:
    """A "how many" question whose close answers from different articles share no figure."""
    if question.wants not in ("number", "amount", "measure") or not chosen:
        return None
    close = [e for e in chosen if e.score >= DISAGREEMENT_SCORE * chosen[0].score]
    figures: dict[str, frozenset[str]] = {}
    for excerpt in close:
        figures.setdefault(excerpt.source, numbers_in(excerpt.text) - question.asked_tokens)
    found = [f for f in figures.values() if f]
    if any(a.isdisjoint(b) for i, a in enumerate(found) for b in found[i + 1 :]):
        return "The articles give different figures; each is shown with its source."
    return None
