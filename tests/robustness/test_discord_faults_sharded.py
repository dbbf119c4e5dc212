"""The gateway faults of ``test_discord_faults`` on a sharded bot (``ShardedBriefingBot``, one
shard): after a dead link or an outage its shards RESUME as the one-connection bot does, so
nothing asked meanwhile is lost (discord.py's own shards IDENTIFY afresh after a failed
reconnect: ``bot/discord_app/shards.py``)."""

from __future__ import annotations

from tests.robustness import test_discord_faults as faults

BOT_SETTINGS = {**faults.BOT_SETTINGS, "shard_count": 1}


def test_a_shard_resumes_after_a_dead_link(standin, bot):
    faults.test_gateway_drops_right_after_a_message(standin, bot, None, True)


def test_events_during_an_outage_reach_a_sharded_bot(standin, bot):
    faults.test_events_during_an_outage_are_answered_after_it(standin, bot)
