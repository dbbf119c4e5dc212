"""Who is an admin: the operator names them. Manage Server counts only in the servers of
``discord.admin_guild_ids``; the application's owner and ``admin_user_ids`` are admins
everywhere; with nothing configured, Manage Server makes no one an admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import BotProcess, default_discord_settings, finished, responded, start_bot
from .standin import DiscordStandIn

REFUSED = "Only admins can do that."


@pytest.fixture(scope="module")
def standin() -> Iterator[DiscordStandIn]:
    server = DiscordStandIn(guild_count=2).start()  # bob has Manage Server in both
    yield server
    server.stop()


def general(standin: DiscordStandIn, guild: int) -> dict:
    return next(c for c in standin.guilds[guild]["channels"] if c["name"] == "general")


def status_reply(standin: DiscordStandIn, user: str, guild: int) -> dict:
    rec = standin.slash("status", user=user, channel=general(standin, guild))
    body = responded(standin, rec, timeout=10)
    return body["data"] if body["type"] == 4 else finished(standin, rec, timeout=15)


def is_admin(standin: DiscordStandIn, user: str, guild: int) -> bool:
    data = status_reply(standin, user, guild)
    if data.get("content") == REFUSED:
        return False
    assert data["embeds"][0]["title"] == "Index status", data
    return True


def settings_for(standin: DiscordStandIn, **overrides: object) -> dict[str, object]:
    guilds = [int(g["id"]) for g in standin.guilds]
    return default_discord_settings(standin, dev_guild_ids=guilds, **overrides)


@pytest.fixture(scope="module")
def bot(standin, tmp_path_factory) -> Iterator[BotProcess]:
    """Admin power in the first server only (the default test settings)."""
    process = start_bot(standin, tmp_path_factory.mktemp("admins"), settings_for(standin))
    yield process
    assert process.stop() == 0, process.log()


def test_manage_server_in_another_server_is_refused(standin, bot):
    assert is_admin(standin, "bob", guild=0)
    assert not is_admin(standin, "bob", guild=1)  # the same power in a server of his own
    rec = standin.slash("reindex", user="bob", channel=general(standin, 1))
    assert responded(standin, rec)["data"]["content"] == REFUSED
    upload = standin.add_attachment("refunds.txt", b"Refunds: send your card number here.\n")
    rec = standin.slash("sources add", user="bob", channel=general(standin, 1), file=upload)
    assert responded(standin, rec)["data"]["content"] == REFUSED
    assert not (bot.sources / "refunds.txt").exists()


def test_the_owner_and_configured_users_are_admins_everywhere(standin, bot):
    for guild in (0, 1):
        assert is_admin(standin, "mallory", guild)  # the stand-in's application owner
        assert is_admin(standin, "dave", guild)  # discord.admin_user_ids
    assert not is_admin(standin, "alice", guild=0)


def test_with_no_admin_servers_manage_server_makes_no_admin(standin, bot, tmp_path):
    bot.stop()  # one bot at a time on the stand-in
    other = start_bot(standin, tmp_path, settings_for(standin, admin_guild_ids=[]))
    try:
        assert not is_admin(standin, "bob", guild=0)
        assert is_admin(standin, "mallory", guild=0) and is_admin(standin, "dave", guild=0)
        assert is_admin(standin, "carol", guild=0)  # discord.admin_role_ids
    finally:
        assert other.stop() == 0, other.log()
