"""The disk fills during /reindex: the admin is told so, the alert channel too, /status shows it,
and the previous index keeps answering (a file size limit stands in for a full disk)."""

from __future__ import annotations

import resource
import signal

from bot.engine.build.builder import build_index

from .conftest import default_discord_settings, finished, make_sources, responded, start_bot
from .standin import DiscordStandIn

LIMIT = 100_000  # bytes a file of the bot's may reach: its log, not a copy of the index


def limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def test_disk_full_during_reindex_is_said_alerted_and_shown(tmp_path):
    standin = DiscordStandIn().start()
    try:
        sources = make_sources(tmp_path / "sources")
        db = tmp_path / "index" / "briefing.db"
        build_index(sources, db)  # built here, unlimited: the bot starts with an index
        assert db.stat().st_size > LIMIT
        before = db.read_bytes()
        alert_channel = standin.channel["random"]
        settings = default_discord_settings(standin, alert_channel=int(alert_channel["id"]))
        bot = start_bot(standin, tmp_path, settings, preexec_fn=limit_file_size)
        try:
            rec = standin.slash("reindex", user="dave")
            embed = finished(standin, rec, timeout=60)["embeds"][0]
            assert embed["title"] == "Reindex failed"
            assert embed["description"].startswith("disk full while building")
            assert "previous index is still answering" in embed["description"]
            alerts = standin.wait_for(
                lambda: [
                    m for m in standin.messages_in(alert_channel) if "disk full" in m["content"]
                ],
                10,
                "the alert",
            )
            assert len(alerts) == 1
            status = standin.slash("status", user="dave")
            body = responded(standin, status)
            data = body["data"] if body["data"].get("embeds") else finished(standin, status)
            fields = {f["name"]: f["value"] for f in data["embeds"][0]["fields"]}
            assert fields["Last reindex"].startswith("failed <t:")
            assert "disk full" in fields["Last reindex"]
            ask = standin.slash("ask", question="Where in Norway was the motorbike jump filmed?")
            assert "Helsetkopen" in responded(standin, ask)["data"]["embeds"][0]["description"]
        finally:
            assert bot.stop() == 0, bot.log()
        assert db.read_bytes() == before
        assert "Traceback" not in bot.log()
    finally:
        standin.stop()
