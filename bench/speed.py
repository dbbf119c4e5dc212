"""Speed and scale: build, incremental rebuild, index size, question latency (the engine and a
plain bm25 baseline), memory, latency during a rebuild, answer quality with the seed articles
hidden in a large corpus, and the CLI's cold start. Prints a Markdown table.

    python bench/speed.py [--sizes 1000,10000,100000] [--quick] [--work /tmp/briefing-bench]

For each size N: write N synthetic articles (bench/make_corpus.py; kept in the work folder and
reused) plus the three seed articles as needles; build the index from nothing; change 1% of the
articles and rebuild incrementally; ask a fixed mix of questions (the practice questions of
bench/questions.jsonl, questions made from the corpus's own sentences, the same with a typo,
and off-topic ones) against the engine and against the baseline; then ask the mix again, over
and over, while a full rebuild runs in another process and renames its new file over the index.

Every measurement runs in a fresh process, so memory figures are that process's own peak:
builds and question-askers never share a process. Latency is of a warm engine (the mix is
asked once before timing), typo correction included.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import quality  # noqa: E402  (bench/quality.py: hit@1 scoring and the bm25 baseline)
from make_corpus import VERSION, file_name, make_corpus  # noqa: E402
from memory import status_mb  # noqa: E402

from bot.engine.build.builder import build_index  # noqa: E402
from bot.engine.passages import split_article  # noqa: E402
from bot.engine.sources import read_source  # noqa: E402
from bot.engine.words import STOPWORDS, tokens  # noqa: E402


def as_case(case: dict) -> quality.Case:
    return quality.Case(case["q"], case["a"], case.get("all_in_top3", False))


SEEDS = ROOT / "seeds"
PRACTICE = ROOT / "bench" / "questions.jsonl"
CORPUS_SEED = 7
CHANGED_SHARE = 0.01
GENERATED_QUESTIONS = 40  # clean ones; as many with a typo
OFF_TOPIC_QUESTIONS = 20
ROUNDS = 3  # timed passes over the mix (engine); the baseline gets one
COLD_START_RUNS = 5
COLD_QUESTION = "How many motorbike jumps did Cruise do in training?"


# --- helpers run in their own process ---------------------------------------------------------


def child_build(sources: Path, db: Path, full: bool) -> dict:
    started = time.perf_counter()
    summary = build_index(sources, db, full=full)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "articles": summary.articles,
        "passages": summary.passages,
        "changed": len(summary.changed),
        "rss_mb": status_mb("VmHWM"),
    }


def latency_stats(values: list[float]) -> dict:
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "p90": at(0.90),
        "p99": at(0.99),
        "max": ordered[-1],
    }


def child_query(db: Path, mix_path: Path, load_sources: Path | None) -> dict:
    """Open the index, warm up, time the mix; with ``load_sources``, time it during a rebuild."""
    from bot.engine.search import Searcher

    mix = [json.loads(line) for line in mix_path.read_text().splitlines()]
    started = time.perf_counter()
    searcher = Searcher(db)
    opened = time.perf_counter() - started
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)

    def ask(case: dict) -> tuple[float, list[str]]:
        started = time.perf_counter()
        answer = searcher.ask(case["q"])
        return (time.perf_counter() - started) * 1000, [e.text for e in answer.excerpts]

    for case in mix:  # warm up: caches, wordfreq, the OS page cache
        ask(case)
    if load_sources is not None:
        return child_query_under_load(db, mix, ask, load_sources)
    engine, hits = [], {}
    for _ in range(ROUNDS):
        for case in mix:
            ms, excerpts = ask(case)
            engine.append(ms)
            if "a" in case:
                hits[case["q"]] = quality.judge(as_case(case), excerpts)[0]
    baseline, base_hits = [], {}
    fts5 = quality.fts5_baseline(conn)
    for case in mix:
        started = time.perf_counter()
        excerpts = fts5(case["q"])
        baseline.append((time.perf_counter() - started) * 1000)
        if "a" in case:
            base_hits[case["q"]] = quality.judge(as_case(case), excerpts)[0]
    peak, current = status_mb("VmHWM"), status_mb("VmRSS")
    return {
        "open_s": opened,
        "engine": latency_stats(engine),
        "baseline": latency_stats(baseline),
        "hit1": sum(hits.values()),
        "baseline_hit1": sum(base_hits.values()),
        "practice": len(hits),
        "misses": sorted(q for q, hit in hits.items() if not hit),
        "rss_peak_mb": peak,
        "rss_mb": current,
    }


def child_query_under_load(db: Path, mix: list[dict], ask, sources: Path) -> dict:
    build = subprocess.Popen(
        [sys.executable, __file__, "_build", str(sources), str(db), "--full"],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    latencies = []
    answered = 0
    while build.poll() is None:
        for case in mix:
            ms, excerpts = ask(case)
            latencies.append(ms)
            answered += bool(excerpts)
            if build.poll() is not None:
                break
    result = json.loads(build.stdout.read())
    peak = status_mb("VmHWM")
    return {
        "build_s": result["seconds"],
        "loaded": latency_stats(latencies),
        "answered": answered,
        "rss_peak_mb": peak,
    }


# --- the driver --------------------------------------------------------------------------------


def child_env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def run_child(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        env=child_env(),
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed:\n{completed.stderr}")
    return json.loads(completed.stdout)


def prepare_corpus(count: int, work: Path) -> Path:
    """N synthetic articles plus the seeds, made once and reused (a marker says it's whole)."""
    folder = work / f"corpus-{count}"
    marker = folder / ".complete"
    if marker.exists() and marker.read_text() == f"{count} {CORPUS_SEED} {VERSION}":
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    make_corpus(count, folder, CORPUS_SEED, workers=os.cpu_count() or 2)
    for seed in SEEDS.iterdir():
        shutil.copy(seed, folder / seed.name)
    marker.write_text(f"{count} {CORPUS_SEED} {VERSION}")
    print(f"  wrote {count:,} articles in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return folder


def source_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if not p.name.startswith("."))


def change_some(folder: Path, count: int) -> dict[Path, str]:
    """Rewrite 1% of the synthetic articles (every 100th); return their old text to restore."""
    step = max(1, round(1 / CHANGED_SHARE))
    originals = {}
    for index in range(0, count, step):
        path = folder / file_name(index)
        originals[path] = path.read_text()
        path.write_text(
            originals[path] + "\nAn update on 3 May: the figures above were revised again.\n"
        )
    return originals


def make_questions(folder: Path, count: int, seed: int = 11) -> list[dict]:
    """The mix: practice questions, questions from corpus sentences, typo'd, off-topic."""
    rng = random.Random(seed)
    mix = [json.loads(line) for line in PRACTICE.read_text().splitlines() if line.strip()]
    clean = []
    while len(clean) < GENERATED_QUESTIONS:
        path = folder / file_name(rng.randrange(count))
        article = read_source(path, folder)
        sentence = rng.choice(split_article(article.id, article.text)).text
        words = [w for w in tokens(sentence) if w.isalpha() and len(w) > 3 and w not in STOPWORDS]
        if len(words) < 3:
            continue
        start = rng.randrange(len(words) - 2)
        picked = words[start : start + rng.randint(3, 5)]
        frame = rng.choice(["What {}?", "Who {}?", "How many {}?", "When did {}?", "{}"])
        clean.append(frame.format(" ".join(picked)))
    mix += [{"q": q, "kind": "gen-clean"} for q in clean]
    mix += [{"q": typo(q, rng), "kind": "gen-typo"} for q in clean]
    syllables = "zor blat quim vex drul snark plov yith gonk frel".split()
    for _ in range(OFF_TOPIC_QUESTIONS):
        made_up = "".join(rng.choice(syllables) for _ in range(3))
        frame = rng.choice(["What is a {}?", "How tall is the {} tower?", "Who invented {}?"])
        mix.append({"q": frame.format(made_up), "kind": "gen-offtopic"})
    return mix


def typo(question: str, rng: random.Random) -> str:
    """One typo (swap, drop, double or replace a letter, never the first) in the longest word."""
    word = max(re.findall(r"[a-z]+", question), key=len)
    if len(word) < 5:
        return question
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        wrong = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    elif kind == 1:
        wrong = word[:i] + word[i + 1 :]
    elif kind == 2:
        wrong = word[:i] + word[i] + word[i:]
    else:
        wrong = word[:i] + rng.choice("aeiourstln") + word[i + 1 :]
    return question.replace(word, wrong, 1)


def cold_start(seed_db: Path) -> dict:
    """`python -m bot ask` as a fresh process on the seed index; and is discord imported?"""
    command = [sys.executable, "-m", "bot", "ask", COLD_QUESTION]
    command += ["--db", str(seed_db), "--sources", str(SEEDS)]
    times = []
    for _ in range(COLD_START_RUNS):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=ROOT, env=child_env())
        times.append(time.perf_counter() - started)
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:]],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(),
    ).stderr
    return {
        "median_s": statistics.median(times),
        "max_s": max(times),
        "imports_discord": bool(re.search(r"\|\s+discord\b", imports)),
    }


def bench_size(count: int, work: Path) -> dict:
    print(f"{count:,} articles", file=sys.stderr)
    folder = prepare_corpus(count, work)
    db = work / f"index-{count}.db"
    for leftover in work.glob(f"index-{count}.db*"):
        leftover.unlink()
    result: dict = {"articles": count, "source_mb": source_bytes(folder) / 1e6}
    result["build"] = run_child("_build", str(folder), str(db))
    result["index_mb"] = db.stat().st_size / 1e6
    print(f"  full build {result['build']['seconds']:.1f} s", file=sys.stderr)
    originals = change_some(folder, count)
    try:
        result["incremental"] = run_child("_build", str(folder), str(db))
    finally:
        for path, text in originals.items():
            path.write_text(text)
    print(f"  incremental {result['incremental']['seconds']:.1f} s", file=sys.stderr)
    mix_path = work / f"questions-{count}.jsonl"
    mix = make_questions(folder, count)
    mix_path.write_text("".join(json.dumps(case) + "\n" for case in mix))
    result["questions"] = len(mix)
    result["query"] = run_child("_query", str(db), str(mix_path))
    print(f"  questions: median {result['query']['engine']['median']:.1f} ms", file=sys.stderr)
    result["load"] = run_child("_query", str(db), str(mix_path), "--load", str(folder))
    print(f"  under load: {result['load']['loaded']['n']} questions", file=sys.stderr)
    return result


def bench_seeds(work: Path) -> dict:
    db = work / "seeds.db"
    for leftover in work.glob("seeds.db*"):
        leftover.unlink()
    build = run_child("_build", str(SEEDS), str(db))
    mix_path = work / "questions-seeds.jsonl"
    cases = [json.loads(line) for line in PRACTICE.read_text().splitlines() if line.strip()]
    rng = random.Random(5)
    cases += [{"q": typo(c["q"], rng), "kind": "gen-typo"} for c in cases]
    mix_path.write_text("".join(json.dumps(case) + "\n" for case in cases))
    return {
        "articles": build["articles"],
        "source_mb": source_bytes(SEEDS) / 1e6,
        "build": build,
        "index_mb": db.stat().st_size / 1e6,
        "questions": len(cases),
        "query": run_child("_query", str(db), str(mix_path)),
        "cold": cold_start(db),
    }


def table(seeds: dict, sizes: list[dict]) -> str:
    columns = [seeds, *sizes]
    head = ["seeds only", *(f"{r['articles']:,} articles" for r in sizes)]

    def row(label: str, cell) -> str:
        cells = []
        for r in columns:
            try:
                cells.append(cell(r))
            except (KeyError, ZeroDivisionError):
                cells.append("–")
        return f"| {label} | " + " | ".join(cells) + " |"

    def lat(part: str, key: str):
        def cell(r: dict) -> str:
            s = r["query"][part] if part in ("engine", "baseline") else r["load"]["loaded"]
            return f"{s['median']:.1f} / {s['p90']:.1f} / {s['p99']:.1f} / {s['max']:.0f}"

        return cell

    lines = [
        "| | " + " | ".join(head) + " |",
        "|---|" + "---|" * len(columns),
        row(
            "articles (passages)",
            lambda r: f"{r['build']['articles']:,} ({r['build']['passages']:,})",
        ),
        row("source text", lambda r: f"{r['source_mb']:.1f} MB"),
        row("full build", lambda r: f"{r['build']['seconds']:.2f} s"),
        row(
            "articles / second", lambda r: f"{r['build']['articles'] / r['build']['seconds']:,.0f}"
        ),
        row("build peak RSS", lambda r: f"{r['build']['rss_mb']:.0f} MB"),
        row(
            "incremental, 1% changed",
            lambda r: (
                f"{r['incremental']['seconds']:.2f} s "
                f"({r['build']['seconds'] / r['incremental']['seconds']:.1f}x faster)"
            ),
        ),
        row(
            "index size (x source)",
            lambda r: f"{r['index_mb']:.1f} MB ({r['index_mb'] / r['source_mb']:.2f}x)",
        ),
        row("questions in the mix", lambda r: str(r["questions"])),
        row("engine ms: median / p90 / p99 / max", lat("engine", "")),
        row("baseline ms: median / p90 / p99 / max", lat("baseline", "")),
        row("engine / baseline (median)", lambda r: ratio(r["query"])),
        row("during a full rebuild, ms", lat("load", "")),
        row("questions asked during it", lambda r: f"{r['load']['loaded']['n']:,}"),
        row("index open", lambda r: f"{r['query']['open_s'] * 1000:.0f} ms"),
        row(
            "question process RSS (peak)",
            lambda r: f"{r['query']['rss_mb']:.0f} MB ({r['query']['rss_peak_mb']:.0f} MB)",
        ),
        row("practice hit@1: engine", lambda r: f"{r['query']['hit1']}/{r['query']['practice']}"),
        row(
            "practice hit@1: baseline",
            lambda r: f"{r['query']['baseline_hit1']}/{r['query']['practice']}",
        ),
        row(
            "cold start `python -m bot ask`",
            lambda r: (
                f"{r['cold']['median_s']:.2f} s "
                f"(max {r['cold']['max_s']:.2f}; discord imported: "
                f"{'yes' if r['cold']['imports_discord'] else 'no'})"
            ),
        ),
    ]
    return "\n".join(lines)


def ratio(query: dict) -> str:
    return f"{query['engine']['median'] / query['baseline']['median']:.2f}"


def fixed_work_ms() -> float:
    """The best of five timings of the same CPU-bound Python (tokenizing a fixed text), in ms:
    on a shared virtual machine the same code runs up to a third slower from one hour to the
    next, and this tells a slow machine from slower code."""
    text = "Tom Cruise rode a motorbike off a ramp in Norway, 1,200 metres up. " * 40
    best = math.inf
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(300):
            tokens(text)
            split_article("x", text)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_build":
        full = "--full" in sys.argv
        print(json.dumps(child_build(Path(sys.argv[2]), Path(sys.argv[3]), full)))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_query":
        load = Path(sys.argv[5]) if "--load" in sys.argv else None
        print(json.dumps(child_query(Path(sys.argv[2]), Path(sys.argv[3]), load)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--quick", action="store_true", help="10,000 articles only")
    parser.add_argument("--work", type=Path, default=Path("/tmp/briefing-bench"))
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    machine = [fixed_work_ms()]
    seeds = bench_seeds(args.work)
    results = [bench_size(count, args.work) for count in sizes]
    machine.append(fixed_work_ms())
    if args.json:
        figures = {"seeds": seeds, "sizes": results, "fixed_work_ms": machine}
        args.json.write_text(json.dumps(figures, indent=1))
    print(
        f"\n{os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}; {time.perf_counter() - started:.0f} s in all; "
        f"a fixed piece of Python took {machine[0]:.0f} ms before the run and "
        f"{machine[1]:.0f} ms after (the machine's speed of the moment)\n"
    )
    print(table(seeds, results))
    for r in [seeds, *results]:
        if r["query"]["misses"]:
            print(
                f"\nhit@1 misses at {r['articles']:,} articles: " + "; ".join(r["query"]["misses"])
            )


if __name__ == "__main__":
    main()
