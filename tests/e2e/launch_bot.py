"""Test-only launcher: point discord.py at the stand-in, then run the real ``briefing run``.

Usage: python tests/e2e/launch_bot.py API_BASE GATEWAY_URL run --config PATH

Only the two addresses change (REST base and gateway); everything else is the production entry
point, ``bot.cli.main``, in its own process, exactly as an admin would start it.
"""

from __future__ import annotations

import sys

import discord.gateway
import discord.http
import yarl


def main() -> None:
    api_base, gateway_url, *args = sys.argv[1:]
    if not api_base.startswith("http://127.0.0.1:") or not gateway_url.startswith(
        "ws://127.0.0.1:"
    ):
        raise SystemExit("the launcher only talks to a stand-in on 127.0.0.1")
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)

    from bot.cli import main as briefing

    briefing(args=args, prog_name="briefing")


if __name__ == "__main__":
    main()
