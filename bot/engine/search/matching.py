"""Which of a question's terms a sentence holds: the one place sentences meet terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.search.question import Term
from bot.engine.words import stem, tokens


@dataclass
class Sentence:
    """A passage row with what ranking needs."""

    id: int
    article_id: str
    paragraph: int
    position: int
    text: str
    matched: int = 0  # bit i set: Question.terms[i] is in the sentence
    coverage: float = 0.0  # the question's share found here and around (see chance.Measure)
    chance: float = 0.0  # passages expected to match as well by coincidence (log)
    words: list[str] | None = None  # its tokens
    score: float = 0.0  # the model's (see search.model)
    # Two sentences side by side in a paragraph, quoted together (see features.windows).
    parts: tuple[Sentence, ...] = ()

    @property
    def span(self) -> int:
        """How many sentences it quotes."""
        return len(self.parts) or 1

    def joined(self, following: Sentence) -> Sentence:
        """This sentence and the next one, as one quote."""
        return Sentence(
            self.id,
            self.article_id,
            self.paragraph,
            self.position,
            f"{self.text} {following.text}",
            matched=self.matched | following.matched,
            words=[*(self.words or ()), *(following.words or ())],
            parts=(self, following),
        )


# Capitalised words in a row, small words allowed between them: "United Kingdom", "Bank of
# England"; their initials may be what a question abbreviates ("uk", "boe").
CAPITALISED_RUN_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -](?:(?:of|and|the|for) )?[A-Z][a-z]+)+")
INITIAL_SKIPS = frozenset("of and the for".split())


def spelt_initials(text: str) -> set[str]:
    """The initials of every run of capitalised words in ``text`` (and of its stretches), with
    and without its small words: "the United Kingdom" gives "uk"."""
    found = set()
    for match in CAPITALISED_RUN_RE.finditer(text):
        words = re.split(r"[ -]", match.group())
        content = [w for w in words if w.lower() not in INITIAL_SKIPS]
        for run in (words, content):  # "Bank of England": "boe" and "be"
            letters = "".join(w[0] for w in run).lower()
            for start in range(len(letters)):
                for end in range(start + 2, len(letters) + 1):
                    found.add(letters[start:end])
    return found


class Matcher:
    """Which of a question's terms a sentence holds, as a bit mask (bit i: ``terms[i]``): a
    set intersection of the sentence's words with the terms' words, in C for the most part."""

    def __init__(self, terms: list[Term]) -> None:
        self.bits: dict[str, int] = {}
        for i, term in enumerate(terms):
            if term.known and term.film_id is None:
                for word in term.words:
                    self.bits[word] = self.bits.get(word, 0) | 1 << i
        self.runs = [(1 << i, t.parts) for i, t in enumerate(terms) if t.known and t.parts]
        # the words to look for: the terms' own, and the first of each run
        self.words = frozenset(self.bits) | {run[0] for _, run in self.runs}
        self.stems = {t.stem: 1 << i for i, t in enumerate(terms) if t.known and t.stems and t.stem}
        self.initials = [(1 << i, t.initials) for i, t in enumerate(terms) if t.initials]
        # Consecutive question terms, for "side by side".
        self.pairs = [
            (1 << i, 1 << (i + 1))
            for i in range(len(terms) - 1)
            if terms[i].known and terms[i + 1].known
        ]

    def match(self, text: str) -> tuple[int, list[str]]:
        """The terms in ``text``, and its words."""
        words = tokens(text)
        mask = 0
        found = self.words.intersection(words)
        for word in found:
            mask |= self.bits.get(word, 0)
        if self.stems:
            for word in words:
                mask |= self.stems.get(stem(word), 0)
        for bit, run in self.runs:
            if not mask & bit and run[0] in found and has_run(words, run):
                mask |= bit
        if self.initials and any(c.isupper() for c in text[1:]):
            spelt = spelt_initials(text)
            for bit, letters in self.initials:
                if letters in spelt:
                    mask |= bit
        return mask, words

    def side_by_side(self, sentence: Sentence) -> int:
        """How many consecutive question terms stand side by side here ("Rogue Nation"), at
        most 3."""
        words = sentence.words
        if not words or not self.pairs or not sentence.matched & (sentence.matched - 1):
            return 0
        bits = [self.bits.get(word, 0) for word in words]
        found = 0
        for first, second in self.pairs:
            if (
                sentence.matched & first
                and sentence.matched & second
                and any(a & first and b & second for a, b in zip(bits, bits[1:], strict=False))
            ):
                found += 1
        return min(found, 3)


def has_run(words: list[str], run: tuple[str, ...]) -> bool:
    """Do ``run``'s words stand side by side, in order, in ``words``?"""
    if not run:
        return False
    return any(tuple(words[i : i + len(run)]) == run for i in range(len(words) - len(run) + 1))
