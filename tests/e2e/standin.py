"""A small Discord stand-in for end-to-end tests: gateway websocket + REST API v10 on 127.0.0.1.

It speaks just enough of Discord for discord.py to log in, connect (HELLO, IDENTIFY -> READY,
GUILD_CREATE, heartbeats, RESUME), sync application commands and answer messages and
interactions. Every request is recorded, and every request body is validated against Discord's
published OpenAPI schema (``spec/``), plus the documented limits the schema cannot express
(``message_limits``): a refused body gets Discord's 400 (50035 Invalid Form Body, its errors by
field) and is a violation, as is a message without ``allowed_mentions`` parsing nothing. Every
test fails on a violation (``conftest.py``). What it promises and does not model: ``README.md``.

The server runs on its own event loop in a background thread so tests stay plain synchronous
functions: they inject gateway events (``send_message``, ``slash``, ``autocomplete``, ``click``)
and wait for what the bot does with ``wait_for``.

Like Discord, it keeps each session's events and replays the ones the bot missed when it
RESUMEs; events for a dropped but resumable session wait for the RESUME. Faults, for the
robustness tests (each is one call, documented on the method):

- ``fail_requests``: the next matching REST calls answer 5xx or 429 (with ``retry_after``),
  before or after doing what was asked (the ambiguous failure a retry must not duplicate);
- ``drop_gateway``: close every connection now, with a close code or as a dead TCP link (1006);
- ``drop_after_dispatch``: close the connection right after (or instead of) sending the next
  event of a kind, e.g. in the middle of a MESSAGE_CREATE or INTERACTION_CREATE;
- ``duplicate_next_dispatch``: deliver the next event of a kind twice;
- ``refuse_gateway``: refuse new gateway connections for a while (an outage).

Messages created with ``enforce_nonce`` are deduplicated by nonce, as Discord does, and every
message is checked for whom it would ping (``would_ping``; a ping is a violation).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from aiohttp import WSMsgType, web

from .spec.contract import DiscordContract, SpecError, discord_errors

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = "/api/v10"

# Gateway opcodes and intents (https://discord.com/developers/docs/topics/gateway).
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE = 0, 1, 2, 3
OP_RESUME, OP_RECONNECT, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 6, 7, 9, 10, 11
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
PRIVILEGED_INTENTS = INTENT_MESSAGE_CONTENT | INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES

PERM_ADMINISTRATOR = 1 << 3
# the app's permissions in its DM with a user: ATTACH_FILES, EMBED_LINKS, MENTION_EVERYONE and
# USE_EXTERNAL_EMOJIS (the interaction object's ``app_permissions``, in Discord's docs)
PERM_BOT_DM = (1 << 15) | (1 << 14) | (1 << 17) | (1 << 18)
PERM_MANAGE_GUILD = 1 << 5
PERM_EVERYONE = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31)
ALL_PERMISSIONS = (1 << 50) - 1

# interaction context types: where the interaction happened
CONTEXT_GUILD, CONTEXT_BOT_DM = 0, 1
# the fields of a guild channel in an interaction ("partial channel"), besides its permissions
PARTIAL_CHANNEL_FIELDS = (
    "id",
    "type",
    "name",
    "guild_id",
    "position",
    "parent_id",
    "nsfw",
    "topic",
    "rate_limit_per_user",
    "last_message_id",
    "flags",
)

EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Discord's documented limits that its OpenAPI schema does not express (the schema's own limits,
# an embed's description 4096 and the like, are checked by ``spec.contract``). Content: the spec
# allows a message 4,000 characters (with Nitro); a bot gets 2,000.
# https://discord.com/developers/docs/resources/message#embed-object-embed-limits
LIMITS = {
    "content": 2000,
    "embed.total": 6000,  # title, description, field names and values, footer, author: together
    "components.rows": 5,  # action rows, unless the message uses components v2 (flag 1 << 15)
    "choice.value": 100,  # an autocomplete choice's string value (the spec says 6,000)
    "commands": 100,  # chat-input commands in one scope
}
COMPONENTS_V2 = 1 << 15


BODY = web.RequestKey("body", object)
RECORD = web.RequestKey("record", object)


class _Ids:
    """Real-looking snowflakes (time-based, increasing) so ``created_at`` makes sense."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
            return (ms << 22) | (next(self._counter) & 0x3FFFFF)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Recorded:
    """One HTTP request the bot made, and what the stand-in answered."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorized: bool
    status: int = 0
    response: Any = None
    at: float = field(default_factory=time.monotonic)
    injected: bool = False  # the status came from ``fail_requests``
    deduplicated: bool = False  # a message create answered with the message its nonce made
    created: str | None = None  # the id of the message this request created


@dataclass
class HttpFault:
    """``fail_requests``: statuses the next matching requests get, one each."""

    pattern: re.Pattern[str]
    method: str | None
    statuses: list[int]
    applied: bool
    retry_after: float
    hits: list[Recorded] = field(default_factory=list)


@dataclass
class SlowRequests:
    """``slow_requests``: the next ``count`` matching requests are answered ``seconds`` late."""

    pattern: re.Pattern[str]
    seconds: float
    count: int


@dataclass
class DispatchFault:
    """``drop_after_dispatch``/``duplicate_next_dispatch``: what to do at the next ``event``."""

    event: str
    action: str  # "drop-after", "drop-before" or "duplicate"
    code: int | None


# Close codes after which Discord does not let the session RESUME (4007 bad seq, 4009 timeout).
UNRESUMABLE_CLOSE_CODES = {4007, 4009}
REPLAY_BUFFER = 2000  # events kept per session for RESUME
LATE_DELIVERY = 1.5  # seconds after creation: less than this left of the 3 is not the bot's fault


@dataclass
class InteractionRecord:
    """An interaction the test injected and everything the bot did with it."""

    id: int
    token: str
    type: int
    payload: dict
    created: float = field(default_factory=time.monotonic)
    delivered: float | None = None  # when the bot's connection first carried it
    callbacks: list[dict] = field(default_factory=list)  # callback bodies: {"type", "data"}
    callback_at: float | None = None
    original: dict | None = None  # the message the response created (updated by edits)
    followups: list[dict] = field(default_factory=list)
    edits: list[dict] = field(default_factory=list)  # bodies of PATCHes to @original
    errors: list[dict] = field(default_factory=list)  # 4xx the stand-in answered for it

    @property
    def delivered_late(self) -> bool:
        """Carried to the bot too late for it to answer in time (held for a RESUME behind a
        slow reconnect): Discord's 3 seconds run from creation, as here, so the bot can only
        get "Unknown interaction", as it would from Discord."""
        return self.delivered is None or self.delivered - self.created > LATE_DELIVERY


@dataclass
class Session:
    """One gateway connection (one shard). A RESUME makes a new ``Session`` that takes over the
    old one's id, sequence and event buffer."""

    ws: web.WebSocketResponse
    compress: bool
    session_id: str = ""
    shard: tuple[int, int] = (0, 1)
    intents: int = 0
    seq: int = 0
    identified: bool = False
    compressor: Any = None
    heartbeats: int = 0
    transport: Any = None  # for dropping the TCP link without a close frame (1006)
    dropped: bool = False  # closed by the stand-in: events wait in ``buffer`` for a RESUME
    resumable: bool = True
    buffer: collections.deque = field(
        default_factory=lambda: collections.deque(maxlen=REPLAY_BUFFER)
    )
    owner: Any = None  # the DiscordStandIn, for dispatch faults

    @property
    def live(self) -> bool:
        return not self.dropped and not self.ws.closed

    async def send(self, payload: dict) -> None:
        data = json.dumps(payload)
        if self.compress:
            chunk = self.compressor.compress(data.encode()) + self.compressor.flush(
                zlib.Z_SYNC_FLUSH
            )
            await self.ws.send_bytes(chunk)
        else:
            await self.ws.send_str(data)
        if payload.get("t") == "INTERACTION_CREATE" and self.owner is not None:
            self.owner.mark_delivered(int(payload["d"]["id"]))

    async def dispatch(self, event: str, data: dict) -> None:
        """Number and keep the event (for RESUME); send it if the connection is up."""
        self.seq += 1
        payload = {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data}
        self.buffer.append(payload)
        fault = self.owner.take_dispatch_fault(event) if self.owner else None
        if fault is not None and fault.action == "drop-before":
            await self.owner.close_session(self, fault.code)
            return
        if self.live:
            # if the link dies under us the event stays in the buffer for the RESUME
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.send(payload)
        if fault is not None and fault.action == "drop-after":
            await self.owner.close_session(self, fault.code)
        elif fault is not None and fault.action == "duplicate":
            await self.dispatch(event, data)


class LimitError(Exception):
    """A payload Discord would refuse, with Discord's error code 50035 (Invalid Form Body)."""


def check_message_payload(body: dict, *, require_something: bool = True) -> list[str]:
    """Everything Discord would refuse in a message body: its published schema (as
    ``MessageCreateRequest``) and the documented rules the schema cannot express."""
    spec = [str(e) for e in DiscordContract.load().check_schema("MessageCreateRequest", body)]
    return spec + message_limits(body, require_something=require_something)


def message_limits(body: dict, *, require_something: bool = True) -> list[str]:
    """What Discord refuses in a message beyond its schema: 2,000 characters of content, 6,000
    across the embeds, empty field names or values, an embed link that is not http(s), more
    than 5 action rows, a custom_id used twice, a message with nothing in it."""
    problems: list[str] = []
    content = body.get("content")
    if content is not None and len(content) > LIMITS["content"]:
        problems.append(f"content: Must be {LIMITS['content']} or fewer in length.")
    embeds = body.get("embeds") or []
    total = 0
    for i, embed in enumerate(embeds):
        total += len(embed.get("title") or "") + len(embed.get("description") or "")
        for j, fld in enumerate(embed.get("fields") or []):
            name, value = fld.get("name") or "", fld.get("value") or ""
            total += len(name) + len(value)
            if not name.strip() or not value.strip():
                problems.append(f"embeds.{i}.fields.{j}: name and value must not be empty")
        total += len((embed.get("footer") or {}).get("text") or "")
        total += len((embed.get("author") or {}).get("name") or "")
        problems += [f"embeds.{i}.{where}: {problem}" for where, problem in _embed_schemes(embed)]
    if total > LIMITS["embed.total"]:
        problems.append(f"embeds: {total} characters in all > {LIMITS['embed.total']}")
    rows = body.get("components") or []
    if len(rows) > LIMITS["components.rows"] and not int(body.get("flags") or 0) & COMPONENTS_V2:
        problems.append(f"components: {len(rows)} rows > {LIMITS['components.rows']}")
    ids = [
        item["custom_id"]
        for row in rows
        for item in row.get("components") or []
        if item.get("custom_id") is not None
    ]
    problems += [
        f"components: duplicate custom_id {i}" for i in sorted(set(ids)) if ids.count(i) > 1
    ]
    if require_something and not (content or embeds or rows or body.get("attachments")):
        problems.append("Cannot send an empty message")
    return problems


def _embed_schemes(embed: dict) -> list[tuple[str, str]]:
    """Discord's schema says only "uri" for an embed's links; Discord takes http(s) (and an
    ``attachment://`` file for its pictures)."""
    links = [
        ("url", embed.get("url"), False),
        ("author.url", (embed.get("author") or {}).get("url"), False),
    ]
    links += [
        (f"{key}.url", (embed.get(key) or {}).get("url"), True) for key in ("image", "thumbnail")
    ]
    found = []
    for where, url, pictures in links:
        scheme = str(url).split(":", 1)[0].lower() if url else ""
        allowed = ("http", "https", "attachment") if pictures else ("http", "https")
        if url and scheme not in allowed:
            found.append(
                (where, f"Scheme {scheme!r} is not supported. Scheme must be one of {allowed}.")
            )
    return found


def _offered_in(command: dict, context: int) -> bool:
    """Whether Discord shows a global command in that interaction context."""
    contexts = command.get("contexts")
    if contexts is not None:
        return context in contexts
    return context != CONTEXT_BOT_DM or command.get("dm_permission") is not False


def check_allowed_mentions(body: dict) -> str | None:
    """Every message must go out with mentions disabled: allowed_mentions present, parse empty."""
    allowed = body.get("allowed_mentions")
    if allowed is None:
        return "allowed_mentions missing"
    if allowed.get("parse"):
        return f"allowed_mentions.parse = {allowed['parse']}"
    if allowed.get("users") or allowed.get("roles"):
        return f"allowed_mentions lists ids: {allowed}"
    if allowed.get("replied_user"):
        return "allowed_mentions.replied_user is true"
    return None


MENTION_RE = re.compile(r"<@!?(\d+)>|<@&(\d+)>|@(everyone|here)\b")


def would_ping(body: dict, replied_author: str | None = None) -> list[str]:
    """Whom Discord would notify for this message: the mentions in ``content`` (embeds never
    ping) that ``allowed_mentions`` lets through, and the author of the message replied to.
    Without ``allowed_mentions`` Discord parses every kind and pings the replied-to author."""
    allowed = body.get("allowed_mentions")
    if allowed is None:
        parse, users, roles, replied = {"users", "roles", "everyone"}, set(), set(), True
    else:
        parse = set(allowed.get("parse") or [])
        users = {str(u) for u in allowed.get("users") or []}
        roles = {str(r) for r in allowed.get("roles") or []}
        replied = bool(allowed.get("replied_user"))
    pinged = []
    for match in MENTION_RE.finditer(body.get("content") or ""):
        user, role, everyone = match.groups()
        if user and ("users" in parse or user in users):
            pinged.append(f"user {user}")
        elif role and ("roles" in parse or role in roles):
            pinged.append(f"role {role}")
        elif everyone and "everyone" in parse:
            pinged.append(f"@{everyone}")
    if replied_author and replied:
        pinged.append(f"replied-to author {replied_author}")
    return pinged


class DiscordStandIn:
    """The fake Discord. Start with ``start()``; tests talk to it from their own thread."""

    TOKEN = "standin.bot.token-NOT-A-SECRET"
    # every stand-in started and not yet checked (``new_violations``) by the e2e fixture that
    # fails each test on what the bot did wrong while it ran
    running: ClassVar[list[DiscordStandIn]] = []

    def __init__(
        self,
        *,
        message_content_allowed: bool = True,
        shards: int = 1,
        guild_count: int = 1,
        max_concurrency: int = 1,
        contract: DiscordContract | None = None,
    ) -> None:
        """``contract``: the API the stand-in holds requests to (Discord's published one unless
        a test tightens it)."""
        self.ids = _Ids()
        self.message_content_allowed = message_content_allowed
        self.recommended_shards = shards
        self.max_concurrency = max_concurrency
        self.application_id = self.ids.next()
        self.bot_user = self._user("Mission Briefing", bot=True, user_id=self.application_id)
        self.users: dict[str, dict] = {
            name: self._user(name) for name in ("alice", "bob", "carol", "dave", "mallory")
        }
        self.users["otherbot"] = self._user("otherbot", bot=True)
        self.guilds: list[dict] = []
        self.channels: dict[int, dict] = {}
        self.dm_channels: dict[int, dict] = {}  # user id -> DM channel
        self.members: dict[tuple[int, int], dict] = {}  # (guild id, user id) -> member
        for n in range(guild_count):
            # guild n lands on shard n % shards: (id >> 22) % shard_count picks the shard
            self._make_guild(f"Briefing Room {n + 1}" if n else "Briefing Room", n % shards, shards)
        self.guild = self.guilds[0]
        self.roles = {r["name"]: r for r in self.guild["roles"]}
        self.channel = {c["name"]: c for c in self.guild["channels"]}

        self.contract = contract or DiscordContract.load()
        self.requests: list[Recorded] = []
        # bodies Discord would refuse (its schema, its other limits), pings, late responses
        self.violations: list[str] = []
        self.violations_reported = 0  # how many of them a test has already failed on
        self.stopped = False
        self.messages: dict[int, dict] = {}  # every message that exists, by id
        self.interactions: dict[int, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}
        self.commands: dict[int | None, list[dict]] = {}  # guild id (None: global) -> commands
        self.attachments: dict[int, tuple[str, bytes]] = {}
        self.sessions: list[Session] = []
        self.closed_sessions: list[str] = []
        self.identify_payloads: list[dict] = []
        self.identify_times: list[float] = []
        self.resume_payloads: list[dict] = []
        self.pings: list[str] = []  # whom a message would have notified (also a violation)
        self.lost_events: list[tuple[str, str]] = []  # (event, message or interaction id)
        self._known_sessions: dict[str, Session] = {}
        self._http_faults: list[HttpFault] = []
        self._slow_requests: list[SlowRequests] = []
        self._dispatch_faults: list[DispatchFault] = []
        self._nonces: dict[tuple[int, str], int] = {}  # (channel, nonce) -> message id
        self._refuse_gateway_until = 0.0
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----------------------------------------------------------------- world
    def _user(self, name: str, *, bot: bool = False, user_id: int | None = None) -> dict:
        return {
            "id": str(user_id or self.ids.next()),
            "username": name,
            "global_name": name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }

    def _make_guild(self, name: str, shard: int = 0, shards: int = 1) -> dict:
        gid = self.ids.next()
        ms = (gid >> 22) - (gid >> 22) % shards + shard
        gid = (ms << 22) | (gid & 0x3FFFFF)
        roles = [
            self._role(gid, "@everyone", PERM_EVERYONE, 0),
            self._role(self.ids.next(), "Moderators", PERM_EVERYONE | PERM_MANAGE_GUILD, 1),
            self._role(self.ids.next(), "Briefers", PERM_EVERYONE, 2),
            self._role(self.ids.next(), "Regulars", PERM_EVERYONE, 3),
        ]
        channels = []
        for pos, cname in enumerate(("general", "briefing", "random")):
            ch = {
                "id": str(self.ids.next()),
                "type": 0,
                "name": cname,
                "position": pos,
                "guild_id": str(gid),
                "permission_overwrites": [],
                "nsfw": False,
                "topic": None,
                "parent_id": None,
                "rate_limit_per_user": 0,
                "last_message_id": None,
                "flags": 0,
            }
            channels.append(ch)
            self.channels[int(ch["id"])] = ch
        role_of = {"bob": "Moderators", "carol": "Briefers", "alice": "Regulars"}
        members = []
        for uname, user in [*self.users.items(), ("bot", self.bot_user)]:
            rid = [r["id"] for r in roles if r["name"] == role_of.get(uname)]
            member = {
                "user": user,
                "roles": rid,
                "nick": None,
                "joined_at": _now_iso(),
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
                "avatar": None,
                "banner": None,
                "premium_since": None,
                "communication_disabled_until": None,
            }
            members.append(member)
            self.members[(gid, int(user["id"]))] = member
        guild = {
            "id": str(gid),
            "name": name,
            "icon": None,
            "owner_id": str(self.ids.next()),  # nobody in the tests owns the server
            "roles": roles,
            "channels": channels,
            "members": members,
            "member_count": len(members),
            "large": False,
            "unavailable": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "voice_states": [],
            "presences": [],
            "preferred_locale": "en-US",
            "joined_at": _now_iso(),
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "system_channel_flags": 0,
            "afk_timeout": 300,
            # the rest of what Discord's guild object always has, none of it used here
            **dict.fromkeys(
                (
                    "description home_header splash discovery_splash banner application_id "
                    "afk_channel_id system_channel_id widget_channel_id max_presences "
                    "vanity_url_code rules_channel_id safety_alerts_channel_id "
                    "public_updates_channel_id incidents_data"
                ).split()
            ),
            "region": "deprecated",
            "widget_enabled": False,
            "max_members": 500000,
            "max_stage_video_channel_users": 50,
            "max_video_channel_users": 25,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "nsfw": False,
        }
        self.guilds.append(guild)
        return guild

    @staticmethod
    def _role(rid: int, name: str, permissions: int, position: int) -> dict:
        return {
            "id": str(rid),
            "name": name,
            "permissions": str(permissions),
            "position": position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }

    def member_permissions(self, guild: dict, member: dict) -> int:
        perms = 0
        for role in guild["roles"]:
            if role["id"] == guild["id"] or role["id"] in member["roles"]:
                perms |= int(role["permissions"])
        if int(member["user"]["id"]) == int(guild["owner_id"]) or perms & PERM_ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def dm_channel(self, user: dict) -> dict:
        uid = int(user["id"])
        if uid not in self.dm_channels:
            cid = self.ids.next()
            ch = {
                "id": str(cid),
                "type": 1,
                "recipients": [user],
                "last_message_id": None,
                "flags": 0,
            }
            self.dm_channels[uid] = ch
            self.channels[cid] = ch
        return self.dm_channels[uid]

    # ------------------------------------------------------------ lifecycle
    def start(self) -> DiscordStandIn:
        """Start the server in a background thread; returns once it listens."""
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._start_server())
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._stop_server())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="discord-standin", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("stand-in did not start")
        DiscordStandIn.running.append(self)
        return self

    def stop(self) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self.stopped = True

    def answers_unlike_discord(self, per_operation: int = 20) -> list[str]:
        """Where the stand-in's own REST answers lack what Discord's spec says Discord's have
        (a stand-in bug: the bot was tested against something Discord does not send). The
        first ``per_operation`` answers of each operation and status are read: one piece of
        code makes them all."""
        with self._cond:
            answered = [r for r in self.requests if 200 <= r.status < 300 and r.response]
        seen: collections.Counter[tuple[str, int]] = collections.Counter()
        wrong: dict[str, None] = {}
        for r in answered:
            op = self.contract.operation(r.method, r.path)
            key = (op.operation_id if op else r.path, r.status)
            seen[key] += 1
            if seen[key] > per_operation:
                continue
            for error in self.contract.check_response(r.method, r.path, r.status, r.response):
                wrong[f"{r.method} {key[0]} {r.status}: {error}"] = None
        return list(wrong)

    def new_violations(self) -> list[str]:
        """The violations recorded since the last call (each is reported once)."""
        with self._cond:
            new = self.violations[self.violations_reported :]
            self.violations_reported = len(self.violations)
        return new

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def _start_server(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024, middlewares=[self._record])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{id}/{name:.*}", self._attachment)
        r = app.router
        p = API_PREFIX
        r.add_get(p + "/gateway", self._get_gateway)
        r.add_get(p + "/gateway/bot", self._get_gateway_bot)
        r.add_get(p + "/users/@me", self._get_me)
        r.add_get(p + "/applications/@me", self._get_application)
        r.add_get(p + "/oauth2/applications/@me", self._get_application)
        r.add_get(p + "/applications/{app}/commands", self._get_commands)
        r.add_put(p + "/applications/{app}/commands", self._put_commands)
        r.add_get(p + "/applications/{app}/guilds/{guild}/commands", self._get_commands)
        r.add_put(p + "/applications/{app}/guilds/{guild}/commands", self._put_commands)
        r.add_post(p + "/channels/{channel}/messages", self._post_message)
        r.add_get(p + "/channels/{channel}/messages/{message}", self._get_message)
        r.add_patch(p + "/channels/{channel}/messages/{message}", self._patch_message)
        r.add_delete(p + "/channels/{channel}/messages/{message}", self._delete_message)
        r.add_post(p + "/channels/{channel}/typing", self._no_content)
        r.add_put(p + "/channels/{channel}/messages/{message}/reactions/{emoji}/@me", self._react)
        r.add_post(p + "/users/@me/channels", self._create_dm)
        r.add_post(p + "/interactions/{id}/{token}/callback", self._interaction_callback)
        r.add_post(p + "/webhooks/{app}/{token}", self._post_followup)
        r.add_get(p + "/webhooks/{app}/{token}/messages/{message}", self._get_webhook_message)
        r.add_patch(p + "/webhooks/{app}/{token}/messages/{message}", self._patch_webhook_message)
        r.add_delete(p + "/webhooks/{app}/{token}/messages/{message}", self._delete_webhook_msg)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _stop_server(self) -> None:
        for session in list(self.sessions):
            await session.ws.close()
        if self._runner:
            await self._runner.cleanup()

    # -------------------------------------------------------- test helpers
    def _notify(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "") -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every request); return its value."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out waiting for {what or predicate}")
                self._cond.wait(min(remaining, 0.05))

    def _run(self, coro: Any) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def messages_in(self, channel: dict | int) -> list[dict]:
        cid = str(channel["id"] if isinstance(channel, dict) else channel)
        return [m for m in self.messages.values() if m["channel_id"] == cid]

    def replies_to(self, message: dict) -> list[dict]:
        return [
            m
            for m in self.messages.values()
            if (m.get("message_reference") or {}).get("message_id") == message["id"]
        ]

    def add_attachment(
        self,
        filename: str,
        data: bytes,
        content_type: str = "text/plain",
        size: int | None = None,
    ) -> dict:
        """Host a file the way Discord's CDN would and return the attachment object
        (``size`` overrides the size Discord reports, to test limits without big files)."""
        aid = self.ids.next()
        self.attachments[aid] = (filename, data)
        # The CDN path uses a tamed name (as Discord's does); ``filename`` stays as given, since
        # the bot must not trust it.
        url = f"{self.base_url}/attachments/{aid}/{re.sub(r'[^A-Za-z0-9._-]', '_', filename)}"
        return {
            "id": str(aid),
            "filename": filename,
            "size": len(data) if size is None else size,
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    def send_message(
        self,
        content: str,
        *,
        author: str = "alice",
        channel: str | dict | None = "general",
        mentions_bot: bool = False,
    ) -> dict:
        """Inject a MESSAGE_CREATE; ``channel=None`` sends it as a DM to the bot."""
        user = self.users[author]
        if channel is None:
            ch = self.dm_channel(user)
            guild = None
        else:
            ch = self.channel[channel] if isinstance(channel, str) else channel
            guild = next(g for g in self.guilds if g["id"] == ch["guild_id"])
        mentions = [self._mentioned(self.bot_user, guild)] if mentions_bot else []
        msg = self._message(ch, user, content, guild=guild, mentions=mentions)
        msg["mention_everyone"] = "@everyone" in content or "@here" in content
        if guild is not None:
            msg["member"] = self._mentioned(user, guild)["member"]
        with self._cond:
            self.messages[int(msg["id"])] = msg
        self._run(self._dispatch_message(msg, guild))
        return msg

    def _mentioned(self, user: dict, guild: dict | None) -> dict:
        """A user as a guild message's ``mentions`` carry one: with ``member`` (its member
        object without the user) in a server, the bare user in a DM."""
        if guild is None:
            return user
        member = dict(self.members[(int(guild["id"]), int(user["id"]))])
        member.pop("user", None)
        return {**user, "member": member}

    def _no_session(self, what: str, ident: str) -> None:
        """No connection can carry the event: between a session Discord will not resume and the
        next IDENTIFY, Discord drops it (recorded in ``lost_events``); before the bot ever
        connected, the test is wrong."""
        if not self._known_sessions:
            raise RuntimeError("no gateway session for that guild")
        with self._cond:
            self.lost_events.append((what, ident))

    async def _dispatch_message(self, msg: dict, guild: dict | None) -> None:
        session = self._session_for(guild)
        if session is None:
            self._no_session("MESSAGE_CREATE", msg["id"])
            return
        need = INTENT_GUILD_MESSAGES if guild else INTENT_DIRECT_MESSAGES
        if not session.intents & need:
            return
        data = dict(msg)
        mentioned = any(u["id"] == self.bot_user["id"] for u in msg["mentions"])
        if guild is not None and not session.intents & INTENT_MESSAGE_CONTENT and not mentioned:
            data.update(content="", embeds=[], attachments=[], components=[])
        await session.dispatch("MESSAGE_CREATE", data)

    def _session_for(self, guild: dict | None) -> Session | None:
        """The connection carrying ``guild`` (None: DMs, shard 0); while it is down, the dropped
        session that may still RESUME (its events are kept for the replay)."""
        live = [s for s in self.sessions if s.identified]
        waiting = [s for s in reversed(self._known_sessions.values()) if s.resumable]
        for s in live + waiting:
            shard_id, count = s.shard
            if guild is None and shard_id == 0:
                return s
            if guild is not None and (int(guild["id"]) >> 22) % count == shard_id:
                return s
        return None

    def _interaction_base(self, itype: int, user: str, channel: str | dict | None) -> dict:
        """The fields every interaction carries, as Discord sends them to a guild-installed app
        (https://discord.com/developers/docs/interactions/receiving-and-responding): in a
        server ``member`` (with its ``permissions``), a partial ``guild`` and channel and
        ``authorizing_integration_owners`` naming the guild; in the DM with the bot ``user``,
        the DM channel, context 1 (BOT_DM) and ``{"0": "0"}``."""
        uobj = self.users[user]
        iid = self.ids.next()
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": f"itoken-{iid}",
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if channel is None:
            ch = self.dm_channel(uobj)
            payload.update(
                channel_id=ch["id"],
                channel=ch,
                user=uobj,
                context=CONTEXT_BOT_DM,
                authorizing_integration_owners={"0": "0"},
                app_permissions=str(PERM_BOT_DM),
            )
            return payload
        ch = self.channel[channel] if isinstance(channel, str) else channel
        guild = next(g for g in self.guilds if g["id"] == ch["guild_id"])
        member = dict(self.members[(int(guild["id"]), int(uobj["id"]))])
        member["permissions"] = str(self.member_permissions(guild, member))
        me = self.members[(int(guild["id"]), int(self.bot_user["id"]))]
        partial = {k: ch[k] for k in PARTIAL_CHANNEL_FIELDS if k in ch}
        payload.update(
            guild_id=guild["id"],
            channel_id=ch["id"],
            channel={**partial, "permissions": member["permissions"]},
            member=member,
            guild={"id": guild["id"], "locale": guild["preferred_locale"], "features": []},
            guild_locale=guild["preferred_locale"],
            context=CONTEXT_GUILD,
            authorizing_integration_owners={"0": guild["id"]},
            app_permissions=str(self.member_permissions(guild, me)),
        )
        return payload

    def _command(self, name: str, guild_id: str | None) -> dict:
        """The command called ``name`` as Discord offers it there: in a server its own commands,
        then the global ones allowed in servers; in the DM with the bot only global commands
        allowed in DMs (``contexts`` with 1, or unset with ``dm_permission`` not false)."""
        local = self.commands.get(int(guild_id), []) if guild_id else []
        scoped = [c for c in local if c["name"] == name]
        context = CONTEXT_GUILD if guild_id else CONTEXT_BOT_DM
        scoped += [
            c for c in self.commands.get(None, []) if c["name"] == name and _offered_in(c, context)
        ]
        if not scoped:
            where = f"guild {guild_id}" if guild_id else "DMs"
            raise KeyError(f"Discord offers no command named {name!r} in {where}")
        return scoped[0]

    def _command_data(
        self, name: str, options: dict[str, Any], focused: str | None, guild_id: str | None
    ) -> dict:
        """Build ``data`` for a slash command from what the bot registered (types included):
        options as the user filled them in, attachments in ``resolved``."""
        parts = name.split()
        cmd = self._command(parts[0], guild_id)
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        resolved: dict[str, dict] = {}
        schema = cmd.get("options") or []
        holder = data
        for sub in parts[1:]:
            sub_schema = next(o for o in schema if o["name"] == sub)
            sub_opt: dict[str, Any] = {"name": sub, "type": sub_schema["type"], "options": []}
            holder["options"] = [sub_opt]
            holder, schema = sub_opt, sub_schema.get("options") or []
        opts = []
        for key, value in options.items():
            spec = next(o for o in schema if o["name"] == key)
            if spec["type"] == 11:  # attachment: value is the id, the object goes in resolved
                resolved.setdefault("attachments", {})[value["id"]] = {**value, "ephemeral": True}
                value = value["id"]
            opt = {"name": key, "type": spec["type"], "value": value}
            if key == focused:
                opt["focused"] = True
            opts.append(opt)
        holder["options"] = opts
        if resolved:
            data["resolved"] = resolved
        return data

    def _inject(self, payload: dict) -> InteractionRecord:
        rec = InteractionRecord(
            id=int(payload["id"]), token=payload["token"], type=payload["type"], payload=payload
        )
        with self._cond:
            self.interactions[rec.id] = rec
            self._by_token[rec.token] = rec
        guild = next((g for g in self.guilds if g["id"] == payload.get("guild_id")), None)

        async def go() -> None:
            session = self._session_for(guild)
            if session is None:
                self._no_session("INTERACTION_CREATE", payload["id"])
                return
            await session.dispatch("INTERACTION_CREATE", payload)

        self._run(go())
        return rec

    def mark_delivered(self, interaction_id: int) -> None:
        with self._cond:
            rec = self.interactions.get(interaction_id)
            if rec is not None and rec.delivered is None:
                rec.delivered = time.monotonic()

    def slash(
        self, name: str, *, user: str = "alice", channel: str | dict | None = "general", **options
    ) -> InteractionRecord:
        """Inject a slash command (type 2); ``name`` may be ``"sources add"`` for a subcommand."""
        payload = self._interaction_base(2, user, channel)
        payload["data"] = self._command_data(name, options, None, payload.get("guild_id"))
        return self._inject(payload)

    def slash_unknown(
        self, name: str, *, user: str = "alice", channel: str | dict | None = "general"
    ) -> InteractionRecord:
        """A command the bot does not (or no longer) define, as after a stale deploy."""
        payload = self._interaction_base(2, user, channel)
        payload["data"] = {"id": str(self.ids.next()), "name": name, "type": 1, "options": []}
        return self._inject(payload)

    def autocomplete(
        self,
        name: str,
        option: str,
        value: str,
        *,
        user: str = "alice",
        channel: str | dict | None = "general",
    ) -> InteractionRecord:
        """Inject an autocomplete request (type 4) for ``option`` typed so far as ``value``."""
        payload = self._interaction_base(4, user, channel)
        payload["data"] = self._command_data(name, {option: value}, option, payload.get("guild_id"))
        return self._inject(payload)

    def click(self, message: dict, custom_id: str, *, user: str = "alice") -> InteractionRecord:
        """Inject a button click (type 3) on a message the bot sent."""
        ch = self.channels[int(message["channel_id"])]
        payload = self._interaction_base(3, user, None if ch["type"] == 1 else ch)
        payload["message"] = message
        payload["data"] = {"custom_id": custom_id, "component_type": 2}
        return self._inject(payload)

    def force_reconnect(self) -> None:
        """Ask every shard to reconnect (op 7), as Discord does during maintenance."""

        async def go() -> None:
            for s in list(self.sessions):
                await s.send({"op": OP_RECONNECT, "d": None})

        self._run(go())

    # -------------------------------------------------------------- faults
    def fail_requests(
        self,
        pattern: str,
        statuses: list[int],
        *,
        method: str | None = None,
        applied: bool = False,
        retry_after: float = 0.25,
    ) -> HttpFault:
        """The next ``len(statuses)`` REST calls whose path matches ``pattern`` (a regex, searched)
        and ``method`` answer those statuses, one each, then calls go through again. A 429 carries
        ``retry_after`` seconds, as Discord's rate limits do. ``applied=True`` does the work
        first and answers the error anyway (a gateway timeout after the write: the message exists
        though the bot was told it failed). The returned fault lists the requests it hit."""
        fault = HttpFault(re.compile(pattern), method, list(statuses), applied, retry_after)
        with self._cond:
            self._http_faults.append(fault)
        return fault

    def slow_requests(self, pattern: str, seconds: float, count: int = 1) -> None:
        """The next ``count`` REST calls whose path matches ``pattern`` are recorded at once and
        answered ``seconds`` later (a slow Discord: the bot's request is in flight meanwhile)."""
        with self._cond:
            self._slow_requests.append(SlowRequests(re.compile(pattern), seconds, count))

    def _take_slowness(self, path: str) -> float:
        with self._cond:
            for slow in self._slow_requests:
                if slow.pattern.search(path):
                    slow.count -= 1
                    if not slow.count:
                        self._slow_requests.remove(slow)
                    return slow.seconds
        return 0.0

    def drop_gateway(self, code: int | None = 4000) -> None:
        """Close every gateway connection now: with close ``code``, or ``None`` for a dead TCP
        link (no close frame: the bot sees 1006). After 4007/4009 the session cannot RESUME."""

        async def go() -> None:
            for session in list(self.sessions):
                await self.close_session(session, code)

        self._run(go())

    def drop_after_dispatch(self, event: str, code: int | None = 4000, *, before: bool = False):
        """Close the connection that sends the next ``event`` (e.g. "MESSAGE_CREATE") right after
        sending it, or, with ``before=True``, instead of sending it (the bot gets it only if it
        RESUMEs). ``code`` as in ``drop_gateway``."""
        action = "drop-before" if before else "drop-after"
        with self._cond:
            self._dispatch_faults.append(DispatchFault(event, action, code))

    def duplicate_next_dispatch(self, event: str) -> None:
        """Deliver the next ``event`` twice (two sequence numbers, the same data)."""
        with self._cond:
            self._dispatch_faults.append(DispatchFault(event, "duplicate", None))

    def refuse_gateway(self, seconds: float) -> None:
        """Answer gateway connection attempts with 503 for ``seconds`` (an outage)."""
        self._refuse_gateway_until = time.monotonic() + seconds

    def take_dispatch_fault(self, event: str) -> DispatchFault | None:
        with self._cond:
            for fault in self._dispatch_faults:
                if fault.event == event:
                    self._dispatch_faults.remove(fault)
                    return fault
        return None

    def _take_http_fault(self, method: str, path: str) -> tuple[HttpFault, int] | None:
        with self._cond:
            for fault in self._http_faults:
                if fault.method not in (None, method) or not fault.pattern.search(path):
                    continue
                status = fault.statuses.pop(0)
                if not fault.statuses:
                    self._http_faults.remove(fault)
                return fault, status
        return None

    async def close_session(self, session: Session, code: int | None) -> None:
        """Drop one connection (see ``drop_gateway``); its events wait for a RESUME."""
        session.dropped = True
        if code in UNRESUMABLE_CLOSE_CODES:
            session.resumable = False
        with self._cond:
            if session in self.sessions:
                self.sessions.remove(session)
            self._cond.notify_all()
        if code is None:
            if session.transport is not None:
                session.transport.abort()
        else:
            await session.ws.close(code=code, message=b"stand-in fault")

    # ------------------------------------------------------------- gateway
    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if time.monotonic() < self._refuse_gateway_until:
            return web.Response(status=503, text="gateway unavailable (stand-in outage)")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress") == "zlib-stream"
        session = Session(
            ws=ws,
            compress=compress,
            compressor=zlib.compressobj(),
            transport=request.transport,
            owner=self,
        )
        await session.send({"op": OP_HELLO, "d": {"heartbeat_interval": 41250}})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT or session.dropped:
                    continue
                await self._gateway_message(session, json.loads(msg.data))
        finally:
            with self._cond:
                if session in self.sessions:
                    self.sessions.remove(session)
                self.closed_sessions.append(session.session_id)
                self._cond.notify_all()
        return ws

    async def _gateway_message(self, session: Session, msg: dict) -> None:
        op, data = msg.get("op"), msg.get("d")
        if op == OP_HEARTBEAT:
            session.heartbeats += 1
            await session.send({"op": OP_HEARTBEAT_ACK})
        elif op == OP_IDENTIFY:
            await self._identify(session, data)
        elif op == OP_RESUME:
            await self._resume(session, data)
        elif op == OP_PRESENCE:
            pass
        self._notify()

    async def _identify(self, session: Session, data: dict) -> None:
        redacted = {**data, "token": "<redacted>"}
        self.identify_payloads.append(redacted)
        self.identify_times.append(time.monotonic())
        if data.get("token") != self.TOKEN:
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS and not self.message_content_allowed:
            await session.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = tuple(data.get("shard") or (0, 1))
        session.shard = (int(shard[0]), int(shard[1]))
        session.intents = intents
        session.session_id = f"session-{self.ids.next()}"
        mine = [
            g for g in self.guilds if (int(g["id"]) >> 22) % session.shard[1] == session.shard[0]
        ]
        await session.dispatch(
            "READY",
            {
                "v": 10,
                "user": self.bot_user,
                "guilds": [{"id": g["id"], "unavailable": True} for g in mine],
                "session_id": session.session_id,
                "resume_gateway_url": self.gateway_url,
                "shard": list(session.shard),
                "application": {"id": str(self.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
            },
        )
        if intents & INTENT_GUILDS:
            for guild in mine:
                await session.dispatch("GUILD_CREATE", guild)
        with self._cond:
            for other in self._known_sessions.values():  # a new session replaces the old one
                if other.shard == session.shard:
                    other.resumable = False
            session.identified = True
            self.sessions.append(session)
            self._known_sessions[session.session_id] = session
            self._cond.notify_all()

    async def _resume(self, session: Session, data: dict) -> None:
        """Take over the old session and replay, in order, the events the bot has not seen
        (those after its ``seq``), then RESUMED, as Discord does."""
        self.resume_payloads.append({**data, "token": "<redacted>"})
        old = self._known_sessions.get(data.get("session_id", ""))
        if data.get("token") != self.TOKEN:
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        if old is None or not old.resumable:
            await session.send({"op": OP_INVALID_SESSION, "d": False})
            return
        if old is not session and old.live:  # a RESUME while the old link is up replaces it
            await self.close_session(old, 4000)
        session.session_id, session.shard, session.intents = old.session_id, old.shard, old.intents
        session.seq, session.buffer = old.seq, old.buffer
        seen = int(data.get("seq") or 0)
        for payload in list(session.buffer):
            if payload["s"] > seen:
                await session.send(payload)
        await session.dispatch("RESUMED", {})
        with self._cond:
            session.identified = True
            self.sessions.append(session)
            self._known_sessions[session.session_id] = session
            self._cond.notify_all()

    # ---------------------------------------------------------------- REST
    @web.middleware
    async def _record(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        if request.path == "/gateway" or request.path.startswith("/attachments/"):
            return await handler(request)
        body: Any = None
        if request.body_exists:
            if request.content_type == "multipart/form-data":
                body = {}
                reader = await request.multipart()
                async for part in reader:
                    if part.name == "payload_json":  # type: ignore[union-attr]
                        body = json.loads(await part.text())  # type: ignore[union-attr]
            else:
                raw = await request.read()
                body = json.loads(raw) if raw else None
        auth = request.headers.get("Authorization")
        rec = Recorded(
            request.method,
            request.path,
            dict(request.query),
            body,
            authorized=auth == f"Bot {self.TOKEN}",
        )
        request[BODY] = body
        request[RECORD] = rec
        with self._cond:
            self.requests.append(rec)
        self._notify()
        if delay := self._take_slowness(request.path):
            await asyncio.sleep(delay)
        unauthenticated_ok = "/interactions/" in request.path or "/webhooks/" in request.path
        fault = self._take_http_fault(request.method, request.path)
        if not rec.authorized and not unauthenticated_ok:
            response: web.StreamResponse = _error(401, 0, "401: Unauthorized")
        elif fault is not None and not fault[0].applied:
            response = _fault_response(*fault)  # the edge failed: Discord never read the body
        elif refused := self._refused_by_spec(request.method, request.path, body):
            response = refused
        else:
            try:
                response = await handler(request)
            except LimitError as error:
                self._violation(f"{request.method} {request.path}: {error}")
                response = _error(400, 50035, "Invalid Form Body", str(error))
            if fault is not None:
                response = _fault_response(*fault)
        if fault is not None:
            rec.injected = True
            fault[0].hits.append(rec)
        rec.status = response.status
        if isinstance(response, web.Response) and response.body:
            try:
                rec.response = json.loads(response.body)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                rec.response = None
        self._notify()
        return response

    def _violation(self, text: str) -> None:
        with self._cond:
            self.violations.append(text)

    def _refused_by_spec(self, method: str, path: str, body: Any) -> web.Response | None:
        """Discord's answer to a request its published API refuses (``None``: it takes it): a
        route it does not have (404) or a body its schema refuses (400, Invalid Form Body, with
        the ``errors`` Discord gives). Either is a violation."""
        problems = self.contract.check(method, path, body)
        if not problems:
            return None
        self._violation(f"{method} {path}: " + "; ".join(map(str, problems)))
        if problems[0].code == "UNKNOWN_ROUTE":
            return _json({"message": "404: Not Found", "code": 0}, status=404)
        return _invalid_form_body(problems)

    async def _no_content(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _react(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        return _json(
            {
                "url": self.gateway_url,
                "shards": self.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": self.max_concurrency,
                },
            }
        )

    async def _get_me(self, request: web.Request) -> web.Response:
        return _json({**self.bot_user, "verified": True, "mfa_enabled": False, "locale": "en-US"})

    async def _get_application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(self.application_id),
                "name": "Mission Briefing",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.users["mallory"],
                "verify_key": "0" * 64,
                "flags": 0,
                "bot": self.bot_user,
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "redirect_uris": [],
                "tags": [],
                "type": None,
                "flags_new": "0",
                "approximate_guild_count": len(self.guilds),
                "approximate_user_install_count": 0,
                "approximate_user_authorization_count": 0,
                "explicit_content_filter": 0,
                "team": None,
                "eligible_oauth2_scopes": ["bot", "applications.commands"],
            }
        )

    async def _get_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        return _json(self.commands.get(int(guild) if guild else None, []))

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        body = request[BODY] or []
        chat_input = [c for c in body if c.get("type", 1) == 1]
        if len(chat_input) > LIMITS["commands"]:
            raise LimitError(f"{len(chat_input)} chat-input commands > {LIMITS['commands']}")
        stored = []
        for cmd in body:
            stored.append(
                {
                    **cmd,
                    "id": str(self.ids.next()),
                    "application_id": str(self.application_id),
                    "version": str(self.ids.next()),
                    "type": cmd.get("type", 1),
                    # unset, Discord installs a command to servers only
                    "integration_types": cmd.get("integration_types") or [0],
                    **({"guild_id": guild} if guild else {}),
                }
            )
        with self._cond:
            self.commands[int(guild) if guild else None] = stored
        return _json(stored)

    def _message(
        self,
        channel: dict,
        author: dict,
        content: str,
        *,
        guild: dict | None = None,
        mentions: list[dict] | None = None,
        body: dict | None = None,
    ) -> dict:
        body = body or {}
        msg = {
            "id": str(self.ids.next()),
            "channel_id": str(channel["id"]),
            "author": author,
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": mentions or [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": _numbered(body.get("components") or []),
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0),
        }
        if guild is not None:
            msg["guild_id"] = guild["id"]
        elif channel.get("guild_id"):
            msg["guild_id"] = channel["guild_id"]
        ref = body.get("message_reference")
        if ref:
            msg["type"] = 19
            msg["message_reference"] = {
                "type": 0,  # DEFAULT: a reply (1 is a forward)
                "message_id": str(ref["message_id"]),
                "channel_id": str(ref.get("channel_id") or channel["id"]),
                **({"guild_id": msg["guild_id"]} if "guild_id" in msg else {}),
            }
        return msg

    def _check_outgoing(
        self,
        body: dict,
        where: str,
        *,
        require_something: bool = True,
        replied_author: str | None = None,
    ) -> None:
        """Discord's limits (HTTP 400) and our own rules: mentions disabled on every message,
        and no message that would notify anyone."""
        problems = message_limits(body, require_something=require_something)
        if problems:
            raise LimitError("; ".join(problems))
        problem = check_allowed_mentions(body)
        pinged = would_ping(body, replied_author)
        with self._cond:
            if problem:
                self.violations.append(f"{where}: {problem}")
            for who in pinged:
                self.pings.append(f"{where}: {who}")
                self.violations.append(f"{where}: would ping {who}")

    async def _post_message(self, request: web.Request) -> web.Response:
        cid = int(request.match_info["channel"])
        channel = self.channels.get(cid)
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        body = request[BODY] or {}
        ref = body.get("message_reference")
        replied = self.messages.get(int(ref["message_id"])) if ref else None
        author = replied["author"]["id"] if replied else None
        self._check_outgoing(body, f"POST /channels/{cid}/messages", replied_author=author)
        if ref and replied is None:
            if ref.get("fail_if_not_exists", True):
                return _error(400, 50035, "Invalid Form Body", "message_reference: Unknown message")
            body = {**body, "message_reference": None}
        nonce = body.get("nonce")
        with self._cond:
            if nonce is not None and body.get("enforce_nonce"):
                existing = self.messages.get(self._nonces.get((cid, str(nonce)), 0))
                if existing is not None:  # Discord returns the message that nonce made
                    request[RECORD].deduplicated = True  # type: ignore[attr-defined]
                    return _json(existing)
            msg = self._message(channel, self.bot_user, body.get("content") or "", body=body)
            if nonce is not None:
                msg["nonce"] = nonce
                self._nonces[(cid, str(nonce))] = int(msg["id"])
            self.messages[int(msg["id"])] = msg
            request[RECORD].created = msg["id"]  # type: ignore[attr-defined]
        return _json(msg)

    async def _get_message(self, request: web.Request) -> web.Response:
        msg = self.messages.get(int(request.match_info["message"]))
        return _json(msg) if msg else _error(404, 10008, "Unknown Message")

    async def _patch_message(self, request: web.Request) -> web.Response:
        msg = self.messages.get(int(request.match_info["message"]))
        if msg is None:
            return _error(404, 10008, "Unknown Message")
        body = request[BODY] or {}
        self._check_outgoing(body, "PATCH message", require_something=False)
        self._apply_edit(msg, body)
        return _json(msg)

    async def _delete_message(self, request: web.Request) -> web.Response:
        with self._cond:
            self.messages.pop(int(request.match_info["message"]), None)
        return web.Response(status=204)

    async def _create_dm(self, request: web.Request) -> web.Response:
        uid = str((request[BODY] or {}).get("recipient_id"))
        user = next((u for u in self.users.values() if u["id"] == uid), None)
        if user is None:
            return _error(400, 50007, "Cannot send messages to this user")
        return _json(self.dm_channel(user))

    async def _attachment(self, request: web.Request) -> web.Response:
        item = self.attachments.get(int(request.match_info["id"]))
        if item is None:
            return web.Response(status=404)
        return web.Response(body=item[1], content_type="application/octet-stream")

    # -------------------------------------------------------- interactions
    async def _interaction_callback(self, request: web.Request) -> web.Response:
        rec = self.interactions.get(int(request.match_info["id"]))
        if rec is None or rec.token != request.match_info["token"]:
            return _error(404, 10062, "Unknown interaction")
        if time.monotonic() - rec.created > 3.0:
            with self._cond:
                if not rec.delivered_late:
                    self.violations.append(f"interaction {rec.id}: no response within 3 s")
                rec.errors.append({"code": 10062, "body": request[BODY]})
            return _error(404, 10062, "Unknown interaction")
        if rec.callbacks:
            with self._cond:
                rec.errors.append({"code": 40060, "body": request[BODY]})
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body = request[BODY] or {}
        ctype, data = body.get("type"), body.get("data") or {}
        if ctype == 8:  # autocomplete result
            long = [c["name"] for c in data.get("choices") or [] if len(str(c["value"])) > 100]
            if long:
                raise LimitError(f"choices {long}: value > {LIMITS['choice.value']} characters")
        elif ctype in (4, 7):
            self._check_outgoing(data, f"interaction {rec.id} callback {ctype}")
        elif ctype not in (5, 6):
            raise LimitError(f"unsupported callback type {ctype}")
        channel = self.channels.get(int(rec.payload["channel_id"])) or rec.payload["channel"]
        flags = int(data.get("flags") or 0)
        interaction_meta = _interaction_metadata(rec.payload)
        resource: dict[str, Any] | None = None
        with self._cond:
            rec.callbacks.append(body)
            rec.callback_at = time.monotonic()
            if ctype in (4, 5):
                msg = self._message(channel, self.bot_user, data.get("content") or "", body=data)
                msg["webhook_id"] = str(self.application_id)
                msg["application_id"] = str(self.application_id)
                msg["interaction_metadata"] = interaction_meta
                msg["type"] = 20 if rec.type == 2 else 19
                if ctype == 5:
                    msg["flags"] = flags | LOADING
                rec.original = msg
                self.messages[int(msg["id"])] = msg
                resource = {"type": ctype, "message": msg}
            elif ctype in (6, 7) and rec.payload.get("message"):
                target = self.messages.get(int(rec.payload["message"]["id"]))
                if target is not None:
                    if ctype == 7:
                        self._apply_edit(target, data)
                    rec.original = target
                    resource = {"type": ctype, "message": target}
        response: dict[str, Any] = {
            "interaction": {
                "id": str(rec.id),
                "type": rec.type,
                "response_message_loading": ctype == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            }
        }
        if resource is not None:
            response["interaction"]["response_message_id"] = resource["message"]["id"]
            if ctype in (4, 7):  # Discord's resource holds a message only for these two
                response["resource"] = resource
        self._notify()
        return _json(response)

    def _apply_edit(self, msg: dict, body: dict) -> None:
        with self._cond:
            for key in ("content", "embeds", "components"):
                if key in body:
                    msg[key] = (
                        body[key] if body[key] is not None else ([] if key != "content" else "")
                    )
            msg["components"] = _numbered(msg["components"])
            if "flags" in body and body["flags"] is not None:
                msg["flags"] = (msg.get("flags", 0) & EPHEMERAL) | int(body["flags"])
            msg["flags"] = int(msg.get("flags", 0)) & ~LOADING
            msg["edited_timestamp"] = _now_iso()

    def _webhook_record(self, request: web.Request) -> InteractionRecord | None:
        if request.match_info["app"] != str(self.application_id):
            return None
        return self._by_token.get(request.match_info["token"])

    async def _post_followup(self, request: web.Request) -> web.Response:
        rec = self._webhook_record(request)
        if rec is None:
            return _error(404, 10015, "Unknown Webhook")
        if not rec.callbacks:
            return _error(404, 10015, "Unknown Webhook")  # follow-ups need a response first
        body = request[BODY] or {}
        self._check_outgoing(body, f"interaction {rec.id} follow-up")
        channel = self.channels.get(int(rec.payload["channel_id"])) or rec.payload["channel"]
        msg = self._message(channel, self.bot_user, body.get("content") or "", body=body)
        msg["webhook_id"] = str(self.application_id)
        with self._cond:
            rec.followups.append(msg)
            self.messages[int(msg["id"])] = msg
        return _json(msg)

    def _webhook_target(self, rec: InteractionRecord, message: str) -> dict | None:
        if message == "@original":
            return rec.original
        msg = self.messages.get(int(message))
        return msg if msg and (msg in rec.followups or msg is rec.original) else None

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        rec = self._webhook_record(request)
        msg = rec and self._webhook_target(rec, request.match_info["message"])
        return _json(msg) if msg else _error(404, 10008, "Unknown Message")

    async def _patch_webhook_message(self, request: web.Request) -> web.Response:
        rec = self._webhook_record(request)
        msg = rec and self._webhook_target(rec, request.match_info["message"])
        if not rec or not msg:
            return _error(404, 10008, "Unknown Message")
        body = request[BODY] or {}
        self._check_outgoing(body, f"interaction {rec.id} edit", require_something=False)
        with self._cond:
            if request.match_info["message"] == "@original":
                rec.edits.append(body)
        self._apply_edit(msg, body)
        return _json(msg)

    async def _delete_webhook_msg(self, request: web.Request) -> web.Response:
        rec = self._webhook_record(request)
        msg = rec and self._webhook_target(rec, request.match_info["message"])
        if not msg:
            return _error(404, 10008, "Unknown Message")
        with self._cond:
            self.messages.pop(int(msg["id"]), None)
        return web.Response(status=204)


def _numbered(components: list[dict]) -> list[dict]:
    """Components as Discord stores them: each one (rows and what is in them) with an ``id``,
    1, 2, 3, ... in order, where the bot gave none."""
    counter = itertools.count(1)

    def number(component: dict) -> dict:
        out = {**component, "id": component.get("id") or next(counter)}
        if "components" in component:
            out["components"] = [number(c) for c in component["components"]]
        return out

    return [number(c) for c in components]


def _interaction_metadata(payload: dict) -> dict:
    """A response message's ``interaction_metadata``: who used which interaction, the
    installation it ran under, and for a component the message it was on."""
    meta = {
        "id": payload["id"],
        "type": payload["type"],
        "user": payload.get("user") or payload["member"]["user"],
        "authorizing_integration_owners": payload["authorizing_integration_owners"],
    }
    if payload["type"] == 3 and payload.get("message"):
        meta["interacted_message_id"] = payload["message"]["id"]
    return meta


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON the way Discord sends it: discord.py parses only an exact ``application/json``."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def _fault_response(fault: HttpFault, status: int) -> web.Response:
    """An injected failure the way Discord (or Cloudflare in front of it) answers it."""
    if status == 429:
        body = {"message": "You are being rate limited.", "retry_after": fault.retry_after}
        body["global"] = False
        response = _json(body, status=429)
        response.headers.update(
            {
                "Via": "1.1 google",  # discord.py treats a 429 without it as a Cloudflare ban
                "Retry-After": str(max(1, round(fault.retry_after))),
                "X-RateLimit-Scope": "user",
            }
        )
        return response
    if status == 502:
        return web.Response(status=502, text="<html><h1>502 Bad Gateway</h1></html>")
    return _json({"message": f"{status}: stand-in failure", "code": 0}, status=status)


def _invalid_form_body(problems: list[SpecError]) -> web.Response:
    body = {"code": 50035, "message": "Invalid Form Body", "errors": discord_errors(problems)}
    return _json(body, status=400)


def _error(status: int, code: int, message: str, detail: str | None = None) -> web.Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if detail:
        body["errors"] = {"_errors": [{"code": "BASE_TYPE_INVALID", "message": detail}]}
    return _json(body, status=status)
