"""What kind of answer a question asks for: read from its words alone, before the index.

"when" asks for a date, "how many" for a number, "who" for a person, "which skyscraper" for one
of a kind; "how fast" names the dimension a measure answers, "how many attempts" what is
counted. ``features`` looks for the kind in each sentence; ``question`` weighs the words that
only name the kind ("which outlet") less than those that say what the question is about.
"""

from __future__ import annotations

import re

from bot.engine.words import is_content_word, stem

HOW_RE = re.compile(r"\bhow (\w+)(?: (\w+))?")


def dimension_and_counted(question: str) -> tuple[str, str]:
    """What a "how ..." question measures or counts: ("fast", "") for "how fast was it",
    ("", "attempt") for "how many attempts"."""
    match = HOW_RE.search(question.lower())
    if match is None:
        return "", ""
    word, following = match.group(1), match.group(2) or ""
    if word == "many" and following and is_content_word(following):
        return "", stem(following)
    return word, ""


# --- what kind of answer is wanted ----------------------------------------------------------

# Nouns for people: "which (new) cast members" asks for people, named.
PEOPLE = (
    "actors?|actress(es)?|directors?|persons?|people|stars?|cast|members?|players?|writers?"
    "|authors?|producers?|singers?|artists?|leaders?|founders?|kings?|queens?|presidents?"
    "|ministers?|scientists?|man|woman|men|women|characters?|rulers?|dukes?|emperors?"
)

# Nouns that, after "what" or "which", say the kind of answer wanted ("what country": a place).
AMOUNT_NOUNS = "price cost amount sum".split()
MEASURE_NOUNS = "height age altitude speed distance size length width depth".split()
DATE_NOUNS = "year date day month century decade".split()
PLACE_NOUNS = "country city place location mountain town region".split()


def after_what(nouns: list[str]) -> str:
    """The pattern of "what" or "which" and one of ``nouns``."""
    return rf"\b(what|which) ({'|'.join(nouns)})\b"


ANSWER_TYPE_PATTERNS = [
    ("amount", rf"\bhow much\b|{after_what(AMOUNT_NOUNS)}"),
    ("measure", r"\bhow (high|tall|far|long|old|fast|big|large|deep|wide|heavy)\b"),
    ("measure", after_what(MEASURE_NOUNS)),
    ("number", r"\bhow (many|often)\b|\bwhat number\b"),
    ("number", r"\b(number|percentage|amount|population) of\b"),
    ("date", rf"\bwhen\b|{after_what(DATE_NOUNS)}|\brelease date\b"),
    ("person", r"\bwho(m|se)?\b"),
    ("person", rf"\b(which|what) (\w+ )?({PEOPLE})\b"),
    ("place", rf"\bwhere\b|{after_what(PLACE_NOUNS)}"),
    ("reason", r"\bwhy\b|\bhow come\b"),
    ("definition", r"\bwhat (is|are|does|do|did)\b.*\b(mean|means|stand for|stands for)\b"),
    ("definition", r"\b(meaning|definition) of\b|\bwhat is an?\b|\balso (called|known)\b"),
    ("yesno", r"^\W*(is|are|was|were|do|does|did|will|can|could|has|have|had|should)\b"),
]

# Nouns that name the kind of answer wanted ("which outlet", "what date"): the answer sentence
# rarely repeats them, so they weigh less than the words that say what the question is about.
ANSWER_NOUNS = frozenset(
    """time name number outlet reason character person people role""".split()
    + AMOUNT_NOUNS
    + MEASURE_NOUNS
    + DATE_NOUNS
    + PLACE_NOUNS
)
ANSWER_NOUN_WEIGHT = 0.5


WHICH_RE = re.compile(r"\b(?:which|whose)\s+(\w+)(?:\s+(\w+))?")
WHAT_RE = re.compile(r"\bwhat\s+(\w+)")
WHO_IS_RE = re.compile(
    r"\bwho(?:'?s| is| was| are| were| will be)\s+(?:the|a|an)\s+(\w+)(?:\s+(\w+))?"
)


def asked_kinds(question: str) -> frozenset[str]:
    """The words naming the kind of answer wanted, as in "which (new) outlet" or "what date":
    the answer names one of its kind ("Which skyscraper": "the Burj Khalifa") and need not say
    the word. After "what", a word in -ed is a verb ("what filmed the stunt")."""
    lowered = question.lower()
    found = {w for match in WHICH_RE.finditer(lowered) for w in match.groups() if w}
    found |= {m.group(1) for m in WHAT_RE.finditer(lowered) if not m.group(1).endswith("ed")}
    return frozenset(found)


def named_roles(question: str) -> frozenset[str]:
    """The words for what the person asked about is ("who is the main villain of ..."): the
    answer names the person; it need not say the word."""
    lowered = question.lower()
    return frozenset(w for match in WHO_IS_RE.finditer(lowered) for w in match.groups() if w)


def answer_type(question: str) -> str | None:
    """The kind the question's first asking words ask for: "who was king when ..." asks for a
    person, "when did the man who ..." for a date. A yes/no question is one that asks for no
    kind ("did he say when it opens" asks when); among matches at one place, the list's first."""
    lowered = question.lower()
    found = []
    for order, (kind, pattern) in enumerate(ANSWER_TYPE_PATTERNS):
        match = re.search(pattern, lowered)
        if match:
            found.append((kind == "yesno", match.start(), order, kind))
    return min(found)[3] if found else None
