"""Abstention, decided in one place: each reason, and the calibrated score behind it."""

from __future__ import annotations

import pytest

from bot.engine.search import Searcher
from bot.engine.search.abstain import FEATURE_REASONS, REASONS, decide, reason_for
from bot.engine.search.features import QuestionFeatures
from bot.engine.search.model import Abstainer, Linear, load


def abstainer(threshold: float = 0.5) -> Abstainer:
    names = QuestionFeatures.NAMES
    weights = {"known": 3.0, "found": 3.0, "chance": -2.0, "about": 3.0, "best": 1.0}
    model = Linear(names, tuple(weights.get(n, 0.0) for n in names), -13.0)  # logit 1 at means
    means = {"known": 1.0, "found": 1.0, "chance": -2.0, "about": 1.0, "best": 1.0}
    return Abstainer(model, threshold, tuple(means.get(n, 0.0) for n in names))


def features(**changed: float) -> QuestionFeatures:
    values = {"known": 1.0, "found": 1.0, "chance": -2.0, "about": 1.0, "best": 1.0}
    values.update(changed)
    return QuestionFeatures(**{n: values.get(n, 0.0) for n in QuestionFeatures.NAMES})


def test_a_question_like_the_answered_ones_is_answered() -> None:
    probability, refusal = decide(features(), abstainer())
    assert refusal is None and probability > 0.5


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        ({"known": 0.2}, "key_words_missing"),
        ({"found": 0.1}, "key_words_missing"),
        ({"chance": 1.0}, "chance_match"),
        ({"about": 0.0}, "not_about"),
        ({"best": -4.0}, "weak_match"),
    ],
)
def test_the_reason_is_what_pulled_the_score_down_most(changed: dict, reason: str) -> None:
    probability, refusal = decide(features(**changed), abstainer())
    assert refusal is not None and refusal.reason == reason
    assert refusal.score == round(probability, 4) and refusal.score < 0.5
    assert refusal.detail == REASONS[reason]


def test_every_question_feature_has_a_reason() -> None:
    assert set(FEATURE_REASONS) == set(QuestionFeatures.NAMES)
    assert set(FEATURE_REASONS.values()) <= set(REASONS)
    assert reason_for([0.0] * len(QuestionFeatures.NAMES), abstainer()) in REASONS


def test_a_question_without_words_to_look_for(searcher: Searcher) -> None:
    answer = searcher.ask("the of and?")
    assert answer.abstained is not None and answer.abstained.reason == "no_words"
    assert answer.abstained.score is None and answer.note == REASONS["no_words"]


def test_a_question_none_of_whose_words_the_articles_have(searcher: Searcher) -> None:
    answer = searcher.ask("zorblatic quimvexing drulsnark")
    assert answer.abstained is not None and answer.abstained.reason == "words_unknown"
    assert answer.abstained.score is None


@pytest.mark.parametrize(
    "question",
    ["Who directed The Godfather?", "What year did the Titanic sink?", "Recommend me a good book"],
)
def test_off_topic_questions_are_refused_by_the_calibrated_score(
    searcher: Searcher, question: str
) -> None:
    answer = searcher.ask(question)
    assert not answer.answered and answer.abstained is not None
    if answer.abstained.score is not None:
        assert answer.abstained.score < load().abstainer.threshold
        assert answer.abstained.reason in set(FEATURE_REASONS.values())


def test_a_question_the_articles_answer_is_scored_above_the_threshold(searcher: Searcher) -> None:
    ranking = searcher.rank("How many skydives did Tom Cruise do?")
    assert ranking.abstained is None
    assert ranking.probability is not None and ranking.probability >= load().abstainer.threshold
