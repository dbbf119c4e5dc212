"""An incremental build must leave the same index as a full build of the same files."""

import sqlite3
from pathlib import Path

from bot.engine.build.builder import build_index


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


def matches(db: Path) -> dict[str, list[tuple]]:
    """Every indexed word, with the passages (article, position) FTS5 finds it in."""
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO passages_fts (passages_fts, rank) VALUES ('integrity-check', 1)")
        words = [row[0] for row in conn.execute("SELECT word FROM vocabulary")]
        return {
            word: sorted(
                conn.execute(
                    "SELECT article_id, position FROM passages WHERE id IN "
                    "(SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?)",
                    (f'"{word}"',),
                ).fetchall()
            )
            for word in words
        }


def test_incremental_full_text_equals_a_full_build(sources: Path, tmp_path: Path) -> None:
    """A build keeps FTS5 in step in bulk (not through the triggers): after passages are
    changed, deleted and added, every word finds the passages a full build's index finds."""
    incremental, full = tmp_path / "incremental.db", tmp_path / "full.db"
    build_index(sources, incremental)
    first, second, _ = sorted(sources.glob("*.txt"))
    first.write_text("Rewritten: a zeppelin landed.\n\n" + first.read_text()[200:])
    second.unlink()
    (sources / "new.md").write_text("The zeppelin returns, rewritten.\n")
    build_index(sources, incremental)
    build_index(sources, full)
    found = matches(incremental)
    assert found == matches(full)
    assert len(found["zeppelin"]) == 2
    assert not any(article == second.name for hits in found.values() for article, _ in hits)


FILMS = (
    "SELECT f.title, f.year, f.aliases, f.articles, f.mentions, f.franchise, f.number, "
    "p.article_id, p.position FROM films f JOIN film_passages fp ON fp.film_id = f.id "
    "JOIN passages p ON p.id = fp.passage_id"
)


def test_incremental_films_equal_a_full_build(sources: Path, tmp_path: Path) -> None:
    """Titles are kept per article and films merged again from them: after articles change,
    go and come, the films (names, counts, the passages that mention them) are a full build's."""
    incremental, full = tmp_path / "incremental.db", tmp_path / "full.db"
    (sources / "extra.md").write_text(
        "The 2019 film Oblivion Rising starred a stunt team. Oblivion Rising made money.\n"
    )
    build_index(sources, incremental)
    first, second, _ = sorted(sources.glob("*.txt"))
    first.write_text(
        first.read_text() + "\n\nFallout was the sixth installment. The 2021 movie Dune Rising "
        "opened; Oblivion Rising did not.\n"
    )
    second.unlink()
    (sources / "extra.md").unlink()
    (sources / "new.md").write_text("Critics saw the 2022 film Oblivion Rising Again twice.\n")
    build_index(sources, incremental)
    build_index(sources, full)
    assert dump(incremental, FILMS) == dump(full, FILMS)
    films = {row[0] for row in dump(incremental, FILMS)}
    assert {"Dune Rising", "Oblivion Rising Again"} <= films
    assert "Oblivion Rising" not in films  # the article that made it a film is gone
    titles = (
        "SELECT surface, cue, strong, year, number, series, same_as, context, mentions FROM titles"
    )
    assert dump(incremental, titles) == dump(full, titles)


def many_articles(folder: Path, count: int) -> None:
    folder.mkdir(exist_ok=True)
    for i in range(count):
        (folder / f"{i:03d}.txt").write_text(
            f"Article {i}\n\nStunt number {i} was filmed in the desert. It took {i + 2} days.\n"
        )


def passage_ids(db: Path) -> tuple[int, int, int]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT min(id), max(id), count(*) FROM passages").fetchone()


def test_a_build_where_most_files_changed_starts_fresh(tmp_path: Path) -> None:
    sources, db, full = tmp_path / "many", tmp_path / "b.db", tmp_path / "full.db"
    many_articles(sources, 80)
    build_index(sources, db)
    files = sorted(sources.glob("*.txt"))
    for path in files[:60]:  # 75% changed, one of them only touched
        path.write_text(path.read_text() + ("" if path == files[0] else "Updated on 3 May.\n"))
    (sources / "new.txt").write_text("A new article about a helicopter stunt.\n")
    files[79].unlink()
    summary = build_index(sources, db)
    assert (len(summary.added), len(summary.changed), len(summary.removed)) == (1, 59, 1)
    assert summary.unchanged == 20 and summary.articles == 80
    low, high, count = passage_ids(db)
    assert (low, high) == (1, count)  # numbered afresh: not a copy of the old index
    build_index(sources, full)
    for sql in ("SELECT word, stem, df FROM vocabulary", "SELECT id, passages FROM articles"):
        assert dump(db, sql) == dump(full, sql)
    assert matches(db) == matches(full)


def test_a_build_where_few_files_changed_builds_on_the_index(tmp_path: Path) -> None:
    sources, db = tmp_path / "many", tmp_path / "b.db"
    many_articles(sources, 80)
    build_index(sources, db)
    _, high_before, _ = passage_ids(db)
    for path in sorted(sources.glob("*.txt"))[:39]:  # under half
        path.write_text(path.read_text() + "Updated on 3 May.\n")
    summary = build_index(sources, db)
    assert len(summary.changed) == 39 and summary.unchanged == 41
    low, high, count = passage_ids(db)
    assert low > 1 and high > high_before  # the unchanged kept their ids, the changed got new
