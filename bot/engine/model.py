"""The records the engine hands out: answers, their excerpts, and why a question got none.

The CLI, the renderer and the Discord app read these; only ``engine.search`` makes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NOT_FOUND = "I couldn't find that in the articles."


@dataclass(frozen=True)
class Excerpt:
    """A verbatim quote from one article, with what is needed to cite it."""

    text: str
    source: str
    title: str
    url: str | None
    paragraph: int
    score: float
    highlights: tuple[tuple[int, int], ...]
    first_position: int = field(default=0, compare=False)
    last_position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Abstained:
    """Why a question got no excerpt: a stable ``reason`` key (see ``search.abstain``), the
    calibrated probability that the articles answer it (None when decided before scoring), and
    a sentence for people."""

    reason: str
    score: float | None
    detail: str


@dataclass(frozen=True)
class Answer:
    question: str
    excerpts: tuple[Excerpt, ...]
    answered: bool
    note: str | None = None
    abstained: Abstained | None = None
