"""Starting and stopping ``briefing run``: tokens, intents, sharding, reconnects, signals."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import pytest

from .conftest import (
    LAUNCHER,
    REPO,
    BotProcess,
    bot_env,
    default_discord_settings,
    launch,
    make_sources,
    reply_to,
    run_briefing,
    start_bot,
    wait_a_little,
    write_config,
)
from .standin import INTENT_MESSAGE_CONTENT, DiscordStandIn


@pytest.fixture
def fresh_standin():
    server = DiscordStandIn().start()
    yield server
    server.stop()


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_missing_token_is_one_line_naming_the_variable(standin, tmp_path):
    result = run_briefing(standin, tmp_path, {}, token=None)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: no Discord bot token: set the DISCORD_TOKEN environment variable "
        "(or discord.token in the config file)"
    ]
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_token_names_the_configured_variable(standin, tmp_path):
    result = run_briefing(standin, tmp_path, {"token_env": "BRIEFING_BOT_TOKEN"}, token=None)
    assert result.returncode == 2
    assert "BRIEFING_BOT_TOKEN" in result.stderr and "DISCORD_TOKEN" not in result.stderr


def test_rejected_token_is_one_line_exit_2_and_never_printed(standin, tmp_path):
    wrong = "definitely-not-the-token.xyz"
    result = run_briefing(standin, tmp_path, {}, token=wrong)
    assert result.returncode == 2, result.stderr
    assert error_lines(result) == [
        "error: Discord rejected the bot token from the DISCORD_TOKEN environment variable "
        "(401 Unauthorized): copy a fresh one from the Developer Portal, Bot page"
    ]
    assert "Traceback" not in result.stderr + result.stdout
    assert wrong not in result.stderr + result.stdout
    assert any(r.path.endswith("/users/@me") and r.status == 401 for r in standin.requests)


def test_bad_setting_is_one_line(standin, tmp_path):
    result = run_briefing(standin, tmp_path, {"shard_ids": [0, 1]}, token=standin.TOKEN)
    assert result.returncode == 2
    assert error_lines(result) == [
        f"error: {tmp_path / 'bot.toml'}: discord.shard_ids needs discord.shard_count "
        "(the total of shards)"
    ]


def test_every_bad_setting_is_one_line_each_and_exit_2_before_connecting(standin, tmp_path):
    settings = {"cooldown_per": float("nan"), "shard_count": 100000, "token": 123, "colour": 1}
    before = len(standin.requests)
    result = run_briefing(standin, tmp_path, settings, token=standin.TOKEN)
    assert result.returncode == 2, result.stderr
    config = tmp_path / "bot.toml"
    assert result.stderr.splitlines() == [
        f"error: {config}: discord.cooldown_per must be a number of seconds from 0 to 86,400",
        f"error: {config}: discord.shard_count must be a whole number from 0 to 5,000",
        f"error: {config}: discord.token must be a non-empty string in quotes",
        f"error: {config}: unknown setting discord.colour",
    ]
    assert len(standin.requests) == before  # nothing was sent to Discord


def test_help_never_shows_the_token(standin):
    env = bot_env("secret-token-in-environment")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--help"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0
    assert "DISCORD_TOKEN" in result.stdout
    assert "secret-token-in-environment" not in result.stdout + result.stderr


def test_other_commands_do_not_import_discord():
    code = "import sys, bot.cli; assert 'discord' not in sys.modules, 'discord imported'"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=30)


def test_refused_privileged_intent_is_explained(tmp_path):
    server = DiscordStandIn(message_content_allowed=False).start()
    try:
        settings = {"answer_channels": [int(server.channel["briefing"]["id"])]}
        result = run_briefing(server, tmp_path, settings, token=server.TOKEN)
    finally:
        server.stop()
    assert result.returncode == 2
    assert len(error_lines(result)) == 1
    assert "Message Content intent" in error_lines(result)[0]
    assert "Traceback" not in result.stderr


def test_without_answer_channels_no_privileged_intent_but_mentions_and_dms_work(
    fresh_standin, tmp_path
):
    standin = fresh_standin
    settings = default_discord_settings(
        standin, answer_channels=[], dev_guild_ids=[], token=standin.TOKEN
    )
    bot = start_bot(standin, tmp_path, settings, token=None)  # token from the config file
    try:
        assert not standin.identify_payloads[-1]["intents"] & INTENT_MESSAGE_CONTENT
        assert list(standin.commands) == [None]  # no dev guilds: synced globally
        rec = standin.slash("ask", question="Where in Norway was the motorbike jump filmed?")
        standin.wait_for(lambda: rec.callbacks, 5)
        assert "guild_id" not in rec.payload["data"]
        mention = standin.send_message(
            f"<@{standin.bot_user['id']}> Where in Norway was the motorbike jump filmed?",
            mentions_bot=True,
        )
        assert "Helsetkopen" in reply_to(standin, mention)["embeds"][0]["description"]
        dm = standin.send_message("Where in Norway was the motorbike jump filmed?", channel=None)
        assert reply_to(standin, dm)["embeds"]
        plain = standin.send_message(
            "Where in Norway was the motorbike jump filmed?", channel="briefing"
        )
        wait_a_little(standin)
        assert standin.replies_to(plain) == []

        # Discord asks for a reconnect: the bot resumes its session and keeps answering
        session_id = standin.sessions[0].session_id
        standin.force_reconnect()
        standin.wait_for(
            lambda: (
                any(
                    s.session_id == session_id and s.identified and s.ws is not None
                    for s in standin.sessions
                )
                and session_id in standin.closed_sessions
            ),
            10,
            "the bot to resume",
        )
        again = standin.send_message(
            f"<@{standin.bot_user['id']}> How many HALO jumps did Cruise do?", mentions_bot=True
        )
        assert reply_to(standin, again, timeout=10)["embeds"]
    finally:
        code = bot.stop(signal.SIGINT)
    assert code == 0, bot.log()
    assert standin.TOKEN not in bot.log()
    assert "SIGINT received: shutting down" in bot.log()
    assert standin.violations == []


def test_shards_split_across_processes(tmp_path):
    standin = DiscordStandIn(guild_count=2, shards=2).start()
    bots = []
    try:
        first, second = standin.guilds
        assert (int(first["id"]) >> 22) % 2 != (int(second["id"]) >> 22) % 2
        base = default_discord_settings(
            standin, dev_guild_ids=[int(g["id"]) for g in standin.guilds]
        )
        for shard in (0, 1):
            settings = {**base, "shard_count": 2, "shard_ids": [shard]}
            # both processes use the same sources folder and the same index file
            bots.append(
                start_bot(standin, tmp_path, settings, sessions=shard + 1, name=f"p{shard}")
            )
        shards = sorted(tuple(s.shard) for s in standin.sessions)
        assert shards == [(0, 2), (1, 2)]
        # only the process running shard 0 synced the commands
        puts = [r for r in standin.requests if r.method == "PUT" and "/commands" in r.path]
        assert len(puts) == 2  # one per dev guild, from one process
        for guild in standin.guilds:
            channel = next(c for c in guild["channels"] if c["name"] == "general")
            message = standin.send_message(
                f"<@{standin.bot_user['id']}> Where in Norway was the motorbike jump filmed?",
                channel=channel,
                mentions_bot=True,
            )
            assert reply_to(standin, message)["embeds"]
        for guild in standin.guilds:
            channel = next(c for c in guild["channels"] if c["name"] == "general")
            rec = standin.slash("ask", channel=channel, question="helicopter")
            standin.wait_for(lambda rec=rec: rec.callbacks, 5)
    finally:
        codes = [b.stop() for b in bots]
        standin.stop()
    assert codes == [0, 0]
    assert standin.violations == []


def test_one_process_can_run_all_shards(tmp_path):
    standin = DiscordStandIn(guild_count=2, shards=2, max_concurrency=2).start()
    try:
        settings = default_discord_settings(standin, shard_count=0)  # Discord's recommendation
        bot = start_bot(standin, tmp_path, settings, sessions=2)
        try:
            assert sorted(tuple(s.shard) for s in standin.sessions) == [(0, 2), (1, 2)]
            assert any(r.path.endswith("/gateway/bot") for r in standin.requests)
            for guild in standin.guilds:
                channel = next(c for c in guild["channels"] if c["name"] == "general")
                message = standin.send_message(
                    f"<@{standin.bot_user['id']}> helicopter", channel=channel, mentions_bot=True
                )
                assert reply_to(standin, message)["embeds"]
        finally:
            assert bot.stop() == 0, bot.log()
    finally:
        standin.stop()


def test_no_network_is_one_line_and_exit_1(tmp_path):
    """Nothing listens where Discord should be (as with no network): one line, no traceback."""
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sources = make_sources(tmp_path / "sources")
    config = write_config(tmp_path / "bot.toml", sources, tmp_path / "briefing.db", {})
    result = subprocess.run(
        [sys.executable, str(LAUNCHER), f"http://127.0.0.1:{port}/api/v10"]
        + [f"ws://127.0.0.1:{port}", "run", "--config", str(config)],
        cwd=REPO,
        env=bot_env("some-token"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert error_lines(result) == [
        f"error: cannot reach Discord: Cannot connect to host 127.0.0.1:{port} ssl:default "
        f"[Connect call failed ('127.0.0.1', {port})]"
    ]
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 4, result.stderr


def test_redirected_logs_have_no_colour_codes(standin, tmp_path):
    result = run_briefing(standin, tmp_path, {}, token="definitely-not-the-token.xyz")
    assert "discord.client: logging in using static token" in result.stderr
    assert "\x1b[" not in result.stderr


def launch_only(standin: DiscordStandIn, folder, settings: dict) -> BotProcess:
    """``briefing run`` started, not waited for: to signal it while it is still starting."""
    sources = make_sources(folder / "sources")
    db = folder / "index" / "briefing.db"
    config = write_config(folder / "bot.toml", sources, db, settings)
    log_path = folder / "bot.log"
    proc = launch(standin, config, bot_env(standin.TOKEN), log_path)
    return BotProcess(proc, log_path, config, sources, db)


def stops_promptly(bot: BotProcess, seconds: float = 5) -> int:
    bot.proc.send_signal(signal.SIGTERM)
    try:
        return bot.proc.wait(seconds)
    except subprocess.TimeoutExpired:
        bot.proc.kill()
        bot.proc.wait(5)
        raise AssertionError(f"still running {seconds} s after SIGTERM:\n{bot.log()}") from None


def test_sigterm_while_shards_are_still_launching_exits_0_at_once(tmp_path):
    standin = DiscordStandIn(shards=4).start()  # one IDENTIFY per 5 s: 15 s to launch them all
    try:
        bot = launch_only(standin, tmp_path, default_discord_settings(standin, shard_count=4))
        standin.wait_for(lambda: any(s.identified for s in standin.sessions), 30, "shard 0")
        assert stops_promptly(bot) == 0
        assert len([s for s in standin.sessions if s.identified]) < 4
        assert "Traceback" not in bot.log()
    finally:
        standin.stop()
