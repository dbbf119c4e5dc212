"""What a cue needs to know beyond the words next to a title: the article's people and places,
whether it, a sentence or a clause speaks of films, and whether a word is everyday English.

Worked out lazily, per article, only when a cue asks: most candidate phrases have no cue.
"""

from __future__ import annotations

import re

from bot.engine.films.cue_words import CLAUSE_BREAKS, FILM_CONTEXT_RE
from bot.engine.films.phrases import everyday


class Article:
    """One article's text and capitalised phrases: the surnames it uses ("Tom Cruise" when
    "Cruise" stands alone, and "Cruise" when "Tom Cruise" is there), the words it puts after
    "in" or "at", and whether it speaks of films at all."""

    def __init__(self, text: str, segments: list[tuple[int, int]]) -> None:
        self.text = text
        self.segments = segments
        self._sets: tuple[set[str], set[str]] | None = None
        self._about_films: bool | None = None
        self.extended = False  # a cue took in words before or after its candidate span

    def is_person(self, surface: str) -> bool:
        if ":" in surface or surface[-1].isdigit():
            return False
        if self._sets is None:
            phrases = [self.text[s:e] for s, e in self.segments]
            singles = {p for p in phrases if " " not in p}
            surnames = {p.rsplit(" ", 1)[-1] for p in phrases if 1 <= p.count(" ") <= 2}
            self._sets = singles, surnames
        singles, surnames = self._sets
        words = surface.split()
        if len(words) == 1:
            return surface in surnames
        return len(words) <= 3 and words[-1] in singles

    def is_place(self, word: str, at: int) -> bool:
        """Does the article put ``word`` after "in", "at", "from" ... somewhere other than at
        ``at``? ("Lisbon's Teatro Tivoli" is no maker's film when the text says "in Lisbon".)"""
        pattern = rf"\b(?:in|at|from|near|outside|across)[ \u00a0]+{re.escape(word)}\b"
        return any(
            not match.start() <= at < match.end()
            for match in re.finditer(pattern, self.text, re.IGNORECASE)
        )

    def is_actor(self, name: str) -> bool:
        """Does the article credit ``name`` with acting ("Renn stars", "starring Renn", "the
        actor Renn")? An actor's possessive names a character as often as a film ("Tom
        Cruise's Ethan Hunt"); a director's names the film ("Okafor's The Long Quiet")."""
        word = re.escape(name)
        pattern = (
            rf"\b(?:actor|actress|star|starring|co-starring|co-star)[ \u00a0]+(?:\w+[ \u00a0]+)?"
            rf"{word}\b|\b{word}[ \u00a0]+(?:stars|starred|plays|played|co-stars|co-starred)\b"
        )
        return re.search(pattern, self.text) is not None

    def about_films(self) -> bool:
        if self._about_films is None:
            self._about_films = FILM_CONTEXT_RE.search(self.text) is not None
        return self._about_films


def in_sentence(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """Does the sentence around text[start:end] have a match of ``pattern`` outside it (a
    title's own words, "Kite Season", say nothing about its sentence)?"""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), text.rfind("? ", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    right = min(right_candidates) if right_candidates else len(text)
    return (
        pattern.search(text, left + 1, start) is not None
        or pattern.search(text, end, right) is not None
    )


def speaks_of_films(text: str, start: int, end: int) -> bool:
    """Does the clause around a quoted title speak of films? A clause, not the sentence:
    '"Absolutely Everyone Is Welcome" is the slogan, and screenings will be held ...'. The
    sentence is read first: most quotes have no film word anywhere near them."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), text.rfind("? ", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    right = min(right_candidates) if right_candidates else len(text)
    before = FILM_CONTEXT_RE.search(text, left + 1, start)
    after = FILM_CONTEXT_RE.search(text, end, right)
    if before is None and after is None:
        return False
    if before is not None:  # in the quote's clause: after the last break before it
        cut = max(text.rfind(mark, left + 1, start) for mark in CLAUSE_BREAKS)
        if cut < 0 or FILM_CONTEXT_RE.search(text, cut, start) is not None:
            return True
    if after is not None:  # or before the first break after it
        cuts = [at for at in (text.find(mark, end, right) for mark in CLAUSE_BREAKS) if at >= 0]
        if not cuts or FILM_CONTEXT_RE.search(text, end, min(cuts)) is not None:
            return True
    return False


def specific(surface: str) -> bool:
    """Is a title specific enough for a medium cue: several words, a number, or one word that
    is not everyday English ("Overpass", not "Ladder")?"""
    return " " in surface or surface[-1].isdigit() or not everyday(surface)
