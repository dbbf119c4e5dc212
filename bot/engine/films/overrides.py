"""films.toml: the admins' corrections to the films the heuristics find (names, merges,
renames, years, films to hide), read and checked entry by entry."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.engine.films.keys import key


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
