"""The engine alone, driven as the bot drives it, to tell Python's memory from the allocator's.

    python bench/swap_memory.py [--articles 3000] [--batch 500] [--cycles 12] [--tracemalloc]

Builds an index of ``--articles`` synthetic articles, then ``--cycles`` times: changes
``--batch`` of them, rebuilds in a worker process
(``bot.discord_app.engine_host.in_worker_process``) while questions keep coming through a
``SearcherPool`` in worker threads, lets the pool swap in the new index, and asks 100 more.
After each cycle it prints the process's RSS, Python's allocated
blocks, glibc's memory in use and held free (mallinfo2), and the stem cache; with
``--tracemalloc`` also what Python traced and, at the end, what grew most since cycle 1 (slow:
a cycle takes several times longer).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import file_name, make_corpus, toggle_update  # noqa: E402
from memory import layers  # noqa: E402

from bot.discord_app.engine_host import SearcherPool, in_worker_process  # noqa: E402
from bot.engine.build.builder import build_index  # noqa: E402
from bot.engine.search import Searcher  # noqa: E402


async def drive(args: argparse.Namespace, sources: Path, db: Path, questions: list[str]) -> None:
    rng = random.Random(1)
    pool = await asyncio.to_thread(SearcherPool, db)
    first = None
    for cycle in range(args.cycles):
        start = (cycle * args.batch) % (args.articles - args.batch + 1)
        toggle_update(sources / "synthetic", start, args.batch)
        started = time.monotonic()
        build = asyncio.ensure_future(in_worker_process(build_index, sources, db))
        asked = 0
        while not build.done():
            await pool.run(Searcher.ask, rng.choice(questions), 4)
            asked += 1
        await build
        await pool.reload()
        for _ in range(100):
            await pool.run(Searcher.ask, rng.choice(questions), 4)
        gc.collect()
        line = f"cycle {cycle:2d} ({time.monotonic() - started:4.1f} s, {asked} asked meanwhile): "
        line += layers()
        if args.tracemalloc:
            line += f", traced {tracemalloc.get_traced_memory()[0] / 2**20:.1f} MB"
            if cycle == 1:
                first = tracemalloc.take_snapshot()
        print(line, flush=True)
    if first is not None:
        print("grew most since cycle 1:")
        for stat in tracemalloc.take_snapshot().compare_to(first, "traceback")[:8]:
            print(f"  {stat}")
            print("    " + "\n    ".join(stat.traceback.format()[-4:]))
    pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--cycles", type=int, default=12)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    args.batch = min(args.batch, args.articles)
    folder = Path(tempfile.mkdtemp(prefix="briefing-swap-"))
    sources = folder / "sources"
    make_corpus(args.articles, sources / "synthetic", seed=7)
    db = folder / "briefing.db"
    build_index(sources, db)
    questions = [
        json.loads(line)["q"]
        for line in (ROOT / "bench" / "questions.jsonl").read_text().splitlines()
        if line.strip()
    ]
    words = (sources / "synthetic" / file_name(0)).read_text(encoding="utf-8").split()[40:400]
    rng = random.Random(2)
    questions += [" ".join(rng.choices(words, k=6)) + "?" for _ in range(200)]
    if args.tracemalloc:
        tracemalloc.start(8)
    try:
        asyncio.run(drive(args, sources, db, questions))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
