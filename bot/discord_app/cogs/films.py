"""Films: ``/films`` lists what the articles talk about; ``/film`` answers about one of them."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from rapidfuzz import fuzz, process, utils

from bot.discord_app.checks import cooldown_check
from bot.discord_app.limits import CHOICE_LIMIT, CHOICES_LIMIT
from bot.discord_app.replies import message_of, respond
from bot.discord_app.views import answer_reply, list_reply
from bot.engine.search import Searcher

if TYPE_CHECKING:
    from bot.discord_app.app import BriefingBot

log = logging.getLogger("briefing.bot")


def film_choices(films: list[dict], typed: str) -> list[app_commands.Choice[str]]:
    """Titles and aliases matching what was typed so far, typo-tolerant, best first; the value
    is always the canonical title."""
    names: list[tuple[str, str]] = []  # (shown name, canonical title)
    for film in films:
        title = str(film["title"])
        names.append((title, title))
        names += [(str(alias), title) for alias in film.get("aliases") or []]
    typed = typed.strip()
    if not typed:
        ranked = [(name, title) for name, title in names if name == title]
    else:
        hits = process.extract(
            typed,
            [name for name, _ in names],
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=len(names),
            score_cutoff=50,
        )
        ranked = [names[index] for _, _, index in hits]
    choices, seen = [], set()
    for name, title in ranked:
        if title in seen or len(title) > CHOICE_LIMIT:
            continue
        seen.add(title)
        shown = title if name == title else f"{name} → {title}"
        choices.append(app_commands.Choice(name=shown[:CHOICE_LIMIT], value=title))
        if len(choices) == CHOICES_LIMIT:
            break
    return choices


class Films(commands.Cog):
    """The films the articles mention, and what they say about each."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot

    @app_commands.command(name="films", description="List the films the articles talk about.")
    async def films(self, interaction: discord.Interaction[BriefingBot]) -> None:
        await respond(interaction, message_of(list_reply(self.bot, "films", 0)))

    @app_commands.command(name="film", description="What the articles say about one film.")
    @app_commands.describe(title="The film (start typing for suggestions).")
    @app_commands.check(cooldown_check)
    async def film(
        self, interaction: discord.Interaction[BriefingBot], title: app_commands.Range[str, 1, 200]
    ) -> None:
        await respond(interaction, message_of(answer_reply(self.bot, "film", title)))

    @film.autocomplete("title")
    async def film_autocomplete(
        self, interaction: discord.Interaction[BriefingBot], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            films = await self.bot.searchers.run(Searcher.films)
            return film_choices(films, current)
        except Exception:  # an autocomplete that raises shows "Loading options failed"
            log.exception("film autocomplete failed for %r", current)
            return []


async def setup(bot: BriefingBot) -> None:
    await bot.add_cog(Films(bot))
