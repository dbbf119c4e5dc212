"""Ordinals that name a film by its number: "the seventh installment", "the 7th film (in the X
franchise)". Each is a number for ``merge_films`` to resolve against the franchises it knows
(``mentions`` makes each a weak mention); a question's ordinals are read with the same words
(``names``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.engine.films.cue_words import CLOSE_QUOTE
from bot.engine.films.phrases import JOIN, SP, WORD


class Ordinal(NamedTuple):
    """Where an ordinal stands in a text, its number, and the franchise it names, if any."""

    start: int
    end: int
    number: int
    series: str | None


ORDINAL_WORDS = (
    "second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
).split()
ORDINAL_NUMBERS = {word: n for n, word in enumerate(ORDINAL_WORDS, start=2)}
# Last letters of an ordinal ("seventh", "second", "third", "21st"), or of "film"/"movie" in
# "sixth film installment": anything else before a noun is not an ordinal.
ORDINAL_ENDINGS = frozenset({"th", "nd", "rd", "st", "lm", "ie"})
NUMERIC_ORDINAL_RE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")
ORDINAL_NOUNS = ("film", "movie", "installment", "instalment", "entry", "outing", "chapter")
# "... of the "X" franchise" after an ordinal: the franchise it counts in.
ORDINAL_SERIES_RE = re.compile(
    rf"{SP}+(?:of|in){SP}+the{SP}+[\"“‘']?(?P<series>{WORD}(?:{JOIN}{WORD})*)"
    rf"{CLOSE_QUOTE}{SP}+(?:franchise|series|saga)\b"
)


def find_ordinals(text: str) -> list[Ordinal]:
    """ "The seventh installment (of the X franchise)": a number to resolve in merge_films.
    Found from the nouns with str.find, then the word before them, for speed."""
    lower = text.lower()
    if len(lower) != len(text):  # "İ" lowers to two characters: keep offsets aligned
        lower = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    out = []
    for noun in ORDINAL_NOUNS:
        at = lower.find(noun)
        while at >= 0:
            ordinal = _ordinal_at(text, lower, at, noun)
            if ordinal is not None:
                out.append(ordinal)
            at = lower.find(noun, at + len(noun))
    return out


def _ordinal_at(text: str, lower: str, at: int, noun: str) -> Ordinal | None:
    if at < 4 or lower[at - 1] != " " or lower[at - 3 : at - 1] not in ORDINAL_ENDINGS:
        return None  # the common case: "the film", "a movie"
    words = lower[max(0, at - 24) : at].split()
    if not words:
        return None
    if words[-1] in ("film", "movie") and noun not in ("film", "movie") and len(words) >= 2:
        words = words[:-1]  # "sixth film installment": counted at "installment"
    elif noun in ("film", "movie") and lower.startswith(
        tuple(f" {n}" for n in ORDINAL_NOUNS), at + len(noun)
    ):
        return None  # "sixth film installment": counted at "installment"
    word = words[-1]
    number = ORDINAL_NUMBERS.get(word)
    if number is None:
        numeric = NUMERIC_ORDINAL_RE.fullmatch(word)
        number = int(numeric.group(1)) if numeric else None
    if number is None or number < 2:
        return None  # "the first movie to be shot in space" is seldom the franchise's first
    start = lower.rfind(word, 0, at)
    end = at + len(noun)
    if lower[end : end + 1].isalpha() and lower[end : end + 1] != "s":
        return None  # "filming"
    series = ORDINAL_SERIES_RE.match(text, end)
    return Ordinal(start, end, number, series.group("series") if series else None)
