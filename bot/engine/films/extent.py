"""Where a cued title starts and ends when the capitalised phrase is not all of it ("Salt on
the Wire (2013)", "the animated short Kettle and Crow", "The Copper Men, a Swedish heist
comedy"), and the number at its end ("Gravel Kings 3", "Harbor Lights III").
"""

from __future__ import annotations

import re

from bot.engine.films.context import Article
from bot.engine.films.cue_words import (
    AND_TITLE_RE,
    AWARD_WORD,
    CLOSERS,
    LEFT_JOIN_RE,
    OPEN_QUOTES,
    ROMAN_TAIL_RE,
)
from bot.engine.films.phrases import (
    ARTICLES,
    BREAK_WORDS,
    GLUED_LEFT,
    ROLE_WORDS,
    SP,
    WORD,
    everyday,
    sentence_initial,
)

AWARD_START_RE = re.compile(AWARD_WORD)
NUMBERED_RE = re.compile(r"^(.*?[A-Za-z])[ \u00a0:\-]*(\d{1,2})$")
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
# "The Weaver's " right before a title's last word: one title ("The Handmaid's Tale"), not a
# maker's possessive, which has no "The".
THE_OWNER_RE = re.compile(r"(?<![\w'’])The[ \u00a0][A-Z][a-z]+['’]s[ \u00a0]$")


def credit_ends(text: str, end: int) -> bool:
    """Does a title end as one in a list of credits ("appeared in X, Y and Z", "X as ...")
    rather than as a place ("appeared in New York for the premiere")?"""
    return text[end : end + 1] in CLOSERS or text.startswith(CREDIT_FOLLOWERS, end)


CREDIT_FOLLOWERS = (" and ", " as ", " alongside ", " opposite ", " with ", " or ")


def word_before(text: str, start: int) -> str:
    """The word before text[start:] (past an opening quote), lowercased."""
    end = start - 1 if start and text[start - 1] in OPEN_QUOTES else start
    words = text[max(0, end - 24) : end].split()
    return words[-1].lower() if words else ""


def extend_left(text: str, start: int, article: Article) -> int:
    """Where a title cued after its end begins, if its first words stand before a lowercase
    word titles use ("Salt on the Wire (2013)"): else ``start``."""
    owned = THE_OWNER_RE.search(text, max(0, start - 32), start)
    if owned is not None:  # "The Weaver's Son, which premiered at ...": a title's possessive
        article.extended = True
        return owned.start()
    match = LEFT_JOIN_RE.search(text, max(0, start - 48), start)
    if match is None or (match.start() and text[match.start() - 1] in GLUED_LEFT):
        if text[max(0, start - 4) : start] == "The " and sentence_initial(text, start - 4):
            article.extended = True
            return start - 4  # "The Copper Men, a Swedish heist comedy": the sentence's "The"
        return start
    first = match.group(1)
    words = first.split()
    if words[0] in ARTICLES:  # "a cameo in A Song for Lisette (2019)": a title's own article
        words = words[1:]
    elif words[0] in BREAK_WORDS or words[0] in ROLE_WORDS:
        return start
    if article.is_person(first) or AWARD_START_RE.match(words[0]):
        return start  # "Emily Blunt in Edge of Tomorrow (2014)", "an Oscar for Titanic (1997)"
    if len(words) == 1 and sentence_initial(text, match.start()) and everyday(first):
        return start  # "Scenes from Harbor Lights (2016)"
    article.extended = True
    return match.start()


def extend_and(text: str, end: int, article: Article) -> int:
    """Where "the animated short Kettle and Crow" ends: after a film noun, "X and Y" is one
    title (but "X and The Y" two, and not "X and Tom Cruise's ...")."""
    match = AND_TITLE_RE.match(text, end)
    if (
        match is None
        or text.startswith(("'s", "’s"), match.end())
        or match.group(1).split()[0] in BREAK_WORDS
    ):
        return end
    article.extended = True
    return match.end()


# "for" or "of" and one capitalised word, not the start of a full name ("the indie comedy Paper
# Lanterns for Emmett.", "the heist comedy A Season for Liars into ..."; not "Overpass for Annika
# Lindqvist"). Not "at", "in", "on": places, days and services follow a title after those.
SMALL_WORD_TAIL_RE = re.compile(rf"{SP}+(?:for|of)(?:{SP}+the)?{SP}+({WORD})(?![\w'’]|{SP}+[A-Z])")


def extend_small_word(text: str, end: int, article: Article) -> int:
    """Where a title cued before it ends when "for" or "of" and one more capitalised word follow
    ("the indie comedy Paper Lanterns for Emmett"): after that word, unless the article uses it
    as a person's surname ("the comedy Overpass for Lindqvist")."""
    match = SMALL_WORD_TAIL_RE.match(text, end)
    if match is None or article.is_person(match.group(1)) or match.group(1) in BREAK_WORDS:
        return end
    article.extended = True
    return match.end()


def numbered(surface: str) -> tuple[str, int] | None:
    """(series, number) of "Gravel Kings 3", "MI:7", "Harbor Lights III"; None without a
    number at the end (or with 0). Any phrase may be numbered ("World War II"): merge_films
    decides whether the series is a franchise."""
    if surface[-1].isdigit():
        match = NUMBERED_RE.match(surface)
        if match is None or match.group(2)[0] == "0":
            return None
        return match.group(1), int(match.group(2))
    match = ROMAN_TAIL_RE.match(surface)
    if match is not None:
        number = roman_number(match.group(2))
        if number is not None and 2 <= number <= 20:
            return match.group(1), number
    return None


def roman_number(numeral: str) -> int | None:
    """ "III" is 3, "XIV" 14; None if ``numeral`` is not how a Roman number is written."""
    total = 0
    for i, ch in enumerate(numeral):
        value = ROMAN_VALUES[ch]
        if i + 1 < len(numeral) and ROMAN_VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total if total and roman_numeral(total) == numeral else None


def roman_numeral(number: int) -> str:
    """3 as "III", 14 as "XIV" (for numbers below 40)."""
    out = ""
    for value, digits in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out, number = out + digits, number - value
    return out
