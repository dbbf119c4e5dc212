"""Film mentions: the cue grammar that finds title-like stretches of an article's text.

``find_mentions(article_id, text)`` runs on every article at index time. It uses regexes only
(about 0.3 ms for a 3 KB article) and returns candidate ``Mention``s with the cue that found
each one (see ``Cue``) around the candidate spans of ``bot.engine.films.phrases``;
``bot.engine.films.merge`` decides which of them are films.

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

People, places, events, companies and buildings are capitalised too. They are kept out because
none of the strong cues fires for them, because a cue word next to a person is checked against
the article's surnames ("the film Tom Cruise ..." is rejected when "Cruise" stands alone
elsewhere), and because a plain capitalised phrase is never enough on its own.

``seeds/films.toml`` (see ``bot.engine.films.overrides``) fixes what the heuristics get wrong.
It is the only hand-written film knowledge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.films.keys import key
from bot.engine.films.overrides import Overrides
from bot.engine.films.phrases import JOIN, LOWER_JOINERS, SP, WORD, segments, with_quoted
from bot.engine.words import tokens


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
    spans = segments(text)
    candidates = with_quoted(text, spans)
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
    article = _Article(text, spans)
    for (start, end), quoted in candidates.items():
        mentions.append(_classify(article_id, text, start, end, quoted, article))
    mentions.sort(key=lambda m: m.start)
    _link_aliases(text, mentions)
    ordinals = _ordinal_mentions(article_id, text)
    if ordinals:
        mentions = sorted(mentions + ordinals, key=lambda m: m.start)
    return mentions


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
