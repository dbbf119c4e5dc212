"""Abstention, decided here and nowhere else: does the index answer the question at all?

Two cases are plain before any scoring: the question has no word to look for, or none of its
words is in the articles. Otherwise the question's features (see ``features.QuestionFeatures``)
give a calibrated probability that the articles answer it (a logistic regression fitted on
practice questions: answerable ones against questions about articles that are not indexed),
and the question is refused below the threshold chosen on that practice data. The reason kept
is the feature that pulled the probability down the most, measured from the mean of questions
that were answered.
"""

from __future__ import annotations

from bot.engine.model import Abstained
from bot.engine.search.features import QuestionFeatures
from bot.engine.search.model import Abstainer

# Stable keys (shown in ``briefing ask --json``) and what they mean.
REASONS = {
    # A question with nothing to look up ("lol", "???"): what to ask instead.
    "no_words": "I need a word or two to look up: ask about a person, a place, a film or an event.",
    "words_unknown": "No word of the question is in the articles.",
    "key_words_missing": "The question's key words are not in the articles.",
    "chance_match": "The best match is no better than chance.",
    "not_about": "No article is about what the question asks.",
    "weak_match": "No sentence matches the question well enough.",
}

# Which reason each question feature stands for.
FEATURE_REASONS = {
    "known": "key_words_missing",
    "found": "key_words_missing",
    "chance": "chance_match",
    "about": "not_about",
    "best": "weak_match",
    "best_cover": "weak_match",
}


def refuse(reason: str, score: float | None = None) -> Abstained:
    return Abstained(reason, None if score is None else round(score, 4), REASONS[reason])


def before_scoring(has_terms: bool, any_known: bool, pool_empty: bool) -> Abstained | None:
    """The refusals that need no model: nothing to look for, or nothing of it found."""
    if not has_terms:
        return refuse("no_words")
    if not any_known or pool_empty:
        return refuse("words_unknown")
    return None


def decide(features: QuestionFeatures, abstainer: Abstainer) -> tuple[float, Abstained | None]:
    """The probability that the articles answer, and the refusal if it is below threshold."""
    values = features.vector()
    probability = abstainer.model.probability(values)
    if probability >= abstainer.threshold:
        return probability, None
    return probability, refuse(reason_for(values, abstainer), probability)


def reason_for(values: list[float], abstainer: Abstainer) -> str:
    """The feature whose value, against answered questions' mean, costs the most log odds."""
    model = abstainer.model
    costs = [
        (weight * (value - mean), name)
        for name, weight, value, mean in zip(
            model.features, model.weights, values, abstainer.answered_means, strict=True
        )
    ]
    return FEATURE_REASONS.get(min(costs)[1], "weak_match")
