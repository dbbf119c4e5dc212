"""Sending replies: in time for Discord's deadline, privately, and exactly once.

An interaction's reply is sent at once when it is ready in time, else deferred and edited in
(``respond``); a private note reaches the one who asked whatever state the interaction is in
(``reply_private``); a message's reply is retried after a failure that may pass, with a nonce
that makes a retried send return the message already made (``reply_to``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord

from bot.discord_app.limits import RESPONSE_DEADLINE

log = logging.getLogger("briefing.bot")

# A reply not ready this long after the interaction was created is deferred ("thinking…") and
# edited in when ready; the wait is at most DEFER_WAIT, leaving room before Discord's deadline
# for a clock that runs behind Discord's and for the defer itself.
DEFER_BY = RESPONSE_DEADLINE - 1.0
DEFER_WAIT = 1.5

# Failures on the way to Discord that may pass: a 5xx discord.py gave up on (it does not retry
# 503 at all), a dropped connection, a timeout.
DELIVERY_ERRORS = (discord.DiscordServerError, aiohttp.ClientError, asyncio.TimeoutError)
SEND_RETRY_DELAYS = (0.3, 1.0)  # seconds before the 2nd and 3rd attempt


@dataclass(frozen=True)
class Reply:
    """A message ready to send: one embed and maybe buttons."""

    embed: discord.Embed
    view: discord.ui.View | None


def message_kwargs(reply: Reply) -> dict[str, Any]:
    """The reply as ``send`` keyword arguments."""
    kwargs: dict[str, Any] = {"embed": reply.embed}
    if reply.view is not None:
        kwargs["view"] = reply.view
    return kwargs


async def message_of(reply: Awaitable[Reply]) -> dict[str, Any]:
    """``message_kwargs`` of a reply still being made: what ``respond`` takes."""
    return message_kwargs(await reply)


# --- interactions ---------------------------------------------------------------------------------


async def respond(
    interaction: discord.Interaction,
    make: Awaitable[dict[str, Any]],
    *,
    ephemeral: bool = False,
    update: bool = False,
) -> None:
    """Answer ``interaction`` with the message ``make`` builds (``send_message`` keyword
    arguments), in time however long ``make`` takes: sent at once when ready within the
    deadline, else deferred first and put in place when ready. ``update`` edits the message the
    clicked button is on instead of sending a new one."""
    task = asyncio.ensure_future(make)
    try:
        age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
        await asyncio.wait({task}, timeout=min(DEFER_WAIT, max(0.0, DEFER_BY - age)))
        if task.done():
            kwargs = task.result()
            if update:
                await interaction.response.edit_message(**kwargs)
            else:
                await interaction.response.send_message(**kwargs, ephemeral=ephemeral)
            forget_view(kwargs)
            return
        log.info("interaction %s: the reply takes a while; deferring", interaction.id)
        if update:
            await interaction.response.defer()
        else:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        kwargs = await task
        await interaction.edit_original_response(**kwargs)
        forget_view(kwargs)
    finally:
        task.cancel()  # only if the defer failed: nobody will take the reply any more


def forget_view(kwargs: dict[str, Any]) -> None:
    """Drop the view just sent from discord.py's view store. Its buttons are ``DynamicItem``s,
    found by their custom id whenever clicked, so the object is not needed once sent; but
    discord.py keeps the view of a private reply for 15 minutes, with a task waiting out the
    time: in a soak, a view, two buttons, a task and its coroutine, future and context more for
    every private answer, piling up for 15 minutes."""
    view = kwargs.get("view")
    if view is not None:
        view.stop()


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


# --- messages -------------------------------------------------------------------------------------


async def reply_to(message: discord.Message, *, nonce: str, **kwargs: Any) -> discord.Message:
    """Reply without pinging the author; if the question was deleted meanwhile, just post.

    ``nonce`` (see ``reply_nonce``) makes the reply idempotent: Discord answers a second send
    with the same nonce with the message the first one made, so retrying after a 5xx never
    posts twice."""
    reference = message.to_reference(fail_if_not_exists=False)
    for delay in (*SEND_RETRY_DELAYS, None):
        try:
            return await message.channel.send(
                reference=reference, mention_author=False, nonce=nonce, **kwargs
            )
        except DELIVERY_ERRORS as error:
            if delay is None:
                raise
            log.warning("sending to channel %s failed (%s); retrying", message.channel.id, error)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def reply_nonce(kind: str, message: discord.Message) -> str:
    """The nonce of the reply of ``kind`` ("a" answer, "e" error, "c" cooldown note) to
    ``message``: the same at every attempt at that reply. A letter and a snowflake (at most 20
    digits) stay within Discord's ``NONCE_LIMIT``."""
    return f"{kind}{message.id}"
