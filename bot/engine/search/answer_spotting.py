"""Spotting kinds of answers in a sentence: a date, a number, an amount, a measure of the
dimension asked ("how fast": a speed), a person's name the question lacks, a place.

``answer_kind`` reads what kind a question asks for; the features ask this module whether a
sentence holds one (``has_answer_type``), and ``excerpts`` and ``film_facts`` read figures and
names with the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.engine.words import english_zipf_frequency, is_content_word, normalise, stem, tokens

NUMBER_RE = re.compile(
    r"\d+(?:[.,]\d+)*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|twice|once|half)\b",
    re.IGNORECASE,
)
YEAR_RE = re.compile(r"(?:1[0-9]|20)\d\d")
MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
DATE_RE = re.compile(
    r"\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t|tember)?"
    rf"|oct(ober)?|nov(ember)?|dec(ember)?)\b\.?\s*\d|\b\d{{1,2}}\s+({MONTHS})\b"
    r"|\b(1[0-9]|20)\d\d\b|\b\d{1,2}(st|nd|rd|th) (century|centuries)\b|\b\d+s\b"
    r"|\b(next|last|this|early|late|since|until|in) (year|month|week|summer|winter|spring|fall"
    rf"|autumn|{MONTHS})\b|\b(centur(y|ies)|decade|BC|AD|BCE|BP)\b|\b(in|by|since|until|from|after"
    r"|before|around|c\.|ca\.) \d{3,4}\b|\d\s*(years? ago|yr)\b",
    re.IGNORECASE,
)
REASON_RE = re.compile(
    r"\b(because|due to|owing to|as a result|in order to|so that|caused by|since|after|so as)\b",
    re.IGNORECASE,
)
DEFINITION_RE = re.compile(
    r"\w \(|\b(known as|called|stands? for|means|refers? to|short for)\b|, an? \w",
    re.IGNORECASE,
)
CAPITALISED_RE = re.compile(r"\b[A-Z][\w'’-]+")
TITLE_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")
PLACE_RE = re.compile(r"\b(?:in|at|near|from|to|into|across|on|of)\s+(?:the\s+)?[A-Z]\w+")
# A capitalised first word is a name only if it is not an everyday word ("Cruise plays …" yes,
# "Moreover …" no), judged by its frequency in English.
EVERYDAY_ZIPF = 4.8


DAY_OF_MONTH_RE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\b|\b(?:{MONTHS})\s+\d{{1,2}}\b", re.IGNORECASE
)


def numbers_in(text: str) -> frozenset[str]:
    """Figures in ``text``; a year or a day of the month is a date, not an answer to "how
    many"."""
    text = DAY_OF_MONTH_RE.sub(" ", text.lower())
    return frozenset(n for n in NUMBER_RE.findall(text) if not YEAR_RE.fullmatch(n))


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


# A person's full name: two or three capitalised words in a row ("Ving Rhames", "Allan
# Hewitt"), apart from a sentence's first word.
FULL_NAME_RE = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+){1,2}\b")


def full_names_in(text: str, asked: frozenset[str]) -> bool:
    """Does ``text`` give a full name none of whose words the question has?"""
    return any(
        not asked.intersection(tokens(match.group())) for match in FULL_NAME_RE.finditer(text)
    )


def title_cased(title: str) -> bool:
    """Does ``title`` capitalise every word but the small ones ("How the Crane Fall Was Done")?"""
    words = [w for w in TITLE_WORD_RE.findall(title) if len(w) > 3]
    return len(words) >= 2 and all(w[0].isupper() for w in words)


FIGURE = r"\d[\d,.]*(?:\s*(?:million|billion|thousand))?\s*(?:-\s*)?"
# "a year", "nine-minute", "two-hour": a figure in words, before its unit or joined to it.
NUMBER_WORD = (
    r"\b(?:(?:a|an|several|whole|half a)\s|(?:one|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred)[\s-])"
)
LENGTHS = r"feet|foot|ft|km|kilometres?|kilometers?|miles?|mi|m|metres?|meters?|cm|mm|inch(?:es)?"
DURATIONS = r"years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centur(?:y|ies)"
# What each "how ..." measures, in the units an answer gives it in.
MEASURES = {
    "old": r"\d+-year-old|\b\d+ years? old|\baged? \d+|\bage of \d+",
    "fast": r"\d[\d,.]*\s*(?:mph|km/h|kph|knots|miles per hour|m/s|kilometres per hour)\b",
    "long": rf"{FIGURE}(?:{LENGTHS}|{DURATIONS})\b|{NUMBER_WORD}(?:{DURATIONS})\b",
    "heavy": rf"{FIGURE}(?:kg|kilograms?|tons?|tonnes?|lbs?|pounds)\b",
    "big": rf"{FIGURE}(?:{LENGTHS}|square|sq|acres?|hectares?|km2|m2|%|per ?cent)",
}
for size in ("high", "tall", "far", "deep", "wide"):
    MEASURES[size] = rf"{FIGURE}(?:{LENGTHS})\b|{NUMBER_WORD}(?:{LENGTHS})\b"
MEASURES["large"] = MEASURES["big"]
MEASURE_RES = {dimension: re.compile(rule, re.IGNORECASE) for dimension, rule in MEASURES.items()}
ANY_MEASURE_RE = re.compile("|".join(f"(?:{rule})" for rule in MEASURES.values()), re.IGNORECASE)
AMOUNT_RE = re.compile(
    r"[$£€¥]\s?\d|\d[\d,.]*\s*(?:million|billion|thousand|bn|m)\b|\b\d[\d,.]*\s*(?:dollars|pounds"
    r"|euros|francs|marks|yen)\b",
    re.IGNORECASE,
)


def has_answer_type(
    kind: str | None, text: str, asked: frozenset[str], dimension: str = ""
) -> bool:
    """Does the sentence hold the kind of thing asked for, beyond what the question says
    ("how fast": a speed, "how old": an age)?"""
    if kind == "number":
        return bool(numbers_in(text) - asked)
    if kind == "measure":
        return bool(MEASURE_RES.get(dimension, ANY_MEASURE_RE).search(text))
    if kind == "amount":
        return bool(AMOUNT_RE.search(text)) or bool(numbers_in(text) - asked)
    if kind == "date":
        return bool(DATE_RE.search(text))
    if kind == "reason":
        return bool(REASON_RE.search(text))
    if kind == "definition":
        return bool(DEFINITION_RE.search(text))
    if kind == "place":
        return any(normalise(m.group().split()[-1]) not in asked for m in PLACE_RE.finditer(text))
    if kind in ("person", "entity"):
        return any(name not in asked for name in names_in(text))
    return False


def counts(text: str, counted: str) -> bool:
    """Does ``text`` give a figure of the thing counted ("100 attempts", "four jumps")?"""
    words = tokens(text)
    return any(
        NUMBER_RE.fullmatch(word)
        and not YEAR_RE.fullmatch(word)
        and any(stem(w) == counted for w in words[i + 1 : i + 4])
        for i, word in enumerate(words)
    )


FIGURES = ("number", "amount", "measure", "date")
RELIABLE_TYPES = (*FIGURES, "place")  # spotted reliably: their absence tells too
