"""``briefing run``: start the bot, stop it cleanly, and turn start-up failures into one line.

Imported only by the ``run`` command, so the rest of the CLI never loads discord.py. Exit codes:
0 after a clean shutdown (SIGINT or SIGTERM), 2 when the token or settings are unusable
(missing, rejected by Discord, a privileged intent not enabled; the config file itself is checked
by ``bot.config`` when it is read), 1 for anything else. The token is never printed or logged: a
logging filter blanks it should any library try.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

import aiohttp
import click
import discord

from bot.config import Config, DiscordConfig
from bot.discord_app.app import create_bot
from bot.engine.build.builder import BuildError
from bot.engine.search import IndexUnavailable

log = logging.getLogger("briefing.bot")

EXIT_OK, EXIT_FAILED, EXIT_BAD_SETUP = 0, 1, 2


def token_source(settings: DiscordConfig) -> str:
    """Where the token came from, for error messages (never the token itself)."""
    if os.environ.get(settings.token_env):
        return f"the {settings.token_env} environment variable"
    return "discord.token in the config file"


class RedactToken(logging.Filter):
    """Blank the token in any log record, whatever logger it comes from."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "[token]"), None
        return True


# discord.py's own format, without its colours.
PLAIN_LOG_FORMAT = logging.Formatter(
    "[{asctime}] [{levelname:<8}] {name}: {message}", "%Y-%m-%d %H:%M:%S", style="{"
)


def setup_logging(token: str) -> None:
    """discord.py's log format on stderr, in colour only on a terminal: discord.py colours any
    stream inside a container, which leaves escape codes in redirected logs and journald."""
    handler = logging.StreamHandler(sys.stderr)
    coloured = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    formatter = discord.utils.MISSING if coloured else PLAIN_LOG_FORMAT
    discord.utils.setup_logging(handler=handler, formatter=formatter, level=logging.INFO, root=True)
    for each in logging.getLogger().handlers:
        each.addFilter(RedactToken(token))


async def serve(config: Config, token: str) -> None:
    """Run until the gateway closes or a stop signal comes.

    SIGINT/SIGTERM cancel the whole start-up and run, wherever it is (shards still launching
    and waiting their turn to IDENTIFY, the first index build, a reconnect's back-off), then
    close the gateway, HTTP session and index: ``bot.close()`` alone left a start-up that was
    still launching shards or building the index running, and the HTTP session it needed closed
    under it."""
    bot = create_bot(config)
    loop = asyncio.get_running_loop()
    running = asyncio.current_task()
    assert running is not None
    stopping: list[str] = []

    def stop(name: str) -> None:
        if stopping:  # a second signal: whatever the shutdown waits for, don't
            log.info("%s received again: exiting now", name)
            os._exit(EXIT_OK)
        log.info("%s received: shutting down", name)
        stopping.append(name)
        running.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop, sig.name)
    try:
        async with bot:  # closes the bot however this block ends
            await bot.start(token)
    except asyncio.CancelledError:
        if not stopping:
            raise
        running.uncancel()


class BotStopped(click.ClickException):
    """Why the bot stopped, in one line (the CLI prints it as it prints every error); exit 1,
    so that a service manager tries again."""

    exit_code = EXIT_FAILED


class BadSetup(BotStopped):
    """Why the bot can't start until someone changes its setup (the token, an intent): exit 2,
    which the README's sample service treats as "don't retry"."""

    exit_code = EXIT_BAD_SETUP


def run_bot(config: Config) -> int:
    """Start the bot described by ``config``; returns the process exit code when it stops
    cleanly, raises ``BotStopped`` (or ``BadSetup``) when it can't start or stops on an error."""
    settings = config.discord
    token = (settings.resolve_token() or "").strip()
    if not token:
        raise BadSetup(
            f"no Discord bot token: set the {settings.token_env} environment variable "
            "(or discord.token in the config file)"
        )
    setup_logging(token)
    # Until serve() takes them over, SIGTERM stops the start-up as Ctrl-C does: exit 0.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        asyncio.run(serve(config, token))
    except KeyboardInterrupt:
        return EXIT_OK
    except discord.LoginFailure:
        raise BadSetup(
            f"Discord rejected the bot token from {token_source(settings)} "
            "(401 Unauthorized): copy a fresh one from the Developer Portal, Bot page",
        ) from None
    except discord.PrivilegedIntentsRequired:
        raise BadSetup(
            "Discord refused the Message Content intent needed by discord.answer_channels: "
            "enable it in the Developer Portal (Bot, Privileged Gateway Intents) or remove "
            "answer_channels",
        ) from None
    except discord.ConnectionClosed as error:
        if error.code == 4004:
            raise BadSetup(
                f"Discord rejected the bot token from {token_source(settings)} "
                "(gateway authentication failed)",
            ) from None
        log.exception("the gateway closed the connection")
        closed = f"the gateway closed the connection (code {error.code})"
        raise BotStopped(closed) from None
    except (BuildError, IndexUnavailable) as error:
        raise BotStopped(str(error)) from None
    except (aiohttp.ClientConnectionError, discord.GatewayNotFound, TimeoutError) as error:
        # No network, no DNS, a proxy in the way: the admin needs the reason, not aiohttp's
        # stack; exit 1, so that a service manager tries again once the network is back.
        unreachable = f"cannot reach Discord: {error or type(error).__name__}"
        raise BotStopped(unreachable) from None
    except Exception as error:  # noqa: BLE001 - the log has the traceback; stderr gets one line
        log.exception("the bot stopped on an unexpected error")
        raise BotStopped(f"the bot stopped: {type(error).__name__}: {error}") from None
    return EXIT_OK
