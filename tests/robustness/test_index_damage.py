"""The index file ruined while the bot runs: questions keep getting answers from the last good
index, the admins are told once in ``discord.alert_channel`` (however many questions follow),
``/status`` shows the problem, and a ``/reindex`` puts things right.

One module, one bot process (with the alert channel set); the tests run in order.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    BotProcess,
    default_discord_settings,
    finished,
    responded,
    start_bot,
    wait_a_little,
)
from tests.e2e.standin import EPHEMERAL, DiscordStandIn

QUESTION = "Where in Norway was the motorbike jump filmed?"
ANSWER_WORD = "Helsetkopen"
ALERT_CHANNEL = "random"
UNUSABLE_MARKER = "new-indexes-unusable"  # while it exists, the bot can't open a new index


@pytest.fixture(scope="module")
def bot(standin: DiscordStandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    folder = tmp_path_factory.mktemp("damage")
    alert_channel = int(standin.channel[ALERT_CHANNEL]["id"])
    settings = default_discord_settings(standin, cooldown_rate=0, alert_channel=alert_channel)
    env = {"BRIEFING_E2E_UNUSABLE": str(folder / UNUSABLE_MARKER)}
    process = start_bot(standin, folder, settings, env=env)
    yield process
    assert process.stop(signal.SIGTERM) == 0, process.log()


def alerts(standin: DiscordStandIn) -> list[dict]:
    channel_id = standin.channel[ALERT_CHANNEL]["id"]
    with standin._cond:
        return [
            m
            for m in standin.messages.values()
            if m["channel_id"] == channel_id and m["author"]["id"] == standin.bot_user["id"]
        ]


def answer_text(standin: DiscordStandIn, question: str = QUESTION) -> str:
    """The description of the bot's answer to ``/ask question``."""
    rec = standin.slash("ask", question=question)
    data = responded(standin, rec, timeout=10)["data"]
    if not data.get("embeds"):  # deferred on a busy machine: the answer is edited in
        data = finished(standin, rec, timeout=15)
    return data["embeds"][0].get("description") or ""


def status(standin: DiscordStandIn, user: str = "dave") -> dict:
    rec = standin.slash("status", user=user)
    body = responded(standin, rec, timeout=10)
    assert body["data"]["flags"] & EPHEMERAL
    data = body["data"] if body["data"].get("embeds") else finished(standin, rec, timeout=15)
    return data


def ruin(db: Path, junk: bytes) -> None:
    """A new file over the index, as a broken copy or restore would leave it."""
    replacement = db.with_name("junk.tmp")
    replacement.write_bytes(junk)
    os.replace(replacement, db)


def test_status_is_for_admins_only(standin, bot):
    body = responded(standin, standin.slash("status", user="alice"))
    assert body["data"]["content"] == "Only admins can do that."
    embed = status(standin)["embeds"][0]
    assert embed["title"] == "Index status"
    assert "4 articles" in embed["description"] and "Built <t:" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields == {"Last reindex": "none since the bot started", "Problem": "none"}


def test_ruined_index_keeps_answering_and_alerts_once(standin, bot):
    assert ANSWER_WORD in answer_text(standin)
    assert not alerts(standin)
    ruin(bot.db, b"this is not an index\n" * 4096)
    for _ in range(5):  # each question notices the file; only the first one reports it
        assert ANSWER_WORD in answer_text(standin)
    standin.wait_for(lambda: alerts(standin), 10, "the alert")
    ruin(bot.db, os.urandom(64 * 1024))  # ruined again, differently: the same problem
    for _ in range(3):
        assert ANSWER_WORD in answer_text(standin)
    wait_a_little(standin, 1.0)
    (alert,) = alerts(standin)
    assert "can't use" in alert["content"] and "last good index" in alert["content"]
    assert not standin.violations  # mentions disabled, within Discord's limits
    fields = {f["name"]: f["value"] for f in status(standin)["embeds"][0]["fields"]}
    assert "can't use" in fields["Problem"]
    assert "briefing.db" in bot.log() and "can't use" in bot.log()


def test_reindex_leaves_a_file_that_is_not_an_index_and_replaces_it_once_moved(standin, bot):
    """Garbage where the index was may be anyone's file: a reindex never writes over it (one
    alert says so); once the admin moves it away, the next reindex builds the index there."""
    junk = bot.db.read_bytes()
    rec = standin.slash("reindex", user="dave")
    embed = finished(standin, rec, timeout=60)["embeds"][0]
    assert embed["title"] == "Reindex failed"
    assert "is not an SQLite database" in embed["description"]
    assert "left as it is" in embed["description"]
    assert bot.db.read_bytes() == junk
    standin.wait_for(lambda: len(alerts(standin)) == 2, 10, "the reindex alert")
    bot.db.rename(bot.db.with_name("junk.moved"))
    rec = standin.slash("reindex", user="dave")
    embed = finished(standin, rec, timeout=60)["embeds"][0]
    assert embed["title"] == "Reindex finished"
    assert ANSWER_WORD in answer_text(standin)
    fields = {f["name"]: f["value"] for f in status(standin)["embeds"][0]["fields"]}
    assert fields["Problem"] == "none"
    assert fields["Last reindex"].startswith("finished <t:")
    assert len(alerts(standin)) == 2


def test_a_failed_reindex_is_reported_once(standin, bot):
    sources = bot.sources
    hidden = sources.with_name("sources-away")
    sources.rename(hidden)  # the sources folder gone: the build fails
    try:
        for _ in range(2):
            rec = standin.slash("reindex", user="dave")
            assert finished(standin, rec, timeout=60)["embeds"][0]["title"] == "Reindex failed"
        standin.wait_for(lambda: len(alerts(standin)) >= 3, 10, "the reindex alert")
        wait_a_little(standin, 0.5)
        assert len(alerts(standin)) == 3
        assert "Reindex failed" in alerts(standin)[-1]["content"]
        fields = {f["name"]: f["value"] for f in status(standin)["embeds"][0]["fields"]}
        assert fields["Last reindex"].startswith("failed <t:")
        assert ANSWER_WORD in answer_text(standin)
    finally:
        hidden.rename(sources)


def test_a_reindex_whose_new_file_cannot_be_opened_is_reported_once(standin, bot):
    """The build succeeds but its file can't be opened: /reindex says it failed, the previous
    index keeps answering, and the admins get one alert (the searcher pool's), not two."""
    marker = bot.config.with_name(UNUSABLE_MARKER)  # beside the config, as the fixture has it
    before = len(alerts(standin))
    marker.touch()
    try:
        rec = standin.slash("reindex", user="dave")
        embed = finished(standin, rec, timeout=60)["embeds"][0]
        assert embed["title"] == "Reindex failed" and "could not be opened" in embed["description"]
        standin.wait_for(lambda: len(alerts(standin)) > before, 10, "the alert")
        assert ANSWER_WORD in answer_text(standin)
        wait_a_little(standin, 1.0)
        assert len(alerts(standin)) == before + 1, [a["content"] for a in alerts(standin)]
    finally:
        marker.unlink()
    rec = standin.slash("reindex", user="dave")
    assert finished(standin, rec, timeout=60)["embeds"][0]["title"] == "Reindex finished"
