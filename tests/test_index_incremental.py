"""An incremental build must leave the same index as a full build of the same files."""

import sqlite3
from pathlib import Path

from bot.index import build_index


def dump(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(sql).fetchall())


def test_incremental_vocabulary_equals_a_full_build(sources: Path, tmp_path: Path) -> None:
    incremental, full = tmp_path / "incremental.db", tmp_path / "full.db"
    build_index(sources, incremental)
    first, second, third = sorted(sources.glob("*.txt"))
    first.write_text(first.read_text() + "\n\nA zeppelin café reopened on 3 May, naïvely.\n")
    second.unlink()
    (sources / "new.md").write_text("Jumps, jumped and jumping: the Zeppelin returns.\n")
    build_index(sources, incremental)
    build_index(sources, full)
    vocabulary = "SELECT word, stem, df FROM vocabulary"
    assert dump(incremental, vocabulary) == dump(full, vocabulary)
    fts = "SELECT term, doc FROM temp.v"
    for db in (incremental, full):
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, passages_fts, 'row')")
            assert sorted(conn.execute(fts).fetchall()) == dump(
                db, "SELECT word, df FROM vocabulary"
            )
