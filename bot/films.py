"""Films: which films the articles talk about, by every name they use, found in the text itself.

There is no list of titles here. A stretch of text is taken for a film title when the way it is
written says so:

- quoted and in title case, with a film word in the same sentence ("the "Mission: Impossible"
  franchise");
- a ``Title: Subtitle`` or ``Title - Subtitle`` form of capitalised words ("Top Gun: Maverick",
  "Mission Impossible: Fallout"), or an initialism with a number ("MI:7");
- a capitalised phrase right before or after a film word ("the Mission Impossible series");
- a franchise title with a number ("Mission: Impossible 8"), or its first word with one ("Mission
  8"), or an ordinal with a film word ("the seventh installment") once that number is known.

Mentions are then merged into films: forms that differ only in punctuation or case, a
franchise's initialism ("MI:7" for "Mission: Impossible 7"), its first word with the number, and
near-identical spellings (rapidfuzz). A year comes from "2015's Title", "Title (2015)" or
"Title, the 2015 film". ``seeds/films.toml`` corrects what the heuristics get wrong (see
``load_overrides``).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.spelling import typo_budget
from bot.words import is_content_word, normalise, tokens

# Words that say a film is meant. The first set may stand right next to a title ("the X
# franchise", "the film X"); "starring" and "directed" only show that a sentence is about films
# (next to them stands a person: "the Christopher McQuarrie directed film").
NEXT_TO_TITLE = (
    r"(?:films?|movies?|sequels?|installment|instalment|franchise|series|trailer|spin-off"
    r"|prequel|blockbuster)"
)
FILM_WORDS = rf"(?:{NEXT_TO_TITLE}|starring|starred|stars|directed|director)"
CAP = r"(?:[A-Z][\w'’&]*|\d+)"  # a capitalised word or a number, as in a title
TITLE_WORDS = rf"{CAP}(?:\s+(?:of|the|and|a|an|&)\s+{CAP}|\s+{CAP})*"
SUBTITLE_SEP = r"(?::\s+|\s+[-–—]\s+)"

COLON_TITLE_RE = re.compile(rf"\b{TITLE_WORDS}(?:{SUBTITLE_SEP}{TITLE_WORDS}){{1,2}}")
INITIALISM_RE = re.compile(r"\b([A-Z]{2,4}):?\s?(\d{1,2})\b")
QUOTED_RES = [
    re.compile(r"[\"“]([^\"“”\n]{2,80}?)[\"”]"),
    re.compile(r"(?<!\w)['‘]([^'‘’\n]{2,60}?)['’](?!\w)"),
]
NEAR_FILM_WORD_RE = re.compile(
    rf"\b(?:the\s+)?({TITLE_WORDS})\s+{NEXT_TO_TITLE}\b"
    rf"|\b{NEXT_TO_TITLE}\s+(?:of\s+|for\s+|to\s+)?({TITLE_WORDS})"
    rf"|\b({TITLE_WORDS}),\s+the\s+(?:19|20)\d\d\s+(?:film|movie)\b"
)
ORDINAL_RE = re.compile(
    rf"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+(?:\w+\s+)?{FILM_WORDS}\b",
    re.IGNORECASE,
)
# What a match of NEAR_FILM_WORD_RE / ORDINAL_RE is made of, and a word each match contains.
NEAR_RUN_RE = re.compile(r"[\w\s'’&,-]+")
NEXT_TO_TITLE_WORDS = (
    "film movie sequel installment instalment franchise series trailer spin-off prequel blockbuster"
).split()
ORDINAL_RUN_RE = re.compile(r"[\w\s-]+")
# Letters re.IGNORECASE takes for i, s and k that lower() leaves alone.
CASE_FIXES = str.maketrans("ıİſK", "iisk")
ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
YEAR_BEFORE_RE = re.compile(r"\b((?:19|20)\d\d)(?:['’]s)?\s+(?:[\w-]+\s+){0,2}[\"“]?$")
YEAR_AFTER_RE = re.compile(
    r"^[\"”]?\s*(?:\(((?:19|20)\d\d)\)|,\s+the\s+((?:19|20)\d\d)\s+(?:film|movie))"
)
SENTENCE_RE = re.compile(r"[^.!?]*(?:[.!?]+|$)")
MERGE_SIMILARITY = 92
MATCH_FILM_SCORE = 75


@dataclass(frozen=True)
class Mention:
    """One place an article names a film."""

    article_id: str
    start: int  # offsets into the article text
    end: int
    surface: str  # the name as written
    year: int | None = None


@dataclass
class Film:
    title: str
    year: int | None
    aliases: list[str]
    mentions: list[Mention] = field(default_factory=list)

    @property
    def articles(self) -> list[str]:
        return sorted({m.article_id for m in self.mentions})


# --- finding mentions ------------------------------------------------------------------------


def find_mentions(article_id: str, text: str) -> list[Mention]:
    """Every stretch of ``text`` that is written like a film title (ordinals not resolved)."""
    found: dict[tuple[int, int], Mention] = {}

    def add(start: int, end: int) -> None:
        if text[max(0, start - 1) : start] == "(":
            return  # "(High Altitude – Low Opening)" spells out an abbreviation
        surface = clean_surface(text[start:end])
        if not surface or not looks_like_title(surface):
            return
        start = text.find(surface, start, end + 1)
        end = start + len(surface)
        if any(s <= start and end <= e for s, e in found):
            return  # inside a longer mention
        for key in [k for k in found if start <= k[0] and k[1] <= end]:
            del found[key]
        found[(start, end)] = Mention(article_id, start, end, surface, year_near(text, start, end))

    for match in COLON_TITLE_RE.finditer(text):
        add(match.start(), match.end())
    for match in INITIALISM_RE.finditer(text):
        add(match.start(), match.end())
    for quoted in QUOTED_RES:
        for match in quoted.finditer(text):
            if is_title_case(match.group(1)) and has_film_word(
                sentence_around(text, match.start())
            ):
                add(match.start(1), match.end(1))
    for match in matches_in_runs(NEAR_FILM_WORD_RE, text, NEAR_RUN_RE, NEXT_TO_TITLE_WORDS):
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        add(match.start(group), match.end(group))
    return sorted(found.values(), key=lambda m: m.start)


def clean_surface(surface: str) -> str:
    """Trim what clings to a title in running text: a possessive, punctuation, "The"."""
    surface = surface.strip(" \t\n,.;!?\"'“”‘’")
    surface = re.sub(r"['’]s$", "", surface)
    words = surface.split()
    while len(words) > 1 and not is_content_word(normalise(words[0])):
        words.pop(0)  # "In Mission Impossible: Fallout" at the start of a sentence
    return " ".join(words)


def looks_like_title(surface: str) -> bool:
    words = surface.split()
    if not words or len(words) > 8 or surface.isdigit():
        return False
    if not surface[0].isupper():
        return False
    # A lone capitalised word that is a sentence opener or ordinary word is not a title.
    return not (len(words) == 1 and not re.search(r"\d|:", surface) and len(surface) < 4)


def is_title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[\w'’]+", text) if w.lower() not in SMALL_WORDS]
    return bool(words) and all(w[0].isupper() or w[0].isdigit() for w in words)


SMALL_WORDS = frozenset("of the and in on a an to for at".split())


def has_film_word(sentence: str) -> bool:
    return re.search(rf"\b{FILM_WORDS}\b", sentence, re.IGNORECASE) is not None


def sentence_around(text: str, offset: int) -> str:
    start = max(text.rfind(". ", 0, offset), text.rfind("\n", 0, offset)) + 1
    end = min(
        (i for i in (text.find(". ", offset), text.find("\n", offset)) if i >= 0), default=len(text)
    )
    return text[start:end]


def year_near(text: str, start: int, end: int) -> int | None:
    before = YEAR_BEFORE_RE.search(text[max(0, start - 40) : start])
    if before:
        return int(before.group(1))
    after = YEAR_AFTER_RE.search(text[end : end + 30])
    if after:
        return int(after.group(1) or after.group(2))
    return None


def ordinal_mentions(article_id: str, text: str) -> list[tuple[int, int, int]]:
    """("the seventh installment") as (start, end, number): resolved once numbers are known."""
    return [
        (m.start(), m.end(), ORDINALS.index(m.group(1).lower()) + 1)
        for m in matches_in_runs(ORDINAL_RE, text, ORDINAL_RUN_RE, ORDINALS, fold=True)
    ]


def matches_in_runs(
    pattern: re.Pattern, text: str, runs: re.Pattern, words: Iterable[str], fold: bool = False
) -> Iterator[re.Match]:
    """``pattern.finditer(text)``, tried only in the runs of the characters a match can hold
    (``runs``) that contain one of the ``words`` every match holds: the same matches, found
    three to ten times faster than by trying ``pattern`` at every word of an article."""
    for run in runs.finditer(text):
        piece = run.group().translate(CASE_FIXES).lower() if fold else run.group()
        if any(word in piece for word in words):
            yield from pattern.finditer(text, run.start(), run.end())


# --- merging into films ----------------------------------------------------------------------


def title_key(title: str) -> str:
    """Punctuation, case and accents don't tell films apart: "Mission Impossible: Fallout"."""
    return " ".join(tokens(title))


@dataclass(frozen=True)
class Shape:
    """A title seen as a franchise plus a number, if it is one."""

    franchise: str  # title key without the number
    number: int | None


def shape(title: str) -> Shape:
    words = title_key(title).split()
    if len(words) >= 2 and words[-1].isdigit() and len(words[-1]) <= 2:
        return Shape(" ".join(words[:-1]), int(words[-1]))
    return Shape(" ".join(words), None)


def initials(franchise: str) -> str:
    return "".join(word[0] for word in franchise.split() if not word.isdigit())


def merge_films(
    mentions: Iterable[Mention],
    ordinals: Iterable[tuple[str, int, int, int]] = (),
    overrides: Overrides | None = None,
) -> list[Film]:
    """One ``Film`` per distinct film, with every alias and mention; see the module doc."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        groups[title_key(mention.surface)].append(mention)
    keys = sorted(groups, key=lambda k: (-len(k), k))
    target: dict[str, str] = {}  # key -> key of the film it belongs to
    parents = MergedFilms()
    for key in keys:
        target[key] = parents.find_parent(key) or key
        if target[key] == key:
            parents.add(key)
    films_by_key: dict[str, list[Mention]] = defaultdict(list)
    for key, group in groups.items():
        films_by_key[target[key]].extend(group)
    films = [make_film(group) for group in films_by_key.values()]
    attach_ordinals(films, ordinals)
    if overrides:
        films = overrides.apply(films)
    return sorted(films, key=lambda f: (f.year or 9999, f.title.lower()))


class MergedFilms:
    """The films merged so far, for ``find_parent`` without trying every one of them.

    Every test in ``find_parent`` needs the same number (or none on both sides), and a title
    ``MERGE_SIMILARITY`` alike is at most 17% longer (fuzz.ratio is 2·matches / both lengths).
    So films are kept by number, and those without one by length; a lookup tries the same
    films in the same order as ``find_parent`` over the whole list, and gets the same answer,
    in C (rapidfuzz) rather than Python: merging the titles of 10,000 articles took minutes.
    """

    def __init__(self) -> None:
        self.numbered: dict[int, list[str]] = defaultdict(list)
        self.by_length: dict[int, list[str]] = defaultdict(list)  # films without a number

    def add(self, key: str) -> None:
        number = shape(key).number
        if number is None:
            self.by_length[len(key)].append(key)
        else:
            self.numbered[number].append(key)

    def find_parent(self, key: str) -> str | None:
        number = shape(key).number
        if number is not None:
            return find_parent(key, self.numbered.get(number, []))
        longest = len(key) * (200 - MERGE_SIMILARITY) // MERGE_SIMILARITY + 1
        for length in range(longest, len(key) - 1, -1):  # films come longest first
            films = self.by_length.get(length)
            if films:
                alike = process.extract(
                    key, films, scorer=fuzz.ratio, score_cutoff=MERGE_SIMILARITY, limit=None
                )
                if alike:
                    return films[min(index for _, _, index in alike)]
        return None


def find_parent(key: str, films: list[str]) -> str | None:
    """The longer film title ``key`` is another name for, if any."""
    mine = shape(key)
    for other in films:
        theirs = shape(other)
        if mine.number is not None and mine.number == theirs.number:
            if mine.franchise == initials(theirs.franchise):  # "mi 7" -> "mission impossible 7"
                return other
            if theirs.franchise.startswith(mine.franchise + " "):  # "mission 8"
                return other
        if mine.number == theirs.number and fuzz.ratio(key, other) >= MERGE_SIMILARITY:
            return other
    return None


def make_film(mentions: list[Mention]) -> Film:
    """Canonical title: the longest form seen with its punctuation, preferring the commonest."""
    counts = Counter(m.surface for m in mentions)
    title = max(counts, key=lambda s: (len(title_key(s)), ":" in s, counts[s], s))
    years = Counter(m.year for m in mentions if m.year)
    aliases = sorted({m.surface for m in mentions} - {title}, key=str.lower)
    return Film(title, years.most_common(1)[0][0] if years else None, aliases, list(mentions))


def attach_ordinals(films: list[Film], ordinals: Iterable[tuple[str, int, int, int]]) -> None:
    """ "The seventh installment" is the franchise's film number 7, when the articles have one."""
    by_number: dict[int, list[Film]] = defaultdict(list)
    for film in films:
        number = shape(film.title).number
        if number is not None:
            by_number[number].append(film)
    for article_id, start, end, number in ordinals:
        candidates = by_number.get(number, [])
        in_article = [f for f in candidates if article_id in f.articles] or candidates
        if len(in_article) == 1:
            in_article[0].mentions.append(Mention(article_id, start, end, "", None))


# --- admin overrides (seeds/films.toml) -----------------------------------------------------


@dataclass
class Overrides:
    """Corrections from ``films.toml``; each table is optional.

    ```toml
    hide = ["Day One"]                        # not films
    [rename]
    "Mission: Impossible - Fallout" = "Mission: Impossible – Fallout"
    [aliases]                                 # extra names people use
    "Mission: Impossible 7" = ["Dead Reckoning", "the seventh one"]
    [merge]                                   # these are one film (merged into the key)
    "Top Gun: Maverick" = ["Top Gun 2"]
    [years]
    "Top Gun: Maverick" = 2022
    ```
    Titles are matched ignoring case and punctuation, by title or any alias.
    """

    hide: list[str] = field(default_factory=list)
    rename: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    merge: dict[str, list[str]] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)

    def apply(self, films: list[Film]) -> list[Film]:
        for into, others in self.merge.items():
            keep = find_film(into, films)
            for other in others:
                gone = find_film(other, films)
                if keep and gone and gone is not keep:
                    keep.aliases = sorted({*keep.aliases, gone.title, *gone.aliases} - {keep.title})
                    keep.mentions += gone.mentions
                    keep.year = keep.year or gone.year
                    films.remove(gone)
        for name, extra in self.aliases.items():
            if film := find_film(name, films):
                film.aliases = sorted({*film.aliases, *extra} - {film.title}, key=str.lower)
        for name, year in self.years.items():
            if film := find_film(name, films):
                film.year = year
        for old, new in self.rename.items():
            if film := find_film(old, films):
                film.aliases = sorted({*film.aliases, film.title} - {new}, key=str.lower)
                film.title = new
        hidden = {id(f) for name in self.hide if (f := find_film(name, films))}
        return [f for f in films if id(f) not in hidden]


def find_film(name: str, films: list[Film]) -> Film | None:
    key = title_key(name)
    for film in films:
        if key in {title_key(n) for n in (film.title, *film.aliases)}:
            return film
    return None


def load_overrides(path: Path) -> tuple[Overrides | None, list[str]]:
    """Read ``films.toml``: (overrides, warnings). A bad file or entry is warned about and left
    out; it never stops indexing."""
    if not path.exists():
        return None, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return None, [f"{path.name}: ignored ({error})"]
    warnings: list[str] = []
    overrides = Overrides()
    overrides.hide = [
        h for h in as_list(data.get("hide", []), "hide", warnings) if isinstance(h, str)
    ]
    overrides.rename = string_table(data, "rename", str, warnings)
    overrides.aliases = string_table(data, "aliases", list, warnings)
    overrides.merge = string_table(data, "merge", list, warnings)
    overrides.years = string_table(data, "years", int, warnings)
    for unknown in sorted(set(data) - {"hide", "rename", "aliases", "merge", "years"}):
        warnings.append(f"{path.name}: unknown table [{unknown}] ignored")
    return overrides, warnings


def as_list(value: object, name: str, warnings: list[str]) -> list:
    if isinstance(value, list):
        return value
    warnings.append(f"films.toml: {name} must be a list; ignored")
    return []


def string_table(data: dict, name: str, kind: type, warnings: list[str]) -> dict:
    table = data.get(name, {})
    if not isinstance(table, dict):
        warnings.append(f"films.toml: [{name}] must be a table; ignored")
        return {}
    good = {}
    for key, value in table.items():
        if isinstance(value, kind) and not isinstance(value, bool):
            if kind is list:
                value = [v for v in value if isinstance(v, str)]
            good[key] = value
        else:
            warnings.append(f"films.toml: [{name}] {key!r} must be a {kind.__name__}; ignored")
    return good


# --- films named in a question ---------------------------------------------------------------


def alias_token_runs(film: Film, franchises: set[str]) -> set[tuple[str, ...]]:
    """Every name of a film as a run of normalised tokens, with the forms people type:
    "mi 7" and "mi7" for "Mission: Impossible 7", the subtitle alone ("fallout", "maverick")
    unless the title is a franchise's own name ("Impossible" is not a film)."""
    runs: set[tuple[str, ...]] = set()
    for name in (film.title, *film.aliases):
        words = tuple(tokens(name))
        if not words:
            continue
        runs.add(words)
        form = shape(name)
        if form.number is not None and len(form.franchise.split()) > 1:
            short = initials(form.franchise)
            runs.update({(short, str(form.number)), (f"{short}{form.number}",)})
        parts = re.split(SUBTITLE_SEP, name)
        subtitle = tuple(tokens(parts[-1]))
        if (
            len(parts) > 1
            and subtitle
            and not subtitle[0].isdigit()
            and " ".join(words) not in franchises
        ):
            runs.add(subtitle)
    return runs


class FilmIndex:
    """Finds the films a question names, fast enough for every question: alias runs are
    looked up by their first word (exact, or within the typo budget among words of the same
    first letter), not compared with every alias."""

    def __init__(self, films: list[Film]) -> None:
        self.films = films
        keys = [title_key(f.title) for f in films]
        franchises = {k for k in keys if any(o != k and o.startswith(k + " ") for o in keys)}
        self.by_first: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        for number, film in enumerate(films):
            for run in alias_token_runs(film, franchises):
                self.by_first[run[0]].append((run, number))
        self.by_letter: dict[str, list[str]] = defaultdict(list)
        for first in self.by_first:
            self.by_letter[first[0]].append(first)

    def named_in(self, question: str) -> list[tuple[Film, tuple[int, int]]]:
        """Films the question names, by any alias and with typos, each with the token span
        that names it, longest names first and never overlapping."""
        words = tokens(question)
        found: list[tuple[int, int, int]] = []  # (length, start, film number)
        for start, word in enumerate(words):
            firsts = [word] if word in self.by_first else []
            if typo_budget(word):
                firsts += [
                    f for f in self.by_letter.get(word[0], ()) if f != word and same_word(word, f)
                ]
            for first in firsts:
                for run, number in self.by_first[first]:
                    end = start + len(run)
                    if end <= len(words) and all(
                        same_word(words[start + k], run[k]) for k in range(1, len(run))
                    ):
                        found.append((len(run), start, number))
        named: list[tuple[Film, tuple[int, int]]] = []
        taken: set[int] = set()
        for length, start, number in sorted(found, key=lambda f: (-f[0], f[1])):
            span = set(range(start, start + length))
            film = self.films[number]
            if span & taken or any(f is film for f, _ in named):
                continue
            taken |= span
            named.append((film, (start, start + length)))
        return named


def same_word(typed: str, known: str) -> bool:
    """Equal, or within the typo budget (Meilisearch's rules, first letter kept)."""
    if typed == known:
        return True
    budget = typo_budget(typed)
    if not budget or typed[0] != known[0] or not typed.isalpha():
        return False
    from rapidfuzz.distance import OSA

    return OSA.distance(typed, known, score_cutoff=budget) <= budget


def match_film(query: str, index: FilmIndex) -> Film | None:
    """The film ``query`` names (for ``/film title:``): by alias, typos allowed, else the
    title or alias closest by fuzzy ratio, if close enough."""
    named = index.named_in(query)
    if named:
        return named[0][0]
    wanted = normalise(query)
    scored = [
        (max(fuzz.WRatio(wanted, normalise(n)) for n in (f.title, *f.aliases)), f)
        for f in index.films
    ]
    score, film = max(scored, key=lambda pair: pair[0], default=(0, None))
    return film if score >= MATCH_FILM_SCORE else None
