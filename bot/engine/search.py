"""Question → ranked, cited excerpts, or an honest "not found".

1. Read the question: its content words, and what kind of answer it wants (a number, a date, a
   name, a place, a reason).
2. Resolve each word against the index's vocabulary: as it is, corrected for typos, or split
   into two words; then widen it to every word of the same stem. Each resolved word is a *term*,
   weighted by how rare it is (BM25's inverse document frequency).
3. Fetch candidate sentences with FTS5 (the rarest terms first), and their neighbours.
4. Keep the sentences whose match is unlikely to be a coincidence (a large index holds every
   English word, and two of a question's words meet somewhere by chance), and take the articles
   of the best of them, those that repeat the question's words beyond chance, as the question's
   *topic*. When there are none: candidates through the next rarest terms, then the articles
   that name one of the rarest again and again.
5. Read every sentence of those articles and score each by the share of the question's weight
   it covers, weighed mostly over the topic articles alone, as if they were the whole index (in
   an article about Tom Cruise, "Cruise" tells sentences apart no better than "the"), plus what
   its neighbours add, question words side by side, and whether it holds the kind of answer
   asked for.
6. Abstain when the question's key words are not in the articles (or in the topic), no match is
   beyond chance, or no sentence covers enough.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import re
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bot.engine.films.merge import Film
from bot.engine.films.names import FilmIndex, match_film
from bot.engine.spelling import Known, Vocabulary, everyday
from bot.engine.words import (
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
RESOLVED_WORDS = 20_000  # question words whose terms are remembered per index
# Nats of evidence for a less common correction of a typo to win (see choose_correction).
CORRECTION_EVIDENCE = 2.0
CORRECTION_CONTEXT = 4  # the question's rarest other terms it is judged by
MAX_TERMS = 24
# Candidates only need to find the topic articles, whose sentences are then all read: 60 found
# them as well as 120 did, in half the time, and 40 as well as 60 (the same hit@1, hit@3 and
# abstentions on both question sets at every benchmark size), a fifth faster at 100,000.
CANDIDATES = 40
MAX_EXCERPT_CHARS = 400
# A term in more passages than this is too slow to fetch candidates by when rarer ones exist;
# it still counts in the scoring.
COMMON_TERM_PASSAGES = 20_000
# Candidates are looked for through the rarest terms occurring in at most this many passages
# (3,000 before the topic articles: half the SQL time, and as good).
CANDIDATE_POSTINGS = 1_500
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

# Chance: in a large index every English word is somewhere, and two or three of a question's
# words meet in some sentence by coincidence ("godfather" beside "directions"). A sentence (with
# its neighbours) counts only if fewer than one passage of the index is expected to match as
# well by chance: words scattered independently, each at its rate in the index or in English
# (wordfreq), whichever is rarer, and as many tries as there are ways to pick that many of the
# question's words. One word alone passes if it is in at most ``SPECIFIC_WORD_PASSAGES``.
PASSAGE_WORDS = 20  # tokens in a passage, for a word's English rate per passage
SPECIFIC_WORD_PASSAGES = 4
CHANCE_TOLERANCE = 1e-9  # log(4 / 4) is not always 0.0 in floating point
MIN_RATE = 1e-12
# ... and a match in an article not about the question's words, if it is expected by chance in
# at most this many passages (see Searcher.rank).
LONE_MATCH_CHANCE = 0.1

# The topic: the articles of the best sentences beyond chance, up to ``TOPIC_ARTICLES``, each
# covering at least ``MIN_TOPIC_COVERAGE`` of the question and ``TOPIC_SHARE`` of the best.
TOPIC_ARTICLES = 5
MIN_TOPIC_COVERAGE = 0.3
TOPIC_SHARE = 0.3
TOPIC_WEIGHT = 0.9  # the share of a sentence's score weighed over the topic articles alone
# Topic weights count a small topic as if it had this many passages, the others holding none
# of the question's words: in one short article about a word, that word is still telling.
MIN_TOPIC_PASSAGES = 50
MIN_REPEATS = 3  # passages of an article naming a word it is about (see repeating_articles)
MAX_TOPIC_PASSAGES = 2_000  # read whole; of a longer article, the candidates' surroundings

NOT_FOUND = "I couldn't find that in the articles."
# A question with nothing to look up ("lol", "???"): what to ask instead.
NO_WORDS = "I need a word or two to look up: ask about a person, a place, a film or an event."


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
    # The share of passages holding it by chance: its index rate, or its English rate if rarer.
    rate: float = 1.0
    span: int = 1  # question words it stands for (a film's name)
    factor: float = 1.0  # ANSWER_NOUN_WEIGHT for a noun naming the kind of answer
    specific: float = 1.0  # the share of its weight it keeps where it is not found
    stems: bool = False  # its family was cut short: match sentence words by stem too
    # A typo's equally close corrections, ``words``' first (see ``Searcher.choose_correction``).
    alternatives: tuple[Known, ...] = ()


@dataclass
class Question:
    text: str
    terms: list[Term]
    wants: str | None  # "number", "date", "person", "place", "reason" or None
    asked_tokens: frozenset[str]
    passages: int = 1  # in the index: chance matches scale with it

    @cached_property
    def candidate_terms(self) -> tuple[list[Term], int, int]:
        """See ``candidate_terms``: each way of finding candidates starts from them."""
        return candidate_terms(self.terms)


@dataclass
class Sentence:
    """A candidate passage row with what scoring needs."""

    id: int
    article_id: str
    paragraph: int
    position: int
    text: str
    matched: int = 0  # bit i set: Question.terms[i] is in the sentence
    score: float = 0.0
    coverage: float = 0.0  # the question's share found here and around: decides abstention
    chance: float = 0.0  # passages expected to match as well by coincidence (log)
    words: list[str] | None = None  # its tokens, kept when two or more terms matched


@dataclass
class Topic:
    """The sentences read from a topic's articles, and what decides which of these articles
    answer: per article, its passages holding each term, then all its passages (``counts``);
    those about the question beyond chance (``about``)."""

    sentences: dict[int, Sentence]
    counts: dict[str, list[int]]
    about: list[str]


NO_ANSWER: tuple[list[Sentence], None] = ([], None)


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


def wanted_type(question: str, terms: list[Term]) -> tuple[str | None, str | None]:
    """The kind of answer asked for, read with the question's typos corrected; failing that,
    with one word the articles know read as the function word a typo away, if that makes the
    question ask for something: then that word is no term ("what dose halo mean": "dose" is a
    word, but the question asks for a meaning only if it is "does"). Returns the kind and the
    word so read, if any."""
    words = corrections(question, terms)
    kind = answer_type(" ".join(words))
    if kind is not None:
        return kind, None
    known = {t.asked for t in terms}
    for i, word in enumerate(words):
        function_word = misspelt_function_word(word) if word in known else None
        if function_word:
            kind = answer_type(" ".join([*words[:i], function_word, *words[i + 1 :]]))
            if kind is not None:
                return kind, word
    return None, None


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


# An acronym a question may ask the meaning of: 2 to 8 letters (case is the text's to tell).
ACRONYM_RE = re.compile(r"[a-z]{2,8}")
# ... looked for in at most this many passages (each one's text is scanned: 3 us a passage).
DEFINITION_POSTINGS = 3_000
# Words an acronym's letters may skip ("Department of Defense": DOD or DD).
ACRONYM_SKIPS = frozenset("of and the for to in on a an at by with".split())
EXPANSION_WORD_RE = re.compile(r"[^\W\d_][\w'’]*")


def spells_out(text: str, acronym: str) -> bool:
    """Does ``text`` give ``acronym`` (in capitals) with its words in brackets after it, or
    after its words: "HALO (High Altitude – Low Opening)", "Low Opening (HALO)"?"""
    letters = acronym.lower()
    for match in re.finditer(rf"\b{acronym}\s*\(([^()]*)\)", text):
        if initials_spell(EXPANSION_WORD_RE.findall(match.group(1)), letters):
            return True
    for match in re.finditer(rf"\(\s*{acronym}\s*\)", text):
        words = EXPANSION_WORD_RE.findall(text[: match.start()])[-2 * len(letters) :]
        if any(initials_spell(words[i:], letters) for i in range(len(words))):
            return True
    return False


def initials_spell(words: list[str], letters: str) -> bool:
    """Do the words' initials spell ``letters``, with or without the small words?"""
    every = "".join(w[0] for w in words).lower()
    content = "".join(w[0] for w in words if w.lower() not in ACRONYM_SKIPS).lower()
    return letters in (every, content)


# --- the searcher ---------------------------------------------------------------------------


def file_identity(path: Path) -> tuple[int, int] | None:
    """(inode, mtime) of ``path``: what changes when a build renames a new index over it;
    None if it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns)


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
        except sqlite3.DatabaseError as error:
            raise IndexUnavailable(f"{self.db_path} is not a usable index ({error})") from None
        if self._conn is not None:
            self._conn.close()
        self._conn = conn
        self._identity = identity
        self.vocabulary = Vocabulary(conn)
        # The build writes the count; counting 3 million rows here took 30-80 ms a reopen.
        if counted is None:
            counted = conn.execute("SELECT count(*) FROM passages").fetchone()
        self.passage_count = int(counted[0]) or 1
        self._films: tuple[FilmIndex, dict[int, int]] | None = None  # loaded on first use
        self._resolved: dict[tuple[str, bool], tuple[Term, ...]] = {}  # see resolve
        self._corrections: dict[tuple[str, str], Known | None] = {}  # see choose_correction
        self._film_mentions: dict[int, int] = {}  # film id -> how many mentions

    def _refresh(self) -> sqlite3.Connection:
        """Reopen if the file was replaced by a rebuild; keep the old one if the new is bad."""
        if self.follow and file_identity(self.db_path) not in (self._identity, None):
            with contextlib.suppress(IndexUnavailable):
                self._open()  # a bad new file: keep answering from the connection we have
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
                return Answer(question, (), False, NO_WORDS)
            total = sum(t.weight for t in parsed.terms)
            known = sum(t.weight for t in parsed.terms if t.known)
            if known / total < MIN_KNOWN_SHARE:
                return Answer(question, (), False, NOT_FOUND)
            ranked, measure = self.rank(conn, parsed)
            if measure is None:
                return Answer(question, (), False, NOT_FOUND)
            excerpts = self.excerpts(conn, parsed, ranked, top, measure)
            return Answer(question, tuple(excerpts), True, disagreement_note(parsed, excerpts))

    def read_question(self, question: str) -> Question:
        text = rephrase(question[:MAX_QUESTION_CHARS])
        terms, film_words = self.film_terms(text)
        names = proper_names(text)
        for word in question_words(text, skip=film_words):
            terms.extend(self.resolve(word, names))
        for i, term in enumerate(terms):
            if term.alternatives:
                terms[i] = self.choose_correction(term, terms)
        for term in terms:
            if term.asked in ANSWER_NOUNS and (not term.known or asks_for(text, term.asked)):
                term.weight *= ANSWER_NOUN_WEIGHT
                term.factor = ANSWER_NOUN_WEIGHT
        wants, misread = wanted_type(text, terms)
        terms = [t for t in terms if t.asked != misread]
        return Question(
            text=question,
            terms=terms[:MAX_TERMS],
            wants=wants,
            asked_tokens=frozenset(tokens(text)),
            passages=self.passage_count,
        )

    def film_terms(self, question: str) -> tuple[list[Term], set[int]]:
        """A film the question names ("MI7", "mision imposible 7", "Fallout") is one term,
        matched by the passages that mention it under any title; returns the terms and the
        question's token positions they cover."""
        index, ids = self.film_index()
        terms, covered = [], set()
        words = tokens(question)
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
                    rate=min(df / self.passage_count, phrase_rate(words[start:end])),
                    span=end - start,
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
        """One question word as terms (see ``resolve_word``), remembered for the next question
        that asks it: the same words come back ("cruise", "stunt"), and correcting a typo
        reads a few thousand vocabulary words."""
        key = (word, word in names)
        found = self._resolved.get(key)
        if found is None:
            found = tuple(self.resolve_word(word, names))
            specific = 1.0 if word in names else specificity(word)
            for term in found:
                term.specific = specific
            if len(self._resolved) >= RESOLVED_WORDS:
                self._resolved.clear()
            self._resolved[key] = found
        return [dataclasses.replace(term) for term in found]

    def resolve_word(self, word: str, names: frozenset[str] = frozenset()) -> list[Term]:
        """One question word as terms: found, corrected, split, or unknown.

        An unknown word weighs the most when it names something (capitalised, or rare in
        English: "Godfather", "skyscraper"): the articles not mentioning it is strong evidence
        they don't answer. A common English word ("cost", "held") may just be phrased
        differently in the articles, so its absence weighs less.
        """
        found = self.vocabulary.lookup(word)
        if found:
            # "skydiving" is in a large index, and the articles may still write "sky diving".
            split = None if everyday(word) else self.vocabulary.split(word)
            return [self.term(word, found, parts=tuple(k.word for k in split or ()))]
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
        corrections = self.vocabulary.corrections(word)
        if corrections and not is_content_word(corrections[0].word):
            return []  # "manny" is "many": a typo of a word we would have ignored anyway
        if corrections:
            term = self.term(word, corrections[0], corrected=True)
            term.alternatives = tuple(corrections) if len(corrections) > 1 else ()
            return [term]
        split = self.vocabulary.split(word)
        if split:
            return [self.term(k.word, k) for k in split]
        weight = inverse_document_frequency(0, self.passage_count)
        if word not in names:
            weight *= specificity(word)
        return [Term(word, frozenset(), (), stem(word), 0, weight, known=False)]

    def choose_correction(self, term: Term, terms: list[Term]) -> Term:
        """Of a typo's equally close corrections, the one whose passages hold the question's
        other words far more often than chance would put them there ("mcquarie instagram":
        "mcquarrie", 2 of its 5 passages with "instagram" or "post", rather than "macquarie",
        1 of 73: chance gives either about 0.5); the commonest when none stands out.
        Remembered, like ``resolve``, for the next question with the same words."""
        others = sorted(
            (t for t in terms if t is not term and t.known and t.film_id is None),
            key=lambda t: t.df,
        )[:CORRECTION_CONTEXT]
        if not others or self._conn is None:
            return term
        context = match_any(w for t in others for w in t.words)
        key = (term.asked, context)
        if key not in self._corrections:
            if len(self._corrections) >= RESOLVED_WORDS:
                self._corrections.clear()
            self._corrections[key] = self.best_supported(term.alternatives, context, others)
        known = self._corrections[key]
        best = term if known is None else self.term(term.asked, known, corrected=True)
        best.specific, best.alternatives = term.specific, ()
        return best

    def best_supported(
        self, alternatives: tuple[Known, ...], context: str, others: list[Term]
    ) -> Known | None:
        """The one of ``alternatives`` found with the ``context`` query far beyond chance, if
        any (see ``choose_correction``)."""
        absent = math.prod(1 - min(t.df / self.passage_count, 1.0) for t in others)
        best, best_evidence = None, CORRECTION_EVIDENCE
        for known in alternatives:
            together = self._conn.execute(
                "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?",
                (f'"{known.word}" AND ({context})',),
            ).fetchone()[0]
            expected = max(known.df * (1 - absent), 1e-9)
            if together <= expected:
                continue
            # Poisson evidence (half the G statistic) that ``together`` beats ``expected``.
            evidence = together * math.log(together / expected) - together + expected
            if evidence > best_evidence:
                best, best_evidence = known, evidence
        return best

    def term(
        self, asked: str, known: Known, corrected: bool = False, parts: tuple[str, ...] = ()
    ) -> Term:
        family, cut_short = self.vocabulary.stem_family(known.stem)
        family = family or [known]
        df = min(sum(k.df for k in family), self.passage_count)
        weight = inverse_document_frequency(df, self.passage_count)
        words = frozenset(k.word for k in family) | {known.word}
        return Term(
            asked=asked,
            words=words,
            parts=parts,
            stem=known.stem,
            df=df,
            weight=weight,
            known=True,
            corrected=corrected,
            rate=min(df / self.passage_count, english_rate(words)),
            stems=cut_short,
        )

    # ranking

    def rank(
        self, conn: sqlite3.Connection, question: Question
    ) -> tuple[list[Sentence], Measure | None]:
        """The sentences of the question's topic articles, best first, and the weighting of the
        terms they were scored with; no sentences when the articles do not answer the question."""
        matcher = Matcher(question.terms)
        # "What does HALO mean": an article spelling the acronym out answers, however common
        # the word is elsewhere and whatever else shares a sentence with it.
        defining = self.defining_articles(conn, question)
        if defining:
            spelt_out = self.read_topic(conn, question, matcher, defining, {})
            ranked = rank_topic(question, matcher, spelt_out)
            if ranked[1] is not None:
                return ranked
        sentences, topic = self.find_topic(conn, question, matcher)
        read = self.read_topic(conn, question, matcher, topic, sentences) if topic else None
        if read is not None and read.about:
            return rank_topic(question, matcher, read)
        # No article found is about the question beyond chance: look for articles repeating
        # its rarest terms, which no single sentence may show ("HALO" in eight passages).
        repeating = [a for a in self.repeating_articles(conn, question) if a not in topic]
        if repeating:
            others = self.read_topic(conn, question, matcher, repeating, {})
            if others.about:
                return rank_topic(question, matcher, others)
        # Else only a sentence matching far beyond chance answers: with every passage of the
        # index looked at for the best match, one expected by chance once is often found.
        best = min((s.chance for s in sentences.values()), default=math.inf)
        if read is None or best > math.log(LONE_MATCH_CHANCE):
            return NO_ANSWER
        return rank_topic(question, matcher, read)

    def find_topic(
        self, conn: sqlite3.Connection, question: Question, matcher: Matcher
    ) -> tuple[dict[int, Sentence], list[str]]:
        """The candidate sentences and their neighbours, each with its ``chance``, and the
        topic articles they show (``topic_articles``); candidates are looked for the second way
        (``more_candidate_ids``) only when the first shows no topic."""
        measure = Measure(question, [t.weight for t in question.terms])
        sentences: dict[int, Sentence] = {}
        topic: list[str] = []
        for find in (self.candidate_ids, self.more_candidate_ids):
            ids = [i for i in find(conn, question) if i not in sentences]
            if not ids:
                continue
            found = fetch_with_neighbours(conn, ids)
            self.match(
                conn, question, matcher, {i: s for i, s in found.items() if i not in sentences}
            )
            sentences = {**found, **sentences}
            for sentence in sentences.values():
                if sentence.matched:  # one only read as a neighbour can't be a topic's best
                    around = measure.cover(sentence, sentences)
                    sentence.chance = measure.chance(sentence, around, matcher)
                else:
                    sentence.chance = math.inf
            topic = topic_articles(sentences.values())
            if topic:
                break
        return sentences, topic

    def read_topic(
        self,
        conn: sqlite3.Connection,
        question: Question,
        matcher: Matcher,
        articles: list[str],
        seen: dict[int, Sentence],
    ) -> Topic:
        """Every sentence of the topic ``articles`` (as many as fit in ``MAX_TOPIC_PASSAGES``
        whole; of the others, the ``seen`` sentences around their candidates only), which
        terms each holds, and which articles are about the question beyond chance."""
        marks = ",".join("?" * len(articles))
        sizes = dict(
            conn.execute(f"SELECT id, passages FROM articles WHERE id IN ({marks})", articles)
        )
        whole, total = [], 0
        for article in articles:
            size = sizes.get(article) or MAX_TOPIC_PASSAGES + 1
            if total + size <= MAX_TOPIC_PASSAGES:
                whole.append(article)
                total += size
        rows = conn.execute(
            "SELECT id, article_id, paragraph, position, text FROM passages "
            f"WHERE article_id IN ({','.join('?' * len(whole))})",
            whole,
        )
        sentences = {row[0]: seen.get(row[0]) or Sentence(*row) for row in rows}
        partial = set(articles) - set(whole)
        sentences.update((i, s) for i, s in seen.items() if s.article_id in partial)
        self.match(conn, question, matcher, {i: s for i, s in sentences.items() if i not in seen})
        terms = question.terms
        counts: dict[str, list[int]] = {}
        for sentence in sentences.values():
            found = counts.setdefault(sentence.article_id, [0] * len(terms) + [0])
            found[-1] = sizes.get(sentence.article_id) or found[-1] + 1
            mask = sentence.matched
            while mask:
                bit = mask & -mask
                found[bit.bit_length() - 1] += 1
                mask ^= bit
        articles_total = self.passage_count * len(counts) / len(sentences)
        about = [a for a, found in counts.items() if article_chance(found, terms, articles_total)]
        return Topic(sentences, counts, about)

    def match(
        self,
        conn: sqlite3.Connection,
        question: Question,
        matcher: Matcher,
        sentences: dict[int, Sentence],
    ) -> None:
        """Set which terms each sentence holds: words by ``matcher``, films by their mentions."""
        for sentence in sentences.values():
            sentence.matched, sentence.words = matcher.match(sentence.text)
        for i, term in enumerate(question.terms):
            if term.film_id is not None and sentences:
                for passage_id in films_among(conn, term.film_id, list(sentences)):
                    sentences[passage_id].matched |= 1 << i

    def candidate_ids(self, conn: sqlite3.Connection, question: Question) -> list[int]:
        """The passages covering the most of the question's weight (idf of the terms present).

        They are found through the question's rarest terms, the *drivers*, which together occur
        in at most ``CANDIDATE_POSTINGS`` passages; the other terms only add their weight to
        those passages (FTS5 intersects a common term with the drivers cheaply). Ranking all
        matches by bm25 instead costs about 2 µs a passage: 50 ms for a question whose words
        are in 25,000 passages. An index with fewer matches than ``CANDIDATES`` gets them all.
        """
        rare, drivers, postings = question.candidate_terms
        films = [t.film_id for t in question.terms if t.film_id is not None]
        if not rare:
            return film_passages(conn, films, None, CANDIDATES)
        anchor = " OR ".join(fts_query(t) for t in rare[:drivers])
        window = ""
        if postings > MAX_SCANNED_POSTINGS:
            # Even the rarest word is everywhere ("well", "swim": 50,000+ passages at 100,000
            # articles, 80 ms to list): look in a stretch of the index instead, the same one
            # for the same question. Such a question has no telling word to rank by anyway.
            last = conn.execute("SELECT max(rowid) FROM passages").fetchone()[0] or 0
            span = max(1, last * MAX_SCANNED_POSTINGS // postings)
            start = zlib.crc32(question.text.encode()) % max(1, last - span + 1)
            window = f" AND rowid BETWEEN {start} AND {start + span}"
        queries = [
            fts_query(term) if i < drivers else f"({fts_query(term)}) AND ({anchor})"
            for i, term in enumerate(rare)
        ]
        ids = best_passages(conn, rare, queries, window)
        if films:  # passages about the film: first those sharing a word with the question
            # (one of its rarest: every word of the question could be in 100,000 passages,
            # and FTS5 lists them all before the film's passages are looked up among them)
            if not window:
                ids += film_passages(conn, films, anchor, CANDIDATES)
            ids += film_passages(conn, films, None, CANDIDATES)
        return list(dict.fromkeys(ids))

    def repeating_articles(self, conn: sqlite3.Connection, question: Question) -> list[str]:
        """The articles holding one of the question's rarest terms in the most passages, at
        least ``MIN_REPEATS``: what an article is about, it names again and again."""
        rare, drivers, postings = question.candidate_terms
        if not rare or postings > CANDIDATE_POSTINGS:
            return []
        select = (
            "SELECT article_id, count(*) AS n FROM passages WHERE id IN "
            "(SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?) "
            "GROUP BY article_id HAVING n >= ?"
        )
        rows = conn.execute(
            f"SELECT article_id FROM ({' UNION ALL '.join([select] * drivers)}) "
            "GROUP BY article_id ORDER BY max(n) DESC, article_id LIMIT ?",
            (*(p for t in rare[:drivers] for p in (fts_query(t), MIN_REPEATS)), TOPIC_ARTICLES),
        )
        return [row[0] for row in rows]

    def defining_articles(self, conn: sqlite3.Connection, question: Question) -> list[str]:
        """For a question asking what a word means, the articles that spell it out as an
        acronym ("HALO (High Altitude – Low Opening)", "computer-generated imagery (CGI)").
        SQLite's case-sensitive GLOB keeps the passages that write it in capitals beside a
        bracket; ``spells_out`` checks the initials."""
        if question.wants != "definition":
            return []
        found: dict[str, None] = {}
        for term in question.terms:
            if not (
                term.known and term.df <= DEFINITION_POSTINGS and ACRONYM_RE.fullmatch(term.asked)
            ):
                continue
            acronym = term.asked.upper()
            rows = conn.execute(
                "SELECT article_id, text FROM passages WHERE id IN (SELECT rowid FROM "
                "passages_fts WHERE passages_fts MATCH ?) AND (text GLOB ? OR text GLOB ?)",
                (fts_query(term), f"*{acronym} (*", f"*({acronym})*"),
            )
            found.update((article, None) for article, text in rows if spells_out(text, acronym))
        return list(found)[:TOPIC_ARTICLES]

    def more_candidate_ids(self, conn: sqlite3.Connection, question: Question) -> list[int]:
        """More candidates, when the drivers' passages show no match beyond chance: those
        holding the next two rarest terms together. An answer may not name the rarest ("he"
        for "Cruise": "… the first movie to be shot in space")."""
        rare, drivers, postings = question.candidate_terms
        others = rare[drivers:]
        if len(others) < 2 or postings > MAX_SCANNED_POSTINGS:
            return []
        anchor = f"({fts_query(others[0])}) AND ({fts_query(others[1])})"
        return best_passages(
            conn, rare, [f"({fts_query(term)}) AND ({anchor})" for term in rare], ""
        )

    # excerpts

    def excerpts(
        self,
        conn: sqlite3.Connection,
        question: Question,
        ranked: list[Sentence],
        top: int,
        measure: Measure,
    ) -> list[Excerpt]:
        """Excerpts from the ``ranked`` sentences, each joined by the neighbour that adds the
        most of the question's weight as ``measure`` weighs it, if enough (see
        ``excerpt_group``)."""
        best = ranked[0].score
        chosen: list[Excerpt] = []
        used: set[tuple[str, int]] = set()
        by_position = {(s.article_id, s.position): s for s in ranked}
        for sentence in ranked:
            if len(chosen) >= top or sentence.score < best * MIN_RELATIVE_SCORE:
                break
            if (sentence.article_id, sentence.position) in used:
                continue
            group = excerpt_group(sentence, by_position, used, measure)
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
                sentence.matched = int(sentence.id in passage_ids)
                sentence.score = informativeness(sentence, question) if sentence.matched else 0
            ranked = sorted(sentences.values(), key=lambda s: (-s.score, s.id))
            excerpts = self.excerpts(conn, question, ranked, top, Measure(question, [term.weight]))
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


def candidate_terms(terms: list[Term]) -> tuple[list[Term], int, int]:
    """The terms candidates are looked for by, rarest first (those in at most
    ``COMMON_TERM_PASSAGES`` passages if any), how many of them drive the search (the rarest,
    in at most ``CANDIDATE_POSTINGS`` passages together, at least one) and in how many
    passages these are."""
    known = sorted((t for t in terms if t.known and t.film_id is None), key=lambda t: t.df)
    rare = [t for t in known if t.df <= COMMON_TERM_PASSAGES] or known
    drivers, postings = 0, 0
    while drivers < len(rare) and (
        not drivers or postings + rare[drivers].df <= CANDIDATE_POSTINGS
    ):
        postings += rare[drivers].df
        drivers += 1
    return rare, drivers, postings


def best_passages(
    conn: sqlite3.Connection, terms: list[Term], queries: list[str], window: str
) -> list[int]:
    """The ``CANDIDATES`` passages with the most weight of ``terms``, each found by its FTS5
    query of ``queries`` (within the rowid ``window`` clause, if any)."""
    select = "SELECT rowid AS id, ? AS weight FROM passages_fts WHERE passages_fts MATCH ?"
    params = [p for term, query in zip(terms, queries, strict=True) for p in (term.weight, query)]
    rows = conn.execute(
        f"SELECT id FROM ({' UNION ALL '.join([select + window] * len(terms))}) GROUP BY id "
        # Ties in a fixed but scattered order, not favouring the first articles.
        "ORDER BY sum(weight) DESC, (id * 2654435761) % 4294967296 LIMIT ?",
        (*params, CANDIDATES),
    )
    return [row[0] for row in rows]


def fts_query(term: Term) -> str:
    """An FTS5 query for the passages holding ``term``: any of its words, or its parts side by
    side ("sky diving" for "skydiving")."""
    query = match_any(term.words)
    if term.parts:
        query += ' OR "' + " ".join(term.parts) + '"'
    return query


def fetch_with_neighbours(conn: sqlite3.Connection, ids: list[int]) -> dict[int, Sentence]:
    """Candidates and the sentences just before and after them (same article)."""
    wanted = sorted({i + step for i in ids for step in (-1, 0, 1)})
    rows = conn.execute(
        "SELECT id, article_id, paragraph, position, text FROM passages "
        f"WHERE id IN ({','.join('?' * len(wanted))})",
        wanted,
    )
    return {row[0]: Sentence(*row) for row in rows}


def phrase_rate(words: list[str]) -> float:
    """The share of passages of ordinary English text holding ``words`` side by side."""
    rate = PASSAGE_WORDS * math.prod(english_rate([w]) / PASSAGE_WORDS for w in words)
    return min(1.0, rate)


def english_rate(words: Iterable[str]) -> float:
    """The share of passages of ordinary English text holding any of ``words``."""
    per_token = sum(10 ** (english_zipf_frequency(w) - 9) for w in words)
    return min(1.0, PASSAGE_WORDS * per_token)


class Matcher:
    """Which of a question's terms a sentence holds, as a bit mask (bit i: ``terms[i]``): a
    set intersection of the sentence's words with the terms' words, in C for the most part."""

    def __init__(self, terms: list[Term]) -> None:
        self.bits: dict[str, int] = {}
        for i, term in enumerate(terms):
            if term.known and term.film_id is None:
                for word in term.words:
                    self.bits[word] = self.bits.get(word, 0) | 1 << i
        self.runs = [(1 << i, t.parts) for i, t in enumerate(terms) if t.known and t.parts]
        # the words to look for: the terms' own, and the first of each run
        self.words = frozenset(self.bits) | {run[0] for _, run in self.runs}
        self.stems = {t.stem: 1 << i for i, t in enumerate(terms) if t.known and t.stems and t.stem}
        # Consecutive question terms, for "side by side" (see ``Measure.score``).
        self.pairs = [
            (1 << i, 1 << (i + 1))
            for i in range(len(terms) - 1)
            if terms[i].known and terms[i + 1].known
        ]

    def match(self, text: str) -> tuple[int, list[str] | None]:
        """The terms in ``text``, and its words when two or more terms are (for pairs)."""
        words = tokens(text)
        mask = 0
        found = self.words.intersection(words)
        for word in found:
            mask |= self.bits.get(word, 0)
        if self.stems:
            for word in words:
                mask |= self.stems.get(stem(word), 0)
        for bit, run in self.runs:
            if not mask & bit and run[0] in found and has_run(words, run):
                mask |= bit
        return mask, (words if mask & (mask - 1) else None)

    def side_by_side(self, sentence: Sentence) -> int:
        """How many consecutive question terms stand side by side here ("Rogue Nation"), at
        most 3."""
        words = sentence.words
        if not words or not self.pairs:
            return 0
        bits = [self.bits.get(word, 0) for word in words]
        found = 0
        for first, second in self.pairs:
            if (
                sentence.matched & first
                and sentence.matched & second
                and any(a & first and b & second for a, b in zip(bits, bits[1:], strict=False))
            ):
                found += 1
        return min(found, 3)


def has_run(words: list[str], run: tuple[str, ...]) -> bool:
    """Do ``run``'s words stand side by side, in order, in ``words``?"""
    if not run:
        return False
    return any(tuple(words[i : i + len(run)]) == run for i in range(len(words) - len(run) + 1))


class Measure:
    """A sentence's coverage of the question, its chance, and its score, under one weighting
    of the question's terms; sums over bit masks are remembered (few distinct masks)."""

    def __init__(self, question: Question, weights: list[float]) -> None:
        self.question = question
        self.weights = weights
        self.total = sum(weights) or 1.0
        self.log_rates = [math.log(max(t.rate, MIN_RATE)) for t in question.terms]
        self.known = sum(1 for t in question.terms if t.known)
        self._sums: dict[int, float] = {}

    def share(self, mask: int) -> float:
        """The share of the question's weight the terms in ``mask`` carry."""
        found = self._sums.get(mask)
        if found is None:
            found = sum(w for i, w in enumerate(self.weights) if mask >> i & 1) / self.total
            self._sums[mask] = found
        return found

    def around(self, sentence: Sentence, sentences: dict[int, Sentence]) -> int:
        """The terms its neighbours (same article) hold that it does not."""
        mask = 0
        for neighbour_id in (sentence.id - 1, sentence.id + 1):
            neighbour = sentences.get(neighbour_id)
            if neighbour is not None and neighbour.article_id == sentence.article_id:
                mask |= neighbour.matched
        return mask & ~sentence.matched

    def cover(self, sentence: Sentence, sentences: dict[int, Sentence]) -> int:
        """Share of the question covered here, plus a discounted share from the neighbours;
        returns the terms only the neighbours hold."""
        around = self.around(sentence, sentences)
        sentence.coverage = self.share(sentence.matched) + NEIGHBOUR_WEIGHT * self.share(around)
        return around

    def chance(self, sentence: Sentence, around: int, matcher: Matcher) -> float:
        """How many passages of the index would match as well by coincidence (log): each
        word at its rate, a word of a neighbour in either one, two question words side by
        side as 1 in ``PASSAGE_WORDS``, times the ways to pick that many of the question's
        words; one word alone as its passages over ``SPECIFIC_WORD_PASSAGES``."""
        own = sentence.matched
        expected = math.log(self.question.passages)
        for i, log_rate in enumerate(self.log_rates):
            if own >> i & 1:
                expected += log_rate
            elif around >> i & 1:
                expected += min(0.0, math.log(2) + log_rate)
        count = (own | around).bit_count()
        if count == 1:
            return expected - math.log(SPECIFIC_WORD_PASSAGES)
        pairs = matcher.side_by_side(sentence)
        return expected - pairs * math.log(PASSAGE_WORDS) + math.log(math.comb(self.known, count))

    def score(self, sentence: Sentence, matcher: Matcher) -> float:
        """Coverage, plus side-by-side pairs, plus whether it holds the kind of answer asked
        for (a missing date or figure, reliably spotted, tells too)."""
        question = self.question
        score = sentence.coverage + ADJACENCY_BONUS * matcher.side_by_side(sentence)
        if question.wants and sentence.matched:
            if has_answer_type(question.wants, sentence.text, question.asked_tokens):
                score += ANSWER_TYPE_BONUS
            elif question.wants in ("number", "date"):  # reliably spotted: its absence tells
                score *= MISSING_TYPE_FACTOR
        return score


def article_chance(found: list[int], terms: list[Term], articles: float) -> bool:
    """Is an article about the question beyond chance? ``found[i]``: its passages holding
    ``terms[i]``, ``found[-1]``: all its passages. How many of the index's ``articles`` would
    hold the same words as often by coincidence (each count a Poisson tail at the term's rate,
    times the ways to pick that many of the question's words) must be at most one: an article
    about Tom Cruise names him in a dozen passages, where chance gives 0.01."""
    expected = math.log(articles)
    picked = 0
    for term, count in zip(terms, found, strict=False):
        if count:
            picked += 1
            mean = found[-1] * max(term.rate, MIN_RATE)
            if mean < count:  # log P(X >= count), by its leading term
                expected += count * math.log(mean) - mean - math.lgamma(count + 1)
    known = sum(1 for t in terms if t.known)
    if 1 < picked <= known:
        expected += math.log(math.comb(known, picked))
    return expected <= CHANCE_TOLERANCE


def rank_topic(
    question: Question, matcher: Matcher, topic: Topic
) -> tuple[list[Sentence], Measure | None]:
    """The topic's sentences (of the articles about the question, if any is), best first,
    scored mostly with weights counted over these articles alone, as if they were all there is
    (``TOPIC_WEIGHT``), the rest with the index's; and that weighting. No sentences if the
    articles do not answer."""
    sentences, counts = topic.sentences, topic.counts
    if topic.about and len(topic.about) < len(counts):
        sentences = {i: s for i, s in sentences.items() if s.article_id in topic.about}
        counts = {a: counts[a] for a in topic.about}
    terms = question.terms
    found = [sum(c[i] for c in counts.values()) for i in range(len(terms))]
    local = []
    size = max(len(sentences), MIN_TOPIC_PASSAGES)
    for term, count in zip(terms, found, strict=True):
        weight = inverse_document_frequency(count, size) * term.span * term.factor
        local.append(weight if count else weight * term.specific)
    known = sum(w for w, count in zip(local, found, strict=True) if count)
    if known < MIN_KNOWN_SHARE * sum(local):
        return NO_ANSWER
    weights = [
        (1 - TOPIC_WEIGHT) * term.weight / sum(t.weight for t in terms)
        + TOPIC_WEIGHT * weight / sum(local)
        for term, weight in zip(terms, local, strict=True)
    ]
    measure = Measure(question, weights)
    best = 0.0
    for sentence in sentences.values():
        measure.cover(sentence, sentences)
        best = max(best, sentence.coverage)
    if best < MIN_ANSWER_SCORE:
        return NO_ANSWER
    for sentence in sentences.values():
        sentence.score = measure.score(sentence, matcher)
    return sorted(sentences.values(), key=lambda s: (-s.score, s.id)), measure


def topic_articles(sentences: Iterable[Sentence]) -> list[str]:
    """The articles of the best sentences beyond chance (see ``TOPIC_ARTICLES``)."""
    best: dict[str, float] = {}
    for sentence in sentences:
        if sentence.chance <= CHANCE_TOLERANCE and sentence.coverage >= MIN_TOPIC_COVERAGE:
            best[sentence.article_id] = max(best.get(sentence.article_id, 0.0), sentence.coverage)
    if not best:
        return []
    floor = TOPIC_SHARE * max(best.values())
    ranked = sorted(best, key=lambda article: (-best[article], article))
    return [article for article in ranked if best[article] >= floor][:TOPIC_ARTICLES]


def excerpt_group(
    sentence: Sentence,
    by_position: dict[tuple[str, int], Sentence],
    used: set[tuple[str, int]],
    measure: Measure,
) -> list[Sentence]:
    """The sentence, joined by the neighbour in its paragraph that adds the most of the
    question's weight, if that is at least ``JOIN_MIN_SHARE`` and the two fit in
    ``MAX_EXCERPT_CHARS``: a second sentence must earn its place in a short answer."""
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
        share = measure.share(neighbour.matched & ~sentence.matched)
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
