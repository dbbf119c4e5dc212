from pathlib import Path

import pytest

from bot.engine.sources import (
    Article,
    Skipped,
    list_source_files,
    read_source,
    split_front_matter,
)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_seed_articles_read_with_derived_titles(sources: Path) -> None:
    articles = [read_source(path, sources) for path in list_source_files(sources)]
    names = sorted(p.name for p in sources.iterdir() if p.name != "films.toml")  # not an article
    assert [a.id for a in articles] == names
    assert all(isinstance(a, Article) for a in articles)
    by_id = {a.id: a for a in articles}
    # the photo credit line is not a title; the first real sentence is
    assert by_id["002_d7acdbb8491ca654.txt"].title.startswith("With each new film")
    assert all(len(a.title) <= 91 for a in articles)


def test_toml_front_matter(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.md",
        '+++\ntitle = "Cruise jumps"\nurl = "https://example.com/a"\npublished = 2021-08-01\n'
        'outlet = "Daily"\n+++\nBody text here.\n',
    )
    article = read_source(path, tmp_path)
    assert isinstance(article, Article)
    assert (article.title, article.url, article.published, article.outlet) == (
        "Cruise jumps",
        "https://example.com/a",
        "2021-08-01",
        "Daily",
    )
    assert article.text == "Body text here."


def test_yaml_front_matter_and_lying_values(tmp_path: Path) -> None:
    path = write(
        tmp_path, "b.txt", '---\ntitle: "Quoted: title"\nurl: javascript:alert(1)\n---\nText.\n'
    )
    article = read_source(path, tmp_path)
    assert article.title == "Quoted: title"
    assert article.url is None  # not an http(s) URL, so no link


def test_malformed_toml_front_matter_is_dropped_not_fatal(tmp_path: Path) -> None:
    article = read_source(write(tmp_path, "c.md", "+++\ntitle = \n+++\nThe body.\n"), tmp_path)
    assert isinstance(article, Article)
    assert article.text == "The body."


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n\t ", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("latin1.txt", "café olé".encode("latin-1"), "UTF-8"),
        ("image.png", b"not really", "not a .txt or .md"),
        ("only-front.md", b"+++\ntitle = 'x'\n+++\n", "empty"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    outcome = read_source(write(tmp_path, name, data), tmp_path)
    assert isinstance(outcome, Skipped)
    assert outcome.id == name
    assert reason in outcome.reason


def test_utf16_with_bom_and_crlf_are_read(tmp_path: Path) -> None:
    data = "Line one.\r\n\r\nLine two.".encode("utf-16")
    article = read_source(write(tmp_path, "u.txt", data), tmp_path)
    assert isinstance(article, Article)
    assert article.text == "Line one.\n\nLine two."


def test_too_large_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.engine.sources.MAX_SOURCE_BYTES", 10)
    outcome = read_source(write(tmp_path, "big.txt", "x" * 11), tmp_path)
    assert isinstance(outcome, Skipped) and "too large" in outcome.reason


def test_symlink_outside_the_folder_is_skipped(tmp_path: Path) -> None:
    outside = write(tmp_path, "secret.txt", "Secret text.")
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "link.txt").symlink_to(outside)
    outcome = read_source(folder / "link.txt", folder)
    assert isinstance(outcome, Skipped) and "outside" in outcome.reason


def test_front_matter_only_at_the_very_start() -> None:
    meta, body = split_front_matter("Intro.\n---\ntitle: x\n---\n")
    assert meta == {} and body.startswith("Intro.")
