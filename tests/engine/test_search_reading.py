"""Reading a question the way people type it: typos of everyday words, shortenings, initials,
the noun for who does what a verb says, the kind of answer asked for."""

from __future__ import annotations

from pathlib import Path

from bot.engine.build.builder import build_index
from bot.engine.search import Searcher
from bot.engine.search.answer_kind import (
    answer_type,
    asked_kinds,
    dimension_and_counted,
    named_roles,
)
from bot.engine.search.matching import Matcher, spelt_initials
from bot.engine.search.question import Term, inflected_word
from bot.engine.spelling import english_correction, typed_as_meant
from bot.engine.words import stem


def asked(searcher: Searcher, question: str) -> dict[str, Term]:
    return {t.asked: t for t in searcher.read_question(question).terms}


def test_an_everyday_word_mistyped_reads_as_meant(searcher: Searcher) -> None:
    assert english_correction("comming") == "coming"
    assert english_correction("villian") == "villain"
    assert english_correction("coming") is None  # a word as it is
    # "comming out" is "coming out": a release, which the articles name
    assert "release" in asked(searcher, "when is mi7 comming out")
    assert "May 27, 2022" in searcher.ask("when is mi7 comming out").excerpts[0].text


def test_a_shortened_word_is_the_word_it_starts(searcher: Searcher) -> None:
    assert asked(searcher, "what did the director post on insta")["insta"].words >= {"instagram"}


def test_who_did_it_is_found_as_the_noun_for_the_doer(searcher: Searcher) -> None:
    """ "who wrote X": the articles say "writer-director Y"."""
    assert "writer" in asked(searcher, "who wrote mission impossible 7")["wrote"].words
    assert "director" in asked(searcher, "who directed fallout")["directed"].words


def test_initials_match_the_words_they_stand_for() -> None:
    assert "uk" in spelt_initials("a stunt in the United Kingdom in August")
    assert "boe" in spelt_initials("the Bank of England said")
    uk = Term("uk", frozenset(), (), "uk", 0, 3.0, False, initials="uk")
    stunt = Term("stunt", frozenset({"stunt"}), (), "stunt", 1, 3.0, True)
    matcher = Matcher([uk, stunt])
    assert matcher.match("A stunt in the United Kingdom.")[0] == 0b11
    assert matcher.match("A stunt in the United States.")[0] == 0b10


def test_initials_are_read_only_into_short_words(searcher: Searcher) -> None:
    read = asked(searcher, "how much did the uk stunt cost")
    assert read["uk"].initials == "uk" and read["cost"].initials == ""
    answer = searcher.ask("how much did the uk stunt cost")
    assert answer.answered and "£2 million" in answer.excerpts[0].text


def test_an_inflected_word_is_no_typo_of_a_function_word(searcher: Searcher) -> None:
    assert inflected_word("wars") and not inflected_word("whos")
    assert "wars" in asked(searcher, "what is the plot of star wars?")
    assert "whos" not in asked(searcher, "whos the villian in mi7")


def test_an_everyday_word_the_articles_lack_is_no_typo_of_a_function_word(
    searcher: Searcher,
) -> None:
    """ "tall" is one letter from "tell" and "car" from "can", but they are words people mean:
    read as function words they were dropped, and "how tall is tom cruise" asked only for Tom
    Cruise, whom the articles name (answered with a sentence about his next film)."""
    assert {"tall", "tom", "cruise"} <= set(asked(searcher, "how tall is tom cruise"))
    assert "car" in asked(searcher, "what car does james bond drive")
    assert searcher.read_question("how tall is tom cruise").wants == "measure"
    assert not asked(searcher, "why dont they whos")  # typed contractions are function words
    assert "besides" not in asked(searcher, "besides the halo jump, what stunts did he do")


def test_a_known_word_is_read_as_a_function_word_only_if_much_rarer(searcher: Searcher) -> None:
    """ "dose" (30 times rarer than "does") makes "what dose halo mean" ask for a meaning; "men"
    (as common as "mean") does not make "what did they protect his men from" ask for one."""
    assert searcher.read_question("what dose halo mean").wants == "definition"
    assert "men" in asked(searcher, "what did they protect his men from")
    assert searcher.read_question("what did they protect his men from").wants is None


def test_the_first_asking_words_say_the_kind_of_answer() -> None:
    assert answer_type("Who was the leader when the Franks entered the valley?") == "person"
    assert answer_type("When did the man who led them die?") == "date"
    assert answer_type("Where are the least amount of the factories found?") == "place"
    assert answer_type("did he say when it opens") == "date"  # yes/no only when nothing else


def test_the_kind_of_answer_asked_for() -> None:
    assert answer_type("is tom cruise going to space") == "yesno"
    assert answer_type("how much did it cost") == "amount"
    assert answer_type("how fast was the plane") == "measure"
    assert answer_type("which actors return") == "person"
    assert dimension_and_counted("How fast was the plane going?") == ("fast", "")
    assert dimension_and_counted("How many attempts did it take?") == ("", "attempt")
    assert asked_kinds("Which skyscraper did Cruise scale?") == {"skyscraper", "did"}
    assert "filmed" not in asked_kinds("What filmed the stunt?")
    assert "villain" in named_roles("whos the villain in mi7") or "villain" in named_roles(
        "who is the main villain in mi7"
    )


def test_an_unknown_word_naming_the_kind_of_answer_weighs_half(searcher: Searcher) -> None:
    """ "which skyscraper": the articles name it ("the Burj Khalifa") without the word."""
    read = asked(searcher, "Which skyscraper did Cruise scale?")
    assert read["skyscraper"].answer_noun
    assert searcher.read_question("Which skyscraper did Cruise scale?").wants == "entity"
    assert searcher.ask("Which skyscraper did Cruise scale?").answered


def test_a_known_word_the_answer_type_is_read_from_weighs_half(searcher: Searcher) -> None:
    """ "what country": a place is wanted, and the sentence naming it need not say "country"
    (the articles have the word: known, yet only the kind of answer)."""
    question = "What country did Cruise do the stunt in?"
    read = asked(searcher, question)
    assert read["country"].known and read["country"].answer_noun
    assert searcher.read_question(question).wants == "place"


def test_a_yes_no_question_gets_the_sentence_that_says_so(searcher: Searcher) -> None:
    answer = searcher.ask("is tom cruise going to space")
    assert answer.answered and "space" in answer.excerpts[0].text


def test_the_word_for_the_kind_of_answer_does_not_drive_retrieval_alone(
    searcher: Searcher,
) -> None:
    """Among many articles "skyscraper" is the rarest word of "Which skyscraper did Cruise
    scale?", yet the answer names the Burj Khalifa without it: the others find candidates."""
    from bot.engine.search.retrieve import drivers

    read = {t.asked: t for t in searcher.read_question("Which skyscraper did Cruise scale?").terms}
    assert read["skyscraper"].kind_word and not read["cruise"].kind_word
    skyscraper = Term("skyscraper", frozenset({"skyscraper"}), (), "skyscrap", 143, 9.0, True)
    skyscraper.kind_word = True
    cruise = Term("cruise", frozenset({"cruise"}), (), "cruis", 1642, 7.0, True)
    found = drivers([skyscraper, cruise])
    assert found.rare[: found.count] == [cruise]
    assert drivers([skyscraper]).rare == [skyscraper]  # when nothing else can


def test_which_people_asks_for_a_person() -> None:
    assert answer_type("Which new cast members join Mission Impossible 7?") == "person"
    assert answer_type("What king ruled Sicily?") == "person"
    assert answer_type("Which ship did the production hire?") is None


def test_the_dimension_a_measure_asks_for_weighs_half(searcher: Searcher) -> None:
    """ "how high was the HALO jump": the answer gives a height ("25,000 feet") and need not say
    "high"."""
    measured = asked(searcher, "How high was the HALO jump?")["high"]
    plain = asked(searcher, "Why was the HALO jump so high?")["high"]
    assert measured.answer_noun and not plain.answer_noun
    assert measured.weight == plain.weight / 2


def test_unknown_words_side_by_side_weigh_as_a_name(searcher: Searcher) -> None:
    """ "the lion tamer" typed lowercase: two words the articles never use, side by side, are
    most likely a name they never mention, and weigh as one capitalised would."""
    lowercase = asked(searcher, "who composed the music for the lion tamer")
    capitalised = asked(searcher, "who composed the music for the Lion Tamer")
    alone = asked(searcher, "who composed the music for the lion")
    assert lowercase["lion"].weight == capitalised["lion"].weight > alone["lion"].weight
    assert not searcher.ask("who composed the music for the lion tamer").answered


def test_the_noun_for_the_doer_counts_only_when_the_question_asks_who(searcher: Searcher) -> None:
    """ "who used CGI": a "user" may be the answer; "did Cruise use CGI": "one user wrote" is
    no match for "use"."""
    assert "user" in asked(searcher, "Who used CGI for the stunts?")["used"].words
    assert "user" not in asked(searcher, "Did Cruise use CGI for the stunts?")["use"].words


def test_a_word_of_english_is_no_typo_and_no_two_words(tmp_path: Path) -> None:
    """ "swims" is one letter from "swiss" and "outside" is "out" + "side", both in an article
    that has neither; read so, "what animal sometimes swims in the rhine" asked about the Swiss.
    A word of English is still the right spelling of the article's own misspelling."""
    (tmp_path / "rhine.txt").write_text(
        "The Swiss stretch of the river is fast. Salmon returned to the Rhine in 2000. "
        "The main antagnonist of the story is the river. Seen from the side, it flows out. "
        "A longtime resident spoke."
    )
    build_index(tmp_path, tmp_path / "index.db")
    searcher = Searcher(tmp_path / "index.db")
    assert typed_as_meant("swims") and not typed_as_meant("antagnonist")
    read = asked(searcher, "what animal sometimes swims in the rhine outside germany")
    assert read["swims"].words == frozenset() and not read["swims"].corrected
    assert "outside" in read and not {"out", "side"} & set(read)
    assert asked(searcher, "how long was the river")["long"].words == frozenset()  # no "longtime"
    assert asked(searcher, "who is the antagonist")["antagonist"].words == {"antagnonist"}


def test_an_irregular_verb_is_found_in_its_other_forms(tmp_path: Path) -> None:
    """ "Ethelred fled to Normandy" answers "where did Ethelred flee"."""
    assert stem("fled") == stem("flee") and stem("sought") == stem("seek")
    assert stem("ground") != stem("grind")  # a form as often another word is left alone
    (tmp_path / "a.txt").write_text("Ethelred fled to Normandy in 1013. The king stayed.")
    build_index(tmp_path, tmp_path / "index.db")
    answer = Searcher(tmp_path / "index.db").ask("To where did Ethelred flee?")
    assert answer.answered and "Normandy" in answer.excerpts[0].text
