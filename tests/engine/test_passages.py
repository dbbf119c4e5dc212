from pathlib import Path

from bot.engine.passages import MAX_PASSAGE_CHARS, split_article
from bot.engine.sources import Article, list_sources, read_source


def sentences(text: str) -> list[str]:
    return [p.text for p in split_article("a", text)]


def test_sentences_with_abbreviations_decimals_and_currency() -> None:
    text = (
        "Mr. Cruise met Dr. Smith at 3.5 p.m. in the U.S. Army base. "
        'It cost £2 million. He said "Wow!" and left. '
        "J. K. Rowling was not there."
    )
    assert sentences(text) == [
        "Mr. Cruise met Dr. Smith at 3.5 p.m. in the U.S. Army base.",
        "It cost £2 million.",
        'He said "Wow!" and left.',
        "J. K. Rowling was not there.",
    ]


def test_quoted_exclamation_followed_by_lowercase_does_not_split() -> None:
    assert sentences('"Amazing!" reported Hello! Next one.') == [
        '"Amazing!" reported Hello!',
        "Next one.",
    ]


def test_paragraph_numbers_and_offsets_are_exact() -> None:
    text = "First one. Second one.\n\nThird one.\n\n\nFourth."
    passages = split_article("a", text)
    assert [(p.paragraph, p.position) for p in passages] == [(1, 0), (1, 1), (2, 2), (3, 3)]
    assert all(text[p.start : p.end] == p.text for p in passages)


def test_text_without_blank_lines_has_a_paragraph_per_line() -> None:
    passages = split_article("a", "Line one.\nLine two.")
    assert [p.paragraph for p in passages] == [1, 2]


def test_long_sentences_are_cut_under_the_limit() -> None:
    text = "word, " * 300 + "end."
    passages = split_article("a", text)
    assert len(passages) > 1
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert all(text[p.start : p.end] == p.text for p in passages)


def test_seed_passages_are_verbatim_and_short(sources: Path) -> None:
    for path in list_sources(sources).files:
        article = read_source(path, sources)
        assert isinstance(article, Article)
        passages = split_article(article.id, article.text)
        assert passages
        for p in passages:
            assert article.text[p.start : p.end] == p.text
            assert 0 < len(p.text) <= MAX_PASSAGE_CHARS
