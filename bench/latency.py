"""Warm question latency on an existing index, with an optional profile: quick to iterate with.

    python bench/latency.py /tmp/briefing-bench/index-100000.db \\
        /tmp/briefing-bench/questions-100000.jsonl [--rounds 3] [--profile 30]

Opens the index read-only (nothing is built), asks the question mix once to warm up, then
``--rounds`` times, timed; prints the median, p90, p99 and max in milliseconds (the same
statistics as bench/speed.py), of the wall clock and of this thread's CPU time (which a busy
machine inflates less), and, with ``--profile N``, the N costliest functions of one more round
under cProfile. The machine's other load shows in these figures: compare runs made side by
side.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from speed import latency_stats  # noqa: E402

from bot.engine.search import Searcher  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    mix = [json.loads(line)["q"] for line in args.questions.read_text().splitlines() if line]
    searcher = Searcher(args.db)
    for question in mix:
        searcher.ask(question)
    timings, cpu = [], []
    for _ in range(args.rounds):
        for question in mix:
            started, started_cpu = time.perf_counter(), time.thread_time()
            searcher.ask(question)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
    for label, values in (("wall", timings), ("cpu", cpu)):
        stats = latency_stats(values)
        print(
            f"{stats['n']} questions, {label}: median {stats['median']:.2f} ms, "
            f"p90 {stats['p90']:.2f}, p99 {stats['p99']:.2f}, max {stats['max']:.1f}"
        )
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for question in mix:
            searcher.ask(question)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
