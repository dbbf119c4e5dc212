import contextlib
import multiprocessing
import os
import sqlite3
import time
from pathlib import Path

import pytest

from bot.engine.build import articles, builder, fts, health, workers
from bot.engine.build.builder import BuildError, NotAnIndex, build_index
from bot.engine.build.health import index_problem, stale_sources
from bot.engine.build.schema import SCHEMA_VERSION
from bot.engine.search import Searcher
from bot.engine.search.follower import IndexFollower


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_full_build_creates_plain_tables(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "index" / "briefing.db"
    summary = build_index(sources, db)
    assert len(summary.added) == 3 and summary.passages > 50
    tables = {r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "passages", "passages_fts", "vocabulary", "meta", "skipped"} <= tables
    assert rows(db, "SELECT value FROM meta WHERE key='schema_version'") == [(str(SCHEMA_VERSION),)]
    fts_hits = rows(db, "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH 'helsetkopen'")
    assert fts_hits == [(1,)]
    assert not list(db.parent.glob("*.tmp-*"))


def test_unchanged_sources_are_not_split_again(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    split_calls: list[str] = []
    real_split = articles.split_article

    def counting_split(article_id: str, text: str):
        split_calls.append(article_id)
        return real_split(article_id, text)

    monkeypatch.setattr(articles, "split_article", counting_split)
    (sources / "new.md").write_text("# Added\n\nA brand new zeppelin stunt article.\n")
    path = sources / "000_3565f7ed7c92af06.txt"
    path.write_text(path.read_text() + "\nOne more sentence about zeppelins.\n")
    (sources / "002_d7acdbb8491ca654.txt").unlink()
    summary = build_index(sources, db)
    assert sorted(split_calls) == ["000_3565f7ed7c92af06.txt", "new.md"]
    assert summary.added == ["new.md"]
    assert summary.changed == ["000_3565f7ed7c92af06.txt"]
    assert summary.removed == ["002_d7acdbb8491ca654.txt"]
    assert summary.unchanged == 1
    ids = {r[0] for r in rows(db, "SELECT DISTINCT article_id FROM passages")}
    assert ids == {"000_3565f7ed7c92af06.txt", "001_a4b0d972454bdd52.txt", "new.md"}
    # the FTS index and vocabulary follow the passages
    match = "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH 'zeppelin OR zeppelins'"
    assert rows(db, match) == [(2,)]
    assert rows(db, "SELECT df FROM vocabulary WHERE word = 'hewitt'") == []


def test_touched_but_unchanged_file_is_not_reindexed(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    path = sources / "001_a4b0d972454bdd52.txt"
    os.utime(path, ns=(1, 1))
    assert stale_sources(sources, db) == ["001_a4b0d972454bdd52.txt"]
    summary = build_index(sources, db)
    assert summary.unchanged == 3 and not summary.changed
    assert stale_sources(sources, db) == []


def test_an_index_of_another_folder_is_not_called_stale(sources: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "elsewhere.md").write_text("Another collection, another article.\n")
    db = tmp_path / "other.db"
    build_index(other, db)
    assert stale_sources(other, db) == []
    assert stale_sources(sources, db) == []  # not "3 added, 1 removed"
    (other / "elsewhere.md").write_text("Changed.\n")
    assert stale_sources(other, db) == ["elsewhere.md"]


def test_bad_files_are_reported_and_the_others_indexed(sources: Path, tmp_path: Path) -> None:
    (sources / "empty.txt").write_bytes(b"")
    (sources / "bad.txt").write_bytes(b"broken \xc3\x28 text")
    (sources / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    summary = build_index(sources, tmp_path / "briefing.db")
    assert {name for name, _ in summary.skipped} == {"empty.txt", "bad.txt", "photo.jpg"}
    assert len(summary.added) == 3


def test_failed_build_leaves_the_old_index_answering(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    searcher = Searcher(db)
    before = db.read_bytes()

    def explode(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(builder, "rebuild_vocabulary", explode)
    monkeypatch.setattr(builder, "update_vocabulary", explode)  # what incremental builds call
    (sources / "new.txt").write_text("A new article about submarines.")
    with pytest.raises(BuildError, match="disk I/O error"):
        build_index(sources, db)
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp-*"))
    assert searcher.ask("How many motorbike jumps did Cruise do?").answered


def test_a_full_disk_is_not_retried_from_nothing(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental build that fills the disk fails at once: a build from nothing (what a
    damaged old index gets) would only fill it again, after minutes at 100,000 articles."""
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    before = db.read_bytes()
    tries: list[object] = []

    def fill(*args, **kwargs):
        tries.append(args[3])  # the previous index's stats: None for a build from nothing
        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorcode = sqlite3.SQLITE_FULL
        raise error

    monkeypatch.setattr(builder, "write_index", fill)
    with pytest.raises(builder.DiskFull, match="disk full"):
        build_index(sources, db)
    assert len(tries) == 1 and tries[0] is not None
    assert db.read_bytes() == before


def test_reader_keeps_answering_across_a_rebuild(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    follower = IndexFollower(db)
    first = follower.latest()
    assert not first.ask("submarine periscope depth").answered
    (sources / "sub.txt").write_text("The submarine periscope depth was 18 metres, he said.")
    build_index(sources, db)
    assert not first.ask("submarine periscope depth").answered  # a searcher keeps its file
    answer = follower.latest().ask("submarine periscope depth")
    assert answer.answered and answer.excerpts[0].source == "sub.txt"
    follower.close()


def test_refuses_to_empty_a_good_index(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    for path in sources.iterdir():
        path.unlink()
    with pytest.raises(BuildError, match="allow-empty"):
        build_index(sources, db)
    assert Searcher(db).ask("HALO jumps").answered
    assert build_index(sources, db, allow_empty=True).articles == 0


def test_missing_sources_folder(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="not found"):
        build_index(tmp_path / "nope", tmp_path / "briefing.db")


def test_one_build_at_a_time(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "briefing.db"
    with builder.build_lock(db), pytest.raises(BuildError, match="already running"):
        build_index(sources, db)


def someones_database(path: Path) -> Path:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('my own data')")
        conn.commit()
    return path


@pytest.mark.parametrize("kind", ["garbage", "sqlite"])
def test_a_file_that_is_not_an_index_is_never_written(
    sources: Path, tmp_path: Path, kind: str
) -> None:
    db = tmp_path / "mydata.db"
    if kind == "garbage":
        db.write_bytes(b"this is not a database" * 100)
    else:
        someones_database(db)
    before = db.read_bytes()
    with pytest.raises(NotAnIndex, match=f"^{db} is .*not a Mission Briefing index"):
        build_index(sources, db)
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.glob("mydata.db*")] == ["mydata.db"]  # no lock file


def test_an_empty_file_or_database_becomes_an_index(sources: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).close()
    with contextlib.closing(sqlite3.connect(blank)) as conn:
        conn.execute("PRAGMA user_version = 1")  # an SQLite file with no table at all
    for db in (empty, blank):
        assert len(build_index(sources, db).added) == 3
        assert Searcher(db).ask("HALO jumps").answered


def damage_middle_pages(db: Path) -> None:
    """Garbage over pages in the middle of the file that a build changing no article does not
    read (a leaf of the vocabulary's stem index, one of the full-text index's segments), so
    only a check of the whole file sees them; the header (page 1) and the articles intact."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        damaged = [
            conn.execute("SELECT max(pageno) FROM dbstat WHERE name = ?", (name,)).fetchone()[0]
            for name in ("idx_vocabulary_stem", "passages_fts_data")
        ]
    assert all(1 < page < pages for page in damaged), damaged
    time.sleep(0.02)  # file times tick every few ms: the damage comes later than the build
    with open(db, "r+b") as file:
        for page in damaged:
            file.seek((page - 1) * page_size)
            file.write(bytes(range(256)) * (page_size // 256))


def test_a_damaged_index_is_rebuilt_from_nothing(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    damage_middle_pages(db)
    assert index_problem(db, thorough=True) is not None
    summary = build_index(sources, db)  # what `briefing index` runs: no --full needed
    assert index_problem(db, thorough=True) is None
    assert len(summary.added) == 3
    assert Searcher(db).ask("HALO jumps").answered


def test_leftover_temp_files_are_cleaned(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "briefing.db"
    leftover = tmp_path / "briefing.db.tmp-99999"
    leftover.write_bytes(b"half a build")
    build_index(sources, db)
    assert not leftover.exists()


def test_worker_processes_build_the_same_index(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enough files to read go to worker processes; the index must not tell (same rows, same
    order-dependent choices: which of two duplicates is kept, which file is skipped). The
    full-text index is filled in chunks as passages arrive: it must hold every passage."""
    monkeypatch.setattr(fts.FtsBackfill, "CHUNK", 50)
    for n in range(workers.PARALLEL_FROM):
        (sources / f"note-{n:03}.md").write_text(
            f"Note {n}: the 2019 film Oblivion Rising {n % 7} was shot in {n} days.\n"
        )
    (sources / "note-copy.md").write_text((sources / "note-007.md").read_text())
    (sources / "note-bad.md").write_bytes(b"\xff\xfe\x00binary")
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    build_index(sources, serial, workers=1)
    summary = build_index(sources, parallel, workers=2)
    assert ("note-copy.md", "same content as note-007.md") in summary.skipped
    for sql in (
        "SELECT id, title, fingerprint, passages FROM articles ORDER BY id",
        "SELECT * FROM passages ORDER BY id",
        "SELECT * FROM skipped ORDER BY id",
        "SELECT * FROM films ORDER BY id",
        "SELECT * FROM film_passages ORDER BY film_id, passage_id",
        "SELECT * FROM vocabulary ORDER BY word",
        "SELECT rowid FROM passages_fts WHERE passages_fts MATCH 'oblivion OR cruise'",
    ):
        assert rows(serial, sql) == rows(parallel, sql)
    assert rows(parallel, "SELECT count(*) FROM passages_fts") == rows(
        parallel, "SELECT count(*) FROM passages"
    )
    with sqlite3.connect(parallel) as conn:  # raises if the index and the table disagree
        conn.execute("INSERT INTO passages_fts (passages_fts, rank) VALUES ('integrity-check', 1)")


def double_unless_in_a_worker(batch: list[tuple[int]]) -> list[int]:
    if multiprocessing.parent_process() is not None:
        os._exit(3)  # a worker killed mid-batch (out of memory, say)
    return [2 * n for (n,) in batch]


def test_reading_goes_on_in_the_build_process_when_workers_die(
    caplog: pytest.LogCaptureFixture,
) -> None:
    items = [(n,) for n in range(workers.PARALLEL_FROM)]
    results = list(workers.parallel_map(double_unless_in_a_worker, items, workers=2))
    assert results == [2 * n for n in range(workers.PARALLEL_FROM)]
    assert "worker processes failed" in caplog.text


def test_the_whole_file_check_is_skipped_only_for_the_file_as_built(
    sources: Path, tmp_path: Path
) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    assert health.untouched_since_built(db)
    time.sleep(0.02)  # file times tick every few ms: a write later than the build's
    with open(db, "r+b") as file:  # any write since (damage, a restore) means check it again
        file.seek(200)
        file.write(file.read(1))
    assert not health.untouched_since_built(db)


def test_an_index_of_another_schema_is_built_from_nothing(sources: Path, tmp_path: Path) -> None:
    """Nothing read by an older version survives: an unchanged .md would keep its raw Markdown
    passages, an unchanged article the film titles of the old cue grammar."""
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION - 1),)
        )
        conn.execute("UPDATE passages SET text = 'read the old way'")
    summary = build_index(sources, db)
    assert summary.unchanged == 0 and len(summary.added) == summary.articles > 0
    assert rows(db, "SELECT count(*) FROM passages WHERE text = 'read the old way'") == [(0,)]
    assert rows(db, "SELECT value FROM meta WHERE key='schema_version'") == [(str(SCHEMA_VERSION),)]
