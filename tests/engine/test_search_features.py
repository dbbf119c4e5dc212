"""Each feature of the ranking model, on a small index whose sentences differ in one way each."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.build.builder import build_index
from bot.engine.search import Searcher
from bot.engine.search.answer_spotting import counts, has_answer_type, numbers_in
from bot.engine.search.features import SENTENCE_FEATURES, term_weights
from bot.engine.search.question import Question, Term
from bot.engine.search.retrieve import Pool

ROCKET = "\n\n".join(
    [
        "The Zorblat rocket was built by the Quimvex works over many years.",
        "The Zorblat rocket launched on 4 March 2019 from the coast. The Zorblat rocket flew at"
        " 900 mph.",
        "The Zorblat launch was delayed twice. Engineer Plov Yithson said the fuel valve had"
        " frozen. He blamed the cold night. The heater was old. A new heater was fitted.",
        "The Zorblat team made 12 attempts to fix the valve. The Zorblat team also ran 300 tests.",
        "The Zorblat engine was tested in Arizona. The Zorblat engine was tested again and again.",
    ]
)
OTHER = (
    "The Gonkfrel ferry sails at dawn. A rocket of paper was folded by a child on board. "
    "The sea was calm. The captain waved.\n"
)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    return index_of(tmp_path_factory.mktemp("features"), {"rocket.txt": ROCKET})


def index_of(folder: Path, articles: dict[str, str]) -> Searcher:
    """A searcher on an index of ``articles`` (file name -> text) and the unrelated OTHER."""
    sources = folder / "sources"
    sources.mkdir()
    for name, text in {**articles, "other.txt": OTHER}.items():
        (sources / name).write_text(text)
    build_index(sources, folder / "index.db")
    return Searcher(folder / "index.db")


def features(searcher: Searcher, question: str) -> dict[str, dict[str, float]]:
    """Each scored candidate's text and its named features."""
    ranking = searcher.rank(question)
    return {s.text: dict(zip(SENTENCE_FEATURES, v, strict=True)) for s, v in ranking.scored}


def of(found: dict[str, dict[str, float]], start: str) -> dict[str, float]:
    """The features of the single sentence starting ``start``."""
    [named] = [f for text, f in found.items() if text.startswith(start) and text.count(". ") == 0]
    return named


def test_a_date_asked_for_is_found_or_missing(searcher: Searcher) -> None:
    found = features(searcher, "When did the Zorblat rocket launch?")
    launched = of(found, "The Zorblat rocket launched on 4 March 2019")
    built = of(found, "The Zorblat rocket was built")
    assert launched["figure_found"] == 1.0 and launched["kind_missing"] == 0.0
    assert built["figure_found"] == 0.0 and built["kind_missing"] == 1.0
    assert built["cover_unkind"] == built["cover"] > 0  # its coverage, counted apart


def test_a_measure_is_of_the_dimension_asked() -> None:
    assert has_answer_type("measure", "It flew at 900 mph.", frozenset(), "fast")
    assert not has_answer_type("measure", "It flew at 900 mph.", frozenset(), "high")
    assert has_answer_type("measure", "It flew at 25,000 feet.", frozenset(), "high")
    assert has_answer_type("measure", "The 58-year-old star.", frozenset(), "old")
    assert not has_answer_type("measure", "He trained for a whole year.", frozenset(), "old")
    assert has_answer_type("measure", "A nine-minute standing ovation.", frozenset(), "long")
    assert has_answer_type("measure", "A 40-metre drop.", frozenset(), "high")


def test_how_much_wants_an_amount() -> None:
    assert has_answer_type("amount", "It was worth £2 million.", frozenset(), "")
    assert not has_answer_type("amount", "It was worth a lot.", frozenset(), "")


def test_a_day_of_the_month_is_no_count() -> None:
    assert numbers_in("Releasing on 19 November 2021.") == frozenset()
    assert numbers_in("He did 13,000 jumps on May 27, 2022.") == {"13,000"}


def test_the_thing_counted_is_beside_its_figure(searcher: Searcher) -> None:
    assert counts("The team made 12 attempts to fix it.", "attempt")
    assert not counts("The team ran 300 tests.", "attempt")
    found = features(searcher, "How many attempts did the Zorblat team make?")
    assert of(found, "The Zorblat team made 12 attempts")["counted"] == 1.0
    assert of(found, "The Zorblat team also ran 300 tests")["counted"] == 0.0


def test_who_wants_a_name_not_in_the_question(searcher: Searcher) -> None:
    found = features(searcher, "Who said the Zorblat fuel valve had frozen?")
    assert of(found, "Engineer Plov Yithson said")["name_found"] == 1.0  # a full name
    assert of(found, "The Zorblat team made 12 attempts")["name_found"] == 0.0


def test_where_wants_a_place(searcher: Searcher) -> None:
    found = features(searcher, "Where was the Zorblat engine tested?")
    assert of(found, "The Zorblat engine was tested in Arizona")["name_found"] == 0.5
    again = of(found, "The Zorblat engine was tested again")
    assert again["name_found"] == 0.0 and again["kind_missing"] == 1.0


def test_two_sentences_side_by_side_are_one_candidate(searcher: Searcher) -> None:
    """The answer follows the sentence naming what is asked about."""
    found = features(searcher, "Why was the Zorblat launch delayed?")
    pair = "The Zorblat launch was delayed twice. Engineer Plov Yithson said the fuel valve"
    [joined] = [f for text, f in found.items() if text.startswith(pair)]
    assert joined["joined"] == 1.0
    assert all(f["joined"] == 0.0 for text, f in found.items() if text.count(". ") == 0)
    # no pair across paragraphs
    assert not any(t.startswith("The Zorblat rocket was built") and ". " in t for t in found)


def test_novelty_counts_words_beyond_the_question(searcher: Searcher) -> None:
    found = features(searcher, "Was the Zorblat engine tested again and again?")
    repeats = of(found, "The Zorblat engine was tested again")["novelty"]
    assert repeats < of(found, "The Zorblat engine was tested in Arizona")["novelty"]


def test_question_words_side_by_side(searcher: Searcher) -> None:
    found = features(searcher, "fuel valve frozen")
    assert of(found, "Engineer Plov Yithson said")["side_by_side"] > 0
    assert of(found, "The Zorblat team made 12 attempts")["side_by_side"] == 0


def test_neighbours_add_what_a_sentence_lacks(searcher: Searcher) -> None:
    found = features(searcher, "Zorblat launch delayed Yithson")
    engineer = of(found, "Engineer Plov Yithson said")
    assert engineer["neighbours"] > 0  # "launch", "delayed" are in the sentence before
    assert of(found, "The Zorblat engine was tested again")["neighbours"] == 0.0


def test_bm25_is_relative_to_the_best_in_the_pool(searcher: Searcher) -> None:
    found = features(searcher, "Zorblat rocket engine")
    assert max(f["bm25"] for f in found.values()) == 1.0
    assert all(0.0 <= f["bm25"] <= 1.0 for f in found.values())


def test_the_article_matching_the_question_as_a_whole_ranks_its_sentences(
    searcher: Searcher,
) -> None:
    found = features(searcher, "rocket ferry")
    rocket = of(found, "The Zorblat rocket was built")["article_rank"]
    ferry = of(found, "The Gonkfrel ferry sails at dawn")["article_rank"]
    assert {rocket, ferry} >= {1.0} and min(rocket, ferry) < 1.0


def test_a_word_everywhere_in_the_pool_weighs_little_there() -> None:
    """In an article about the Zorblat, "Zorblat" tells its sentences apart no better than
    "the": its weight over the pool is small, over the index it stays large."""
    terms = [
        Term("zorblat", frozenset({"zorblat"}), (), "zorblat", 10, 5.0, True),
        Term("valve", frozenset({"valve"}), (), "valve", 1, 5.0, True),
    ]
    question = Question("zorblat valve", terms, None, frozenset())
    pool = Pool(counts={"rocket.txt": [10, 1, 10]})
    pool.sentences = {i: None for i in range(10)}  # type: ignore[misc]
    weights = term_weights(question, pool)
    assert weights.index == [5.0, 5.0]
    assert weights.local[0] < weights.local[1] / 5


def test_an_answer_noun_weighs_half() -> None:
    """ "which outlet": the answer names the outlet, and need not say the word."""
    terms = [
        Term("outlet", frozenset({"outlet"}), (), "outlet", 1, 5.0, True, answer_noun=True),
        Term("news", frozenset({"news"}), (), "news", 1, 5.0, True),
    ]
    pool = Pool(counts={"a": [1, 1, 10]})
    pool.sentences = {i: None for i in range(10)}  # type: ignore[misc]
    weights = term_weights(Question("which outlet news", terms, None, frozenset()), pool)
    assert weights.local[0] == pytest.approx(weights.local[1] / 2)


def test_features_and_weights_agree(tmp_path: Path) -> None:
    from bot.engine.search.features import QuestionFeatures
    from bot.engine.search.model import load

    fitted = load()
    assert fitted.ranker.features == SENTENCE_FEATURES
    assert fitted.abstainer.model.features == QuestionFeatures.NAMES
    assert 0.0 < fitted.abstainer.threshold < 1.0


def test_only_the_sentences_covering_the_most_are_scored(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article naming its subject in every sentence would have all of them scored."""
    monkeypatch.setattr("bot.engine.search.features.MAX_SCORED", 3)
    found = features(searcher, "Zorblat team attempts valve")
    singles = [text for text in found if text.count(". ") == 0]
    assert len(singles) == 3
    assert any(text.startswith("The Zorblat team made 12 attempts") for text in singles)


def test_who_is_best_answered_by_a_full_name() -> None:
    from bot.engine.search.answer_spotting import full_names_in

    assert full_names_in("The film will see the return of Ving Rhames, Simon Pegg.", frozenset())
    assert not full_names_in("After filming in Venice, Italy was postponed.", frozenset())
    assert not full_names_in("Later Tom Cruise trained.", frozenset({"tom", "cruise"}))


GALA = """---
title: Quimvex Gala opens with a long show
---

The Quimvex Gala opened on Friday in the old harbour hall, with a show that ran late.

The director, Plov Yithson, said the stage had been built in nine days.

A long queue formed in the neighbourhood before the doors opened.

The next one is planned for 3 June 2027.
"""


def gala_index(folder: Path, text: str) -> Searcher:
    return index_of(folder, {"gala.md": text})


@pytest.fixture(scope="module")
def gala(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    return gala_index(tmp_path_factory.mktemp("gala"), GALA)


def test_a_sentence_holds_what_its_article_is_about(gala: Searcher) -> None:
    """In an article titled "Quimvex Gala ...", "The director, ..." answers "who is the director
    of the Quimvex Gala" without repeating its name; the title's other words ("long") are no
    subject."""
    searcher = gala
    found = features(searcher, "Who is the director of the Quimvex Gala?")
    director = of(found, "The director, Plov Yithson")
    assert director["cover"] == 1.0 and director["bm25"] == 1.0
    long_show = features(searcher, "Quimvex Gala long queue")
    assert of(long_show, "The director, Plov Yithson")["cover"] < 1.0
    assert of(long_show, "A long queue formed")["cover"] == 1.0
    # the kind of answer asked for counts where the article's subject does
    planned = of(features(searcher, "When is the Quimvex Gala?"), "The next one is planned")
    assert planned["figure_found"] == 1.0 and planned["kind_missing"] == 0.0


def test_an_unknown_word_is_read_as_a_word_derived_from_it(gala: Searcher) -> None:
    """The articles say "director" only: "directed" is read as it, not as unknown; a word a
    long ending away ("neighbours": "neighbourhood") is not."""
    read = {t.asked: t for t in gala.read_question("Who directed the Quimvex Gala?").terms}
    assert read["directed"].known and "director" in read["directed"].words
    answer = gala.ask("Who directed the Quimvex Gala?")
    assert answer.answered and "Plov Yithson" in answer.excerpts[0].text
    read = {t.asked: t for t in gala.read_question("Did the Quimvex neighbours come?").terms}
    assert not read["neighbours"].known


def test_an_irregular_verb_is_read_as_the_noun_for_its_doer(tmp_path: Path) -> None:
    """The article says "driver" only: "who drove" is read as it."""
    searcher = index_of(
        tmp_path,
        {"jump.txt": "The Quimvex car jumped a canal.\n\nThe driver, Plov Yithson, trained.\n"},
    )
    read = {t.asked: t for t in searcher.read_question("Who drove the Quimvex car?").terms}
    assert read["drove"].known and "driver" in read["drove"].words
    answer = searcher.ask("Who drove the Quimvex car?")
    assert answer.answered and "Plov Yithson" in answer.excerpts[0].text


def test_of_a_title_in_title_case_only_the_names_the_article_writes_count(tmp_path: Path) -> None:
    """ "Quimvex Gala Opens With a Long Show": "Long" is capitalised by the title's style only;
    the article writes "Quimvex" and "Gala" as names, "long" not."""
    from bot.engine.search.answer_spotting import title_cased

    assert title_cased("Quimvex Gala Opens With a Long Show")
    assert not title_cased("Quimvex Gala opens with a long show") and not title_cased("Rhine")
    titled = GALA.replace(
        "Quimvex Gala opens with a long show", "Quimvex Gala Opens With a Long Show"
    )
    searcher = gala_index(tmp_path, titled)
    found = features(searcher, "Quimvex Gala long queue")
    assert of(found, "The director, Plov Yithson")["cover"] < 1.0
    assert (
        of(features(searcher, "Who is the director of the Quimvex Gala?"), "The director")["cover"]
        == 1.0
    )


def test_a_title_name_beside_an_unknown_word_names_something_else(gala: Searcher) -> None:
    """ "the Quimvex Zorbulon": "Quimvex" beside a word the articles don't know names another
    thing than the article titled "Quimvex Gala ..." is about."""
    other = gala.rank("Who is the director of the Quimvex Zorbulon?").featurizer
    named = gala.rank("Who is the director of the Quimvex Gala?").featurizer
    assert other is not None and named is not None
    assert other.subjects["gala.md"] == 0 and named.subjects["gala.md"] != 0
