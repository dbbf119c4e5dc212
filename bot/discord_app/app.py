"""The Discord application: one bot object holding the shared index, cooldowns and button state.

``create_bot`` picks ``commands.Bot`` (one gateway connection) or ``commands.AutoShardedBot``
(several shards in this process, optionally a share ``shard_ids`` of ``shard_count`` so several
processes can split a big bot) from the config. Both get the same behaviour from
``BriefingMixin``: ``setup_hook`` opens the index once, loads one cog per command group and
syncs the slash commands; every message goes out with mentions disabled; one error handler on the
command tree turns failures into a short private reply and a logged traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import multiprocessing
import secrets
import sqlite3
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Config
from bot.discord_app.embeds import fit
from bot.discord_app.limits import CONTENT_LIMIT, EMBEDS_PER_MESSAGE, IDENTIFY_WINDOW
from bot.engine.build.builder import BuildBusy, BuildError, BuildSummary, build_index
from bot.engine.build.health import index_problem
from bot.engine.search import MAX_QUESTION_CHARS, IndexUnavailable, Searcher, file_identity

log = logging.getLogger("briefing.bot")

T = TypeVar("T")

COGS = ("bot.discord_app.cogs.ask", "bot.discord_app.cogs.films", "bot.discord_app.cogs.admin")
SOMETHING_WENT_WRONG = "Something went wrong on my side; the admins can see the details in the log."
ONLY_ADMINS = "Only admins can do that."
STALE_COMMAND = (
    "That command has changed since Discord last updated its list; try again in a minute."
)


NOT_TRIED = object()
KEPT_ANSWERING = "I keep answering from the last good index; /reindex rebuilds it."
PREVIOUS_ANSWERING = "The previous index is still answering questions."


class NewIndexUnusable(BuildError):
    """A build finished but its file could not be opened: the searcher pool has told the
    admins already, and the previous index is still answering."""


class SearcherPool:
    """The one open index, shared by every command, swapped for a fresh one when the file
    changes (after a reindex here, or in another shard process).

    Searches run in worker threads (the engine is thread-safe) so a slow query never stalls the
    gateway heartbeat. Every search first checks (one ``stat``) whether the index file was
    replaced; if so a fresh searcher is opened and warmed up in the background while the
    current one keeps answering from the file it has open, and swapped in only if the new file
    is a usable index. If it is not (damaged, not an index, gone), the current one goes on
    answering and ``problem`` says why, reported once to ``on_problem`` (None when the file is
    good again). A swapped-out searcher is closed once the last search using it returns.
    """

    def __init__(
        self, db_path: Any, on_problem: Callable[[str | None], None] | None = None
    ) -> None:
        self.db_path = Path(db_path)
        self._current = open_warm(self.db_path)
        self._in_use: Counter[int] = Counter()
        self._retired: dict[int, Searcher] = {}
        self.on_problem = on_problem
        self.problem: str | None = None
        self._bad_identity: object = NOT_TRIED  # the unusable file last tried: not tried again
        self._reloading: asyncio.Task[str | None] | None = None

    @property
    def current(self) -> Searcher:
        return self._current

    async def run(self, method: Callable[..., T], *args: Any) -> T:
        """``method(searcher, *args)`` in a worker thread, on the current searcher."""
        self.notice_changes()
        searcher = self._current
        self._in_use[id(searcher)] += 1
        try:
            return await asyncio.to_thread(method, searcher, *args)
        except sqlite3.DatabaseError as error:
            # The open file itself is damaged (written over in place): nothing to fall back on.
            self.set_problem(
                f"The index file {self.db_path} is damaged ({error}): questions fail until "
                "/reindex rebuilds it."
            )
            raise
        finally:
            self._in_use[id(searcher)] -= 1
            if id(searcher) in self._retired and self._in_use[id(searcher)] <= 0:
                self._retired.pop(id(searcher)).close()
                del self._in_use[id(searcher)]
                release_free_memory()

    def notice_changes(self) -> None:
        """Start a reload when the index file is not the one answering (and not a file already
        found unusable)."""
        identity = file_identity(self.db_path)
        if identity == self._current.identity or identity == self._bad_identity:
            return
        if self._reloading is None or self._reloading.done():
            self._reloading = asyncio.ensure_future(self._reload())

    async def reload(self) -> str | None:
        """Open the index file afresh and answer from it if it is usable; else keep answering
        from the current one. Returns the problem, or None."""
        if self._reloading is None or self._reloading.done():
            self._reloading = asyncio.ensure_future(self._reload())
        return await asyncio.shield(self._reloading)

    async def _reload(self) -> str | None:
        identity = file_identity(self.db_path)
        try:
            fresh = await asyncio.to_thread(open_checked, self.db_path)
        except (IndexUnavailable, sqlite3.DatabaseError) as error:
            self._bad_identity = identity
            self.set_problem(f"{error}. {KEPT_ANSWERING}")
            return self.problem
        self.swap(fresh)
        self._bad_identity = NOT_TRIED  # not None: that is a file that is gone
        self.set_problem(None)
        return None

    def set_problem(self, problem: str | None) -> None:
        if problem == self.problem:
            return
        self.problem = problem
        if problem is None:
            log.info("index %s is usable again", self.db_path)
        else:
            log.warning("index %s: %s", self.db_path, problem)
        if self.on_problem is not None:
            self.on_problem(problem)

    def swap(self, fresh: Searcher) -> None:
        """Answer from ``fresh`` from now on."""
        old, self._current = self._current, fresh
        if self._in_use[id(old)] > 0:
            self._retired[id(old)] = old
        else:
            self._in_use.pop(id(old), None)
            old.close()
            release_free_memory()

    def close(self) -> None:
        if self._reloading is not None:
            self._reloading.cancel()
        self._current.close()
        for searcher in self._retired.values():
            searcher.close()
        self._retired.clear()


try:
    _malloc_trim: Callable[[int], int] | None = ctypes.CDLL(None).malloc_trim  # glibc only
except (AttributeError, OSError):
    _malloc_trim = None


def release_free_memory() -> None:
    """Give the memory a swapped-out searcher freed back to the system (glibc's malloc_trim, in
    a worker thread: a few milliseconds, without the GIL).

    glibc keeps what it frees for later unless told otherwise: driving the engine as the bot
    does (build in a worker process, open and warm a searcher, swap, questions in threads), the
    memory glibc held free grew from 12 to 21 MB over 10 swaps while the memory in use stayed
    flat, and a trim after each swap gave 6-8 MB of the process's RSS back."""
    if _malloc_trim is not None:
        with contextlib.suppress(RuntimeError):  # no event loop (tests): no need
            asyncio.get_running_loop().run_in_executor(None, _malloc_trim, 0)


def open_warm(db_path: Any) -> Searcher:
    """A searcher whose lazily loaded parts (the film index: most of a second for thousands of
    articles) are loaded, so that the first question after a start or a reindex doesn't wait
    for them. It stays on the file it opened (the pool swaps searchers). Blocking: call it in
    a worker thread."""
    searcher = Searcher(db_path, follow=False)
    try:
        searcher.ask("warm up")
    except BaseException:
        searcher.close()
        raise
    return searcher


def open_checked(db_path: Path) -> Searcher:
    """``open_warm`` for a file that replaced the one answering: first the cheap checks that
    it is an index of this version (``IndexUnavailable`` if not)."""
    if not db_path.exists():
        raise IndexUnavailable(f"The index file {db_path} is gone")
    replaced = f"The index file {db_path} was replaced by one I can't use"
    problem = index_problem(db_path)
    if problem is not None:
        raise IndexUnavailable(f"{replaced}: {problem}")
    try:
        return open_warm(db_path)
    except sqlite3.DatabaseError as error:
        raise IndexUnavailable(f"{replaced}: {error}") from None


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
        if query is None or time.monotonic() - query.created > self.ttl:
            if self._items.pop(key, None) is not None:
                self._chars -= len(query.text)  # type: ignore[union-attr]
            return None
        return query


@dataclass(frozen=True)
class ReindexOutcome:
    """How the last reindex in this process went, for ``/status``."""

    at: float  # time.time()
    ok: bool
    text: str  # what changed, or why it failed


MAX_ALERTS_REMEMBERED = 100


class NotAdmin(app_commands.CheckFailure):
    """Raised by the admin check; the error handler answers "only admins can do that"."""


class AskingTooFast(app_commands.CheckFailure):
    """Raised by the cooldown check with the seconds to wait."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"on cooldown for {retry_after:.1f}s")
        self.retry_after = retry_after


def cooldown_text(retry_after: float) -> str:
    """The private "slow down" note; Discord shows the timestamp as "in 12 seconds"."""
    when = int(time.time() + retry_after + 0.999)
    seconds = max(1, round(retry_after))
    return (
        f"You're asking faster than I can brief. Try again <t:{when}:R> "
        f"(in {seconds} second{'s' if seconds != 1 else ''})."
    )


def error_text(error: BaseException) -> str:
    """What the user sees for a failed command; only unexpected failures are logged."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, AskingTooFast):
        return cooldown_text(error.retry_after)
    if isinstance(error, NotAdmin):
        return ONLY_ADMINS
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return STALE_COMMAND
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that here."
    if isinstance(error, app_commands.TransformerError):
        return "I couldn't read one of the options; please check it and try again."
    return SOMETHING_WENT_WRONG


# Discord's codes for an interaction that can no longer be answered: its 3 seconds passed
# (Unknown interaction), or it was answered already (a retried response that had got through).
INTERACTION_GONE = {10062, 40060}


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The one error path for commands and buttons: a short private reply, traceback to the log."""
    original = getattr(error, "original", error)
    if isinstance(original, discord.HTTPException) and original.code in INTERACTION_GONE:
        # Expired: Discord already showed "The application did not respond" (ask again).
        # Already answered: the user has the answer. Either way, nothing more to send.
        log.warning("interaction %s: %s; not answering it again", interaction.id, original.text)
        return
    text = error_text(error)
    if text == SOMETHING_WENT_WRONG:
        command = interaction.command.qualified_name if interaction.command else None
        what = f"/{command}" if command else f"interaction {interaction.data}"
        original = getattr(error, "original", error)
        log.error("%s failed", what, exc_info=(type(original), original, original.__traceback__))
    await reply_private(interaction, text)


async def reply_private(
    interaction: discord.Interaction, text: str, *, embed: discord.Embed | None = None
) -> None:
    """Answer only the one who asked, whether or not the interaction was already acknowledged."""
    kwargs: dict[str, Any] = {"content": text}
    if embed is not None:
        kwargs["embed"] = embed
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(**kwargs, ephemeral=True)
        elif interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            await interaction.edit_original_response(**kwargs)
        else:
            await interaction.followup.send(**kwargs, ephemeral=True)
    except discord.HTTPException as failure:
        log.warning("could not tell the user about an error: %s", failure)


class BriefingTree(app_commands.CommandTree):
    """The command tree with the bot's single error handler."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


class BriefingMixin:
    """Behaviour shared by the single-connection and the sharded bot."""

    config: Config
    searchers: SearcherPool
    cooldowns: UserCooldowns
    queries: QueryCache
    reindex_lock: asyncio.Lock

    def _init_briefing(self, config: Config) -> None:
        self.config = config
        self._max_concurrency = 1
        self._identified_at: dict[int, float] = {}
        settings = config.discord
        self.cooldowns = UserCooldowns(int(settings.cooldown_rate), float(settings.cooldown_per))
        self.queries = QueryCache(float(settings.button_timeout))
        self.reindex_lock = asyncio.Lock()
        self.searchers = None  # type: ignore[assignment]  # opened in setup_hook
        self.last_reindex: ReindexOutcome | None = None
        self._alerted: OrderedDict[str, None] = OrderedDict()
        self._background: set[asyncio.Task] = set()

    @property
    def page_size(self) -> int:
        """How many excerpts one answer shows (the config's ``excerpts``): at most one embed each
        under "Show in context"."""
        return max(1, min(int(self.config.discord.excerpts), EMBEDS_PER_MESSAGE))

    async def setup_hook(self) -> None:
        """Open the index (built first if missing or damaged), load cogs, sync commands."""
        from bot.discord_app.views import DYNAMIC_ITEMS

        await self.ensure_index()
        self.searchers = await asyncio.to_thread(
            SearcherPool, self.config.db, self.index_problem_changed
        )
        self.add_dynamic_items(*DYNAMIC_ITEMS)  # type: ignore[attr-defined]
        for cog in COGS:
            await self.load_extension(cog)  # type: ignore[attr-defined]
        await self.sync_commands()
        # What start-up made (modules, discord.py, the first index) lives as long as the bot:
        # full garbage collections, which stop every thread, no longer walk it each time.
        gc.collect()
        gc.freeze()

    async def ensure_index(self, wait: float = 600.0) -> None:
        """Build the index if it is missing or damaged. When several shard processes start
        together, one builds and the others wait for it (the engine's build lock)."""
        config = self.config
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while problem := await asyncio.to_thread(index_problem, config.db, thorough=True):
            log.info("index %s: %s; building it from %s", config.db, problem, config.sources)
            try:
                summary = await asyncio.to_thread(build_index, config.sources, config.db)
            except BuildBusy:
                if loop.time() > deadline:
                    raise
                log.info("another process is building the index; waiting for it")
                await asyncio.sleep(1.0)
                continue
            log.info("index built: %d passages in %.2f s", summary.passages, summary.seconds)

    async def sync_commands(self) -> None:
        """Guild sync shows commands at once (development); global sync takes up to an hour.
        With several processes only the one running shard 0 syncs, to spare the rate limit."""
        settings = self.config.discord
        if settings.shard_ids and 0 not in settings.shard_ids:
            log.info("not syncing commands: shard 0 runs in another process")
            return
        tree: app_commands.CommandTree = self.tree  # type: ignore[attr-defined]
        if settings.dev_guild_ids:
            for guild_id in settings.dev_guild_ids:
                guild = discord.Object(id=int(guild_id))
                tree.copy_global_to(guild=guild)
                synced = await tree.sync(guild=guild)
                log.info("synced %d commands to guild %s", len(synced), guild_id)
        else:
            synced = await tree.sync()
            log.info("synced %d commands globally (may take a while to appear)", len(synced))

    async def reindex(self) -> BuildSummary:
        """Rebuild the index in a worker process, then swap the searcher. Callers hold
        ``reindex_lock`` (one reindex at a time in this process; the engine's file lock covers
        other processes). ``BuildError`` propagates with the old index answering.

        A process, not a thread: a build is CPU-bound Python, and in a thread it holds the GIL
        against the event loop and the searches, so every question asked during a reindex
        waited several times longer (and the build itself took three times as long). If the
        bot stops meanwhile the worker is killed; the build is atomic, so the index stays as
        it was."""
        summary = await in_worker_process(build_index, self.config.sources, self.config.db)
        problem = await self.searchers.reload()
        if problem is not None:
            raise NewIndexUnusable(f"the new index could not be opened: {problem}")
        log.info(
            "reindexed: %d added, %d changed, %d removed, %d skipped, %d passages",
            len(summary.added),
            len(summary.changed),
            len(summary.removed),
            len(summary.skipped),
            summary.passages,
        )
        return summary

    def index_problem_changed(self, problem: str | None) -> None:
        """The searcher pool found the index file unusable (``problem``), or usable again."""
        if problem is None:
            self._alerted.clear()  # the same problem, should it come back, is news again
        else:
            self.alert(problem)

    def note_reindex(self, ok: bool, text: str, *, alert: bool = True) -> None:
        """Remember how the last reindex went (for ``/status``); tell the admins if it failed
        (unless ``alert`` is off: they were told already)."""
        self.last_reindex = ReindexOutcome(time.time(), ok, text)
        if ok:
            self._alerted.clear()
        elif alert:
            self.alert(f"Reindex failed: {text}. {PREVIOUS_ANSWERING}")

    def alert(self, text: str) -> None:
        """Post ``text`` to ``discord.alert_channel`` (when set), once per distinct problem until
        the index is good again; every problem is in the log anyway."""
        if text in self._alerted:
            return
        self._alerted[text] = None
        while len(self._alerted) > MAX_ALERTS_REMEMBERED:
            self._alerted.popitem(last=False)
        channel_id = self.config.discord.alert_channel
        if channel_id:
            task = asyncio.ensure_future(self._post_alert(int(channel_id), text))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _post_alert(self, channel_id: int, text: str) -> None:
        content = fit(f"\N{WARNING SIGN} {text}", CONTENT_LIMIT)
        try:
            channel = self.get_channel(channel_id) or await self.fetch_channel(channel_id)  # type: ignore[attr-defined]
            await channel.send(content, allowed_mentions=discord.AllowedMentions.none())
            log.info("told the admins in channel %s: %s", channel_id, text)
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError) as error:
            log.warning("could not post to the alert channel %s: %s", channel_id, error)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Discord allows ``max_concurrency`` IDENTIFYs per 5 seconds, one per bucket
        ``shard_id % max_concurrency``. The library's default waits 5 s before every IDENTIFY but
        the very first, which makes a big bot's start-up needlessly slow and leaves a bot whose
        session was invalidated (close code 4009) deaf for 5 s; this waits only as long as the
        limit requires."""
        bucket = (shard_id or 0) % self._max_concurrency
        loop = asyncio.get_running_loop()
        last = self._identified_at.get(bucket)
        if last is not None:
            delay = IDENTIFY_WINDOW - (loop.time() - last)
            if delay > 0:
                await asyncio.sleep(delay)
        self._identified_at[bucket] = loop.time()

    async def on_message(self, message: discord.Message) -> None:
        """Questions are handled by the ask cog's listener, never as prefix commands."""

    async def on_ready(self) -> None:
        user = self.user  # type: ignore[attr-defined]
        guilds = len(self.guilds)  # type: ignore[attr-defined]
        log.info("ready as %s in %d server%s", user, guilds, "" if guilds == 1 else "s")

    async def close(self) -> None:
        """Close the gateway and HTTP session, then the index."""
        await super().close()  # type: ignore[misc]
        if self.searchers is not None:
            self.searchers.close()
            self.searchers = None  # type: ignore[assignment]
        log.info("closed")


class BriefingBot(BriefingMixin, commands.Bot):
    """One gateway connection: right for a bot in up to a couple of thousand servers."""

    def __init__(self, config: Config) -> None:
        self._init_briefing(config)
        super().__init__(**bot_options(config))


class ShardedBriefingBot(BriefingMixin, commands.AutoShardedBot):
    """Several shards in one process; ``shard_ids`` picks this process's share."""

    def __init__(self, config: Config) -> None:
        self._init_briefing(config)
        settings = config.discord
        options = bot_options(config)
        if settings.shard_count:
            options["shard_count"] = int(settings.shard_count)
        if settings.shard_ids:
            options["shard_ids"] = [int(i) for i in settings.shard_ids]
        super().__init__(**options)

    async def setup_hook(self) -> None:
        await super().setup_hook()
        try:
            recommended, _, limits = await self.http.get_bot_gateway()
            self._max_concurrency = max(1, int(limits.get("max_concurrency", 1)))
        except (discord.HTTPException, discord.GatewayNotFound):
            return
        mine = self.shard_ids or "all"
        log.info(
            "Discord recommends %d shard%s (max_concurrency %d); this process runs shards %s of %s",
            recommended,
            "" if recommended == 1 else "s",
            self._max_concurrency,
            mine,
            self.shard_count or recommended,
        )


async def in_worker_process(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a fresh process (spawned: no copy of this one's threads or
    sockets); its exceptions are raised here. Cancelling kills the process."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await asyncio.get_running_loop().run_in_executor(pool, function, *args)
    except asyncio.CancelledError:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def intents_for(config: Config) -> discord.Intents:
    """Only what the bot uses, so a bot in many servers is not sent events it ignores: servers
    (channels and roles, for the admin check), messages in servers and DMs, and the privileged
    Message Content intent only when answer channels are set (mentions and DMs carry their text
    without it)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = bool(config.discord.answer_channels)
    return intents


def bot_options(config: Config) -> dict[str, Any]:
    return {
        "command_prefix": commands.when_mentioned,
        "help_command": None,
        "intents": intents_for(config),
        "allowed_mentions": discord.AllowedMentions.none(),
        "tree_cls": BriefingTree,
        "activity": discord.Activity(type=discord.ActivityType.listening, name="/ask"),
        "chunk_guilds_at_startup": False,
        "max_messages": 1000,
    }


def create_bot(config: Config) -> BriefingBot | ShardedBriefingBot:
    """``ShardedBriefingBot`` when the config mentions sharding (``shard_count``, where 0 means
    "as many as Discord recommends", or ``shard_ids``), else ``BriefingBot``."""
    settings = config.discord
    # The bot never joins voice: don't warn at every start that voice libraries are missing.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    if settings.shard_count is not None or settings.shard_ids:
        return ShardedBriefingBot(config)
    return BriefingBot(config)
