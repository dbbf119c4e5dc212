"""Words: the one tokenizer, normaliser and stemmer shared by the indexer and the search.

The index's full-text table uses SQLite FTS5's ``unicode61`` tokenizer with
``remove_diacritics 2`` (https://www.sqlite.org/fts5.html#unicode61_tokenizer): tokens are runs
of letters and digits, case-folded, with diacritics removed. ``tokens`` below reproduces that in
Python so that the vocabulary, the typo correction and the highlighting agree with what FTS5
matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import snowballstemmer
from rapidfuzz.distance import OSA

TOKEN_RE = re.compile(r"[^\W_]+")
ASCII_TOKEN_RE = re.compile(r"[a-z0-9]+")  # TOKEN_RE on lower-case ASCII text
FTS_TOKENIZER = "unicode61 remove_diacritics 2"

# Function words, question framing and chat ("hi", "lol", "thanks"): they say how a question
# is asked, not what about.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn
    doing don down during each either else ever every few for from further get gets got had
    hadn has hasn have haven having he her here hers herself him himself his how i if in
    into is isn it its itself just let like me might more most much must my myself no nor
    not now of off on once only or other ought our ours ourselves out over own per please
    same shall she should shouldn so some such than that the their theirs them themselves
    then there these they this those through thus to too under until up upon us very was
    wasn we were weren what whatever when where whether which while who whom whose why will
    with within without won would wouldn yet you your yours yourself yourselves s t d ll m
    re ve tell know say said mean means meaning called call anyone anybody someone something
    thing things many happen happened happens really actually exactly kind sort lot lots way
    ways everyone everybody anyone anybody someone somebody everything anything nothing
    dont didnt doesnt isnt wasnt arent werent cant couldnt shouldnt wouldnt wont hasnt havent
    hadnt aint thats youre theyre im ive lets besides except
    hi hey hello thanks thank thx pls plz lol lmao rofl omg hmm ok okay yes yeah yep wow
    """.split()
)


class CombiningMarks(dict):
    """A ``str.translate`` table that deletes combining marks (the accents NFKD splits off
    letters), filled in as characters are met: the whole table would cost every process a
    scan of all Unicode at start-up. Bounded: questions can hold any characters at all."""

    LIMIT = 20_000

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        if len(self) < self.LIMIT:
            self[code] = kept
        return kept


COMBINING_MARKS = CombiningMarks()


def normalise(text: str) -> str:
    """Case-fold and strip diacritics, like FTS5's unicode61 with remove_diacritics 2."""
    if text.isascii():  # nothing to decompose: the common case, 20x faster
        return text.lower()
    return unicodedata.normalize("NFKD", text.casefold()).translate(COMBINING_MARKS)


def tokens(text: str) -> list[str]:
    """The normalised tokens of ``text``, in order."""
    if text.isascii():  # where TOKEN_RE means this: the same tokens, a third faster
        return ASCII_TOKEN_RE.findall(text.lower())
    return TOKEN_RE.findall(normalise(text))


def token_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Tokens with their offsets in the original ``text``, for highlighting matched words."""
    for match in TOKEN_RE.finditer(text):
        yield normalise(match.group()), match.start(), match.end()


_stemmer = snowballstemmer.stemmer("english")


# Irregular verb forms Snowball leaves apart from their base ("made" and "make"): English's
# common irregular verbs, but for forms that are as often other words ("ground", "bound",
# "wound", "lay", "fed", "woke", "meant").
IRREGULAR = {
    form: base
    for base, forms in {
        "make": "made",
        "take": "took taken",
        "go": "went gone",
        "shoot": "shot",
        "fly": "flew flown",
        "run": "ran",
        "get": "got gotten",
        "say": "said",
        "do": "did done",
        "see": "saw seen",
        "give": "gave given",
        "come": "came",
        "know": "knew known",
        "think": "thought",
        "tell": "told",
        "find": "found",
        "leave": "left",
        "bring": "brought",
        "begin": "began begun",
        "hold": "held",
        "write": "wrote written",
        "stand": "stood",
        "lose": "lost",
        "pay": "paid",
        "meet": "met",
        "lead": "led",
        "build": "built",
        "spend": "spent",
        "fall": "fell fallen",
        "ride": "rode ridden",
        "drive": "drove driven",
        "break": "broke broken",
        "win": "won",
        "buy": "bought",
        "sell": "sold",
        "catch": "caught",
        "teach": "taught",
        "fight": "fought",
        "rise": "rose risen",
        "choose": "chose chosen",
        "eat": "ate eaten",
        "grow": "grew grown",
        "throw": "threw thrown",
        "wear": "wore worn",
        "hide": "hid hidden",
        "sing": "sang sung",
        "swim": "swam swum",
        "leap": "leapt",
        "dive": "dove",
        "hang": "hung",
        "strike": "struck",
        "arise": "arose arisen",
        "awake": "awoke awoken",
        "bear": "borne",
        "beat": "beaten",
        "become": "became",
        "bend": "bent",
        "bite": "bitten",
        "bleed": "bled",
        "blow": "blew blown",
        "breed": "bred",
        "burn": "burnt",
        "cling": "clung",
        "creep": "crept",
        "deal": "dealt",
        "dig": "dug",
        "draw": "drew drawn",
        "dream": "dreamt",
        "dwell": "dwelt",
        "feel": "felt",
        "flee": "fled",
        "fling": "flung",
        "forbid": "forbade forbidden",
        "forget": "forgot forgotten",
        "forgive": "forgave forgiven",
        "freeze": "froze frozen",
        "hear": "heard",
        "keep": "kept",
        "kneel": "knelt",
        "lend": "lent",
        "mislead": "misled",
        "overcome": "overcame",
        "ring": "rang rung",
        "seek": "sought",
        "send": "sent",
        "shake": "shook shaken",
        "shrink": "shrank shrunk",
        "sink": "sank sunk",
        "sleep": "slept",
        "slay": "slew slain",
        "slide": "slid",
        "speak": "spoke spoken",
        "spin": "spun",
        "spring": "sprang sprung",
        "steal": "stole stolen",
        "stick": "stuck",
        "sting": "stung",
        "stride": "strode",
        "strive": "strove striven",
        "swear": "swore sworn",
        "sweep": "swept",
        "swing": "swung",
        "tear": "tore torn",
        "undergo": "underwent undergone",
        "understand": "understood",
        "undertake": "undertook undertaken",
        "wake": "woken",
        "weave": "wove woven",
        "weep": "wept",
        "withdraw": "withdrew withdrawn",
    }.items()
    for form in forms.split()
}


# Search stems every word of ~300 candidate sentences per question (6,000 calls; 1.1 µs each
# uncached, 0.2 µs cached). The words of a long-running bot's questions are a Zipf sample of the
# whole vocabulary, which grows with every reindex, so the cache fills slowly; at about 240
# bytes an entry, 200,000 entries made the bot's memory creep ~1 MB per reindex, up to ~48 MB.
# 50,000 keep nearly the same hit rate on a mixed question stream (0.53% misses against 0.48%)
# within ~12 MB.
# The build gains nothing from it: it stems each new vocabulary word once.
STEM_CACHE_SIZE = 50_000


@lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem, so "jumps", "jumped" and "jumping" count as one word
    (and "made" as "make")."""
    if not word.isalpha():
        return word
    return _stemmer.stemWord(IRREGULAR.get(word, word))


def is_content_word(word: str) -> bool:
    """Words that say what a question is about: not function words."""
    return word not in STOPWORDS


@lru_cache(maxsize=4096)
def misspelt_function_word(word: str) -> str | None:
    """ "does" for "dose", "what" for "wat": the function word one typo away, same first letter.

    Function words are short, so the usual typo rules (none under 5 letters) would leave these
    as unknown key words, and an unknown key word makes the question look off-topic.
    """
    if not word.isalpha():
        return None
    for candidate in sorted(STOPWORDS):
        if (
            len(candidate) >= 3
            and candidate[0] == word[0]
            and abs(len(candidate) - len(word)) <= 1
            and OSA.distance(word, candidate, score_cutoff=1) <= 1
        ):
            return candidate
    return None


@lru_cache(maxsize=4096)
def english_zipf_frequency(word: str) -> float:
    """How common a word is in English, on the Zipf scale (0 unknown, 3 rare, 5+ everyday).

    From wordfreq's English lists; imported on first use so that a question whose words are
    all in the index never pays for loading them.
    """
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


# Question idioms that mean a word the articles use: "when does it come out" asks when it is
# released. Only phrases that are almost never meant literally in a question.
PARAPHRASES = [
    (re.compile(r"\b(?:come|comes|came|coming) out\b", re.IGNORECASE), "release"),
    (
        re.compile(r"\b(?:hit|hits|hitting) (?:theaters|theatres|cinemas)\b", re.IGNORECASE),
        "release",
    ),
]


# Chat markup that is not part of what is asked: Discord's user, role, channel and command
# mentions and custom emoji (https://discord.com/developers/docs/reference#message-formatting).
CHAT_MARKUP_RE = re.compile(r"<(?:@[!&]?|#|/[\w -]+:|a?:\w+:)\d+>")


def rephrase(question: str) -> str:
    """``question`` without chat markup, and with its idioms replaced by the words articles
    use for them."""
    question = CHAT_MARKUP_RE.sub(" ", question)
    for pattern, replacement in PARAPHRASES:
        question = pattern.sub(replacement, question)
    return question
