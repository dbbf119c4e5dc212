"""Following an index file that rebuilds replace: the one place that notices a new file, opens
and warms it, and keeps the last good searcher when the new file can't be used.

A build renames a new index over the old one; a ``Searcher`` stays on the file it opened, so a
long-lived reader (``briefing chat``, the bot's ``SearcherPool``) asks an ``IndexFollower`` for
the searcher to use. The bot opens the replacement in a worker thread and swaps it in on its
event loop (``replaced``, ``open_replacement``, ``adopt``); a plain loop calls ``latest``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from bot.engine.build.health import index_problem
from bot.engine.search.searcher import IndexUnavailable, Searcher, file_identity

NOT_TRIED = object()  # no unusable file seen (not None: that is a file that is gone)


def open_warm(db_path: Path) -> Searcher:
    """A searcher whose lazily loaded parts (the film index: most of a second for thousands of
    articles) are loaded, so that the first question after a start or a rebuild doesn't wait
    for them. Blocking."""
    searcher = Searcher(db_path)
    try:
        searcher.ask("warm up")
    except BaseException:
        searcher.close()
        raise
    return searcher


def open_checked(db_path: Path) -> Searcher:
    """``open_warm`` for a file that replaced the one answering: first the cheap checks that
    it is an index of this version (``IndexUnavailable`` if not)."""
    if not db_path.exists():
        raise IndexUnavailable(f"The index file {db_path} is gone")
    replaced = f"The index file {db_path} was replaced by one I can't use"
    problem = index_problem(db_path)
    if problem is not None:
        raise IndexUnavailable(f"{replaced}: {problem}")
    try:
        return open_warm(db_path)
    except sqlite3.DatabaseError as error:
        raise IndexUnavailable(f"{replaced}: {error}") from None


class IndexFollower:
    """The searcher answering from the latest usable file at ``db_path``.

    ``current`` answers until a replacement proves usable; a file that could not be used is not
    tried again until the file changes once more, and ``problem`` says why it was refused
    (None once a good file is adopted)."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.current = open_warm(self.db_path)
        self.problem: str | None = None
        self._refused: object = NOT_TRIED  # the identity of the unusable file last tried

    def replaced(self) -> bool:
        """Is the file at ``db_path`` another than the one answering, and not one refused?"""
        identity = file_identity(self.db_path)
        return identity != self.current.identity and identity != self._refused

    def open_replacement(self) -> Searcher:
        """A warmed searcher on the file now at ``db_path``; ``IndexUnavailable`` (and the
        file remembered as refused) if it can't be used. Blocking: the bot calls it in a
        worker thread."""
        identity = file_identity(self.db_path)
        try:
            return open_checked(self.db_path)
        except (IndexUnavailable, sqlite3.DatabaseError) as error:
            self._refused = identity
            self.problem = str(error)
            raise IndexUnavailable(self.problem) from None

    def adopt(self, fresh: Searcher) -> Searcher:
        """Answer from ``fresh`` from now on; returns the searcher it replaces, for the caller
        to close once no search uses it."""
        old, self.current = self.current, fresh
        self._refused, self.problem = NOT_TRIED, None
        return old

    def latest(self) -> Searcher:
        """The searcher to ask now: a usable replacement adopted (the old one closed), else
        the current one."""
        if self.replaced():
            # On failure ``problem`` says why, and the last good index keeps answering.
            with contextlib.suppress(IndexUnavailable):
                self.adopt(self.open_replacement()).close()
        return self.current

    def close(self) -> None:
        self.current.close()
