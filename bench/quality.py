"""Answer quality on a question file, side by side with a plain BM25 baseline.

    python bench/quality.py [--questions bench/questions.jsonl] [--sources seeds] [--verbose]
    python bench/quality.py --db /tmp/briefing-bench/index-100000.db --no-baseline

With ``--db`` the questions are asked of an index file that already exists (opened read-only,
not rebuilt): the seeds hidden among 100,000 synthetic articles in seconds rather than the
minutes a build takes. ``--no-baseline`` skips the bm25 baseline (seconds a question there).

Each line of the question file is a JSON object: ``q`` (the question), ``a`` (strings any one of
which the first excerpt should contain; empty for off-topic questions, which should get no
excerpt), ``kind``, and optionally ``all_in_top3`` (every string should appear across the first
three excerpts). Metrics, per kind and overall:

- hit@1: the first excerpt contains an expected string and is at most 400 characters; for an
  off-topic question, nothing was answered.
- hit@3: one of the first three excerpts does (all strings across them for ``all_in_top3``).
- answered: the share of questions that got excerpts at all.

The baseline is FTS5 bm25 over the same passages with the question's words OR-ed: what the
index gives without typo correction, reranking or abstention.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine.build.builder import build_index  # noqa: E402
from bot.engine.search import Searcher  # noqa: E402
from bot.engine.words import tokens  # noqa: E402

MAX_EXCERPT_CHARS = 400


@dataclass
class Result:
    hit1: bool
    hit3: bool
    answered: bool


def score(case: dict, excerpts: list[str]) -> Result:
    expected = case["a"]
    if not expected:
        return Result(hit1=not excerpts, hit3=not excerpts, answered=bool(excerpts))
    first = excerpts[0] if excerpts else ""
    hit1 = len(first) <= MAX_EXCERPT_CHARS and any(a in first for a in expected)
    top3 = " ".join(excerpts[:3])
    if case.get("all_in_top3"):
        hit3 = all(a in top3 for a in expected)
    else:
        hit3 = any(a in e for e in excerpts[:3] for a in expected)
    return Result(hit1, hit3, bool(excerpts))


def baseline(conn: sqlite3.Connection, question: str) -> list[str]:
    words = sorted(set(tokens(question)))
    if not words:
        return []
    match = " OR ".join(f'"{w}"' for w in words)
    rows = conn.execute(
        "SELECT passages.text FROM passages_fts JOIN passages ON passages.id = passages_fts.rowid "
        "WHERE passages_fts MATCH ? ORDER BY rank LIMIT 3",
        (match,),
    )
    return [row[0] for row in rows]


def table(results: dict[str, dict[str, list[Result]]]) -> str:
    kinds = sorted({kind for system in results.values() for kind in system})
    lines = [
        "| kind | n | hit@1 | hit@3 | answered | baseline hit@1 | baseline hit@3 |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in [*kinds, "all"]:
        ours = collect(results["engine"], kind)
        base = collect(results["baseline"], kind)
        lines.append(
            f"| {kind} | {len(ours)} | {pct(ours, 'hit1')} | {pct(ours, 'hit3')} | "
            f"{pct(ours, 'answered')} | {pct(base, 'hit1')} | {pct(base, 'hit3')} |"
        )
    return "\n".join(lines)


def collect(by_kind: dict[str, list[Result]], kind: str) -> list[Result]:
    if kind == "all":
        return [r for results in by_kind.values() for r in results]
    return by_kind.get(kind, [])


def pct(results: list[Result], attribute: str) -> str:
    if not results:
        return "-"
    hits = sum(getattr(r, attribute) for r in results)
    return f"{100 * hits / len(results):.0f}% ({hits})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "bench" / "questions.jsonl")
    parser.add_argument("--sources", type=Path, default=ROOT / "seeds")
    parser.add_argument("--db", type=Path, help="Ask this existing index instead of building.")
    parser.add_argument("--no-baseline", action="store_true", help="Skip the bm25 baseline.")
    parser.add_argument("--verbose", action="store_true", help="List every miss.")
    args = parser.parse_args()
    cases = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as folder:
        if args.db:
            db = args.db
        else:
            db = Path(folder) / "briefing.db"
            build_index(args.sources, db)
        results = evaluate(db, cases, not args.no_baseline, args.verbose)
    source = f"index {db}" if args.db else f"sources {args.sources.name}/"
    print(f"{len(cases)} questions from {args.questions.name}, {source}\n")
    print(table(results))


def evaluate(
    db: Path, cases: list[dict], with_baseline: bool = True, verbose: bool = False
) -> dict[str, dict[str, list[Result]]]:
    """Ask every case of the index at ``db`` (read-only): results by system and kind."""
    searcher = Searcher(db)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    results: dict[str, dict[str, list[Result]]] = {
        "engine": defaultdict(list),
        "baseline": defaultdict(list),
    }
    for case in cases:
        ours = [e.text for e in searcher.ask(case["q"]).excerpts]
        result = score(case, ours)
        results["engine"][case["kind"]].append(result)
        if with_baseline:
            results["baseline"][case["kind"]].append(score(case, baseline(conn, case["q"])))
        if verbose and not result.hit1:
            print(f"miss [{case['kind']}] {case['q']!r} -> {ours[:1]}")
    searcher.close()
    conn.close()
    return results


if __name__ == "__main__":
    main()
