"""What a user sees when something fails, and the one error path for commands and buttons.

Expected failures (a cooldown, not an admin, a stale command, an unreadable option) get their
own short private text; anything else gets ``SOMETHING_WENT_WRONG`` and its traceback goes to
the log. ``BriefingTree`` routes every app command's failure here; buttons call
``report_error`` themselves (``views.guarded``).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.discord_app.checks import AskingTooFast, NotAdmin
from bot.discord_app.replies import reply_private

if TYPE_CHECKING:
    from bot.discord_app.app import BriefingBot

log = logging.getLogger("briefing.bot")

SOMETHING_WENT_WRONG = "Something went wrong on my side; the admins can see the details in the log."
ONLY_ADMINS = "Only admins can do that."
STALE_COMMAND = (
    "That command has changed since Discord last updated its list; try again in a minute."
)
PREVIOUS_ANSWERING = "The previous index is still answering questions."


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


async def report_error(interaction: discord.Interaction[BriefingBot], error: BaseException) -> None:
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
        log.error("%s failed", what, exc_info=(type(original), original, original.__traceback__))
    await reply_private(interaction, text)


class BriefingTree(app_commands.CommandTree["BriefingBot"]):
    """The command tree with the bot's single error handler."""

    async def on_error(
        self, interaction: discord.Interaction[BriefingBot], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)
