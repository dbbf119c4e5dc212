"""The build's articles: changed source files read (in worker processes when there are many),
split into passages and scanned for film titles, then written into the index or deleted from it.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

import sqlite_utils

from bot.engine.build.films import Title, TitleRows, titles_of
from bot.engine.build.fts import FtsBackfill
from bot.engine.build.workers import parallel_map
from bot.engine.films.mentions import find_mentions
from bot.engine.passages import split_article
from bot.engine.sources import Skipped, read_source


@dataclass(frozen=True)
class SourceStat:
    """What the index remembers of a file to tell cheaply whether it changed."""

    size: int
    mtime_ns: int
    fingerprint: str


class ReadArticle(NamedTuple):
    """A changed source read, split into passages and scanned for film titles: the part of a
    build that needs no database, which worker processes do when there are many files.

    Plain values, because every one crosses from a worker to the build process: the article's
    text once with each passage's place in it, rather than a tuple and a string per passage,
    and no dataclass or ``Path``. Unpickling took 0.11 ms an article the old way, in the build
    process, on the critical path of a build (11 s of 100,000 articles); this way, 0.03 ms.
    Its titles are ``Title`` named tuples, which unpickle in twice the time of plain ones
    (17 against 8 µs for a seed article's 45): the price of fields read by name.
    """

    id: str
    title: str
    url: str | None
    published: str | None
    outlet: str | None
    fingerprint: str
    size: int  # the file's, taken before it was read: a later change shows at the next build
    mtime_ns: int
    text: str
    # Per passage, in order: its paragraph, start and end (its text is text[start:end]; its
    # position in the article, its index here).
    spans: array
    titles: list[tuple[int, Title]]  # (passage position, title)
    warnings: tuple[str, ...]  # what the build's summary reports about the file

    @property
    def passage_count(self) -> int:
        return len(self.spans) // 3

    def passage_rows(self, first_id: int) -> Iterator[tuple]:
        """Its ``passages`` rows, numbered from ``first_id``: (id, article_id, paragraph,
        position, start, end, text), made in C (``zip`` and ``map``) rather than row by row."""
        paragraphs, starts, ends = self.spans[0::3], self.spans[1::3], self.spans[2::3]
        count = len(starts)
        texts = map(self.text.__getitem__, map(slice, starts, ends))
        return zip(
            range(first_id, first_id + count),
            repeat(self.id),
            paragraphs,
            range(count),
            starts,
            ends,
            texts,
        )


@dataclass(frozen=True)
class Touched:
    """A file whose stat moved but whose content did not (saved again, copied, ``touch``-ed)."""

    size: int
    mtime_ns: int


def read_changed(
    files: list[Path],
    olds: list[SourceStat | None],
    unchanged: list[bool],
    sources: Path,
    workers: int,
) -> Iterator[ReadArticle | Touched | Skipped | None]:
    """What each file holds, in order; None for a file ``unchanged`` since the last build
    (``same_stat``: its size and mtime are as the index remembers), which is not read at all."""
    to_read = [
        (path, sources, old.fingerprint if old else None)
        for path, old, same in zip(files, olds, unchanged, strict=True)
        if not same
    ]
    outcomes = parallel_map(read_articles, to_read, workers)
    for same in unchanged:
        yield None if same else next(outcomes)


def same_stat(path: Path, old: SourceStat | None) -> bool:
    if old is None:
        return False
    stat = file_stat(path)
    return (stat["size"], stat["mtime_ns"]) == (old.size, old.mtime_ns)


def read_article(
    path: Path, sources: Path, old_fingerprint: str | None
) -> ReadArticle | Touched | Skipped:
    stat = file_stat(path)
    outcome = read_source(path, sources)
    if isinstance(outcome, Skipped):
        return outcome
    if outcome.fingerprint == old_fingerprint:
        return Touched(stat["size"], stat["mtime_ns"])
    passages = split_article(outcome.id, outcome.text)
    titles = titles_of(outcome.id, find_mentions(outcome.id, outcome.text), passages)
    spans = array("q", [n for p in passages for n in (p.paragraph, p.start, p.end)])
    return ReadArticle(
        outcome.id,
        outcome.title,
        outcome.url,
        outcome.published,
        outcome.outlet,
        outcome.fingerprint,
        stat["size"],
        stat["mtime_ns"],
        outcome.text,
        spans,
        titles,
        outcome.warnings,
    )


def read_articles(batch: Sequence[tuple]) -> list[ReadArticle | Touched | Skipped]:
    return [read_article(*arguments) for arguments in batch]


def file_stat(path: Path | str) -> dict[str, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return {"size": -1, "mtime_ns": -1}
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


class ArticleWriter:
    """Writes read articles into the index: their row, passages (and their full text) and
    titles. Passage ids are handed out here, so that titles point at their passages without a
    query, and every article of one build shares the build's time as ``indexed_at``.

    Plain ``executemany`` rather than sqlite-utils' ``insert_all``: a full build inserts
    millions of passage rows, and sqlite-utils' per-row work was most of the build time.
    """

    def __init__(self, db: sqlite_utils.Database, titles: TitleRows, fts: FtsBackfill) -> None:
        self.db = db
        self.titles = titles
        self.fts = fts
        last_id = db.conn.execute("SELECT max(id) FROM passages").fetchone()[0]
        self.next_passage_id = (last_id or 0) + 1
        self.indexed_at = datetime.now(UTC).isoformat(timespec="seconds")

    def replace(self, read: ReadArticle, existed: bool) -> None:
        """Insert one article, or replace it (``existed``) with what it says now."""
        conn = self.db.conn
        if existed:
            delete_article(self.db, self.titles, self.fts, read.id)
        article_row = conn.execute(
            "INSERT INTO articles (id, title, url, published, outlet, fingerprint, size, "
            "mtime_ns, passages, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                read.id,
                read.title,
                read.url,
                read.published,
                read.outlet,
                read.fingerprint,
                read.size,
                read.mtime_ns,
                read.passage_count,
                self.indexed_at,
            ),
        )
        first_id = self.next_passage_id
        self.next_passage_id += read.passage_count
        conn.executemany(
            'INSERT INTO passages (id, article_id, paragraph, position, start, "end", text) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            read.passage_rows(first_id),
        )
        article_rowid = article_row.lastrowid
        assert article_rowid is not None  # an INSERT's
        self.titles.add(
            article_rowid,
            ((first_id + position, title) for position, title in read.titles),
        )
        self.fts.written(read.passage_count)


def delete_article(
    db: sqlite_utils.Database, titles: TitleRows, fts: FtsBackfill, source_id: str
) -> None:
    titles.remove_article(source_id)
    fts.forget(source_id)
    db.conn.execute("DELETE FROM passages WHERE article_id = ?", (source_id,))
    db.conn.execute("DELETE FROM articles WHERE id = ?", (source_id,))
