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


def is_admin(interaction: discord.Interaction[BriefingBot]) -> bool:
    """Manage Server (or Administrator) in this server, or listed in the config by id."""
    settings = interaction.client.config.discord
    user = interaction.user
    if user.id in {int(i) for i in settings.admin_user_ids}:
        return True
    if isinstance(user, discord.Member):
        permissions = interaction.permissions
        if permissions.manage_guild or permissions.administrator:
            return True
        admin_roles = {int(i) for i in settings.admin_role_ids}
        if any(role.id in admin_roles for role in user.roles):
            return True
    return False


def admin_check(interaction: discord.Interaction[BriefingBot]) -> bool:
    """App-command check: only admins, else ``NotAdmin`` for the error handler."""
    if not is_admin(interaction):
        raise NotAdmin()
    return True


def cooldown_check(interaction: discord.Interaction[BriefingBot]) -> bool:
    """App-command check: counts the ask, or raises ``AskingTooFast`` for the error handler."""
    retry = interaction.client.cooldowns.retry_after(interaction.user.id)
    if retry:
        raise AskingTooFast(retry)
    return True
