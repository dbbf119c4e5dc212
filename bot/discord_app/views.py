"""Replies with buttons: an answer with "More" and "Show in context", and list pages.

The buttons are ``DynamicItem``s: their custom id carries what they need (a key into the bot's
``QueryCache`` and an offset, or a list name and page), so any click on any message is handled
by a fresh item, by whoever clicks, with no per-message view kept in memory. When the key has
expired (``button_timeout``) or the bot restarted, the click gets a polite private note.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar

import discord

from bot.discord_app.embeds import (
    Page,
    answer_embed,
    context_embeds,
    films_page,
    not_found_embed,
    sources_page,
)
from bot.discord_app.errors import report_error
from bot.discord_app.limits import CUSTOM_ID_LIMIT
from bot.discord_app.replies import Reply, message_kwargs, reply_private, respond
from bot.discord_app.state import Query
from bot.engine.search import Answer, Excerpt, Searcher

if TYPE_CHECKING:
    from bot.discord_app.app import BriefingBot

log = logging.getLogger("briefing.bot")

EXPIRED = (
    "These buttons have expired (answers keep their buttons for {minutes}). "
    "Ask again with /ask to get fresh ones."
)
NO_MORE = "That's everything the articles say about it."


def searcher_method(kind: str) -> Callable[[Searcher, str, int], Answer]:
    """The engine call behind a query kind: the same ``Searcher`` methods the CLI uses."""
    if kind == "film":
        return Searcher.film
    return Searcher.ask


async def fetch_page(bot: BriefingBot, kind: str, text: str, start: int) -> tuple[Answer, bool]:
    """The answer with enough excerpts to show ``start``..``start+page`` and to know whether
    there are more after that."""
    top = start + bot.page_size + 1
    answer = await bot.searchers.run(searcher_method(kind), text, top)
    return answer, len(answer.excerpts) > start + bot.page_size


async def answer_reply(
    bot: BriefingBot, kind: str, text: str, *, start: int = 0, key: str | None = None
) -> Reply:
    """Search and lay out one page of excerpts with its buttons."""
    answer, more = await fetch_page(bot, kind, text, start)
    shown = answer.excerpts[start : start + bot.page_size]
    if not answer.answered or not shown:
        if start:
            return Reply(discord.Embed(description=NO_MORE), None)
        return Reply(not_found_embed(answer), None)
    key = key or bot.queries.put(kind, text)
    view = discord.ui.View(timeout=None)
    if more:
        view.add_item(MoreButton(key, start + bot.page_size))
    view.add_item(ContextButton(key, start))
    return Reply(answer_embed(answer, shown, first=start + 1, more=more), view)


async def guarded(
    interaction: discord.Interaction[BriefingBot], work: Callable[[], Awaitable[None]]
) -> None:
    """Run a button's work; failures go to the same handler as commands."""
    try:
        await work()
    except Exception as error:  # noqa: BLE001 - every failure must get a reply
        await report_error(interaction, error)


def expired_text(bot: BriefingBot) -> str:
    minutes = max(1, round(bot.queries.ttl / 60))
    return EXPIRED.format(minutes=f"{minutes} minute{'s' if minutes != 1 else ''}")


def custom_id(*parts: object) -> str:
    """A button's custom id, ``mb:`` and ``parts`` joined by colons, as the templates below
    read it. The templates bound every part, so an id stays far below the limit."""
    made = ":".join(["mb", *map(str, parts)])
    if len(made) > CUSTOM_ID_LIMIT:
        raise ValueError(f"custom id over {CUSTOM_ID_LIMIT} characters: {made!r}")
    return made


class QueryButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"mb:(?:more|ctx):(?P<key>[0-9a-f]{12}):(?P<start>\d{1,3})",
):
    """A button on an answer: its custom id holds the question's key in ``bot.queries`` and the
    first excerpt of its page. A click looks the question up (expired: a polite note) and
    answers only the one who clicked with what ``reply`` makes of it. Subclasses name their
    verb, label and style, with the template for their verb (this one is never registered)."""

    verb: ClassVar[str]
    button_label: ClassVar[str]
    button_style: ClassVar[discord.ButtonStyle]

    def __init__(self, key: str, start: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=self.button_label,
                style=self.button_style,
                custom_id=custom_id(self.verb, key, start),
            )
        )
        self.key, self.start = key, start

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> QueryButton:
        return cls(match["key"], int(match["start"]))

    async def callback(self, interaction: discord.Interaction[BriefingBot]) -> None:  # type: ignore[override]
        async def work() -> None:
            bot = interaction.client
            query = bot.queries.get(self.key)
            if query is None:
                await reply_private(interaction, expired_text(bot))
                return
            await respond(interaction, self.reply(bot, query), ephemeral=True)

        await guarded(interaction, work)

    async def reply(self, bot: BriefingBot, query: Query) -> dict[str, Any]:
        """The private reply to a click, as ``send_message`` keyword arguments."""
        raise NotImplementedError


class MoreButton(QueryButton, template=r"mb:more:(?P<key>[0-9a-f]{12}):(?P<start>\d{1,3})"):
    """The next excerpts for the same question, shown to the one who clicked."""

    verb, button_label, button_style = "more", "More", discord.ButtonStyle.primary

    async def reply(self, bot: BriefingBot, query: Query) -> dict[str, Any]:
        reply = await answer_reply(bot, query.kind, query.text, start=self.start, key=self.key)
        return message_kwargs(reply)


class ContextButton(QueryButton, template=r"mb:ctx:(?P<key>[0-9a-f]{12}):(?P<start>\d{1,3})"):
    """The paragraphs around the excerpts of one page, shown only to the one who clicked."""

    verb, button_label, button_style = "ctx", "Show in context", discord.ButtonStyle.secondary

    async def reply(self, bot: BriefingBot, query: Query) -> dict[str, Any]:
        answer, _ = await fetch_page(bot, query.kind, query.text, self.start)
        shown = answer.excerpts[self.start : self.start + bot.page_size]
        if not shown:
            return {"content": "The articles changed since; ask again."}
        pairs = await bot.searchers.run(contexts, shown)
        return {"embeds": context_embeds(pairs)}


def contexts(searcher: Searcher, excerpts: tuple[Excerpt, ...]) -> list[tuple[Excerpt, str]]:
    return [(excerpt, searcher.context(excerpt)) for excerpt in excerpts]


LISTS: dict[str, tuple[Callable[[Searcher], list[dict]], Callable[[list[dict], int], Page]]] = {
    "films": (Searcher.films, films_page),
    "sources": (Searcher.articles, sources_page),
}


async def list_reply(bot: BriefingBot, which: str, page: int) -> Reply:
    """Page ``page`` of the films or sources list, with Previous/Next buttons when long."""
    fetch, layout = LISTS[which]
    items = await bot.searchers.run(fetch)
    laid_out = layout(items, page)
    if laid_out.pages <= 1:
        return Reply(laid_out.embed, None)
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(which, laid_out.page - 1, "Previous", laid_out.page == 0))
    view.add_item(PageButton(which, laid_out.page + 1, "Next", laid_out.page >= laid_out.pages - 1))
    return Reply(laid_out.embed, view)


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"mb:page:(?P<which>films|sources):(?P<page>-?\d{1,4}):(?P<label>[PN])",
):
    """Previous/Next on a list; stateless, so it works for everyone for as long as the message
    exists, and turns the page for everyone (it edits the list message)."""

    def __init__(self, which: str, page: int, label: str, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id("page", which, page, label[0]),
                disabled=disabled,
            )
        )
        self.which, self.page = which, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PageButton:
        label = "Previous" if match["label"] == "P" else "Next"
        return cls(match["which"], int(match["page"]), label)

    async def callback(self, interaction: discord.Interaction[BriefingBot]) -> None:  # type: ignore[override]
        async def make() -> dict[str, Any]:
            reply = await list_reply(interaction.client, self.which, self.page)
            return {"embed": reply.embed, "view": reply.view}  # None: the buttons go

        async def work() -> None:
            await respond(interaction, make(), update=True)

        await guarded(interaction, work)


# Each callback's ``type: ignore[override]``: discord.py types an item's callback for any client,
# but these items are registered only on a ``BriefingBot`` (``add_dynamic_items`` in ``app``).
DYNAMIC_ITEMS = (MoreButton, ContextButton, PageButton)
