"""Typo tolerance: map the words of a question onto words the index actually contains.

The rules follow Meilisearch's typo tolerance
(https://www.meilisearch.com/docs/learn/relevancy/typo_tolerance_settings): no typo in words of
under 5 letters, one typo from 5 letters, two from 9; the first letter is never the typo. A typo
is one insertion, deletion, substitution or swap of neighbouring letters (optimal string
alignment distance), so "mountian" is one typo away from "mountain".

Candidates come from the ``vocabulary`` table through an index on (first letter, length), so a
correction reads a few hundred or thousand words of one bucket, never the whole vocabulary.
An everyday word the articles happen not to use is corrected against English instead
("comming" is "coming"), from wordfreq's commonest words.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.engine.words import english_zipf_frequency

MIN_SPLIT_PART = 3
REAL_WORD_ZIPF = 4.0
# The misspellings people type are rarer in English than this ("comming" 2.6, "recieve" 2.8,
# "definately" 2.9); words as common are words ("swims" 3.0, "stunts" 3.4).
TYPO_MAX_ZIPF = 3.0
MIN_DERIVATION_STEM = 6
MAX_TIED_CORRECTIONS = 5
FAMILY_LIMIT = 50  # words of one stem family at most, the commonest
MIN_SHORTENED = 4  # a word this long may be a shortening ("insta")
MAX_COMPLETION_STEMS = 2  # ... of one of at most this many stems in the vocabulary


def everyday(word: str) -> bool:
    """Is ``word`` everyday English, not to be read as a typo ("president" is no misspelled
    "present") or as two words run together?"""
    return english_zipf_frequency(word) >= REAL_WORD_ZIPF


def typed_as_meant(word: str) -> bool:
    """Is ``word`` an English word in its own right, never corrected to another ("swims" is
    no typo of "swiss", though the articles have only the one)?"""
    return english_zipf_frequency(word) >= TYPO_MAX_ZIPF


@dataclass(frozen=True)
class Known:
    """A vocabulary word: its stem and in how many passages it occurs."""

    word: str
    stem: str
    df: int


class Family(NamedTuple):
    """The words of one stem family, and whether rarer ones were left out."""

    members: list[Known]
    cut_short: bool


def typo_budget(word: str) -> int:
    """How many typos a word of this length may contain (Meilisearch's defaults)."""
    if len(word) >= 9:
        return 2
    if len(word) >= 5:
        return 1
    return 0


class Vocabulary:
    """Read access to the index's vocabulary: exact look-ups, typo correction, word splits."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def lookup(self, word: str) -> Known | None:
        row = self.conn.execute(
            "SELECT word, stem, df FROM vocabulary WHERE word = ?", (word,)
        ).fetchone()
        return Known(*row) if row else None

    def lookup_stem(self, stem: str) -> Known | None:
        """The commonest word with this stem: "directing" is asked, the articles say "directed"."""
        row = self.conn.execute(
            "SELECT word, stem, df FROM vocabulary WHERE stem = ? ORDER BY df DESC LIMIT 1",
            (stem,),
        ).fetchone()
        return Known(*row) if row else None

    def stem_family(self, stem: str) -> Family:
        """Every indexed word with this stem ("jump", "jumps", "jumped", ...), and for a stem of
        ``MIN_DERIVATION_STEM`` letters or more, with a stem that extends it ("direct" finds
        "director"): the ``FAMILY_LIMIT`` commonest."""
        upper = stem + "\U0010ffff" if len(stem) >= MIN_DERIVATION_STEM else stem
        rows = self.conn.execute(
            "SELECT word, stem, df FROM vocabulary WHERE stem >= ? AND stem <= ? "
            "ORDER BY df DESC LIMIT ?",
            (stem, upper, FAMILY_LIMIT + 1),
        )
        members = [Known(*row) for row in rows]
        return Family(members[:FAMILY_LIMIT], cut_short=len(members) > FAMILY_LIMIT)

    def corrections(self, word: str, *, other_than_itself: bool = False) -> list[Known]:
        """The vocabulary words fewest typos away from ``word`` (within its budget), commonest
        first, at most ``MAX_TIED_CORRECTIONS``: "mcquarie" is one typo from "macquarie" and
        from "mcquarrie", and which one is meant is for the question's other words to tell.
        ``other_than_itself``: for a word the vocabulary has, the others. A word of English
        ("swims", "antagonist") is only the right spelling of the articles' misspelling
        ("antagnonist"), never a typo of another word ("swiss")."""
        budget = typo_budget(word)
        if budget == 0 or not word.isalpha() or everyday(word):
            return []
        rows = self.conn.execute(
            "SELECT word, stem, df FROM vocabulary "
            "WHERE substr(word, 1, 1) = ? AND length(word) BETWEEN ? AND ?",
            (word[0], len(word) - budget, len(word) + budget),
        ).fetchall()
        if not rows:
            return []
        matches = process.extract(
            word,
            [row[0] for row in rows],
            scorer=OSA.distance,
            score_cutoff=budget,
            limit=20,
        )
        if other_than_itself:
            matches = [m for m in matches if m[1] > 0]
        if typed_as_meant(word):
            matches = [m for m in matches if not typed_as_meant(m[0])]
        if not matches:
            return []
        fewest = min(distance for _, distance, _ in matches)
        tied = sorted(
            (index for _, distance, index in matches if distance == fewest),
            key=lambda index: (-rows[index][2], rows[index][0]),
        )
        return [Known(*rows[index]) for index in tied[:MAX_TIED_CORRECTIONS]]

    def completions(self, word: str) -> Known | None:
        """The word ``word`` shortens ("insta" for "instagram"), when the vocabulary has words
        of at most ``MAX_COMPLETION_STEMS`` stems starting with it (its commonest), for words of
        ``MIN_SHORTENED`` letters or more; an everyday word shortens none ("long" is no
        "longtime", "gold" no "golden")."""
        if len(word) < MIN_SHORTENED or not word.isalpha() or everyday(word):
            return None
        rows = self.conn.execute(
            "SELECT word, stem, df FROM vocabulary WHERE word > ? AND word < ? "
            "ORDER BY df DESC LIMIT ?",
            (word, word + "\U0010ffff", 4 * MAX_COMPLETION_STEMS),
        ).fetchall()
        found = [Known(*row) for row in rows if len(row[0]) >= len(word) + 2]
        if not found or len({k.stem for k in found}) > MAX_COMPLETION_STEMS:
            return None
        return found[0]

    def split(self, word: str) -> list[Known] | None:
        """A run-together word ("skydiving" for "sky diving") as two indexed words, if any; an
        everyday word is none ("outside" is no "out side", "killed" no "kil led")."""
        if not word.isalpha() or everyday(word):
            return None
        best: tuple[int, list[Known]] | None = None
        for cut in range(MIN_SPLIT_PART, len(word) - MIN_SPLIT_PART + 1):
            left, right = self.lookup(word[:cut]), self.lookup(word[cut:])
            if left and right:
                rarity = min(left.df, right.df)
                if best is None or rarity > best[0]:
                    best = (rarity, [left, right])
        return best[1] if best else None


# --- everyday words mistyped, against English -----------------------------------------------

# An unknown word rarer in English than TYPO_MAX_ZIPF, one typo from a word this common, is read
# as that word ("comming" 2.6 is "coming" 5.4; "villian" 2.1 is "villain" 3.9).
EVERYDAY_MIN_ZIPF = 3.5
ENGLISH_WORDS = 20_000  # wordfreq's commonest English words (Zipf 3.3 and up): corrected to


@lru_cache(maxsize=1)
def english_buckets() -> dict[tuple[str, int], list[str]]:
    """wordfreq's commonest English words common enough to correct to, by first letter and
    length (loaded on the first question needing it)."""
    from wordfreq import top_n_list

    buckets: dict[tuple[str, int], list[str]] = {}
    for word in top_n_list("en", ENGLISH_WORDS):  # commonest first: no frequency looked up
        if word.isalpha() and word.isascii():
            buckets.setdefault((word[0], len(word)), []).append(word)
    return buckets


@lru_cache(maxsize=4096)
def english_correction(word: str) -> str | None:
    """The common English word one typo from a rare ``word`` (same first letter), the
    commonest if several: for an everyday word the articles may not use at all."""
    if len(word) < 5 or not word.isalpha() or typed_as_meant(word):
        return None
    buckets = english_buckets()
    candidates = [
        w
        for size in (len(word) - 1, len(word), len(word) + 1)
        for w in buckets.get((word[0], size), ())
        if OSA.distance(word, w, score_cutoff=1) <= 1
    ]
    common = [w for w in candidates if english_zipf_frequency(w) >= EVERYDAY_MIN_ZIPF]
    return max(common, key=english_zipf_frequency, default=None)
