"""Asking: mentions, DMs, answer channels and ``/ask``.

A message is a question when it mentions the bot (the mention is stripped), when it is a DM, or
when it is posted in one of the configured answer channels (that needs the Message Content
intent). Every way of asking shares the per-user cooldown and the same reply.

A message gets exactly one answer, whatever the network does: a question delivered twice by
the gateway is answered once, and each reply carries a nonce made from the question's id with
``enforce_nonce``, so a send that is retried after a 5xx (which may have reached Discord)
returns the message already made instead of posting a second one. When Discord keeps failing,
the user is told to ask again.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections import OrderedDict
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.checks import cooldown_check
from bot.discord_app.errors import SOMETHING_WENT_WRONG, cooldown_text
from bot.discord_app.replies import (
    DELIVERY_ERRORS,
    message_kwargs,
    message_of,
    reply_nonce,
    reply_to,
    respond,
)
from bot.discord_app.views import answer_reply
from bot.engine.search import MAX_QUESTION_CHARS

if TYPE_CHECKING:
    from bot.discord_app.app import BriefingBot

log = logging.getLogger("briefing.bot")

EMPTY_QUESTION = (
    "Ask me something about the articles, for example: "
    "*Where was the motorbike stunt filmed?* — or use /ask."
)
ASK_AGAIN = "Discord had trouble delivering my answer; please ask again in a moment."

HANDLED_MEMORY = 10_000  # message ids remembered to answer a redelivered question only once


class Ask(commands.Cog):
    """Questions in any form, answered with cited excerpts."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        self.answer_channels = set(bot.config.discord.answer_channels)
        self._warned_no_content = False
        self._handled: OrderedDict[int, None] = OrderedDict()

    def first_delivery(self, message_id: int) -> bool:
        """False when this message was already taken as a question (the gateway may deliver an
        event twice, e.g. around a reconnect)."""
        if message_id in self._handled:
            return False
        self._handled[message_id] = None
        if len(self._handled) > HANDLED_MEMORY:
            self._handled.popitem(last=False)
        return True

    @app_commands.command(name="ask", description="Ask a question about the articles.")
    @app_commands.describe(
        question="What you want to know, e.g. where was the motorbike jump filmed?",
        private="Show the answer only to you (default: everyone in the channel sees it).",
    )
    @app_commands.check(cooldown_check)
    async def ask(
        self,
        interaction: discord.Interaction[BriefingBot],
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        private: bool = False,
    ) -> None:
        reply = answer_reply(self.bot, "ask", question)
        await respond(interaction, message_of(reply), ephemeral=private)

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
        if not self.first_delivery(message.id):
            log.info("message %s was delivered again; it is answered once", message.id)
            return
        try:
            await self.answer_message(message, question)
        except Exception as error:
            if isinstance(error, DELIVERY_ERRORS):
                log.warning("could not deliver the answer to message %s: %s", message.id, error)
                text = ASK_AGAIN
            else:
                log.exception("answering message %s failed", message.id)
                text = SOMETHING_WENT_WRONG
            with contextlib.suppress(discord.HTTPException, *DELIVERY_ERRORS):
                await reply_to(message, nonce=reply_nonce("e", message), content=text)

    async def answer_message(self, message: discord.Message, question: str) -> None:
        if not question:
            await reply_to(message, nonce=reply_nonce("a", message), content=EMPTY_QUESTION)
            return
        retry = self.bot.cooldowns.retry_after(message.author.id)
        if retry:
            await self.tell_privately(message, cooldown_text(retry))
            return
        answer = await answer_reply(self.bot, "ask", question[:MAX_QUESTION_CHARS])
        await reply_to(message, nonce=reply_nonce("a", message), **message_kwargs(answer))

    async def tell_privately(self, message: discord.Message, text: str) -> None:
        """A message cannot get an ephemeral reply: DM the author, or react if DMs are closed."""
        try:
            await message.author.send(text, nonce=reply_nonce("c", message))
        except discord.HTTPException:
            with contextlib.suppress(discord.HTTPException):
                await message.add_reaction("\N{HOURGLASS WITH FLOWING SAND}")


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Ask(bot))
