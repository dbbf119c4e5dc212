"""App-command checks shared by the cogs: who is an admin, and the per-user cooldown.

A failed check raises a ``CheckFailure`` of its own kind; the tree's one error handler
(``errors``) turns it into the private reply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.discord_app.app import BriefingBot


class NotAdmin(app_commands.CheckFailure):
    """Raised by the admin check; the error handler answers "only admins can do that"."""


class AskingTooFast(app_commands.CheckFailure):
    """Raised by the cooldown check with the seconds to wait."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"on cooldown for {retry_after:.1f}s")
        self.retry_after = retry_after


async def is_admin(interaction: discord.Interaction[BriefingBot]) -> bool:
    """Admins are named by the operator, never made by whoever runs a server. Everywhere:
    the application's owner (or its team) and ``discord.admin_user_ids``; in a server,
    members with a role in ``discord.admin_role_ids``, and members with Manage Server (or
    Administrator) only in the servers of ``discord.admin_guild_ids``. Anyone can invite a
    public bot to a server of their own, where they have Manage Server, and every server's
    questions are answered from the one index these admins change."""
    bot = interaction.client
    settings = bot.config.discord
    user = interaction.user
    if user.id in settings.admin_user_ids or await owns_the_application(bot, user):
        return True
    if isinstance(user, discord.Member):
        if any(role.id in settings.admin_role_ids for role in user.roles):
            return True
        permissions = interaction.permissions
        in_admin_guild = interaction.guild_id in settings.admin_guild_ids
        if in_admin_guild and (permissions.manage_guild or permissions.administrator):
            return True
    return False


async def owns_the_application(bot: BriefingBot, user: discord.abc.User) -> bool:
    """The application's owner, or a member of the team that owns it (asked of Discord once,
    then remembered by discord.py); False if Discord can't say."""
    try:
        return await bot.is_owner(user)
    except discord.HTTPException:
        return False


async def admin_check(interaction: discord.Interaction[BriefingBot]) -> bool:
    """App-command check: only admins, else ``NotAdmin`` for the error handler."""
    if not await is_admin(interaction):
        raise NotAdmin()
    return True


def cooldown_check(interaction: discord.Interaction[BriefingBot]) -> bool:
    """App-command check: counts the ask, or raises ``AskingTooFast`` for the error handler."""
    retry = interaction.client.cooldowns.retry_after(interaction.user.id)
    if retry:
        raise AskingTooFast(retry)
    return True
