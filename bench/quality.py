"""Answer quality on every practice set, the engine side by side with two baselines, in one run.

    python bench/quality.py                 # every set below (about 30 s)
    python bench/quality.py --verbose       # and every engine miss
    python bench/quality.py --db /tmp/briefing-bench/index-100000.db  # bench/questions.jsonl
    python bench/quality.py --sources DIR --questions FILE.jsonl  # your own set

Systems, each asked the same questions of the same index:
- ``engine``: ``Searcher.ask``, what ``briefing ask`` answers.
- ``fts5``: FTS5 bm25 over the index's sentences, the question's words (stop words out) OR-ed.
- ``rank_bm25``: rank_bm25's BM25Okapi over the same sentences and words (needs the ``bench``
  extra: ``pip install -e '.[bench]'``; left out with a note when it is not installed).
A baseline "refuses" only when no sentence shares a word with the question.

Sets (the practice-squad protocol is /work/shared/practice-squad/README.md):
- ``devset``, ``bench``, ``extra``: the news questions on the seed articles (shared/devset,
  bench/questions.jsonl, tests/data/extra_questions.jsonl); an off-topic question (no answer
  strings) scores a hit when it is refused.
- ``films``: bench/film_articles/, invented news articles each about one film (or one person)
  and questions as users type them (typos, no film name, off-topic ones).
- ``heldout``: bench/heldout/, film-news questions nobody fitted on (see its README): a check;
- ``heldout-2``: bench/heldout_2/, news questions by someone who never read the code: a check.
- ``squad``: both practice-squad articles indexed, their answerable questions.
- ``squad-cross``: one article indexed alone, the other article's answerable questions (both
  ways): the share refused is what counts.
- ``squad-unanswerable``: SQuAD 2.0's adversarial questions, both articles indexed: the share
  refused (informative only).

Metrics: hit@1 (the first excerpt holds an answer string, case and spacing aside, and is at most
400 characters), hit@3 (one of the first three does; for ``all_in_top3`` cases every string
across them), answered (the share given excerpts), refused (its complement, for the sets where
refusing is right) and ms per question.

With ``--db`` one question file is asked of an existing index (opened read-only, never rebuilt),
e.g. the seeds hidden among 100,000 synthetic articles; ``--no-baseline`` skips the baselines
(a rank_bm25 question over 100,000 articles takes seconds).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from bot.engine.build.builder import build_index  # noqa: E402
from bot.engine.search import Searcher  # noqa: E402
from bot.engine.words import STOPWORDS, tokens  # noqa: E402

MAX_EXCERPT_CHARS = 400
SQUAD = SHARED / "practice-squad"
FILMS = ROOT / "bench" / "film_articles"  # invented film-news articles and questions about them
HELDOUT = ROOT / "bench" / "heldout"  # the same kind, never fitted on: a check
HELDOUT_2 = ROOT / "bench" / "heldout_2"  # written by someone who never read the code

Ask = Callable[[str], list[str]]  # a question -> the texts of the excerpts, best first


@dataclass
class Case:
    question: str
    answers: list[str]  # empty: the question should be refused
    all_in_top3: bool = False


@dataclass
class Tally:
    """One system's results on one set."""

    cases: int = 0
    hit1: int = 0
    hit3: int = 0
    answered: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, case: Case, excerpts: list[str], seconds: float) -> None:
        self.cases += 1
        self.seconds += seconds
        self.answered += bool(excerpts)
        first, second = judge(case, excerpts)
        self.hit1 += first
        self.hit3 += second
        if not first:
            self.misses.append(f"{case.question!r} -> {excerpts[:1]}")


@dataclass
class PracticeSet:
    name: str
    cases: list[Case]
    sources: list[Path]  # the files indexed for it
    refuse: bool = False  # every question should be refused (squad-cross, unanswerable)


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower().replace("\u2019", "'")


def holds(text: str, answer: str) -> bool:
    return len(text) <= MAX_EXCERPT_CHARS and normal(answer) in normal(text)


def judge(case: Case, excerpts: list[str]) -> tuple[bool, bool]:
    """(hit@1, hit@3) for one answer; an unanswerable case is a hit when refused."""
    if not case.answers:
        return not excerpts, not excerpts
    hit1 = bool(excerpts) and any(holds(excerpts[0], a) for a in case.answers)
    if case.all_in_top3:
        top3 = " ".join(normal(e) for e in excerpts[:3])
        return hit1, all(normal(a) in top3 for a in case.answers)
    return hit1, any(holds(e, a) for e in excerpts[:3] for a in case.answers)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def news_cases(path: Path) -> list[Case]:
    return [Case(c["q"], c["a"], c.get("all_in_top3", False)) for c in read_jsonl(path)]


def practice_sets() -> list[PracticeSet]:
    seeds = sorted(p for p in (ROOT / "seeds").iterdir() if p.is_file())
    film_sources = sorted((FILMS / "sources").glob("*.md"))
    heldout_sources = sorted((HELDOUT / "sources").glob("*.md"))
    sets = [
        PracticeSet("devset", news_cases(SHARED / "devset" / "questions.jsonl"), seeds),
        PracticeSet("bench", news_cases(ROOT / "bench" / "questions.jsonl"), seeds),
        PracticeSet("extra", news_cases(ROOT / "tests" / "data" / "extra_questions.jsonl"), seeds),
        PracticeSet("films", news_cases(FILMS / "questions.jsonl"), film_sources),
        PracticeSet("heldout", news_cases(HELDOUT / "questions.jsonl"), heldout_sources),
        PracticeSet(
            "heldout-2",
            news_cases(HELDOUT_2 / "questions.jsonl"),
            sorted((HELDOUT_2 / "sources").glob("*.txt")),
        ),
    ]
    squad = read_jsonl(SQUAD / "questions.jsonl")
    articles = sorted((SQUAD / "sources").glob("*.md"))
    answerable = [c for c in squad if c["kind"] == "squad"]
    sets.append(PracticeSet("squad", [Case(c["q"], c["a"]) for c in answerable], articles))
    for article in articles:
        others = [Case(c["q"], []) for c in answerable if not article_named(article, c["article"])]
        sets.append(PracticeSet(f"squad-cross {article.stem}", others, [article], refuse=True))
    adversarial = [Case(c["q"], []) for c in squad if c["kind"] == "unanswerable"]
    sets.append(PracticeSet("squad-unanswerable", adversarial, articles, refuse=True))
    return sets


def article_named(path: Path, title: str) -> bool:
    return path.stem.lower().startswith(title.lower()[:5])


def sentences(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT text FROM passages ORDER BY id")]


def question_words(question: str) -> list[str]:
    return sorted({w for w in tokens(question) if w not in STOPWORDS})


def fts5_baseline(conn: sqlite3.Connection) -> Ask:
    def ask(question: str) -> list[str]:
        words = question_words(question)
        if not words:
            return []
        rows = conn.execute(
            "SELECT passages.text FROM passages_fts JOIN passages ON passages.id = "
            "passages_fts.rowid WHERE passages_fts MATCH ? ORDER BY bm25(passages_fts) LIMIT 3",
            (" OR ".join(f'"{w}"' for w in words),),
        )
        return [row[0] for row in rows]

    return ask


def rank_bm25_baseline(conn: sqlite3.Connection) -> Ask | None:
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        return None
    texts = sentences(conn)
    model = BM25Okapi([tokens(t) or [""] for t in texts])

    def ask(question: str) -> list[str]:
        words = question_words(question)
        if not words:
            return []
        scores = model.get_scores(words)
        best = sorted(range(len(texts)), key=lambda i: -scores[i])[:3]
        return [texts[i] for i in best if scores[i] > 0]

    return ask


def systems(db: Path, with_baselines: bool) -> tuple[dict[str, Ask], Callable[[], None]]:
    """The systems asking the index at ``db``, and a function closing what they opened."""
    searcher = Searcher(db)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    found: dict[str, Ask] = {"engine": lambda q: [e.text for e in searcher.ask(q).excerpts]}
    if with_baselines:
        found["fts5"] = fts5_baseline(conn)
        if bm25 := rank_bm25_baseline(conn):
            found["rank_bm25"] = bm25

    def close() -> None:
        searcher.close()
        conn.close()

    return found, close


def run_set(db: Path, cases: Iterable[Case], with_baselines: bool) -> dict[str, Tally]:
    asking, close = systems(db, with_baselines)
    tallies = {name: Tally() for name in asking}
    cases = list(cases)
    try:
        for ask in asking.values():  # warm up: caches, wordfreq's lists, the page cache
            ask(cases[0].question)
        for case in cases:
            for name, ask in asking.items():
                started = time.perf_counter()
                excerpts = ask(case.question)
                tallies[name].add(case, excerpts, time.perf_counter() - started)
    finally:
        close()
    return tallies


def index_of(files: list[Path], workdir: Path, cache: dict[tuple[Path, ...], Path]) -> Path:
    """An index of exactly ``files``, built once per distinct set of files."""
    key = tuple(files)
    if key not in cache:
        folder = workdir / f"sources-{len(cache)}"
        folder.mkdir()
        for path in files:
            shutil.copy(path, folder / path.name)
        cache[key] = workdir / f"index-{len(cache)}.db"
        build_index(folder, cache[key])
    return cache[key]


def share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "-"


def table(rows: list[tuple[PracticeSet, dict[str, Tally]]]) -> str:
    lines = [
        "| set | n | system | hit@1 | hit@3 | answered | refused | ms/q |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for practice, tallies in rows:
        for name, t in tallies.items():
            refused = t.cases - t.answered
            hit1, hit3, answered = (
                ("", "", "")
                if practice.refuse
                else (share(t.hit1, t.cases), share(t.hit3, t.cases), share(t.answered, t.cases))
            )
            lines.append(
                f"| {practice.name} | {t.cases} | {name} | {hit1} | {hit3} | {answered} | "
                f"{share(refused, t.cases)} | {1000 * t.seconds / max(t.cases, 1):.1f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="Ask this existing index (with --questions).")
    parser.add_argument("--questions", type=Path, help="With --db or --sources: the questions.")
    parser.add_argument("--sources", type=Path, help="With --questions: index these files.")
    parser.add_argument("--only", help="Only the sets whose name starts with this.")
    parser.add_argument("--no-baseline", action="store_true", help="Skip the baselines.")
    parser.add_argument("--verbose", action="store_true", help="List every engine miss.")
    args = parser.parse_args()
    with_baselines = not args.no_baseline
    if args.db:
        questions = args.questions or ROOT / "bench" / "questions.jsonl"
        practice = PracticeSet(questions.stem, news_cases(questions), [])
        rows = [(practice, run_set(args.db, practice.cases, with_baselines))]
    else:
        if args.sources and args.questions:
            files = sorted(p for p in args.sources.iterdir() if p.is_file())
            chosen = [PracticeSet(args.questions.stem, news_cases(args.questions), files)]
        else:
            chosen = practice_sets()
        rows = []
        with tempfile.TemporaryDirectory() as folder:
            cache: dict[tuple[Path, ...], Path] = {}
            for practice in chosen:
                if args.only and not practice.name.startswith(args.only):
                    continue
                db = index_of(practice.sources, Path(folder), cache)
                rows.append((practice, run_set(db, practice.cases, with_baselines)))
    print(table(rows))
    if with_baselines and not any("rank_bm25" in t for _, t in rows):
        print("\n(rank_bm25 not installed: pip install -e '.[bench]')")
    if args.verbose:
        for practice, tallies in rows:
            for miss in tallies["engine"].misses:
                print(f"miss [{practice.name}] {miss}")


if __name__ == "__main__":
    main()
