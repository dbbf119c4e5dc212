"""/films (paginated list) and /film with typo-tolerant autocomplete."""

from __future__ import annotations

import pytest

from bot.engine.search import Searcher

from .conftest import responded
from .standin import check_message_payload


@pytest.fixture(scope="module")
def films(bot) -> list[dict]:
    """The films in the bot's own index file, as the engine lists them."""
    searcher = Searcher(bot.db)
    try:
        return searcher.films()
    finally:
        searcher.close()


def typo(word: str) -> str:
    """Drop one letter from the longest word: "Fallout" -> "Falout"."""
    longest = max(word.split(), key=len)
    cut = longest[:2] + longest[3:]
    return word.replace(longest, cut, 1)


def test_films_lists_titles_with_article_counts(standin, bot, films):
    rec = standin.slash("films")
    body = responded(standin, rec)
    embed = body["data"]["embeds"][0]
    assert embed["title"] == "Films the articles talk about"
    assert "article" in embed["description"]
    assert "Mission: Impossible 7" in embed["description"]
    assert check_message_payload(body["data"]) == []
    if len(films) > 10:
        buttons = {b["label"]: b for row in body["data"]["components"] for b in row["components"]}
        assert buttons["Previous"]["disabled"] is True
        click = standin.click(rec.original, buttons["Next"]["custom_id"], user="bob")
        body = responded(standin, click)
        assert body["type"] == 7  # the page turns in place
        assert "Page 2 of" in body["data"]["embeds"][0]["footer"]["text"]
        assert str(films[10]["title"]).split()[0] in body["data"]["embeds"][0]["description"]


def test_film_autocomplete_is_typo_tolerant(standin, bot, films):
    title = str(films[0]["title"])
    rec = standin.autocomplete("film", "title", typo(title))
    body = responded(standin, rec)
    assert body["type"] == 8
    choices = body["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert title in [c["value"] for c in choices[:3]]

    alias = next((f for f in films if f.get("aliases")), None)
    if alias is not None:
        rec = standin.autocomplete("film", "title", str(alias["aliases"][0]))
        first = responded(standin, rec)["data"]["choices"][0]
        assert first["value"] == alias["title"]

    empty = standin.autocomplete("film", "title", "")
    assert len(responded(standin, empty)["data"]["choices"]) == min(25, len(films))


def test_film_answers_with_cited_excerpts(standin, bot, films):
    title = str(films[0]["title"])
    rec = standin.slash("film", title=title)
    body = responded(standin, rec)
    embed = body["data"]["embeds"][0]
    assert check_message_payload(body["data"]) == []
    assert "paragraph" in embed["description"] or embed["title"].startswith("I couldn't")
    if "paragraph" in embed["description"]:
        labels = {b["label"] for row in body["data"]["components"] for b in row["components"]}
        assert "Show in context" in labels


def test_unknown_film_is_not_found(standin, bot):
    rec = standin.slash("film", title="Zzyzx Quuxfilm Nonexistent")
    embed = responded(standin, rec)["data"]["embeds"][0]
    assert embed["title"] == "I couldn't find that in the articles"


def test_no_violations(standin, bot):
    assert standin.violations == []
