"""Build the SQLite index from the sources folder: the only module that writes the database.

The index is a plain SQLite file anyone can open with ``sqlite-utils`` or Datasette:

- ``articles``: one row per indexed source (title, url, fingerprint, size and mtime)
- ``skipped``: files that were not indexed, with the reason
- ``passages``: one row per sentence, with paragraph number and offsets into the article
- ``passages_fts``: the FTS5 index over ``passages.text`` (external content; a build keeps it
  in step in bulk, and triggers do for any other edit)
- ``vocabulary``: every indexed word with its stem and passage frequency, for typo correction
- ``meta``: schema version and build time

A build is atomic: it writes ``<db>.tmp-<pid>`` beside the database and renames it over the old
file, so readers see either the old index or the new one, and a build that fails or is killed
leaves the old index answering. It is incremental: a source whose size and mtime (or, failing
that, content hash) are unchanged keeps its passages; the new file starts as a copy of the old.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sqlite3
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

import sqlite_utils

from bot.engine.build.films import TitleRows, create_film_tables, rebuild_films, titles_of
from bot.engine.build.workers import available_cores, parallel_map
from bot.engine.films.mentions import find_mentions
from bot.engine.films.overrides import load_overrides
from bot.engine.passages import split_article
from bot.engine.sources import (
    Skipped,
    list_source_files,
    read_source,
    source_id_of,
)
from bot.engine.words import FTS_TOKENIZER, stem, tokens

SCHEMA_VERSION = 6  # 2: film tables; 3: mentions keep their cue; 5: distinct titles, counted;
# 6: title_mentions clustered by passage, a title once per passage

ProgressCallback = Callable[[int, int], None]  # (files done, files in all)


class BuildError(Exception):
    """A build that could not finish; the message is one line for the admin who started it."""


class BuildBusy(BuildError):
    """Another build of the same index is running (in this process or another)."""


@dataclass
class BuildSummary:
    """What a build did, for the ``briefing index`` summary and the bot's ``/reindex`` reply."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    articles: int = 0
    passages: int = 0
    films: int = 0
    warnings: list[str] = field(default_factory=list)  # e.g. a bad entry in films.toml
    seconds: float = 0.0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["skipped"] = [{"source": name, "reason": reason} for name, reason in self.skipped]
        return data


@dataclass(frozen=True)
class BuildOptions:
    progress: ProgressCallback | None
    allow_empty: bool
    workers: int


@dataclass(frozen=True)
class SourceStat:
    """What the index remembers of a file to tell cheaply whether it changed."""

    size: int
    mtime_ns: int
    fingerprint: str


def build_index(
    sources: Path,
    db_path: Path,
    *,
    progress: ProgressCallback | None = None,
    allow_empty: bool = False,
    full: bool = False,
    workers: int | None = None,
) -> BuildSummary:
    """(Re)build the index at ``db_path`` from the files in ``sources``; see the module doc.

    ``full``: ignore the current index and read every file again (the benchmark's rebuild
    under load; a way out should an index ever disagree with its files). ``workers``: processes
    that read changed files (default: one per core, when there are enough files to read)."""
    options = BuildOptions(progress, allow_empty, workers or available_cores())
    started = time.perf_counter()
    if not sources.is_dir():
        raise BuildError(f"sources folder not found: {sources}")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(db_path):
        remove_stale_temp_files(db_path)
        previous = None if full else read_previous_stats(db_path)
        temp_path = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
        try:
            try:
                summary = write_index(sources, db_path, temp_path, previous, options)
            except sqlite3.DatabaseError:
                if previous is None:
                    raise
                # The old index is damaged in a way only a write shows: start from nothing.
                temp_path.unlink(missing_ok=True)
                summary = write_index(sources, db_path, temp_path, None, options)
            os.replace(temp_path, db_path)
        except sqlite3.Error as error:
            temp_path.unlink(missing_ok=True)
            raise BuildError(f"could not write the index: {error}") from error
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


@contextlib.contextmanager
def build_lock(db_path: Path) -> Iterator[None]:
    """One build at a time per database, across processes (the bot and ``briefing index``)."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "a") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildBusy("a reindex is already running") from None
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def remove_stale_temp_files(db_path: Path) -> None:
    """Temp files left by a killed build; safe to delete because we hold the build lock."""
    for leftover in db_path.parent.glob(db_path.name + ".tmp-*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def read_previous_stats(db_path: Path) -> dict[str, SourceStat] | None:
    """The articles of the current index, or None when there is no usable index to build on."""
    if not db_path.exists():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            if read_schema_version(conn) != SCHEMA_VERSION:
                return None
            rows = conn.execute("SELECT id, size, mtime_ns, fingerprint FROM articles")
            return {row[0]: SourceStat(row[1], row[2], row[3]) for row in rows}
    except sqlite3.DatabaseError:
        return None


def index_problem(db_path: Path, *, thorough: bool = False) -> str | None:
    """Why the index at ``db_path`` can't be used (None if it can): missing, not SQLite, built
    by another schema version, or (``thorough``: SQLite's quick_check) damaged. A process that
    starts for a long time, like the bot, checks thoroughly and rebuilds a damaged index."""
    if not db_path.exists():
        return "no index yet"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            version = read_schema_version(conn)
            if version is None:
                return "not a Mission Briefing index"
            if version != SCHEMA_VERSION:
                return f"built with schema {version}, this version reads {SCHEMA_VERSION}"
            if thorough:
                result = conn.execute("PRAGMA quick_check").fetchone()[0]
                if result != "ok":
                    return f"damaged ({result})"
    except sqlite3.DatabaseError as error:
        return f"unreadable ({error})"
    return None


def read_schema_version(conn: sqlite3.Connection) -> int | None:
    """The schema version recorded in ``meta``, or None for a file that is not our index."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError:
        return None
    return int(row[0]) if row else None


def write_index(
    sources: Path,
    db_path: Path,
    temp_path: Path,
    previous: dict[str, SourceStat] | None,
    options: BuildOptions,
) -> BuildSummary:
    """Write the new index into ``temp_path``, starting from a copy of the old one if usable."""
    files = list_source_files(sources)
    if previous is not None:
        shutil.copyfile(db_path, temp_path)
    db = sqlite_utils.Database(temp_path)
    try:
        db.execute("PRAGMA journal_mode = OFF")  # the rename is our transaction
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -65536")  # 64 MB: fewer spills of a big transaction
        db.execute("PRAGMA threads = 2")  # CREATE INDEX sorts on two cores (a build's tail)
        if previous is None:
            create_schema(db)
        fts = FtsBackfill(db, fresh=previous is None)
        if previous is not None:
            track_vocabulary_changes(db)
        # FTS5 merges index segments as it writes; at its default (4) an incremental build
        # of 1,000 articles into an index of 100,000 spent 3 of its 4 seconds merging.
        db.execute("INSERT INTO passages_fts (passages_fts, rank) VALUES ('automerge', 16)")
        summary = BuildSummary()
        titles = TitleRows(db, fresh=previous is None)
        kept = update_articles(db, titles, fts, sources, files, previous or {}, summary, options)
        if not kept and previous and not options.allow_empty:
            raise BuildError(
                f"no readable articles in {sources}: refusing to replace an index of "
                f"{len(previous)} articles with an empty one (use --allow-empty to do it anyway)"
            )
        fts.finish()
        if previous is None:
            rebuild_vocabulary(db)
        else:
            update_vocabulary(db)
        overrides, summary.warnings = load_overrides(sources / "films.toml")
        summary.films = rebuild_films(db, titles, overrides)
        write_meta(db, sources)
        summary.articles = db["articles"].count
        summary.passages = db["passages"].count
        db.conn.execute(  # for the searcher, which would otherwise count them at every open
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('passages', ?)",
            (str(summary.passages),),
        )
        db.execute("PRAGMA optimize")
        db.conn.commit()
        db.execute("PRAGMA journal_mode = DELETE")
    finally:
        db.close()
    return summary


def create_schema(db: sqlite_utils.Database) -> None:
    """Create the empty tables of a fresh index."""
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["articles"].create(
        {
            "id": str,
            "title": str,
            "url": str,
            "published": str,
            "outlet": str,
            "fingerprint": str,
            "size": int,
            "mtime_ns": int,
            "passages": int,
            "indexed_at": str,
        },
        pk="id",
    )
    db["skipped"].create({"id": str, "reason": str, "size": int, "mtime_ns": int}, pk="id")
    db["passages"].create(
        {
            "id": int,
            "article_id": str,
            "paragraph": int,
            "position": int,
            "start": int,
            "end": int,
            "text": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["passages"].create_index(["article_id", "position"], unique=True)
    db["passages"].enable_fts(["text"], tokenize=FTS_TOKENIZER, create_triggers=True)
    db["vocabulary"].create({"word": str, "stem": str, "df": int}, pk="word")
    create_film_tables(db)


class FtsBackfill:
    """The build's full-text index, kept in step with ``passages`` in bulk.

    FTS5 indexes rows five times faster many to a statement than one at a time through the
    triggers, so a build drops the triggers (``finish`` restores them, for edits made outside
    a build), takes an article's passages out of the index before they are deleted
    (``forget``) and indexes each ``CHUNK`` of new passages with one INSERT ... SELECT, while
    the worker processes read on: one 'rebuild' at the end of a fresh build took 26 s at
    100,000 articles, with both cores but one idle, and the triggers took 3-4 s of a
    1%-changed rebuild at that size.
    """

    CHUNK = 30_000

    def __init__(self, db: sqlite_utils.Database, *, fresh: bool) -> None:
        self.conn = db.conn
        self.fresh = fresh
        rows = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'passages'"
        ).fetchall()
        for name, _ in rows:
            self.conn.execute(f'DROP TRIGGER "{name}"')
        self.triggers = [sql for _, sql in rows]
        # Passages up to this id are in the index; those after it, written by this build.
        self.indexed = self.conn.execute("SELECT max(id) FROM passages").fetchone()[0] or 0
        self.pending = 0

    def forget(self, article_id: str) -> None:
        """Take an article's indexed passages out of the index (before the rows go)."""
        self.conn.execute(
            "INSERT INTO passages_fts (passages_fts, rowid, text) "
            "SELECT 'delete', id, text FROM passages WHERE article_id = ? AND id <= ?",
            (article_id, self.indexed),
        )

    def written(self, passages: int) -> None:
        self.pending += passages
        if self.pending >= self.CHUNK:
            self.index_pending()

    def index_pending(self) -> None:
        last = self.conn.execute("SELECT max(id) FROM passages").fetchone()[0] or 0
        self.conn.execute(
            "INSERT INTO passages_fts (rowid, text) SELECT id, text FROM passages WHERE id > ?",
            (self.indexed,),
        )
        self.indexed, self.pending = last, 0

    def finish(self) -> None:
        """Index the rest, merge a fresh build's segments, restore the triggers.

        'optimize' merges the segments into one (3 s for 100,000 articles); left as they were,
        the next incremental build's first write merged them (12 s instead of 8).
        """
        self.index_pending()
        if self.fresh:
            self.conn.execute("INSERT INTO passages_fts (passages_fts) VALUES ('optimize')")
        for sql in self.triggers:
            self.conn.execute(sql)


def update_articles(
    db: sqlite_utils.Database,
    titles: TitleRows,
    fts: FtsBackfill,
    sources: Path,
    files: list[Path],
    previous: dict[str, SourceStat],
    summary: BuildSummary,
    options: BuildOptions,
) -> set[str]:
    """Bring ``articles`` and ``passages`` in line with ``files``; return the ids kept."""
    kept: set[str] = set()
    first_with: dict[str, str] = {}  # fingerprint -> the file that has it
    db["skipped"].delete_where()
    ids = [source_id_of(path, sources) for path in files]
    olds = [previous.get(source_id) for source_id in ids]
    outcomes = read_changed(files, olds, sources, options.workers)
    writer = ArticleWriter(db, titles, fts)
    for done, (source_id, path, old, outcome) in enumerate(
        zip(ids, files, olds, outcomes, strict=True), start=1
    ):
        unchanged = outcome is None or isinstance(outcome, Touched)
        fingerprint = old.fingerprint if unchanged and old else None
        if isinstance(outcome, ReadArticle):
            fingerprint = outcome.fingerprint
            if fingerprint in first_with:
                outcome = Skipped(source_id, f"same content as {first_with[fingerprint]}")
        if fingerprint and not isinstance(outcome, Skipped):
            first_with.setdefault(fingerprint, source_id)
        if isinstance(outcome, Skipped):
            summary.skipped.append((outcome.id, outcome.reason))
            db["skipped"].insert(
                {"id": outcome.id, "reason": outcome.reason, **file_stat(path)}, replace=True
            )
        elif unchanged:
            summary.unchanged += 1
            kept.add(source_id)
            if isinstance(outcome, Touched):  # remember its new stat: not read again next time
                db.conn.execute(
                    "UPDATE articles SET size = ?, mtime_ns = ? WHERE id = ?",
                    (outcome.size, outcome.mtime_ns, source_id),
                )
        else:
            existed = source_id in previous
            (summary.changed if existed else summary.added).append(source_id)
            writer.replace(outcome, existed)
            kept.add(source_id)
        if options.progress:
            options.progress(done, len(files))
    skipped = {name for name, _ in summary.skipped}
    for source_id in sorted(set(previous) - kept):
        if source_id not in skipped:
            summary.removed.append(source_id)
        delete_article(db, titles, fts, source_id)
    return kept


class ReadArticle(NamedTuple):
    """A changed source read, split into passages and scanned for film titles: the part of a
    build that needs no database, which worker processes do when there are many files.

    Plain values, because every one crosses from a worker to the build process: the article's
    text once with each passage's place in it, rather than a tuple and a string per passage,
    and no dataclass or ``Path``. Unpickling took 0.11 ms an article the old way, in the build
    process, on the critical path of a build (11 s of 100,000 articles); this way, 0.03 ms.
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
    titles: list[tuple]  # (passage position, title): see bot.engine.build.films

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
    files: list[Path], olds: list[SourceStat | None], sources: Path, workers: int
) -> Iterator[ReadArticle | Touched | Skipped | None]:
    """What each file holds, in order; None for a file unchanged since the last build.

    A file whose size and mtime are as the index remembers is not read at all."""
    unchanged = [same_stat(path, old) for path, old in zip(files, olds, strict=True)]
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
    )


def read_articles(batch: Sequence[tuple]) -> list[ReadArticle | Touched | Skipped]:
    return [read_article(*arguments) for arguments in batch]


def file_stat(path: Path) -> dict[str, int]:
    try:
        stat = path.stat()
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
        self.titles.add(
            article_row.lastrowid,
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


def rebuild_vocabulary(db: sqlite_utils.Database) -> None:
    """Every word FTS5 indexed, with its passage count (from fts5vocab) and its stem.

    Stems of words already known are carried over, so an incremental build stems only new words.
    """
    db.execute("DROP TABLE IF EXISTS temp.fts_words")
    db.execute("CREATE VIRTUAL TABLE temp.fts_words USING fts5vocab(main, passages_fts, 'row')")
    known = dict(db.execute("SELECT word, stem FROM vocabulary").fetchall())
    rows = db.execute("SELECT term, doc FROM temp.fts_words").fetchall()
    db.execute("DELETE FROM vocabulary")
    db.conn.executemany(
        "INSERT INTO vocabulary (word, stem, df) VALUES (?, ?, ?)",
        ((word, known.get(word) or stem(word), df) for word, df in rows),
    )
    db["vocabulary"].create_index(["stem"], if_not_exists=True)
    # Typo correction reads one (first letter, length) bucket: see bot/spelling.py.
    db.execute(
        "CREATE INDEX IF NOT EXISTS vocabulary_shape "
        "ON vocabulary (substr(word, 1, 1), length(word))"
    )
    db.execute("DROP TABLE temp.fts_words")


def track_vocabulary_changes(db: sqlite_utils.Database) -> None:
    """Log the text of every passage an incremental build adds or deletes (temp triggers)."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS passage_changes (text TEXT, sign INTEGER)")
    db.execute(
        "CREATE TEMP TRIGGER IF NOT EXISTS passage_added AFTER INSERT ON passages "
        "BEGIN INSERT INTO passage_changes VALUES (new.text, 1); END"
    )
    db.execute(
        "CREATE TEMP TRIGGER IF NOT EXISTS passage_deleted AFTER DELETE ON passages "
        "BEGIN INSERT INTO passage_changes VALUES (old.text, -1); END"
    )


def update_vocabulary(db: sqlite_utils.Database) -> None:
    """An incremental build's vocabulary: the old one, with the passage counts of the words of
    the passages added and deleted brought up to date.

    Words are counted with ``bot.engine.words.tokens``, which reproduces FTS5's tokenizer; reading
    every count back from fts5vocab, as a full build does, scans the whole FTS index (1.6 s of
    a 1%-changed rebuild of 100,000 articles, against 0.1 s for this).
    """
    changes: Counter[str] = Counter()
    for text, sign in db.execute("SELECT text, sign FROM temp.passage_changes"):
        for word in set(tokens(text)):
            changes[word] += sign
    changed = [(change, word) for word, change in changes.items() if change]
    db.conn.executemany(
        "INSERT OR IGNORE INTO vocabulary (word, stem, df) VALUES (?, ?, 0)",
        ((word, stem(word)) for change, word in changed if change > 0),
    )
    db.conn.executemany("UPDATE vocabulary SET df = df + ? WHERE word = ?", changed)
    db.execute("DELETE FROM vocabulary WHERE df <= 0")
    db.execute("DROP TABLE temp.passage_changes")


def write_meta(db: sqlite_utils.Database, sources: Path) -> None:
    db["meta"].upsert_all(
        [
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "built_at", "value": datetime.now(UTC).isoformat(timespec="seconds")},
            {"key": "sources", "value": str(sources.resolve())},
        ],
        pk="key",
    )


def stale_sources(sources: Path, db_path: Path) -> list[str]:
    """Files added, changed or removed since the index was built from ``sources`` (by name,
    size and mtime).

    Cheap enough to run before every ``briefing ask``: it stats the files, it does not read them.
    """
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            built_from = conn.execute("SELECT value FROM meta WHERE key = 'sources'").fetchone()
            if built_from and Path(built_from[0]) != sources.resolve():
                return []  # another folder's index (``briefing ask --db``): nothing to compare
            indexed = {
                row[0]: (row[1], row[2])
                for row in conn.execute(
                    "SELECT id, size, mtime_ns FROM articles UNION ALL "
                    "SELECT id, size, mtime_ns FROM skipped"
                )
            }
    except sqlite3.DatabaseError:
        return ["(the index could not be read)"]
    current = {
        source_id_of(path, sources): tuple(file_stat(path).values())
        for path in list_source_files(sources)
    }
    return sorted(
        name for name in set(indexed) | set(current) if indexed.get(name) != current.get(name)
    )


__all__ = [
    "BuildBusy",
    "BuildError",
    "BuildSummary",
    "SCHEMA_VERSION",
    "build_index",
    "index_problem",
    "stale_sources",
]
