"""Render answers for people and programs: plain text, JSON, and text cut to a length limit.

The CLI and the Discord app both render from here, so an excerpt looks and reads the same
wherever it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.engine.model import NOT_FOUND, Abstained, Answer, Excerpt

NOT_FOUND_HINT = "Try rephrasing, or list the films the articles cover with `briefing films`."
ELLIPSIS = "…"


def answer_to_dict(answer: Answer) -> dict:
    """The stable JSON shape other tools read (documented in the README). ``note`` is the
    sentence the text shows beside or instead of the excerpts (figures that disagree, why
    nothing was found), null when the text has none."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "note": answer.note,
        "excerpts": [excerpt_to_dict(e) for e in answer.excerpts],
        "abstained": None if answer.abstained is None else abstained_to_dict(answer.abstained),
    }


def film_to_dict(asked: str, answer: Answer) -> dict:
    """``briefing film --json``: ``question`` is what was typed, ``film`` the title it matched
    (null when none did: the searcher then says so in the note and the answer's question is
    what was typed)."""
    film = None if answer.note else answer.question
    return {**answer_to_dict(answer), "question": asked, "film": film}


def abstained_to_dict(abstained: Abstained) -> dict:
    """Why nothing was answered: a stable ``reason`` key, the calibrated ``score`` (the
    probability that the articles answer; null when decided before scoring) and a sentence."""
    return {"reason": abstained.reason, "score": abstained.score, "detail": abstained.detail}


def excerpt_to_dict(excerpt: Excerpt) -> dict:
    return {
        "text": excerpt.text,
        "source": excerpt.source,
        "title": excerpt.title,
        "url": excerpt.url,
        "paragraph": excerpt.paragraph,
        "score": excerpt.score,
        "highlights": [list(span) for span in excerpt.highlights],
    }


def citation(excerpt: Excerpt) -> str:
    """ "Title" (file, paragraph N): enough to find the quote again."""
    return f"{excerpt.title} ({excerpt.source}, paragraph {excerpt.paragraph})"


def emphasise(excerpt: Excerpt, mark: Callable[[str], str]) -> str:
    """The excerpt text with each highlighted span passed through ``mark``."""
    pieces, last = [], 0
    for start, end in excerpt.highlights:
        pieces.append(excerpt.text[last:start])
        pieces.append(mark(excerpt.text[start:end]))
        last = end
    pieces.append(excerpt.text[last:])
    return "".join(pieces)


def render_text(answer: Answer, mark: Callable[[str], str] = str) -> str:
    """An answer as terminal text: quoted excerpts, each followed by its citation."""
    if not answer.answered:
        return f"{answer.note or NOT_FOUND} {NOT_FOUND_HINT}"
    blocks = [f"“{emphasise(e, mark)}”\n    — {citation(e)}" for e in answer.excerpts]
    if answer.note:
        blocks.append(f"({answer.note})")
    return "\n\n".join(blocks)


SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’)\]]*\s")


def cut_text(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` (at least 1) characters, else cut at the last sentence
    end that fits (or the last word), with "…" appended: for Discord's length limits."""
    if len(text) <= limit:
        return text
    room = max(limit - len(ELLIPSIS), 0)
    head = text[:room]
    last_end = max((m.end() for m in SENTENCE_END_RE.finditer(text, 0, room + 1)), default=0)
    if last_end > room // 2:
        head = text[:last_end]
    elif (space := head.rfind(" ")) > room // 2:
        head = head[:space]
    return head.rstrip() + ELLIPSIS
