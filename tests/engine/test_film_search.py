"""Films through the index and the search: the films table, questions naming a film,
/film answers, films.toml at build time, and the CLI."""

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from bot.engine.build.builder import build_index
from bot.engine.films.mentions import Cue, find_mentions
from bot.engine.films.merge import merge_films
from bot.engine.films.names import match_film
from bot.engine.films.overrides import load_overrides
from bot.engine.search import Searcher

SEED_FILMS = {
    ("Mission: Impossible", 1996),
    ("Mission: Impossible – Rogue Nation", 2015),
    ("Mission: Impossible – Fallout", 2018),
    ("Mission: Impossible 7", None),
    ("Mission: Impossible 8", None),
    ("Top Gun: Maverick", None),
}


def test_seed_films_each_exactly_once(searcher: Searcher) -> None:
    films = searcher.films()
    assert {(f["title"], f["year"]) for f in films} == SEED_FILMS
    assert len(films) == len(SEED_FILMS)
    by_title = {f["title"]: f for f in films}
    assert "MI:7" in by_title["Mission: Impossible 7"]["aliases"]
    assert "Mission 8" in by_title["Mission: Impossible 8"]["aliases"]
    assert (
        "Mission Impossible: Rogue Nation"
        in by_title["Mission: Impossible – Rogue Nation"]["aliases"]
    )
    assert by_title["Mission: Impossible 7"]["articles"] == 2
    assert by_title["Top Gun: Maverick"]["articles"] == 1


def test_places_people_companies_are_not_films(searcher: Searcher) -> None:
    names = {n for f in searcher.films() for n in [f["title"], *f["aliases"]]}
    for not_a_film in [
        "Norway",
        "CinemaCon",
        "Paramount",
        "Burj Khalifa",
        "Tom Cruise",
        "Christopher McQuarrie",
        "High Altitude – Low Opening",
        "Day 1",
    ]:
        assert not_a_film not in names


def mentions_in(text: str) -> list[str]:
    """The titles and franchises found strongly enough to make a film or name a series."""
    return [m.surface for m in find_mentions("a", text) if m.strong or m.cue == Cue.FRANCHISE]


def test_title_forms_found_in_text() -> None:
    assert mentions_in('Tom Cruise starred in "Edge of Tomorrow".') == ["Edge of Tomorrow"]
    assert mentions_in('He called it "Simply Amazing" on Instagram.') == []
    assert mentions_in('The film "Edge of Tomorrow" was a hit.') == ["Edge of Tomorrow"]
    assert mentions_in("Edge of Tomorrow, the 2014 film, flopped.") == ["Edge of Tomorrow"]
    text = "The sequel to Edge of Tomorrow, the 2014 film, is coming."
    found = [m for m in find_mentions("a", text) if m.strong]
    assert [m.surface for m in found] == ["Edge of Tomorrow"] and found[0].year == 2014
    assert mentions_in("Fans loved Top Gun: Maverick in May.") == ["Top Gun: Maverick"]
    assert mentions_in("The Fast & Furious franchise keeps going.") == ["Fast & Furious"]
    assert mentions_in("Visitors to the Burj Khalifa met Tom Cruise in Dubai.") == []


def test_aliases_merge_into_one_film() -> None:
    texts = {
        "a": "The film Mission: Impossible 7 is next; MI:7 will be huge.",
        "b": "Mission Impossible 7 shoots. Mission: Impossible 8, or 'Mission 8', ends it.",
        "c": "The 2018 film Mission: Impossible - Fallout, or Mission Impossible: Fallout, won.",
    }
    mentions = [m for name, text in texts.items() for m in find_mentions(name, text)]
    films = {f.title: f for f in merge_films(mentions)}
    assert set(films) == {
        "Mission: Impossible 7",
        "Mission: Impossible 8",
        "Mission: Impossible – Fallout",
    }
    assert films["Mission: Impossible 7"].articles == ("a", "b")
    assert set(films["Mission: Impossible 7"].aliases) == {"MI:7", "Mission Impossible 7"}
    assert films["Mission: Impossible – Fallout"].year == 2018


def test_films_named_in_questions_with_typos_and_abbreviations(searcher: Searcher) -> None:
    index, _ = searcher.reader.film_index()

    def named(question: str) -> list[str]:
        return [film.title for film, _ in index.named_in(question)]

    assert named("when does MI7 come out") == ["Mission: Impossible 7"]
    assert named("mision imposible 7 release") == ["Mission: Impossible 7"]
    assert named("who was in fallout") == ["Mission: Impossible – Fallout"]
    assert named("rouge nation trailer") == ["Mission: Impossible – Rogue Nation"]
    assert named("plans for Mission 8") == ["Mission: Impossible 8"]
    assert named("what is impossible for him") == []
    assert match_film("top gun", index).title == "Top Gun: Maverick"
    assert match_film("titanic", index) is None


def test_a_question_naming_a_film_ranks_that_film_first(searcher: Searcher) -> None:
    answer = searcher.ask("when does MI7 come out")
    assert any("May 27, 2022" in e.text for e in answer.excerpts)
    assert "Top Gun" not in answer.excerpts[0].text
    assert "May 27, 2022" in searcher.ask("relase date of mission imposible 7").excerpts[0].text


def test_film_answers_say_the_most_about_it(searcher: Searcher) -> None:
    answer = searcher.film("mi7")
    assert answer.question == "Mission: Impossible 7" and answer.answered
    assert any("May 27, 2022" in e.text for e in answer.excerpts)
    assert not searcher.film("Jaws").answered


UNSEEN = """The sequel to Edge of Tomorrow, the 2014 film, is finally happening, Doug Liman said.

Liman, who directed the original, told Collider that "Live Die Repeat 2" is being written.

Emily Blunt will return. The first film made $370 million worldwide in 2014.
"""


def test_an_unseen_article_adds_its_film(sources: Path, tmp_path: Path) -> None:
    (sources / "edge.txt").write_text(UNSEEN)
    db = tmp_path / "b.db"
    build_index(sources, db)
    searcher = Searcher(db)
    titles = {f["title"]: f for f in searcher.films()}
    assert titles["Edge of Tomorrow"]["year"] == 2014
    assert "Live Die Repeat 2" in titles
    assert {"Doug Liman", "Collider", "Emily Blunt"}.isdisjoint(titles)
    answer = searcher.ask("How much money did the first Edge of Tomorow film make?")
    assert "$370 million" in answer.excerpts[0].text


def test_override_file(sources: Path, tmp_path: Path) -> None:
    (sources / "films.toml").write_text(
        '[[film]]\nfilm = "Top Gun: Maverick"\nhide = true\n\n'
        '[[film]]\nfilm = "MI7"\naliases = ["Dead Reckoning"]\n'
        'rename = "Mission: Impossible – Dead Reckoning Part One"\n\n'
        '[[film]]\nfilm = "Mission: Impossible 8"\nmerge = ["Mission: Impossible 7"]\n'
        "year = 2025\n",
        encoding="utf-8",
    )
    db = tmp_path / "b.db"
    summary = build_index(sources, db)
    assert summary.warnings == []
    films = {f["title"]: f for f in Searcher(db).films()}
    assert "Top Gun: Maverick" not in films
    assert "Mission: Impossible – Dead Reckoning Part One" not in films  # merged into MI 8
    merged = films["Mission: Impossible 8"]
    assert {
        "Mission: Impossible 7",
        "Mission: Impossible – Dead Reckoning Part One",
        "Dead Reckoning",
        "MI:7",
    } <= set(merged["aliases"])
    assert merged["year"] == 2025 and merged["articles"] == 2


def test_an_alias_from_films_toml_counts_where_unchanged_articles_use_it(
    sources: Path, tmp_path: Path
) -> None:
    (sources / "dr.txt").write_text("Dead Reckoning wrapped in Abu Dhabi this week.\n")
    db = tmp_path / "b.db"
    build_index(sources, db)
    assert Searcher(db).film("Dead Reckoning").answered is False
    # The article is unchanged: the incremental build must still find the new alias in it.
    (sources / "films.toml").write_text('[[film]]\nfilm = "MI7"\naliases = ["Dead Reckoning"]\n')
    build_index(sources, db)
    films = {f["title"]: f for f in Searcher(db).films()}
    assert films["Mission: Impossible 7"]["articles"] == 3
    answer = Searcher(db).film("dead reckoning")
    assert answer.question == "Mission: Impossible 7" and answer.answered


def test_a_bad_override_file_warns_and_never_stops_indexing(sources: Path, tmp_path: Path) -> None:
    (sources / "films.toml").write_text("[[film]\n")
    summary = build_index(sources, tmp_path / "b.db")
    assert summary.films == 6 and summary.warnings and "films.toml" in summary.warnings[0]
    path = tmp_path / "films.toml"
    path.write_text('[[film]]\nfilm = "MI7"\nyear = "soon"\n\n[colours]\n')
    overrides, warnings = load_overrides(path)
    assert overrides.films == () and len(warnings) == 2


def test_cli_films_json(tmp_path: Path, sources: Path) -> None:
    args = ["--sources", str(sources), "--db", str(tmp_path / "b.db")]
    result = CliRunner().invoke(main, ["films", *args, "--json"])
    films = json.loads(result.stdout)
    assert all(set(f) == {"title", "year", "aliases", "articles", "mentions"} for f in films)
    result = CliRunner().invoke(main, ["film", *args, "fallout"])
    assert result.stdout.startswith("Mission: Impossible – Fallout")
