"""Features: what tells, of the sentences in a question's pool, the one that answers it.

Each sentence gets a short vector of numbers, each one a reason a person would give:

- ``cover``: the share of the question's weight the sentence holds, each term weighed by how
  rare it is in the pool's articles (in an article about Tom Cruise, "Cruise" tells sentences
  apart no better than "the"; weighed over the whole index instead, a large index made the
  topic's own words outweigh the rest); a sentence holds what its article is about (the names
  in its title, the film it is about: see ``Featurizer.subject_mask``) without repeating it;
- ``neighbours``: what the sentences just before and after it add;
- ``bm25``: BM25 of the sentence over the pool (term frequency and length), over the pool's best;
- ``article_rank``: how well its article matches the question as a whole, against the pool's
  best article, so a sentence need not repeat what its article is about;
- ``figure_found``: the figure asked for (when: a date; how many: a number; how much: an amount;
  how high: a measure) is there; ``name_found``: the name asked for (who: a name not in the
  question, best a full name; where: a place) is; ``kind_missing``: the figure or place asked
  for is not (those are spotted reliably, so their absence tells too; ``answer_spotting``
  spots them);
- ``novelty``: words beyond the question's own (a sentence that only repeats it answers nothing);
- ``side_by_side``: question terms standing together as in the question.

The pool-level ``QuestionFeatures`` are what abstention weighs (see ``abstain``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.search.answer_spotting import (
    CAPITALISED_RE,
    FIGURES,
    RELIABLE_TYPES,
    counts,
    full_names_in,
    has_answer_type,
    names_in,
    title_cased,
)
from bot.engine.search.chance import NEIGHBOUR_SHARE
from bot.engine.search.matching import Matcher, Sentence
from bot.engine.search.question import Question, inverse_document_frequency
from bot.engine.search.retrieve import Pool
from bot.engine.words import (
    STOPWORDS,
    is_content_word,
    normalise,
    tokens,
)

SENTENCE_FEATURES = (
    "cover",
    "neighbours",
    "bm25",
    "article_rank",
    "figure_found",
    "name_found",
    "kind_missing",
    "cover_unkind",
    "novelty",
    "side_by_side",
    "joined",
    "counted",
)

# BM25's usual constants (Robertson and Zaragoza 2009).
BM25_K1 = 1.2
BM25_B = 0.75
NOVEL_WORDS = 10  # new content words counted, at most
MAX_EXCERPT_CHARS = 400  # what one excerpt may quote
MAX_SCORED = 80  # sentences scored at most, those covering the most (see Featurizer.all)

# --- the features ---------------------------------------------------------------------------


@dataclass
class Weights:
    """The question's terms weighed two ways: over the pool's articles (``local``) and over
    the index (``index``)."""

    local: list[float]
    index: list[float]
    found: list[int]  # pool passages holding each term

    def share(self, weights: list[float], mask: int) -> float:
        total = sum(weights) or 1.0
        return sum(w for i, w in enumerate(weights) if mask >> i & 1) / total

    def local_share(self, mask: int) -> float:
        """``share`` of the local weights, remembered by mask (a question has few masks)."""
        found = self._local_shares.get(mask)
        if found is None:
            found = self._local_shares[mask] = self.share(self.local, mask)
        return found

    def __post_init__(self) -> None:
        self._local_shares: dict[int, float] = {}


def term_weights(question: Question, pool: Pool) -> Weights:
    """Each term's idf over the pool's passages, as if they were the whole index (an unknown
    word keeps its specificity), and over the index."""
    terms = question.terms
    found = [sum(c[i] for c in pool.counts.values()) for i in range(len(terms))]
    size = max(len(pool.sentences), 1)
    local = []
    for term, count in zip(terms, found, strict=True):
        # A film's name is one term here: in an article about it, it tells sentences apart
        # no better than any word as common there.
        weight = inverse_document_frequency(count, size)
        weight *= 0.5 if term.answer_noun else 1.0
        local.append(weight if count else weight * term.specific)
    return Weights(local, [t.weight for t in terms], found)


@dataclass
class QuestionFeatures:
    """What abstention weighs: how much of the question the index knows (``known``), the pool
    holds (``found``); how telling the best candidate is (``chance``, log passages expected to
    match as well by coincidence, over 10); whether an article is about it (``about``); the
    best sentence's model score (``best``) and coverage (``best_cover``)."""

    known: float
    found: float
    chance: float
    about: float
    best: float
    best_cover: float

    NAMES = ("known", "found", "chance", "about", "best", "best_cover")

    def vector(self) -> list[float]:
        return [getattr(self, name) for name in self.NAMES]


CHANCE_CLIP = 30.0  # log passages: beyond this either way, no more telling


def question_features(
    question: Question, pool: Pool, weights: Weights, best: float, best_cover: float
) -> QuestionFeatures:
    terms = question.terms
    found_mask = sum(1 << i for i, count in enumerate(weights.found) if count)
    # A word the index lacks but the pool spells out ("uk": "United Kingdom") counts as known.
    known = sum(t.weight for i, t in enumerate(terms) if t.known or found_mask >> i & 1)
    known /= sum(t.weight for t in terms) or 1.0
    chance = max(-CHANCE_CLIP, min(CHANCE_CLIP, pool.chance)) / 10
    if pool.spelt_out:
        chance = -CHANCE_CLIP / 10
    return QuestionFeatures(
        known=known,
        found=weights.share(weights.local, found_mask),
        chance=chance,
        about=float(bool(pool.about) or pool.spelt_out),
        best=best,
        best_cover=best_cover,
    )


class Featurizer:
    """Computes every sentence's features for one question and its pool."""

    def __init__(self, question: Question, pool: Pool, matcher: Matcher) -> None:
        self.question = question
        self.pool = pool
        self.matcher = matcher
        self.weights = term_weights(question, pool)
        self.asked = question.asked_tokens
        self.by_position = {(s.article_id, s.position): s for s in pool.sentences.values()}
        self.beside_unknown = self.unknown_neighbours()
        self.subjects = {article: self.subject_mask(article) for article in pool.counts}
        self.article_scores = {a: self.article_score(c) for a, c in pool.counts.items()}
        self.best_article = max(self.article_scores.values(), default=0.0) or 1.0
        size = max(len(pool.sentences), 1)
        self.idf = [inverse_document_frequency(n, size) for n in self.weights.found]
        self._novel: dict[int, frozenset[str]] = {}
        self._frequencies: dict[int, dict[int, int]] = {}
        lengths = [len(s.words or ()) for s in pool.sentences.values()]
        self.average_length = (sum(lengths) / len(lengths)) if lengths else 1.0

    def subject_mask(self, article: str) -> int:
        """The terms naming what an article is about: the names in its title ("Harbour of Ash
        crew reveals ...": not "crew"), and a film whose whole title its title holds. Every
        sentence of the article holds them: "The director, X, said ..." in an article about
        the film answers "who directed <film>" without repeating its name. (A film the text
        mentions, even again and again, is not enough: the seed articles each mention several,
        and crediting them cost the news questions two.) A title in title case capitalises
        every word ("... Crew Reveals How the Crane Fall Was Done"): of it, only the words the
        article itself writes as names count."""
        title = self.pool.titles.get(article, "")
        names = {w for w in names_in(title) if w in self.matcher.bits}  # the question's words
        if names and title_cased(title):
            names = self.written_as_names(article, names)
        title_words = set(tokens(title))
        mask = 0
        for i, term in enumerate(self.question.terms):
            titled = term.film_id is not None and set(tokens(term.asked)) - STOPWORDS <= title_words
            named = term.words & names and term.asked not in self.beside_unknown
            if named or titled:
                mask |= 1 << i
        return mask

    def unknown_neighbours(self) -> frozenset[str]:
        """The question's words standing beside a word the articles don't know: "midnight"
        in "who wrote the music for midnight express" names another thing than the article
        titled "The Midnight Cartographer ..." does."""
        unknown = {t.asked for t in self.question.terms if not t.known and t.film_id is None}
        if not unknown:
            return frozenset()
        words = tokens(self.question.text)
        return frozenset(
            word
            for i, word in enumerate(words)
            if {words[j] for j in (i - 1, i + 1) if 0 <= j < len(words)} & unknown
        )

    def written_as_names(self, article: str, words: set[str]) -> set[str]:
        """Those of ``words`` some sentence of ``article`` writes capitalised after its start."""
        found: set[str] = set()
        bits = 0
        for word in words:
            bits |= self.matcher.bits[word]
        for sentence in self.pool.sentences.values():
            if sentence.article_id == article and sentence.matched & bits:
                for match in CAPITALISED_RE.finditer(sentence.text, 1):
                    word = normalise(match.group())
                    if word in words:
                        found.add(word)
        return found

    def article_score(self, counts: list[int]) -> float:
        """How strongly an article matches the question as a whole: each term's index weight
        times its passages there, saturating (named once: half; again and again: nearly all)."""
        weights = self.weights.index
        return sum(w * c / (c + 1) for w, c in zip(weights, counts, strict=False))

    def around(self, sentence: Sentence) -> int:
        """The terms the sentences just before and after it hold that it does not."""
        mask = 0
        for position in (sentence.position - 1, sentence.position + sentence.span):
            neighbour = self.by_position.get((sentence.article_id, position))
            if neighbour is not None:
                mask |= neighbour.matched
        return mask & ~sentence.matched

    def relevant(self, sentence: Sentence) -> bool:
        """Worth scoring: it or a neighbour holds a term, or its article is about one."""
        return bool(
            sentence.matched or self.subjects.get(sentence.article_id) or self.around(sentence)
        )

    def bm25(self, sentence: Sentence) -> float:
        words = sentence.words or []
        subject = self.subjects.get(sentence.article_id, 0)
        if not sentence.matched | subject:
            return 0.0
        norm = BM25_K1 * (1 - BM25_B + BM25_B * len(words) / self.average_length)
        score = 0.0
        counted = dict(self.term_frequencies(sentence))
        while subject:  # what its article is about: as if named once
            bit = subject & -subject
            counted.setdefault(bit.bit_length() - 1, 1)
            subject ^= bit
        for i, tf in counted.items():
            score += self.idf[i] * tf * (BM25_K1 + 1) / (tf + norm)
        return score

    def term_frequencies(self, sentence: Sentence) -> dict[int, int]:
        """How many times each term is in it (remembered per sentence; a pair's, summed)."""
        if sentence.parts:
            summed: dict[int, int] = {}
            for part in sentence.parts:
                for index, count in self.term_frequencies(part).items():
                    summed[index] = summed.get(index, 0) + count
            return summed
        found = self._frequencies.get(sentence.id)
        if found is None:
            found = self._frequencies[sentence.id] = self.count_terms(sentence)
        return found

    def count_terms(self, sentence: Sentence) -> dict[int, int]:
        counted: dict[int, int] = {}
        for word in sentence.words or ():
            bits = self.matcher.bits.get(word, 0)
            while bits:
                bit = bits & -bits
                index = bit.bit_length() - 1
                counted[index] = counted.get(index, 0) + 1
                bits ^= bit
        mask = sentence.matched
        while mask:  # films, stems, runs, initials: once
            bit = mask & -mask
            counted.setdefault(bit.bit_length() - 1, 1)
            mask ^= bit
        return counted

    def name_found(self, sentence: Sentence) -> float:
        """1 for a person's full name the question lacks ("who": "Ving Rhames, Simon Pegg"),
        half for a name of one word (places, and people named once: "Rollo")."""
        if self.question.wants == "person" and full_names_in(sentence.text, self.asked):
            return 1.0
        return 0.5

    def novel(self, sentence: Sentence) -> frozenset[str]:
        """Its content words the question does not have (remembered per sentence)."""
        if sentence.parts:
            return frozenset().union(*(self.novel(part) for part in sentence.parts))
        found = self._novel.get(sentence.id)
        if found is None:
            asked = self.asked
            found = frozenset(
                w for w in sentence.words or () if w not in asked and is_content_word(w)
            )
            self._novel[sentence.id] = found
        return found

    def vector(self, sentence: Sentence, bm25: float, best_bm25: float) -> list[float]:
        share = self.weights.local_share
        own = sentence.matched
        covered = own | self.subjects.get(sentence.article_id, 0)
        around = self.around(sentence)
        wants = self.question.wants
        question = self.question
        typed = covered and has_answer_type(wants, sentence.text, self.asked, question.dimension)
        asked_type = wants not in (None, "yesno")
        missing = asked_type and not typed and wants in RELIABLE_TYPES
        novel = self.novel(sentence)
        return [
            share(covered),
            share(around),
            bm25 / best_bm25 if best_bm25 else 0.0,
            self.article_scores.get(sentence.article_id, 0.0) / self.best_article,
            float(typed and wants in FIGURES),
            self.name_found(sentence) if typed and wants not in FIGURES else 0.0,
            float(missing),
            share(covered) * missing,
            min(len(novel), NOVEL_WORDS) / NOVEL_WORDS,
            self.matcher.side_by_side(sentence) / 3,
            float(sentence.span > 1),
            float(bool(question.counted) and counts(sentence.text, question.counted)),
        ]

    def windows(self, relevant: list[Sentence]) -> list[Sentence]:
        """Each sentence worth scoring joined by the next one in its paragraph, when the two
        fit in one excerpt: an answer often follows the sentence that names what is asked
        about ("... a Rhine straightening program." "The rate of flow was increased ...")."""
        joined = []
        for sentence in relevant:
            following = self.by_position.get((sentence.article_id, sentence.position + 1))
            if (
                following is not None
                and following.paragraph == sentence.paragraph
                and len(sentence.text) + 1 + len(following.text) <= MAX_EXCERPT_CHARS
                and (sentence.matched or following.matched)
            ):
                joined.append(sentence.joined(following))
        return joined

    def all(self) -> list[tuple[Sentence, list[float]]]:
        """The features of the sentences worth scoring, and of each joined by the next: those
        holding a term or beside one, the ``MAX_SCORED`` that cover the most of the question
        (an article of 300 sentences about the Rhine names it in most of them)."""
        relevant = [s for s in self.pool.sentences.values() if self.relevant(s)]
        if len(relevant) > MAX_SCORED:
            relevant = sorted(relevant, key=lambda s: (-self.coverage(s), s.id))[:MAX_SCORED]
        relevant += self.windows(relevant)
        scores = [self.bm25(s) for s in relevant]
        best = max(scores, default=0.0)
        return [(s, self.vector(s, score, best)) for s, score in zip(relevant, scores, strict=True)]

    def coverage(self, sentence: Sentence) -> float:
        """The local share of the question here, and a discounted share around."""
        share = self.weights.local_share
        return share(sentence.matched) + NEIGHBOUR_SHARE * share(self.around(sentence))
