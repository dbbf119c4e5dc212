"""Whatever lands in the sources folder is indexed or skipped by name with a reason, and never
stops the other articles from being indexed."""

import os
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.build.builder import build_index
from bot.engine.search import Searcher

GOOD = "The zeppelin landed in Oslo at noon. Its captain, Mr. Berg, waved."

files = st.dictionaries(
    keys=st.from_regex(r"[a-z0-9_\-]{1,12}\.(txt|md|bin)", fullmatch=True),
    values=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.text(max_size=200).map(
            lambda t: ("+++\n" + t + "\n+++\n" + t).encode("utf-8", "replace")
        ),
        st.text(max_size=200).map(
            lambda t: ("---\n" + t + "\n---\nBody.").encode("utf-8", "replace")
        ),
        st.text(max_size=200).map(lambda t: t.encode("utf-16")),
    ),
    max_size=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(contents=files)
def test_any_files_are_indexed_or_skipped(tmp_path_factory, contents: dict[str, bytes]) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    sources = folder / "seeds"
    sources.mkdir()
    (sources / "good.txt").write_text(GOOD)
    for name, data in contents.items():
        (sources / name).write_bytes(data)
    summary = build_index(sources, folder / "b.db")
    accounted = set(summary.added) | {name for name, _ in summary.skipped}
    assert accounted == {"good.txt", *contents}
    assert all(reason for _, reason in summary.skipped)
    answer = Searcher(folder / "b.db").ask("Where did the zeppelin land?")
    assert answer.answered and answer.excerpts[0].source == "good.txt"


def test_awkward_files(tmp_path: Path) -> None:
    sources = tmp_path / "seeds"
    sources.mkdir()
    (sources / "good.txt").write_text(GOOD)
    (sources / "crlf.txt").write_bytes(b"First line here.\r\n\r\nSecond paragraph here.\r\n")
    (sources / "cr.txt").write_bytes(b"Old Mac line.\r\rAnother paragraph.")
    (sources / "bom.txt").write_bytes("\ufeffByte order mark article.".encode())
    (sources / "utf16.txt").write_bytes("Sixteen bit article.".encode("utf-16"))
    (sources / "long-line.txt").write_text("word " * 400_000)  # 2 MB, one line
    (sources / "lying.md").write_text(
        "---\ntitle: A title\nurl: not a url\npublished: yesterday-ish\n---\nLying front matter."
    )
    (sources / "dup-a.txt").write_text(GOOD)
    (sources / "sub").mkdir()
    (sources / "sub" / "nested.md").write_text("# Nested\n\nA nested article about kites.")
    (sources / ".hidden.txt").write_text("Hidden file.")
    outside = tmp_path / "outside.txt"
    outside.write_text("Outside the folder.")
    (sources / "escape.txt").symlink_to(outside)
    (sources / "unreadable.txt").write_text("No permission.")
    os.chmod(sources / "unreadable.txt", 0)
    summary = build_index(sources, tmp_path / "b.db")
    skipped = dict(summary.skipped)
    assert "escape.txt" in skipped and "outside" in skipped["escape.txt"]
    assert skipped["good.txt"] == "same content as dup-a.txt"
    if os.geteuid() != 0:  # root reads anything
        assert "unreadable.txt" in skipped
    assert {
        "crlf.txt",
        "cr.txt",
        "bom.txt",
        "utf16.txt",
        "long-line.txt",
        "lying.md",
        "dup-a.txt",
        "sub/nested.md",
    } == set(summary.added) - {"unreadable.txt"}
    assert ".hidden.txt" not in summary.added
    with sqlite3.connect(tmp_path / "b.db") as conn:
        url, title = conn.execute(
            "SELECT url, title FROM articles WHERE id = 'lying.md'"
        ).fetchone()
        assert url is None and title == "A title"
        longest = conn.execute("SELECT max(length(text)) FROM passages").fetchone()[0]
        assert longest <= 400
        paragraphs = conn.execute(
            "SELECT count(DISTINCT paragraph) FROM passages WHERE article_id = 'cr.txt'"
        ).fetchone()[0]
        assert paragraphs == 2


def test_many_tiny_files(tmp_path: Path) -> None:
    sources = tmp_path / "seeds"
    sources.mkdir()
    for i in range(2000):
        (sources / f"note-{i:05d}.txt").write_text(f"Tiny note number {i} about item{i}.")
    summary = build_index(sources, tmp_path / "b.db")
    assert len(summary.added) == 2000
    answer = Searcher(tmp_path / "b.db").ask("item1234")
    assert answer.excerpts[0].source == "note-01234.txt"


def test_a_file_that_vanishes_during_the_build(tmp_path: Path, monkeypatch) -> None:
    import bot.engine.build.articles

    sources = tmp_path / "seeds"
    sources.mkdir()
    (sources / "a.txt").write_text(GOOD)
    (sources / "b.txt").write_text("Kites fly in the wind over the hill.")
    real_read = bot.engine.build.articles.read_source

    def vanishing_read(path: Path, folder: Path):
        if path.name == "b.txt":
            path.unlink()
        return real_read(path, folder)

    monkeypatch.setattr(bot.engine.build.articles, "read_source", vanishing_read)
    summary = build_index(sources, tmp_path / "b.db")
    assert summary.added == ["a.txt"]
    assert dict(summary.skipped)["b.txt"].startswith("unreadable")
