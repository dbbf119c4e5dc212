"""The cue in the words right before a title: "the film X", "the 1979 horror film X",
"starred in X", "a remake of X", "her previous film, X,", "Okafor's X", "In X, ...".

Read from the one or two words before a candidate (a string search, not a regex scan), for
every candidate phrase of every article: the common case, a word that is no cue, is decided
on that one word.
"""

from __future__ import annotations

from typing import NamedTuple

from bot.engine.films.context import Article
from bot.engine.films.cue_words import (
    APPEAR_VERBS,
    AUDIENCE_NOUNS,
    COMMA_NOUNS,
    DIRECT_VERBS,
    FILM_NOUNS_BEFORE,
    FILMING_VERBS,
    GENRE_NOUNS,
    LINEUP_RE,
    LIST_VERBS,
    MATERIAL_NOUNS,
    MEDIUM,
    NAMED_FILM_RE,
    NAMING_VERBS,
    NOT_FILM_MODIFIERS,
    NOT_FILM_NOUNS,
    OPEN_QUOTES,
    PRE_CUE_WORDS,
    ROLE_IN_RE,
    SEQUEL_NOUNS,
    STAR_VERBS,
    STRONG,
    YEAR_WORD_RE,
    Cue,
)
from bot.engine.films.phrases import ARTICLES, NOT_A_TITLE_ALONE, sentence_initial

# Internal pre-cue results: a noun before says the title is something else ("the novel X");
# "In X, ..." opens a sentence (a film if a director's credit follows).
NOT_FILM = "not-film"
IN_CLAUSE = "in-clause"


class Pre(NamedTuple):
    """The cue in the words right before a title, and how much it says (``STRONG``...)."""

    cue: str
    level: int
    year: int | None = None
    closed: bool = False  # the title must end a phrase: "her previous film, X, was ..."
    screen: bool = False  # only in a sentence about films or awards: "Okafor's X", "lost to X"
    lead: int = 0  # characters before the span that belong to the title: a cut "The "


def pre_cue(text: str, start: int, article: Article) -> Pre | None:
    """The cue in the words right before a title, if any."""
    i = start - 1
    if i >= 0 and text[i] in OPEN_QUOTES:
        i -= 1
    if i < 1 or text[i] not in " \u00a0":
        return None
    at = text.rfind(" ", max(0, i - 32), i) + 1
    last = text[at:i]
    if "\n" in last:  # a line break before the word: "Out\n\nIn"
        at += last.rindex("\n") + 1
        last = text[at:i]
    if not last:
        return None
    first = last[0]
    if first.islower():
        if last[-1] == ",":  # "her previous film, X, was shown"
            noun = last[:-1]
            if noun in FILM_NOUNS_BEFORE or noun in GENRE_NOUNS:
                return Pre(Cue.FILM_WORD, STRONG, closed=True)
            if noun in COMMA_NOUNS:  # "his debut, X."
                return Pre(Cue.FILM_WORD, MEDIUM, closed=True)
            return None
        if last[-1] == ":" and LINEUP_RE.search(text, max(0, at - 40), i - 1):
            return Pre(Cue.LISTED, MEDIUM, closed=True)  # "Also screening ...: A, B and C"
        if last not in PRE_CUE_WORDS:
            return None  # the common case, decided on one word
        return _pre_word(text, at, last, article)
    if first.isdigit():
        year = YEAR_WORD_RE.fullmatch(last)
        if year is not None and last[-1] == "s":  # "1996's X" if about films, not "2024's Olympics"
            return Pre(Cue.YEAR, STRONG, int(year.group(1))) if article.about_films() else None
        return None
    if last.endswith(("'s", "’s")):
        if text[max(0, at - 4) : at] == "The ":
            return None  # "The Weaver's Son": a title's own possessive, no maker's
        return _possessive(last[:-2], at, article)
    if last == "In" and sentence_initial(text, at):
        return Pre(IN_CLAUSE, MEDIUM)
    if last in ARTICLES and text[max(0, at - 2) : at] == ": ":  # "competition: The Lantern K"
        before = pre_cue(text, at, article)
        return before._replace(lead=start - at) if before is not None else None
    lower = last.lower()  # headline case: "The Documentary X"
    return _pre_word(text, at, lower, article) if lower in PRE_CUE_WORDS else None


def _pre_word(text: str, at: int, last: str, article: Article) -> Pre | None:
    """The cue of a lowercase cue word before a title, read with the word before it."""
    if last in NOT_FILM_NOUNS:
        return Pre(NOT_FILM, 0)
    if last == "in":  # "starred in X", "appeared in X" (medium: "appeared in London" too)
        if text.endswith(STAR_ENDINGS, max(0, at - 12), at):
            return Pre(Cue.CREDITS, STRONG)
        if article.about_films() and (
            text.endswith(APPEAR_ENDINGS, max(0, at - 12), at)
            or ROLE_IN_RE.search(text, max(0, at - 64), at)  # "plays a nurse in X"
        ):
            return Pre(Cue.CREDITS, MEDIUM, closed=True)
        return None
    if last in ("of", "to", "for", "from", "on"):
        if not text.endswith(PREPOSITION_ENDINGS, max(0, at - 12), at):
            return None  # "of London", "for Paris": the common case
        noun = _word_before_word(text, at)
        if noun in SEQUEL_NOUNS and last in ("of", "to"):
            return Pre(Cue.FILM_WORD, STRONG)  # "a remake of X", "the sequel to X"
        if noun in TRAILER_NOUNS:
            return Pre(Cue.FILM_WORD, STRONG)  # "the first trailer for X"
        if noun in MATERIAL_NOUNS:
            return Pre(Cue.FILM_WORD, MEDIUM)  # "the set of X", "the premiere of X"
        if noun in AUDIENCE_NOUNS and last in ("for", "of"):
            return Pre(Cue.FILM_WORD, MEDIUM, screen=True)  # "Tickets for X", "Fans of X"
        if noun in ("lost", "losing") and last == "to":
            return Pre(Cue.RELEASE, MEDIUM, screen=True)  # "lost to X" at an awards night
        if noun == "cast" and last == "of" and text.endswith("the cast ", max(0, at - 12), at):
            return Pre(Cue.CREDITS, MEDIUM, closed=True)  # "leads the cast of X"
        return None
    if last in FILMING_VERBS:  # "while filming X", "I shot X in nineteen days"
        return Pre(Cue.CREDITS, MEDIUM)
    if last in LIST_VERBS:  # "the lineup includes A, B and C"
        if LINEUP_RE.search(text, max(0, at - 48), at - 1):
            return Pre(Cue.LISTED, MEDIUM, closed=True)
        return None
    if last in DIRECT_VERBS:
        return Pre(Cue.CREDITS, STRONG)
    if last in NAMING_VERBS:  # "a second film, provisionally called X"
        if NAMED_FILM_RE.search(text, max(0, at - 48), at):
            return Pre(Cue.FILM_WORD, STRONG)
        return None
    before = _word_before_word(text, at).lower()
    year = YEAR_WORD_RE.fullmatch(before)
    if year is not None:  # "the 2018 spin-off X"
        return Pre(Cue.YEAR, STRONG, int(year.group(1)))
    if before in NOT_FILM_MODIFIERS:
        return Pre(NOT_FILM, 0)  # "the TV drama X"
    if last in FILM_NOUNS_BEFORE or last in GENRE_NOUNS:
        return Pre(Cue.FILM_WORD, STRONG)
    return None


# The word before "in", "of" or "to", as it ends the text before them.
TRAILER_NOUNS = frozenset(("trailer", "trailers", "teaser", "teasers"))
# The nouns a cue before "of", "to", "for", "from" or "on" needs, as the text before it ends.
PREPOSITION_ENDINGS = tuple(
    f"{noun} "
    for noun in SEQUEL_NOUNS
    | TRAILER_NOUNS
    | MATERIAL_NOUNS
    | AUDIENCE_NOUNS
    | {"lost", "losing", "cast"}
)
STAR_ENDINGS = tuple(f"{verb} " for verb in STAR_VERBS)
APPEAR_ENDINGS = tuple(f"{verb} " for verb in APPEAR_VERBS)


def _word_before_word(text: str, at: int) -> str:
    """The word before the one that starts at ``at`` (after a space or a line break)."""
    start = max(text.rfind(" ", max(0, at - 24), at - 1), text.rfind("\n", max(0, at - 24), at - 1))
    return text[start + 1 : at - 1]


def _possessive(owner: str, at: int, article: Article) -> Pre | None:
    """ "Okafor's X": the maker's film, in an article about films, unless the owner is a place
    ("Lisbon's Teatro Tivoli") or an actor ("Renn's Edith Marr"). Strong when the owner is a
    person the article names in full, medium otherwise (a studio's, or a maker named once:
    "Kaur's Monsoon Letters")."""
    if (
        owner in NOT_A_TITLE_ALONE
        or not article.about_films()
        or article.is_place(owner, at)
        or article.is_actor(owner)
    ):
        return None
    return Pre(Cue.POSSESSIVE, STRONG if article.is_person(owner) else MEDIUM, screen=True)
