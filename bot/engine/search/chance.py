"""Chance: how many passages (or articles) of the index would match a question as well by
coincidence.

In a large index every English word is somewhere, and two or three of a question's words meet
in some sentence by coincidence ("godfather" beside "directions"). A sentence (with its
neighbours) is telling only if fewer than one passage of the index is expected to match as well
by chance: words scattered independently, each at its rate in the index or in English
(wordfreq), whichever is rarer, and as many tries as there are ways to pick that many of the
question's words. Retrieval picks the question's topic articles by it; abstention weighs it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from bot.engine.search.matching import Matcher, Sentence
from bot.engine.search.question import PASSAGE_WORDS, Question, Term

SPECIFIC_WORD_PASSAGES = 4  # one word alone passes if it is in at most this many passages
CHANCE_TOLERANCE = 1e-9  # log(4 / 4) is not always 0.0 in floating point
MIN_RATE = 1e-12
NEIGHBOUR_SHARE = 0.35  # what a neighbour's words count for in a sentence's coverage
# The topic: the articles of the best sentences beyond chance, up to ``TOPIC_ARTICLES``, each
# covering at least ``MIN_TOPIC_COVERAGE`` of the question and ``TOPIC_SHARE`` of the best.
TOPIC_ARTICLES = 5
MIN_TOPIC_COVERAGE = 0.3
TOPIC_SHARE = 0.3


class Measure:
    """A sentence's coverage of the question and its chance under one weighting of the
    question's terms; sums over bit masks are remembered (few distinct masks)."""

    def __init__(self, question: Question, weights: list[float]) -> None:
        self.question = question
        self.weights = weights
        self.total = sum(weights) or 1.0
        self.log_rates = [math.log(max(t.rate, MIN_RATE)) for t in question.terms]
        self.known = sum(1 for t in question.terms if t.known or t.initials)
        self._sums: dict[int, float] = {}

    def share(self, mask: int) -> float:
        """The share of the question's weight the terms in ``mask`` carry."""
        found = self._sums.get(mask)
        if found is None:
            found = sum(w for i, w in enumerate(self.weights) if mask >> i & 1) / self.total
            self._sums[mask] = found
        return found

    def cover(self, sentence: Sentence, sentences: dict[int, Sentence]) -> int:
        """Set the sentence's ``coverage``: its share of the question plus a discounted share
        from its neighbours; returns the terms only the neighbours hold."""
        around = neighbour_terms(sentence, sentences)
        sentence.coverage = self.share(sentence.matched) + NEIGHBOUR_SHARE * self.share(around)
        return around

    def chance(self, sentence: Sentence, around: int, matcher: Matcher) -> float:
        """How many passages of the index would match as well by coincidence (log): each
        word at its rate, a word of a neighbour in either one, two question words side by
        side as 1 in ``PASSAGE_WORDS``, times the ways to pick that many of the question's
        words; one word alone as its passages over ``SPECIFIC_WORD_PASSAGES``."""
        own = sentence.matched
        expected = math.log(self.question.passages)
        for i, log_rate in enumerate(self.log_rates):
            if own >> i & 1:
                expected += log_rate
            elif around >> i & 1:
                expected += min(0.0, math.log(2) + log_rate)
        count = (own | around).bit_count()
        if count == 1:
            return expected - math.log(SPECIFIC_WORD_PASSAGES)
        pairs = matcher.side_by_side(sentence)
        return expected - pairs * math.log(PASSAGE_WORDS) + math.log(math.comb(self.known, count))


def neighbour_terms(sentence: Sentence, sentences: dict[int, Sentence]) -> int:
    """The terms its neighbours (same article) hold that it does not."""
    mask = 0
    for neighbour_id in (sentence.id - 1, sentence.id + 1):
        neighbour = sentences.get(neighbour_id)
        if neighbour is not None and neighbour.article_id == sentence.article_id:
            mask |= neighbour.matched
    return mask & ~sentence.matched


def article_chance(found: list[int], terms: list[Term], articles: float) -> bool:
    """Is an article about the question beyond chance? ``found[i]``: its passages holding
    ``terms[i]``, ``found[-1]``: all its passages. How many of the index's ``articles`` would
    hold the same words as often by coincidence (each count a Poisson tail at the term's rate,
    times the ways to pick that many of the question's words) must be at most one: an article
    about Tom Cruise names him in a dozen passages, where chance gives 0.01."""
    expected = math.log(articles)
    picked = 0
    for term, count in zip(terms, found, strict=False):
        if count:
            picked += 1
            mean = found[-1] * max(term.rate, MIN_RATE)
            if mean < count:  # log P(X >= count), by its leading term
                expected += count * math.log(mean) - mean - math.lgamma(count + 1)
    known = sum(1 for t in terms if t.known)
    if 1 < picked <= known:
        expected += math.log(math.comb(known, picked))
    return expected <= CHANCE_TOLERANCE


def topic_articles(sentences: Iterable[Sentence], beyond_chance: bool = True) -> list[str]:
    """The articles of the best sentences beyond chance, covering ``MIN_TOPIC_COVERAGE`` of
    the question (unless told otherwise: any), see ``TOPIC_ARTICLES``."""
    best: dict[str, float] = {}
    for sentence in sentences:
        telling = sentence.chance <= CHANCE_TOLERANCE and sentence.coverage >= MIN_TOPIC_COVERAGE
        if sentence.matched and (telling or not beyond_chance):
            best[sentence.article_id] = max(best.get(sentence.article_id, 0.0), sentence.coverage)
    if not best:
        return []
    floor = TOPIC_SHARE * max(best.values())
    ranked = sorted(best, key=lambda article: (-best[article], article))
    return [article for article in ranked if best[article] >= floor][:TOPIC_ARTICLES]
