"""Is the index on disk usable, and up to date with its sources? Read-only checks, for the CLI
and the bot before they answer, and for a build deciding what it can keep."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from bot.engine.build.articles import SourceStat, file_stat
from bot.engine.build.schema import APPLICATION_ID, SCHEMA_VERSION, read_schema_version
from bot.engine.sources import Skipped, source_id_of, walk_sources

SQLITE_MAGIC = b"SQLite format 3\x00"


def read_only(db_path: Path) -> contextlib.closing[sqlite3.Connection]:
    """A read-only connection to ``db_path``, closed when the ``with`` block ends: these checks
    never write, and never create the file."""
    return contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True))


def foreign_file(db_path: Path) -> str | None:
    """What the file at ``db_path`` is when a build must not write over it: anything but an
    absent file, an empty one (no bytes, or SQLite without a table) or one of our indexes
    (the application id in its header, or, before that was set, our ``meta``), damaged or
    not. None when the build may write it."""
    try:
        with open(db_path, "rb") as file:
            header = file.read(100)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "a folder"
    except OSError as error:
        return f"a file that can't be read ({error.strerror or error})"
    if not header:
        return None
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return "not an SQLite database"
    if int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return None
    try:
        with read_only(db_path) as conn:
            if read_schema_version(conn) is not None:
                return None
            query = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name LIMIT 4"
            tables = [row[0] for row in conn.execute(query)]
    except sqlite3.DatabaseError:
        return "an SQLite database that can't be read"
    if not tables:
        return None
    return f"another program's SQLite database (tables: {', '.join(tables)})"


def lock_path_of(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def stat_line(path: Path) -> str | None:
    """What changes when a file is written, copied or restored: device, inode, size, mtime."""
    try:
        st = path.stat()
    except OSError:
        return None
    return f"{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns}"


def untouched_since_built(db_path: Path) -> bool:
    """Is the index file the very one the last build wrote, unchanged since (its stat as the
    build noted it in the lock file)?"""
    try:
        noted = lock_path_of(db_path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return bool(noted) and noted == stat_line(db_path)


def damage(conn: sqlite3.Connection, db_path: Path) -> str | None:
    """What SQLite's quick_check of the whole file finds wrong (None: nothing). It costs a
    second per GB (1.2-1.5 s warm, 8 s cold at 100,000 articles), so it is skipped for the file
    exactly as the last build left it: damage in place, a copy or a restore changes its stat."""
    if untouched_since_built(db_path):
        return None
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    return None if result == "ok" else result


def read_previous_stats(db_path: Path) -> dict[str, SourceStat] | None:
    """The articles of the current index, or None when there is no usable index to build on:
    none, another schema's, or damaged (``damage``): a build that copied a damaged file kept
    its bad pages, and a start-up that rebuilt it so looped for ever."""
    if not db_path.exists():
        return None
    try:
        with read_only(db_path) as conn:
            if read_schema_version(conn) != SCHEMA_VERSION:
                return None
            if damage(conn, db_path) is not None:
                return None
            rows = conn.execute("SELECT id, size, mtime_ns, fingerprint FROM articles")
            return {row[0]: SourceStat(row[1], row[2], row[3]) for row in rows}
    except sqlite3.DatabaseError:
        return None


def index_problem(db_path: Path, *, thorough: bool = False) -> str | None:
    """Why the index at ``db_path`` can't be used (None if it can): missing, not SQLite, built
    by another schema version, or (``thorough``: ``damage``) damaged. A process that starts for
    a long time, like the bot, checks thoroughly and rebuilds a damaged index."""
    if not db_path.exists():
        return "no index yet"
    try:
        with read_only(db_path) as conn:
            version = read_schema_version(conn)
            if version is None:
                return "not a Mission Briefing index"
            if version != SCHEMA_VERSION:
                return f"built with schema {version}, this version reads {SCHEMA_VERSION}"
            if thorough and (found := damage(conn, db_path)) is not None:
                return f"damaged ({found})"
    except sqlite3.DatabaseError as error:
        return f"unreadable ({error})"
    return None


def stale_sources(sources: Path, db_path: Path) -> list[str]:
    """Files added, changed or removed since the index was built from ``sources`` (by name,
    size and mtime).

    Cheap enough to run before every ``briefing ask``: it stats the files, it does not read them.
    """
    try:
        with read_only(db_path) as conn:
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
    unreadable: list[Skipped] = []  # folders it can't list now: the index keeps their articles
    current = {
        source_id_of(path, sources): tuple(file_stat(path).values())
        for path in walk_sources(sources, unreadable)
    }
    kept = tuple(folder.id for folder in unreadable)
    return sorted(
        name
        for name in set(indexed) | set(current)
        if indexed.get(name) != current.get(name) and not name.startswith(kept)
    )
