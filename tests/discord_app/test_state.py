"""The bot's long-lived state stays bounded, and the searcher pool keeps the last good index."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

from bot.discord_app.engine_host import SearcherPool
from bot.discord_app.state import Alerted, QueryCache
from bot.engine.build.builder import build_index
from bot.engine.search import Searcher

QUESTION = "How many motorbike jumps did Cruise do in training?"


def test_query_cache_drops_expired_entries_as_new_ones_come(monkeypatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr("bot.discord_app.state.time.monotonic", lambda: clock[0])
    cache = QueryCache(ttl=60)
    first = cache.put("ask", "an old question")
    clock[0] += 30
    cache.put("ask", "a newer one")
    assert len(cache) == 2 and cache.get(first) is not None
    clock[0] += 31  # the first is past its ttl: the next put drops it, nobody has to click
    cache.put("ask", "the newest")
    assert len(cache) == 2 and cache.get(first) is None


def test_query_cache_is_bounded_in_items_and_characters() -> None:
    cache = QueryCache(ttl=900, max_items=100, max_chars=10_000)
    keys = [cache.put("ask", "x" * 1000) for _ in range(50)]
    assert len(cache) == 10  # 10,000 characters
    assert cache.get(keys[-1]) is not None and cache.get(keys[0]) is None
    for _ in range(500):
        cache.put("ask", "short")
    assert len(cache) == 100


def test_pool_keeps_the_last_good_index_and_reports_each_problem_once(
    sources: Path, tmp_path: Path
) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    problems: list[str | None] = []

    async def scenario() -> None:
        pool = SearcherPool(db, problems.append)
        good = (await pool.run(Searcher.ask, QUESTION)).excerpts[0].text
        junk = tmp_path / "junk"
        for content in (b"junk" * 4096, os.urandom(8192)):
            junk.write_bytes(content)
            os.replace(junk, db)
            for _ in range(3):
                assert (await pool.run(Searcher.ask, QUESTION)).excerpts[0].text == good
                await asyncio.sleep(0.05)  # the reload runs in the background
        assert pool.problem is not None and "can't use" in pool.problem
        db.unlink()  # junk is not ours to overwrite: the build only replaces its own files
        build_index(sources, db)  # a good index again: answered from it, problem cleared
        assert await pool.reload() is None
        assert (await pool.run(Searcher.ask, QUESTION)).excerpts[0].text == good
        db.rename(tmp_path / "moved.db")  # after a good reload, a file gone is still noticed
        assert (await pool.run(Searcher.ask, QUESTION)).excerpts[0].text == good
        await asyncio.sleep(0.05)
        assert pool.problem is not None and "gone" in pool.problem
        pool.close()

    asyncio.run(scenario())
    assert len(problems) == 3 and problems[1] is None and "can't use" in str(problems[0])


def test_alerted_tells_each_problem_once_until_cleared_and_stays_bounded() -> None:
    alerted = Alerted(max_items=3)
    assert alerted.first_time("damaged") and not alerted.first_time("damaged")
    alerted.clear()  # the index is good again: the same problem is news again
    assert alerted.first_time("damaged")
    for n in range(5):
        assert alerted.first_time(f"problem {n}")
    assert alerted.first_time("damaged")  # forgotten: only the last 3 are remembered


def test_a_swapped_out_searcher_is_closed_off_the_event_loop(
    sources: Path, tmp_path: Path, monkeypatch
) -> None:
    """Closing the last connection to a file a rebuild renamed over frees the whole file (0.3-0.45
    s for the index of 100,000 articles): in a worker thread, never on the event loop, where it
    held up the first question after a /reindex."""
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    closed_in: list[threading.Thread] = []
    close = Searcher.close

    def noting_close(searcher: Searcher) -> None:
        closed_in.append(threading.current_thread())
        close(searcher)

    monkeypatch.setattr(Searcher, "close", noting_close)

    async def scenario() -> None:
        pool = SearcherPool(db)
        assert (await pool.run(Searcher.ask, QUESTION)).answered
        build_index(sources, db, full=True)  # a new file renamed over the one answering
        assert await pool.reload() is None
        for _ in range(100):
            if closed_in:
                break
            await asyncio.sleep(0.01)
        assert (await pool.run(Searcher.ask, QUESTION)).answered
        pool.close()

    asyncio.run(scenario())
    assert closed_in and closed_in[0] is not threading.main_thread()
