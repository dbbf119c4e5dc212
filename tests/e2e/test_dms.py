"""Slash commands in the DM with the bot: /ask, its buttons, /film's autocomplete, /films and
an admin command, each from an interaction shaped as Discord sends one from a bot DM (``user``,
not ``member``; context 1; ``authorizing_integration_owners`` ``{"0": "0"}``).

Discord offers only global commands in DMs, so this bot syncs globally (no ``dev_guild_ids``).
"""

from __future__ import annotations

import pytest

from .conftest import button_ids, embed_of, responded
from .standin import CONTEXT_BOT_DM, EPHEMERAL, DiscordStandIn

BOT_SETTINGS = {"dev_guild_ids": []}
QUESTION = "Where in Norway was the motorbike jump filmed?"


def test_the_commands_are_global_and_offered_in_dms(standin, bot):
    assert set(standin.commands) == {None}
    ask = next(c for c in standin.commands[None] if c["name"] == "ask")
    assert ask.get("contexts") is None or CONTEXT_BOT_DM in ask["contexts"]


def test_slash_ask_in_a_dm_is_answered_in_the_dm(standin, bot):
    rec = standin.slash("ask", channel=None, question=QUESTION)
    assert "member" not in rec.payload and rec.payload["user"]["username"] == "alice"
    body = responded(standin, rec)
    assert body["type"] == 4
    assert "Helsetkopen" in embed_of(body["data"])["description"]
    assert rec.original["channel_id"] == standin.dm_channel(standin.users["alice"])["id"]
    assert "guild_id" not in rec.original


def test_private_slash_ask_in_a_dm_is_ephemeral(standin, bot):
    rec = standin.slash("ask", channel=None, user="bob", question=QUESTION, private=True)
    assert responded(standin, rec)["data"]["flags"] & EPHEMERAL


def test_buttons_on_a_dm_answer_work(standin, bot):
    rec = standin.slash("ask", channel=None, question="How many jumps did Cruise do?")
    responded(standin, rec)
    buttons = button_ids(rec.original)
    context = standin.click(rec.original, buttons["Show in context"])
    assert "member" not in context.payload
    body = responded(standin, context)
    assert body["data"]["flags"] & EPHEMERAL
    assert all("paragraph" in e["footer"]["text"] for e in body["data"]["embeds"])


def test_film_autocomplete_and_films_in_a_dm(standin, bot):
    rec = standin.autocomplete("film", "title", "Mision Impossible", channel=None)
    choices = responded(standin, rec)["data"]["choices"]
    assert choices and any("Mission" in c["name"] for c in choices)
    films = standin.slash("films", channel=None, user="carol")
    assert embed_of(responded(standin, films)["data"])["title"] == "Films the articles talk about"


def test_admin_command_in_a_dm_is_refused_to_a_non_admin(standin, bot):
    rec = standin.slash("status", channel=None, user="alice")
    body = responded(standin, rec)
    assert body["data"]["flags"] & EPHEMERAL
    assert "Only admins" in body["data"]["content"]


def test_admin_command_in_a_dm_works_for_an_admin_named_by_id(standin, bot):
    """dave is in ``admin_user_ids``: an admin everywhere, his DM with the bot included."""
    rec = standin.slash("status", channel=None, user="dave")
    body = responded(standin, rec)
    assert body["data"]["flags"] & EPHEMERAL
    assert embed_of(body["data"])["title"] == "Index status"


def test_the_bot_logged_no_error(standin, bot):
    assert "Traceback" not in bot.log() and "ERROR" not in bot.log()
    refused = [r for r in standin.requests if r.status >= 400]
    assert refused == [], [(r.method, r.path, r.response) for r in refused]


def test_discord_offers_no_guild_command_in_a_dm():
    """A command synced to one server is not offered in DMs (nor in other servers): the
    stand-in refuses to make up such an interaction, as Discord never sends one."""
    server = DiscordStandIn()
    guild_id = int(server.guild["id"])
    server.commands[guild_id] = [{"id": "1", "name": "ask", "type": 1, "guild_id": str(guild_id)}]
    server.commands[None] = [{"id": "2", "name": "films", "type": 1, "contexts": [0]}]
    with pytest.raises(KeyError, match="no command named 'ask' in DMs"):
        server.slash("ask", channel=None)
    with pytest.raises(KeyError, match="no command named 'films' in DMs"):
        server.slash("films", channel=None)
