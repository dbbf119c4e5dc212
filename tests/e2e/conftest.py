"""Fixtures for end-to-end tests: the Discord stand-in and the bot in its own process.

Each test module gets one stand-in and one bot process (module-scoped), started with the real
``briefing run`` through ``launch_bot.py``; tests inject gateway events and read what the bot
sent over HTTP. Nothing here mocks discord.py.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .standin import DiscordStandIn, InteractionRecord

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).with_name("launch_bot.py")
ARTICLES = Path(__file__).with_name("articles")


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(value)


def write_config(path: Path, sources: Path, db: Path, discord: dict[str, object]) -> Path:
    lines = ["[briefing]", f"sources = {toml_value(str(sources))}", f"db = {toml_value(str(db))}"]
    lines += ["", "[discord]"] + [f"{k} = {toml_value(v)}" for k, v in discord.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_sources(folder: Path) -> Path:
    """The seed articles plus the test articles (long, Markdown-heavy, films)."""
    folder.mkdir(parents=True, exist_ok=True)
    for src in [*sorted((REPO / "seeds").iterdir()), *sorted(ARTICLES.iterdir())]:
        if src.is_file():
            shutil.copy(src, folder / src.name)
    return folder


@dataclass
class BotProcess:
    """The bot running as ``briefing run`` in a subprocess, its log in a file."""

    proc: subprocess.Popen
    log_path: Path
    config: Path
    sources: Path
    db: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def bot_env(token: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    if token is not None:
        env["DISCORD_TOKEN"] = token
    env.update(extra)
    return env


def launch(
    standin: DiscordStandIn,
    config: Path,
    env: dict[str, str],
    log_path: Path,
    preexec_fn: Callable[[], None] | None = None,
):
    """``briefing run`` in its own process; ``preexec_fn`` runs in it first (resource limits)."""
    log_file = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - outlives this function
    return subprocess.Popen(
        [sys.executable, str(LAUNCHER), standin.api_base, standin.gateway_url, "run"]
        + ["--config", str(config)],
        cwd=REPO,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=preexec_fn,
    )


def start_bot(
    standin: DiscordStandIn,
    folder: Path,
    discord: dict[str, object],
    *,
    token: str | None = DiscordStandIn.TOKEN,
    sessions: int = 1,
    name: str = "bot",
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> BotProcess:
    """Start ``briefing run`` and wait until its shards are connected and commands synced."""
    sources = folder / "sources"
    if not sources.exists():
        make_sources(sources)
    db = folder / "index" / "briefing.db"
    config = write_config(folder / f"{name}.toml", sources, db, discord)
    log_path = folder / f"{name}.log"
    proc = launch(standin, config, bot_env(token, **(env or {})), log_path, preexec_fn)
    bot = BotProcess(proc, log_path, config, sources, db)
    try:
        standin.wait_for(
            lambda: (
                proc.poll() is not None
                or (
                    len([s for s in standin.sessions if s.identified]) >= sessions
                    and standin.commands
                )
            ),
            timeout=30,
            what="the bot to connect",
        )
    except TimeoutError:
        bot.stop()
        raise AssertionError("bot did not connect:\n" + bot.log()) from None
    if proc.poll() is not None:
        raise AssertionError(f"bot exited with {proc.returncode}:\n" + bot.log())
    return bot


def run_briefing(
    standin: DiscordStandIn, folder: Path, discord: dict[str, object], token: str | None
) -> subprocess.CompletedProcess:
    """Run ``briefing run`` to completion (for start-up failures)."""
    sources = folder / "sources"
    if not sources.exists():
        make_sources(sources)
    config = write_config(folder / "bot.toml", sources, folder / "briefing.db", discord)
    return subprocess.run(
        [sys.executable, str(LAUNCHER), standin.api_base, standin.gateway_url, "run"]
        + ["--config", str(config)],
        cwd=REPO,
        env=bot_env(token),
        capture_output=True,
        text=True,
        timeout=60,
    )


def default_discord_settings(standin: DiscordStandIn, **overrides: object) -> dict[str, object]:
    """The config most tests use: the stand-in's guild for instant command sync, the #briefing
    channel as answer channel, carol's role and dave's id as admins, and Manage Server (bob's
    role) making admins in the stand-in's first guild."""
    settings: dict[str, object] = {
        "dev_guild_ids": [int(standin.guild["id"])],
        "admin_guild_ids": [int(standin.guild["id"])],
        "answer_channels": [int(standin.channel["briefing"]["id"])],
        "admin_role_ids": [int(standin.roles["Briefers"]["id"])],
        "admin_user_ids": [int(standin.users["dave"]["id"])],
        "cooldown_rate": 12,
        "cooldown_per": 60.0,
        "excerpts": 2,
        "button_timeout": 900.0,
    }
    settings.update(overrides)
    return settings


@pytest.fixture(autouse=True)
def discord_would_accept() -> Iterator[None]:
    """Every test fails on a violation a stand-in recorded while it ran: a request body
    Discord's published schema or documented limits refuse, a message that would ping, an
    interaction left without a response for 3 seconds (see ``standin.py``)."""
    yield
    found = []
    for server in list(DiscordStandIn.running):
        found += server.new_violations()
        if server.stopped:
            DiscordStandIn.running.remove(server)
    assert not found, "Discord would not have taken what the bot did:\n" + "\n".join(found)


@pytest.fixture(scope="module")
def standin() -> Iterator[DiscordStandIn]:
    server = DiscordStandIn().start()
    yield server
    server.stop()
    late = server.new_violations()  # during the bot's shutdown, after the module's last test
    assert not late, "Discord would not have taken what the bot did:\n" + "\n".join(late)
    unlike = server.answers_unlike_discord()
    assert not unlike, "the stand-in answered unlike Discord:\n" + "\n".join(unlike)


@pytest.fixture(scope="module")
def bot(
    request: pytest.FixtureRequest,
    standin: DiscordStandIn,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotProcess]:
    """The bot with the default settings (updated by a module's ``BOT_SETTINGS``, with its
    ``BOT_ENV`` in the environment); on teardown it must shut down cleanly on SIGTERM."""
    folder = tmp_path_factory.mktemp("bot")
    overrides = getattr(request.module, "BOT_SETTINGS", {})
    env = getattr(request.module, "BOT_ENV", {})
    process = start_bot(standin, folder, default_discord_settings(standin, **overrides), env=env)
    yield process
    code = process.stop(signal.SIGTERM)
    assert code == 0, process.log()
    assert DiscordStandIn.TOKEN not in process.log()


# --- helpers tests share ----------------------------------------------------------------------


def responded(standin: DiscordStandIn, rec: InteractionRecord, timeout: float = 5) -> dict:
    """The body of the bot's interaction callback (waits for it)."""
    standin.wait_for(lambda: rec.callbacks, timeout, f"a response to interaction {rec.id}")
    return rec.callbacks[0]


def embed_of(message: dict) -> dict:
    """The first embed of a message or response body (there must be one)."""
    assert message.get("embeds"), message
    return message["embeds"][0]


def button_ids(message: dict) -> dict[str, str]:
    """Button label -> custom id."""
    return {
        item["label"]: item["custom_id"]
        for row in message.get("components") or []
        for item in row["components"]
    }


def finished(standin: DiscordStandIn, rec: InteractionRecord, timeout: float = 10) -> dict:
    """The final state of a deferred response: the original message after its edit."""
    responded(standin, rec, timeout)
    standin.wait_for(lambda: rec.edits, timeout, f"the deferred reply to {rec.id}")
    assert rec.original is not None
    return rec.original


def reply_to(standin: DiscordStandIn, message: dict, timeout: float = 5) -> dict:
    """The bot's reply to an injected message."""
    replies = standin.wait_for(
        lambda: standin.replies_to(message), timeout, f"a reply to {message['content'][:40]!r}"
    )
    return replies[0]


def wait_a_little(standin: DiscordStandIn, seconds: float = 0.5) -> None:
    """Let the bot act (for asserting that it did *not* do something)."""
    time.sleep(seconds)


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc): the bot's build process and what it started."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@contextlib.contextmanager
def build_paused(bot: BotProcess, timeout: float = 30) -> Iterator[None]:
    """Hold the bot's next build still (SIGSTOP as soon as its process starts, SIGCONT after):
    a reindex that is running for as long as a test needs, whatever the machine's speed."""
    deadline = time.monotonic() + timeout
    while True:
        builds = [pid for pid in descendants(bot.proc.pid) if b"spawn_main" in cmdline(pid)]
        if builds:
            break
        if time.monotonic() > deadline:
            raise AssertionError("no build process started:\n" + bot.log())
        time.sleep(0.005)
    for pid in builds:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in builds:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
