"""Fuzzing through Discord: generated questions reach the real bot process as mentions, DMs,
answer-channel messages, ``/ask``, ``/film`` and ``/film`` autocomplete, through the stand-in.

The inputs mix what breaks chat bots: every mention and pill syntax (``@everyone``, ``<@id>``,
``<@&role>``, ``<#channel>``, ``</cmd:id>``, timestamps, custom emoji), Markdown and code blocks,
zero-width, bidirectional and combining characters, emoji sequences, words the articles answer
(so both answers and "not found" are exercised), and messages and options at Discord's maximum
lengths (4,000 characters for a message, 6,000 for an option). For every one:

- exactly one reply, accepted by the stand-in (it answers 400 for anything Discord would
  refuse: lengths, counts, empty fields, bad choices);
- ``allowed_mentions`` with nothing to parse, and nobody it would ping (``would_ping``);
- no mention, role, channel, command or emoji pill left live anywhere Discord renders them;
- the question shown as typed: its echo in the title is inert Markdown that reads back as the
  question (cut at a sentence with "…" when long); in a footer, where Discord renders nothing,
  it is the raw question.

One bot serves the whole module; hypothesis runs derandomized, so the examples are the same on
every run, and bounded (``EXAMPLES`` per test; set BRIEFING_FUZZ_EXAMPLES for a deeper run).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from bot.discord_app.cogs.ask import EMPTY_QUESTION
from bot.discord_app.embeds import NOT_FOUND_TITLE
from bot.engine.search import MAX_QUESTION_CHARS, Searcher
from tests.e2e.conftest import BotProcess, default_discord_settings, make_sources, start_bot
from tests.e2e.standin import (
    EPHEMERAL,
    DiscordStandIn,
    InteractionRecord,
    check_allowed_mentions,
    check_message_payload,
    would_ping,
)

BOT_SETTINGS = {"cooldown_rate": 0, "excerpts": 3}
REELS = 40  # films added for the fuzz: more than Discord's 25 autocomplete choices

MESSAGE_LIMIT = 4000  # a message's content (with Nitro; 2,000 without)
OPTION_LIMIT = 6000  # a string option
EXAMPLES = int(os.environ.get("BRIEFING_FUZZ_EXAMPLES", "300"))  # per test; more for a deep run
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

BOT_ID = "{bot}"  # replaced by the bot's id: a mention of the bot itself
MENTIONS = [
    "@everyone",
    "@here",
    "@\u200beveryone",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&987654321098765432>",
    "<#111111111111111111>",
    "</ask:1>",
    "</film title:123456789012345678>",
    "<t:1700000000:R>",
    "<:party:123456789012345678>",
    "<a:dance:123456789012345678>",
    "<id:customize>",
    f"<@{BOT_ID}>",
    "@ everyone",
    "＠everyone",
]
MARKDOWN = [
    "**",
    "*",
    "__",
    "_",
    "~~",
    "||",
    "`",
    "``",
    "```",
    "```py\n",
    "\n```",
    "> ",
    ">>> ",
    "# ",
    "## ",
    "### ",
    "-# ",
    "- ",
    "  - ",
    "* ",
    "1. ",
    "[link](https://example.com)",
    "[x](<https://example.com>)",
    "https://example.com/a_b*c*~~d~~",
    "http://x/_a_",
    "https://t.co/**b**",
    "<https://example.com>",
    "\\",
    "\\*",
    "\\\\",
    "\n",
    "\n\n",
    "\t",
    "\r\n",
]
INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",  # soft hyphen
    "\u034f",  # combining grapheme joiner
    "\u0301",  # combining acute
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202a",
    "\u202b",
    "\u202d",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u061c",  # Arabic letter mark
    "\u3164",  # Hangul filler (renders blank)
    "שָׁלוֹם",
    "مرحبا",
]
EMOJI = [
    "🪂",
    "🏍️",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇳🇴",
    "👍🏽",
    "❤️",
    "🫠",
    "#️⃣",
    "1️⃣",
    "🏳️\u200d🌈",
    "\U0001f9d1\u200d\U0001f680",
]
WORDS = "Where was the motorbike jump filmed HALO Cruise Helsetkopen quokka trebuchet Fallout ?"
WORDS += " Stunt Reel Mission Impossible Cascadeur Zero"
WORDS = WORDS.split()

token = st.one_of(
    st.sampled_from(MENTIONS),
    st.sampled_from(MARKDOWN),
    st.sampled_from(INVISIBLE),
    st.sampled_from(EMOJI),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
separator = st.sampled_from([" ", " ", "", "\n"])
text = st.lists(st.tuples(token, separator), max_size=40).map(
    lambda pairs: "".join(t + s for t, s in pairs)
)


ANSWERABLE = [
    "Where was the motorbike jump filmed?",
    "How many HALO jumps did Cruise do?",
    "quokka trebuchet stunt",
]
# An answerable question with syntax spliced in, so that answers (whose title echoes the
# question) meet every kind of syntax often, not only "not found" replies.
spliced = st.tuples(
    st.sampled_from(ANSWERABLE),
    st.lists(
        st.tuples(st.integers(0, 40), st.sampled_from(MENTIONS + MARKDOWN + INVISIBLE + EMOJI)),
        min_size=1,
        max_size=6,
    ),
).map(lambda q: splice(*q))


def splice(question: str, inserts: list[tuple[int, str]]) -> str:
    """``question`` with each piece put between two of its words (or at either end)."""
    words = question.split(" ")
    for at, piece in inserts:
        words.insert(at % (len(words) + 1), piece)
    return " ".join(words)


def at_length(limit: int) -> st.SearchStrategy[str]:
    """A text repeated (with article words between) to exactly ``limit`` characters."""

    def fill(seed: str) -> str:
        unit = seed + " Where was the motorbike jump filmed? "
        return (unit * (limit // len(unit) + 1))[:limit]

    return text.map(fill)


def up_to(limit: int) -> st.SearchStrategy[str]:
    return st.one_of(text, text, spliced, spliced, at_length(limit))


def add_films(sources: Path) -> None:
    """Forty more films for /film and its autocomplete, one with a title over Discord's
    100-character choice limit, one with Markdown and mentions in an alias and one with an
    alias so long that "alias → title" passes 100 characters (films.toml, see docs/films.md)."""
    lines = [f"The stunt film Stunt Reel {n} was released with a car jump." for n in range(REELS)]
    (sources / "zz_stunt_reels.md").write_text(
        "# Forty stunt films\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8"
    )
    entries = [
        '[[film]]\nfilm = "Stunt Reel 0"\n'
        'aliases = ["**Reel** __Zero__ @everyone <@123456789012345678> </film:1> ||x||", '
        f'"Cascadeur {"x" * 95}"]',
        '[[film]]\nfilm = "Stunt Reel 1"\n'
        f'rename = "Stunt Reel One: {"A Very Long Subtitle " * 5}"',
    ]
    entries += [f'[[film]]\nfilm = "Stunt Reel {n}"' for n in range(2, REELS)]
    with open(sources / "films.toml", "a", encoding="utf-8") as toml:
        toml.write("\n\n" + "\n\n".join(entries) + "\n")


@pytest.fixture(scope="module")
def bot(standin: DiscordStandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    """The bot over the test articles plus ``add_films``."""
    folder = tmp_path_factory.mktemp("fuzzbot")
    add_films(make_sources(folder / "sources"))
    process = start_bot(standin, folder, default_discord_settings(standin, **BOT_SETTINGS))
    yield process
    assert process.stop() == 0, process.log()


@pytest.fixture(scope="module")
def film_names(bot: BotProcess) -> list[str]:
    """Every title and alias the bot knows, read from its index."""
    searcher = Searcher(bot.db)
    try:
        films = searcher.films()
    finally:
        searcher.close()
    assert len(films) > REELS
    return [name for f in films for name in [f["title"], *f["aliases"]]]


# --- what Discord shows -----------------------------------------------------------------------

# Syntax Discord renders as a mention or pill in message content, embed descriptions, titles and
# field values (not in footers or author names, which are plain text).
LIVE_PILL = re.compile(r"<(?:@[!&]?\d+|#\d+|/[^<>:]+:\d+|a?:\w+:\d+|t:-?\d+(?::\w)?|id:[\w-]+)>")
LIVE_EVERYONE = re.compile(r"@(everyone|here)")
UNESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")  # Discord: a backslash before punctuation
INERT_SKIP = re.compile(r"\\[^0-9A-Za-z\s]")


def live_mentions(text: str) -> list[str]:
    return LIVE_PILL.findall(text) + LIVE_EVERYONE.findall(text)


def unescaped_markdown(text: str) -> list[str]:
    """Markdown Discord would act on in an escaped title: formatting characters without a
    backslash, and line starts that make headings, quotes and lists."""
    found = []
    plain = INERT_SKIP.sub("x", text)  # an escaped character is plain text
    found += [c for c in plain if c in "*_~|`"]
    found += re.findall(r"(?m)^[ \t]*(?:#{1,3}\s|-#\s|>|[-*]\s|\d+\.\s)", plain)
    found += re.findall(r"\[[^\]]*\]\([^)]*\)", plain)  # a masked link
    return found


def shown(escaped: str) -> str:
    """What Discord displays for an escaped string, zero-width spaces dropped."""
    return UNESCAPE.sub(r"\1", escaped).replace("\u200b", "")


def same_text(displayed: str, typed: str) -> bool:
    """``displayed`` is ``typed``, or its beginning cut with "…" (zero-width spaces ignored)."""
    typed = typed.replace("\u200b", "")
    displayed = displayed.replace("\u200b", "")
    if displayed == typed:
        return True
    return displayed.endswith("…") and typed.startswith(displayed[:-1].rstrip())


def rendered_texts(body: dict) -> list[str]:
    """The parts of a message Discord renders as Markdown with mentions."""
    texts = [body.get("content") or ""]
    for embed in body.get("embeds") or []:
        texts += [embed.get("title") or "", embed.get("description") or ""]
        for field in embed.get("fields") or []:
            texts += [field.get("name") or "", field.get("value") or ""]
    return texts


# --- checking what the bot sent ---------------------------------------------------------------

SENT: list[tuple[str, dict | InteractionRecord]] = []  # every question asked, for the last test


def outgoing_since(standin: DiscordStandIn, start: int) -> list[dict]:
    """Message payloads the bot sent since request ``start``; every request was accepted."""
    bodies = []
    for record in standin.requests[start:]:
        assert record.status < 400, (record.method, record.path, record.status, record.response)
        body = record.body or {}
        if "/callback" in record.path:
            if body.get("type") in (4, 7):
                bodies.append(body.get("data") or {})
        elif record.method in ("POST", "PATCH") and (
            "/messages" in record.path or "/webhooks/" in record.path
        ):
            bodies.append(body)
    return bodies


def check_bodies(standin: DiscordStandIn, bodies: list[dict]) -> None:
    for body in bodies:
        assert check_message_payload(body, require_something=False) == []
        assert check_allowed_mentions(body) is None, body.get("allowed_mentions")
        reference = body.get("message_reference") or {}
        replied = standin.messages.get(int(reference.get("message_id") or 0))
        assert would_ping(body, replied and replied["author"]["id"]) == []
        for text in rendered_texts(body):
            assert live_mentions(text) == [], text


def check_answer(embed: dict, question: str, *, echoed: bool = True) -> None:
    """An answer shows the question as its title (``echoed``; /film shows the film's title
    instead); "not found" repeats it in the footer."""
    length = len(question)
    event(f"question of {'≥1000' if length >= 1000 else '100-999' if length >= 100 else '<100'}")
    event("not found" if embed.get("title") == NOT_FOUND_TITLE else "answered")
    if embed.get("title") == NOT_FOUND_TITLE:
        if not question.strip():
            assert "footer" not in embed
            return
        footer = embed["footer"]["text"]
        assert footer.startswith("You asked: ")
        assert same_text(footer.removeprefix("You asked: "), question.strip())
        return
    title = embed["title"]
    assert unescaped_markdown(title) == [], title
    if echoed:
        assert same_text(shown(title), question.strip() or "Your question"), (title, question)


def check_standin(standin: DiscordStandIn) -> None:
    assert standin.violations == [] and standin.pings == []


# --- messages ---------------------------------------------------------------------------------


def expected_question(content: str, where: str, bot_id: str) -> str | None:
    """What the bot takes as the question (None: it should not answer)."""
    if where == "mention":
        content = re.sub(rf"<@!?{bot_id}>", " ", content)
    question = content.strip()
    if where == "channel" and not question:
        return None
    return question[:MAX_QUESTION_CHARS]


@FUZZ
@given(
    body=up_to(MESSAGE_LIMIT - 30),
    where=st.sampled_from(["mention", "dm", "channel"]),
    at=st.floats(0, 1),
    bang=st.booleans(),
)
def test_any_message_gets_one_well_formed_reply(standin, bot, body, where, at, bang):
    bot_id = standin.bot_user["id"]
    body = body.replace(BOT_ID, bot_id)
    if where == "mention":  # the bot's mention anywhere in the message, <@id> or <@!id>
        cut = int(len(body) * at)
        body = body[:cut] + f"<@{'!' if bang else ''}{bot_id}>" + body[cut:]
    content = body[:MESSAGE_LIMIT]
    question = expected_question(content, where, bot_id)
    assume(question is not None and (where != "mention" or f"{bot_id}>" in content))
    start = len(standin.requests)
    channel = {"mention": "general", "dm": None, "channel": "briefing"}[where]
    message = standin.send_message(content, channel=channel, mentions_bot=where == "mention")
    SENT.append(("message", message))
    reply = standin.wait_for(lambda: standin.replies_to(message), 10, "the reply")[0]
    check_bodies(standin, outgoing_since(standin, start))
    if not question:
        assert reply["content"] == EMPTY_QUESTION
    else:
        check_answer(reply["embeds"][0], question)
    check_standin(standin)


# --- slash commands ---------------------------------------------------------------------------


def wait_response(standin: DiscordStandIn, rec: InteractionRecord) -> dict:
    return standin.wait_for(lambda: rec.callbacks, 5, f"a response to {rec.id}")[0]


def buttons(message: dict) -> dict[str, str]:
    return {
        item["label"]: item["custom_id"]
        for row in message.get("components") or []
        for item in row["components"]
    }


@FUZZ
@given(question=up_to(OPTION_LIMIT), private=st.booleans(), press=st.booleans())
def test_any_ask_option_gets_one_well_formed_answer(standin, bot, question, private, press):
    question = question.replace(BOT_ID, standin.bot_user["id"])
    assume(question)
    start = len(standin.requests)
    rec = standin.slash("ask", question=question, private=private)
    SENT.append(("interaction", rec))
    data = wait_response(standin, rec)["data"]
    assert bool((data.get("flags") or 0) & EPHEMERAL) == private
    check_answer(data["embeds"][0], question)
    if press and rec.original:  # More and Show in context on the answer, when it has them
        for label, custom_id in buttons(rec.original).items():
            click = standin.click(rec.original, custom_id)
            clicked = wait_response(standin, click)["data"]
            if label == "More" and clicked.get("embeds"):
                check_answer(clicked["embeds"][0], question)
    check_bodies(standin, outgoing_since(standin, start))
    check_standin(standin)


def film_name_with_noise(names: list[str]) -> st.SearchStrategy[str]:
    """A known title or alias, as typed: with a typo, other case, syntax around it."""

    def typed(name: str, cut: int, upper: bool, noise: list[tuple[int, str]]) -> str:
        if len(name) > 6 and cut:
            name = name[: cut % len(name)] + name[cut % len(name) + 1 :]
        return splice(name.upper() if upper else name, noise)

    pieces = st.sampled_from(MENTIONS + MARKDOWN + INVISIBLE + EMOJI)
    return st.builds(
        typed,
        st.sampled_from(names),
        st.integers(0, 40),
        st.booleans(),
        st.lists(st.tuples(st.integers(0, 10), pieces), max_size=3),
    )


@FUZZ
@given(data=st.data())
def test_any_film_title_gets_one_well_formed_answer(standin, bot, film_names, data):
    title = data.draw(st.one_of(up_to(OPTION_LIMIT), film_name_with_noise(film_names)))
    title = title.replace(BOT_ID, standin.bot_user["id"])
    assume(title)
    start = len(standin.requests)
    rec = standin.slash("film", title=title)
    SENT.append(("interaction", rec))
    check_answer(wait_response(standin, rec)["data"]["embeds"][0], title, echoed=False)
    check_bodies(standin, outgoing_since(standin, start))
    check_standin(standin)


@FUZZ
@given(data=st.data())
def test_any_autocomplete_input_gets_valid_choices(standin, bot, film_names, data):
    typed = data.draw(st.one_of(up_to(OPTION_LIMIT), film_name_with_noise(film_names)))
    start = len(standin.requests)
    rec = standin.autocomplete("film", "title", typed)
    SENT.append(("interaction", rec))
    body = wait_response(standin, rec)
    assert body["type"] == 8
    choices = body["data"]["choices"]
    assert len(choices) <= 25
    event(f"{'25' if len(choices) == 25 else '1-24' if choices else 'no'} choices")
    assert all(1 <= len(c["name"]) <= 100 and 1 <= len(c["value"]) <= 100 for c in choices)
    outgoing_since(standin, start)  # accepted
    check_standin(standin)


def test_every_input_was_answered_exactly_once(standin, bot):
    """Last: no question got a second reply later, and nothing was refused or pinged."""
    time.sleep(0.5)
    assert len(SENT) >= 4 * EXAMPLES * 0.8
    for kind, item in SENT:
        if kind == "message":
            assert len(standin.replies_to(item)) == 1, item["content"][:80]
        else:
            assert len(item.callbacks) == 1 and item.followups == [], item.payload["data"]
    check_standin(standin)
    assert [r for r in standin.requests if r.status >= 400] == []
    assert bot.proc.poll() is None
    assert "Traceback" not in bot.log(), bot.log()[-3000:]


def test_the_escape_is_what_discord_py_would_do_plus_pills():
    """The model above agrees with discord.py about the simplest cases."""
    assert shown(discord.utils.escape_markdown("**a**")) == "**a**"
    assert unescaped_markdown(discord.utils.escape_markdown("**a**")) == []
    assert live_mentions("<@123> @everyone </ask:1> <t:1:R>") != []
