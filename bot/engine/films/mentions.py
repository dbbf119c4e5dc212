"""Films: which films the articles talk about, under every name they use, read from the text.

Why: people ask about a film by many names ("MI7", "Mission Impossible 7", "the seventh
installment", "Fallout", "mision imposible"), and the articles use several of their own. To put
the passages about that film first, the bot needs one entry per film that holds all its names
and the places that mention it. Titles change with every news cycle, so this module has no list
of films: it takes a stretch of text for a title when the way English prose writes it says so.

The pipeline is text in, films out. It knows nothing about SQLite or Discord:

1. ``find_mentions(article_id, text)`` runs on every article at index time. It uses regexes only
   (about 0.3 ms for a 3 KB article) and returns candidate ``Mention``s with the cue that
   found each one (see ``Cue``).
2. ``merge_films(mentions, overrides)`` runs once over all the mentions (the index passes
   each distinct one once, with its count). It works out the franchises, resolves numbers,
   initialisms and ordinals, merges the aliases of each film, applies ``films.toml`` and keeps
   the films backed by strong evidence.
3. ``films_in_question`` and ``match_film`` run per question through a ``FilmIndex``, which
   indexes aliases by token so that a question costs a few dict lookups, not a fuzzy scan.

Heuristics, strongest first (a film needs at least one strong mention, and weak ones only join
films that exist already):

- a year next to it: "2015's Rogue Nation", "the 2018 spin-off X", "X (2014)", "X, the 2014 film";
- a film word right before it ("the film X", "sequel X"), a credit ("starred in X", "X,
  starring ...", "X, directed by ..."), or "X sequel" / "X remake";
- a ``Title: Subtitle`` form of capitalised words ("Top Gun: Maverick");
- title-case text in quotes, if its sentence speaks of films ("... "Oppenheimer" ... box office");
- a franchise name with a number ("Mission: Impossible 7"), once the franchise is known.
  Its short forms ("MI:7", "MI 7", "Mission 8") and ordinals ("the seventh installment") only
  point at a numbered film another mention establishes.

Franchises come from "the X franchise/series/films", numbered titles, a film that later
titles number ("1996's Mission: Impossible" then "Mission: Impossible 7"), and the part before
the subtitle of ``Title: Subtitle`` titles.

People, places, events, companies and buildings are capitalised too. They are kept out because
none of the strong cues fires for them, because a cue word next to a person is checked against
the article's surnames ("the film Tom Cruise ..." is rejected when "Cruise" stands alone
elsewhere), and because a plain capitalised phrase is never enough on its own.

``seeds/films.toml`` (see ``load_overrides``) fixes what the heuristics get wrong. It is the
only hand-written film knowledge.
"""

from __future__ import annotations

import logging
import re
import tomllib
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.engine.spelling import typo_budget
from bot.engine.words import STOPWORDS, TOKEN_RE, tokens

log = logging.getLogger(__name__)


class Cue:
    """Why a stretch of text was taken for a film title (``Mention.cue``)."""

    YEAR = "year"  # "2015's X", "X (2014)", "X, the 2014 film"
    FILM_WORD = "film-word"  # "the film X", "the sequel X"
    CREDITS = "credits"  # "starred in X", "X, starring", "X, directed by"
    SEQUEL_OF = "sequel-of"  # "the X sequel": X is a film
    COLON = "colon"  # "Top Gun: Maverick"
    QUOTED = "quoted"  # title case in quotes (strong only if its sentence speaks of films)
    NUMBERED = "numbered"  # "Mission: Impossible 7", "Mission 8"
    INITIALISM = "initialism"  # "MI:7", "MI7"
    ORDINAL = "ordinal"  # "the seventh installment"
    FRANCHISE = "franchise"  # "the X franchise": names a franchise, not one film
    FILM_WORD_AFTER = "film-word-after"  # "the X film": X may be a person or studio, so weak
    ALIAS = "alias"  # "X (MI7)", "X, also known as Y": Y is X
    PLAIN = "plain"  # a capitalised phrase and nothing more: joins a film, never makes one
    OVERRIDE = "override"  # a name from films.toml


# Cues that still name a film when its title is also the franchise's name ("1996's Mission:
# Impossible" is the film; a bare "Mission: Impossible" means the series).
FILM_NOT_SERIES_CUES = frozenset({Cue.YEAR, Cue.FILM_WORD, Cue.CREDITS, Cue.OVERRIDE})
# Mentions that make good canonical titles (not "MI:7", not "the seventh installment").
TITLE_FORM_CUES = frozenset(
    {
        Cue.YEAR,
        Cue.FILM_WORD,
        Cue.CREDITS,
        Cue.SEQUEL_OF,
        Cue.COLON,
        Cue.QUOTED,
        Cue.NUMBERED,
        Cue.FILM_WORD_AFTER,
        Cue.PLAIN,
    }
)


@dataclass(slots=True)
class Mention:
    """One place where an article names a film, a franchise, or something that might be one."""

    article_id: str
    start: int  # offsets into the article text: text[start:end] == surface
    end: int
    surface: str  # as written, without a trailing possessive or quote
    cue: str  # a ``Cue`` value
    strong: bool = False  # enough, alone, to say a film exists
    year: int | None = None  # a release year written next to it
    number: int | None = None  # NUMBERED, INITIALISM, ORDINAL: the franchise's film number
    series: str | None = None  # for those: the franchise as written ("MI", "Mission"), if any
    same_as: str | None = None  # ALIAS, OVERRIDE: the title this is another name for
    # The index hands ``merge_films`` each distinct mention once, with how often it occurs and
    # its own row id (so that it can tell which of its rows name which film).
    count: int = 1
    ref: int | None = None


@dataclass(frozen=True)
class Film:
    """One film: its canonical title, every name the articles use, and where they use them."""

    title: str
    year: int | None
    aliases: tuple[str, ...]  # other names: seen in the articles, derived ("MI7"), or from toml
    mentions: tuple[Mention, ...]  # sorted by article, then offset
    franchise: str | None = None  # "Mission: Impossible", when the film belongs to one
    number: int | None = None  # its number in the franchise, when the articles give one

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(sorted({m.article_id for m in self.mentions}))


# --- finding mentions --------------------------------------------------------------------------

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
# Words that introduce a line with a colon without being the first half of a title.
LABELS = frozenset(
    """Update Updated Note Editor Source Sources Photo Photos Image Images Video Credit Credits
    Warning Spoiler Spoilers Watch Read Related Exclusive Breaking Review Interview Caption
    Pictured Listen See Correction Disclosure Trailer Q""".split()
)
LOWER_JOINERS = frozenset(
    "of the and a an to in on at for from with vs vs. de von van der or".split()
)
DASHES = frozenset({"-", "–", "—"})
STOPPERS = BREAK_WORDS | ROLE_WORDS | DASHES | {f"{label}:" for label in LABELS}
OPEN_QUOTES = "\"“‘'"
CLOSE_QUOTE = r"[\"”’']?"

# Words right before a title that say it is one ("the film X", "2018 spin-off X", "1996's X",
# "starred in X", "directed X"), read from the preceding words rather than by a regex scan.
FILM_NOUNS_BEFORE = frozenset(
    """film films movie movies sequel sequels prequel prequels spin-off spinoff spin-offs remake
    remakes reboot reboots blockbuster blockbusters documentary biopic adaptation""".split()
)
YEAR_NOUNS = FILM_NOUNS_BEFORE | frozenset(
    "installment instalment original release hit thriller comedy drama classic".split()
)
STAR_VERBS = frozenset("star stars starred starring co-star co-stars co-starred".split())
DIRECT_VERBS = frozenset("directed directs directing helmed helms".split())
PRE_CUE_WORDS = YEAR_NOUNS | DIRECT_VERBS | {"in"}
YEAR_WORD_RE = re.compile(r"(1[89]\d\d|20[0-4]\d)(?:['’]s)?")
YEAR = r"(?:1[89]\d\d|20[0-4]\d)"
NOUN = rf"(?:{'|'.join(sorted(YEAR_NOUNS))}|spin-?off)"
# Cues that start right where a title ends, matched at the title's end.
POST_CUE_RE = re.compile(
    rf"{CLOSE_QUOTE}(?:"
    rf"(?P<franchise>(?:['’]s)?{SP}+(?:franchise|series|saga|films|movies|sequels|installments"
    rf"|instalments|trilogy|universe|movie{SP}+series|film{SP}+series)\b)"
    rf"|{SP}*\({SP}*(?P<year1>{YEAR}){SP}*\)"
    rf"|{SP}*,{SP}+(?:the|a|an|his|her|their){SP}+(?P<year2>{YEAR}){SP}+{NOUN}"
    rf"|{SP}*,?{SP}+(?:released|out){SP}+in{SP}+(?P<year3>{YEAR})\b"
    rf"|(?P<credit>{SP}*[,(]{SP}*(?:starring|directed{SP}+by|which{SP}+stars|from{SP}+director))"
    rf"|(?P<sequel>{SP}+(?:sequel|prequel|remake|reboot|spin-?off)s?\b)"
    rf"|(?P<filmword>{SP}+(?:film|movie)\b))",
    re.IGNORECASE,
)
POST_CUE_OPENERS = frozenset(",(\"”’'")
POST_CUE_LETTERS = frozenset("fsmiturop(")
# A sentence speaks of films: what makes a quoted title-case phrase a title, not a quote.
FILM_CONTEXT_RE = re.compile(
    r"\b(?:films?|movies?|sequels?|prequels?|installments?|instalments?|franchises?|trailers?"
    r"|box[ -]office|premieres?|cinemas?|theaters|theatres|starring|stars|starred|directed"
    r"|director|blockbusters?|screenings?|spin-?offs?|filmmakers?)\b",
    re.IGNORECASE,
)
ATTRIBUTIVE_RE = re.compile(r"[.,]?[\"”’'][ \u00a0][a-z]")
NUMBERED_RE = re.compile(r"^(.*?[A-Za-z])[ \u00a0:\-]*(\d{1,2})$")
INITIALISM_RE = re.compile(r"^[A-Z]{1,4}$")
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
# "X (MI7)", "X, also known as Y": Y is another name for X.
ALIAS_WORDS = (
    r"also{SP}+known{SP}+as|also{SP}+called|a\.?k\.?a\.?|known{SP}+as|titled|retitled|renamed"
    r"|or{SP}+simply|or{SP}+just"
).replace("{SP}", SP)
ALIAS_PAREN_RE = re.compile(
    rf"^{CLOSE_QUOTE}{SP}*\({SP}*(?:(?P<said>{ALIAS_WORDS}){SP}+)?[\"“‘']?$", re.IGNORECASE
)
ALIAS_SAID_RE = re.compile(
    rf"^{CLOSE_QUOTE}{SP}*,?{SP}+(?:{ALIAS_WORDS}){SP}+[\"“‘']?$", re.IGNORECASE
)
CLOSE_PAREN_RE = re.compile(rf"{CLOSE_QUOTE}{SP}*\)")


def find_mentions(article_id: str, text: str, overrides: Overrides | None = None) -> list[Mention]:
    """Candidate film (and franchise) names in one article, in text order.

    Weak candidates are returned too: they cost nothing here, and only ``merge_films`` can tell
    whether a plain "Fallout" is a film another article establishes. With ``overrides``, the
    names in films.toml are also found verbatim, so an alias added there counts wherever the
    text uses it.
    """
    segments = _segments(text)
    candidates = _with_quoted(text, segments)
    mentions: list[Mention] = []
    if overrides is not None and overrides.pattern is not None:
        # An admin's name inside a longer title ("Dead Reckoning" in "Mission: Impossible -
        # Dead Reckoning Part One") is that title's word, not a mention of its own.
        mentions = [
            m
            for m in override_mentions(article_id, text, overrides)
            if not any(
                s <= m.start and m.end <= e and (s, e) != (m.start, m.end) for s, e in candidates
            )
        ]
    article = _Article(text, segments)
    for (start, end), quoted in candidates.items():
        mentions.append(_classify(article_id, text, start, end, quoted, article))
    mentions.sort(key=lambda m: m.start)
    _link_aliases(text, mentions)
    ordinals = _ordinal_mentions(article_id, text)
    if ordinals:
        mentions = sorted(mentions + ordinals, key=lambda m: m.start)
    return mentions


def _segments(text: str) -> list[tuple[int, int]]:
    """Capitalised phrases, cut where a sentence opener, headline-case function word, role or
    possessive shows that two names were run together ("In Mission Impossible: Fallout",
    "Tom Cruise's Top Gun: Maverick")."""
    out: list[tuple[int, int]] = []
    for match in PHRASE_RE.finditer(text):
        start, end = match.span()
        if start and text[start - 1] in GLUED_LEFT:
            continue  # inside a word: "eBay"
        phrase = match.group()
        if " " in phrase or "\u00a0" in phrase:
            parts = phrase.split()
            if (
                STOPPERS.isdisjoint(parts)
                and parts[0].rstrip(":") not in STOPPERS
                and not any(p.endswith(("'s", "’s")) for p in parts[:-1])
            ):  # "Tom Cruise", "Mission: Impossible 7": nothing to cut
                out.append((start, end - 2 if phrase.endswith(("'s", "’s")) else end))
            else:
                _split_phrase(text, start, phrase, out)
        else:  # one word: kept fast
            if phrase.endswith(("'s", "’s")):
                phrase, end = phrase[:-2], end - 2
            if phrase not in NOT_A_TITLE_ALONE:
                out.append((start, end))
    return out


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
            or (word in LABELS and seg_start < 0 and token[-1] == ":")
        ) and not (
            word in ARTICLES
            and (after_separator or (seg_start < 0 and not _sentence_initial(text, at)))
        ):
            if seg_start >= 0:
                _emit(text, seg_start, seg_end, out)
            seg_start, after_separator = -1, False
        else:
            if seg_start < 0:
                seg_start = at
            seg_end = at + len(word)
            after_separator = token[-1] == ":"
            if word.endswith(("'s", "’s")) and index + 1 < len(parts):
                _emit(text, seg_start, seg_end, out)  # "Tom Cruise's" ends here
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


def _sentence_initial(text: str, at: int) -> bool:
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


def _with_quoted(text: str, segments: list[tuple[int, int]]) -> dict[tuple[int, int], bool]:
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
        if not (word[0].isupper() or word[0].isdigit() or word in LOWER_JOINERS or word in DASHES):
            return None
        if word != words[-1] and word.endswith((".", "!", "?")):
            return None  # two sentences
    return start, end


class _Article:
    """What a cue needs to know about the whole article, worked out only when a cue asks:
    the surnames it uses ("Tom Cruise" when "Cruise" stands alone, and "Cruise" when "Tom
    Cruise" is there), and whether it speaks of films at all."""

    def __init__(self, text: str, segments: list[tuple[int, int]]) -> None:
        self.text = text
        self.segments = segments
        self._sets: tuple[set[str], set[str]] | None = None
        self._about_films: bool | None = None

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

    def about_films(self) -> bool:
        if self._about_films is None:
            self._about_films = FILM_CONTEXT_RE.search(self.text) is not None
        return self._about_films


def _pre_cue(text: str, start: int, article: _Article) -> tuple[str, int | None] | None:
    """The cue in the words right before a title, if any: (Cue, year)."""
    i = start - 1
    if i >= 0 and text[i] in OPEN_QUOTES:
        i -= 1
    if i < 1 or text[i] not in " \u00a0":
        return None
    last = text[text.rfind(" ", max(0, i - 32), i) + 1 : i]
    if not last or not (last[0].isdigit() or last.lower() in PRE_CUE_WORDS):
        return None  # the common case, decided on one word
    last = last.lower()
    window = text[max(0, i - 32) : i]
    year = YEAR_WORD_RE.fullmatch(last)
    if year is not None and last[-1] == "s":  # "1996's X", if about films: not "2024's Olympics"
        return (Cue.YEAR, int(year.group(1))) if article.about_films() else None
    words = window.split()
    before = words[-2] if len(words) >= 2 else ""
    if last in YEAR_NOUNS:
        year = YEAR_WORD_RE.fullmatch(before)
        if year is not None:  # "the 2018 spin-off X"
            return Cue.YEAR, int(year.group(1))
        return (Cue.FILM_WORD, None) if last in FILM_NOUNS_BEFORE else None
    if last in DIRECT_VERBS or (last == "in" and before.lower() in STAR_VERBS):
        return Cue.CREDITS, None
    return None


def _classify(
    article_id: str, text: str, start: int, end: int, quoted: bool, article: _Article
) -> Mention:
    surface = text[start:end]
    cue, strong, year = Cue.PLAIN, False, None
    pre = _pre_cue(text, start - 1 if quoted else start, article)
    after = text[end : end + 2]
    # Every cue after a title starts with a quote, comma or bracket, or a space and one of
    # these letters ("franchise", "sequel", "movie", "released", ...): skip the regex if not.
    post = (
        POST_CUE_RE.match(text, end)
        if after[:1] in POST_CUE_OPENERS
        or (after[:1] == " " and after[1:].lower() in POST_CUE_LETTERS)
        else None
    )
    if post is not None and post.group("franchise"):
        cue = Cue.FRANCHISE
    elif pre is not None and pre[0] == Cue.YEAR:
        cue, strong, year = Cue.YEAR, True, pre[1]
    elif post is not None and (post.group("year1") or post.group("year2") or post.group("year3")):
        cue, strong = Cue.YEAR, True
        year = int(post.group("year1") or post.group("year2") or post.group("year3"))
    elif pre is not None and pre[0] == Cue.FILM_WORD and not article.is_person(surface):
        cue, strong = Cue.FILM_WORD, True
    elif (
        (pre is not None and pre[0] == Cue.CREDITS) or (post is not None and post.group("credit"))
    ) and not article.is_person(surface):
        cue, strong = Cue.CREDITS, True
    elif post is not None and post.group("sequel") and not article.is_person(surface):
        cue, strong = Cue.SEQUEL_OF, True
    elif ": " in surface:
        cue, strong = Cue.COLON, True
    elif quoted:
        # 'the "Barbenheimer" double bill' uses a quoted name as a modifier: not a title.
        attributive = text[start - 5 : start - 1].lower() == "the " and ATTRIBUTIVE_RE.match(
            text, end
        )
        cue, strong = Cue.QUOTED, not attributive and _speaks_of_films(text, start, end)
    elif post is not None and post.group("filmword"):
        cue = Cue.FILM_WORD_AFTER
    mention = Mention(article_id, start, end, surface, cue, strong, year)
    if cue != Cue.FRANCHISE and surface[-1].isdigit():
        numbered = NUMBERED_RE.match(surface)
        if numbered is not None and numbered.group(2)[0] != "0":
            base = numbered.group(1)
            mention.number = int(numbered.group(2))
            mention.series = base
            if INITIALISM_RE.match(base):
                mention.cue = Cue.INITIALISM
            elif cue in (Cue.PLAIN, Cue.COLON, Cue.QUOTED, Cue.FILM_WORD_AFTER):
                # A number alone is no evidence ("Day 1", "Apollo 11"): merge_films decides,
                # once it knows the franchises (a colon in "X: Y 7" makes X one).
                mention.cue = Cue.NUMBERED
    return mention


def _speaks_of_films(text: str, start: int, end: int) -> bool:
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), text.rfind("? ", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    right = min(right_candidates) if right_candidates else len(text)
    return (
        FILM_CONTEXT_RE.search(text, left + 1, start) is not None
        or FILM_CONTEXT_RE.search(text, end, right) is not None
    )


def _link_aliases(text: str, mentions: list[Mention]) -> None:
    """Mark "Y" in "X (Y)" and "X, also known as Y" as another name for X."""
    for before, after in zip(mentions, mentions[1:], strict=False):
        if after.start - before.end > 24 or before.cue == Cue.FRANCHISE:
            continue
        between = text[before.end : after.start]
        if "(" not in between and "," not in between and " " not in between:
            continue
        paren = ALIAS_PAREN_RE.match(between)
        if paren is not None:
            if not CLOSE_PAREN_RE.match(text, after.end):
                continue
            if not paren.group("said") and not _short_form(after.surface, before.surface):
                continue  # "Top Gun: Maverick (Paramount)" is not a name of the film
        elif not ALIAS_SAID_RE.match(between):
            continue
        after.same_as = before.surface
        if after.cue in (Cue.PLAIN, Cue.QUOTED, Cue.FILM_WORD_AFTER):
            after.cue = Cue.ALIAS


def _short_form(short: str, title: str) -> bool:
    """ "MI7" or "F9" for "Fast & Furious 9": initial letters in order, and the same number."""
    short_digits = re.sub(r"\D", "", short)
    title_words = tokens(title)
    if short_digits and (not title_words or title_words[-1] != short_digits):
        return False
    letters = re.sub(r"[^a-z]", "", short.lower())
    initials = "".join(w[0] for w in title_words if w.isalpha() and w not in LOWER_JOINERS)
    it = iter(initials)
    return bool(letters) and all(ch in it for ch in letters)


def _ordinal_mentions(article_id: str, text: str) -> list[Mention]:
    """ "The seventh installment (of the X franchise)": a number to resolve in merge_films.
    Found from the nouns with str.find, then the word before them, for speed."""
    lower = text.lower()
    if len(lower) != len(text):  # "İ" lowers to two characters: keep offsets aligned
        lower = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    out = []
    for noun in ORDINAL_NOUNS:
        at = lower.find(noun)
        while at >= 0:
            mention = _ordinal_at(article_id, text, lower, at, noun)
            if mention is not None:
                out.append(mention)
            at = lower.find(noun, at + len(noun))
    return out


def _ordinal_at(article_id: str, text: str, lower: str, at: int, noun: str) -> Mention | None:
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
    return Mention(
        article_id,
        start,
        end,
        text[start:end],
        Cue.ORDINAL,
        number=number,
        series=series.group("series") if series else None,
    )


def override_mentions(article_id: str, text: str, overrides: Overrides) -> list[Mention]:
    """Where ``text`` uses a name from films.toml (an alias, or a film the heuristics missed).

    ``find_mentions`` calls this when given overrides. An index that keeps mentions across
    builds calls it on its own, so that a changed films.toml applies to unchanged articles.
    """
    out = []
    assert overrides.pattern is not None
    for match in overrides.pattern.finditer(text):
        start, end = match.span()
        if text[start:end].endswith(("'s", "’s")):
            end -= 2
        target = overrides.names.get(key(text[start:end]))
        if target is not None:
            out.append(
                Mention(
                    article_id,
                    start,
                    end,
                    text[start:end],
                    Cue.OVERRIDE,
                    strong=True,
                    same_as=target,
                )
            )
    return out


# --- merging mentions into films ---------------------------------------------------------------


@lru_cache(maxsize=65536)
def key(name: str) -> str:
    """What two spellings of one title share: tokens as the search sees them (case, accents
    and punctuation gone), "&" read as "and", no leading "The"."""
    words = tokens(name.replace("&", " and "))
    if len(words) > 1 and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)


def initials(franchise_key: str) -> str:
    """ "mi" for "mission impossible", "ff" for "fast and furious"."""
    return "".join(w[0] for w in franchise_key.split() if w not in LOWER_JOINERS)


MERGE_SIMILARITY = 92  # rapidfuzz ratio above which two titles are one film spelt two ways
Identity = tuple  # ("t", title key) | ("#", franchise key, number) | ("o", override entry)


@dataclass
class _Franchises:
    """Franchise names found across all articles: key -> surfaces as written. Indexed by
    initials and by leading words, so that resolving a name costs a few dict lookups."""

    names: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    abbreviated: set[str] = field(default_factory=set)  # written by initials somewhere ("MI:7")
    by_initials: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_prefix: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, surface: str, count: int = 1) -> None:
        franchise_key = key(surface)
        if not franchise_key:
            return
        if franchise_key not in self.names:
            words = franchise_key.split()
            if len(words) > 1:
                self.by_initials[initials(franchise_key)].add(franchise_key)
            for cut in range(1, len(words)):
                self.by_prefix[" ".join(words[:cut])].add(franchise_key)
        self.names[franchise_key][surface] += count

    def resolve(self, series_key: str) -> tuple[str | None, bool]:
        """(franchise key, named in full) for a franchise as written: in full ("mission
        impossible"), by initials ("mi"), or by its first words ("mission")."""
        if series_key in self.names:
            return series_key, True
        compact = series_key.replace(" ", "")
        if compact.isalpha() and len(compact) <= 4:
            found = self.by_initials.get(compact, set())
            if len(found) == 1:
                (franchise_key,) = found
                self.abbreviated.add(franchise_key)
                return franchise_key, False
        found = self.by_prefix.get(series_key, set())
        if len(found) == 1:
            return next(iter(found)), False
        return None, False

    def of_title(self, title_key: str) -> str | None:
        """The franchise a title belongs to: the longest franchise name it starts with."""
        words = title_key.split()
        for cut in range(len(words), 0, -1):
            prefix = " ".join(words[:cut])
            if prefix in self.names:
                return prefix
        return None

    def display(self, franchise_key: str) -> str:
        surfaces = self.names[franchise_key]
        return max(surfaces, key=lambda s: (":" in s, len(s), surfaces[s], s))


def merge_films(mentions: Iterable[Mention], overrides: Overrides | None = None) -> list[Film]:
    """One ``Film`` per film the mentions establish, with every alias, mention and year.

    A film needs one strong mention; weak ones (plain phrases, initialisms, ordinals, "Mission
    8") join a film that exists. Overrides are applied last; any entry that names no film is
    logged as a warning and skipped.
    """
    mentions = list(mentions)
    by_override = [m for m in mentions if m.cue == Cue.OVERRIDE]
    mentions = [m for m in mentions if m.cue != Cue.OVERRIDE]
    franchises = _find_franchises(mentions)
    dsu = _DisjointSets()
    placed: list[tuple[Mention, Identity, bool]] = []  # (mention, identity, strong)
    plain: list[tuple[Mention, Identity, bool]] = []
    ordinals: list[Mention] = []
    article_franchises: dict[str, Counter[str]] = defaultdict(Counter)
    for mention in mentions:
        if mention.cue == Cue.ORDINAL:
            ordinals.append(mention)
            continue
        identity, strong = _identify(mention, franchises)
        if identity is None:  # names the series, not a film
            series = franchises.of_title(key(mention.surface))
            if series:
                article_franchises[mention.article_id][series] += mention.count
            continue
        series = identity[1] if identity[0] == "#" else franchises.of_title(identity[1])
        if series:
            article_franchises[mention.article_id][series] += mention.count
        if mention.cue == Cue.PLAIN:
            plain.append((mention, identity, strong))
            continue
        placed.append((mention, identity, strong))
        dsu.add(identity)
        if mention.same_as is not None:
            other = _identity_of(mention.same_as, franchises)
            dsu.add(other)
            dsu.union(other, identity)
    # A plain phrase joins a film only under a name a cued mention gives it; most capitalised
    # phrases are people and places, and the index leaves those in SQLite: the same rule, in
    # SQL, in bot/index_films.titles_to_merge. A change to one is a change to both (a test
    # checks that an incremental build's films equal a full build's).
    placed += [item for item in plain if item[1] in dsu.parent]
    for mention in ordinals:
        if mention.series:
            series, _ = franchises.resolve(key(mention.series))
        else:
            series = _dominant(article_franchises[mention.article_id])
        if series:
            identity = ("#", series, mention.number)
            placed.append((mention, identity, False))
            dsu.add(identity)
    _merge_near_spellings(dsu)

    groups: dict[Identity, list[tuple[Mention, Identity, bool]]] = defaultdict(list)
    for item in placed:
        groups[dsu.find(item[1])].append(item)
    drafts = [
        _Draft(root, items)
        for root, items in groups.items()
        if any(strong for _, _, strong in items)
    ]
    if overrides is not None:
        drafts = _apply_overrides(drafts, by_override, overrides, franchises)
    films = [draft.film(franchises) for draft in drafts]
    return sorted(films, key=_film_order)


def _find_franchises(mentions: list[Mention]) -> _Franchises:
    """Franchise names: "the X franchise", the X of a numbered "X: Y 7" or of a strongly cued
    "X 7", a film that later titles number ("1996's X" and "X 7"), and the X of "X: Subtitle"
    titles when X has two words or more, or two titles share it."""
    franchises = _Franchises()
    film_keys: set[str] = set()
    numbered: list[Mention] = []
    for mention in mentions:
        if mention.cue == Cue.FRANCHISE:
            franchises.add(mention.surface, mention.count)
        elif mention.cue == Cue.NUMBERED and mention.series:
            numbered.append(mention)
            if ":" in mention.series:
                franchises.add(mention.series)
        elif mention.strong and mention.cue in FILM_NOT_SERIES_CUES:
            film_keys.add(key(mention.surface))
    for mention in numbered:
        if mention.series and key(mention.series) in film_keys:
            franchises.add(mention.series)
    for mention in numbered:  # "the film Rocky 2": Rocky, unless it is short for a known one
        if mention.strong and franchises.resolve(key(mention.series or ""))[0] is None:
            franchises.add(mention.series or "")
    prefixes: dict[str, set[str]] = defaultdict(set)
    prefix_surface: dict[str, str] = {}
    for mention in mentions:
        if not mention.strong or mention.number is not None or mention.cue == Cue.OVERRIDE:
            continue
        parts = re.split(r":[ \u00a0]+|[ \u00a0]+[-–—][ \u00a0]+", mention.surface)
        if len(parts) < 2 or key(mention.surface) in franchises.names:
            continue
        prefix = mention.surface[: len(mention.surface) - len(parts[-1])].rstrip(" \u00a0:-–—")
        prefix_key = key(prefix)
        if prefix_key:
            prefixes[prefix_key].add(key(mention.surface))
            prefix_surface.setdefault(prefix_key, prefix)
    for prefix_key, titles in prefixes.items():
        if " " in prefix_key or len(titles) >= 2:
            franchises.add(prefix_surface[prefix_key])
    return franchises


def _identify(mention: Mention, franchises: _Franchises) -> tuple[Identity | None, bool]:
    """Which film a mention names, and whether it is evidence enough that the film exists."""
    if mention.cue == Cue.OVERRIDE:
        return ("t", key(mention.same_as or mention.surface)), True
    if mention.number is not None and mention.series is not None:
        series, in_full = franchises.resolve(key(mention.series))
        if series is not None:
            strong = mention.strong or (in_full and mention.cue == Cue.NUMBERED)
            return ("#", series, mention.number), strong
        return ("t", key(mention.surface)), mention.strong and mention.cue == Cue.NUMBERED
    title_key = key(mention.surface)
    if not title_key:
        return None, False
    if title_key in franchises.names and mention.cue not in FILM_NOT_SERIES_CUES:
        return None, False  # "the Top Gun star", "Mission Impossible stunts": the series
    strong = mention.strong and mention.cue not in (Cue.INITIALISM, Cue.ALIAS)
    return ("t", title_key), strong


def _identity_of(title: str, franchises: _Franchises) -> Identity:
    numbered = NUMBERED_RE.match(title)
    if numbered is not None:
        series, _ = franchises.resolve(key(numbered.group(1)))
        if series is not None:
            return ("#", series, int(numbered.group(2)))
    return ("t", key(title))


def _dominant(counts: Counter[str]) -> str | None:
    """The franchise an article is about, if most of its franchise mentions name it."""
    if not counts:
        return None
    (best, count), *rest = counts.most_common(2) + [("", 0)]
    return best if count > 2 * rest[0][1] or len(counts) == 1 else None


class _DisjointSets:
    def __init__(self) -> None:
        self.parent: dict[Identity, Identity] = {}

    def add(self, item: Identity) -> None:
        self.parent.setdefault(item, item)

    def find(self, item: Identity) -> Identity:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: Identity, b: Identity) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # A numbered identity wins: it knows the franchise and number.
            if ra[0] == "#" and rb[0] != "#":
                ra, rb = rb, ra
            self.parent[ra] = rb


def _merge_near_spellings(dsu: _DisjointSets) -> None:
    """ "Mission Impossible: Rouge Nation" and "... Rogue Nation" are one film (same numbers,
    rapidfuzz ratio >= MERGE_SIMILARITY); compared within the same first word only."""
    by_first: dict[tuple[str, str], list[str]] = defaultdict(list)
    for identity in list(dsu.parent):
        if identity[0] == "t" and len(identity[1]) >= 8:
            title = identity[1]
            digits = "".join(ch for ch in title if ch.isdigit())
            by_first[(title.split(" ", 1)[0], digits)].append(title)
    for titles in by_first.values():
        if len(titles) < 2:
            continue
        titles.sort()
        for i, a in enumerate(titles[:-1]):
            for b, _, _ in process.extract(
                a, titles[i + 1 :], scorer=fuzz.ratio, score_cutoff=MERGE_SIMILARITY, limit=None
            ):
                dsu.union(("t", a), ("t", b))


class _Draft:
    """A film being assembled: its mentions, and what films.toml says about it."""

    def __init__(self, identity: Identity, items: list[tuple[Mention, Identity, bool]]) -> None:
        self.identity = identity
        self.items = items
        self.extra_aliases: list[str] = []
        self.rename: str | None = None
        self.year: int | None = None

    def absorb(self, other: _Draft, franchises: _Franchises) -> None:
        self.items += other.items
        self.extra_aliases += [other.title(franchises), *other.extra_aliases]
        if self.identity[0] != "#" and other.identity[0] == "#":
            self.identity = other.identity

    def _franchise_key(self, franchises: _Franchises) -> str | None:
        if self.identity[0] == "#":
            return self.identity[1]
        if self.identity[0] == "t":
            return franchises.of_title(self.identity[1])
        return None

    def title(self, franchises: _Franchises) -> str:
        """The longest complete form seen, typeset: "Mission: Impossible – Fallout"."""
        if self.rename:
            return self.rename
        counts = _tally((m.surface, m) for m, _, _ in self.items if m.cue in TITLE_FORM_CUES)
        if self.identity[0] == "#":
            _, series, number = self.identity
            full = f"{series} {number}"
            counts = Counter({s: c for s, c in counts.items() if key(s) == full})
            counts[f"{franchises.display(series)} {number}"] += 0
        if not counts:
            counts = _tally((m.same_as or m.surface, m) for m, _, _ in self.items)
        best = max(counts, key=lambda s: (len(key(s)), counts[s], _punctuation(s), len(s), s))
        return re.sub(r"[ \u00a0]+[-—][ \u00a0]+", " – ", best)

    def names(self, franchises: _Franchises) -> list[str]:
        """Title first, then the names seen (commonest first), then derived short forms."""
        title = self.title(franchises)
        counts = _tally((m.surface, m) for m, _, _ in self.items if m.cue != Cue.OVERRIDE)
        seen = sorted(counts, key=lambda s: (-counts[s], len(s), s))
        names = list(dict.fromkeys([title, *self.extra_aliases, *seen]))  # every spelling
        have = {_compact(name) for name in names}
        for name in self._derived(title, franchises):
            if _compact(name) not in have:  # "MI8" unless "MI 8" was seen
                names.append(name)
                have.add(_compact(name))
        return names

    def _derived(self, title: str, franchises: _Franchises) -> list[str]:
        """Names people type that the articles may not: "MI7", and the subtitle ("Fallout")."""
        series = self._franchise_key(franchises)
        if series is None:
            return []
        derived = []
        if self.identity[0] == "#":
            short = initials(series)
            if series in franchises.abbreviated:  # "MI8" only if the articles write "MI:7"
                derived.append(f"{short.upper()}{self.identity[2]}")
        else:
            title_words = key(title).split()
            series_words = series.split()
            if len(title_words) > len(series_words):
                parts = re.split(r":[ \u00a0]+|[ \u00a0]+[-–—][ \u00a0]+", title)
                if len(parts) >= 2 and key(parts[-1]) == " ".join(title_words[len(series_words) :]):
                    derived.append(parts[-1])
        return derived

    def film(self, franchises: _Franchises) -> Film:
        mentions = sorted((m for m, _, _ in self.items), key=lambda m: (m.article_id, m.start))
        years = _tally((m.year, m) for m in mentions if m.year)
        year = self.year or (max(years, key=lambda y: (years[y], -y)) if years else None)
        series = self._franchise_key(franchises)
        names = self.names(franchises)
        return Film(
            title=names[0],
            year=year,
            aliases=tuple(names[1:]),
            mentions=tuple(mentions),
            franchise=franchises.display(series) if series else None,
            number=self.identity[2] if self.identity[0] == "#" else None,
        )


def _tally(pairs: Iterable[tuple[object, Mention]]) -> Counter:
    """How often each value is written, counting every occurrence of each mention."""
    counts: Counter = Counter()
    for value, mention in pairs:
        counts[value] += mention.count
    return counts


def _film_order(film: Film) -> tuple:
    return (key(film.franchise or film.title), film.year or 9999, film.number or 0, film.title)


def _apply_overrides(
    drafts: list[_Draft],
    by_override: list[Mention],
    overrides: Overrides,
    franchises: _Franchises,
) -> list[_Draft]:
    """Entry by entry: find the film, take in the text's uses of the entry's names, then merge,
    add aliases, set the year, rename, or hide."""
    drafts = list(drafts)
    by_name: dict[str, _Draft] = {}
    for draft in reversed(drafts):  # the first draft with a name wins, as in a scan
        for name in draft.names(franchises):
            by_name[_compact(name)] = draft

    def find(name: str) -> _Draft | None:
        draft = by_name.get(_compact(name))
        return draft if draft is not None and draft in drafts else None

    def rename(draft: _Draft) -> None:
        for name in draft.names(franchises):  # its new title, aliases, and absorbed names
            by_name[_compact(name)] = draft

    for number, entry in enumerate(overrides.films, start=1):
        where = f"films.toml [[film]] #{number} ({entry.film!r})"
        target = find(entry.film)
        found = [m for m in by_override if m.same_as == entry.film]
        if target is None and found and not entry.hide:
            target = _Draft(("t", key(entry.film)), [])  # a film the heuristics missed
            drafts.append(target)
            by_name[_compact(entry.film)] = target
        if target is None:
            log.warning("%s: no film by that name in the articles; entry ignored", where)
            continue
        if entry.hide:
            drafts.remove(target)
            continue
        have = {(m.article_id, m.start, m.end) for m, _, _ in target.items}
        target.items += [
            (m, target.identity, True) for m in found if (m.article_id, m.start, m.end) not in have
        ]
        for other_name in entry.merge:
            other = find(other_name)
            if other is None:
                log.warning("%s: merge: no film named %r; skipped", where, other_name)
            elif other is not target:
                target.absorb(other, franchises)
                drafts.remove(other)
        target.extra_aliases += entry.aliases
        if entry.year is not None:
            target.year = entry.year
        if entry.rename:
            target.extra_aliases.insert(0, target.title(franchises))
            target.rename = entry.rename
        rename(target)  # later entries may name it by any of these
    return drafts


def _punctuation(title: str) -> int:
    """How much of a title's typography a spelling keeps: "Fast & Furious 9", "X: Y - Z"."""
    return sum(not ch.isalnum() and not ch.isspace() for ch in title)


def _compact(name: str) -> str:
    """ "MI:7", "MI 7" and "MI7" alike."""
    return key(name).replace(" ", "")


# --- films.toml ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FilmOverride:
    """One ``[[film]]`` entry of films.toml."""

    film: str  # the film to change, by its title or any alias
    rename: str | None = None
    aliases: tuple[str, ...] = ()
    merge: tuple[str, ...] = ()
    year: int | None = None
    hide: bool = False


@dataclass(frozen=True)
class Overrides:
    """What films.toml corrects. Names are compared by ``key`` (case, punctuation, accents)."""

    films: tuple[FilmOverride, ...] = ()

    @cached_property
    def names(self) -> dict[str, str]:
        """Name key -> the entry's film, for every name that find_mentions looks for."""
        found: dict[str, str] = {}
        for entry in self.films:
            if not entry.hide:
                for name in (entry.film, *entry.aliases):
                    if key(name):
                        found.setdefault(key(name), entry.film)
        return found

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """The names as one case-insensitive regex that ignores punctuation between words."""
        alternatives = []
        for name_key in sorted(self.names, key=len, reverse=True):
            words = [re.escape(w) for w in name_key.split()]
            alternatives.append(r"[\W_]+".join(words))
        if not alternatives:
            return None
        return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?:['’]s)?(?!\w)", re.IGNORECASE)


OVERRIDE_KEYS = {"film", "rename", "aliases", "merge", "year", "hide"}


def load_overrides(path: Path) -> tuple[Overrides, list[str]]:
    """Read films.toml, the admins' corrections: (overrides, warnings).

    Format: one ``[[film]]`` table per correction, naming the film by its title or any alias::

        [[film]]                       # add names people use; also found in article text
        film = "Mission: Impossible 7"
        aliases = ["Dead Reckoning", "MI7"]

        [[film]]                       # two entries are one film: fold the others into it
        film = "Top Gun: Maverick"
        merge = ["Top Gun 2"]

        [[film]]                       # new canonical title (the old one stays an alias)
        film = "Mission: Impossible 7"
        rename = "Mission: Impossible – Dead Reckoning Part One"
        year = 2023                    # and/or set the year

        [[film]]                       # not a film
        film = "Day 1"
        hide = true

        [[film]]                       # a film the heuristics missed: found where the text
        film = "Oblivion"              # names it, like an alias

    A bad file or entry never stops indexing: a file that is not valid TOML is ignored as a
    whole, and an entry with a mistake (an unknown key, a wrong type, ``hide`` with changes) is
    ignored on its own. Each is reported in the returned warnings. A missing file is no error.
    """
    where = path.name
    if not path.exists():
        return Overrides(), []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        return Overrides(), [f"{where}: cannot be read ({error}); no film corrections applied"]
    except tomllib.TOMLDecodeError as error:
        return Overrides(), [f"{where}: not valid TOML ({error}); no film corrections applied"]
    warnings = [
        f"{where}: unknown top-level key {name!r} ignored (corrections go in [[film]] tables)"
        for name in data
        if name != "film"
    ]
    tables = data.get("film", [])
    if not isinstance(tables, list):
        warnings.append(f"{where}: 'film' must be [[film]] tables; no film corrections applied")
        return Overrides(), warnings
    entries = []
    for number, table in enumerate(tables, start=1):
        entry, problem = _parse_entry(table)
        if problem:
            name = table.get("film") if isinstance(table, dict) else None
            label = f" ({name!r})" if isinstance(name, str) else ""
            warnings.append(f"{where}: [[film]] #{number}{label}: {problem}; entry ignored")
        elif entry is not None:
            entries.append(entry)
    return Overrides(tuple(entries)), warnings


def _parse_entry(table: object) -> tuple[FilmOverride | None, str | None]:
    if not isinstance(table, dict):
        return None, "must be a table"
    unknown = sorted(set(table) - OVERRIDE_KEYS)
    if unknown:
        return None, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(OVERRIDE_KEYS))})"
    film = table.get("film")
    if not isinstance(film, str) or not key(film):
        return None, "'film' must name the film, as a non-empty string"
    rename = table.get("rename")
    if rename is not None and (not isinstance(rename, str) or not rename.strip()):
        return None, "'rename' must be a non-empty string"
    lists = {}
    for name in ("aliases", "merge"):
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and key(v) for v in value):
            return None, f"'{name}' must be a list of non-empty strings"
        lists[name] = tuple(value)
    year = table.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        return None, "'year' must be a whole number, like 2018"
    if year is not None and not 1880 <= year <= 2100:
        return None, f"'year' {year} is not a plausible release year"
    hide = table.get("hide", False)
    if not isinstance(hide, bool):
        return None, "'hide' must be true or false"
    if hide and (rename or lists["aliases"] or lists["merge"] or year is not None):
        return None, "'hide' cannot be combined with other changes"
    override = FilmOverride(
        film.strip(),
        rename.strip() if rename else None,
        lists["aliases"],
        lists["merge"],
        year,
        hide,
    )
    return override, None


# --- films named in a question -------------------------------------------------------------

QUESTION_NOUNS = frozenset(
    ["film", "films", "movie", "movies", "installment", "instalment", "installments"]
    + ["entry", "chapter", "outing", "one", "part"]
)
MIN_FUZZY_LETTERS = 5  # as typo_budget: no typo in a shorter word
# A question's word this common in English (wordfreq's Zipf scale, as spelling.REAL_WORD_ZIPF)
# is not a typo of a title's word ("plane" is not "Plant"); and a one-word title this common
# ("Crew", "Website") is named in a question only when capitalised after its first word.
EVERYDAY_TITLE_ZIPF = 4.0


class FilmIndex:
    """The films' names, indexed by token for per-question lookups.

    Every name is a run of tokens (``bot.engine.words.tokens``, as the search tokenises). A run is
    found in a question by its first token: exactly, or within the typo budget through a
    one-deletion index (SymSpell), so a question costs a few dict lookups per word, however
    many films there are.
    """

    def __init__(self, films: Sequence[Film]) -> None:
        self.films = tuple(films)
        self.runs: list[tuple[tuple[str, ...], tuple[Film, ...]]] = []
        self.by_first: dict[str, list[int]] = defaultdict(list)
        self.deletions: dict[str, set[str]] = defaultdict(set)
        self.title_keys: dict[str, Film] = {}
        self.by_number: dict[int, list[Film]] = defaultdict(list)
        series_films: dict[str, list[Film]] = defaultdict(list)
        for film in self.films:
            self.title_keys.setdefault(key(film.title), film)
            if film.number is not None:
                self.by_number[film.number].append(film)
            if film.franchise:
                series_films[key(film.franchise)].append(film)
        targets: dict[tuple[str, ...], list[Film]] = defaultdict(list)
        self.series_runs: set[tuple[str, ...]] = set()
        for series_key, members in series_films.items():
            members.sort(key=lambda f: (key(f.title) != series_key, f.number or 0, f.year or 0))
            run = tuple(series_key.split())
            targets[run] = members  # a franchise's name: all its films, the eponymous first
            self.series_runs.add(run)
        for film in self.films:
            names = [film.title, *film.aliases]
            if film.franchise and film.number is not None and len(key(film.franchise)) > 1:
                names.append(f"{initials(key(film.franchise))} {film.number}")  # "MI 7", "mi7"
            for name in names:
                for run in _runs(name):
                    if run not in self.series_runs and film not in targets[run]:
                        targets[run].append(film)
        for run, run_films in targets.items():
            self.by_first[run[0]].append(len(self.runs))
            self.runs.append((run, tuple(run_films)))
            for word in run:
                if word.isalpha() and len(word) >= MIN_FUZZY_LETTERS:
                    for variant in _deletions(word):
                        self.deletions[variant].add(word)

    def _spellings(self, typed: str, cache: dict[str, set[str]]) -> set[str]:
        """Index words ``typed`` may stand for: itself, or one within the typo budget."""
        found = cache.get(typed)
        if found is not None:
            return found
        found = {typed}
        budget = typo_budget(typed)
        if budget and typed.isalpha() and not _everyday(typed):
            for variant in _deletions(typed):
                for known in self.deletions.get(variant, ()):
                    if known[0] == typed[0] and OSA.distance(typed, known) <= budget:
                        found.add(known)
        cache[typed] = found
        return found

    def named_in(
        self, question: str, title_only: bool = False
    ) -> list[tuple[Film, tuple[int, int]]]:
        """The films a question names, each with the token span that names it (indices into
        ``bot.engine.words.tokens(question)``), in question order.

        A franchise's name alone names all its films, the eponymous one first; an ordinal
        ("the seventh installment", "7th film") names the film with that number. A one-word
        name that is an everyday English word ("Crew", "August") counts only capitalised after
        the question's first word; with ``title_only`` (``question`` is just a film's name, as
        typed to look it up), always.
        """
        words = tokens(question)
        titled = _titled_words(question, len(words))
        cache: dict[str, set[str]] = {}
        found: list[tuple[int, int, tuple[str, ...], tuple[Film, ...]]] = []
        for i in range(len(words)):
            for spelling in self._spellings(words[i], cache):
                for run_id in self.by_first.get(spelling, ()):
                    run, run_films = self.runs[run_id]
                    j = i + len(run)
                    if (
                        j <= len(words)
                        and all(
                            run[k] in self._spellings(words[i + k], cache)
                            for k in range(1, len(run))
                        )
                        and (title_only or len(run) > 1 or i in titled or not _everyday(run[0]))
                    ):
                        found.append((i, j, run, run_films))
        found.sort(key=lambda f: (f[0] - f[1], f[0]))
        chosen: list[tuple[int, int, tuple[str, ...], tuple[Film, ...]]] = []
        for item in found:
            if all(item[1] <= c[0] or c[1] <= item[0] for c in chosen):
                chosen.append(item)
        chosen = self._apply_ordinals(words, chosen)
        chosen = _apply_years(words, chosen)
        chosen.sort(key=lambda c: c[0])
        out: list[tuple[Film, tuple[int, int]]] = []
        seen: set[int] = set()
        for start, end, _, run_films in chosen:
            for film in run_films:
                if id(film) not in seen:
                    seen.add(id(film))
                    out.append((film, (start, end)))
        return out

    def _apply_ordinals(self, words: list[str], chosen: list) -> list:
        """ "seventh mission impossible film" keeps the franchise's 7th; "the seventh
        installment" alone finds the 7th of the named franchise or of any."""
        result = list(chosen)
        for i, word in enumerate(words):
            number = _ordinal_number(word)
            if number is None:
                continue
            series = next((c for c in result if c[0] == i + 1 and c[2] in self.series_runs), None)
            if series is not None:
                picked = tuple(f for f in series[3] if f.number == number)
                result.remove(series)
                if picked:
                    result.append((i, series[1], series[2], picked))
                continue
            if i + 1 < len(words) and words[i + 1] in QUESTION_NOUNS:
                named = [c for c in result if c[2] in self.series_runs]
                pool = [f for c in named for f in c[3]] or self.by_number.get(number, [])
                picked = tuple(f for f in pool if f.number == number)
                if picked:
                    for c in named:
                        result.remove(c)
                    result.append((i, i + 2, ("#",), picked))
        return result

    def match(self, query: str) -> Film | None:
        """The one film ``query`` names: exact title, then a name in it (typos allowed), then
        the closest name by rapidfuzz ratio (digits must agree: MI7 is not MI8)."""
        wanted = key(query)
        if not wanted:
            return None
        if wanted in self.title_keys:
            return self.title_keys[wanted]
        named = self.named_in(query, title_only=True)
        words = tokens(query)
        covered = {i for _, (start, end) in named for i in range(start, end)}
        if named and all(i in covered or w in STOPWORDS for i, w in enumerate(words)):
            return min(named, key=lambda n: n[1][0] - n[1][1])[0]  # "mission impossible 9"

        choices = {" ".join(run): films for run, films in self.runs}
        hit = process.extractOne(wanted, list(choices), scorer=fuzz.ratio, score_cutoff=80)
        if hit is not None and re.sub(r"\D", "", hit[0]) == re.sub(r"\D", "", wanted):
            return choices[hit[0]][0]
        return None


def _apply_years(words: list[str], chosen: list) -> list:
    """ "the 1996 Mission: Impossible", "Mission: Impossible (1996)": of a franchise's films,
    the one from that year."""
    result = []
    for start, end, run, run_films in chosen:
        if len(run_films) > 1:
            for at in (start - 1, end):
                if 0 <= at < len(words) and YEAR_WORD_RE.fullmatch(words[at]):
                    year = int(words[at])
                    picked = tuple(f for f in run_films if f.year == year)
                    if picked:
                        run_films = picked
                        start, end = min(start, at), max(end, at + 1)
                        break
        result.append((start, end, run, run_films))
    return result


def _runs(name: str) -> set[tuple[str, ...]]:
    """A name as token runs, with the forms typed for it: "mi 7" and "mi7", no leading "the"."""
    words = key(name).split()
    if not words:
        return set()
    runs = {tuple(words)}
    if len(words) >= 2 and words[-1].isdigit() and words[-2].isalpha() and len(words[-2]) <= 4:
        runs.add((*words[:-2], words[-2] + words[-1]))
    split = re.fullmatch(r"([a-z]{1,4})(\d{1,2})", words[-1])
    if split:
        runs.add((*words[:-1], split.group(1), split.group(2)))
    return runs


@lru_cache(maxsize=4096)
def _everyday(word: str) -> bool:
    """Is ``word`` everyday English (a question's "plane", "crew", "august")?"""
    from bot.engine.words import english_zipf_frequency  # loads wordfreq's lists on first use

    return word.isalpha() and english_zipf_frequency(word) >= EVERYDAY_TITLE_ZIPF


def _titled_words(question: str, count: int) -> set[int]:
    """Positions (into ``tokens(question)``) of the words capitalised as a title would be:
    after the first word, and not a word capitalised anyway (a month, a weekday)."""
    raw = TOKEN_RE.findall(question)
    if len(raw) != count:  # normalising split a token: no capitals to go by
        return set()
    return {
        i
        for i, word in enumerate(raw)
        if i > 0 and word[:1].isupper() and word.lower() not in ALWAYS_CAPITALISED
    }


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _ordinal_number(word: str) -> int | None:
    if word in ORDINAL_NUMBERS:
        return ORDINAL_NUMBERS[word]
    match = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)", word)
    return int(match.group(1)) if match else None


_index_cache: tuple[tuple[Film, ...], FilmIndex] | None = None


def _index_for(films: Sequence[Film] | FilmIndex) -> FilmIndex:
    """The index of ``films``, rebuilt only when given a different set of films."""
    global _index_cache
    if isinstance(films, FilmIndex):
        return films
    cached = _index_cache
    if (
        cached is not None
        and len(cached[0]) == len(films)
        and all(a is b for a, b in zip(cached[0], films, strict=True))
    ):
        return cached[1]
    index = FilmIndex(films)
    _index_cache = (index.films, index)
    return index


def films_in_question(
    question: str, films: Sequence[Film] | FilmIndex
) -> list[tuple[Film, tuple[int, int]]]:
    """Which films a question names, by any alias, typo or initialism, with the token span
    (into ``bot.engine.words.tokens(question)``) that names each: "when does MI7 come out" gives
    [(Mission: Impossible 7, (3, 4))]. For the search to rank that film's passages first and
    to count the name once, as the film, rather than as separate words. See ``FilmIndex``."""
    return _index_for(films).named_in(question)


def match_film(query: str, films: Sequence[Film] | FilmIndex) -> Film | None:
    """The film a typed name means ("mision imposible 7", "MI7", "fallout"), or None."""
    return _index_for(films).match(query)
