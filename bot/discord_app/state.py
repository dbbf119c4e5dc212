"""The bot's long-lived state, each part bounded however long it runs: per-user cooldowns,
button state (``QueryCache``), how the last reindex went and which problems the admins were told.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

from discord import app_commands

from bot.engine.search import MAX_QUESTION_CHARS


class UserCooldowns:
    """Per-user rate limit shared by every way of asking (mention, DM, channel, /ask, /film)."""

    def __init__(self, rate: int, per: float) -> None:
        self.rate, self.per = rate, per
        self._buckets: dict[int, app_commands.Cooldown] = {}

    def retry_after(self, user_id: int) -> float | None:
        """Seconds until ``user_id`` may ask again, or None (and the ask is counted)."""
        if self.rate <= 0 or self.per <= 0:
            return None
        now = time.time()
        if len(self._buckets) > 10_000:  # forget users whose bucket has refilled
            self._buckets = {
                k: b for k, b in self._buckets.items() if b.get_tokens(now) < self.rate
            }
        bucket = self._buckets.setdefault(user_id, app_commands.Cooldown(self.rate, self.per))
        return bucket.update_rate_limit(now)


@dataclass(frozen=True)
class Query:
    """What a button needs to redo a search: the kind ("ask" or "film") and its text."""

    kind: str
    text: str
    created: float


class QueryCache:
    """Button state: a short random key in the button's custom id points here. Entries live for
    ``ttl`` seconds; after that (or a restart) the buttons answer politely that they expired.

    Expired entries are dropped as new ones come (oldest first: entries are kept in the order
    they were made), and at most ``max_items`` entries and ``max_chars`` characters of question
    are kept (about 10 MB), whatever the rate of questions; past that the oldest buttons
    expire early."""

    def __init__(self, ttl: float, max_items: int = 20_000, max_chars: int = 8_000_000) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self.max_chars = max_chars
        self._items: OrderedDict[str, Query] = OrderedDict()
        self._chars = 0

    def put(self, kind: str, text: str) -> str:
        key = secrets.token_hex(6)
        # the engine reads no further; a 6,000-character /ask option would cost 3 times more
        query = Query(kind, text[:MAX_QUESTION_CHARS], time.monotonic())
        self._items[key] = query
        self._chars += len(query.text)
        expired = query.created - self.ttl
        while self._items and (
            len(self._items) > self.max_items
            or self._chars > self.max_chars
            or next(iter(self._items.values())).created < expired
        ):
            self._chars -= len(self._items.popitem(last=False)[1].text)
        return key

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> Query | None:
        query = self._items.get(key)
        if query is None:
            return None
        if time.monotonic() - query.created > self.ttl:
            del self._items[key]
            self._chars -= len(query.text)
            return None
        return query


@dataclass(frozen=True)
class ReindexOutcome:
    """How the last reindex in this process went, for ``/status``."""

    at: float  # time.time()
    ok: bool
    text: str  # what changed, or why it failed


class Alerted:
    """The problems the admins were told about, so that each is posted once until the index is
    good again (then the same problem, should it come back, is news again). At most
    ``max_items`` are remembered, the oldest forgotten first."""

    def __init__(self, max_items: int = 100) -> None:
        self.max_items = max_items
        self._texts: OrderedDict[str, None] = OrderedDict()

    def first_time(self, text: str) -> bool:
        """True the first time ``text`` is seen since the last ``clear`` (and remember it)."""
        if text in self._texts:
            return False
        self._texts[text] = None
        while len(self._texts) > self.max_items:
            self._texts.popitem(last=False)
        return True

    def clear(self) -> None:
        self._texts.clear()
