"""The gateway faults of ``test_discord_faults`` on a sharded bot (``ShardedBriefingBot``, one
shard): after a drop or an outage its shards RESUME as the one-connection bot does, so nothing
asked meanwhile is lost (discord.py's own shards IDENTIFY afresh after a failed reconnect:
``bot/discord_app/shards.py``)."""

from __future__ import annotations

import pytest

from tests.robustness import test_discord_faults as faults

BOT_SETTINGS = {**faults.BOT_SETTINGS, "shard_count": 1}


@pytest.mark.parametrize(("code", "resumes"), [(4000, True), (None, True), (4009, False)])
def test_a_shard_resumes_after_a_drop(standin, bot, code, resumes):
    faults.test_gateway_drops_right_after_a_message(standin, bot, code, resumes)


def test_events_during_an_outage_reach_a_sharded_bot(standin, bot):
    faults.test_events_during_an_outage_are_answered_after_it(standin, bot)


def test_a_shard_whose_session_is_gone_identifies_and_answers_nothing_twice(standin, bot):
    faults.test_an_event_lost_with_an_unresumable_session_gets_no_answer_and_no_double(standin, bot)
