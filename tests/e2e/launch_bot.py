"""Test-only launcher: point discord.py at the stand-in, then run the real ``briefing run``.

Usage: python tests/e2e/launch_bot.py API_BASE GATEWAY_URL run --config PATH

Only the two addresses change (REST base and gateway); everything else is the production entry
point, ``bot.cli.main``, in its own process, exactly as an admin would start it.

For robustness tests, ``BRIEFING_E2E_SLOW=MARKER=SECONDS`` makes every search for a question
containing MARKER take SECONDS longer (a slow engine, without touching it). For the soak,
``BRIEFING_E2E_SLOW_CALLBACKS=SECONDS`` logs every event-loop step longer than SECONDS, and
``BRIEFING_E2E_MEMORY=PATH=SECONDS`` reports the bot's memory by layer to PATH.
``BRIEFING_E2E_UNUSABLE=PATH`` makes every new index file unusable to the bot while PATH exists.
"""

from __future__ import annotations

import os
import sys
import time

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

    if os.environ.get("BRIEFING_E2E_SLOW_CALLBACKS"):
        log_slow_callbacks(float(os.environ["BRIEFING_E2E_SLOW_CALLBACKS"]))

    if os.environ.get("BRIEFING_E2E_MEMORY"):
        report_memory(os.environ["BRIEFING_E2E_MEMORY"])

    if os.environ.get("BRIEFING_E2E_SLOW"):
        marker, seconds = os.environ["BRIEFING_E2E_SLOW"].split("=", 1)
        slow_down_questions(marker, float(seconds))

    if os.environ.get("BRIEFING_E2E_UNUSABLE"):
        refuse_new_indexes_while(os.environ["BRIEFING_E2E_UNUSABLE"])

    from bot.cli import main as briefing

    briefing(args=args, prog_name="briefing")


def log_slow_callbacks(threshold: float) -> None:
    """Log every event-loop step that runs longer than ``threshold`` seconds, as asyncio's debug
    mode does (``loop.slow_callback_duration``) without the rest of its overhead."""
    import asyncio.base_events
    import asyncio.events
    import logging

    log = logging.getLogger("briefing.slow")
    run = asyncio.events.Handle._run

    def timed_run(self: asyncio.events.Handle) -> None:
        started = time.perf_counter()
        run(self)
        took = time.perf_counter() - started
        if took > threshold:
            what = asyncio.base_events._format_handle(self)  # type: ignore[attr-defined]
            log.warning("event loop blocked for %.0f ms by %s", took * 1000, what)

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]


def report_memory(spec: str) -> None:
    """``PATH=SECONDS``: every SECONDS append to PATH the process's memory by layer (see
    bench/memory.py), object counts by type against the first report, threads and full
    collections. Cheap enough for a soak, unlike tracemalloc."""
    import collections
    import gc
    import threading
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from memory import layers

    path, seconds = spec.rsplit("=", 1)
    pauses: list[float] = []  # garbage collections of the oldest generation, seconds
    collecting = [0.0]

    def time_collections(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                collecting[0] = time.perf_counter()
            else:
                pauses.append(time.perf_counter() - collecting[0])

    gc.callbacks.append(time_collections)

    def report() -> None:
        first: collections.Counter[str] | None = None
        for n in range(1_000_000):
            time.sleep(float(seconds))
            types = collections.Counter(type(o).__name__ for o in gc.get_objects())
            line = (
                f"report {n}: {layers()}, gc objects {sum(types.values())}, "
                f"threads {threading.active_count()}, "
                f"full collections {len(pauses)} (longest {max(pauses, default=0) * 1000:.0f} ms)"
            )
            if first is None:
                first = types
            else:
                grown = (types - first).most_common(6)
                line += "; grown: " + ", ".join(f"{name} +{count}" for name, count in grown)
            with open(path, "a", encoding="utf-8") as out:
                out.write(line + "\n")

    threading.Thread(target=report, daemon=True).start()


def slow_down_questions(marker: str, seconds: float) -> None:
    from bot.engine.search import Searcher

    ask = Searcher.ask

    def slow_ask(self: Searcher, question: str, *args, **kwargs):  # noqa: ANN002, ANN003
        if marker in question:
            time.sleep(seconds)  # in the search's worker thread, like a slow query
        return ask(self, question, *args, **kwargs)

    Searcher.ask = slow_ask  # type: ignore[method-assign]


def refuse_new_indexes_while(marker: str) -> None:
    """While the file ``marker`` exists, every new index file the bot tries to answer from is
    unusable, as one another program wrote over the index between a build and the swap."""
    from pathlib import Path

    import bot.engine.search.follower
    from bot.engine.search import IndexUnavailable

    open_checked = bot.engine.search.follower.open_checked

    def refusing(db_path: Path):  # noqa: ANN202
        if Path(marker).exists():
            raise IndexUnavailable(f"The index file {db_path} was replaced by one I can't use")
        return open_checked(db_path)

    bot.engine.search.follower.open_checked = refusing


if __name__ == "__main__":
    main()
