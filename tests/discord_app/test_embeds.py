"""Unit tests for the Discord layout helpers: escaping, fitting the limits, lists, uploads."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import DiscordConfig
from bot.discord_app.embeds import (
    answer_embed,
    context_embeds,
    escape,
    films_page,
    fit,
    fit_lines,
    not_found_embed,
    quote_block,
    safe_url,
    sources_page,
    summary_embed,
)
from bot.discord_app.limits import DESCRIPTION_LIMIT, EMBEDS_TOTAL_LIMIT, TITLE_LIMIT
from bot.engine.build.builder import BuildSummary
from bot.engine.search import Answer, Excerpt
from bot.engine.uploads import UploadRejected, check_upload, safe_source_name, save_upload

REPO = Path(__file__).resolve().parents[2]


def embeds_total(embeds: Sequence[discord.Embed]) -> int:
    """Characters Discord counts towards ``EMBEDS_TOTAL_LIMIT`` per message."""
    total = 0
    for embed in embeds:
        total += len(embed.title or "") + len(embed.description or "")
        total += len(embed.footer.text or "") + len(embed.author.name or "")
        total += sum(len(f.name or "") + len(f.value or "") for f in embed.fields)
    return total


def excerpt(text: str, **kw) -> Excerpt:
    values = {
        "source": "000_abc.txt",
        "title": "A *title*",
        "url": None,
        "paragraph": 2,
        "score": 1.0,
        "highlights": (),
    }
    values.update(kw)
    return Excerpt(text=text, **values)


def test_escape_neutralises_markdown_mentions_and_pills():
    text = "**b** __u__ ~~s~~ `c` ||sp|| @everyone @here <@&123> <#456> <t:1:R> # h\n1. x"
    out = escape(text)
    for raw in ("**b**", "__u__", "~~s~~", "`c`", "||sp||", "@everyone", "@here", "<@&", "<#"):
        assert raw not in out
    assert "<t:" not in out
    assert "1\\." in out


def test_fit_cuts_at_a_sentence_with_an_ellipsis_after_escaping():
    raw = "First *sentence* here. " * 40
    out = fit(raw, 100)
    assert len(out) <= 100
    assert out.endswith("…")
    assert out.startswith("First \\*sentence\\* here.")


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=3000), st.integers(min_value=1, max_value=500))
def test_fit_never_exceeds_the_limit(raw, limit):
    assert len(fit(raw, limit)) <= limit


def test_quote_block_bolds_matched_words_and_keeps_the_limit():
    text = "Tom Cruise jumped off the cliff. " * 30
    ex = excerpt(text, highlights=((0, 3), (4, 10), (11, 17)))
    block = quote_block(ex, 300)
    assert len(block) <= 300
    assert block.startswith("> **Tom Cruise jumped**")
    assert "— *A \\*title\\** · 000\\_abc.txt · paragraph 2" in block
    assert "…" in block


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=1200), st.integers(min_value=1, max_value=1500))
def test_quote_block_never_exceeds_its_limit_and_quotes_whole_text_that_fits(text, limit):
    block = quote_block(excerpt(text), limit)
    assert len(block) <= limit
    whole = quote_block(excerpt(text), 10_000)
    if len(whole) <= limit:
        assert block == whole


def test_answer_embed_links_titles_and_shows_a_disagreement_note():
    first = excerpt("It took 13,000 jumps.", url="https://example.com/a_(b)")
    second = excerpt("It took 500 jumps.", source="001_x.txt", paragraph=4)
    answer = Answer("How many jumps?", (first, second), True, "The articles disagree.")
    embed = answer_embed(answer, answer.excerpts)
    assert "[A \\*title\\*](https://example.com/a_%28b%29)" in embed.description
    assert embed.description.startswith("*The articles disagree.*")
    assert "13,000" in embed.description and "500" in embed.description
    assert embed.footer.text.startswith("Excerpts 1–2")


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=900), min_size=1, max_size=10),
    st.text(min_size=1, max_size=2000),
)
def test_answer_embed_always_fits(texts, question):
    excerpts = tuple(
        excerpt(t, title=t[:300] or "t", highlights=((0, min(3, len(t))),)) for t in texts
    )
    embed = answer_embed(Answer(question, excerpts, True, "note " * 50), excerpts, more=True)
    assert len(embed.title) <= TITLE_LIMIT
    assert len(embed.description) <= DESCRIPTION_LIMIT
    assert embeds_total([embed]) <= EMBEDS_TOTAL_LIMIT


def test_not_found_has_the_hint_and_no_excerpt():
    embed = not_found_embed(Answer("capital of Peru?", (), False, "I couldn't find that."))
    assert embed.title == "I couldn't find that in the articles"
    assert "/films" in embed.description
    assert "capital of Peru?" in embed.footer.text


def test_context_embeds_fit_6000_in_all():
    long_paragraph = "A sentence with *stars* and _underscores_ in it. " * 200
    pairs = [(excerpt(long_paragraph[50:150]), long_paragraph) for _ in range(3)]
    embeds = context_embeds(pairs)
    assert embeds_total(embeds) <= EMBEDS_TOTAL_LIMIT
    assert all(len(e.description) <= DESCRIPTION_LIMIT for e in embeds)
    assert all("**" in e.description for e in embeds)


def test_lists_paginate_and_escape():
    films = [
        {"title": f"Film_{n}", "year": 2000 + n, "aliases": ["MI*"], "articles": n, "mentions": 1}
        for n in range(23)
    ]
    page = films_page(films, 2)
    assert (page.page, page.pages) == (2, 3)
    assert "Film\\_20" in page.embed.description and "MI\\*" in page.embed.description
    assert "Page 3 of 3" in page.embed.footer.text
    assert films_page([], 0).embed.description.startswith("No films")
    articles = [
        {
            "source": "a.txt",
            "title": "T",
            "url": None,
            "passages": 1,
            "indexed_at": "2024-01-01T10:00:00+00:00",
        }
    ]
    assert "1 passage · indexed 2024-01-01 10:00" in sources_page(articles, 0).embed.description


def test_fit_lines_says_how_many_were_left_out():
    out = fit_lines([f"line {n}" for n in range(500)], 100)
    assert len(out) <= 100 and out.endswith("more")


def test_summary_embed_fits_with_many_skipped_files():
    summary = BuildSummary(
        added=[f"added_{n}.txt" for n in range(300)],
        skipped=[(f"bad_{n}.bin", "binary file (contains NUL bytes)") for n in range(300)],
        passages=10,
        seconds=1.5,
    )
    embed = summary_embed(summary)
    assert all(len(f.value) <= 1024 for f in embed.fields)
    assert embeds_total([embed]) <= EMBEDS_TOTAL_LIMIT
    assert "bad\\_0.bin: binary file" in embed.fields[3].value


def test_safe_url():
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://x.y/a b") is None
    assert safe_url("https://x.y/(a)") == "https://x.y/%28a%29"


@pytest.mark.parametrize(
    ("given_name", "safe"),
    [
        ("article.txt", "article.txt"),
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\win.TXT", "win.txt"),
        ("evil name!.md", "evil_name.md"),
        (".hidden.txt", "hidden.txt"),
        ("Café crème.md", "Cafe_creme.md"),
    ],
)
def test_safe_source_name(given_name, safe):
    assert safe_source_name(given_name) == safe


@pytest.mark.parametrize("bad", ["photo.png", "noext", "....txt", "script.md.exe", ""])
def test_unsafe_names_are_refused(bad):
    with pytest.raises(UploadRejected):
        safe_source_name(bad)


def test_check_upload_size_and_text():
    with pytest.raises(UploadRejected, match="too large"):
        check_upload("a.txt", 5 * 1024 * 1024 + 1)
    with pytest.raises(UploadRejected, match="not valid UTF-8"):
        check_upload("a.txt", 4, b"caf\xe9")
    assert check_upload("a.txt", 5, "héllo".encode()) == "a.txt"


def test_save_upload_is_atomic_and_refuses_overwrite(tmp_path):
    saved = save_upload(tmp_path, "a.txt", b"one")
    assert saved.path.read_bytes() == b"one" and not saved.replaced
    with pytest.raises(UploadRejected, match="already exists"):
        save_upload(tmp_path, "a.txt", b"two")
    assert save_upload(tmp_path, "a.txt", b"two", replace=True).replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    with pytest.raises(UploadRejected):
        save_upload(tmp_path, "../b.txt", b"x")


def test_config_example_documents_every_discord_setting():
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    section = text[text.index("[discord]") :]
    for field in dataclasses.fields(DiscordConfig):
        assert f"{field.name} =" in section, field.name


FILMS = [
    {"title": "Mission: Impossible – Fallout", "year": 2018, "aliases": ["Fallout", "MI6"]},
    {"title": "Mission: Impossible – Dead Reckoning", "year": 2023, "aliases": ["MI7"]},
    {"title": "Top Gun: Maverick", "year": 2022, "aliases": []},
]


def test_film_choices_are_typo_tolerant_and_map_aliases_to_titles():
    from bot.discord_app.cogs.films import film_choices

    choices = film_choices(FILMS, "falout")
    assert choices[0].value == "Mission: Impossible – Fallout"
    mi7 = film_choices(FILMS, "mi7")
    assert mi7[0].value == "Mission: Impossible – Dead Reckoning"
    assert mi7[0].name == "MI7 → Mission: Impossible – Dead Reckoning"
    assert [c.value for c in film_choices(FILMS, "")] == [f["title"] for f in FILMS]
    many = [{"title": f"Film {n}", "aliases": [f"F{n}"]} for n in range(60)]
    assert len(film_choices(many, "film")) == 25
    assert film_choices(FILMS, "zzzzqqq") == []


def test_no_link_but_the_citation_whatever_the_article_and_its_title_hold():
    from bot.discord_app.embeds import citation_line, quote_text

    text = "See [the official safety report](https://evil.example/x) or https://evil.example/y."
    start = text.index("official")
    link_title = excerpt(
        text,
        url="https://example.com/ok",
        title="Report](https://evil.example/t) [x",
        highlights=((start, start + 8),),
    )
    quoted = quote_text(link_title)
    cited = citation_line(link_title)
    assert "**official**" in quoted
    assert "https://" not in quoted  # no bare URL for Discord to link
    assert "\\[the " in quoted and "report\\](" in quoted  # no masked link
    assert cited.startswith(
        "— [Report\\](https:\u200b//evil.example/t) \\[x](https://example.com/ok)"
    )


def test_private_use_characters_in_an_article_keep_the_highlights_in_place():
    from bot.discord_app.embeds import quote_text

    text = "A \ue000 marker [\ue002] before the word stunt."
    start = text.index("stunt")
    quoted = quote_text(excerpt(text, highlights=((start, start + 5),)))
    assert quoted.endswith("**stunt**.") and "\ue000" not in quoted and "\ue002" not in quoted
