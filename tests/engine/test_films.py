"""Films found in article text: the seeds, unseen articles, aliases, films.toml, questions."""

from __future__ import annotations

import ast
import logging
import time
from pathlib import Path

import pytest

from bot.engine.films.keys import key
from bot.engine.films.mentions import Cue, find_mentions
from bot.engine.films.merge import Film, merge_films
from bot.engine.films.names import FilmIndex, NamedFilm
from bot.engine.films.overrides import Overrides, load_overrides
from bot.engine.words import tokens

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
UNSEEN = ROOT / "tests" / "data" / "films"

A0 = "000_3565f7ed7c92af06.txt"  # Norway jump, "seventh installment", 2015's / 2018 spin-off
A1 = "001_a4b0d972454bdd52.txt"  # CinemaCon, MI:7, 1996's Mission: Impossible, 'Mission 8'
A2 = "002_d7acdbb8491ca654.txt"  # HALO jump, Mission Impossible: Fallout / Rogue Nation

MI = "Mission: Impossible"
ROGUE = "Mission: Impossible – Rogue Nation"
FALLOUT = "Mission: Impossible – Fallout"
MI7 = "Mission: Impossible 7"
MI8 = "Mission: Impossible 8"
MAVERICK = "Top Gun: Maverick"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def seed_texts() -> dict[str, str]:
    return {path.name: read(path) for path in sorted(SEEDS.glob("*.txt"))}


def films_of(texts: dict[str, str], overrides: Overrides | None = None) -> list[Film]:
    mentions = [m for name, text in texts.items() for m in find_mentions(name, text, overrides)]
    return merge_films(mentions, overrides)


def by_title(films: list[Film]) -> dict[str, Film]:
    return {film.title: film for film in films}


@pytest.fixture(scope="module")
def seed_films() -> list[Film]:
    return films_of(seed_texts())


# --- the seed articles ----------------------------------------------------------------------


def films_in_question(question: str, films: list[Film]) -> list[NamedFilm]:
    """The films ``question`` names among ``films`` (an index of them made for the call)."""
    return FilmIndex(films).named_in(question)


def match_film(query: str, films: list[Film]) -> Film | None:
    """The one film of ``films`` that ``query`` names (an index of them made for the call)."""
    return FilmIndex(films).match(query)


def test_seeds_give_exactly_the_six_films_each_once(seed_films: list[Film]) -> None:
    assert [f.title for f in seed_films] == [MI, ROGUE, FALLOUT, MI7, MI8, MAVERICK]


def test_seed_years_come_from_the_text(seed_films: list[Film]) -> None:
    years = {f.title: f.year for f in seed_films}
    assert years == {
        MI: 1996,
        ROGUE: 2015,
        FALLOUT: 2018,
        MI7: None,  # "due to release next year on May 27, 2022" is a date, not the film's year
        MI8: None,
        MAVERICK: None,
    }


def test_seed_films_know_which_articles_mention_them(seed_films: list[Film]) -> None:
    articles = {f.title: f.articles for f in seed_films}
    assert articles == {
        # "the Mission: Impossible franchise" and "the Mission Impossible series" name the
        # series, not the 1996 film: only "1996's Mission: Impossible" does.
        MI: (A1,),
        ROGUE: (A0, A2),
        FALLOUT: (A0, A1, A2),
        MI7: (A0, A1),
        MI8: (A1,),
        MAVERICK: (A1,),
    }


def test_seed_aliases_and_franchise_numbers(seed_films: list[Film]) -> None:
    films = by_title(seed_films)
    assert {"MI:7", "seventh installment", "seventh film"} <= set(films[MI7].aliases)
    assert "Mission 8" in films[MI8].aliases
    assert "Fallout" in films[FALLOUT].aliases and "Rogue Nation" in films[ROGUE].aliases
    assert (films[MI7].franchise, films[MI7].number) == (MI, 7)
    assert (films[MI8].franchise, films[MI8].number) == (MI, 8)
    assert films[FALLOUT].franchise == MI and films[FALLOUT].number is None
    assert films[MAVERICK].franchise == "Top Gun"
    assert films[ROGUE].title not in films[ROGUE].aliases


def test_seed_spellings_of_one_film_are_its_mentions(seed_films: list[Film]) -> None:
    films = by_title(seed_films)
    assert {m.surface for m in films[ROGUE].mentions} == {
        "Mission: Impossible - Rogue Nation",
        "Mission Impossible: Rogue Nation",
    }
    assert {m.surface for m in films[FALLOUT].mentions} == {
        "Mission: Impossible - Fallout",
        "Mission Impossible: Fallout",
    }
    mi7 = {m.surface for m in films[MI7].mentions}
    assert {"Mission: Impossible 7", "MI:7", "seventh installment", "seventh film"} == mi7
    assert len(films[MI7].mentions) == 12  # 2 + 1 + 1 in A0 (two ordinals), 8 in A1


def test_mention_offsets_point_at_the_text(seed_films: list[Film]) -> None:
    texts = seed_texts()
    for film in seed_films:
        for m in film.mentions:
            assert texts[m.article_id][m.start : m.end] == m.surface


def test_sixth_film_installment_without_a_numbered_sixth_film_is_no_film(
    seed_films: list[Film],
) -> None:
    # A2's "the sixth film installment" is Fallout, but no text says so: it is dropped rather
    # than made into a film of its own.
    assert all(f.number != 6 for f in seed_films)
    assert not any("sixth" in alias for f in seed_films for alias in f.aliases)


@pytest.mark.parametrize(
    "not_a_film",
    ["Tom Cruise", "Norway", "CinemaCon", "Paramount", "Burj Khalifa", "Day 1", "Top Gun",
     "Christopher McQuarrie", "COVID-19", "Ethan Hunt", "Las Vegas", "Mission 8"],
)  # fmt: skip
def test_seed_people_places_companies_are_not_films(
    seed_films: list[Film], not_a_film: str
) -> None:
    assert key(not_a_film) not in {key(f.title) for f in seed_films}


# --- articles the heuristics were not written against ---------------------------------------


@pytest.mark.parametrize(
    ("article", "expected"),
    [
        ("edge.txt", {"Edge of Tomorrow": 2014, "The Bourne Identity": None}),
        ("quoted.txt", {"Oppenheimer": None, "Barbie": None}),
        (
            "colon.txt",
            {
                "Dune: Part Two": None,
                "Spider-Man: Across the Spider-Verse": None,
                "Spider-Man: Beyond the Spider-Verse": None,
            },
        ),
        (
            "numbered.txt",
            {"Fast & Furious 9": None, "Fast & Furious 10": None, "The Fate of the Furious": 2017},
        ),
        ("headline.txt", {MI7: None}),
        ("nonfilm.txt", {}),
    ],
)
def test_unseen_articles(article: str, expected: dict[str, int | None]) -> None:
    films = films_of({article: read(UNSEEN / article)})
    assert {f.title: f.year for f in films} == expected


def test_unseen_aliases_from_also_known_as_and_ordinals() -> None:
    films = by_title(films_of({"numbered.txt": read(UNSEEN / "numbered.txt")}))
    nine = films["Fast & Furious 9"]
    assert {"F9", "ninth installment"} <= set(nine.aliases)
    assert (nine.franchise, nine.number) == ("Fast & Furious", 9)
    assert "FF9" not in nine.aliases  # the text never abbreviates the franchise
    assert [m.surface for m in nine.mentions].count("F9") == 2  # the later, bare "F9" too
    edge = by_title(films_of({"edge.txt": read(UNSEEN / "edge.txt")}))["Edge of Tomorrow"]
    assert "Live Die Repeat" in edge.aliases
    assert len(edge.mentions) == 4  # the plain later mentions join the film


def test_subtitled_titles_make_a_franchise_when_two_share_it_or_it_has_two_words() -> None:
    films = by_title(films_of({"colon.txt": read(UNSEEN / "colon.txt")}))
    assert films["Dune: Part Two"].franchise is None  # one word, one title: maybe no series
    assert films["Spider-Man: Across the Spider-Verse"].franchise == "Spider-Man"
    assert "Across the Spider-Verse" in films["Spider-Man: Across the Spider-Verse"].aliases


def test_a_parenthesis_is_an_alias_only_if_it_abbreviates_the_title() -> None:
    text = (
        "He flew in Top Gun: Maverick (Paramount) last year. The Mission: Impossible "
        "franchise goes on with Mission: Impossible 7 (MI7) and Mission: Impossible 8 (Mission "
        "8), then Edge of Tomorrow (EoT) gets a sequel."
    )
    films = by_title(merge_films(find_mentions("a", text)))
    assert films[MAVERICK].aliases == ("Maverick",)  # not "Paramount"
    assert films[MI7].aliases == ("MI7",) and films[MI8].aliases[0] == "Mission 8"


def test_non_film_article_has_only_weak_candidates() -> None:
    mentions = find_mentions("nonfilm.txt", read(UNSEEN / "nonfilm.txt"))
    assert not [m.surface for m in mentions if m.strong]
    surfaces = {m.surface for m in mentions}
    assert {"Burj Khalifa", "CinemaCon", "Paramount Pictures", "Hellesylt"} <= surfaces


def test_a_misspelt_title_merges_with_the_right_one() -> None:
    texts = seed_texts() | {"typo.txt": read(UNSEEN / "typo.txt")}
    films = by_title(films_of(texts))
    assert [f for f in films if "Rouge" in f] == []
    assert "typo.txt" in films[ROGUE].articles
    assert "Mission Impossible: Rouge Nation" in films[ROGUE].aliases


# --- one cue at a time ----------------------------------------------------------------------


def strongest(text: str) -> tuple[str, str, int | None] | None:
    strong = [m for m in find_mentions("a", text) if m.strong]
    return (strong[0].surface, strong[0].cue, strong[0].year) if strong else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The film follows 2015's Rogue Nation closely.", ("Rogue Nation", Cue.YEAR, 2015)),
        ("Edge of Tomorrow, the 2014 film, did well.", ("Edge of Tomorrow", Cue.YEAR, 2014)),
        ("He loved Oblivion (2013) and little else.", ("Oblivion", Cue.YEAR, 2013)),
        ("The 2017 remake The Mummy flopped.", ("The Mummy", Cue.YEAR, 2017)),
        ("He wrote the movie Jack Reacher himself.", ("Jack Reacher", Cue.FILM_WORD, None)),
        ("Cruise starred in Vanilla Sky later.", ("Vanilla Sky", Cue.CREDITS, None)),
        ("Vanilla Sky, starring Cruise, flopped.", ("Vanilla Sky", Cue.CREDITS, None)),
        ("Cameron directed Titanic in 1997.", ("Titanic", Cue.CREDITS, None)),
        ("Talk of a new Top Gun sequel grew.", ("Top Gun", Cue.SEQUEL_OF, None)),
        ("He is back in Top Gun: Maverick now.", ("Top Gun: Maverick", Cue.COLON, None)),
        ('Spielberg\'s "Jaws" made the summer movie.', ("Jaws", Cue.QUOTED, None)),
    ],
)
def test_each_cue_finds_a_title(text: str, expected: tuple[str, str, int | None]) -> None:
    assert strongest(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "In the movie Tom Cruise plays a pilot. Cruise trained for months.",  # a person
        "Denis Villeneuve's sequel arrives in March.",  # the sequel is the person's
        "Athletes gathered for 2024's Olympics in Paris.",  # no film anywhere in the text
        'Critics loved the "Barbenheimer" double bill at the cinema.',  # a modifier in quotes
        'The Instagram post was titled simply "Day 1."',  # quotes, no film in the sentence
        "Update: Tom Cruise Returns To Norway",  # a label, then a headline
        "Paramount presented a Tom Cruise movie at CinemaCon in Las Vegas.",  # "X movie"
        "The production moved from Venice, Italy to the United Kingdom.",
    ],
)
def test_no_strong_cue_on_people_places_and_quotes(text: str) -> None:
    assert strongest(text) is None
    assert merge_films(find_mentions("a", text)) == []


def titles_in(text: str) -> list[str]:
    return [f.title for f in merge_films(find_mentions("a", text))]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # an appositive with a year, or a kind of film as its head
        ("Paper Harbor, a 2014 Danish crime drama, streams now.", "Paper Harbor"),
        ("StreamBox has Quiet Frequencies, a Finnish documentary.", "Quiet Frequencies"),
        ("He loved The Lamplighters, the new film from Aster Vale.", "The Lamplighters"),
        ("Tidewater is her slowest film yet, and her best.", "Tidewater"),
        # the maker's possessive, in a sentence about films or awards
        ("Bigelow's The Hurt Locker swept the awards. Kathryn Bigelow thanked the film's crew.",
         "The Hurt Locker"),
        ("Spielberg's Jaws opened in June and changed the summer movie.", "Jaws"),
        # a kind of film in front, and everyday words after a strong cue
        ("The stop-motion feature The Button Thief took six years.", "The Button Thief"),
        ("The animated film Up won two awards.", "Up"),
        ("The animated short Kettle and Crow plays first.", "Kettle and Crow"),
        ("A remake of Ordinary Angels is in the works, the studio said.", "Ordinary Angels"),
        ("The comedy Yes is expected next spring.", "Yes"),
        # sequels by number once the first film is known
        ("Its sequel Nightfall 2 is due after Nightfall (2019) did well.", "Nightfall 2"),
        ("Rocky III, the 1982 sequel, was a hit. Rocky (1976) started it.", "Rocky III"),
        # a second title in the same breath, and titles with lowercase words
        ("She starred in Glass Houses in 1998 and later in Paper Boats.", "Paper Boats"),
        ("He appeared in Emberline, Tin Wolves and The Ninth Lantern, all films.", "Tin Wolves"),
        ("It runs through Salt on the Wire (2013), the best film nobody saw.", "Salt on the Wire"),
        ("That film, Mornings at Estrela, directed by Serra, opens Friday.", "Mornings at Estrela"),
        ("Her last was a cameo in A Song for Lisette (2019), a drama.", "A Song for Lisette"),
        ("Three films fought for the weekend. Corvid Lane Entertainment's Saltjack Returns "
         "slipped 61% in its second frame.", "Saltjack Returns"),
        ("Less successful is The Quiet Tenants, a horror film so keen to be clever that it "
         "forgets to scare.", "The Quiet Tenants"),
        ("She kept a tape of Harrowgate Road, the 1980s ghost film her father taped.",
         "Harrowgate Road"),
        # "In X, director Y", releases and credits of parts
        ("In The Salt Bridge, director Hana Okoro turns a border into a thriller.",
         "The Salt Bridge"),
        ("Cold Meridian premiered at Sundance in January.", "Cold Meridian"),
        ("Kite Season opened to $18 million in second place at the box office.", "Kite Season"),
        ("Owen Reilly plays a night-shift nurse in The Quiet Ward, opposite Mei Tanaka, in the "
         "film.", "The Quiet Ward"),
        # trailers, sets and filming; streaming; awards; plots; lineups; "X star Y"
        ("Bluewater released the first trailer for Salt and Iron on Thursday.", "Salt and Iron"),
        ("While filming Tidewater on the island of Sein, she read.", "Tidewater"),
        ("Quiet Money is now streaming on Vireo+, after its run in cinemas.", "Quiet Money"),
        ("Copperline won the Golden Anchor at the festival on Saturday.", "Copperline"),
        ("It was nominated for Best Screenplay but lost to The Orchard Letters.",
         "The Orchard Letters"),
        ("Copperline follows a miner in the Arctic who stops speaking, in a film by Alvarado.",
         "Copperline"),
        ("The lineup includes Copperline, Winter Cartographers and Hollowmere.", "Hollowmere"),
        ("Her earlier credits include The Drowned Parish and Birch Children.",
         "The Drowned Parish"),
        ("Her credits include Birch Children and The Lamplighter's Fee.",
         "The Lamplighter's Fee"),
        ("Braver still is Tallowmere, in which Ana Ruiz plays a teacher.", "Tallowmere"),
        ('He won for "Ledger," in which he plays an accountant.', "Ledger"),
        ("Also screening out of competition: The Lantern Keepers and Hollowmere.",
         "The Lantern Keepers"),
        ("Marrow Creek star Tilda Vance signed on, the film's producers said.", "Marrow Creek"),
        ("Tidewater, Brandt's third feature, took six years.", "Tidewater"),
        ("He loved his debut, Blackwater Saints.", "Blackwater Saints"),
        ("Halcyon Drive, filmed in Lisbon in 2011, returns to Paxflix.", "Halcyon Drive"),
        # openings, the film's own cast and crew, tickets
        ("Granite Bay opens Friday in 400 cinemas.", "Granite Bay"),
        ("Lucky Thirteen hits cinemas on Saturday after a delay.", "Lucky Thirteen"),
        ("Paper Tigers is coming to Vireo+ next month.", "Paper Tigers"),
        ("Lucky Thirteen's director, Omar Haddad, says the film nearly died.", "Lucky Thirteen"),
        ("The Lucky Thirteen cast, led by June Okafor, rehearsed for the film.", "Lucky Thirteen"),
        ("Saltmarsh, out now in UK cinemas, stars Ruth Bell as a birdwatcher.", "Saltmarsh"),
        ("Tickets for Midnight Ferryman sold out, the film's distributor said.",
         "Midnight Ferryman"),
    ],
)  # fmt: skip
def test_widened_cues_find_titles(text: str, title: str) -> None:
    assert title in titles_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "Lisbon's Teatro Tivoli hosted the film awards. The ceremony in Lisbon ran late.",
        "Dalia Renn's Edith Marr is the heart of the film, and Renn stars in every scene.",
        "In London, director Ana Ruiz said the film was finished.",
        "The novel Winter Ledger inspired the film; Hanne Lind's novel Winter Ledger sold well.",
        "Cruise appeared in New York for the premiere of his new film.",
        "The TV drama Fjordwatch ran for four seasons, longer than any film.",
        "The musical Hamilton opened on Broadway before the film version.",
        "The documentary filmmaker Asha Kell spoke at the film festival.",
        "Sundance, the film festival that launched her career, is in Utah.",
        "It opened in the United States and Canada, the biggest hit of the year for the film.",
        "The World War II drama opened in cinemas on Friday.",
        "The StreamBox series Low Tide returns, the film studio said.",
        "Halvorsen Pictures earned $2 billion from its films last year.",
        "Anchor investors in the deal include a pension fund, the film studio said.",
        '"Absolutely Everyone Is Welcome" is the slogan, and screenings start at noon.',
        "Weekend Box Office: Thunder Valley Holds Off the Newcomers\n\nThe film did well.",
        "It is a caper set in Osaka, in which she plays a safecracker.",
        "What to Stream This Week: Ten Picks From the Archive\n\nThe films are all free.",
        "An English-language remake is planned, the film's producers said.",
        "Real Madrid star Luka Petrov scored twice on Sunday.",
        "It features the Kenyan actor Wanjiru Mwangi, the film's lead.",
        "Tilda Vance returns to Glasgow in March for the film, Vance said.",
        "Spain won the World Cup, and a film about it is planned.",
        "Maple Street returns to Channel 5 for a second season.",
        "Iron Harbour arrives on Paxflix on Friday for its second season, unlike the film.",
        "The novel The Low Country follows a farmer who stops speaking; a film is planned.",
        "While filming in Iceland, the crew lost a camera on the film's set.",
        "The trailer for the StreamBox series Low Tide passed a million views; the film's did not.",
        "Her debut, London audiences said, was the best film of the year.",
        "The festival lineup includes films from Iceland, Norway and Chile.",
        "The lineup includes A Sparrow in the Engine, the festival's longest film.",
        "The Tate Modern opens Friday with a show about film posters.",
        "Tickets for Glastonbury sold out in an hour.",
        "Denis Villeneuve's sequel arrives in March.",
        "Paramount's director of marketing praised the film.",
        "Kathryn Bigelow's cast worked for months on the film.",
        "Her next project, London Calling, is a play about a film.",
        "EXCLUSIVE: Jessa Morrow has been tapped to lead the film, its producers said.",
    ],
)
def test_widened_cues_leave_out_people_places_and_the_rest(text: str) -> None:
    assert titles_in(text) == []


def test_a_title_cued_after_it_takes_in_its_small_words() -> None:
    """ "A Song for Lisette (2019)", "Eight Bells for Ottilie, the new drama" and "Lights Over
    Carrow (1974)" are one title each; an award or a person before the small word is no title's
    start ("an Oscar for Titanic (1997)", "Blunt in Edge of Tomorrow (2014)")."""
    assert titles_in("It stars Ana Ruiz in A Room for Ortega (2021).") == ["A Room for Ortega"]
    assert titles_in("Next is Eight Bells for Ottilie, the new drama from Bo Lind.") == [
        "Eight Bells for Ottilie"
    ]
    assert titles_in("The season opens with Lights Over Carrow (1974), a mystery.") == [
        "Lights Over Carrow"
    ]
    assert titles_in("She won an Oscar for Titanic (1997), the film.") == ["Titanic"]
    assert titles_in("The Oscar for Titanic (1997) went to its composer.") == ["Titanic"]
    text = "Emily Blunt starred in it. Blunt in Edge of Tomorrow (2014) was a revelation."
    assert titles_in(text) == ["Edge of Tomorrow"]


def test_a_title_cued_before_it_takes_in_for_or_of_and_one_more_word() -> None:
    """ "the indie comedy Paper Lanterns for Emmett" and "the heist comedy A Season for Liars"
    are one title each (both unseen batches wrote such titles); not a full name after "for",
    nor a word the article uses as a surname, nor a place or a day after "in" or "on"."""
    assert titles_in("Her credits include the indie comedy Paper Lanterns for Emmett.") == [
        "Paper Lanterns for Emmett"
    ]
    assert titles_in("It moved the heist comedy A Season for Liars into summer.") == [
        "A Season for Liars"
    ]
    assert titles_in("He made the comedy Overpass for Annika Lindqvist last year.") == ["Overpass"]
    text = "Annika Lindqvist spoke first. He made the comedy Overpass for Lindqvist last year."
    assert titles_in(text) == ["Overpass"]
    assert titles_in("The thriller Granite Hearts in Kyoto drew crowds.") == ["Granite Hearts"]


def test_an_everyday_sentence_opener_joins_no_film_from_another_article() -> None:
    films = merge_films(
        find_mentions("a", "Anchor, the 2019 drama about a ferry captain, returns.")
        + find_mentions("b", "Anchor investors in the deal include a pension fund.")
    )
    assert [(f.title, f.articles) for f in films] == [("Anchor", ("a",))]


def test_a_bare_title_of_a_film_its_sequels_number_after_is_the_film() -> None:
    films = merge_films(
        find_mentions("a", "Harbor Lights (2016) was a hit; its sequel Harbor Lights 2 is next.")
        + find_mentions("b", "He turned down the lead in Harbor Lights, a role that went to Owen.")
    )
    assert {f.title: f.articles for f in films} == {
        "Harbor Lights": ("a", "b"),
        "Harbor Lights 2": ("a",),
    }


def test_mentions_are_verbatim_and_sorted() -> None:
    text = read(UNSEEN / "numbered.txt")
    mentions = find_mentions("n", text)
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    assert all(text[m.start : m.end] == m.surface for m in mentions)


# --- merging --------------------------------------------------------------------------------


def test_numbered_forms_initialisms_and_first_word_merge() -> None:
    text = (
        "The film Mission: Impossible 7 is next. MI7 will be huge, and MI 7 more so. "
        "Then Mission: Impossible 8. Mission 8 ends the Mission: Impossible franchise."
    )
    films = merge_films(find_mentions("a", text))
    assert [(f.title, f.number) for f in films] == [(MI7, 7), (MI8, 8)]
    assert {m.surface for m in films[0].mentions} == {MI7, "MI7", "MI 7"}
    assert films[1].aliases == ("Mission 8", "MI8")  # "MI8": the text abbreviates ("MI7")


def test_ampersand_and_and_are_one_title() -> None:
    text = (
        "The Fast & Furious franchise grows. The film Fast & Furious 9 opens, "
        'and tickets for the film "Fast and Furious 9" sold out.'
    )
    films = merge_films(find_mentions("a", text))
    assert [f.title for f in films] == ["Fast & Furious 9"]
    assert len(films[0].mentions) == 2


def test_the_commonest_year_wins() -> None:
    text = (
        "Oblivion (2013) opened. The 2013 film Oblivion starred Cruise. "
        "Oblivion (2014) says one typo."
    )
    assert [f.year for f in merge_films(find_mentions("a", text))] == [2013]


def test_ordinals_name_no_film_that_is_not_numbered() -> None:
    text = "The seventh film in the Mission: Impossible franchise is coming."
    assert merge_films(find_mentions("a", text)) == []  # nothing names Mission: Impossible 7


def test_first_is_no_franchise_number() -> None:
    text = "The 1st film to be shot in space, the second movie of the year, the 3rd entry."
    ordinals = [m for m in find_mentions("a", text) if m.cue == Cue.ORDINAL]
    assert [(m.surface, m.number) for m in ordinals] == [("second movie", 2), ("3rd entry", 3)]


def test_weak_mentions_alone_make_no_film() -> None:
    text = "MI:7 and Mission 8 and the seventh installment, and Maverick too."
    assert merge_films(find_mentions("a", text)) == []


# --- films.toml -----------------------------------------------------------------------------


def write_toml(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "films.toml"
    path.write_text(body, encoding="utf-8")
    return path


def seed_films_with(tmp_path: Path, body: str, extra: dict[str, str] | None = None):
    overrides, warnings = load_overrides(write_toml(tmp_path, body))
    return films_of(seed_texts() | (extra or {}), overrides), warnings


def test_override_adds_an_alias_found_in_text(tmp_path: Path) -> None:
    extra = {"new.txt": "Dead Reckoning wrapped filming in Abu Dhabi this week."}
    films, warnings = seed_films_with(
        tmp_path,
        '[[film]]\nfilm = "MI:7"\naliases = ["Dead Reckoning"]\n',
        extra,
    )
    assert warnings == []
    mi7 = by_title(films)[MI7]
    assert "Dead Reckoning" in mi7.aliases
    assert "new.txt" in mi7.articles
    assert match_film("dead reckoning", films) is mi7
    assert [f.title for f, _ in films_in_question("when is dead reckonin out", films)] == [MI7]


def test_override_merges_two_entries(tmp_path: Path) -> None:
    extra = {"new.txt": 'Paramount dated the film "Dead Reckoning Part One" for July.'}
    films, _ = films_of(seed_texts() | extra), None
    assert "Dead Reckoning Part One" in by_title(films)
    films, warnings = seed_films_with(
        tmp_path,
        '[[film]]\nfilm = "Mission: Impossible 7"\nmerge = ["Dead Reckoning Part One"]\n',
        extra,
    )
    assert warnings == []
    titles = by_title(films)
    assert "Dead Reckoning Part One" not in titles
    assert "Dead Reckoning Part One" in titles[MI7].aliases
    assert titles[MI7].articles == (A0, A1, "new.txt")


def test_a_later_entry_finds_a_film_by_a_name_merged_into_it(tmp_path: Path) -> None:
    extra = {"new.txt": 'Paramount dated the film "Dead Reckoning Part One" for July.'}
    films, warnings = seed_films_with(
        tmp_path,
        '[[film]]\nfilm = "MI7"\nmerge = ["Dead Reckoning Part One"]\n\n'
        '[[film]]\nfilm = "Dead Reckoning Part One"\nyear = 2023\n',
        extra,
    )
    assert warnings == [] and by_title(films)[MI7].year == 2023


def test_override_renames_and_sets_the_year(tmp_path: Path) -> None:
    new_title = "Mission: Impossible – Dead Reckoning Part One"
    films, warnings = seed_films_with(
        tmp_path,
        f'[[film]]\nfilm = "MI7"\nrename = "{new_title}"\nyear = 2023\n',
    )
    assert warnings == []
    film = by_title(films)[new_title]
    assert film.year == 2023 and MI7 in film.aliases and MI7 not in by_title(films)
    assert match_film("MI7", films) is film


def test_override_hides_a_false_film(tmp_path: Path) -> None:
    films, warnings = seed_films_with(tmp_path, '[[film]]\nfilm = "top gun maverick"\nhide = true')
    assert warnings == []
    assert MAVERICK not in by_title(films) and len(films) == 5


def test_override_declares_a_film_the_heuristics_missed(tmp_path: Path) -> None:
    extra = {"new.txt": "Oblivion was shot in Iceland. Oblivion is underrated."}
    films, warnings = seed_films_with(tmp_path, '[[film]]\nfilm = "Oblivion"\n', extra)
    assert warnings == []
    assert len(by_title(films)["Oblivion"].mentions) == 2


def test_override_for_a_film_not_in_the_articles_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.engine.films.merge"):
        films, warnings = seed_films_with(tmp_path, '[[film]]\nfilm = "Jaws"\nhide = true\n')
    assert len(films) == 6 and warnings == []
    assert "'Jaws'" in caplog.text and "no film by that name" in caplog.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[film]]\nfilm = "MI7"\nalias = ["x"]\n', "unknown key 'alias'"),
        ('[[film]]\nfilm = "MI7"\naliases = "Dead Reckoning"\n', "'aliases' must be a list"),
        ('[[film]]\nfilm = "MI7"\nyear = "2023"\n', "'year' must be a whole number"),
        ('[[film]]\nfilm = "MI7"\nyear = 20230\n', "not a plausible release year"),
        ('[[film]]\nfilm = "MI7"\nhide = "yes"\n', "'hide' must be true or false"),
        ('[[film]]\nfilm = "MI7"\nhide = true\nrename = "X"\n', "cannot be combined"),
        ('[[film]]\nrename = "X"\n', "'film' must name the film"),
        ('[[film]]\nfilm = "MI7"\nmerge = [1]\n', "'merge' must be a list"),
    ],
)
def test_a_bad_entry_is_ignored_with_a_clear_warning_and_the_rest_applies(
    tmp_path: Path, body: str, message: str
) -> None:
    good = '[[film]]\nfilm = "Top Gun: Maverick"\nhide = true\n\n'
    films, warnings = seed_films_with(tmp_path, good + body)
    assert len(warnings) == 1
    assert (
        message in warnings[0] and "[[film]] #2" in warnings[0] and "entry ignored" in warnings[0]
    )
    assert [f.title for f in films] == [MI, ROGUE, FALLOUT, MI7, MI8]  # entry #1 applied


def test_a_file_that_is_not_toml_is_ignored_as_a_whole(tmp_path: Path) -> None:
    overrides, warnings = load_overrides(write_toml(tmp_path, '[[film]]\nfilm = "MI7\n'))
    assert overrides == Overrides()
    assert len(warnings) == 1 and "not valid TOML" in warnings[0] and "line 2" in warnings[0]


def test_unknown_top_level_keys_and_a_missing_file(tmp_path: Path) -> None:
    _, warnings = load_overrides(write_toml(tmp_path, '[hide]\nfilms = ["x"]\n'))
    assert warnings and "unknown top-level key 'hide'" in warnings[0]
    _, warnings = load_overrides(write_toml(tmp_path, 'film = "MI7"\n'))
    assert warnings and "must be [[film]] tables" in warnings[0]
    assert load_overrides(tmp_path / "missing.toml") == (Overrides(), [])


def test_the_shipped_films_toml_is_valid_and_changes_nothing() -> None:
    overrides, warnings = load_overrides(SEEDS / "films.toml")
    assert warnings == [] and overrides.films == ()


# --- films named in a question --------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("when does MI7 come out", MI7),
        ("What is the release date of MI 7?", MI7),
        ("relase date of mission imposible 7", MI7),
        ("mision imposible 7 cast", MI7),
        ("who directed the seventh installment", MI7),
        ("What happens in the 7th movie?", MI7),
        ("What is planned for Mission 8?", MI8),
        ("Will MI8 be the last?", MI8),
        ("How many HALO jumps did Cruise do before the Fallout stunt?", FALLOUT),
        ("rouge nation airbus", ROGUE),
        ("When will Top Gun: Maverick be released?", MAVERICK),
        ("top gun maverik release", MAVERICK),
        ("Which actor from the 1996 Mission: Impossible returns?", MI),
    ],
)
def test_films_in_question_by_any_name(seed_films: list[Film], question: str, title: str) -> None:
    assert [f.title for f, _ in films_in_question(question, seed_films)] == [title]


def test_the_span_is_in_search_tokens(seed_films: list[Film]) -> None:
    question = "When does Mission: Impossible 7 come out?"
    [(film, (start, end))] = films_in_question(question, seed_films)
    assert film.title == MI7
    assert tokens(question)[start:end] == ["mission", "impossible", "7"]


def test_a_franchise_name_names_its_films_the_eponymous_first(seed_films: list[Film]) -> None:
    named = [f.title for f, _ in films_in_question("mission impossible stunts", seed_films)]
    assert named == [MI, ROGUE, FALLOUT, MI7, MI8]
    named = [f.title for f, _ in films_in_question("the Top Gun star", seed_films)]
    assert named == [MAVERICK]


@pytest.mark.parametrize(
    "question",
    [
        "What is the best pizza topping?",
        "Who directed The Godfather?",
        "What year did the Titanic sink?",
        "Where in Norway was the motorbike stunt shot?",
        "What is decompression sickness also called?",
        "Is it possible to jump from that height?",  # "possible" is not "impossible"
        "Who plays the seventh son?",  # an ordinal without a film word
    ],
)
def test_questions_without_a_film(seed_films: list[Film], question: str) -> None:
    assert films_in_question(question, seed_films) == []


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("mision imposible 7", MI7),
        ("MI7", MI7),
        ("mi:7", MI7),
        ("fallout", FALLOUT),
        ("Mission: Impossible", MI),
        ("mission impossible", MI),
        ("Mission Impossible - Rogue Nation", ROGUE),
        ("top gun maverik", MAVERICK),
        ("mission 8", MI8),
        ("MI9", None),
        ("Mission Impossible 9", None),
        ("pizza", None),
        ("", None),
    ],
)
def test_match_film(seed_films: list[Film], query: str, title: str | None) -> None:
    found = match_film(query, seed_films)
    assert (found.title if found else None) == title


# --- speed and purity -----------------------------------------------------------------------


def test_find_mentions_is_fast_enough_for_indexing() -> None:
    texts = list(seed_texts().items()) + [(p.name, read(p)) for p in UNSEEN.glob("*.txt")]
    for name, text in texts:
        find_mentions(name, text)
    rounds = 50
    started = time.perf_counter()
    for _ in range(rounds):
        for name, text in texts:
            find_mentions(name, text)
    per_article = (time.perf_counter() - started) / (rounds * len(texts))
    assert per_article < 0.002  # ~0.3 ms; generous for a loaded CI machine


def test_films_in_question_is_fast_with_hundreds_of_films(seed_films: list[Film]) -> None:
    words = "amber breeze cobalt dusk ember falcon granite harbor ivory jasper kestrel lumen"
    words = words.split()
    many = list(seed_films) + [
        Film(f"{a.title()} {b.title()}: {c.title()}", 2000 + i % 25, (f"{b} {c}",), ())
        for i, (a, b, c) in enumerate(
            (a, b, c) for a in words for b in words for c in words[:3] if a != b
        )
    ]
    assert len(many) > 300
    index = FilmIndex(many)
    questions = ["when does mision imposible 7 come out", "how tall is mount everest"] * 50
    started = time.perf_counter()
    for question in questions:
        index.named_in(question)
    assert (time.perf_counter() - started) / len(questions) < 0.003  # ~0.05 ms idle
    assert [f.title for f, _ in index.named_in("falcon kestrel: amber")] == [
        "Falcon Kestrel: Amber"
    ]


def test_the_module_holds_no_film_titles() -> None:
    """Film knowledge comes from the text and films.toml only: no string in the code (outside
    docstrings and comments) names a film or franchise of the seeds or the unseen articles."""
    for path in sorted((ROOT / "bot" / "engine" / "films").glob("*.py")):
        assert_no_titles(ast.parse(path.read_text(encoding="utf-8")))


def assert_no_titles(tree: ast.Module) -> None:
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    code_strings = " ".join(
        node.value.lower()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    )  # fmt: skip
    for title in ["impossible", "fallout", "rogue", "maverick", "top gun", "furious",
                  "tomorrow", "oppenheimer", "barbie", "dune", "spider"]:  # fmt: skip
        assert title not in code_strings


def test_a_name_of_two_words_may_take_one_typo_more_when_one_word_is_exact() -> None:
    """ "glas orchard": no typo is allowed in a four-letter word, but "orchard" typed exactly
    and the run around it name the film; a word alone, or no word exact, name nothing."""
    orchard = Film("The Glass Orchard", 2027, (), ())
    found = films_in_question("who direced the glas orchard", [orchard])
    assert [f.title for f, _ in found] == ["The Glass Orchard"]
    assert not films_in_question("who directed the glas", [orchard])
    assert not films_in_question("who directed the glas orchid", [orchard])
    assert not films_in_question("who directed glass onion", [orchard])


def test_a_one_word_name_is_not_named_by_another_word_of_english() -> None:
    """ "bends" is one typo from "Blends", but a word of English in its own right: "what are
    the bends" names no film. A typo that is no word still names it."""
    blends = Film("Blends", 2020, (), ())
    assert not films_in_question("what are the bends", [blends])
    assert [f.title for f, _ in films_in_question("who made blendz", [blends])] == ["Blends"]


def test_a_hyphenated_adjective_is_no_title() -> None:
    """ "the Oscar-nominated actress", "the Leithbridge-born director": a name and a lowercase
    word hyphenated describe someone; "Spider-Man" is still a name."""
    assert titles_in(
        "Filming began on Tallow, the drama starring the Oscar-nominated actress Pip Dane."
    ) == ["Tallow"]
    assert titles_in("The sequel Leithbridge-born fans waited for opens.") == []
    assert titles_in("The 2002 film Spider-Man opened in May.") == ["Spider-Man"]
