"""The index's tables, created empty for a fresh build, and its ``meta`` rows.

The index is a plain SQLite file anyone can open with ``sqlite-utils`` or Datasette:

- ``articles``: one row per indexed source (title, url, fingerprint, size and mtime)
- ``skipped``: files that were not indexed, with the reason
- ``passages``: one row per sentence, with paragraph number and offsets into the article
- ``passages_fts``: the FTS5 index over ``passages.text`` (external content; a build keeps it
  in step in bulk, and triggers do for any other edit)
- ``vocabulary``: every indexed word with its stem and passage frequency, for typo correction
- ``meta``: schema version and build time
- the film tables: see ``bot.engine.build.films``
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from bot.engine.build.films import create_film_tables
from bot.engine.words import FTS_TOKENIZER

# In the SQLite header (PRAGMA application_id): "MBri". A file that carries it is ours, however
# damaged its other pages are; a build never overwrites an SQLite file without it or our meta.
APPLICATION_ID = int.from_bytes(b"MBri", "big")
SCHEMA_VERSION = 8  # 2: film tables; 3: mentions keep their cue; 5: distinct titles, counted;
# 6: title_mentions clustered by passage, a title once per passage; 7: what an article holds is
# read anew (.md as the text a reader sees, the wider film cue grammar), so no unchanged file may
# keep passages or titles read the old way: an index of another version is built from nothing;
# 8: the vocabulary's stems join more irregular verbs to their base ("fled": "flee"), and film
# mentions are read with the cues of 2026-12-02 (titles taking in "for"/"of" and a word, no
# hyphenated adjective as a title, a headline's colons: bench/README.md, "Films in unseen
# articles")


def create_schema(db: sqlite_utils.Database) -> None:
    """Create the empty tables of a fresh index."""
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("articles").create(
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
    db.table("skipped").create({"id": str, "reason": str, "size": int, "mtime_ns": int}, pk="id")
    db.table("passages").create(
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
    db.table("passages").create_index(["article_id", "position"], unique=True)
    db.table("passages").enable_fts(["text"], tokenize=FTS_TOKENIZER, create_triggers=True)
    db.table("vocabulary").create({"word": str, "stem": str, "df": int}, pk="word")
    create_film_tables(db)


def read_schema_version(conn: sqlite3.Connection) -> int | None:
    """The schema version recorded in ``meta``, or None for a file that is not our index."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError:
        return None
    return int(row[0]) if row else None


def write_meta(db: sqlite_utils.Database, sources: Path) -> None:
    db.table("meta").upsert_all(
        [
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "built_at", "value": datetime.now(UTC).isoformat(timespec="seconds")},
            {"key": "sources", "value": str(sources.resolve())},
        ],
        pk="key",
    )
