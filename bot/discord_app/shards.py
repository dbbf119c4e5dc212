"""Shards that RESUME after an outage, as discord.py's one-connection ``Client`` does.

discord.py 2.x's ``AutoShardedClient`` resumes a shard only when the first attempt to reconnect
succeeds; when that attempt fails (the gateway still unreachable), the shard is queued to
*reconnect*, which IDENTIFIES afresh: a new session, and Discord replays nothing of the outage,
so the questions asked meanwhile are never answered. ``Client.connect`` instead always tries to
RESUME after a failure and lets Discord invalidate the session if it can't be resumed (then the
library IDENTIFIES). ``ResumingShard`` gives the shards that rule; ``AutoShardedClient`` makes
its shards from the ``Shard`` name in ``discord.shard``, which ``use_resuming_shards`` points at
it. tests/robustness/test_discord_faults.py runs the outage tests on a sharded bot too, so a
discord.py that changes this shows there.
"""

from __future__ import annotations

import discord.shard
from discord.gateway import ReconnectWebSocket


class ResumingShard(discord.shard.Shard):
    async def reconnect(self) -> None:
        """RESUME the shard's session (Discord invalidates it if it can't be resumed, and the
        shard then IDENTIFIES); a shard that never had one IDENTIFIES."""
        if self.ws.session_id is None:
            await super().reconnect()
            return
        await self.reidentify(ReconnectWebSocket(self.id, resume=True))


def use_resuming_shards() -> None:
    """Make every shard an ``AutoShardedClient`` launches from now on a ``ResumingShard``."""
    discord.shard.Shard = ResumingShard  # type: ignore[misc]
