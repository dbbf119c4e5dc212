"""Split an article into passages a person would quote: its sentences.

Each passage is one sentence (a sentence over ``MAX_PASSAGE_CHARS`` is cut at a clause boundary),
with its paragraph number and character offsets into the article, so that every excerpt shown to
a user is a verbatim slice of the source and can be cited. Search may join two neighbouring
sentences of one paragraph into a single excerpt; it never invents text between them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

MAX_PASSAGE_CHARS = 400

# Words that end in a full stop without ending the sentence ("Mr. Cruise", "Sept. 3", "U.S. Army").
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft vs etc eg ie inc ltd co corp no nos vol fig approx est gen
    col lt sgt capt cmdr adm rev gov sen rep pres supt dept univ ave blvd rd jan feb mar apr
    jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun al cf op pp ca""".split()
)

# A sentence ends at . ! ? or … (plus closing quotes or brackets), then space, then something
# that can start a sentence: an upper-case letter, a digit, or an opening quote or bracket.
BOUNDARY_RE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])")
PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n\s*")
CLAUSE_BREAK_RE = re.compile(r"[;:,–—-]\s|\s[–—-]\s")


class Passage(NamedTuple):  # a tuple: a build makes millions of them
    article_id: str
    paragraph: int  # 1-based, as people count paragraphs in a citation
    position: int  # 0-based order of the passage in the article
    start: int  # offsets into Article.text: text == article.text[start:end]
    end: int
    text: str


def split_article(article_id: str, text: str) -> list[Passage]:
    """All passages of an article, in reading order."""
    passages: list[Passage] = []
    for number, (para_start, para_end) in enumerate(paragraph_spans(text), start=1):
        for start, end in sentence_spans(text, para_start, para_end):
            pieces: Iterable[tuple[int, int]] = (
                ((start, end),)
                if end - start <= MAX_PASSAGE_CHARS
                else cut_long_span(text, start, end)
            )
            for piece_start, piece_end in pieces:
                passages.append(
                    Passage(
                        article_id,
                        number,
                        len(passages),
                        piece_start,
                        piece_end,
                        text[piece_start:piece_end],
                    )
                )
    return passages


def paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    """Paragraphs are separated by blank lines; a text with none has one paragraph per line."""
    separator = PARAGRAPH_BREAK_RE if PARAGRAPH_BREAK_RE.search(text) else re.compile(r"\n")
    start = 0
    for match in separator.finditer(text):
        yield from strip_span(text, start, match.start())
        start = match.end()
    yield from strip_span(text, start, len(text))


def strip_span(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The span without surrounding white space, or nothing if it is blank."""
    piece = text[start:end]
    stripped = piece.strip()  # str.strip removes what str.isspace calls white space
    if stripped:
        start += len(piece) - len(piece.lstrip())
        yield start, start + len(stripped)


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]``, as absolute offsets."""
    spans: list[tuple[int, int]] = []
    sentence_start = start
    for match in BOUNDARY_RE.finditer(text, start, end):
        if match.group()[0] == "." and is_abbreviation(text, sentence_start, match.start()):
            continue
        spans.extend(strip_span(text, sentence_start, match.end()))
        sentence_start = match.end()
    spans.extend(strip_span(text, sentence_start, end))
    return spans


def is_abbreviation(text: str, sentence_start: int, dot: int) -> bool:
    """Is the word before the full stop at ``dot`` an abbreviation or an initial ("J. Smith")?"""
    word_start = dot
    while word_start > sentence_start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lstrip("\"'“‘([")
    if not word:
        return False
    if len(word) == 1 and word.isupper():
        return True
    if "." in word and all(len(part) <= 2 for part in word.split(".")):
        return True  # U.S, e.g, Ph.D
    return word.lower() in ABBREVIATIONS


def cut_long_span(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut a sentence longer than ``MAX_PASSAGE_CHARS`` at clause breaks, else at spaces."""
    while end - start > MAX_PASSAGE_CHARS:
        limit = start + MAX_PASSAGE_CHARS
        breaks = [m.end() for m in CLAUSE_BREAK_RE.finditer(text, start + 40, limit)]
        if not breaks:
            space = text.rfind(" ", start + 1, limit)
            breaks = [space + 1] if space > start else [limit]
        cut = breaks[-1]
        yield from strip_span(text, start, cut)
        start = cut
    yield from strip_span(text, start, end)
