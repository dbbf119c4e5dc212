"""Where a title may be: capitalised phrases, cut where two names run together, and quoted
title-case texts. Each is a candidate span that ``bot.engine.films.mentions`` then reads cues
around; a phrase alone is no evidence of a film.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import NamedTuple

from bot.engine.words import STOPWORDS

SP = r"[ \u00a0]"
WORD = r"[A-Z][A-Za-z0-9]*(?:['’\-][A-Za-z0-9]+)*"  # Cruise, Spider-Man, Ocean's, F9, MI7
# What may stand between two capitalised words of one title: a space, a lowercase joiner
# ("Edge of Tomorrow", "Harry Potter and the ..."), "&", or a subtitle separator.
JOIN = (
    rf"(?:{SP}+(?:(?:of{SP}+the|of|and{SP}+the|to{SP}+the|the|de|von|van|der){SP}+)?"
    rf"|{SP}*&{SP}*|:{SP}+|{SP}+[-–—]{SP}+)"
)
NUMBER = rf"(?:{SP}+|:)\d{{1,2}}(?![\d.:]?\d|,{SP}*\d|-\w)"  # "7" in "MI:7", not "May 27, 2022"
# No look-behind: it would cost a third of the scan; a word glued to the left is skipped in code.
PHRASE_RE = re.compile(rf"{WORD}(?:{JOIN}{WORD})*(?:{NUMBER})?")
GLUED_LEFT = frozenset("'’-&_") | frozenset("abcdefghijklmnopqrstuvwxyz0123456789")

# Capitalised words that end or start a capitalised phrase rather than belong to it: sentence
# openers and headline-case function words ("Cruise Jumps Off Cliff For Mission: Impossible 7").
# "The", "A", "An" stay when they open a title mid-sentence or after a subtitle separator.
BREAK_WORDS = frozenset(
    """A An The In On At For From With Without By To Of And Or But Nor So Yet As If When While
    After Before Since Until Because Although Though Unless Whether This That These Those His
    Her Its Their Our My Your He She It They We I You There Here Then Now Also Recently
    Meanwhile However Moreover Additionally Furthermore Still Even Just Only Well Sure Yes Is
    Are Was Were Would Can Could Should Shall Might Must Has Have Had Do Does Did Be Been Being
    Not Off Into Onto Over Under About Against""".split()
)
ARTICLES = frozenset({"The", "A", "An"})
# Titles and roles before a name ("Director McQuarrie"): the name is a person.
ROLE_WORDS = frozenset(
    """Director Actor Actress Producer Writer Coordinator President CEO Chairman Chairwoman Mr
    Mrs Ms Dr Sir Dame Senator Governor Minister Officer Spokesman Spokeswoman""".split()
)
# Capitalised in any sentence, so their capital says nothing about being a title.
ALWAYS_CAPITALISED = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
# One capitalised word that is never a title alone: a sentence's or headline's function word
# ("What", "More") or a month. A fifth of the candidates in a large collection, each of which
# would join a film whose title is that word, at every sentence it opens.
NOT_A_TITLE_ALONE = (
    BREAK_WORDS | ROLE_WORDS | {word.capitalize() for word in STOPWORDS | ALWAYS_CAPITALISED}
)
# Words that introduce a line with a colon without being the first half of a title (in any
# case: "EXCLUSIVE: Jessa Morrow has been tapped ...").
LABELS = frozenset(
    """Update Updated Note Editor Source Sources Photo Photos Image Images Video Credit Credits
    Warning Spoiler Spoilers Watch Read Related Exclusive Breaking Review Interview Caption
    Pictured Listen See Correction Disclosure Trailer Q""".split()
)
ANY_CASE_LABELS = LABELS | {label.upper() for label in LABELS}
EVERYDAY_ZIPF = 4.0  # as names.EVERYDAY_TITLE_ZIPF: "ladder", "static", "harvest" and above
LOWER_JOINERS = frozenset(
    "of the and a an to in on at for from with vs vs. de von van der or".split()
)
DASHES = frozenset({"-", "–", "—"})
# A name and a lowercase word hyphenated: an adjective ("Oscar-nominated", "Leeds-born"), no title.
COMPOUND_ADJECTIVE_RE = re.compile(r"[-‐][a-z]+$")
STOPPERS = BREAK_WORDS | ROLE_WORDS | DASHES | {f"{label}:" for label in ANY_CASE_LABELS}


class Segments(NamedTuple):
    """The capitalised phrases of a text: all of them (what tells people from titles), and
    those that may be titles (``candidates``)."""

    spans: list[tuple[int, int]]
    candidates: list[tuple[int, int]]


def segments(text: str, cue_words: frozenset[str] = frozenset()) -> Segments:
    """Capitalised phrases, cut where a sentence opener, headline-case function word, role or
    possessive shows that two names were run together ("In Mission Impossible: Fallout",
    "Tom Cruise's Top Gun: Maverick").

    A function word alone is no phrase, unless it comes right after one of ``cue_words`` ("the
    comedy Yes", "the film Up"). Nor is a sentence's first word a candidate when it is
    everyday English, the text writes it nowhere else, and no cue can follow it ("Anchor
    investors in the deal ...", "Static revenue ...": each would join a film called so, from
    any other article).
    """
    out: list[tuple[int, int]] = []
    openers: list[tuple[int, str]] = []  # sentence-initial single words, by place in out
    singles: set[str] = set()  # the other single words
    for match in PHRASE_RE.finditer(text):
        start, end = match.span()
        if start and text[start - 1] in GLUED_LEFT:
            continue  # inside a word: "eBay"
        phrase = match.group()
        if COMPOUND_ADJECTIVE_RE.search(phrase) and " " not in phrase:
            continue  # "the Oscar-nominated actress"
        if " " in phrase or "\u00a0" in phrase:
            parts = phrase.split()
            if (
                STOPPERS.isdisjoint(parts)
                and parts[0].rstrip(":") not in STOPPERS
                and not _inner_possessive(phrase)
            ):  # "Tom Cruise", "Mission: Impossible 7": nothing to cut
                out.append((start, end - 2 if phrase.endswith(("'s", "’s")) else end))
            else:
                _split_phrase(text, start, phrase, out)
        else:  # one word: kept fast
            if phrase.endswith(("'s", "’s")):
                phrase, end = phrase[:-2], end - 2
            if phrase not in NOT_A_TITLE_ALONE:
                if (
                    start < 2
                    or text[start - 1] == "\n"
                    or (text[start - 2] in ".!?:\n" and text[start - 1] == " ")
                ) and text[end : end + 1] == " ":  # "Anchor investors ...", sentence-initial
                    openers.append((len(out), phrase))
                else:
                    singles.add(phrase)
                out.append((start, end))
            elif (
                start > 2
                and text[start - 2].islower()
                and cue_words
                and _after_cue_word(text, start, phrase, cue_words)
            ):
                out.append((start, end))
    if openers:
        dropped = {
            i
            for i, word in openers
            if word not in singles and everyday(word) and not _cue_follows(text, out[i][1])
        }
        if dropped:
            return Segments(out, [span for i, span in enumerate(out) if i not in dropped])
    return Segments(out, out)


# Words after a title that are cues of their own ("Harvest sequel", "Anchor film").
CUES_AFTER = ("sequel", "prequel", "remake", "reboot", "film", "movie", "franchise", "series")


def _cue_follows(text: str, end: int) -> bool:
    """Might a cue follow a word that ends at ``end`` (before a space)? "Rocky (1976)",
    "Harvest sequel"."""
    return text[end + 1 : end + 2] == "(" or text.startswith(CUES_AFTER, end + 1)


@lru_cache(maxsize=65536)
def everyday(word: str) -> bool:
    """Is one capitalised word everyday English ("Ladder", "Static"), or a function word?"""
    return word in NOT_A_TITLE_ALONE or word.lower() in _everyday_words()


@lru_cache(maxsize=1)
def _everyday_words() -> frozenset[str]:
    """English words at least as common as EVERYDAY_ZIPF, from wordfreq's small list (loaded
    once per process, in a tenth of a second: its full list takes half a second)."""
    from wordfreq import get_frequency_dict

    least = 10 ** (EVERYDAY_ZIPF - 9)
    return frozenset(w for w, f in get_frequency_dict("en", "small").items() if f >= least)


# Function words that start longer titles rather than being one: never a phrase alone.
NOT_A_TITLE_EVEN_CUED = ARTICLES | frozenset(
    """In On At For From With Without By To Of And Or But Nor So As If When While After Before
    Since Until Because Although Though Unless Whether Into Onto Over Under About Against
    Off""".split()
)


def _after_cue_word(text: str, start: int, word: str, cue_words: frozenset[str]) -> bool:
    """Does a lowercase word of ``cue_words`` stand right before text[start:]?"""
    if (
        start < 3
        or text[start - 1] != " "
        or not text[start - 2].islower()
        or word in NOT_A_TITLE_EVEN_CUED
    ):
        return False
    at = text.rfind(" ", max(0, start - 24), start - 1) + 1
    return text[at : start - 1].lower() in cue_words


def _inner_possessive(phrase: str) -> bool:
    """Does a word before the last end in 's ("Tom Cruise's Top Gun")? (As any() over the
    words, at a tenth of the cost: the words are separated by a space or a no-break space.)"""
    return "'s " in phrase or "’s " in phrase or "'s\u00a0" in phrase or "’s\u00a0" in phrase


def _split_phrase(text: str, start: int, phrase: str, out: list[tuple[int, int]]) -> None:
    seg_start = -1
    seg_end = start
    after_separator = False
    parts = phrase.split()
    at = start
    for index, token in enumerate(parts):
        at = text.index(token, at)
        if token in DASHES:
            after_separator = seg_start >= 0
            at += len(token)
            continue
        word = token.rstrip(":")
        if (
            word in BREAK_WORDS
            or word in ROLE_WORDS
            or (word in ANY_CASE_LABELS and seg_start < 0 and token[-1] == ":")
        ) and not (
            word in ARTICLES
            and (after_separator or (seg_start < 0 and not sentence_initial(text, at)))
        ):
            if seg_start >= 0:
                _emit(text, seg_start, seg_end, out)
            seg_start, after_separator = -1, False
        else:
            if seg_start < 0:
                seg_start = at
            seg_end = at + len(word)
            after_separator = token[-1] == ":"
            if (
                word.endswith(("'s", "’s"))
                and index + 1 < len(parts)
                and not (index + 2 == len(parts) and text[seg_start:at] == "The ")
            ):  # "Tom Cruise's" ends here; "The Cartographer's Daughter" is one title's
                _emit(text, seg_start, seg_end, out)
                seg_start, after_separator = -1, False
        at += len(token)
    if seg_start >= 0:
        _emit(text, seg_start, seg_end, out)


def _emit(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """Add a phrase without a trailing possessive, separator or article."""
    while True:
        surface = text[start:end]
        if surface.endswith(("'s", "’s")):
            end -= 2
        elif surface.endswith((":", " -", " –", " —", " ")):
            end -= 1
        elif surface.endswith((" The", " A", " An")):
            end = text.rfind(" ", start, end)
        else:
            break
    if end > start:
        out.append((start, end))


def sentence_initial(text: str, at: int) -> bool:
    """Does text[at:] open a sentence (or a line, or a clause after a colon)?"""
    i = at - 1
    while i >= 0 and text[i] in " \u00a0\"“'‘(":
        i -= 1
    return i < 0 or text[i] in ".!?\n:"


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """The insides of double quotes, and of single quotes that open on a capital ('Mission
    8,'), found with str.find: a regex scan of the whole text would cost more than the rest."""
    marks = []
    for mark in '"“”':
        at = text.find(mark)
        while at >= 0:
            marks.append(at)
            at = text.find(mark, at + 1)
    marks.sort()
    spans = []
    opened = -1
    for at in marks:
        if opened < 0:
            if text[at] != "”":
                opened = at
        elif text[at] != "“":
            if "\n" not in text[opened:at]:
                spans.append((opened + 1, at))
            opened = -1
        else:
            opened = at
    for mark in "'‘":
        at = text.find(mark)
        while at >= 0:
            nxt = text[at + 1 : at + 2]
            if (nxt.isupper() or nxt.isdigit()) and (at == 0 or not text[at - 1].isalnum()):
                close = _single_quote_close(text, at + 1)
                if close > 0:
                    spans.append((at + 1, close))
            at = text.find(mark, at + 1)
    return spans


def _single_quote_close(text: str, start: int) -> int:
    for mark_at in (text.find("'", start, start + 62), text.find("’", start, start + 62)):
        if (
            mark_at > 0
            and not text[mark_at + 1 : mark_at + 2].isalnum()
            and "\n" not in text[start:mark_at]
        ):
            return mark_at
    return -1


def with_quoted(text: str, segments: list[tuple[int, int]]) -> dict[tuple[int, int], bool]:
    """Phrases and quoted title-case texts, as {(start, end): quoted}. A quoted title replaces
    the phrases inside it: the quotes say where the title begins and ends."""
    candidates = dict.fromkeys(segments, False)
    quoted = [span for s, e in _quote_spans(text) if (span := _title_like(text, s, e))]
    if quoted:
        starts = [s for s, _ in segments]
        for qs, qe in quoted:
            first = bisect_left(starts, qs)
            for span in segments[max(0, first - 1) : bisect_right(starts, qe)]:
                if span[0] < qe and qs < span[1]:
                    candidates.pop(span, None)
            candidates[(qs, qe)] = True
    return candidates


def _title_like(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of a quoted text that is written like a title: short, title case."""
    while end > start and text[end - 1] in " \u00a0.,;:!?":
        end -= 1
    if text[start:end].endswith(("'s", "’s")):
        end -= 2
    while start < end and text[start] in " \u00a0":
        start += 1
    words = text[start:end].split()
    if not 1 <= len(words) <= 9 or words[-1] in LOWER_JOINERS:
        return None
    for word in words:
        if not (
            word[0].isupper()
            or word[0].isdigit()
            or word in LOWER_JOINERS
            or word in DASHES
            or word == "&"  # "Hollis & Dyer"
        ):
            return None
        if word != words[-1] and word.endswith((".", "!", "?")):
            return None  # two sentences
    return start, end
