"""Question → ranked, cited excerpts, or an honest "not found" with its reason.

The steps, one module each: ``question`` (read it), ``retrieve`` (its pool of sentences, by
FTS5), ``features``, ``model`` (fitted weights, ``weights.json``), ``abstain`` (the one place
that decides to refuse), ``excerpts``; ``searcher`` puts them together for one index file, and
``follower`` keeps a long-lived reader on the latest usable file that rebuilds rename in.
"""

from bot.engine.model import NOT_FOUND, Abstained, Answer, Excerpt
from bot.engine.search.question import MAX_QUESTION_CHARS, Question, Term
from bot.engine.search.searcher import IndexUnavailable, Ranking, Searcher, file_identity

__all__ = [
    "MAX_QUESTION_CHARS",
    "NOT_FOUND",
    "Abstained",
    "Answer",
    "Excerpt",
    "IndexUnavailable",
    "Question",
    "Ranking",
    "Searcher",
    "Term",
    "file_identity",
]
