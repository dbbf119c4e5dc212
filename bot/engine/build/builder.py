"""Build the SQLite index from the sources folder: the one entry point that writes the database.

The index is a plain SQLite file anyone can open with ``sqlite-utils`` or Datasette; its
tables are described in ``bot.engine.build.schema``.

A build is atomic: it writes ``<db>.tmp-<pid>`` beside the database and renames it over the old
file, so readers see either the old index or the new one, and a build that fails or is killed
leaves the old index answering. It is incremental: a source whose size and mtime (or, failing
that, content hash) are unchanged keeps its passages; the new file starts as a copy of the old,
unless most files changed: then it starts empty, which is faster.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import resource
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import sqlite_utils

from bot.engine.build.articles import (
    ArticleWriter,
    ReadArticle,
    SourceStat,
    Touched,
    delete_article,
    file_stat,
    read_changed,
    same_stat,
)
from bot.engine.build.films import TitleRows, rebuild_films
from bot.engine.build.fts import FtsBackfill
from bot.engine.build.health import foreign_file, lock_path_of, read_previous_stats, stat_line
from bot.engine.build.schema import APPLICATION_ID, create_schema, write_meta
from bot.engine.build.vocabulary import (
    rebuild_vocabulary,
    track_vocabulary_changes,
    update_vocabulary,
)
from bot.engine.build.workers import available_cores
from bot.engine.films.overrides import load_overrides
from bot.engine.sources import Skipped, list_sources, source_id_of

ProgressCallback = Callable[[int, int], None]  # (files done, files in all)
# Of the files and the articles they replace, the share new, changed or gone from which a build
# starts from an empty file rather than a copy of the index: replacing most articles one by one
# (deleting their passages, titles and full text, then adjusting the vocabulary) costs more than
# writing all of them afresh. 3,000 synthetic articles, best of two on a busy 2-core machine,
# incremental / fresh: 30% changed 1.7 s / 2.6 s, 50% 3.2 / 3.1, 70% 10.4 / 4.6, all 8.1 / 5.3.
FRESH_FROM = 0.5
FRESH_FROM_FILES = 50  # fewer changes take well under a second either way


class BuildError(Exception):
    """A build that could not finish; the message is one line for the admin who started it."""


class BuildBusy(BuildError):
    """Another build of the same index is running (in this process or another)."""


class NotAnIndex(BuildError):
    """``--db`` names a file that is not ours: it is never written over."""


class DiskFull(BuildError):
    """The disk (or a file size limit) ran out during the build; the old index is untouched."""


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


def build_index(
    sources: Path,
    db_path: Path,
    *,
    progress: ProgressCallback | None = None,
    allow_empty: bool = False,
    full: bool = False,
    workers: int | None = None,
    owner: int | None = None,
) -> BuildSummary:
    """(Re)build the index at ``db_path`` from the files in ``sources``; see the module doc.

    ``full``: ignore the current index and read every file again (the benchmark's rebuild
    under load; a way out should an index ever disagree with its files). ``workers``: processes
    that read changed files (default: one per core, when there are enough files to read).
    ``owner``: the pid of the process this build runs for, when it runs in a child of it (the
    bot's /reindex): should that process be gone by the end, the build is abandoned and renames
    nothing, so no index appears that nobody is there to answer from or asked for."""
    options = BuildOptions(progress, allow_empty, workers or available_cores())
    started = time.perf_counter()
    if not sources.is_dir():
        raise BuildError(f"sources folder not found: {sources}")
    try:
        return locked_build(sources, db_path, full, owner, options, started)
    except OSError as error:  # the folder, the lock file, the copy, the rename: one line
        raise write_failure(db_path, error) from error


def locked_build(
    sources: Path,
    db_path: Path,
    full: bool,
    owner: int | None,
    options: BuildOptions,
    started: float,
) -> BuildSummary:
    refuse_foreign_file(db_path)  # before the lock file is made beside it
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(db_path):
        refuse_foreign_file(db_path)  # and again now no other build can change it
        remove_stale_temp_files(db_path)
        previous = None if full else read_previous_stats(db_path)
        temp_path = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
        try:
            try:
                summary = write_index(sources, db_path, temp_path, previous, options)
            except sqlite3.DatabaseError as error:
                full = isinstance(write_failure(db_path, error, size_of(temp_path)), DiskFull)
                if previous is None or full:  # a build from nothing would fill the disk too
                    raise
                # The old index is damaged in a way only a write shows: start from nothing.
                temp_path.unlink(missing_ok=True)
                summary = write_index(sources, db_path, temp_path, None, options)
            if owner is not None and os.getppid() != owner:
                raise BuildError(f"abandoned: the process that started it ({owner}) has gone")
            os.replace(temp_path, db_path)
            remember_built(db_path)
        except (sqlite3.Error, OSError) as error:
            written = size_of(temp_path)
            temp_path.unlink(missing_ok=True)
            raise write_failure(db_path, error, written) from error
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def check_can_build(db_path: Path) -> None:
    """Raise at once the error a build of ``db_path`` would end with because of the file or its
    folder (not ours, can't be written), so a caller can say it in one line before announcing
    a build. Makes the folder and the lock file, as the build would."""
    refuse_foreign_file(db_path)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path_of(db_path), "a"):
            pass
    except OSError as error:
        raise write_failure(db_path, error) from error


def refuse_foreign_file(db_path: Path) -> None:
    """Only an absent or empty file, or one of our indexes, may become the new index."""
    what = foreign_file(db_path)
    if what is not None:
        raise NotAnIndex(
            f"{db_path} is {what}, not a Mission Briefing index: it is left as it is "
            "(move it away, or use another --db, to build an index there)"
        )


DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
ROOM = 16 * 1024 * 1024  # less free space than this after a failed write: the disk ran out


def write_failure(db_path: Path, error: OSError | sqlite3.Error, written: int = 0) -> BuildError:
    """The one line a failed write becomes: a full disk said as such, anything else with the
    path and the reason. ``written``: the size the new file had reached (SQLite reports a
    write stopped by a file size limit as a "disk I/O error")."""
    if isinstance(error, BuildError):
        return error
    if isinstance(error, OSError):
        full = error.errno in DISK_FULL_ERRNOS
    else:
        code = getattr(error, "sqlite_errorcode", None)
        full = (
            code == sqlite3.SQLITE_FULL
            or "disk I/O" in str(error)
            and out_of_room(db_path.parent, written)
        )
    if full:
        return DiskFull(f"disk full while building {db_path}: the previous index is unchanged")
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename and error.filename != str(db_path) else ""
        return BuildError(f"could not write the index {db_path}: {error.strerror or error}{where}")
    return BuildError(f"could not write the index {db_path}: {error}")


def out_of_room(folder: Path, written: int) -> bool:
    """Is the disk (nearly) full, or has a file reached this process's file size limit?"""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = ROOM
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return free < ROOM or limit != resource.RLIM_INFINITY and written + ROOM // 16 >= limit


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def remember_built(db_path: Path) -> None:
    """Note in the lock file the index file as this build left it (``untouched_since_built``)."""
    with contextlib.suppress(OSError):
        lock_path_of(db_path).write_text(stat_line(db_path) or "", encoding="ascii")


@contextlib.contextmanager
def build_lock(db_path: Path) -> Iterator[None]:
    """One build at a time per database, across processes (the bot and ``briefing index``)."""
    with open(lock_path_of(db_path), "a") as lock_file:
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


def write_index(
    sources: Path,
    db_path: Path,
    temp_path: Path,
    previous: dict[str, SourceStat] | None,
    options: BuildOptions,
) -> BuildSummary:
    """Write the new index into ``temp_path``, starting from a copy of the old one if usable
    and most of it stays; ``previous`` still says what was added, changed and removed."""
    listing = list_sources(sources)
    if any(folder.id == "" for folder in listing.unreadable):
        raise BuildError(
            f"the sources folder {sources} can't be read: {listing.unreadable[0].reason}"
        )
    files = listing.files
    ids = [source_id_of(path, sources) for path in files]
    held = held_articles(previous or {}, listing.unreadable)
    compared = compare_files(files, ids, previous, held)
    fresh = compared.fresh
    if not fresh:
        shutil.copyfile(db_path, temp_path)
    db = sqlite_utils.Database(temp_path)
    try:
        db.execute("PRAGMA journal_mode = OFF")  # the rename is our transaction
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # ours: see foreign_file
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -65536")  # 64 MB: fewer spills of a big transaction
        db.execute("PRAGMA threads = 2")  # CREATE INDEX sorts on two cores (a build's tail)
        if fresh:
            create_schema(db)
        fts = FtsBackfill(db, fresh=fresh)
        if not fresh:
            track_vocabulary_changes(db)
        # FTS5 merges index segments as it writes; at its default (4) an incremental build
        # of 1,000 articles into an index of 100,000 spent 3 of its 4 seconds merging.
        db.execute("INSERT INTO passages_fts (passages_fts, rank) VALUES ('automerge', 16)")
        summary = BuildSummary(
            skipped=[(folder.id, folder.reason) for folder in listing.unreadable]
        )
        titles = TitleRows(db, fresh=fresh)
        kept = update_articles(db, titles, fts, sources, files, ids, compared, summary, options)
        if not kept and previous and not options.allow_empty:
            raise BuildError(
                f"no readable articles in {sources}: refusing to replace an index of "
                f"{len(previous)} articles with an empty one (use --allow-empty to do it anyway)"
            )
        fts.finish()
        if fresh:
            rebuild_vocabulary(db)
        else:
            update_vocabulary(db)
        overrides, film_warnings = load_overrides(sources / "films.toml")
        summary.warnings += film_warnings
        summary.films = rebuild_films(db, titles, overrides, summary.warnings)
        write_meta(db, sources)
        summary.articles = db.table("articles").count
        summary.passages = db.table("passages").count
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


class Previous(NamedTuple):
    """The index a build replaces, against the files: its articles' stats, which files have the
    size and mtime it remembers (they are not read), and whether the build starts from an empty
    file anyway (then every file is read, and nothing needs deleting)."""

    stats: dict[str, SourceStat]
    same: list[bool]
    fresh: bool
    held: frozenset[str]  # articles of folders that could not be read: kept as they are


def compare_files(
    files: list[Path],
    ids: list[str],
    previous: dict[str, SourceStat] | None,
    held: frozenset[str] = frozenset(),
) -> Previous:
    """Each file against the index (one stat each); fresh when there is no index, or when at
    least ``FRESH_FROM`` of the files are new or changed or of its articles gone (and
    ``FRESH_FROM_FILES`` at least): a fresh build is then the faster. ``held``: articles
    kept as they are, in folders that could not be read; never fresh then (their rows are
    in the copy of the old index, and only there)."""
    stats = previous or {}
    same = [
        same_stat(path, stats.get(source_id)) for path, source_id in zip(files, ids, strict=True)
    ]
    gone = len(stats.keys() - set(ids) - held)
    changed = same.count(False) + gone
    fresh = previous is None or (
        not held and changed >= max(FRESH_FROM * (len(files) + gone), FRESH_FROM_FILES)
    )
    return Previous(stats, [False] * len(files) if fresh else same, fresh, held)


def held_articles(previous: dict[str, SourceStat], folders: list[Skipped]) -> frozenset[str]:
    """The indexed articles inside folders that could not be listed."""
    prefixes = tuple(folder.id for folder in folders)
    return frozenset(name for name in previous if prefixes and name.startswith(prefixes))


def warning_line(warning: str, ids: list[str]) -> str:
    """One line per kind of warning, however many files it is about (a corpus whose every file
    has an ``author:`` would otherwise fill the summary with one line each)."""
    if len(ids) == 1:
        return f"{ids[0]}: {warning}"
    return f"{warning}: {len(ids):,} files ({', '.join(ids[:3])}{', …' * (len(ids) > 3)})"


def update_articles(
    db: sqlite_utils.Database,
    titles: TitleRows,
    fts: FtsBackfill,
    sources: Path,
    files: list[Path],
    ids: list[str],
    previous: Previous,
    summary: BuildSummary,
    options: BuildOptions,
) -> set[str]:
    """Bring ``articles`` and ``passages`` in line with ``files``; return the ids kept. A file
    or folder that could not be read is a skip with its reason, and its article stays."""
    kept: set[str] = set(previous.held)
    file_warnings: dict[str, list[str]] = {}  # warning -> the files it is about
    first_with: dict[str, str] = {}  # fingerprint -> the file that has it
    db.table("skipped").delete_where()
    olds = [previous.stats.get(source_id) for source_id in ids]
    none: list[SourceStat | None] = [None] * len(files)
    to_compare = none if previous.fresh else olds  # fresh: every file is read
    outcomes = read_changed(files, to_compare, previous.same, sources, options.workers)
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
            if outcome.unreadable and old is not None and not previous.fresh:
                kept.add(source_id)
            db.table("skipped").insert(
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
            assert isinstance(outcome, ReadArticle)  # neither skipped nor unchanged
            existed = old is not None
            if old is not None and old.fingerprint == outcome.fingerprint:
                summary.unchanged += 1  # read again only because the build is fresh
            else:
                (summary.changed if existed else summary.added).append(source_id)
            for warning in outcome.warnings:
                file_warnings.setdefault(warning, []).append(source_id)
            writer.replace(outcome, existed and not previous.fresh)
            kept.add(source_id)
        if options.progress:
            options.progress(done, len(files))
    summary.warnings += [warning_line(warning, ids) for warning, ids in file_warnings.items()]
    skipped = {name for name, _ in summary.skipped}
    for source_id in sorted(set(previous.stats) - kept):
        if source_id not in skipped:
            summary.removed.append(source_id)
        if not previous.fresh:
            delete_article(db, titles, fts, source_id)
    return kept
