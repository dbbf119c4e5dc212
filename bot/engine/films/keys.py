"""The key of a film's name: what two spellings of one title share, for every comparison."""

from __future__ import annotations

from functools import lru_cache

from bot.engine.words import tokens


@lru_cache(maxsize=65536)
def key(name: str) -> str:
    """What two spellings of one title share: tokens as the search sees them (case, accents
    and punctuation gone), "&" read as "and", no leading "The"."""
    words = tokens(name.replace("&", " and "))
    if len(words) > 1 and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)
