"""Reading a question: its key words as the index knows them (*terms*), and what it asks for.

Each content word is resolved against the index's vocabulary: as it is, by its stem, corrected
for a typo (against the vocabulary, or, for an everyday word the articles happen not to use,
against English), split in two ("skydiving" as "sky diving"), or left unknown; then widened to
every word of its stem. A film the question names is one term, matched by the passages that
mention the film under any title. Each term weighs as BM25's inverse document frequency.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import sqlite3
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from bot.engine.films.merge import Film
from bot.engine.films.names import FilmIndex
from bot.engine.search.answer_kind import (
    ANSWER_NOUN_WEIGHT,
    ANSWER_NOUNS,
    WHICH_RE,
    answer_type,
    asked_kinds,
    dimension_and_counted,
    named_roles,
)
from bot.engine.search.typos import RESOLVED_WORDS, Typos
from bot.engine.spelling import MIN_DERIVATION_STEM, Known, Vocabulary, everyday
from bot.engine.words import (
    TOKEN_RE,
    english_zipf_frequency,
    is_content_word,
    misspelt_function_word,
    normalise,
    rephrase,
    stem,
    tokens,
)

MAX_QUESTION_CHARS = 2000
MAX_TERMS = 24
PASSAGE_WORDS = 20  # tokens in a passage, for a word's English rate per passage
MIN_SPECIFICITY = 0.35  # the weight share an everyday English word keeps when unknown
MAX_DERIVED_LETTERS = 3  # an unknown word's stem, so extended, is a word derived from it
MISREAD_ZIPF_GAP = 1.5  # a word 30 times rarer than the function word a typo away may be it
AGENT_ENDINGS = ("er", "r", "or")  # a verb's stem and these: who does it ("writer")


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
    answer_noun: bool = False  # names the kind of answer wanted ("which outlet"): weighs half
    kind_word: bool = False  # follows "which"/"what": the answer may name one, not say it
    specific: float = 1.0  # the share of its weight it keeps where it is not found
    stems: bool = False  # its family was cut short: match sentence words by stem too
    # A typo's equally close corrections, ``words``' first (see ``choose_correction``).
    alternatives: tuple[Known, ...] = ()
    # A short word the articles may spell out ("uk": "United Kingdom"): its letters.
    initials: str = ""
    # The nouns for who does what it says ("user" for "use"), among ``words``: only a question
    # asking who keeps them (see ``QuestionReader.read``).
    agents: frozenset[str] = frozenset()


@dataclass
class Question:
    text: str
    terms: list[Term]
    # "number", "amount", "measure", "date", "person", "place", "reason", "definition", "yesno",
    # "entity" (which X)
    wants: str | None
    asked_tokens: frozenset[str]
    passages: int = 1  # in the index: chance matches scale with it
    # "how fast", "how old": what a measure asked for measures (see features.MEASURES)
    dimension: str = ""
    # "how many attempts": what is counted, as a stem (the answer says "100 attempts")
    counted: str = ""


def wanted_type(question: str, terms: list[Term]) -> tuple[str | None, str | None]:
    """The kind of answer asked for, read with the question's typos corrected; failing that,
    with one word the articles know read as the function word a typo away, if that makes the
    question ask for something and the word is much rarer than it: then that word is no term
    ("what dose halo mean": "dose" is a word, but the question asks for a meaning only if it is
    "does"; "his men from" is no "his mean from"). Returns the kind and the word so read, if any."""
    words = corrections(question, terms)
    kind = answer_type(" ".join(words))
    if kind is not None:
        return kind, None
    known = {t.asked for t in terms}
    for i, word in enumerate(words):
        function_word = misspelt_function_word(word) if word in known else None
        if function_word and much_rarer(word, function_word):
            kind = answer_type(" ".join([*words[:i], function_word, *words[i + 1 :]]))
            if kind is not None:
                return kind, word
    return None, None


def much_rarer(word: str, than: str) -> bool:
    """Is ``word`` so much rarer in English than ``than`` that, typed where ``than`` would make
    sense, it is more likely a typo of it ("dose" of "does"; not "men" of "mean")?"""
    return english_zipf_frequency(than) - english_zipf_frequency(word) >= MISREAD_ZIPF_GAP


def corrections(question: str, terms: list[Term]) -> list[str]:
    """The question's words with typos corrected, to read its answer type from."""
    fixed = {t.asked: min(t.words, key=len) for t in terms if t.corrected}
    asked = {t.asked for t in terms}
    words = tokens(question[:MAX_QUESTION_CHARS])
    return [
        fixed.get(w) or (is_content_word(w) and w not in asked and misspelt_function_word(w)) or w
        for w in words
    ]


def question_words(question: str, skip: AbstractSet[int] = frozenset()) -> list[str]:
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


def inflected_word(word: str) -> bool:
    """Is ``word`` an everyday English word inflected ("wars", "jumps"), so no typo of a
    function word one letter away ("was")?"""
    base = stem(word)
    return base != word and is_content_word(base) and everyday(base)


def specificity(word: str) -> float:
    """1 for a word rare in English, down to ``MIN_SPECIFICITY`` for an everyday one."""
    zipf = english_zipf_frequency(word)
    return min(1.0, max(MIN_SPECIFICITY, (6.0 - zipf) / 2.5))


def inverse_document_frequency(df: int, total: int) -> float:
    """BM25's idf: rare words weigh more. An unknown word weighs the most."""
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def phrase_rate(words: list[str]) -> float:
    """The share of passages of ordinary English text holding ``words`` side by side."""
    rate = PASSAGE_WORDS * math.prod(english_rate([w]) / PASSAGE_WORDS for w in words)
    return min(1.0, rate)


def english_rate(words: frozenset[str] | list[str]) -> float:
    """The share of passages of ordinary English text holding any of ``words``."""
    per_token = sum(10 ** (english_zipf_frequency(w) - 9) for w in words)
    return min(1.0, PASSAGE_WORDS * per_token)


# --- the reader -----------------------------------------------------------------------------


class QuestionReader:
    """Reads questions against one open index: its vocabulary, its films, its size. Remembers
    resolved words and corrections for the next question (the same words come back)."""

    def __init__(self, conn: sqlite3.Connection, passage_count: int) -> None:
        self.conn = conn
        self.vocabulary = Vocabulary(conn)
        self.passage_count = passage_count
        self._films: tuple[FilmIndex, dict[int, int]] | None = None  # loaded on first use
        self._film_mentions: dict[int, int] = {}  # film id -> how many mentions
        self._resolved: dict[tuple[str, bool], tuple[Term, ...]] = {}
        self.typos = Typos(conn, self.vocabulary, passage_count)

    def read(self, question: str) -> Question:
        text = rephrase(self.typos.fix_everyday(question[:MAX_QUESTION_CHARS]))
        terms, film_words = self.film_terms(text)
        names = proper_names(text)
        for word in question_words(text, skip=film_words):
            terms.extend(self.resolve(word, names))
        for i, term in enumerate(terms):
            if term.alternatives:
                terms[i] = self.choose_correction(term, terms)
        self.name_unknown_runs(text, terms, names)
        kinds, roles = asked_kinds(text), named_roles(text)
        for term in terms:
            # The kind of answer asked for: a word for it, or any the articles don't use
            # ("which skyscraper": they name it, "the Burj Khalifa"); a role a person asked
            # about has ("who is the villain").
            term.kind_word = term.asked in kinds
            kind = term.kind_word and (term.asked in ANSWER_NOUNS or not term.known)
            noun = term.asked in ANSWER_NOUNS and not term.known
            if kind or noun or term.asked in roles:
                term.weight *= ANSWER_NOUN_WEIGHT
                term.answer_noun = True
        wants, misread = wanted_type(text, terms)
        terms = [t for t in terms if t.asked != misread]
        for term in terms:
            if term.agents and wants != "person":  # "did Cruise use CGI": no "user" asked
                term.words -= term.agents
        if wants is None and WHICH_RE.search(text.lower()) and any(t.answer_noun for t in terms):
            wants = "entity"  # "which skyscraper": one named, most often ("what risk": less)
        dimension, counted = dimension_and_counted(" ".join(corrections(text, terms)))
        for term in terms:
            # "how long was the ovation": the answer gives a length ("nine-minute"), and may
            # not say "long"; a sentence saying "too long" is not the better for it.
            if wants == "measure" and term.asked == dimension and not term.answer_noun:
                term.weight *= ANSWER_NOUN_WEIGHT
                term.answer_noun = True
        return Question(
            text=question,
            terms=terms[:MAX_TERMS],
            wants=wants,
            asked_tokens=frozenset(tokens(text)),
            passages=self.passage_count,
            dimension=dimension if wants == "measure" else "",
            counted=counted if wants == "number" else "",
        )

    def name_unknown_runs(self, text: str, terms: list[Term], names: frozenset[str]) -> None:
        """An unknown word beside another word the articles don't write as typed ("the lion
        king"; "star wars", where they only say "starring") weighs as an unknown name does,
        typed lowercase or not: everyday words the articles might phrase otherwise come one at
        a time; a run of them is most often a name they never mention."""
        unknown = {t.asked for t in terms if not t.known and t.film_id is None}
        if not unknown:
            return
        absent = unknown | {t.asked for t in terms if t.known and t.asked not in t.words}
        words = tokens(text[:MAX_QUESTION_CHARS])
        runs = {
            w
            for pair in zip(words, words[1:], strict=False)
            if set(pair) <= absent and set(pair) & unknown
            for w in pair
        }
        for term in terms:
            if term.asked in (runs & unknown) - names:
                term.weight = inverse_document_frequency(0, self.passage_count)
                term.specific = 1.0

    def film_terms(self, question: str) -> tuple[list[Term], set[int]]:
        """A film the question names ("MI7", "mision imposible 7", "Fallout") is one term,
        matched by the passages that mention it under any title; returns the terms and the
        question's token positions they cover."""
        index, ids = self.film_index()
        terms: list[Term] = []
        covered: set[int] = set()
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
            films, ids = [], {}
            for film_id, title, year, aliases, mentions, franchise, number in self.conn.execute(
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
        if found and word not in names:
            commoner = self.typos.commoner_spelling(word, found)
            if commoner:
                term = self.term(word, commoner[0], corrected=True)
                term.alternatives = tuple(commoner) if len(commoner) > 1 else ()
                return [term]
        found = found or self.vocabulary.lookup_stem(stem(word)) or self.derived(stem(word))
        if found:
            # "skydiving" is in a large index, and the articles may still write "sky diving".
            split = self.vocabulary.split(word)
            return [self.term(word, found, parts=tuple(k.word for k in split or ()))]
        if misspelt_function_word(word) and not (everyday(word) or inflected_word(word)):
            return []  # "whos" is "who"; "tall", "car", "wars" are words (the index lacks them)
        if re.fullmatch(r"[a-z]+\d+|\d+[a-z]+", word):  # "mi7" as the articles' "MI:7"
            parts = re.findall(r"[a-z]+|\d+", word)
            looked_up = [self.vocabulary.lookup(part) for part in parts]
            known_parts = [k for k in looked_up if k is not None]
            if len(known_parts) == len(parts):
                return [self.term(part, k) for part, k in zip(parts, known_parts, strict=True)]
        corrected = self.vocabulary.corrections(word)
        if corrected and not is_content_word(corrected[0].word):
            return []  # "manny" is "many": a typo of a word we would have ignored anyway
        if corrected:
            term = self.term(word, corrected[0], corrected=True)
            term.alternatives = tuple(corrected) if len(corrected) > 1 else ()
            return [term]
        split = self.vocabulary.split(word)
        if split:
            return [self.term(k.word, k) for k in split]
        shortened = self.vocabulary.completions(word)
        if shortened:  # "insta" for "instagram"
            return [self.term(word, shortened, corrected=True)]
        weight = inverse_document_frequency(0, self.passage_count)
        if word not in names:
            weight *= specificity(word)
        # "uk", "nyc": the initials of words the articles may spell out ("United Kingdom");
        # a four-letter word, only if it is not an everyday one ("nasa", not "cost")
        short = len(word) <= 3 or (len(word) == 4 and not everyday(word))
        initials = word if len(word) >= 2 and short and word.isalpha() else ""
        return [Term(word, frozenset(), (), stem(word), 0, weight, False, initials=initials)]

    def choose_correction(self, term: Term, terms: list[Term]) -> Term:
        """Of a typo's equally close corrections, the one the question's other words support
        (``typos.Typos.best_supported``); the commonest when none stands out."""
        known = self.typos.best_supported(term, terms)
        best = term if known is None else self.term(term.asked, known, corrected=True)
        best.specific, best.alternatives = term.specific, ()
        return best

    def derived(self, word_stem: str) -> Known | None:
        """The commonest word of a family derived from an unknown word's stem or deriving it,
        when the articles use no word of that stem itself: "directed" asked, only "director"
        written (a stem of ``MIN_DERIVATION_STEM`` letters the other's extends); "composer"
        asked, only "composed" written (a verb's stem and an agent ending); "drove" asked,
        only "driver" written (the verb's agent noun)."""
        if len(word_stem) >= MIN_DERIVATION_STEM and word_stem.isalpha():
            members = self.vocabulary.stem_family(word_stem).members
            # A short ending only: "director", "crimean", not "schoolmaster", "rationalist".
            close = [k for k in members if len(k.stem) - len(word_stem) <= MAX_DERIVED_LETTERS]
            if close:
                return close[0]
        for ending in AGENT_ENDINGS:
            verb = word_stem[: -len(ending)]
            if word_stem.endswith(ending) and len(verb) >= MIN_DERIVATION_STEM - 1:
                found = self.vocabulary.lookup_stem(verb)
                if found is not None:
                    return found
        agents = self.agent_nouns(word_stem)
        return agents[0] if agents else None

    def agent_nouns(self, verb_stem: str) -> list:
        """The nouns for who does what a verb says, as the articles write them: "writer" for
        "wrote", "director" for "directed", "producer" for "produced" (English makes them with
        -er, -r or -or, and a question asks "who wrote" where an article says "writer")."""
        if len(verb_stem) < 3 or not verb_stem.isalpha():
            return []
        found = []
        for ending in AGENT_ENDINGS:
            noun = self.vocabulary.lookup(verb_stem + ending)
            if noun is not None and noun.stem != verb_stem:
                found.extend(self.vocabulary.stem_family(noun.stem).members)
        return found

    def term(
        self, asked: str, known: Known, corrected: bool = False, parts: tuple[str, ...] = ()
    ) -> Term:
        family, cut_short = self.vocabulary.stem_family(known.stem)
        agents = self.agent_nouns(known.stem)
        family = (family or [known]) + agents
        df = min(sum(k.df for k in family), self.passage_count)
        words = frozenset(k.word for k in family) | {known.word}
        return Term(
            asked=asked,
            words=words,
            parts=parts,
            stem=known.stem,
            df=df,
            weight=inverse_document_frequency(df, self.passage_count),
            known=True,
            corrected=corrected,
            rate=min(df / self.passage_count, english_rate(words)),
            stems=cut_short,
            agents=frozenset(k.word for k in agents) - {known.word},
        )
