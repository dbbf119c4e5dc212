"""Asking: mentions, DMs, answer channels and ``/ask``.

A message is a question when it mentions the bot (the mention is stripped), when it is a DM, or
when it is posted in one of the configured answer channels (that needs the Message Content
intent). Every way of asking shares the per-user cooldown and the same reply.
"""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import SOMETHING_WENT_WRONG, AskingTooFast, cooldown_text
from bot.discord_views import answer_reply
from bot.search import MAX_QUESTION_CHARS

log = logging.getLogger("briefing.bot")

EMPTY_QUESTION = (
    "Ask me something about the articles, for example: "
    "*Where was the motorbike stunt filmed?* — or use /ask."
)


async def reply(message: discord.Message, **kwargs: Any) -> discord.Message:
    """Reply without pinging the author; if the question was deleted meanwhile, just post."""
    reference = message.to_reference(fail_if_not_exists=False)
    return await message.channel.send(reference=reference, mention_author=False, **kwargs)


def check_cooldown(interaction: discord.Interaction) -> bool:
    """App-command check: counts the ask, or raises ``AskingTooFast`` for the error handler."""
    retry = interaction.client.cooldowns.retry_after(interaction.user.id)  # type: ignore[attr-defined]
    if retry:
        raise AskingTooFast(retry)
    return True


class Ask(commands.Cog):
    """Questions in any form, answered with cited excerpts."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self.answer_channels = {int(c) for c in bot.config.discord.answer_channels}
        self._warned_no_content = False

    @app_commands.command(name="ask", description="Ask a question about the articles.")
    @app_commands.describe(
        question="What you want to know, e.g. where was the motorbike jump filmed?",
        private="Show the answer only to you (default: everyone in the channel sees it).",
    )
    @app_commands.check(check_cooldown)
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        private: bool = False,
    ) -> None:
        reply = await answer_reply(self.bot, "ask", question)
        kwargs: dict[str, Any] = {"embed": reply.embed, "ephemeral": private}
        if reply.view is not None:
            kwargs["view"] = reply.view
        await interaction.response.send_message(**kwargs)

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks, or None when it is not addressed to the bot."""
        me = self.bot.user
        if message.author.bot or me is None or message.author.id == me.id:
            return None
        content = message.content or ""
        if message.guild is None:
            return content.strip()
        if any(user.id == me.id for user in message.mentions):  # not @everyone, not a role
            return re.sub(rf"<@!?{me.id}>", " ", content).strip()
        if message.channel.id in self.answer_channels:
            if not content and not message.attachments and not self._warned_no_content:
                self._warned_no_content = True
                log.warning(
                    "got an empty message in answer channel %s: is the Message Content intent "
                    "enabled in the Developer Portal?",
                    message.channel.id,
                )
            return content.strip() or None
        return None

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = self.question_in(message)
        if question is None:
            return
        try:
            await self.answer_message(message, question)
        except Exception:
            log.exception("answering message %s failed", message.id)
            with contextlib.suppress(discord.HTTPException):
                await reply(message, content=SOMETHING_WENT_WRONG)

    async def answer_message(self, message: discord.Message, question: str) -> None:
        if not question:
            await reply(message, content=EMPTY_QUESTION)
            return
        retry = self.bot.cooldowns.retry_after(message.author.id)
        if retry:
            await self.tell_privately(message, cooldown_text(retry))
            return
        answer = await answer_reply(self.bot, "ask", question[:MAX_QUESTION_CHARS])
        kwargs: dict[str, Any] = {"embed": answer.embed}
        if answer.view is not None:
            kwargs["view"] = answer.view
        await reply(message, **kwargs)

    async def tell_privately(self, message: discord.Message, text: str) -> None:
        """A message cannot get an ephemeral reply: DM the author, or react if DMs are closed."""
        try:
            await message.author.send(text)
        except discord.HTTPException:
            with contextlib.suppress(discord.HTTPException):
                await message.add_reaction("\N{HOURGLASS WITH FLOWING SAND}")


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Ask(bot))
