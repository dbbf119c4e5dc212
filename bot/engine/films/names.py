"""Film names in a question: which films it names, by any alias, typo, initialism or ordinal.

``FilmIndex`` indexes every film's names by token once per opened index, so that a question
costs a few dict lookups, not a fuzzy scan over every title.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.engine.films.cue_words import YEAR_WORD_RE
from bot.engine.films.keys import key
from bot.engine.films.merge import Film, initials
from bot.engine.films.ordinals import ORDINAL_NUMBERS
from bot.engine.films.phrases import ALWAYS_CAPITALISED
from bot.engine.spelling import typed_as_meant, typo_budget
from bot.engine.words import STOPWORDS, TOKEN_RE, tokens

QUESTION_NOUNS = frozenset(
    ["film", "films", "movie", "movies", "installment", "instalment", "installments"]
    + ["entry", "chapter", "outing", "one", "part"]
)
MIN_FUZZY_LETTERS = 5  # as typo_budget: no typo in a shorter word
LOOSE_MIN_LETTERS = 4  # a word of a name typed loosely may have a typo from this length
# A question's word this common in English (wordfreq's Zipf scale, as spelling.REAL_WORD_ZIPF)
# is not a typo of a title's word ("plane" is not "Plant"); and a one-word title this common
# ("Crew", "Website") is named in a question only when capitalised after its first word.
EVERYDAY_TITLE_ZIPF = 4.0


class NamedFilm(NamedTuple):
    """A film a question names, and the token span that names it: indices ``(start, end)``
    into ``bot.engine.words.tokens(question)``."""

    film: Film
    span: tuple[int, int]


class _Named(NamedTuple):
    """Tokens ``start:end`` of a question name films: the films' places in the index, found
    under the name's token ``run``."""

    start: int
    end: int
    run: tuple[str, ...]
    films: tuple[int, ...]


class FilmIndex:
    """The films' names, indexed by token for per-question lookups.

    Every name is a run of tokens (``bot.engine.words.tokens``, as the search tokenises). A run is
    found in a question by its first token: exactly, or within the typo budget through a
    one-deletion index (SymSpell), so a question costs a few dict lookups per word, however
    many films there are. Films are known inside by their place in ``films``.
    """

    def __init__(self, films: Sequence[Film]) -> None:
        self.films = tuple(films)
        self.runs: list[tuple[tuple[str, ...], tuple[int, ...]]] = []
        self.by_first: dict[str, list[int]] = defaultdict(list)
        self.deletions: dict[str, set[str]] = defaultdict(set)
        self.title_keys: dict[str, Film] = {}
        self.by_number: dict[int, list[int]] = defaultdict(list)
        series_films: dict[str, list[int]] = defaultdict(list)
        for place, film in enumerate(self.films):
            self.title_keys.setdefault(key(film.title), film)
            if film.number is not None:
                self.by_number[film.number].append(place)
            if film.franchise:
                series_films[key(film.franchise)].append(place)
        targets: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self.series_runs: set[tuple[str, ...]] = set()
        for series_key, members in series_films.items():
            members.sort(key=lambda place: self._series_order(place, series_key))
            run = tuple(series_key.split())
            targets[run] = members  # a franchise's name: all its films, the eponymous first
            self.series_runs.add(run)
        for place, film in enumerate(self.films):
            names = [film.title, *film.aliases]
            if film.franchise and film.number is not None and len(key(film.franchise)) > 1:
                names.append(f"{initials(key(film.franchise))} {film.number}")  # "MI 7", "mi7"
            for name in names:
                for run in _runs(name):
                    if run not in self.series_runs and place not in targets[run]:
                        targets[run].append(place)
        for run, run_films in targets.items():
            self.by_first[run[0]].append(len(self.runs))
            self.runs.append((run, tuple(run_films)))
            for word in run:
                if word.isalpha() and len(word) >= MIN_FUZZY_LETTERS:
                    for variant in _deletions(word):
                        self.deletions[variant].add(word)

    def _series_order(self, place: int, series_key: str) -> tuple[bool, int, int]:
        film = self.films[place]
        return key(film.title) != series_key, film.number or 0, film.year or 0

    def _spellings(self, typed: str, cache: dict[str, set[str]], loose: bool = False) -> set[str]:
        """Index words ``typed`` may stand for: itself, or one within the typo budget (with
        ``loose``, one typo more, in a word of ``LOOSE_MIN_LETTERS`` letters or more)."""
        found = cache.get(typed)
        if found is not None:
            return found
        found = {typed}
        budget = typo_budget(typed)
        if loose and len(typed) >= LOOSE_MIN_LETTERS:
            budget += 1
        if budget and typed.isalpha() and not _everyday(typed):
            for variant in _deletions(typed):
                for known in self.deletions.get(variant, ()):
                    if known[0] == typed[0] and OSA.distance(typed, known) <= budget:
                        found.add(known)
        cache[typed] = found
        return found

    def named_in(self, question: str, title_only: bool = False) -> list[NamedFilm]:
        """The films a question names, by any alias, typo or initialism, each with the token
        span that names it (indices into ``bot.engine.words.tokens(question)``), in question
        order: "when does MI7 come out" gives [(Mission: Impossible 7, (3, 4))]. For the search
        to rank that film's passages first and to count the name once, as the film, rather
        than as separate words.

        A franchise's name alone names all its films, the eponymous one first; an ordinal
        ("the seventh installment", "7th film") names the film with that number. A one-word
        name that is an everyday English word ("Crew", "August") counts only capitalised after
        the question's first word; with ``title_only`` (``question`` is just a film's name, as
        typed to look it up), always. A one-word name is not named by a word of English a typo
        away ("what are the bends" names no film "Blends").
        """
        words = tokens(question)
        titled = _titled_words(question, len(words))
        cache: dict[str, set[str]] = {}
        found: list[_Named] = []
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
                        and (len(run) > 1 or run[0] == words[i] or not typed_as_meant(words[i]))
                    ):
                        found.append(_Named(i, j, run, run_films))
        if not found:
            found = self._loosely_named(words)
        found.sort(key=lambda f: (f.start - f.end, f.start))  # the longest names first
        chosen: list[_Named] = []
        for item in found:
            if all(item.end <= c.start or c.end <= item.start for c in chosen):
                chosen.append(item)
        chosen = self._apply_ordinals(words, chosen)
        chosen = self._apply_years(words, chosen)
        chosen.sort(key=lambda c: c.start)
        out: list[NamedFilm] = []
        seen: set[int] = set()
        for named in chosen:
            for place in named.films:
                if place not in seen:
                    seen.add(place)
                    out.append(NamedFilm(self.films[place], (named.start, named.end)))
        return out

    def _loosely_named(self, words: list[str]) -> list[_Named]:
        """Names of two words or more typed with one typo more per word than the budget allows
        ("glas orchard", "the glass orchid"), when one of their words of ``MIN_FUZZY_LETTERS``
        letters or more is typed exactly: that word and the run around it tell which film."""
        cache: dict[str, set[str]] = {}
        found: list[_Named] = []
        for i in range(len(words)):
            for spelling in self._spellings(words[i], cache, loose=True):
                for run_id in self.by_first.get(spelling, ()):
                    run, run_films = self.runs[run_id]
                    j = i + len(run)
                    if len(run) < 2 or j > len(words):
                        continue
                    typed = words[i:j]
                    if all(
                        run[k] in self._spellings(typed[k], cache, loose=True)
                        for k in range(len(run))
                    ) and any(
                        a == b and len(a) >= MIN_FUZZY_LETTERS
                        for a, b in zip(run, typed, strict=True)
                    ):
                        found.append(_Named(i, j, run, run_films))
        return found

    def _numbered(self, places: Iterable[int], number: int) -> tuple[int, ...]:
        return tuple(place for place in places if self.films[place].number == number)

    def _apply_ordinals(self, words: list[str], chosen: list[_Named]) -> list[_Named]:
        """ "seventh mission impossible film" keeps the franchise's 7th; "the seventh
        installment" alone finds the 7th of the named franchise or of any."""
        result = list(chosen)
        for i, word in enumerate(words):
            number = _ordinal_number(word)
            if number is None:
                continue
            series = next(
                (c for c in result if c.start == i + 1 and c.run in self.series_runs), None
            )
            if series is not None:
                picked = self._numbered(series.films, number)
                result.remove(series)
                if picked:
                    result.append(_Named(i, series.end, series.run, picked))
                continue
            if i + 1 < len(words) and words[i + 1] in QUESTION_NOUNS:
                named = [c for c in result if c.run in self.series_runs]
                pool = [f for c in named for f in c.films] or self.by_number.get(number, [])
                picked = self._numbered(pool, number)
                if picked:
                    for c in named:
                        result.remove(c)
                    result.append(_Named(i, i + 2, ("#",), picked))
        return result

    def _apply_years(self, words: list[str], chosen: list[_Named]) -> list[_Named]:
        """ "the 1996 Mission: Impossible", "Mission: Impossible (1996)": of a franchise's
        films, the one from that year."""
        result = []
        for named in chosen:
            if len(named.films) > 1:
                for at in (named.start - 1, named.end):
                    if 0 <= at < len(words) and YEAR_WORD_RE.fullmatch(words[at]):
                        year = int(words[at])
                        picked = tuple(f for f in named.films if self.films[f].year == year)
                        if picked:
                            start, end = min(named.start, at), max(named.end, at + 1)
                            named = _Named(start, end, named.run, picked)
                            break
            result.append(named)
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
            longest = min(named, key=lambda n: n.span[0] - n.span[1])  # "mission impossible 9"
            return longest.film

        choices = {" ".join(run): films for run, films in self.runs}
        hit = process.extractOne(wanted, list(choices), scorer=fuzz.ratio, score_cutoff=80)
        if hit is not None and re.sub(r"\D", "", hit[0]) == re.sub(r"\D", "", wanted):
            return self.films[choices[hit[0]][0]]
        return None


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


def match_film(query: str, index: FilmIndex) -> Film | None:
    """The film a typed name means ("mision imposible 7", "MI7", "fallout"), or None: see
    ``FilmIndex.match``."""
    return index.match(query)
