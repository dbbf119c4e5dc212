"""The Searcher: one index file, opened read-only, and the questions asked of it.

A thin façade over the steps, each its own module: read the question (``question``), fetch its
pool of sentences (``retrieve``), compute their features (``features``), score them with the
fitted model (``model``), decide whether to answer at all (``abstain``), and quote the best
(``excerpts``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.films.names import match_film
from bot.engine.model import NOT_FOUND, Abstained, Answer
from bot.engine.search import abstain, film_facts
from bot.engine.search.excerpts import disagreement_note, excerpts
from bot.engine.search.features import Featurizer, QuestionFeatures, question_features
from bot.engine.search.matching import Matcher, Sentence
from bot.engine.search.model import Fitted, load
from bot.engine.search.question import Question, QuestionReader
from bot.engine.search.retrieve import Pool, Retriever


class IndexUnavailable(Exception):
    """The index file is missing or not a Mission Briefing index; the message says which."""


def file_identity(path: Path) -> tuple[int, int] | None:
    """(inode, mtime) of ``path``: what changes when a build renames a new index over it;
    None if it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns)


@dataclass
class Ranking:
    """Everything one question's answer was decided from, for ``ask`` and for fitting: the
    question as read, its pool, each sentence worth scoring with its features, best first, the
    question's features and probability of being answered, and the refusal, if any."""

    question: Question
    pool: Pool = field(default_factory=Pool)
    scored: list[tuple[Sentence, list[float]]] = field(default_factory=list)
    features: QuestionFeatures | None = None
    probability: float | None = None
    abstained: Abstained | None = None
    featurizer: Featurizer | None = None


class Searcher:
    """Answers questions from one index file, opened read-only.

    Thread-safe. It answers from the file it opened even after a rebuild renames a new one
    over it: to follow rebuilds, ask an ``IndexFollower`` (``follower``) for the searcher.
    """

    def __init__(self, db_path: Path, *, fitted: Fitted | None = None):
        self.db_path = Path(db_path)
        self.fitted = fitted or load()
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._open()

    # connection management

    def _open(self) -> None:
        identity = file_identity(self.db_path)
        if identity is None:
            raise IndexUnavailable(f"no index at {self.db_path}: run `briefing index`")
        try:
            conn = sqlite3.connect(
                f"file:{self.db_path}?mode=ro", uri=True, check_same_thread=False
            )
            # Reads the FTS index without counting its 'a's (30 ms at 100,000 articles).
            conn.execute("SELECT rowid FROM passages_fts WHERE passages_fts MATCH 'a' LIMIT 1")
            conn.execute("SELECT word FROM vocabulary LIMIT 1")
            counted = conn.execute("SELECT value FROM meta WHERE key = 'passages'").fetchone()
            # The build writes the count; counting 3 million rows here took 30-80 ms a reopen.
            if counted is None:
                counted = conn.execute("SELECT count(*) FROM passages").fetchone()
        except sqlite3.DatabaseError as error:
            raise IndexUnavailable(f"{self.db_path} is not a usable index ({error})") from None
        self._conn = conn
        self._identity = identity
        self.passage_count = int(counted[0]) or 1
        self.reader = QuestionReader(conn, self.passage_count)
        self.retriever = Retriever(conn, self.passage_count)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise IndexUnavailable(f"the searcher on {self.db_path} was closed")
        return self._conn

    @property
    def identity(self) -> tuple[int, int] | None:
        """(inode, mtime) of the file this searcher answers from."""
        return self._identity

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def stats(self) -> dict:
        """What the open index holds, for the bot's ``/status``: articles, passages, films and
        when it was built (None where the index does not say)."""
        with self._lock:
            conn = self._connection()
            counts = {}
            for table in ("articles", "films"):
                try:
                    counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                except sqlite3.DatabaseError:
                    counts[table] = None
            built = conn.execute("SELECT value FROM meta WHERE key = 'built_at'").fetchone()
            return {**counts, "passages": self.passage_count, "built_at": built and built[0]}

    # questions

    def ask(self, question: str, top: int = 3) -> Answer:
        """The best ``top`` excerpts answering ``question``, or an unanswered ``Answer`` that
        says why."""
        with self._lock:
            conn = self._connection()
            ranking = self.rank(question)
            if ranking.abstained is not None or ranking.featurizer is None:
                refusal = ranking.abstained or abstain.refuse("weak_match")
                note = refusal.detail if refusal.reason == "no_words" else None
                return Answer(question, (), False, note or NOT_FOUND, refusal)
            ranked = [sentence for sentence, _ in ranking.scored]
            chosen = excerpts(conn, ranking.question, ranked, top)
            note = disagreement_note(ranking.question, chosen)
            return Answer(question, tuple(chosen), True, note)

    def read_question(self, question: str) -> Question:
        with self._lock:
            self._connection()
            return self.reader.read(question)

    def rank(self, text: str) -> Ranking:
        """Read, retrieve, score and decide (see ``Ranking``)."""
        with self._lock:
            self._connection()
            question = self.reader.read(text)
            ranking = Ranking(question)
            terms = question.terms
            refusal = abstain.before_scoring(bool(terms), any(t.known for t in terms), False)
            if refusal is not None:
                ranking.abstained = refusal
                return ranking
            matcher = Matcher(terms)
            ranking.pool = pool = self.retriever.pool(question, matcher)
            featurizer = Featurizer(question, pool, matcher)
            scored = featurizer.all()
            refusal = abstain.before_scoring(True, True, not scored)
            if refusal is not None:
                ranking.abstained = refusal
                return ranking
            ranker = self.fitted.ranker
            for sentence, values in scored:
                sentence.score = ranker.probability(values)
            scored.sort(key=lambda pair: (-pair[0].score, pair[0].id))
            best = scored[0]
            ranking.scored, ranking.featurizer = scored, featurizer
            ranking.features = question_features(
                question,
                pool,
                featurizer.weights,
                ranker.logit(best[1]),
                featurizer.coverage(best[0]),
            )
            ranking.probability, ranking.abstained = abstain.decide(
                ranking.features, self.fitted.abstainer
            )
            return ranking

    def context(self, excerpt) -> str:
        """The whole paragraph an excerpt comes from ("Show in context")."""
        with self._lock:
            rows = self._connection().execute(
                "SELECT text FROM passages WHERE article_id = ? AND paragraph = ? "
                "ORDER BY position",
                (excerpt.source, excerpt.paragraph),
            )
            return " ".join(row[0] for row in rows)

    # films and articles

    def films(self) -> list[dict]:
        """The films the articles talk about, for ``briefing films`` and ``/films``."""
        with self._lock:
            rows = self._connection().execute(
                "SELECT title, year, aliases, articles, mentions FROM films "
                "ORDER BY articles DESC, mentions DESC, title"
            )
            keys = ("title", "year", "aliases", "articles", "mentions")
            return [
                dict(zip(keys, (*row[:2], json.loads(row[2]), *row[3:]), strict=True))
                for row in rows
            ]

    def film(self, title: str, top: int = 3) -> Answer:
        """What the articles say about one film (named by any title, typos allowed)."""
        with self._lock:
            conn = self._connection()
            index, ids = self.reader.film_index()
            film = match_film(title, index)
            if film is None:
                return Answer(title, (), False, f"No film called {title!r} in the articles.")
            chosen = film_facts.film_excerpts(conn, self.retriever, film.title, ids[id(film)], top)
            return Answer(film.title, tuple(chosen), bool(chosen), None)

    def articles(self) -> list[dict]:
        """The indexed articles, for ``/sources``."""
        with self._lock:
            rows = self._connection().execute(
                "SELECT id, title, url, passages, indexed_at FROM articles ORDER BY id"
            )
            keys = ("source", "title", "url", "passages", "indexed_at")
            return [dict(zip(keys, row, strict=True)) for row in rows]
