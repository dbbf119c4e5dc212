"""A file or folder of the sources that can't be read is a skip with its reason, and whatever
the index holds of it stays as it was (tests run as root, who reads anything: the refusals are
made where the operating system would make them, in os.scandir and in reading the file)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from bot.engine.build.builder import BuildError, build_index
from bot.engine.build.health import stale_sources
from bot.engine.search import Searcher

ARTICLES = {
    "top.txt": "The zeppelin stunt was filmed over the lake at dawn.",
    "sub/a.md": "The quokka escaped from the set twice before lunch.",
    "sub/b.md": "A trebuchet threw the melon ninety metres across the field.",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    sources = tmp_path / "sources"
    for name, text in ARTICLES.items():
        (sources / name).parent.mkdir(parents=True, exist_ok=True)
        (sources / name).write_text(text + "\n", encoding="utf-8")
    return sources


def refuse(monkeypatch: pytest.MonkeyPatch, listing: set[Path], reading: set[Path]) -> None:
    real_scandir, real_read = os.scandir, Path.read_bytes

    def scandir(path="."):  # noqa: ANN001, ANN202 - os.scandir's own signature
        if Path(path) in listing:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    def read_bytes(self: Path) -> bytes:
        if self in reading:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_an_unreadable_folder_and_file_keep_their_articles(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "index.db"
    build_index(folder, db)
    (folder / "top.txt").write_text("The zeppelin stunt was filmed again, at dusk.\n")
    refuse(monkeypatch, listing={folder / "sub"}, reading={folder / "top.txt"})
    summary = build_index(folder, db)
    assert sorted(summary.skipped) == [
        ("sub/", "unreadable folder (Permission denied)"),
        ("top.txt", "unreadable (Permission denied)"),
    ]
    assert summary.removed == [] and summary.articles == 3
    searcher = Searcher(db)
    assert searcher.ask("What did the trebuchet throw?").excerpts[0].source == "sub/b.md"
    assert "dawn" in searcher.ask("When was the zeppelin stunt filmed?").excerpts[0].text
    monkeypatch.undo()  # readable again: the next build catches up
    summary = build_index(folder, db)
    assert summary.changed == ["top.txt"] and summary.skipped == []


def test_a_folder_that_cannot_be_listed_is_no_change_of_the_sources(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`briefing ask` says the sources changed since the build only when they did: the articles
    an unreadable folder keeps in the index are not "removed"."""
    db = tmp_path / "index.db"
    build_index(folder, db)
    refuse(monkeypatch, listing={folder / "sub"}, reading=set())
    assert build_index(folder, db).articles == 3  # sub/'s two kept
    assert stale_sources(folder, db) == []
    (folder / "top.txt").write_text("The zeppelin stunt was filmed again, at dusk.\n")
    assert stale_sources(folder, db) == ["top.txt"]


def test_an_unreadable_sources_folder_fails_the_build(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "index.db"
    build_index(folder, db)
    before = db.read_bytes()
    refuse(monkeypatch, listing={folder}, reading=set())
    with pytest.raises(BuildError, match="can't be read: unreadable folder"):
        build_index(folder, db)
    assert db.read_bytes() == before


def test_a_named_pipe_is_skipped_not_waited_for(folder: Path, tmp_path: Path) -> None:
    os.mkfifo(folder / "pipe.txt")
    summary = build_index(folder, tmp_path / "index.db")
    assert ("pipe.txt", "not a regular file") in summary.skipped
