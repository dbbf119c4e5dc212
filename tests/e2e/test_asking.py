"""Asking the bot: mentions, DMs, answer channels, /ask, buttons, escaping, limits, cooldown."""

from __future__ import annotations

import re

from .conftest import button_ids, embed_of, finished, reply_to, responded, wait_a_little
from .standin import EPHEMERAL, check_allowed_mentions

NOT_FOUND = "I couldn't find that in the articles"


def posts_to(standin, path_part: str) -> list:
    return [r for r in standin.requests if r.method == "POST" and path_part in r.path]


def test_mention_gets_a_cited_answer_as_a_reply(standin, bot):
    bot_id = standin.bot_user["id"]
    message = standin.send_message(
        f"<@{bot_id}> Where in Norway was the motorbike jump filmed?", mentions_bot=True
    )
    reply = reply_to(standin, message)
    embed = embed_of(reply)
    assert (
        embed["title"] == "Where in Norway was the motorbike jump filmed?"
    )  # the mention is stripped
    assert "Helsetkopen" in embed["description"] or "Norway" in embed["description"]
    assert "**motorbike**" in embed["description"] or "**jump" in embed["description"]
    assert re.search(r"— \*.+\* · 0\d\d\\_[0-9a-f]+\.txt · paragraph \d+", embed["description"])
    assert "More" in button_ids(reply) or "Show in context" in button_ids(reply)
    request = posts_to(standin, f"/channels/{standin.channel['general']['id']}/messages")[-1]
    assert check_allowed_mentions(request.body) is None
    assert str(request.body["message_reference"]["message_id"]) == message["id"]


def test_message_without_mention_in_ordinary_channel_is_ignored(standin, bot):
    message = standin.send_message(
        "Where in Norway was the motorbike jump filmed?", channel="random"
    )
    wait_a_little(standin)
    assert standin.replies_to(message) == []


def test_a_bare_mention_gets_a_hint_and_other_bots_are_ignored(standin, bot):
    bot_id = standin.bot_user["id"]
    message = standin.send_message(f"<@{bot_id}>", mentions_bot=True)
    assert "Ask me something about the articles" in reply_to(standin, message)["content"]
    from_bot = standin.send_message(
        f"<@{bot_id}> Where in Norway was the motorbike jump filmed?",
        author="otherbot",
        mentions_bot=True,
    )
    in_channel = standin.send_message(
        "Where was the jump filmed?", author="otherbot", channel="briefing"
    )
    wait_a_little(standin)
    assert standin.replies_to(from_bot) == [] and standin.replies_to(in_channel) == []


def test_dm_is_a_question(standin, bot):
    message = standin.send_message("How many HALO jumps did Cruise do?", channel=None)
    reply = reply_to(standin, message)
    assert "HALO" in embed_of(reply)["description"]
    assert reply["channel_id"] == message["channel_id"]


def test_answer_channel_message_is_a_question(standin, bot):
    message = standin.send_message(
        "Where in Norway was the motorbike jump filmed?", channel="briefing"
    )
    reply = reply_to(standin, message)
    assert embed_of(reply)["title"] == "Where in Norway was the motorbike jump filmed?"
    # the bot asked for the Message Content intent because it has answer channels
    assert standin.identify_payloads[-1]["intents"] & (1 << 15)


def test_slash_ask_public(standin, bot):
    rec = standin.slash("ask", question="Where in Norway was the motorbike jump filmed?")
    body = responded(standin, rec)
    assert body["type"] == 4
    assert not (body["data"].get("flags") or 0) & EPHEMERAL
    assert check_allowed_mentions(body["data"]) is None
    assert "Helsetkopen" in embed_of(body["data"])["description"]


def test_slash_ask_private_is_ephemeral(standin, bot):
    rec = standin.slash(
        "ask", question="Where in Norway was the motorbike jump filmed?", private=True
    )
    body = responded(standin, rec)
    assert body["data"]["flags"] & EPHEMERAL


def test_off_topic_question_gets_friendly_not_found_with_hint(standin, bot):
    rec = standin.slash("ask", question="What is the capital of Peru?")
    embed = embed_of(responded(standin, rec)["data"])
    assert embed["title"] == NOT_FOUND
    assert "/films" in embed["description"] and "rephras" in embed["description"]
    assert not rec.callbacks[0]["data"].get("components")  # no buttons, no random excerpt
    assert "Helsetkopen" not in str(embed)


def test_more_and_show_in_context_buttons(standin, bot):
    # A question with many answers, for a second page: "How many HALO jumps did Cruise do?"
    # now gets the two HALO excerpts only (in articles about Cruise, "Cruise" alone no longer
    # ranks a sentence), too few for "More".
    rec = standin.slash("ask", question="How many jumps did Cruise do?")
    responded(standin, rec)
    answer = rec.original
    buttons = button_ids(answer)
    assert set(buttons) == {"More", "Show in context"}
    assert "Excerpts 1–2" in embed_of(answer)["footer"]["text"]

    more = standin.click(answer, buttons["More"], user="bob")  # anyone may click
    body = responded(standin, more)
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert "Excerpts 3–4" in embed_of(body["data"])["footer"]["text"]
    first_page = embed_of(answer)["description"]
    assert embed_of(body["data"])["description"] != first_page

    context = standin.click(answer, buttons["Show in context"], user="carol")
    body = responded(standin, context)
    assert body["data"]["flags"] & EPHEMERAL
    embeds = body["data"]["embeds"]
    assert len(embeds) == 2
    assert all("paragraph" in e["footer"]["text"] for e in embeds)
    assert "**" in embeds[0]["description"]  # the excerpt is bold inside its paragraph


def test_expired_button_fails_politely(standin, bot):
    rec = standin.slash("ask", question="How many HALO jumps did Cruise do?")
    responded(standin, rec)
    answer = rec.original
    stale = dict(answer)
    stale["components"] = [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 1, "label": "More", "custom_id": "mb:more:0123456789ab:2"}
            ],
        }
    ]
    click = standin.click(stale, "mb:more:0123456789ab:2")
    body = responded(standin, click)
    assert body["data"]["flags"] & EPHEMERAL
    assert "expired" in body["data"]["content"]


def test_mentions_and_markdown_are_escaped(standin, bot):
    bot_id = standin.bot_user["id"]
    question = (
        f"<@{bot_id}> @everyone <@&123> **where** was the __motorbike__ jump filmed? "
        "||Norway|| @here `stunt`"
    )
    message = standin.send_message(question, mentions_bot=True)
    reply = reply_to(standin, message)
    title = embed_of(reply)["title"]
    assert "@everyone" not in title and "@\u200beveryone" in title
    assert "@\u200bhere" in title
    assert "<@&123>" not in title
    assert "\\*\\*where\\*\\*" in title and "\\_\\_motorbike\\_\\_" in title
    assert "\\|\\|Norway\\|\\|" in title and "\\`stunt\\`" in title
    request = posts_to(standin, "/messages")[-1]
    assert check_allowed_mentions(request.body) is None


def test_article_text_is_escaped_too(standin, bot):
    rec = standin.slash("ask", question="quokka trebuchet stunt")
    embed = embed_of(responded(standin, rec)["data"])
    description = embed["description"]
    assert "@everyone" not in description
    assert "<@&123>" not in description
    # the title's Markdown is escaped and its URL's parentheses encoded inside the link
    assert "\\*quokka\\*" in description
    assert "https://example.com/quokka_%28trebuchet%29" in description


def test_cooldown_tells_the_user_privately_when_to_retry(standin, bot):
    for _ in range(12):  # cooldown_rate = 12 per 60 s in the test config
        rec = standin.slash("ask", question="helicopter", user="mallory")
        assert responded(standin, rec)["type"] == 4
    rec = standin.slash("ask", question="helicopter", user="mallory")
    body = responded(standin, rec)
    assert body["data"]["flags"] & EPHEMERAL
    assert "Try again <t:" in body["data"]["content"] and "second" in body["data"]["content"]
    # asking by mention is rate-limited too, and told privately in a DM
    message = standin.send_message(
        f"<@{standin.bot_user['id']}> helicopter", author="mallory", mentions_bot=True
    )
    dm = standin.dm_channel(standin.users["mallory"])
    notes = standin.wait_for(
        lambda: [m for m in standin.messages_in(dm) if "Try again" in m["content"]], 5
    )
    assert notes
    assert standin.replies_to(message) == []
    # someone else is not affected
    other = standin.slash("ask", question="helicopter", user="alice")
    assert not (responded(standin, other)["data"].get("flags") or 0) & EPHEMERAL


def test_every_message_had_mentions_disabled_and_no_interaction_timed_out(standin, bot):
    assert standin.violations == []
    failed = [r for r in standin.requests if r.status >= 400]
    assert failed == [], [(r.method, r.path, r.response) for r in failed]


MASKED_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)\)")


def live_links(text: str) -> list[str]:
    """The URLs Discord would link in ``text``: masked links and bare http(s) URLs."""
    masked = [url for _, url in MASKED_LINK.findall(text)]
    bare = re.findall(r"https?://[^\s)]+", MASKED_LINK.sub("", text))
    return masked + bare


LINKS_ARTICLE = """---
title: "Okapi lighthouse](https://evil.example/title) stunt"
url: https://example.com/okapi
---
The okapi lighthouse stunt is described in
[the **official okapi safety report**](https://evil.example/report) published last week.

Readers can also see https://evil.example/bare for the okapi lighthouse footage.
"""


def test_only_the_bots_own_citations_are_links(standin, bot):
    """An article's own Markdown link (its text matching the question) and a bare URL stay
    text, and a title holding "](url)" can't break out of its citation link."""
    (bot.sources / "zz_okapi_links.txt").write_text(LINKS_ARTICLE, encoding="utf-8")
    rec = standin.slash("reindex", user="dave")
    assert finished(standin, rec, timeout=60)["embeds"][0]["title"] == "Reindex finished"
    for question in ("okapi safety report", "okapi lighthouse footage"):
        rec = standin.slash("ask", question=question, user="carol")  # alice is near her limit
        description = embed_of(responded(standin, rec)["data"])["description"]
        assert "okapi" in description.lower()
        assert set(live_links(description)) == {"https://example.com/okapi"}, description
    rec = standin.slash("sources list", user="carol")
    description = embed_of(responded(standin, rec)["data"])["description"]
    assert "Okapi lighthouse" in description
    assert "https://example.com/okapi" in live_links(description)
    assert not [url for url in live_links(description) if "evil" in url], description
