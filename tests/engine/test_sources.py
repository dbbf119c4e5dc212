from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.sources import (
    Article,
    Skipped,
    list_sources,
    read_source,
    split_front_matter,
)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_seed_articles_read_with_derived_titles(sources: Path) -> None:
    articles = [read_source(path, sources) for path in list_sources(sources).files]
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


MARKDOWN_ARTICLE = """---
title: Bridge stunt
date: 2023-07-10
author: A. Writer
---

# The bridge jump

The crew filmed the jump in **Norway**, as [the official report](https://evil.example/x) says.

## Where

- The ramp was built on a cliff.
- The bike was a Honda.

> The stunt took a year of practice.
"""


def test_markdown_is_read_as_the_text_a_reader_sees(tmp_path: Path) -> None:
    from bot.engine.passages import split_article

    article = read_source(write(tmp_path, "bridge.md", MARKDOWN_ARTICLE), tmp_path)
    assert isinstance(article, Article)
    assert article.text == (
        "The crew filmed the jump in Norway, as the official report says.\n\n"
        "The ramp was built on a cliff.\n\nThe bike was a Honda.\n\n"
        "The stunt took a year of practice."
    )
    passages = split_article(article.id, article.text)
    # headings are not passages; each bullet is its own; quotes are slices of the text
    assert [(p.paragraph, p.text) for p in passages] == [
        (1, "The crew filmed the jump in Norway, as the official report says."),
        (2, "The ramp was built on a cliff."),
        (3, "The bike was a Honda."),
        (4, "The stunt took a year of practice."),
    ]
    assert all(article.text[p.start : p.end] == p.text for p in passages)
    assert "evil.example" not in article.text and "**" not in article.text


def test_markdown_paragraph_numbers_do_not_move_with_headings_or_markup(tmp_path: Path) -> None:
    from bot.engine.passages import split_article

    plain = "First point.\n\nSecond point.\n\nThird point.\n"
    marked = (
        "# Title\n\nFirst *point*.\n\n## More\n\n**Second** point.\n\n### Last\n\nThird point.\n"
    )
    spans = []
    for name, body in (("plain.md", plain), ("marked.md", marked)):
        article = read_source(write(tmp_path, name, body), tmp_path)
        assert isinstance(article, Article)
        spans.append([(p.paragraph, p.text) for p in split_article(name, article.text)])
    assert spans[0] == spans[1]


def test_markdown_title_is_its_first_heading_as_read(tmp_path: Path) -> None:
    article = read_source(write(tmp_path, "t.md", "# The *big* jump\n\nText.\n"), tmp_path)
    assert isinstance(article, Article) and article.title == "The big jump"


def test_text_files_keep_their_markdown_characters(tmp_path: Path) -> None:
    article = read_source(write(tmp_path, "t.txt", "A *starred* word.\n"), tmp_path)
    assert isinstance(article, Article) and article.text == "A *starred* word."


@pytest.mark.parametrize(
    "front", ["date: 2023-07-10", "pubDate: 2023-07-10", "+++\ndate = 2023-07-10\n+++"]
)
def test_common_spellings_of_the_date_are_read_as_published(tmp_path: Path, front: str) -> None:
    if not front.startswith("+++"):
        front = f"---\n{front}\n---"
    article = read_source(write(tmp_path, "d.md", f"{front}\nBody.\n"), tmp_path)
    assert isinstance(article, Article) and article.published == "2023-07-10"


def test_unused_front_matter_keys_are_reported_in_the_build(tmp_path: Path) -> None:
    from bot.engine.build.builder import build_index

    article = read_source(write(tmp_path, "bridge.md", MARKDOWN_ARTICLE), tmp_path)
    assert isinstance(article, Article)
    assert article.warnings == ("front matter key 'author' is not used",)
    assert (article.title, article.published) == ("Bridge stunt", "2023-07-10")
    summary = build_index(tmp_path, tmp_path / "out" / "b.db")
    assert summary.warnings == ["bridge.md: front matter key 'author' is not used"]


PIECES = [*"ab Z9.,;:'\"()?\n\t-+=\u00a0*#&", "&amp;", "&#38;"]  # entities too


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=120).map("".join))
def test_plain_markdown_shortcut_renders_as_the_parser_does(source: str) -> None:
    from bot.engine.markdown_text import parse_markdown, render_markdown

    assert render_markdown(source).text == parse_markdown(source).text


def test_the_same_warning_about_many_files_is_one_line(tmp_path: Path) -> None:
    from bot.engine.build.builder import build_index

    for n in range(5):
        write(tmp_path, f"a{n}.md", f"---\nauthor: Someone\n---\nArticle number {n} here.\n")
    summary = build_index(tmp_path, tmp_path / "out" / "b.db")
    assert summary.warnings == [
        "front matter key 'author' is not used: 5 files (a0.md, a1.md, a2.md, …)"
    ]
