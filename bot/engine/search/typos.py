"""Typos in a question, as the question reader meets them.

The vocabulary finds the words a typo away (``bot.engine.spelling``: Meilisearch's budgets,
exact matches first); this module decides, for one question against one index, which reading
is meant: an everyday English word mistyped where the articles know neither it nor a word one
typo away ("comming", "villian"), a rare word a large index holds as a common misspelling
("plaen"), and, of a typo's equally close corrections, the one the question's other words
support ("mcquarie instagram": "mcquarrie").
"""

from __future__ import annotations

import math
import re
import sqlite3
from typing import TYPE_CHECKING

from bot.engine.spelling import Known, Vocabulary, english_correction, typed_as_meant

if TYPE_CHECKING:
    from bot.engine.search.question import Term

RESOLVED_WORDS = 20_000  # question words (and corrections) remembered per index
EVERYDAY_WORD_RE = re.compile(r"\b[a-zA-Z]{5,}\b")
MISSPELLING_RATIO = 50  # the everyday word this much commoner in the index: the other's a typo
MISSPELT_MAX_PASSAGES = 20  # ... and a typo the index has is in at most this many passages
# Nats of evidence for a less common correction of a typo to win (see best_supported).
CORRECTION_EVIDENCE = 2.0
CORRECTION_CONTEXT = 4  # the question's rarest other terms it is judged by


class Typos:
    """The typo decisions for one open index; remembers them for the next question."""

    def __init__(self, conn: sqlite3.Connection, vocabulary: Vocabulary, passages: int) -> None:
        self.conn = conn
        self.vocabulary = vocabulary
        self.passage_count = passages
        self._everyday: dict[str, str] = {}  # see fix_everyday
        self._corrections: dict[tuple[str, str], Known | None] = {}

    def fix_everyday(self, text: str) -> str:
        """``text`` with each everyday word mistyped ("comming", "villian") written right, when
        the articles know neither it nor a word one typo away: then the question reads as meant
        ("comming out" asks for a release) and its word is looked up as the articles write it."""

        def fix(match: re.Match[str]) -> str:
            word = match.group()
            if word[:1].isupper():
                return word
            lowered = word.lower()
            found = self._everyday.get(lowered)
            if found is None:
                found = english_correction(lowered) or lowered
                if found != lowered and not self.misspelt_here(lowered, found):
                    found = lowered
                if len(self._everyday) >= RESOLVED_WORDS:
                    self._everyday.clear()
                self._everyday[lowered] = found
            return word if found == lowered else found

        return EVERYDAY_WORD_RE.sub(fix, text)

    def misspelt_here(self, word: str, meant: str) -> bool:
        """Is ``word`` (rare in English, one typo from the everyday ``meant``) a typo here too:
        the articles have no word one typo from it, or have it far more rarely than ``meant``
        (a large index holds the common misspellings: "comming" in 5 passages, "coming" in
        5,000)?"""
        known = self.vocabulary.lookup(word)
        if known is None:
            return not self.vocabulary.corrections(word)
        common = self.vocabulary.lookup(meant)
        return common is not None and common.df >= MISSPELLING_RATIO * known.df

    def commoner_spelling(self, word: str, found: Known) -> list[Known]:
        """For a word the index has in few passages but English barely knows ("plaen": a large
        index holds the common typos), the words one typo away that the index has far more
        often."""
        if found.df > MISSPELT_MAX_PASSAGES or typed_as_meant(word):
            return []
        others = self.vocabulary.corrections(word, other_than_itself=True)
        return [k for k in others if k.df >= MISSPELLING_RATIO * found.df]

    def best_supported(self, typo: Term, terms: list[Term]) -> Known | None:
        """Of ``typo``'s equally close corrections, the one whose passages hold the question's
        other words far more often than chance would put them there ("mcquarie instagram":
        "mcquarrie", 2 of its 5 passages with "instagram" or "post", rather than "macquarie",
        1 of 73: chance gives either about 0.5); None when none stands out."""
        others = sorted(
            (t for t in terms if t is not typo and t.known and t.film_id is None),
            key=lambda t: t.df,
        )[:CORRECTION_CONTEXT]
        if not others:
            return None
        context = " OR ".join(f'"{w}"' for w in sorted({w for t in others for w in t.words}))
        key = (typo.asked, context)
        if key not in self._corrections:
            if len(self._corrections) >= RESOLVED_WORDS:
                self._corrections.clear()
            self._corrections[key] = self.found_beyond_chance(typo.alternatives, context, others)
        return self._corrections[key]

    def found_beyond_chance(
        self, alternatives: tuple[Known, ...], context: str, others: list[Term]
    ) -> Known | None:
        """The one of ``alternatives`` found with the ``context`` query far beyond chance."""
        absent = math.prod(1 - min(t.df / self.passage_count, 1.0) for t in others)
        best, best_evidence = None, CORRECTION_EVIDENCE
        for known in alternatives:
            together = self.conn.execute(
                "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?",
                (f'"{known.word}" AND ({context})',),
            ).fetchone()[0]
            expected = max(known.df * (1 - absent), 1e-9)
            if together <= expected:
                continue
            # Poisson evidence (half the G statistic) that ``together`` beats ``expected``.
            evidence = together * math.log(together / expected) - together + expected
            if evidence > best_evidence:
                best, best_evidence = known, evidence
        return best
