"""Films in unseen film news, however an article names them: the films an index built from
``tests/data/films/corpus/`` lists for each article, scored against ``corpus.toml``.

Why: the film heuristics were written against a handful of seed articles; this corpus holds
sentences of many other shapes ("Okafor's The Long Quiet swept the awards", "the stop-motion
feature The Button Thief", "its sequel Harbor Lights 2") next to people, studios, services,
festivals, awards, places, books, channels and characters that must stay out. Recall is the
share of (article, film) pairs the index lists; precision the share of listed pairs that are
right. A listed film that matches nothing counts against the family of its article. The
held-out families are reported on their own: they were not looked at while tuning.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.engine.build.builder import build_index
from bot.engine.films.keys import key
from bot.engine.films.merge import Film
from bot.engine.films.names import FilmIndex
from bot.engine.search import Searcher

DATA = Path(__file__).resolve().parents[1] / "data" / "films"
CORPUS = DATA / "corpus"
ANNOTATIONS = DATA / "corpus.toml"
MIN_RECALL = 0.90
MIN_PRECISION = 0.97


class Expected(NamedTuple):
    """A film an article names, and the phrasing family of the sentence that names it."""

    article: str
    title: str
    family: str
    names: frozenset[str]  # keys of the spellings the index may list it under


class Listed(NamedTuple):
    """A film the index lists for an article."""

    article: str
    title: str
    aliases: tuple[str, ...]


class Score(NamedTuple):
    found: list[Expected]
    missed: list[Expected]
    false: list[tuple[Listed, str]]  # (listed film, the family of its article)
    nonfilms: dict[str, str]  # key of a named non-film -> its kind


def load_annotations(path: Path) -> tuple[dict, list[Expected]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    also = data.get("also", {})
    expected = [
        Expected(
            article["file"],
            title,
            family,
            frozenset(key(name) for name in (title, *also.get(title, ()))),
        )
        for article in data["article"]
        for family, titles in article["films"].items()
        for title in titles
    ]
    return data, expected


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus indexed by the real build, in a temp folder (its articles beside it)."""
    folder = tmp_path_factory.mktemp("film-corpus")
    shutil.copytree(CORPUS, folder / "articles")
    db = folder / "briefing.db"
    build_index(folder / "articles", db)
    return db


def listed_films(db: Path) -> list[Listed]:
    """Each film the index lists, once for every article whose passages mention it."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT DISTINCT films.title, films.aliases, passages.article_id FROM films "
            "JOIN film_passages ON film_passages.film_id = films.id "
            "JOIN passages ON passages.id = film_passages.passage_id "
            "ORDER BY passages.article_id, films.title"
        ).fetchall()
    finally:
        conn.close()
    return [Listed(article, title, tuple(json.loads(aliases))) for title, aliases, article in rows]


def score(data: dict, expected: list[Expected], listed: Iterable[Listed]) -> Score:
    """Match listed films to expected ones article by article: by title first, then by an
    alias (a film merged into another is not found twice), each expected film once."""
    family_of = {article["file"]: article["family"] for article in data["article"]}
    nonfilms = {
        key(name): kind
        for article in data["article"]
        for kind, names in article["nonfilms"].items()
        for name in names
    }
    by_article: dict[str, list[Listed]] = defaultdict(list)
    for film in listed:
        by_article[film.article].append(film)
    found: list[Expected] = []
    false: list[tuple[Listed, str]] = []
    for article in family_of:
        open_ = [e for e in expected if e.article == article]
        rest = []
        for film in by_article.pop(article, []):
            hit = next((e for e in open_ if key(film.title) in e.names), None)
            if hit is None:
                rest.append(film)
            else:
                open_.remove(hit)
                found.append(hit)
        for film in rest:
            hit = next((e for e in open_ if e.names & {key(a) for a in film.aliases}), None)
            if hit is None:
                false.append((film, family_of[article]))
            else:
                open_.remove(hit)
                found.append(hit)
    for films in by_article.values():  # an article the annotations don't know
        false += [(film, "unannotated") for film in films]
    missed = [e for e in expected if e not in found]
    return Score(found, missed, false, nonfilms)


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def table(result: Score, families: list[str]) -> list[str]:
    lines = [
        f"{'family':<16} {'films':>5} {'found':>5} {'recall':>7} {'false':>5} {'precision':>9}"
    ]
    for family in families:
        total = sum(e.family == family for e in result.found + result.missed)
        found = sum(e.family == family for e in result.found)
        false = sum(f == family for _, f in result.false)
        lines.append(
            f"{family:<16} {total:>5} {found:>5} {ratio(found, total):>7.0%} {false:>5} "
            f"{ratio(found, found + false):>9.0%}"
        )
    return lines


def details(result: Score, families: list[str]) -> list[str]:
    """What was missed, and the false films, of these families."""
    return [
        "missed:",
        *(
            f"  {e.family:<16} {e.title!r} in {e.article}"
            for e in result.missed
            if e.family in families
        ),
        "false:",
        *(
            f"  {family:<16} {film.title!r} in {film.article} "
            f"({result.nonfilms.get(key(film.title), 'not named in the annotations')})"
            for film, family in result.false
            if family in families or family == "unannotated"
        ),
    ]


def report(result: Score, data: dict, held_out_details: bool = True) -> str:
    """Overall figures, then the tuned families, then the held-out ones, each with its table
    and details (``held_out_details=False`` while tuning: their figures only)."""
    held_out = list(data["held_out"])
    tuned = [f for f in data["families"] if f not in held_out]
    found, missed, false = len(result.found), len(result.missed), len(result.false)
    lines = [
        f"films named: {found + missed}, found {found}: recall {ratio(found, found + missed):.1%}",
        f"films listed: {found + false}, false {false}: "
        f"precision {ratio(found, found + false):.1%}",
        "",
        *table(result, tuned),
        *details(result, tuned),
        "",
        "held out:",
        *table(result, held_out),
        *(details(result, held_out) if held_out_details else []),
    ]
    return "\n".join(lines)


def test_the_annotations_are_big_enough() -> None:
    data, expected = load_annotations(ANNOTATIONS)
    nonfilms = {name for a in data["article"] for names in a["nonfilms"].values() for name in names}
    assert len(expected) >= 40 and len({e.family for e in expected}) >= 10
    assert len(nonfilms) >= 30 and len(data["held_out"]) == 3
    assert {a["file"] for a in data["article"]} == {p.name for p in CORPUS.iterdir()}
    assert set(data["held_out"]) <= {e.family for e in expected} <= set(data["families"])


def test_recall_and_precision_on_the_corpus(corpus_db: Path) -> None:
    data, expected = load_annotations(ANNOTATIONS)
    result = score(data, expected, listed_films(corpus_db))
    text = report(result, data)
    print("\n" + text)
    found, missed, false = len(result.found), len(result.missed), len(result.false)
    assert ratio(found, found + missed) >= MIN_RECALL, text
    assert ratio(found, found + false) >= MIN_PRECISION, text


@pytest.mark.parametrize(
    ("question", "title", "source", "says"),
    [
        # a typo in a title's word
        ("How many puppets were built for the Buton Thief?", "The Button Thief", "genre_front.txt",
         "400 puppets"),
        ("What did Thunder Vally take at the box office?", "Thunder Valley",
         "heldout_box_office.txt", "$31 million"),
        # part of a title: without its "The"
        ("Where did Okoro research Salt Bridge?", "The Salt Bridge", "director_credit.txt",
         "Tbilisi"),
        # a sequel by its number, the franchise's name misspelt
        ("When does Harbr Lights 2 start shooting?", "Harbor Lights 2", "sequels.txt",
         "next month"),
    ],
)  # fmt: skip
def test_a_question_naming_a_new_film_finds_its_passages(
    corpus_db: Path, question: str, title: str, source: str, says: str
) -> None:
    searcher = Searcher(corpus_db)
    listed = [Film(f["title"], f["year"], tuple(f["aliases"]), ()) for f in searcher.films()]
    assert title in [named.film.title for named in FilmIndex(listed).named_in(question)]
    first = searcher.ask(question).excerpts[0]
    assert first.source == source and says in first.text


def test_briefing_films_lists_the_new_films_with_their_articles(corpus_db: Path) -> None:
    args = ["--sources", str(corpus_db.parent / "articles"), "--db", str(corpus_db), "--json"]
    result = CliRunner().invoke(main, ["films", *args])
    films = {film["title"]: film for film in json.loads(result.stdout)}
    # named in four articles, by a year, bare, and as the first of its numbered sequels
    assert films["Harbor Lights"]["articles"] == 4 and films["Harbor Lights"]["year"] == 2016
    assert {"The Long Quiet", "Harbor Lights III", "Kettle and Crow", "Salt on the Wire"} <= set(
        films
    )
    assert films["Night Ferry"]["articles"] == 3
    assert {
        "Best Picture",
        "Halvorsen Pictures",
        "StreamBox",
        "Low Tide",
        "Winter Ledger",
    }.isdisjoint(films)
