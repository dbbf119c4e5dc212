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
from operator import attrgetter
from typing import NamedTuple

from bot.engine.films.before import IN_CLAUSE, NOT_FILM, Pre, pre_cue
from bot.engine.films.context import Article, in_sentence, speaks_of_films, specific
from bot.engine.films.cue_words import (
    APPOSITIVE_RE,
    APPOSITIVE_STARTS,
    ATTRIBUTIVE_RE,
    CLOSE_QUOTE,
    CLOSERS,
    COMPANY_WORDS,
    COPULA_RE,
    COPULA_WORDS,
    DEMONYM_RE,
    IN_DIRECTOR_RE,
    LIST_BETWEEN_RE,
    MEDIUM,
    ONE_WORD_CUES,
    PLACE_BEFORE_WORDS,
    POST_CUE_LETTERS,
    POST_CUE_OPENERS,
    POST_CUE_RE,
    RELEASE_AUXILIARIES,
    RELEASE_RE,
    RELEASE_WORDS,
    ROLE_AFTER_RE,
    ROLE_AFTER_WORDS,
    SCREEN_CONTEXT_RE,
    SPEECH_VERBS,
    STRONG,
    TELEVISION_RE,
    Cue,
)
from bot.engine.films.extent import (
    credit_ends,
    extend_and,
    extend_left,
    extend_small_word,
    numbered,
    word_before,
)
from bot.engine.films.keys import key
from bot.engine.films.ordinals import find_ordinals
from bot.engine.films.overrides import Overrides
from bot.engine.films.phrases import (
    LOWER_JOINERS,
    NOT_A_TITLE_ALONE,
    SP,
    segments,
    with_quoted,
)
from bot.engine.words import tokens


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


INITIALISM_RE = re.compile(r"^[A-Z]{1,4}$")
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


LIST_CUES = frozenset({Cue.CREDITS, Cue.FILM_WORD, Cue.LISTED})
# A list item that goes on in lowercase words and capitals is a title cut short ("A Sparrow"
# of "A Sparrow in the Engine"): no item of its own.
CUT_TITLE_RE = re.compile(
    r"[ \u00a0]+(?:in|on|at|for|with|from|by|into|under)(?:[ \u00a0]+the)?[ \u00a0]+[A-Z]"
)


class _Cued(NamedTuple):
    """A candidate's cue, how much it says (0 for a weak cue), and the year it gives."""

    cue: str
    level: int = 0
    year: int | None = None


def find_mentions(article_id: str, text: str, overrides: Overrides | None = None) -> list[Mention]:
    """Candidate film (and franchise) names in one article, in text order.

    Weak candidates are returned too: they cost nothing here, and only ``merge_films`` can tell
    whether a plain "Fallout" is a film another article establishes. With ``overrides``, the
    names in films.toml are also found verbatim, so an alias added there counts wherever the
    text uses it.
    """
    phrases = segments(text, ONE_WORD_CUES)
    candidates = with_quoted(text, phrases.candidates)
    article = Article(text, phrases.spans)
    found = [
        mention
        for (start, end), quoted in candidates.items()
        if (mention := _classify(article_id, text, start, end, quoted, article)) is not None
    ]
    found.sort(key=attrgetter("start"))
    if article.extended:
        found = _drop_covered(found)  # "Salt on the Wire (2013)" took in "Salt"
    _continue_lists(text, found, article)
    mentions: list[Mention] = []
    if overrides is not None and overrides.pattern is not None:
        # An admin's name inside a longer title ("Dead Reckoning" in "Mission: Impossible -
        # Dead Reckoning Part One") is that title's word, not a mention of its own.
        mentions = [
            m
            for m in override_mentions(article_id, text, overrides)
            if not any(
                c.start <= m.start and m.end <= c.end and (c.start, c.end) != (m.start, m.end)
                for c in found
            )
        ]
    mentions = sorted(mentions + found, key=attrgetter("start")) if mentions else found
    _link_aliases(text, mentions)
    ordinals = [
        Mention(
            article_id,
            o.start,
            o.end,
            text[o.start : o.end],
            Cue.ORDINAL,
            number=o.number,
            series=o.series,
        )
        for o in find_ordinals(text)
    ]
    if ordinals:
        mentions = sorted(mentions + ordinals, key=attrgetter("start"))
    return mentions


def _drop_covered(mentions: list[Mention]) -> list[Mention]:
    """Without the candidates a longer title took in ("Salt" in "Salt on the Wire", "Crow" in
    "Kettle and Crow"); ``mentions`` sorted by start."""
    out: list[Mention] = []
    for mention in mentions:
        if out and mention.start < out[-1].end:
            if mention.end - mention.start > out[-1].end - out[-1].start:
                out[-1] = mention  # the same start, further: the longer title wins
            continue
        out.append(mention)
    return out


def _continue_lists(text: str, mentions: list[Mention], article: Article) -> None:
    """A second title in the same breath: "directed A and B", "starred in A in 1988 and later
    in B", "appeared in A, B and C". B takes A's cue as a medium one (enough for a title of
    several words or an uncommon one), unless it is a person or a possessive."""
    for before, after in zip(mentions, mentions[1:], strict=False):
        if (
            before.strong
            and before.cue in LIST_CUES
            and not after.strong
            and after.cue in (Cue.PLAIN, Cue.QUOTED)
            and after.start - before.end <= 32
            and LIST_BETWEEN_RE.match(text, before.end, after.start)
            and not text.startswith(("'s", "’s"), after.end)
            and not CUT_TITLE_RE.match(text, after.end)
            and not article.is_person(after.surface)
        ):
            after.cue, after.strong = Cue.LISTED, specific(after.surface)


PLAIN = _Cued(Cue.PLAIN)
COLON = _Cued(Cue.COLON, STRONG)  # "Top Gun: Maverick"


def _classify(
    article_id: str, text: str, start: int, end: int, quoted: bool, article: Article
) -> Mention | None:
    """The mention at text[start:end] with its cue; None for a function word ("the film In
    ..."), which only a strong cue makes a title."""
    pre = pre_cue(text, start - 1 if quoted else start, article)
    after = text[end : end + 2]
    first = after[:1]
    # Every cue after a title starts with a quote, comma or bracket, or a space and one of
    # these letters ("franchise", "sequel", "movie", "released", ...): skip the regex if not.
    post = (
        POST_CUE_RE.match(text, end)
        if first in POST_CUE_OPENERS
        or (first == " " and (after[1:].lower() in POST_CUE_LETTERS or after == " c"))
        else None
    )
    appositive = release = None
    if after == ", ":
        if text.startswith(DETERMINERS, end + 2) or (
            text[end + 2 : end + 3].isupper() and "'s " in text[end + 3 : end + 24]
        ):
            appositive = APPOSITIVE_RE.match(text, end)  # "X, a Finnish documentary about"
        release = _word_cue(text, end, end + 2, appositive)
    elif first == " ":
        release = _word_cue(text, end, end + 1, None)
        if release is not None and release.re is COPULA_RE:
            appositive, release = release, None  # "X is her slowest film yet"
    elif (after in COMMA_QUOTES or first in CLOSING_QUOTES) and text.startswith(
        APPOSITIVE_STARTS, end
    ):
        appositive = APPOSITIVE_RE.match(text, end)  # '"Hollis & Dyer," a buddy comedy'
    if pre is None and post is None and appositive is None and release is None and not quoted:
        surface = text[start:end]  # the common case: no cue around
        colon = ": " in surface and not _heads_headline(text, start)
        mention = Mention(article_id, start, end, surface, Cue.COLON if colon else Cue.PLAIN, colon)
        if surface[-1] in NUMBER_ENDS:
            _number(mention)
        return mention
    cued = _cue_of(text, start, end, quoted, pre, (post, appositive, release), article)
    if cued.level and pre is not None and pre.lead:
        start -= pre.lead  # the sentence's "The" the phrase lost: "...: The Lantern Keepers"
        article.extended = True
    if cued.level and pre is None and not quoted and cued.cue in AFTER_CUES:
        start = extend_left(text, start, article)  # "Salt on the Wire (2013)"
    elif cued.level and pre is not None and pre.cue == Cue.FILM_WORD and not pre.closed:
        end = extend_and(text, end, article)  # "the animated short Kettle and Crow"
        end = extend_small_word(text, end, article)  # "the indie comedy Paper Lanterns for Emmett"
    surface = text[start:end]
    level = cued.level
    strong = level == STRONG or (level == MEDIUM and specific(surface))
    if cued.cue == Cue.QUOTED and level:
        # 'the "Barbenheimer" double bill' uses a quoted name as a modifier: not a title.
        strong = not (
            text[start - 5 : start - 1].lower() == "the " and ATTRIBUTIVE_RE.match(text, end)
        ) and speaks_of_films(text, start, end)
    if not strong and surface in NOT_A_TITLE_ALONE:
        return None
    mention = Mention(article_id, start, end, surface, cued.cue, strong, cued.year)
    if surface[-1] in NUMBER_ENDS and cued.cue != Cue.FRANCHISE:
        _number(mention)
    return mention


def _word_cue(
    text: str, end: int, at: int, appositive: re.Match[str] | None
) -> re.Match[str] | None:
    """The cue the word at ``at`` starts after a title: a release ("X premiered at ...", "X,
    which premiered ..."), a person of the film's ("Marrow Creek star Tilda Vance"), or a
    copula ("X is her slowest film yet")."""
    space = text.find(" ", at, at + 12)
    kind = NEXT_WORD_CUES.get(text[at:space]) if space > 0 else None
    if kind is None:
        return None
    if kind == "release" or (kind == "copula" and text.startswith(RELEASE_AUXILIARIES, end)):
        found = RELEASE_RE.match(text, end)
        if found is not None or kind == "release":
            return found
    if kind == "role":
        return ROLE_AFTER_RE.match(text, end)
    return COPULA_RE.match(text, end) if appositive is None and at == end + 1 else None


NEXT_WORD_CUES = (
    dict.fromkeys(RELEASE_WORDS, "release")
    | dict.fromkeys(ROLE_AFTER_WORDS, "role")
    | dict.fromkeys(COPULA_WORDS, "copula")
)


def _number(mention: Mention) -> None:
    """The franchise number of "Gravel Kings 3", "MI:7", "Harbor Lights III", if any."""
    found = numbered(mention.surface)
    if found is not None:
        mention.series, mention.number = found
        if INITIALISM_RE.match(found[0]):
            mention.cue = Cue.INITIALISM
        elif mention.cue in (Cue.PLAIN, Cue.COLON, Cue.QUOTED, Cue.FILM_WORD_AFTER):
            # A number alone is no evidence ("Day 1", "Apollo 11"): merge_films decides,
            # once it knows the franchises (a colon in "X: Y 7" makes X one).
            mention.cue = Cue.NUMBERED


NUMBER_ENDS = frozenset("0123456789IVX")
DETERMINERS = ("the ", "a ", "an ", "his ", "her ", "their ", "its ")
COMMA_QUOTES = frozenset({',"', ",”", ",'", ",’"})  # '"Hollis & Dyer," a buddy comedy'
CLOSING_QUOTES = frozenset("\"”’'")
# Cues read after a title: its first words may stand before a lowercase word.
AFTER_CUES = frozenset({Cue.YEAR, Cue.CREDITS, Cue.APPOSITIVE, Cue.RELEASE})


def _heads_headline(text: str, start: int) -> bool:
    """Is a "Label: ..." phrase in a headline (a line with no closing stop)? "Weekend Box
    Office: Thunder Valley Holds ...", "What to Stream This Week: Gravel, ...": a section's or
    topic's name, then the headline, not a title."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end >= 0 else len(text)].rstrip()
    return not line.endswith((".", "!", "?", '"', "”", "'", "’"))


def _cue_of(
    text: str,
    start: int,
    end: int,
    quoted: bool,
    pre: Pre | None,
    after: tuple[re.Match[str] | None, re.Match[str] | None, re.Match[str] | None],
    article: Article,
) -> _Cued:
    """The cue of the title at text[start:end], the cues before and after it (``after``: the
    matches of POST_CUE_RE, of an appositive and of RELEASE_RE) tried strongest first: a
    franchise, a year, a film noun, a credit, an appositive, a possessive, "X sequel", a
    release ("X premiered at ..."), "In X, director Y ...", a colon, quotes."""
    surface = text[start:end]
    post, appositive, release = after
    pre_cue = pre.cue if pre is not None else None
    if post is not None and post.group("franchise"):
        return _Cued(Cue.FRANCHISE)
    if pre is not None and pre_cue == NOT_FILM:
        return _Cued(Cue.QUOTED if quoted else Cue.PLAIN)
    if pre is not None and pre_cue == Cue.YEAR:
        return _Cued(Cue.YEAR, STRONG, pre.year)
    year = (post is not None and (post.group("year1") or post.group("year3"))) or (
        appositive is not None and appositive.re is APPOSITIVE_RE and appositive.group("year")
    )
    if year:
        return _Cued(Cue.YEAR, STRONG, int(year))
    post_credit = post is not None and post.group("credit")
    if (
        post is not None
        and post.group("in_which")
        and word_before(text, start) in PLACE_BEFORE_WORDS
    ):
        post_credit = None  # "a caper set in Osaka, in which she plays ...": a place
    if pre is not None and pre_cue == Cue.FILM_WORD:
        if (
            (not pre.closed or text[end : end + 1] in CLOSERS)
            and not article.is_person(surface)
            and (not pre.screen or in_sentence(SCREEN_CONTEXT_RE, text, start, end))
        ):  # "Tickets for X" only in a sentence about films: not "Tickets for Glastonbury"
            return _Cued(Cue.FILM_WORD, pre.level)
    elif (
        (pre_cue == Cue.CREDITS or post_credit)
        and not article.is_person(surface)
        and (post_credit or pre is None or not pre.closed or credit_ends(text, end))
    ):
        return _Cued(Cue.CREDITS, STRONG if post_credit or pre is None else pre.level)
    if pre_cue == Cue.LISTED and not article.is_person(surface) and credit_ends(text, end):
        return _Cued(Cue.LISTED, MEDIUM)  # "the lineup includes X, ..."
    if appositive is not None and appositive.re is COPULA_RE:
        if not article.is_person(surface):
            return _Cued(Cue.APPOSITIVE, MEDIUM)
    elif appositive is not None and (appositive.group("head") or appositive.group("hit")):
        before = word_before(text, start)
        hit = bool(appositive.group("hit"))
        if not article.is_person(surface) and not (
            before in PLACE_BEFORE_WORDS and (hit or before not in ("and", "or"))
        ):
            return _Cued(Cue.APPOSITIVE, MEDIUM if hit else STRONG)
    if pre is not None and pre.screen:  # "Okafor's X swept the awards", "lost to X"
        if quoted and speaks_of_films(text, start, end):
            return _Cued(Cue.QUOTED, STRONG)  # 'Spielberg's "Jaws" made the summer movie'
        if in_sentence(SCREEN_CONTEXT_RE, text, start, end) and not article.is_person(surface):
            return _Cued(pre.cue, pre.level)
    if (
        post is not None
        and post.group("sequel")
        and not article.is_person(surface)
        and not DEMONYM_RE.search(surface)
    ):
        return _Cued(Cue.SEQUEL_OF, STRONG)
    if (
        post is not None
        and (post.group("owned") or post.group("crew"))
        and article.about_films()
        and not article.is_person(surface)
        and surface.rsplit(None, 1)[-1] not in COMPANY_WORDS
    ):
        return _Cued(Cue.SEQUEL_OF, MEDIUM)  # "Lucky Thirteen's director", "the X cast"
    if (
        release is not None
        and not article.is_person(surface)
        and surface.rsplit(None, 1)[-1] not in COMPANY_WORDS
        and (
            release.re is not ROLE_AFTER_RE
            or (article.about_films() and not DEMONYM_RE.search(surface))  # "the Kenyan actor"
        )
        and not in_sentence(TELEVISION_RE, text, start, end)
    ):
        return _Cued(Cue.RELEASE, MEDIUM)
    if pre_cue == IN_CLAUSE:
        credit = IN_DIRECTOR_RE.match(text, end)
        if (
            credit is not None
            and credit.group("verb") not in SPEECH_VERBS
            and not article.is_place(surface, start)
        ):
            return _Cued(Cue.CREDITS, MEDIUM)
    if ": " in surface and not _heads_headline(text, start):
        return COLON
    if quoted:
        return _Cued(Cue.QUOTED, STRONG)  # if its clause speaks of films: see _classify
    if post is not None and post.group("filmword"):
        return _Cued(Cue.FILM_WORD_AFTER)
    return PLAIN


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
