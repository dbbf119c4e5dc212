"""The full-text index (FTS5 over ``passages.text``), kept in step by a build in bulk."""

from __future__ import annotations

import sqlite_utils


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
