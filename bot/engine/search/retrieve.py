"""Retrieval: the sentences a question's answer is looked for among (its *pool*).

FTS5 finds candidate sentences through the question's rarest terms; the articles of the best of
them, those matching beyond chance (see ``chance``), are the question's *topic*, and every
sentence of those articles is read: an answer need not repeat the question's words ("he" for
"Cruise"). When no candidate is beyond chance: candidates through the next rarest terms, then
the articles that name one of the rarest again and again, then the best candidates' articles
anyway (abstention weighs how telling the match is, not retrieval).

The SQL is built apart from where it runs (``*_sql`` functions return the statement and its
parameters), so each query can be read and tested alone.
"""

from __future__ import annotations

import math
import re
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.engine.search.chance import (
    TOPIC_ARTICLES,
    Measure,
    article_chance,
    topic_articles,
)
from bot.engine.search.matching import Matcher, Sentence
from bot.engine.search.question import Question, Term

# Candidates only need to find the topic articles, whose sentences are then all read: 40 found
# them as well as 120 did, in a third of the time.
CANDIDATES = 40
# A term in more passages than this is too slow to fetch candidates by when rarer ones exist;
# it still counts in the ranking.
COMMON_TERM_PASSAGES = 20_000
# Candidates are looked for through the rarest terms occurring in at most this many passages.
CANDIDATE_POSTINGS = 1_500
# ... and when even the rarest is in more passages than this, in a stretch of the index.
MAX_SCANNED_POSTINGS = 10_000
MIN_REPEATS = 3  # passages of an article naming a word it is about (see repeating_articles)
# ... counted among at most this many passages ("cruise": 1,642 at 100,000 articles, 4 ms)
REPEATING_POSTINGS = 5_000
MAX_TOPIC_PASSAGES = 2_000  # read whole; of a longer article, the candidates' surroundings
# An acronym a question may ask the meaning of: 2 to 8 letters (case is the text's to tell),
# looked for in at most this many passages (each one's text is scanned: 3 us a passage).
ACRONYM_RE = re.compile(r"[a-z]{2,8}")
DEFINITION_POSTINGS = 3_000
ACRONYM_SKIPS = frozenset("of and the for to in on a an at by with".split())
EXPANSION_WORD_RE = re.compile(r"[^\W\d_][\w'’]*")

Query = tuple[str, list]  # an SQL statement and its parameters


@dataclass
class Pool:
    """The sentences to rank, and what retrieval saw on the way: per article, its passages
    holding each term, then all its passages (``counts``); the articles about the question
    beyond chance (``about``); the best candidate's chance (log passages expected to match as
    well by coincidence); whether an article spells out the acronym asked about; the articles'
    titles."""

    sentences: dict[int, Sentence] = field(default_factory=dict)
    counts: dict[str, list[int]] = field(default_factory=dict)
    about: list[str] = field(default_factory=list)
    chance: float = math.inf
    spelt_out: bool = False
    titles: dict[str, str] = field(default_factory=dict)  # the pool's articles' titles


# --- the SQL --------------------------------------------------------------------------------


def match_any(words: Iterable[str]) -> str:
    """An FTS5 query for passages with any of ``words`` (index tokens: no quotes inside)."""
    return " OR ".join(f'"{w}"' for w in sorted(set(words)))


def fts_query(term: Term) -> str:
    """An FTS5 query for the passages holding ``term``: any of its words, or its parts side by
    side ("sky diving" for "skydiving")."""
    query = match_any(term.words)
    if term.parts:
        query += ' OR "' + " ".join(term.parts) + '"'
    return query


def best_passages_sql(terms: list[Term], queries: list[str], window: str, limit: int) -> Query:
    """The ``limit`` passages with the most weight of ``terms``, each found by its FTS5 query of
    ``queries`` (within the rowid ``window`` clause, if any)."""
    select = "SELECT rowid AS id, ? AS weight FROM passages_fts WHERE passages_fts MATCH ?"
    params = [p for term, query in zip(terms, queries, strict=True) for p in (term.weight, query)]
    sql = (
        f"SELECT id FROM ({' UNION ALL '.join([select + window] * len(terms))}) GROUP BY id "
        # Ties in a fixed but scattered order, not favouring the first articles.
        "ORDER BY sum(weight) DESC, (id * 2654435761) % 4294967296 LIMIT ?"
    )
    return sql, [*params, limit]


def film_passages_sql(film_ids: list[int], match: str | None, limit: int) -> Query:
    """Passages mentioning any of the films (and matching ``match``, an FTS5 query)."""
    marks = ",".join("?" * len(film_ids))
    sql = f"SELECT DISTINCT passage_id FROM film_passages WHERE film_id IN ({marks})"
    params: list = list(film_ids)
    if match:
        sql += " AND passage_id IN (SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?)"
        params.append(match)
    return sql + " LIMIT ?", [*params, limit]


def films_among_sql(film_id: int, passage_ids: list[int]) -> Query:
    marks = ",".join("?" * len(passage_ids))
    sql = f"SELECT passage_id FROM film_passages WHERE film_id = ? AND passage_id IN ({marks})"
    return sql, [film_id, *passage_ids]


def repeating_sql(terms: list[Term], limit: int) -> Query:
    """The articles holding one of ``terms`` in the most passages, at least ``MIN_REPEATS``."""
    select = (
        "SELECT article_id, count(*) AS n FROM passages WHERE id IN "
        "(SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?) "
        "GROUP BY article_id HAVING n >= ?"
    )
    sql = (
        f"SELECT article_id FROM ({' UNION ALL '.join([select] * len(terms))}) "
        "GROUP BY article_id ORDER BY max(n) DESC, article_id LIMIT ?"
    )
    return sql, [*(p for t in terms for p in (fts_query(t), MIN_REPEATS)), limit]


def acronym_sql(term: Term, acronym: str) -> Query:
    """Passages holding ``term`` written in capitals beside a bracket (SQLite's GLOB is case
    sensitive): where an acronym may be spelt out."""
    sql = (
        "SELECT article_id, text FROM passages WHERE id IN (SELECT rowid FROM "
        "passages_fts WHERE passages_fts MATCH ?) AND (text GLOB ? OR text GLOB ?)"
    )
    return sql, [fts_query(term), f"*{acronym} (*", f"*({acronym})*"]


def rows_sql(ids: list[int]) -> Query:
    return (
        "SELECT id, article_id, paragraph, position, text FROM passages "
        f"WHERE id IN ({','.join('?' * len(ids))})",
        list(ids),
    )


def article_rows_sql(articles: list[str]) -> Query:
    return (
        "SELECT id, article_id, paragraph, position, text FROM passages "
        f"WHERE article_id IN ({','.join('?' * len(articles))})",
        list(articles),
    )


def article_sizes_sql(articles: list[str]) -> Query:
    """Each article's passages and title (what it is about, see ``features.subject_mask``)."""
    marks = ",".join("?" * len(articles))
    return f"SELECT id, passages, title FROM articles WHERE id IN ({marks})", list(articles)


# --- acronyms -------------------------------------------------------------------------------


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


# --- candidates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Drivers:
    """The terms candidates are looked for by, rarest first; how many of them drive the search
    (the rarest, in at most ``CANDIDATE_POSTINGS`` passages together, at least one); and in how
    many passages these are."""

    rare: list[Term]
    count: int
    postings: int


def drivers(terms: list[Term]) -> Drivers:
    """See ``Drivers``. A word naming the kind of answer ("which skyscraper") drives only when
    nothing else can: the answer names a skyscraper, and need not say the word."""
    known = sorted((t for t in terms if t.known and t.film_id is None), key=lambda t: t.df)
    known = [t for t in known if not t.kind_word] + [t for t in known if t.kind_word]
    rare = [t for t in known if t.df <= COMMON_TERM_PASSAGES] or known
    count, postings = 0, 0
    while count < len(rare) and (not count or postings + rare[count].df <= CANDIDATE_POSTINGS):
        postings += rare[count].df
        count += 1
    return Drivers(rare, count, postings)


class Retriever:
    """Runs retrieval's queries on one open index."""

    def __init__(self, conn: sqlite3.Connection, passage_count: int) -> None:
        self.conn = conn
        self.passage_count = passage_count
        self.max_topic_passages = MAX_TOPIC_PASSAGES
        self.definition_postings = DEFINITION_POSTINGS

    def run(self, query: Query) -> list[tuple]:
        return self.conn.execute(*query).fetchall()

    def pool(self, question: Question, matcher: Matcher) -> Pool:
        """The sentences of the question's topic articles, with which terms each holds."""
        defining = self.defining_articles(question)
        if defining:  # "What does HALO mean": an article spelling the acronym out answers
            pool = self.read_topic(question, matcher, defining, {})
            pool.spelt_out = True
            return pool
        sentences, topic = self.find_topic(question, matcher)
        chance = min((s.chance for s in sentences.values()), default=math.inf)
        read = self.read_topic(question, matcher, topic, sentences) if topic else None
        if read is not None and read.about:
            read.chance = chance
            return read
        # No article found is about the question beyond chance: look for articles repeating
        # its rarest terms, which no single sentence may show ("HALO" in eight passages).
        repeating = [a for a in self.repeating_articles(question) if a not in topic]
        if repeating:
            others = self.read_topic(question, matcher, repeating, {})
            if others.about:
                others.chance = chance
                return others
        if read is None:  # the best candidates, however weak: abstention decides (their
            # articles are not read whole: at 100,000 articles most such questions are noise)
            weak = topic_articles(sentences.values(), beyond_chance=False)
            read = self.read_topic(question, matcher, weak, sentences, whole=False)
        read.chance = chance
        return read

    def find_topic(
        self, question: Question, matcher: Matcher
    ) -> tuple[dict[int, Sentence], list[str]]:
        """The candidate sentences and their neighbours, each with its ``chance``, and the
        topic articles they show; candidates are looked for the second way
        (``more_candidate_ids``) only when the first shows no topic."""
        measure = Measure(question, [t.weight for t in question.terms])
        sentences: dict[int, Sentence] = {}
        topic: list[str] = []
        for find in (self.candidate_ids, self.more_candidate_ids):
            ids = [i for i in find(question) if i not in sentences]
            if not ids:
                continue
            found = self.with_neighbours(ids)
            self.match(question, matcher, {i: s for i, s in found.items() if i not in sentences})
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
        question: Question,
        matcher: Matcher,
        articles: list[str],
        seen: dict[int, Sentence],
        whole: bool = True,
    ) -> Pool:
        """Every sentence of the topic ``articles`` (as many as fit in ``max_topic_passages``
        ``whole``; of the others, the ``seen`` sentences around their candidates only), which
        terms each holds, and which articles are about the question beyond chance. When some
        are, only those."""
        found_sizes = self.run(article_sizes_sql(articles))
        sizes = {article: size for article, size, _ in found_sizes}
        titles = {article: title or "" for article, _, title in found_sizes}
        read, total = [], 0
        for article in articles if whole else ():
            size = sizes.get(article) or self.max_topic_passages + 1
            if total + size <= self.max_topic_passages:
                read.append(article)
                total += size
        rows = self.run(article_rows_sql(read)) if read else []
        sentences = {row[0]: seen.get(row[0]) or Sentence(*row) for row in rows}
        partial = set(articles) - set(read)
        sentences.update((i, s) for i, s in seen.items() if s.article_id in partial)
        self.match(question, matcher, {i: s for i, s in sentences.items() if i not in seen})
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
        if not sentences:
            return Pool()
        articles_total = self.passage_count * len(counts) / len(sentences)
        about = [a for a, found in counts.items() if article_chance(found, terms, articles_total)]
        if about and len(about) < len(counts):
            sentences = {i: s for i, s in sentences.items() if s.article_id in about}
            counts = {a: counts[a] for a in about}
        return Pool(sentences, counts, about, titles={a: titles.get(a, "") for a in counts})

    def match(self, question: Question, matcher: Matcher, sentences: dict[int, Sentence]) -> None:
        """Set which terms each sentence holds: words by ``matcher``, films by their mentions."""
        for sentence in sentences.values():
            sentence.matched, sentence.words = matcher.match(sentence.text)
        for i, term in enumerate(question.terms):
            if term.film_id is not None and sentences:
                for (passage_id,) in self.run(films_among_sql(term.film_id, list(sentences))):
                    sentences[passage_id].matched |= 1 << i

    def with_neighbours(self, ids: list[int]) -> dict[int, Sentence]:
        """Candidates and the sentences just before and after them (same article)."""
        wanted = sorted({i + step for i in ids for step in (-1, 0, 1)})
        return {row[0]: Sentence(*row) for row in self.run(rows_sql(wanted))}

    def film_passages(self, film_ids: list[int], match: str | None) -> list[int]:
        if not film_ids:
            return []
        return [row[0] for row in self.run(film_passages_sql(film_ids, match, CANDIDATES))]

    def candidate_ids(self, question: Question) -> list[int]:
        """The passages covering the most of the question's weight (idf of the terms present).

        They are found through the question's rarest terms, the *drivers*, which together occur
        in at most ``CANDIDATE_POSTINGS`` passages; the other terms only add their weight to
        those passages (FTS5 intersects a common term with the drivers cheaply). Ranking all
        matches by bm25 instead costs about 2 µs a passage: 50 ms for a question whose words
        are in 25,000 passages. An index with fewer matches than ``CANDIDATES`` gets them all.
        """
        found = drivers(question.terms)
        rare = found.rare
        films = [t.film_id for t in question.terms if t.film_id is not None]
        if not rare:
            return self.film_passages(films, None)
        anchor = " OR ".join(fts_query(t) for t in rare[: found.count])
        window = ""
        if found.postings > MAX_SCANNED_POSTINGS:
            # Even the rarest word is everywhere ("well", "swim": 50,000+ passages at 100,000
            # articles, 80 ms to list): look in a stretch of the index instead, the same one
            # for the same question. Such a question has no telling word to rank by anyway.
            last = self.conn.execute("SELECT max(rowid) FROM passages").fetchone()[0] or 0
            span = max(1, last * MAX_SCANNED_POSTINGS // found.postings)
            start = zlib.crc32(question.text.encode()) % max(1, last - span + 1)
            window = f" AND rowid BETWEEN {start} AND {start + span}"
        queries = [
            fts_query(term) if i < found.count else f"({fts_query(term)}) AND ({anchor})"
            for i, term in enumerate(rare)
        ]
        ids = [row[0] for row in self.run(best_passages_sql(rare, queries, window, CANDIDATES))]
        if films:  # passages about the film: first those sharing a word with the question
            # (one of its rarest: every word of the question could be in 100,000 passages,
            # and FTS5 lists them all before the film's passages are looked up among them)
            if not window:
                ids += self.film_passages(films, anchor)
            ids += self.film_passages(films, None)
        return list(dict.fromkeys(ids))

    def more_candidate_ids(self, question: Question) -> list[int]:
        """More candidates, when the drivers' passages show no match beyond chance: those
        holding the next two rarest terms together. An answer may not name the rarest ("he"
        for "Cruise": "… the first movie to be shot in space")."""
        found = drivers(question.terms)
        others = found.rare[found.count :]
        if len(others) < 2 or found.postings > MAX_SCANNED_POSTINGS:
            return []
        anchor = f"({fts_query(others[0])}) AND ({fts_query(others[1])})"
        queries = [f"({fts_query(term)}) AND ({anchor})" for term in found.rare]
        return [row[0] for row in self.run(best_passages_sql(found.rare, queries, "", CANDIDATES))]

    def repeating_articles(self, question: Question) -> list[str]:
        """The articles holding one of the question's rarest terms in the most passages, at
        least ``MIN_REPEATS``: what an article is about, it names again and again."""
        found = drivers(question.terms)
        if not found.rare or found.postings > REPEATING_POSTINGS:
            return []
        return [
            row[0] for row in self.run(repeating_sql(found.rare[: found.count], TOPIC_ARTICLES))
        ]

    def defining_articles(self, question: Question) -> list[str]:
        """For a question asking what a word means, the articles that spell it out as an
        acronym ("HALO (High Altitude – Low Opening)", "computer-generated imagery (CGI)")."""
        if question.wants != "definition":
            return []
        found: dict[str, None] = {}
        for term in question.terms:
            if not (
                term.known
                and term.df <= self.definition_postings
                and ACRONYM_RE.fullmatch(term.asked)
            ):
                continue
            acronym = term.asked.upper()
            for article, text in self.run(acronym_sql(term, acronym)):
                if spells_out(text, acronym):
                    found[article] = None
        return list(found)[:TOPIC_ARTICLES]
