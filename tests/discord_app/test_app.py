"""The bot object: one class, sharded only when the config says so."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.config import Config, DiscordConfig
from bot.discord_app.app import BriefingBot, ShardedBriefingBot, create_bot


def bot_for(**settings: Any) -> BriefingBot:
    return create_bot(Config(discord=DiscordConfig(**settings)))


async def test_one_connection_unless_the_config_shards() -> None:
    bot = bot_for()
    assert type(bot) is BriefingBot and not isinstance(bot, discord.AutoShardedClient)
    assert bot.shard_count is None


async def test_sharding_is_the_same_bot_on_shards() -> None:
    every = bot_for(shard_count=0)
    assert isinstance(every, ShardedBriefingBot) and isinstance(every, discord.AutoShardedClient)
    assert every.shard_count is None  # as many as Discord recommends
    share = bot_for(shard_count=4, shard_ids=[2, 3])
    assert isinstance(share, ShardedBriefingBot)
    assert (share.shard_count, share.shard_ids) == (4, [2, 3])
    assert share.page_size == every.page_size == 3


async def test_the_index_is_there_only_between_setup_hook_and_close() -> None:
    with pytest.raises(RuntimeError, match="setup_hook"):
        bot_for().searchers  # noqa: B018
