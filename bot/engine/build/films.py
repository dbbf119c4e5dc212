"""The index's film tables: titles as the articles write them, and the films they merge into.

Part of the build (``bot.engine.build.builder`` calls it; nothing else writes these tables):

- ``titles``: each distinct candidate title (a ``Mention`` without its place: the
  surface, its cue, year, number...) with ``mentions``, how many places use it, and ``key``,
  the form two spellings of one title share (``bot.engine.films.keys.key``).
- ``title_mentions``: which passage (and article: the ``articles`` rowid) uses which title.
  Kept with its article across incremental builds, like the passages.
- ``films``, and ``film_titles`` (which titles name which film): made again by every build,
  because merging is global (a title in one article can make a film of a phrase in another).
- ``film_passages``: a view, the passages that mention each film.

Why titles rather than every mention: 100,000 articles hold 2.8 million candidate mentions but
only 358,000 distinct titles, and most of the mentions are plain capitalised phrases (people,
places) that can only join a film under a name a cued mention uses. Merging reads the titles
that can matter, with their counts, so a build where 1% of the articles changed merges in a
second instead of re-reading every mention.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

import sqlite_utils

from bot.engine.films.keys import key
from bot.engine.films.mentions import Cue, Mention, override_mentions
from bot.engine.films.merge import merge_films
from bot.engine.films.overrides import Overrides
from bot.engine.passages import Passage
from bot.engine.words import tokens


class Title(NamedTuple):
    """A title as stored: a ``Mention`` without its place, plus its keys (a ``titles`` row).

    The keys follow from the surface and same_as; they are worked out with the title, in the
    build's worker processes. A tuple, because the build keys a dict by it and every one
    crosses from a worker process to the build.
    """

    surface: str
    cue: str
    strong: int
    year: int | None
    number: int | None
    series: str | None
    same_as: str | None
    # The article's id for an ordinal that names no franchise ("the seventh installment"):
    # which film it means depends on the article, so it is a title of that article alone.
    context: str | None
    key: str
    same_key: str | None


# The columns that say what a title is (its keys follow from them), in ``Title``'s order.
SHAPE_COLUMNS = Title._fields[:-2]
TITLE_COLUMNS = Title._fields


def create_film_tables(db: sqlite_utils.Database) -> None:
    db.table("titles").create(
        {
            "id": int,
            "surface": str,
            "cue": str,
            "strong": int,
            "year": int,
            "number": int,
            "series": str,
            "same_as": str,
            "context": str,
            "key": str,
            "same_key": str,
            "mentions": int,
        },
        pk="id",
    )
    db.table("titles").create_index(["key"])
    # Kept in passage order, which a build appends in (no index to sort at its end) and the
    # search looks candidates up by; the covering index by title is made in rebuild_films,
    # once the rows are in.
    db.execute(
        "CREATE TABLE title_mentions (passage_id INTEGER, title_id INTEGER, article INTEGER, "
        "PRIMARY KEY (passage_id, title_id)) WITHOUT ROWID"
    )
    db.table("films").create(
        {
            "id": int,
            "title": str,
            "year": int,
            "aliases": str,
            "articles": int,
            "mentions": int,
            "franchise": str,
            "number": int,
        },
        pk="id",
    )
    db.table("film_titles").create({"film_id": int, "title_id": int}, pk=("film_id", "title_id"))
    db.table("film_titles").create_index(["title_id"])
    db.create_view(
        "film_passages",
        "SELECT film_titles.film_id, title_mentions.passage_id FROM film_titles "
        "JOIN title_mentions ON title_mentions.title_id = film_titles.title_id",
    )


def titles_of(
    article_id: str, mentions: Iterable[Mention], passages: list[Passage]
) -> list[tuple[int, Title]]:
    """(passage position, title) for the mentions (``find_mentions``) of an article:
    each title once per passage, however often the passage names it.

    Pure, so that it runs in the build's worker processes."""
    if not passages:
        return []
    starts = [p.start for p in passages]
    rows: dict[tuple[int, Title], None] = {}
    for m in mentions:
        position = passages[max(bisect.bisect_right(starts, m.start) - 1, 0)].position
        rows[position, title_of(m, article_id)] = None
    return list(rows)


def title_of(m: Mention, article_id: str) -> Title:
    context = article_id if m.cue == Cue.ORDINAL and m.series is None else None
    same_key = key(m.same_as) if m.same_as is not None else None
    return Title(
        m.surface,
        m.cue,
        int(m.strong),
        m.year,
        m.number,
        m.series,
        m.same_as,
        context,
        key(m.surface),
        same_key,
    )


class TitleRows:
    """Adds and removes title mentions during a build, keeping ``titles.mentions`` counted.

    Title ids are handed out here; new titles and the count changes reach the database in
    ``flush``, in two statements' worth of rows rather than one update per mention."""

    def __init__(self, db: sqlite_utils.Database, *, fresh: bool) -> None:
        self.conn = db.conn
        self.fresh = fresh  # an empty table: nothing to look up
        self.ids: dict[Title, int] = {}
        self.new: dict[int, Title] = {}
        self.counts: Counter[int] = Counter()
        self.next_id = (self.conn.execute("SELECT max(id) FROM titles").fetchone()[0] or 0) + 1

    def add(self, article: int, rows: Iterable[tuple[int, Title]]) -> None:
        """Record title mentions of an article (its rowid): (passage id, title)."""
        mention_rows = [(passage_id, self.id_of(title), article) for passage_id, title in rows]
        self.counts.update(title_id for _, title_id, _ in mention_rows)
        self.conn.executemany(
            "INSERT INTO title_mentions (passage_id, title_id, article) VALUES (?, ?, ?)",
            mention_rows,
        )

    def remove_article(self, article_id: str) -> None:
        """Forget the title mentions of an article (before its passages go)."""
        self._remove("passage_id IN (SELECT id FROM passages WHERE article_id = ?)", article_id)

    def remove_cue(self, cue: str) -> None:
        """Forget every mention of titles with this cue (those a build finds again)."""
        self._remove("title_id IN (SELECT id FROM titles WHERE cue = ?)", cue)

    def _remove(self, where: str, parameter: str) -> None:
        for title_id, count in self.conn.execute(
            f"SELECT title_id, count(*) FROM title_mentions WHERE {where} GROUP BY title_id",
            (parameter,),
        ):
            self.counts[title_id] -= count
        self.conn.execute(f"DELETE FROM title_mentions WHERE {where}", (parameter,))

    def id_of(self, title: Title) -> int:
        title_id = self.ids.get(title)
        if title_id is None:
            title_id = None if self.fresh else self.find(title)
            if title_id is None:
                title_id, self.next_id = self.next_id, self.next_id + 1
                self.new[title_id] = title
            self.ids[title] = title_id
        return title_id

    def find(self, title: Title) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM titles WHERE key = ? AND "
            + " AND ".join(f"{column} IS ?" for column in SHAPE_COLUMNS),
            (title.key, *title[: len(SHAPE_COLUMNS)]),
        ).fetchone()
        return row[0] if row else None

    def flush(self) -> None:
        """Write new titles and counts; drop titles no passage uses any more."""
        self.conn.executemany(
            f"INSERT INTO titles (id, {', '.join(TITLE_COLUMNS)}, mentions) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (title_id, *title, self.counts.pop(title_id, 0))
                for title_id, title in self.new.items()
            ),
        )
        self.conn.executemany(
            "UPDATE titles SET mentions = mentions + ? WHERE id = ?",
            ((count, title_id) for title_id, count in self.counts.items() if count),
        )
        self.conn.execute("DELETE FROM titles WHERE mentions <= 0")
        self.new.clear()
        self.counts.clear()
        # Some titles were deleted just now: ids are looked up again (in ``find``) if the
        # build adds more mentions after a flush.
        self.ids.clear()
        self.fresh = False


def rebuild_films(
    db: sqlite_utils.Database,
    titles: TitleRows,
    overrides: Overrides,
    warnings: list[str] | None = None,
) -> int:
    """Merge the titles into films (with ``films.toml`` applied); return how many films. An
    entry of ``films.toml`` that names no film is a line in ``warnings``."""
    # Indexed here rather than at creation, so that a fresh build loads the table first.
    # Covering: a film's passages and articles are read from the index alone.
    db.table("title_mentions").create_index(
        ["title_id", "passage_id", "article"], if_not_exists=True
    )
    titles.remove_cue(Cue.OVERRIDE)
    for article, rows in groupby(films_toml_titles(db, overrides), key=itemgetter(0)):
        titles.add(article, (row[1:] for row in rows))
    titles.flush()
    films = merge_films(titles_to_merge(db), overrides, warnings)
    db.conn.execute("DELETE FROM films")
    db.conn.execute("DELETE FROM film_titles")
    for film in films:
        db.conn.execute(
            "INSERT INTO films (id, title, year, aliases, articles, mentions, franchise, number) "
            "VALUES (?, ?, ?, ?, 0, 0, ?, ?)",
            (
                film.id,
                film.title,
                film.year,
                json.dumps(list(film.aliases), ensure_ascii=False),
                film.franchise,
                film.number,
            ),
        )
        db.conn.executemany(
            "INSERT OR IGNORE INTO film_titles (film_id, title_id) VALUES (?, ?)",
            [(film.id, m.ref) for m in film.mentions],
        )
    db.conn.execute(
        "UPDATE films SET (articles, mentions) = (SELECT count(DISTINCT article), count(*) "
        "FROM film_titles JOIN title_mentions USING (title_id) WHERE film_id = films.id)"
    )
    return len(films)


def films_toml_titles(db: sqlite_utils.Database, overrides: Overrides) -> list[tuple]:
    """Where the passages use a name from films.toml: (article rowid, passage id, title),
    by article. Found at every
    build, not stored with the article, so that an edited films.toml applies to articles that
    did not change; FTS5 finds the few passages to read."""
    if overrides.pattern is None:
        return []
    phrases = " OR ".join('"' + " ".join(tokens(name)) + '"' for name in overrides.names)
    rows = db.conn.execute(
        "SELECT articles.rowid, passages.id, article_id, text FROM passages "
        "JOIN articles ON articles.id = passages.article_id WHERE passages.id IN "
        "(SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?) ORDER BY passages.id",
        (phrases,),
    )
    found = {  # each title once per passage, as titles_of keeps them
        (article, passage_id, title_of(m, article_id)): None
        for article, passage_id, article_id, text in rows
        for m in override_mentions(article_id, text, overrides)
    }
    return list(found)


def titles_to_merge(db: sqlite_utils.Database) -> list[Mention]:
    """The titles ``merge_films`` needs, each once with its count, plus every mention of the
    articles with an ordinal of their own (their franchise is the article's commonest).

    Plain phrases are left out here, in SQL, unless a cued title has their name: the rule
    ``merge_films`` applies anyway (see there), pushed down so that they stay in SQLite."""
    rows = db.conn.execute(
        f"SELECT id, {', '.join(SHAPE_COLUMNS)}, mentions FROM titles "
        "WHERE cue != ? OR key IN (SELECT key FROM titles WHERE cue != ? "
        "UNION SELECT same_key FROM titles WHERE same_key IS NOT NULL)",
        (Cue.PLAIN, Cue.PLAIN),
    ).fetchall()
    counts = {row[0]: row[-1] for row in rows}
    single = db.conn.execute(
        f"SELECT titles.id, {', '.join(SHAPE_COLUMNS)}, passages.article_id, passages.id "
        "FROM passages JOIN title_mentions ON title_mentions.passage_id = passages.id "
        "JOIN titles ON titles.id = title_mentions.title_id WHERE passages.article_id IN "
        "(SELECT context FROM titles WHERE context IS NOT NULL)"
    ).fetchall()
    mentions = []
    for title_id, *title, article_id, passage_id in single:
        if title_id in counts:
            counts[title_id] -= 1
        mentions.append(mention(title_id, title, article_id, passage_id, 1))
    for title_id, *title, _ in rows:
        if counts[title_id] > 0:
            mentions.append(mention(title_id, title, "", title_id, counts[title_id]))
    return mentions


def mention(title_id: int, title: list, article_id: str, place: int, count: int) -> Mention:
    """A stored title as ``merge_films`` takes it; ``place`` stands in for the offsets."""
    surface, cue, strong, year, number, series, same_as, _ = title
    return Mention(
        article_id,
        place,
        place,
        surface,
        cue,
        bool(strong),
        year,
        number,
        series,
        same_as,
        count=count,
        ref=title_id,
    )


__all__ = ["TitleRows", "create_film_tables", "rebuild_films", "titles_of"]
