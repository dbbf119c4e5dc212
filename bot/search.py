"""Question → ranked, cited excerpts, or an honest "not found".

1. Read the question: its content words, and what kind of answer it wants (a number, a date, a
   name, a place, a reason).
2. Resolve each word against the index's vocabulary: as it is, corrected for typos, or split
   into two words; then widen it to every word of the same stem. Each resolved word is a *term*,
   weighted by how rare it is (BM25's inverse document frequency).
3. Fetch candidate sentences with FTS5 (bm25 order), and their neighbours.
4. Score each sentence by the share of the question's weight it covers, what its neighbours add,
   adjacent question words found side by side, and whether it holds the kind of answer asked for.
5. Abstain when the question's key words are not in the articles, or no sentence covers enough.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.films import Film, FilmIndex, match_film
from bot.spelling import Known, Vocabulary
from bot.words import (
    TOKEN_RE,
    english_zipf_frequency,
    is_content_word,
    misspelt_function_word,
    normalise,
    rephrase,
    stem,
    token_spans,
    tokens,
)

MAX_QUESTION_CHARS = 2000
MAX_TERMS = 24
CANDIDATES = 120
MAX_EXCERPT_CHARS = 400
# A term in more passages than this is too slow to fetch candidates by when rarer ones exist;
# it still counts in the scoring.
COMMON_TERM_PASSAGES = 20_000
# Candidates are looked for through the rarest terms occurring in at most this many passages.
CANDIDATE_POSTINGS = 3_000
# ... and when even the rarest is in more passages than this, in a stretch of the index.
MAX_SCANNED_POSTINGS = 10_000

# Thresholds on the share of the question's weight (0..1) that the articles cover.
MIN_KNOWN_SHARE = 0.5  # the question's key words must be in the articles at all
MIN_ANSWER_SCORE = 0.5  # the best sentence (with its neighbours) must cover this much
MIN_RELATIVE_SCORE = 0.6  # further excerpts must score this share of the best one
DISAGREEMENT_SCORE = 0.85  # answers this close to the best one that differ are a disagreement

NEIGHBOUR_WEIGHT = 0.35
JOIN_MIN_SHARE = 0.15  # a neighbour joins an excerpt if it adds this share of the question
ANSWER_TYPE_BONUS = 0.25
MISSING_TYPE_FACTOR = 0.75  # a "when" question answered by a sentence without a date
ADJACENCY_BONUS = 0.05

MIN_SPECIFICITY = 0.35  # the weight share an everyday English word keeps when unknown

NOT_FOUND = "I couldn't find that in the articles."


class IndexUnavailable(Exception):
    """The index file is missing or not a Mission Briefing index; the message says which."""


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
class Answer:
    question: str
    excerpts: tuple[Excerpt, ...]
    answered: bool
    note: str | None = None


@dataclass
class Term:
    """One key word of the question as the index knows it."""

    asked: str  # the word as typed (normalised)
    words: frozenset[str]  # vocabulary words that count as this term
    parts: tuple[str, ...]  # or these words side by side: "sky diving" for "skydiving"
    stem: str
    df: int  # passages containing any of ``words``
    weight: float
    known: bool
    corrected: bool = False
    film_id: int | None = None  # a film named by any of its titles: matched by the passages
    # that mention the film, not by words; the words of its titles are only highlighted
    title_words: frozenset[str] = frozenset()


@dataclass
class Question:
    text: str
    terms: list[Term]
    wants: str | None  # "number", "date", "person", "place", "reason" or None
    asked_tokens: frozenset[str]


@dataclass
class Sentence:
    """A candidate passage row with what scoring needs."""

    id: int
    article_id: str
    paragraph: int
    position: int
    text: str
    matched: frozenset[int] = frozenset()  # indexes into Question.terms
    score: float = 0.0
    coverage: float = 0.0  # the question's share found here and around: decides abstention


# --- reading the question -------------------------------------------------------------------

ANSWER_TYPE_PATTERNS = [
    ("number", r"\bhow (many|much|high|tall|far|long|old|fast|big|large|often|deep)\b"),
    ("number", r"\bwhat (height|number|amount|age|altitude|speed|distance|price|cost|size)\b"),
    ("number", r"\bnumber of\b"),
    ("date", r"\bwhen\b|\b(what|which) (year|date|day|month)\b|\brelease date\b"),
    ("person", r"\bwho(m|se)?\b|\bwhich (actor|actress|director|person|people|star|cast)\b"),
    ("place", r"\bwhere\b|\b(what|which) (country|city|place|location|mountain|town)\b"),
    ("reason", r"\bwhy\b|\bhow come\b"),
    ("definition", r"\bwhat (is|are|does|do|did)\b.*\b(mean|means|stand for|stands for)\b"),
    ("definition", r"\b(meaning|definition) of\b|\bwhat is an?\b|\balso (called|known)\b"),
]


# Nouns that name the kind of answer wanted ("which outlet", "what date"): the answer sentence
# rarely repeats them, so they weigh less than the words that say what the question is about.
ANSWER_NOUNS = frozenset(
    """date year day month time name number amount height age place location outlet reason
    character person people role""".split()
)
ANSWER_NOUN_WEIGHT = 0.5


def asks_for(question: str, noun: str) -> bool:
    """Is ``noun`` the kind of answer wanted, as in "which outlet" or "what date"?"""
    return bool(re.search(rf"\b(what|which|whose)\s+{re.escape(noun)}\b", question.lower()))


def answer_type(question: str) -> str | None:
    lowered = question.lower()
    for kind, pattern in ANSWER_TYPE_PATTERNS:
        if re.search(pattern, lowered):
            return kind
    return None


def corrections(question: str, terms: list[Term]) -> list[str]:
    """The question's words with typos corrected, to read its answer type from."""
    fixed = {t.asked: min(t.words, key=len) for t in terms if t.corrected}
    asked = {t.asked for t in terms}
    words = tokens(question[:MAX_QUESTION_CHARS])
    return [
        fixed.get(w) or (is_content_word(w) and w not in asked and misspelt_function_word(w)) or w
        for w in words
    ]


def question_words(question: str, skip: set[int] = frozenset()) -> list[str]:
    """Content words in order, without repeats, leaving out the token positions in ``skip``
    (a film's name); letter-digit mixes like "mi7" stay whole here."""
    seen: dict[str, None] = {}
    for position, word in enumerate(tokens(question[:MAX_QUESTION_CHARS])):
        if position not in skip and is_content_word(word) and len(seen) < MAX_TERMS:
            seen.setdefault(word)
    return list(seen)


def proper_names(question: str) -> frozenset[str]:
    """Capitalised words after the first: "Who directed The Godfather" names "the", "godfather"."""
    words = TOKEN_RE.findall(question)
    return frozenset(normalise(w) for w in words[1:] if w[:1].isupper())


def specificity(word: str) -> float:
    """1 for a word rare in English, down to ``MIN_SPECIFICITY`` for an everyday one."""
    zipf = english_zipf_frequency(word)
    return min(1.0, max(MIN_SPECIFICITY, (6.0 - zipf) / 2.5))


def inverse_document_frequency(df: int, total: int) -> float:
    """BM25's idf: rare words weigh more. An unknown word weighs the most."""
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


# --- spotting answers in sentences -------------------------------------------------------------

NUMBER_RE = re.compile(
    r"\d+(?:[.,]\d+)*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|twice|once|half)\b",
    re.IGNORECASE,
)
YEAR_RE = re.compile(r"(?:1[89]|20)\d\d")
DATE_RE = re.compile(
    r"\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t|tember)?"
    r"|oct(ober)?|nov(ember)?|dec(ember)?)\b\.?\s*\d|\b\d{1,2}\s+(january|february|march|april"
    r"|may|june|july|august|september|october|november|december)\b|\b(1[89]|20)\d\d\b"
    r"|\b(next|last|this|early|late|since|until|in) (year|month|week|summer|winter|spring|fall"
    r"|autumn|january|february|march|april|may|june|july|august|september|october|november"
    r"|december)\b",
    re.IGNORECASE,
)
REASON_RE = re.compile(
    r"\b(because|due to|owing to|as a result|in order to|so that|caused by|since|after)\b",
    re.IGNORECASE,
)
DEFINITION_RE = re.compile(
    r"\w \(|\b(known as|called|stands? for|means|refers? to|short for)\b|, an? \w",
    re.IGNORECASE,
)
CAPITALISED_RE = re.compile(r"\b[A-Z][\w'’-]+")
# A capitalised first word is a name only if it is not an everyday word ("Cruise plays …" yes,
# "Moreover …" no), judged by its frequency in English.
EVERYDAY_ZIPF = 4.8


def numbers_in(text: str) -> frozenset[str]:
    """Figures in ``text``; a year is a date, not an answer to "how many"."""
    return frozenset(n for n in NUMBER_RE.findall(text.lower()) if not YEAR_RE.fullmatch(n))


def names_in(text: str) -> Iterator[str]:
    """Normalised capitalised words that are not function words, the first word of the
    sentence only when it is not an everyday English word."""
    for match in CAPITALISED_RE.finditer(text):
        name = normalise(match.group())
        if not is_content_word(name):
            continue
        if match.start() == 0 and english_zipf_frequency(name) >= EVERYDAY_ZIPF:
            continue
        yield name


def has_answer_type(kind: str | None, text: str, asked: frozenset[str]) -> bool:
    """Does the sentence hold the kind of thing asked for, beyond what the question says?"""
    if kind == "number":
        return bool(numbers_in(text) - asked)
    if kind == "date":
        return bool(DATE_RE.search(text))
    if kind == "reason":
        return bool(REASON_RE.search(text))
    if kind == "definition":
        return bool(DEFINITION_RE.search(text))
    if kind in ("person", "place"):
        return any(name not in asked for name in names_in(text))
    return False


# --- the searcher ---------------------------------------------------------------------------


class Searcher:
    """Answers questions from one index file, opened read-only.

    Thread-safe; it notices when a rebuild has renamed a new file over the old one and reopens,
    so a long-running bot or chat session always answers from the latest good index.
    """

    def __init__(self, db_path: Path, *, follow: bool = True) -> None:
        self.db_path = Path(db_path)
        # follow=False: keep answering from the file opened here even when it is replaced;
        # the caller (the bot's SearcherPool) opens the new one and swaps searchers itself.
        self.follow = follow
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._open()

    # connection management

    def _open(self) -> None:
        try:
            stat = os.stat(self.db_path)
        except FileNotFoundError:
            raise IndexUnavailable(f"no index at {self.db_path}: run `briefing index`") from None
        try:
            conn = sqlite3.connect(
                f"file:{self.db_path}?mode=ro", uri=True, check_same_thread=False
            )
            # Reads the FTS index without counting its 'a's (30 ms at 100,000 articles).
            conn.execute("SELECT rowid FROM passages_fts WHERE passages_fts MATCH 'a' LIMIT 1")
            conn.execute("SELECT word FROM vocabulary LIMIT 1")
            counted = conn.execute("SELECT value FROM meta WHERE key = 'passages'").fetchone()
        except sqlite3.DatabaseError as error:
            raise IndexUnavailable(f"{self.db_path} is not a usable index ({error})") from None
        if self._conn is not None:
            self._conn.close()
        self._conn = conn
        self._identity = (stat.st_ino, stat.st_mtime_ns)
        self.vocabulary = Vocabulary(conn)
        # The build writes the count; counting 3 million rows here took 30-80 ms a reopen.
        if counted is None:
            counted = conn.execute("SELECT count(*) FROM passages").fetchone()
        self.passage_count = int(counted[0]) or 1
        self._films: tuple[FilmIndex, dict[int, int]] | None = None  # loaded on first use
        self._film_mentions: dict[int, int] = {}  # film id -> how many mentions

    def _refresh(self) -> sqlite3.Connection:
        """Reopen if the file was replaced by a rebuild; keep the old one if the new is bad."""
        if self.follow:
            try:
                stat = os.stat(self.db_path)
                if (stat.st_ino, stat.st_mtime_ns) != self._identity:
                    self._open()
            except (OSError, IndexUnavailable):
                pass  # keep answering from the connection we have
        assert self._conn is not None
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
            conn = self._refresh()
            counts = {}
            for table in ("articles", "films"):
                try:
                    counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                except sqlite3.DatabaseError:
                    counts[table] = None
            built = conn.execute("SELECT value FROM meta WHERE key = 'built_at'").fetchone()
            return {**counts, "passages": self.passage_count, "built_at": built and built[0]}

    # public API

    def ask(self, question: str, top: int = 3) -> Answer:
        """The best ``top`` excerpts answering ``question``, or an unanswered ``Answer``."""
        with self._lock:
            conn = self._refresh()
            parsed = self.read_question(question)
            if not parsed.terms:
                return Answer(question, (), False, "The question has no words to look for.")
            total = sum(t.weight for t in parsed.terms)
            known = sum(t.weight for t in parsed.terms if t.known)
            if known / total < MIN_KNOWN_SHARE:
                return Answer(question, (), False, NOT_FOUND)
            sentences = self.rank(conn, parsed)
            if not sentences or max(s.coverage for s in sentences) < MIN_ANSWER_SCORE:
                return Answer(question, (), False, NOT_FOUND)
            excerpts = self.excerpts(conn, parsed, sentences, top)
            return Answer(question, tuple(excerpts), True, disagreement_note(parsed, excerpts))

    def read_question(self, question: str) -> Question:
        text = rephrase(question[:MAX_QUESTION_CHARS])
        terms, film_words = self.film_terms(text)
        names = proper_names(text)
        for word in question_words(text, skip=film_words):
            terms.extend(self.resolve(word, names))
        for term in terms:
            if term.asked in ANSWER_NOUNS and (not term.known or asks_for(text, term.asked)):
                term.weight *= ANSWER_NOUN_WEIGHT
        return Question(
            text=question,
            terms=terms[:MAX_TERMS],
            wants=answer_type(" ".join(corrections(text, terms))),
            asked_tokens=frozenset(tokens(text)),
        )

    def film_terms(self, question: str) -> tuple[list[Term], set[int]]:
        """A film the question names ("MI7", "mision imposible 7", "Fallout") is one term,
        matched by the passages that mention it under any title; returns the terms and the
        question's token positions they cover."""
        index, ids = self.film_index()
        terms, covered = [], set()
        for film, (start, end) in index.named_in(question):
            film_id = ids[id(film)]
            df = min(self._film_mentions.get(film_id) or 1, self.passage_count)
            # It weighs as the words naming it would, each as rare as the film itself.
            weight = self.idf(df) * (end - start)
            names = frozenset(w for name in (film.title, *film.aliases) for w in tokens(name))
            terms.append(
                Term(
                    film.title,
                    frozenset(),
                    (),
                    "",
                    df,
                    weight,
                    True,
                    film_id=film_id,
                    title_words=names,
                )
            )
            covered.update(range(start, end))
        return terms, covered

    def idf(self, df: int) -> float:
        return inverse_document_frequency(df, self.passage_count)

    def film_index(self) -> tuple[FilmIndex, dict[int, int]]:
        """The films of the index, loaded once per opened file."""
        if self._films is None:
            assert self._conn is not None
            films, ids = [], {}
            for film_id, title, year, aliases, mentions, franchise, number in self._conn.execute(
                "SELECT id, title, year, aliases, mentions, franchise, number FROM films "
                "ORDER BY id"
            ):
                # The mentions themselves stay in the index (film_passages): only their count.
                film = Film(title, year, tuple(json.loads(aliases)), (), franchise, number)
                films.append(film)
                ids[id(film)] = film_id
                self._film_mentions[film_id] = mentions
            self._films = (FilmIndex(films), ids)
        return self._films

    def resolve(self, word: str, names: frozenset[str] = frozenset()) -> list[Term]:
        """One question word as terms: found, corrected, split, or unknown.

        An unknown word weighs the most when it names something (capitalised, or rare in
        English: "Godfather", "skyscraper"): the articles not mentioning it is strong evidence
        they don't answer. A common English word ("cost", "held") may just be phrased
        differently in the articles, so its absence weighs less.
        """
        found = self.vocabulary.lookup(word)
        if found:
            return [self.term(word, found)]
        found = self.vocabulary.lookup_stem(stem(word))
        if found:
            split = self.vocabulary.split(word)
            return [self.term(word, found, parts=tuple(k.word for k in split or ()))]
        if misspelt_function_word(word):
            return []
        if re.fullmatch(r"[a-z]+\d+|\d+[a-z]+", word):  # "mi7" as the articles' "MI:7"
            parts = re.findall(r"[a-z]+|\d+", word)
            known_parts = [self.vocabulary.lookup(part) for part in parts]
            if all(known_parts):
                return [self.term(part, k) for part, k in zip(parts, known_parts, strict=True)]
        corrected = self.vocabulary.correct(word)
        if corrected and not is_content_word(corrected.word):
            return []  # "manny" is "many": a typo of a word we would have ignored anyway
        if corrected:
            return [self.term(word, corrected, corrected=True)]
        split = self.vocabulary.split(word)
        if split:
            return [self.term(k.word, k) for k in split]
        weight = inverse_document_frequency(0, self.passage_count)
        if word not in names:
            weight *= specificity(word)
        return [Term(word, frozenset(), (), stem(word), 0, weight, known=False)]

    def term(
        self, asked: str, known: Known, corrected: bool = False, parts: tuple[str, ...] = ()
    ) -> Term:
        family = self.vocabulary.stem_family(known.stem) or [known]
        df = min(sum(k.df for k in family), self.passage_count)
        weight = inverse_document_frequency(df, self.passage_count)
        return Term(
            asked=asked,
            words=frozenset(k.word for k in family) | {known.word},
            parts=parts,
            stem=known.stem,
            df=df,
            weight=weight,
            known=True,
            corrected=corrected,
        )

    # ranking

    def rank(self, conn: sqlite3.Connection, question: Question) -> list[Sentence]:
        ids = self.candidate_ids(conn, question)
        if not ids:
            return []
        sentences = fetch_with_neighbours(conn, ids)
        total = sum(t.weight for t in question.terms)
        about_film = {
            i: films_among(conn, t.film_id, list(sentences))
            for i, t in enumerate(question.terms)
            if t.film_id is not None
        }
        for sentence in sentences.values():
            sentence.matched = matched_terms(sentence.text, question.terms) | {
                i for i, ids_ in about_film.items() if sentence.id in ids_
            }
        for sentence in sentences.values():
            sentence.score = score_sentence(sentence, sentences, question, total)
        return sorted(sentences.values(), key=lambda s: (-s.score, s.id))

    def candidate_ids(self, conn: sqlite3.Connection, question: Question) -> list[int]:
        """The passages covering the most of the question's weight (idf of the terms present).

        They are found through the question's rarest terms, the *drivers*, which together occur
        in at most ``CANDIDATE_POSTINGS`` passages; the other terms only add their weight to
        those passages (FTS5 intersects a common term with the drivers cheaply). Ranking all
        matches by bm25 instead costs about 2 µs a passage: 50 ms for a question whose words
        are in 25,000 passages. An index with fewer matches than ``CANDIDATES`` gets them all.
        """
        known = sorted(
            (t for t in question.terms if t.known and t.film_id is None), key=lambda t: t.df
        )
        rare = [t for t in known if t.df <= COMMON_TERM_PASSAGES] or known
        films = [t.film_id for t in question.terms if t.film_id is not None]
        if not rare:
            return film_passages(conn, films, None, CANDIDATES)
        drivers, postings = 0, 0
        while drivers < len(rare) and (
            not drivers or postings + rare[drivers].df <= CANDIDATE_POSTINGS
        ):
            postings += rare[drivers].df
            drivers += 1
        anchor = match_any(w for t in rare[:drivers] for w in t.words)
        window = ""
        if postings > MAX_SCANNED_POSTINGS:
            # Even the rarest word is everywhere ("well", "swim": 50,000+ passages at 100,000
            # articles, 80 ms to list): look in a stretch of the index instead, the same one
            # for the same question. Such a question has no telling word to rank by anyway.
            last = conn.execute("SELECT max(rowid) FROM passages").fetchone()[0] or 0
            span = max(1, last * MAX_SCANNED_POSTINGS // postings)
            start = zlib.crc32(question.text.encode()) % max(1, last - span + 1)
            window = f" AND rowid BETWEEN {start} AND {start + span}"
        selects, params = [], []
        for i, term in enumerate(rare):
            selects.append(
                "SELECT rowid AS id, ? AS weight FROM passages_fts WHERE passages_fts MATCH ?"
                + window
            )
            query = match_any(term.words)
            params += [term.weight, query if i < drivers else f"({query}) AND ({anchor})"]
        rows = conn.execute(
            f"SELECT id FROM ({' UNION ALL '.join(selects)}) GROUP BY id "
            # Ties in a fixed but scattered order, not favouring the first articles.
            "ORDER BY sum(weight) DESC, (id * 2654435761) % 4294967296 LIMIT ?",
            (*params, CANDIDATES),
        )
        ids = [row[0] for row in rows]
        if films:  # passages about the film: first those sharing a word with the question
            # (one of its rarest: every word of the question could be in 100,000 passages,
            # and FTS5 lists them all before the film's passages are looked up among them)
            if not window:
                ids += film_passages(conn, films, anchor, CANDIDATES)
            ids += film_passages(conn, films, None, CANDIDATES)
        return list(dict.fromkeys(ids))

    # excerpts

    def excerpts(
        self, conn: sqlite3.Connection, question: Question, ranked: list[Sentence], top: int
    ) -> list[Excerpt]:
        best = ranked[0].score
        chosen: list[Excerpt] = []
        used: set[tuple[str, int]] = set()
        by_position = {(s.article_id, s.position): s for s in ranked}
        for sentence in ranked:
            if len(chosen) >= top or sentence.score < best * MIN_RELATIVE_SCORE:
                break
            if (sentence.article_id, sentence.position) in used:
                continue
            group = excerpt_group(sentence, by_position, used, question)
            used.update((s.article_id, s.position) for s in group)
            chosen.append(self.make_excerpt(conn, group, sentence.score, question))
        return chosen

    def make_excerpt(
        self, conn: sqlite3.Connection, group: list[Sentence], score: float, question: Question
    ) -> Excerpt:
        text = " ".join(s.text for s in group)
        title, url = conn.execute(
            "SELECT title, url FROM articles WHERE id = ?", (group[0].article_id,)
        ).fetchone()
        return Excerpt(
            text=text,
            source=group[0].article_id,
            title=title,
            url=url,
            paragraph=group[0].paragraph,
            score=round(score, 4),
            highlights=highlights(text, question.terms),
            first_position=group[0].position,
            last_position=group[-1].position,
        )

    def context(self, excerpt: Excerpt) -> str:
        """The whole paragraph an excerpt comes from ("Show in context")."""
        with self._lock:
            rows = self._refresh().execute(
                "SELECT text FROM passages WHERE article_id = ? AND paragraph = ? "
                "ORDER BY position",
                (excerpt.source, excerpt.paragraph),
            )
            return " ".join(row[0] for row in rows)

    def films(self) -> list[dict]:
        """The films the articles talk about, for ``briefing films`` and ``/films``."""
        with self._lock:
            rows = self._refresh().execute(
                "SELECT title, year, aliases, articles, mentions FROM films "
                "ORDER BY articles DESC, mentions DESC, title"
            )
            keys = ("title", "year", "aliases", "articles", "mentions")
            return [
                dict(zip(keys, (*row[:2], json.loads(row[2]), *row[3:]), strict=True))
                for row in rows
            ]

    def film(self, title: str, top: int = 3) -> Answer:
        """What the articles say about one film (named by any title, typos allowed): the
        passages mentioning it that say the most (dates, figures, names, and film words such
        as release, director, cast, stunt), one per article first."""
        with self._lock:
            conn = self._refresh()
            index, ids = self.film_index()
            film = match_film(title, index)
            if film is None:
                return Answer(title, (), False, f"No film called {title!r} in the articles.")
            term = Term(film.title, frozenset(), (), "", 1, 1.0, True, film_id=ids[id(film)])
            question = Question(film.title, [term], None, frozenset(tokens(film.title)))
            passage_ids = film_passages(conn, [ids[id(film)]], None, FILM_PASSAGES)
            sentences = fetch_with_neighbours(conn, passage_ids)
            for sentence in sentences.values():
                sentence.matched = frozenset({0}) if sentence.id in passage_ids else frozenset()
                sentence.score = informativeness(sentence, question) if sentence.matched else 0
            ranked = sorted(sentences.values(), key=lambda s: (-s.score, s.id))
            excerpts = self.excerpts(conn, question, ranked, top)
            return Answer(film.title, tuple(excerpts), bool(excerpts), None)

    def articles(self) -> list[dict]:
        """The indexed articles, for ``/sources``."""
        with self._lock:
            rows = self._refresh().execute(
                "SELECT id, title, url, passages, indexed_at FROM articles ORDER BY id"
            )
            keys = ("source", "title", "url", "passages", "indexed_at")
            return [dict(zip(keys, row, strict=True)) for row in rows]


FILM_FACT_STEMS = frozenset(
    "releas direct director star cast role stunt shot film shoot play plot sequel trailer "
    "premier debut villain antagonist produc written box".split()
)
FILM_PASSAGES = 2000


def informativeness(sentence: Sentence, question: Question) -> float:
    """How much a sentence about a film tells: a date, a figure, names, film words."""
    text = sentence.text
    stems = {stem(w) for w in tokens(text)}
    return (
        1.0
        + 0.3 * bool(DATE_RE.search(text))
        + 0.2 * bool(numbers_in(text) - question.asked_tokens)
        + 0.1 * min(len(set(names_in(text)) - question.asked_tokens), 4)
        + 0.15 * min(len(stems & FILM_FACT_STEMS), 3)
    )


def films_among(conn: sqlite3.Connection, film_id: int, passage_ids: list[int]) -> set[int]:
    """Which of ``passage_ids`` mention the film."""
    marks = ",".join("?" * len(passage_ids))
    rows = conn.execute(
        f"SELECT passage_id FROM film_passages WHERE film_id = ? AND passage_id IN ({marks})",
        (film_id, *passage_ids),
    )
    return {row[0] for row in rows}


def film_passages(
    conn: sqlite3.Connection, film_ids: list[int], match: str | None, limit: int
) -> list[int]:
    """Passages mentioning any of the films (and matching ``match``, an FTS5 query)."""
    if not film_ids:
        return []
    marks = ",".join("?" * len(film_ids))
    sql = f"SELECT DISTINCT passage_id FROM film_passages WHERE film_id IN ({marks})"
    params: list = list(film_ids)
    if match:
        sql += " AND passage_id IN (SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?)"
        params.append(match)
    return [row[0] for row in conn.execute(sql + " LIMIT ?", (*params, limit))]


def match_any(words: Iterable[str]) -> str:
    """An FTS5 query for passages with any of ``words`` (index tokens: no quotes inside)."""
    return " OR ".join(f'"{w}"' for w in sorted(set(words)))


def fetch_with_neighbours(conn: sqlite3.Connection, ids: list[int]) -> dict[int, Sentence]:
    """Candidates and the sentences just before and after them (same article)."""
    wanted = sorted({i + step for i in ids for step in (-1, 0, 1)})
    rows = conn.execute(
        "SELECT id, article_id, paragraph, position, text FROM passages "
        f"WHERE id IN ({','.join('?' * len(wanted))})",
        wanted,
    )
    return {row[0]: Sentence(*row) for row in rows}


def matched_terms(text: str, terms: list[Term]) -> frozenset[int]:
    words = tokens(text)
    present = set(words)
    stems = set(map(stem, present))
    return frozenset(
        i
        for i, t in enumerate(terms)
        if t.known
        and (not t.words.isdisjoint(present) or t.stem in stems or has_run(words, t.parts))
    )


def has_run(words: list[str], run: tuple[str, ...]) -> bool:
    """Do ``run``'s words stand side by side, in order, in ``words``?"""
    if not run:
        return False
    return any(tuple(words[i : i + len(run)]) == run for i in range(len(words) - len(run) + 1))


def score_sentence(
    sentence: Sentence, sentences: dict[int, Sentence], question: Question, total: float
) -> float:
    """Share of the question covered here, plus a discounted share from the neighbours."""
    terms = question.terms
    own = sum(terms[i].weight for i in sentence.matched) / total
    around: set[int] = set()
    for neighbour_id in (sentence.id - 1, sentence.id + 1):
        neighbour = sentences.get(neighbour_id)
        if neighbour and neighbour.article_id == sentence.article_id:
            around |= neighbour.matched
    context = sum(terms[i].weight for i in around - sentence.matched) / total
    # Side by side needs two matched terms: most candidates have one, so skip the word scan.
    pairs = adjacent_pairs(sentence.text, terms) if len(sentence.matched) > 1 else 0
    sentence.coverage = own + NEIGHBOUR_WEIGHT * context
    score = sentence.coverage + ADJACENCY_BONUS * pairs
    if question.wants and own > 0:
        if has_answer_type(question.wants, sentence.text, question.asked_tokens):
            score += ANSWER_TYPE_BONUS
        elif question.wants in ("number", "date"):  # reliably spotted: its absence tells
            score *= MISSING_TYPE_FACTOR
    return score


def adjacent_pairs(text: str, terms: list[Term]) -> int:
    """How many consecutive question terms stand side by side here ("Rogue Nation")."""
    words = tokens(text)
    found = 0
    for first, second in zip(terms, terms[1:], strict=False):
        if not (first.known and second.known):
            continue
        for a, b in zip(words, words[1:], strict=False):
            if (a in first.words or stem(a) == first.stem) and (
                b in second.words or stem(b) == second.stem
            ):
                found += 1
                break
    return min(found, 3)


def excerpt_group(
    sentence: Sentence,
    by_position: dict[tuple[str, int], Sentence],
    used: set[tuple[str, int]],
    question: Question,
) -> list[Sentence]:
    """The sentence, joined by the neighbour in its paragraph that adds the most of the
    question's weight, if that is at least ``JOIN_MIN_SHARE`` and the two fit in
    ``MAX_EXCERPT_CHARS``: a second sentence must earn its place in a short answer."""
    total = sum(t.weight for t in question.terms)
    best: Sentence | None = None
    best_share = JOIN_MIN_SHARE
    for offset in (-1, 1):
        neighbour = by_position.get((sentence.article_id, sentence.position + offset))
        if (
            neighbour is None
            or neighbour.paragraph != sentence.paragraph
            or (neighbour.article_id, neighbour.position) in used
            or len(sentence.text) + 1 + len(neighbour.text) > MAX_EXCERPT_CHARS
        ):
            continue
        share = sum(question.terms[i].weight for i in neighbour.matched - sentence.matched) / total
        if share >= best_share:
            best, best_share = neighbour, share
    group = [sentence] if best is None else [sentence, best]
    return sorted(group, key=lambda s: s.position)


def highlights(text: str, terms: list[Term]) -> tuple[tuple[int, int], ...]:
    """Offsets of the words in ``text`` that match the question, for bolding."""
    spans = []
    for word, start, end in token_spans(text):
        if any(
            t.known and (word in t.words or word in t.title_words or stem(word) == t.stem)
            for t in terms
        ):
            spans.append((start, end))
    return tuple(spans)


def disagreement_note(question: Question, excerpts: list[Excerpt]) -> str | None:
    """A "how many" question whose close answers from different articles share no figure."""
    if question.wants != "number" or not excerpts:
        return None
    close = [e for e in excerpts if e.score >= DISAGREEMENT_SCORE * excerpts[0].score]
    figures = {}
    for excerpt in close:
        figures.setdefault(excerpt.source, numbers_in(excerpt.text) - question.asked_tokens)
    found = [f for f in figures.values() if f]
    if any(a.isdisjoint(b) for i, a in enumerate(found) for b in found[i + 1 :]):
        return "The articles give different figures; each is shown with its source."
    return None
