"""Admin commands: ``/reindex``, ``/status``, ``/sources list`` and ``/sources add``.

Admins are the people the operator names (``checks.is_admin``: the application's owner, the
user and role ids in the config, Manage Server only in ``discord.admin_guild_ids``). The check
runs in the bot on every call (the command is visible to everyone, since Discord-side
permissions could not express "these user ids"); others get a private refusal.
A reindex answers within Discord's 3-second deadline (defer), builds in a worker process, one
at a time, and ends with the build summary; a failed build leaves the previous index answering
(and is posted to ``discord.alert_channel``). ``/status`` shows what the index holds, how the
last reindex went and any problem with the index file.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.checks import admin_check
from bot.discord_app.embeds import (
    escape,
    problem_embed,
    status_embed,
    summary_embed,
    summary_line,
)
from bot.discord_app.engine_host import NewIndexUnusable
from bot.discord_app.errors import PREVIOUS_ANSWERING
from bot.discord_app.replies import message_of, respond
from bot.discord_app.views import list_reply
from bot.engine.build.builder import BuildBusy, BuildError
from bot.engine.search import Searcher
from bot.engine.uploads import UploadRejected, check_upload, save_upload

if TYPE_CHECKING:
    from bot.discord_app.app import BriefingBot

log = logging.getLogger("briefing.bot")

ALREADY_RUNNING = "A reindex is already running; its summary will appear where it was started."


class Admin(commands.Cog):
    """Keeping the index up to date from Discord."""

    sources = app_commands.Group(name="sources", description="The articles the bot quotes from.")

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot

    async def build(self, title: str, saved: str | None = None) -> discord.Embed:
        """Run the build (the caller holds ``bot.reindex_lock``) and describe the outcome;
        ``saved``: the file an upload just saved, which a build that did not run or failed
        has not indexed (the reply says so rather than leave it to a retry's "already
        exists")."""
        kept = f"{saved} is saved but not indexed yet. " if saved else ""
        try:
            summary = await self.bot.reindex()
        except BuildBusy:  # another process is building: not a failure, nothing to alert
            return problem_embed(
                "Not indexed yet" if saved else "Reindex not started",
                f"{kept}Another build of this index is running (`briefing index`, or another "
                "process of the bot); run /reindex when it has finished.",
            )
        except BuildError as error:
            log.warning("reindex failed: %s", error)
            told = isinstance(error, NewIndexUnusable)  # by the searcher pool's alert
            self.bot.note_reindex(False, str(error), alert=not told)
            return problem_embed("Reindex failed", f"{kept}{error}. {PREVIOUS_ANSWERING}")
        self.bot.note_reindex(True, summary_line(summary))
        return summary_embed(summary, title=title)

    @app_commands.command(
        name="status", description="The index, the last reindex and any problem (admins)."
    )
    @app_commands.check(admin_check)
    async def status(self, interaction: discord.Interaction[BriefingBot]) -> None:
        async def make() -> dict[str, Any]:
            try:
                stats = await self.bot.searchers.run(Searcher.stats)
            except sqlite3.DatabaseError:  # the open file is damaged: the problem says so
                stats = {}
            problem = self.bot.searchers.problem
            return {"embed": status_embed(stats, self.bot.last_reindex, problem)}

        await respond(interaction, make(), ephemeral=True)

    @app_commands.command(name="reindex", description="Rebuild the index from the sources folder.")
    @app_commands.check(admin_check)
    async def reindex(self, interaction: discord.Interaction[BriefingBot]) -> None:
        lock: asyncio.Lock = self.bot.reindex_lock
        if lock.locked():
            await interaction.response.send_message(ALREADY_RUNNING, ephemeral=True)
            return
        async with lock:  # acquired at once: nothing awaited since the check above
            await interaction.response.defer(ephemeral=True, thinking=True)
            embed = await self.build("Reindex finished")
            await interaction.edit_original_response(embed=embed)

    @sources.command(name="list", description="List the indexed articles.")
    async def list_sources(self, interaction: discord.Interaction[BriefingBot]) -> None:
        await respond(interaction, message_of(list_reply(self.bot, "sources", 0)))

    @sources.command(name="add", description="Add an article (.txt or .md) and reindex.")
    @app_commands.describe(
        file="The article: a UTF-8 .txt or .md file of at most 5 MB.",
        replace="Overwrite an article that has the same file name.",
    )
    @app_commands.check(admin_check)
    async def add_source(
        self,
        interaction: discord.Interaction[BriefingBot],
        file: discord.Attachment,
        replace: bool = False,
    ) -> None:
        try:
            name = check_upload(file.filename, file.size)
        except UploadRejected as error:
            embed = problem_embed("Article not added", str(error))
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        lock: asyncio.Lock = self.bot.reindex_lock
        if lock.locked():
            busy = f"A reindex is running, so {escape(name)} was not saved: add it again after it."
            await interaction.response.send_message(busy, ephemeral=True)
            return
        async with lock:
            await interaction.response.defer(ephemeral=True, thinking=True)
            try:
                data = await file.read()
                name = check_upload(name, len(data), data)
                saved = await asyncio.to_thread(
                    save_upload, self.bot.config.sources, name, data, replace=replace
                )
            except UploadRejected as error:
                embed = problem_embed("Article not added", str(error))
                await interaction.edit_original_response(embed=embed)
                return
            log.info("%s saved %s (%d bytes)", interaction.user.id, saved.name, len(data))
            verb = "Replaced" if saved.replaced else "Added"
            shown = escape(saved.name)
            embed = await self.build(f"{verb} {shown} and reindexed", saved=shown)
            await interaction.edit_original_response(embed=embed)


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Admin(bot))
