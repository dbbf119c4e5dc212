"""Merging mentions into films: franchises, numbers, initialisms and ordinals resolved, the
aliases of each film joined (disjoint sets), films.toml applied, weakly evidenced films dropped.

``merge_films`` runs once over all the mentions of the collection (the index passes each
distinct one once, with its count). A film needs at least one strong mention, and weak ones only
join films that exist already.

Franchises come from "the X franchise/series/films", numbered titles, a film that later
titles number ("1996's Mission: Impossible" then "Mission: Impossible 7"), and the part before
the subtitle of ``Title: Subtitle`` titles.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from rapidfuzz import fuzz, process

from bot.engine.films.cue_words import Cue
from bot.engine.films.extent import NUMBERED_RE, roman_number
from bot.engine.films.keys import key
from bot.engine.films.mentions import Mention
from bot.engine.films.overrides import Overrides
from bot.engine.films.phrases import LOWER_JOINERS

log = logging.getLogger(__name__)

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
        Cue.APPOSITIVE,
        Cue.POSSESSIVE,
        Cue.LISTED,
        Cue.PLAIN,
    }
)


@dataclass(frozen=True)
class Film:
    """One film: its canonical title, every name the articles use, and where they use them."""

    title: str
    year: int | None
    aliases: tuple[str, ...]  # other names: seen in the articles, derived ("MI7"), or from toml
    mentions: tuple[Mention, ...]  # sorted by article, then offset
    franchise: str | None = None  # "Mission: Impossible", when the film belongs to one
    number: int | None = None  # its number in the franchise, when the articles give one
    # Its place in ``merge_films``' order, from 1: the ``films`` row id in the index. None for
    # a film made elsewhere (a test, or a reader that leaves it out).
    id: int | None = None

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(sorted({m.article_id for m in self.mentions}))


def initials(franchise_key: str) -> str:
    """ "mi" for "mission impossible", "ff" for "fast and furious"."""
    return "".join(w[0] for w in franchise_key.split() if w not in LOWER_JOINERS)


MERGE_SIMILARITY = 92  # rapidfuzz ratio above which two titles are one film spelt two ways


class Identity(NamedTuple):
    """Which film a mention names: a title, by its key ("top gun maverick"), or a franchise's
    film by its number (``key`` the franchise's, "mission impossible", and ``number`` 7)."""

    key: str
    number: int | None = None


class Placed(NamedTuple):
    """A mention with the film it names, and whether it is evidence enough that the film exists."""

    mention: Mention
    identity: Identity
    strong: bool


@dataclass
class _Franchises:
    """Franchise names found across all articles: key -> surfaces as written. Indexed by
    initials and by leading words, so that resolving a name costs a few dict lookups."""

    names: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    abbreviated: set[str] = field(default_factory=set)  # written by initials somewhere ("MI:7")
    called: set[str] = field(default_factory=set)  # called one: "the X franchise", "X series"
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

    def of(self, identity: Identity) -> str | None:
        """The franchise of the film ``identity`` names, if it has one."""
        return identity.key if identity.number is not None else self.of_title(identity.key)

    def display(self, franchise_key: str) -> str:
        surfaces = self.names[franchise_key]
        return max(surfaces, key=lambda s: (":" in s, len(s), surfaces[s], s))


def merge_films(
    mentions: Iterable[Mention],
    overrides: Overrides | None = None,
    warnings: list[str] | None = None,
) -> list[Film]:
    """One ``Film`` per film the mentions establish, with every alias, mention and year, in
    the index's order (by franchise or title, then year), each with its ``id`` in that order.

    A film needs one strong mention; weak ones (plain phrases, initialisms, ordinals, "Mission
    8") join a film that exists. Overrides are applied last; any entry that names no film is
    skipped, with a line in ``warnings`` (the build's summary shows them) or else in the log.
    """
    mentions = list(mentions)
    by_override = [m for m in mentions if m.cue == Cue.OVERRIDE]
    mentions = [m for m in mentions if m.cue != Cue.OVERRIDE]
    franchises = _find_franchises(mentions)
    dsu = _DisjointSets()
    placed: list[Placed] = []
    plain: list[Placed] = []
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
        series = franchises.of(identity)
        if series:
            article_franchises[mention.article_id][series] += mention.count
        if mention.cue == Cue.PLAIN:
            plain.append(Placed(mention, identity, strong))
            continue
        placed.append(Placed(mention, identity, strong))
        dsu.add(identity)
        if mention.same_as is not None:
            other = _identity_of(mention.same_as, franchises)
            dsu.add(other)
            dsu.union(other, identity)
    # A plain phrase joins a film only under a name a cued mention gives it; most capitalised
    # phrases are people and places, and the index leaves those in SQLite: the same rule, in
    # SQL, in bot.engine.build.films.titles_to_merge. A change to one is a change to both (a test
    # checks that an incremental build's films equal a full build's).
    placed += [item for item in plain if item.identity in dsu.parent]
    for mention in ordinals:
        if mention.series:
            series, _ = franchises.resolve(key(mention.series))
        else:
            series = _dominant(article_franchises[mention.article_id])
        if series:
            identity = Identity(series, mention.number)
            placed.append(Placed(mention, identity, False))
            dsu.add(identity)
    _merge_near_spellings(dsu)

    groups: dict[Identity, list[Placed]] = defaultdict(list)
    for item in placed:
        groups[dsu.find(item.identity)].append(item)
    drafts = [_Draft(root, items) for root, items in groups.items() if any(i.strong for i in items)]
    if overrides is not None:
        drafts = _apply_overrides(drafts, by_override, overrides, franchises, warnings)
    films = sorted((draft.film(franchises) for draft in drafts), key=_film_order)
    return [replace(film, id=film_id) for film_id, film in enumerate(films, start=1)]


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
            franchises.called.add(key(mention.surface))
        elif mention.cue == Cue.NUMBERED and mention.series:
            numbered.append(mention)
            if ":" in mention.series:
                franchises.add(mention.series)
        elif mention.strong and mention.cue in FILM_NOT_SERIES_CUES:
            film_keys.add(key(mention.surface))
            if mention.number is not None and mention.series:  # "its sequel Nightfall 2"
                numbered.append(mention)
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
        return Identity(key(mention.same_as or mention.surface)), True
    if mention.number is not None and mention.series is not None:
        series, in_full = franchises.resolve(key(mention.series))
        if series is not None:
            strong = mention.strong or (in_full and mention.cue == Cue.NUMBERED)
            return Identity(series, mention.number), strong
        return Identity(key(mention.surface)), mention.strong and mention.cue == Cue.NUMBERED
    title_key = key(mention.surface)
    if not title_key:
        return None, False
    # "the Top Gun star", "Mission Impossible stunts": the series. But a plain "Harbor Lights"
    # is the film when nothing calls Harbor Lights a series, only its sequels number after it:
    # it joins that film if a cue makes one.
    if (
        title_key in franchises.names
        and mention.cue not in FILM_NOT_SERIES_CUES
        and (mention.cue != Cue.PLAIN or title_key in franchises.called)
    ):
        return None, False
    strong = mention.strong and mention.cue not in (Cue.INITIALISM, Cue.ALIAS)
    return Identity(title_key), strong


def _identity_of(title: str, franchises: _Franchises) -> Identity:
    numbered = NUMBERED_RE.match(title)
    if numbered is not None:
        series, _ = franchises.resolve(key(numbered.group(1)))
        if series is not None:
            return Identity(series, int(numbered.group(2)))
    return Identity(key(title))


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
            if ra.number is not None and rb.number is None:
                ra, rb = rb, ra
            self.parent[ra] = rb


def _merge_near_spellings(dsu: _DisjointSets) -> None:
    """ "Mission Impossible: Rouge Nation" and "... Rogue Nation" are one film (same numbers,
    rapidfuzz ratio >= MERGE_SIMILARITY); compared within the same first word only."""
    by_first: dict[tuple[str, str], list[str]] = defaultdict(list)
    for identity in list(dsu.parent):
        if identity.number is None and len(identity.key) >= 8:
            title = identity.key
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
                dsu.union(Identity(a), Identity(b))


class _Draft:
    """A film being assembled: its mentions, and what films.toml says about it."""

    def __init__(self, identity: Identity, items: list[Placed]) -> None:
        self.identity = identity
        self.items = items
        self.extra_aliases: list[str] = []
        self.rename: str | None = None
        self.year: int | None = None

    def absorb(self, other: _Draft, franchises: _Franchises) -> None:
        self.items += other.items
        self.extra_aliases += [other.title(franchises), *other.extra_aliases]
        if self.identity.number is None and other.identity.number is not None:
            self.identity = other.identity

    def title(self, franchises: _Franchises) -> str:
        """The longest complete form seen, typeset: "Mission: Impossible – Fallout"."""
        if self.rename:
            return self.rename
        counts = _tally(
            (i.mention.surface, i.mention) for i in self.items if i.mention.cue in TITLE_FORM_CUES
        )
        if self.identity.number is not None:
            series, number = self.identity
            full = f"{series} {number}"
            counts = Counter({s: c for s, c in counts.items() if _numbered_key(s) == full})
            counts[f"{franchises.display(series)} {number}"] += 0
        if not counts:
            counts = _tally((i.mention.same_as or i.mention.surface, i.mention) for i in self.items)
        best = max(counts, key=lambda s: (len(key(s)), counts[s], _punctuation(s), len(s), s))
        return re.sub(r"[ \u00a0]+[-—][ \u00a0]+", " – ", best)

    def names(self, franchises: _Franchises) -> list[str]:
        """Title first, then the names seen (commonest first), then derived short forms."""
        title = self.title(franchises)
        counts = _tally(
            (i.mention.surface, i.mention) for i in self.items if i.mention.cue != Cue.OVERRIDE
        )
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
        series = franchises.of(self.identity)
        if series is None:
            return []
        derived = []
        if self.identity.number is not None:
            short = initials(series)
            if series in franchises.abbreviated:  # "MI8" only if the articles write "MI:7"
                derived.append(f"{short.upper()}{self.identity.number}")
        else:
            title_words = key(title).split()
            series_words = series.split()
            if len(title_words) > len(series_words):
                parts = re.split(r":[ \u00a0]+|[ \u00a0]+[-–—][ \u00a0]+", title)
                if len(parts) >= 2 and key(parts[-1]) == " ".join(title_words[len(series_words) :]):
                    derived.append(parts[-1])
        return derived

    def film(self, franchises: _Franchises) -> Film:
        mentions = sorted((i.mention for i in self.items), key=lambda m: (m.article_id, m.start))
        years = _tally((m.year, m) for m in mentions if m.year)
        year = self.year or (max(years, key=lambda y: (years[y], -y)) if years else None)
        series = franchises.of(self.identity)
        names = self.names(franchises)
        return Film(
            title=names[0],
            year=year,
            aliases=tuple(names[1:]),
            mentions=tuple(mentions),
            franchise=franchises.display(series) if series else None,
            number=self.identity.number,
        )


ROMAN_DIGITS = frozenset("IVX")


def _numbered_key(title: str) -> str:
    """``key``, with a Roman number at the end read as digits: "Rocky III" as "rocky 3"."""
    words = key(title).split()
    roman = words[-1].upper() if words and len(words) > 1 else ""
    number = roman_number(roman) if roman and set(roman) <= ROMAN_DIGITS else None
    return " ".join([*words[:-1], str(number)]) if number is not None else " ".join(words)


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
    warnings: list[str] | None = None,
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

    def warn(text: str) -> None:
        if warnings is None:
            log.warning("%s", text)
        else:
            warnings.append(text)

    def rename(draft: _Draft) -> None:
        for name in draft.names(franchises):  # its new title, aliases, and absorbed names
            by_name[_compact(name)] = draft

    for entry in overrides.films:
        # by its name: entries with mistakes are not here, so a number would count others
        where = f"films.toml: [[film]] ({entry.film!r})"
        target = find(entry.film)
        found = [m for m in by_override if m.same_as == entry.film]
        if target is None and found and not entry.hide:
            target = _Draft(Identity(key(entry.film)), [])  # a film the heuristics missed
            drafts.append(target)
            by_name[_compact(entry.film)] = target
        if target is None:
            warn(f"{where}: no film by that name in the articles; entry ignored")
            continue
        if entry.hide:
            drafts.remove(target)
            continue
        have = {(i.mention.article_id, i.mention.start, i.mention.end) for i in target.items}
        target.items += [
            Placed(m, target.identity, True)
            for m in found
            if (m.article_id, m.start, m.end) not in have
        ]
        for other_name in entry.merge:
            other = find(other_name)
            if other is None:
                warn(f"{where}: merge: no film named {other_name!r}; skipped")
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
