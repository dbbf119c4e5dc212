"""What keeps answers right when the articles are few among many (issue 5): matches by chance,
the question's topic articles, typo corrections among many similar words, everyday words that
are also film titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.build.builder import build_index
from bot.engine.films.merge import Film
from bot.engine.films.names import FilmIndex
from bot.engine.search import Question, Searcher, Term
from bot.engine.search.chance import Measure, article_chance, topic_articles
from bot.engine.search.matching import Matcher, Sentence
from bot.engine.search.retrieve import spells_out


def term(word: str, rate: float) -> Term:
    return Term(word, frozenset({word}), (), word, 1, 5.0, True, rate=rate)


def chance(terms: list[Term], passages: int, text: str) -> float:
    question = Question(" ".join(t.asked for t in terms), terms, None, frozenset(), passages)
    matcher = Matcher(terms)
    sentence = Sentence(1, "a", 0, 0, text)
    sentence.matched, sentence.words = matcher.match(text)
    measure = Measure(question, [t.weight for t in terms])
    return measure.chance(sentence, measure.cover(sentence, {1: sentence}), matcher)


def test_two_words_meeting_by_chance_in_a_large_index_are_no_answer() -> None:
    # "Who directed The Godfather?" among 3 million passages of everyday English: a sentence
    # with "godfather" (in 1 passage of 13,000) and "directions" (1 of 120) happens twice.
    terms = [term("directions", 1 / 120), term("godfather", 1 / 13_000)]
    text = "Seems godfather they did the directions before."
    assert chance(terms, 3_000_000, text) > 0
    assert chance(terms, 3_000, text) < 0  # among 3,000 passages it would be telling
    # side by side, in the question's order, they are 20 times rarer still
    assert chance(terms, 30_000, "The directions godfather.") < chance(terms, 30_000, text)


def test_one_word_alone_is_an_answer_only_if_it_is_in_a_few_passages() -> None:
    terms = [term("cinemacon", 3 / 3_000_000), term("held", 1 / 140)]
    assert chance(terms, 3_000_000, "At the ongoing CinemaCon in Las Vegas.") <= 1e-9
    terms = [term("everest", 160 / 3_000_000), term("tall", 1 / 2_000)]
    assert chance(terms, 3_000_000, "The everest of the reign.") > 0


def test_an_article_is_about_words_it_repeats() -> None:
    cruise, age = term("cruise", 4e-4), term("age", 5e-3)
    # "cruise" in 10 of its 25 passages: no article of 100,000 would do that by chance
    assert article_chance([10, 0, 25], [cruise, age], 100_000)
    # "cruise" and "age" once each in 30 passages: a few hundred articles would
    assert not article_chance([1, 1, 30], [cruise, age], 100_000)


def test_the_topic_is_the_articles_of_the_best_matches_beyond_chance() -> None:
    sentences = []
    for i, (article, coverage, log_chance) in enumerate(
        [("seed", 0.8, -3.0), ("seed", 0.5, -1.0), ("other", 0.6, -0.5), ("noise", 0.9, 2.0)]
    ):
        sentence = Sentence(i, article, 0, i, "", matched=1)
        sentence.coverage, sentence.chance = coverage, log_chance
        sentences.append(sentence)
    assert topic_articles(sentences) == ["seed", "other"]
    assert topic_articles(sentences[3:]) == []


ARTICLES = {
    "profile.txt": "McQuarrie posted on Instagram. McQuarrie shared an Instagram photograph.",
    "weather.txt": " ".join(f"Day {n} was mild and dry." for n in range(1, 13)),
    "bank.txt": (
        "Macquarie reported its results. Macquarie shares rose. Analysts at Macquarie wrote "
        "a note. Macquarie hired staff. Macquarie opened an office. Macquarie grew again."
    ),
    "sport.txt": "Sky diving coordinator Allan Hewitt planned the jump over the lake.",
    "skydiving.txt": "Skydiving is popular. The skydiving club met on Sunday.",
}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    folder = tmp_path_factory.mktemp("scale")
    sources = folder / "sources"
    sources.mkdir()
    for name, text in ARTICLES.items():
        (sources / name).write_text(text + "\n")
    db = folder / "b.db"
    build_index(sources, db)
    return Searcher(db)


def test_a_typo_is_corrected_to_the_word_found_with_the_others(small: Searcher) -> None:
    # "mcquarie" is one typo from "macquarie" (6 passages) and from "mcquarrie" (2): only the
    # rarer one is found with "instagram", in both its passages (chance: 2 x 2/26)
    [typo, _] = small.read_question("mcquarie instagram").terms
    assert typo.words == {"mcquarrie"}
    [typo] = small.read_question("mcquarie").terms  # nothing else to tell: the commoner
    assert typo.words == {"macquarie"}


def test_an_indexed_word_also_matches_as_two(small: Searcher) -> None:
    answer = small.ask("skydiving coordinator")
    assert answer.answered and "Allan Hewitt" in answer.excerpts[0].text


def film(title: str, *aliases: str) -> Film:
    return Film(title, None, aliases, ())


def test_everyday_words_name_films_only_as_titles() -> None:
    index = FilmIndex([film("Crew"), film("Observed: Plant", "Plant"), film("August")])

    def named(question: str) -> list[str]:
        return [f.title for f, _ in index.named_in(question)]

    assert named("Which ship did the production hire for the crew?") == []
    assert named("Who directed Crew?") == ["Crew"]
    assert named("Crew: who directed it?") == []  # the first word is capitalised anyway
    assert named("How high was the plane?") == []  # "plane" is a word, not a typo of "Plant"
    assert named("How far did he fly in August?") == []  # months are always capitalised
    assert index.match("crew") is not None  # a title typed to look a film up: any case


def test_a_topic_article_too_long_to_read_whole_is_read_around_its_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "s"
    sources.mkdir()
    filler = " ".join(f"Filler sentence {n} says little." for n in range(300))
    (sources / "long.txt").write_text(
        filler + " The quokka trebuchet launched a melon at dawn. " + filler + "\n"
    )
    db = tmp_path / "b.db"
    build_index(sources, db)
    searcher = Searcher(db)
    searcher.retriever.max_topic_passages = 100
    answer = searcher.ask("What did the quokka trebuchet launch?")
    assert answer.answered and "melon" in answer.excerpts[0].text


def test_articles_about_a_word_name_it_again_and_again(tmp_path: Path) -> None:
    sources = tmp_path / "s"
    sources.mkdir()
    (sources / "about.txt").write_text(
        "The quokka smiled. A quokka lives on an island. Every quokka there is tame.\n"
    )
    (sources / "aside.txt").write_text("A quokka was seen once. The ferry was late.\n")
    db = tmp_path / "b.db"
    build_index(sources, db)
    searcher = Searcher(db)
    question = searcher.read_question("Where does the quokka live?")
    assert searcher.retriever.repeating_articles(question) == ["about.txt"]


@pytest.mark.parametrize(
    ("text", "acronym", "spelt"),
    [
        ("It is a HALO (High Altitude – Low Opening) jump.", "HALO", True),
        ("Shot with computer-generated imagery (CGI) throughout.", "CGI", True),
        ("The Department of Defense (DOD) said so.", "DOD", True),
        ("HALO (the video game) sold well.", "HALO", False),
        ("A HALO (see above) jump.", "HALO", False),
        ("He never wore a halo (High Altitude Low Opening).", "HALO", False),  # not in capitals
    ],
)
def test_an_acronym_is_spelt_out_by_the_initials_beside_it(
    text: str, acronym: str, spelt: bool
) -> None:
    assert spells_out(text, acronym) is spelt


def test_an_acronym_spelt_out_answers_what_it_means_however_common_the_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "what dose halo mean" among articles naming halos everywhere, next to "dose" too: the
    one article spelling HALO out answers, typo and all ("dose" is a word the articles know,
    but the question asks for a meaning only if it is "does")."""
    sources = tmp_path / "s"
    sources.mkdir()
    (sources / "stunt.txt").write_text(
        "Cruise trained for months. It was a HALO (High Altitude – Low Opening) jump over the "
        "desert. The crew filmed it at dusk.\n"
    )
    for n in range(40):
        (sources / f"saint{n}.txt").write_text(
            f"Saint {n} wore a halo in the painting. A dose of gold leaf made the halo shine. "
            f"The halo and the dose were restored well in {1900 + n}.\n"
        )
    db = tmp_path / "b.db"
    build_index(sources, db)
    searcher = Searcher(db)
    answer = searcher.ask("what dose halo mean")
    assert answer.answered and "High Altitude" in answer.excerpts[0].text
    read = searcher.read_question("what dose halo mean")
    assert (read.wants, [t.asked for t in read.terms]) == ("definition", ["halo"])
    read = searcher.read_question("what dose well mean")  # "well" is one typo from "will"
    assert (read.wants, [t.asked for t in read.terms]) == ("definition", ["well"])
    # A word in more passages than DEFINITION_POSTINGS is not scanned for (each passage's text
    # would be read: 0.2 s for "what does people mean" among 100,000 articles).
    question = searcher.read_question("what does halo mean")
    assert searcher.retriever.defining_articles(question) == ["stunt.txt"]
    searcher.retriever.definition_postings = 120  # "halo" is in 121 passages
    assert searcher.retriever.defining_articles(question) == []
