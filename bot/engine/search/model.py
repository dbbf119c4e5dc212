"""The model: fitted weights over the features, read from ``weights.json`` beside this file.

Two logistic regressions, both fitted by ``bench/fit_ranker.py`` on the practice questions
(cross-validated across articles; the file records how): one scores each sentence of a pool
(the log odds that it holds the answer), the other each question (the probability that the
articles answer it at all), which abstention compares with the threshold chosen on practice
data. Plain Python at run time: a dot product per sentence.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

WEIGHTS_FILE = "weights.json"


@dataclass(frozen=True)
class Linear:
    """A logistic regression: named features, their weights, a bias."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def logit(self, values: list[float]) -> float:
        return self.bias + sum(w * x for w, x in zip(self.weights, values, strict=True))

    def probability(self, values: list[float]) -> float:
        return sigmoid(self.logit(values))

    @classmethod
    def from_dict(cls, data: dict) -> Linear:
        weights = data["weights"]
        names = tuple(data["features"])
        return cls(names, tuple(float(weights[name]) for name in names), float(data["bias"]))


@dataclass(frozen=True)
class Abstainer:
    """The question-level model, the threshold on its probability, and the answered
    questions' mean feature values (what an abstention's reason is measured from)."""

    model: Linear
    threshold: float
    answered_means: tuple[float, ...]


@dataclass(frozen=True)
class Fitted:
    ranker: Linear
    abstainer: Abstainer


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def parse(data: dict) -> Fitted:
    abstain = data["abstain"]
    model = Linear.from_dict(abstain)
    means = tuple(float(abstain["answered_means"][name]) for name in model.features)
    return Fitted(
        Linear.from_dict(data["rank"]), Abstainer(model, float(abstain["threshold"]), means)
    )


@lru_cache(maxsize=1)
def load() -> Fitted:
    """The shipped weights (read once per process)."""
    text = resources.files(__package__).joinpath(WEIGHTS_FILE).read_text(encoding="utf-8")
    return parse(json.loads(text))
