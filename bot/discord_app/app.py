"""The Discord application: one ``commands.Bot`` subclass holding the shared index, the cooldowns
and the button state.

``setup_hook`` opens the index once (building it first if missing or damaged), loads one cog
per command group and syncs the slash commands; every message goes out with mentions disabled;
one error handler on the command tree (``errors.BriefingTree``) turns failures into a short
private reply and a logged traceback. ``create_bot`` picks ``BriefingBot`` (one gateway
connection) or, when the config shards, ``ShardedBriefingBot``: the same bot on discord.py's
``AutoShardedClient``, running several shards in this process, or a share ``shard_ids`` of
``shard_count`` so that several processes can split a big bot.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import Any

import aiohttp
import discord
from discord.ext import commands

from bot.config import Config
from bot.discord_app.embeds import fit
from bot.discord_app.engine_host import NewIndexUnusable, SearcherPool, build_in_worker
from bot.discord_app.errors import PREVIOUS_ANSWERING, BriefingTree
from bot.discord_app.limits import (
    CONTENT_LIMIT,
    EMBEDS_PER_MESSAGE,
    IDENTIFY_WINDOW,
    RESPONSE_DEADLINE,
)
from bot.discord_app.shards import use_resuming_shards
from bot.discord_app.state import Alerted, QueryCache, ReindexOutcome, UserCooldowns
from bot.discord_app.views import DYNAMIC_ITEMS
from bot.engine.build.builder import BuildBusy, BuildError, BuildSummary
from bot.engine.build.health import index_problem

log = logging.getLogger("briefing.bot")

COGS = ("bot.discord_app.cogs.ask", "bot.discord_app.cogs.films", "bot.discord_app.cogs.admin")
# The names discord.py gives the tasks that answer someone: app commands, messages, buttons.
ANSWERING_TASKS = ("CommandTree-invoker", "discord.py: on_message", "discord-ui-")


class BriefingBot(commands.Bot):
    """The bot on one gateway connection: right for up to a couple of thousand servers.

    A sharded bot is ``ShardedBriefingBot``, whose shards RESUME after an outage as this one's
    connection does (``shards.ResumingShard``)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        settings = config.discord
        self.cooldowns = UserCooldowns(settings.cooldown_rate, settings.cooldown_per)
        self.queries = QueryCache(settings.button_timeout)
        self.reindex_lock = asyncio.Lock()
        self.last_reindex: ReindexOutcome | None = None
        self._searchers: SearcherPool | None = None
        self._max_concurrency = 1
        self._identified_at: dict[int, float] = {}
        self._alerted = Alerted()
        self._background: set[asyncio.Task[None]] = set()
        super().__init__(**bot_options(config), **self.shard_options())

    def shard_options(self) -> dict[str, Any]:
        """The ``shard_count`` and ``shard_ids`` to run: none on one connection."""
        return {}

    @property
    def page_size(self) -> int:
        """How many excerpts one answer shows (the config's ``excerpts``): at most one embed each
        under "Show in context"."""
        return max(1, min(self.config.discord.excerpts, EMBEDS_PER_MESSAGE))

    @property
    def searchers(self) -> SearcherPool:
        """The shared index; opened in ``setup_hook``, closed by ``close``."""
        if self._searchers is None:
            raise RuntimeError("the index is opened in setup_hook, and closed by close")
        return self._searchers

    async def setup_hook(self) -> None:
        """Open the index (built first if missing or damaged), load cogs, sync commands."""
        await self.ensure_index()
        self._searchers = await asyncio.to_thread(
            SearcherPool, self.config.db, self.index_problem_changed
        )
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        for cog in COGS:
            await self.load_extension(cog)
        await self.sync_commands()
        await self.learn_owners()
        # What start-up made (modules, discord.py, the first index) lives as long as the bot:
        # full garbage collections, which stop every thread, no longer walk it each time.
        gc.collect()
        gc.freeze()

    async def learn_owners(self) -> None:
        """Ask Discord once who owns the application (its owner, or its team's members): they
        are admins everywhere (``checks.is_admin``), and the checks answer without asking."""
        try:
            app = await self.application_info()
        except discord.HTTPException as error:
            log.warning("could not ask Discord who owns the application: %s", error)
            return
        if app.team:
            self.owner_ids = {member.id for member in app.team.members}
        else:
            self.owner_id = app.owner.id

    async def ensure_index(self, wait: float = 600.0) -> None:
        """Build the index if it is missing or damaged. When several shard processes start
        together, one builds and the others wait for it (the engine's build lock). The build
        runs in a worker process, so a stop signal ends it at once; an index still unusable
        after a build of our own is an error, never a loop."""
        config = self.config
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        built = False
        while problem := await asyncio.to_thread(index_problem, config.db, thorough=True):
            if built:
                raise BuildError(
                    f"the index {config.db} is still unusable after a rebuild: {problem}"
                )
            log.info("index %s: %s; building it from %s", config.db, problem, config.sources)
            try:
                # from nothing: the index there is missing, damaged or another version's
                summary = await build_in_worker(config.sources, config.db, full=True)
                built = True
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
        tree = self.tree
        if settings.dev_guild_ids:
            for guild_id in settings.dev_guild_ids:
                guild = discord.Object(id=guild_id)
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
        summary = await build_in_worker(self.config.sources, self.config.db)
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
        if not self._alerted.first_time(text):
            return
        channel_id = self.config.discord.alert_channel
        if channel_id:
            task = asyncio.ensure_future(self._post_alert(channel_id, text))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _post_alert(self, channel_id: int, text: str) -> None:
        content = fit(f"\N{WARNING SIGN} {text}", CONTENT_LIMIT)
        try:
            channel = self.get_channel(channel_id) or await self.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                log.warning("the alert channel %s is not one I can post in", channel_id)
                return
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
        guilds = len(self.guilds)
        log.info("ready as %s in %d server%s", self.user, guilds, "" if guilds == 1 else "s")

    async def close(self) -> None:
        """Let the answers being sent finish, then close the gateway and HTTP session, then the
        index."""
        await finish_answers(RESPONSE_DEADLINE)
        await super().close()
        if self._searchers is not None:
            self._searchers.close()
            self._searchers = None
        log.info("closed")


async def finish_answers(timeout: float) -> None:
    """Wait, ``timeout`` seconds at most, for the answers still being sent when the bot stops:
    closing the HTTP session under one cut it off half sent (the user saw nothing) and logged
    its "Session is closed" traceback. An answer not sent by Discord's deadline is lost anyway."""
    current = asyncio.current_task()
    answering = [
        task
        for task in asyncio.all_tasks()
        if task is not current and task.get_name().startswith(ANSWERING_TASKS)
    ]
    if answering:
        await asyncio.wait(answering, timeout=timeout)


class ShardedBriefingBot(BriefingBot, commands.AutoShardedBot):
    """The same bot over several shards in this process; ``shard_ids`` picks this process's share
    of ``shard_count`` (0: as many as Discord recommends). Its shards RESUME after an outage
    (``shards.ResumingShard``)."""

    def __init__(self, config: Config) -> None:
        use_resuming_shards()
        super().__init__(config)

    def shard_options(self) -> dict[str, Any]:
        settings = self.config.discord
        options: dict[str, Any] = {"shard_count": settings.shard_count or None}
        if settings.shard_ids:
            options["shard_ids"] = settings.shard_ids
        return options

    async def setup_hook(self) -> None:
        await super().setup_hook()
        await self.read_gateway_limits()

    async def read_gateway_limits(self) -> None:
        """How many IDENTIFYs Discord allows at once (``max_concurrency``), and
        in the log how many shards it recommends against how many run here."""
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
    """Everything but the shards: mentions off everywhere, no prefix commands, the tree with
    the one error handler, a small message cache."""
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


def create_bot(config: Config) -> BriefingBot:
    """``ShardedBriefingBot`` when the config mentions sharding (``shard_count``, where 0 means
    "as many as Discord recommends", or ``shard_ids``), else ``BriefingBot``."""
    settings = config.discord
    # The bot never joins voice: don't warn at every start that voice libraries are missing.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    if settings.shard_count is not None or settings.shard_ids:
        return ShardedBriefingBot(config)
    return BriefingBot(config)
