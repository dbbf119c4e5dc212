"""Stopping the bot while it builds: SIGTERM ends it at once with exit 0, and nothing it started
(the build process, its fork server and workers, the resource tracker) outlives it, even after
``kill -9``; a build whose bot is gone renames nothing."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from .conftest import (
    BotProcess,
    alive,
    bot_env,
    default_discord_settings,
    descendants,
    launch,
    make_sources,
    responded,
    start_bot,
    write_config,
)
from .standin import DiscordStandIn


def add_articles(sources: Path, count: int) -> None:
    """Enough files that a build takes seconds and reads them in worker processes."""
    folder = sources / "many"
    folder.mkdir(exist_ok=True)
    for n in range(count):
        (folder / f"a{n:05}.txt").write_text(
            f"Article {n} tells how stunt rider number {n} jumped a canyon on a motorbike. "
            f"The jump {n} was filmed at dawn by a crew of {n % 40 + 3} people.\n",
            encoding="utf-8",
        )


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_sigterm_during_the_first_build_exits_0_at_once_and_leaves_nothing(tmp_path):
    standin = DiscordStandIn().start()
    try:
        sources = make_sources(tmp_path / "sources")
        add_articles(sources, 6000)
        db = tmp_path / "index" / "briefing.db"
        config = write_config(tmp_path / "bot.toml", sources, db, default_discord_settings(standin))
        log_path = tmp_path / "bot.log"
        proc = launch(standin, config, bot_env(standin.TOKEN), log_path)
        bot = BotProcess(proc, log_path, config, sources, db)
        assert wait_until(lambda: len(descendants(proc.pid)) >= 2, 30), bot.log()
        children = descendants(proc.pid)
        assert "index built" not in bot.log()  # still building
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("still running 5 s after SIGTERM:\n" + bot.log()) from None
        assert code == 0, bot.log()
        assert "Traceback" not in bot.log()
        assert wait_until(lambda: not any(alive(pid) for pid in children), 5)
        assert not db.exists()
    finally:
        standin.stop()


def test_kill_9_during_a_reindex_leaves_no_process_and_no_new_index(tmp_path):
    standin = DiscordStandIn().start()
    try:
        bot = start_bot(standin, tmp_path, default_discord_settings(standin))
        before = bot.db.stat()
        add_articles(bot.sources, 6000)
        rec = standin.slash("reindex", user="dave")
        responded(standin, rec)
        # the build process, and below it its fork server and workers
        assert wait_until(lambda: len(descendants(bot.proc.pid)) >= 3, 30), bot.log()
        children = descendants(bot.proc.pid)
        bot.proc.send_signal(signal.SIGKILL)
        bot.proc.wait(5)
        assert wait_until(lambda: not any(alive(pid) for pid in children), 5), [
            Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children if alive(pid)
        ]
        time.sleep(1.0)
        after = bot.db.stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    finally:
        standin.stop()


def test_a_start_up_on_an_index_damaged_in_the_middle_rebuilds_it_once(tmp_path):
    """The start-up's check finds damaged pages in the middle of the file: one rebuild from
    nothing, then the bot connects and answers (a rebuild that copied the file kept the damage
    and the start-up rebuilt it for ever)."""
    from bot.engine.build.builder import build_index
    from bot.engine.build.health import index_problem
    from tests.engine.test_index import damage_middle_pages

    standin = DiscordStandIn().start()
    try:
        sources = make_sources(tmp_path / "sources")
        db = tmp_path / "index" / "briefing.db"
        build_index(sources, db)
        damage_middle_pages(db)
        assert index_problem(db, thorough=True) is not None
        bot = start_bot(standin, tmp_path, default_discord_settings(standin))
        try:
            assert bot.log().count("building it from") == 1, bot.log()
            assert index_problem(db, thorough=True) is None
            rec = standin.slash("ask", question="Where in Norway was the motorbike jump filmed?")
            assert "Helsetkopen" in responded(standin, rec)["data"]["embeds"][0]["description"]
        finally:
            assert bot.stop() == 0, bot.log()
    finally:
        standin.stop()


def test_a_stop_lets_the_answer_on_its_way_arrive(tmp_path):
    """SIGTERM while an answer is on its way to a slow Discord: it still arrives, the exit is
    0, and the log has no traceback (closing the HTTP session under it logged 'Session is
    closed' and the user saw nothing)."""
    standin = DiscordStandIn().start()
    try:
        bot = start_bot(standin, tmp_path, default_discord_settings(standin))
        try:
            standin.slow_requests(r"/interactions/\d+/[^/]+/callback", seconds=1.0)
            rec = standin.slash("ask", question="Where in Norway was the motorbike jump filmed?")
            assert wait_until(lambda: any("/callback" in r.path for r in standin.requests), 10)
        finally:
            assert bot.stop() == 0, bot.log()
        assert "Helsetkopen" in responded(standin, rec)["data"]["embeds"][0]["description"]
        assert "Traceback" not in bot.log()
    finally:
        standin.stop()
