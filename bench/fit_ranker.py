"""Fit the search model's weights on the practice questions, cross-validated across articles.

    pip install -e '.[bench]'        # numpy, for the fit only: the runtime needs no ML library
    python bench/fit_ranker.py [--write] [--pairwise] [--shared ../shared]

Indexes the practice-squad articles together and each alone, and the seeds; asks every practice
question; takes each question's pool of sentences with their features (``Searcher.rank``) and
labels a sentence by whether it holds an expected answer string. Then:

- the ranker, a logistic regression over sentence features (pointwise, or on differences of
  answer and non-answer pairs with ``--pairwise``), and
- the abstainer, a logistic regression over question features: answerable questions against
  questions about articles that are not indexed (each practice-squad article's questions asked
  of the other alone) and the off-topic practice questions,

are each scored on three folds that never saw them: fitted on the Normans and the seed news
questions, scored on the Rhine, and so on round. The threshold is chosen on the folds' held-out
probabilities: the lowest refusing at least ``--refuse`` of the unanswerable, if that still
answers ``--answer`` of the answerable; else the best balance. ``--write`` fits both on every
fold and writes ``bot/engine/search/weights.json``, with the cross-validated figures in it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import make_corpus  # noqa: E402

from bot.engine.build.builder import build_index  # noqa: E402
from bot.engine.search import Searcher  # noqa: E402
from bot.engine.search.features import SENTENCE_FEATURES, QuestionFeatures  # noqa: E402
from bot.engine.search.model import Abstainer, Fitted, Linear  # noqa: E402

WEIGHTS = ROOT / "bot" / "engine" / "search" / "weights.json"
QUESTION_FILES = (
    ROOT / "bench" / "questions.jsonl",
    ROOT / "tests" / "data" / "extra_questions.jsonl",
    ROOT / "bench" / "sloppy_questions.jsonl",  # written here: typed as people type
)
L2 = 1.0
MIX_SEED = 13  # the synthetic articles --mix writes (bench/make_corpus.py)


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower().replace("\u2019", "'")


@dataclass
class Asked:
    """One question asked of one index: its pool's features and labels, its question features
    (``best`` left to be filled by a ranker), whether the index answers it, its fold."""

    fold: str
    answerable: bool
    features: np.ndarray  # sentences x SENTENCE_FEATURES
    labels: np.ndarray  # 1: the sentence holds an answer
    question: list[float] = field(default_factory=list)  # QuestionFeatures, best = 0
    cover_of: np.ndarray | None = None  # best_cover of each sentence, if it were the best
    refused_early: bool = False
    text: str = ""
    sentences: list[str] = field(default_factory=list)
    among: int = 0  # synthetic articles in the index beside the practice ones (0: none)


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def ask_all(searcher: Searcher, cases: list[dict], fold: str, answerable: bool) -> list[Asked]:
    found = []
    for case in cases:
        ranking = searcher.rank(case["q"])
        if ranking.features is None or ranking.featurizer is None:
            found.append(
                Asked(
                    fold,
                    answerable,
                    np.zeros((0, len(SENTENCE_FEATURES))),
                    np.zeros(0),
                    refused_early=True,
                )
            )
            continue
        answers = [norm(a) for a in case["a"]]
        texts = [norm(s.text) for s, _ in ranking.scored]
        labels = np.array([any(a in t for a in answers) for t in texts], dtype=float)
        features = np.array([v for _, v in ranking.scored], dtype=float)
        covers = np.array([ranking.featurizer.coverage(s) for s, _ in ranking.scored])
        found.append(
            Asked(
                fold,
                answerable,
                features,
                labels,
                ranking.features.vector(),
                covers,
                text=case["q"],
                sentences=[s.text for s, _ in ranking.scored],
            )
        )
    return found


def build(sources: list[Path], work: Path, name: str) -> Searcher:
    folder = work / name
    folder.mkdir()
    for source in sources:
        shutil.copy(source, folder / source.name)
    db = work / f"{name}.db"
    build_index(folder, db)
    return Searcher(db, fitted=neutral())


def neutral() -> Fitted:
    """Zero weights for the current features: the pools and features do not depend on them,
    and the weights file may be for other features."""
    questions = QuestionFeatures.NAMES
    return Fitted(
        Linear(SENTENCE_FEATURES, (0.0,) * len(SENTENCE_FEATURES), 0.0),
        Abstainer(Linear(questions, (0.0,) * len(questions), 0.0), 0.0, (0.0,) * len(questions)),
    )


def collect(shared: Path, work: Path, large: Path | None = None, mix: int = 0) -> list[Asked]:
    squad = shared / "practice-squad"
    cases = [c for c in load_jsonl(squad / "questions.jsonl") if c["kind"] == "squad"]
    files = {path.stem: path for path in sorted((squad / "sources").glob("*.md"))}
    noise: list[list[Path]] = [[]]
    if mix:  # the same questions among that many synthetic articles too (same folds)
        make_corpus(mix, work / "corpus", seed=MIX_SEED)
        noise.append(sorted((work / "corpus").glob("*.md")))
    asked: list[Asked] = []
    for n, extra in enumerate(noise):
        both = build([*files.values(), *extra], work, f"both-{n}")
        for article in sorted({c["article"] for c in cases}):
            mine = [c for c in cases if c["article"] == article]
            asked += ask_all(both, mine, article, True)
            for stem, path in files.items():
                if not article.lower().startswith(stem.split("_")[0]):
                    alone = build([path, *extra], work, f"alone-{stem}-{n}")
                    asked += ask_all(alone, mine, article, False)
    seeds = build(sorted((ROOT / "seeds").glob("*.txt")), work, "seeds")
    news = [c for path in QUESTION_FILES for c in load_jsonl(path)]
    unique = list({c["q"]: c for c in news}.values())
    among = [seeds] + ([Searcher(large, fitted=neutral())] if large else [])
    for searcher in among:  # the seeds alone, and among many articles (same fold)
        asked += ask_all(searcher, [c for c in unique if c["a"]], "news", True)
        asked += ask_all(searcher, [c for c in unique if not c["a"]], "news", False)
    return asked


# --- fitting --------------------------------------------------------------------------------


def logistic(x: np.ndarray, y: np.ndarray, sample: np.ndarray | None = None) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method; returns [bias, *weights]."""
    x = np.hstack([np.ones((len(x), 1)), x])
    sample = np.ones(len(y)) if sample is None else sample
    w = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * L2
    penalty[0, 0] = 0
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (sample * (p - y)) + penalty @ w
        hessian = (x * (sample * p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def listwise(useful: list[Asked]) -> np.ndarray:
    """A conditional logit (softmax over each question's pool, the answer sentences' share of
    it maximised), by Newton's method with an L2 penalty: what top-1 asks of a ranker."""

    def loss(w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        value, gradient, hessian = L2 * w @ w / 2, L2 * w, np.eye(len(w)) * L2
        for a in useful:
            x = a.features
            z = x @ w
            p = np.exp(z - z.max())
            total = p.sum()
            p /= total
            positive = a.labels / a.labels.sum()
            value -= positive @ z - (z.max() + np.log(total))
            mean = p @ x
            gradient -= positive @ x - mean
            hessian += (x * p[:, None]).T @ x - np.outer(mean, mean)
        return value, gradient, hessian

    w = np.zeros(useful[0].features.shape[1])
    value, gradient, hessian = loss(w)
    for _ in range(50):
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-4:  # halve the step until the loss falls
            trial = loss(w - size * step)
            if trial[0] < value:
                break
            size /= 2
        if trial[0] >= value - 1e-9:
            break
        w = w - size * step
        value, gradient, hessian = trial
    return np.concatenate([[0.0], w])


def fit_ranker(asked: list[Asked], pairwise: bool, softmax: bool = False) -> np.ndarray:
    """Weights over the sentences of answerable questions whose pool holds an answer; each
    question weighs the same however large its pool."""
    useful = [a for a in asked if a.answerable and a.labels.sum() > 0]
    if softmax:
        return listwise(useful)
    if pairwise:
        diffs, ys = [], []
        for a in useful:
            pos, neg = a.features[a.labels == 1], a.features[a.labels == 0]
            if not len(neg):
                continue
            order = np.argsort(-(neg[:, 0] + neg[:, 4]))[:30]  # the hardest negatives
            for p in pos[:3]:
                for n in neg[order]:
                    diffs += [p - n, n - p]
                    ys += [1.0, 0.0]
        w = logistic(np.array(diffs), np.array(ys))
        w[0] = 0.0
        return w
    xs = np.vstack([a.features for a in useful])
    ys = np.concatenate([a.labels for a in useful])
    # Each question weighs the same however large its pool, and each fold (a kind of article
    # and question) the same in all: the news questions as much as either Wikipedia article's.
    folds = [a.fold for a in useful]
    share = {fold: len(useful) / (len(set(folds)) * folds.count(fold)) for fold in set(folds)}
    sample = np.concatenate([np.full(len(a.labels), share[a.fold] / len(a.labels)) for a in useful])
    return logistic(xs, ys, sample)


def logits(w: np.ndarray, features: np.ndarray) -> np.ndarray:
    return w[0] + features @ w[1:]


def question_vector(a: Asked, ranker: np.ndarray) -> list[float]:
    """The question features with ``best`` and ``best_cover`` from this ranker's top sentence."""
    scores = logits(ranker, a.features)
    top = int(np.argmax(scores))
    vector = list(a.question)
    vector[QuestionFeatures.NAMES.index("best")] = float(scores[top])
    assert a.cover_of is not None
    vector[QuestionFeatures.NAMES.index("best_cover")] = float(a.cover_of[top])
    return vector


def fit_abstainer(asked: list[Asked], ranker: np.ndarray) -> np.ndarray:
    rows = [a for a in asked if not a.refused_early]
    x = np.array([question_vector(a, ranker) for a in rows])
    y = np.array([float(a.answerable) for a in rows])
    # Each fold's answerable and unanswerable questions weigh the same in all: the news
    # questions' 28 off-topic ones as much as the 386 asked of the wrong article.
    groups = [(a.fold, a.answerable) for a in rows]
    sizes = {g: groups.count(g) for g in set(groups)}
    sample = np.array([len(rows) / (len(sizes) * sizes[g]) for g in groups])
    return logistic(x, y, sample)


def probability(w: np.ndarray, vector: list[float]) -> float:
    return float(1 / (1 + np.exp(-(w[0] + np.array(vector) @ w[1:]))))


@dataclass
class Held:
    """A held-out question's outcome under models that never saw it."""

    fold: str
    answerable: bool
    hit: bool  # the top sentence holds an answer
    hit3: bool
    p: float  # probability that it is answered (0 if refused before scoring)
    asked: Asked | None = None
    top: int = 0


def cross_validate(asked: list[Asked], pairwise: bool) -> list[Held]:
    folds = sorted({a.fold for a in asked})
    held = []
    for fold in folds:
        train = [a for a in asked if a.fold != fold]
        ranker = fit_ranker(train, pairwise)
        abstainer = fit_abstainer(train, ranker)
        for a in (a for a in asked if a.fold == fold):
            if a.refused_early:
                held.append(Held(fold, a.answerable, False, False, 0.0))
                continue
            order = np.argsort(-logits(ranker, a.features), kind="stable")
            hit = bool(a.labels[order[0]])
            hit3 = bool(a.labels[order[:3]].any())
            p = probability(abstainer, question_vector(a, ranker))
            held.append(Held(fold, a.answerable, hit, hit3, p, a, int(order[0])))
    return held


def one_article(asked: list[Asked], pairwise: bool, answer: float, refuse: float) -> dict:
    """The practice-squad protocol itself: both models fitted on one article's questions alone,
    the other article's scored (hit@1 of the top candidate; answered; cross-article refused)."""
    squad = sorted({a.fold for a in asked if a.fold != "news"})
    figures = {}
    for train in squad:
        mine = [a for a in asked if a.fold == train]
        ranker = fit_ranker(mine, pairwise)
        abstainer = fit_abstainer(mine, ranker)
        rows = [a for a in mine if not a.refused_early]
        fitted = [
            Held(
                a.fold,
                a.answerable,
                False,
                False,
                probability(abstainer, question_vector(a, ranker)),
            )
            for a in rows
        ]
        threshold = choose_threshold(fitted, answer, refuse)
        for test in (fold for fold in squad if fold != train):
            held = []
            for a in (a for a in asked if a.fold == test):
                if a.refused_early:
                    held.append(Held(test, a.answerable, False, False, 0.0))
                    continue
                order = np.argsort(-logits(ranker, a.features), kind="stable")
                p = probability(abstainer, question_vector(a, ranker))
                hit, hit3 = bool(a.labels[order[0]]), bool(a.labels[order[:3]].any())
                held.append(Held(test, a.answerable, hit, hit3, p))
            figures[f"{train} -> {test}"] = report(held, threshold)[test]
    return figures


def choose_threshold(held: list[Held], answer: float, refuse: float) -> float:
    """The lowest threshold refusing ``refuse`` of the unanswerable, if it still answers
    ``answer`` of the answerable; else the one with the best balance of the two."""
    yes = sorted(h.p for h in held if h.answerable)
    no = sorted(h.p for h in held if not h.answerable)
    candidates = sorted(set(yes + no))
    best, best_balance = 0.5, -1.0
    for t in candidates:
        answered = sum(p >= t for p in yes) / len(yes)
        refused = sum(p < t for p in no) / len(no)
        if refused >= refuse and answered >= answer:
            return t
        balance = min(answered / answer, refused / refuse)
        if balance > best_balance:
            best, best_balance = t, balance
    return best


def report(held: list[Held], threshold: float) -> dict:
    figures = {}
    for fold in sorted({h.fold for h in held}):
        mine = [h for h in held if h.fold == fold]
        yes = [h for h in mine if h.answerable]
        no = [h for h in mine if not h.answerable]
        figures[fold] = {
            "answerable": len(yes),
            "hit@1": round(sum(h.hit and h.p >= threshold for h in yes) / len(yes), 4),
            "hit@1 ranked": round(sum(h.hit for h in yes) / len(yes), 4),
            "hit@3": round(sum(h.hit3 for h in yes) / len(yes), 4),
            "answered": round(sum(h.p >= threshold for h in yes) / len(yes), 4),
            "unanswerable": len(no),
            "refused": round(sum(h.p < threshold for h in no) / max(len(no), 1), 4),
        }
    return figures


def write_misses(held: list[Held], threshold: float, path: Path) -> None:
    """Each held-out answerable question missed at rank 1, and each wrong refusal or answer."""
    lines = []
    for h in held:
        a = h.asked
        if a is None:
            continue
        if a.answerable and not h.hit:
            answer = next((t for t, y in zip(a.sentences, a.labels, strict=True) if y), None)
            lines.append(f"MISS [{h.fold}] {a.text}\n  got: {a.sentences[h.top]}\n  want: {answer}")
        if a.answerable and h.p < threshold:
            lines.append(f"REFUSED [{h.fold}] p={h.p:.3f} {a.text} {a.question}")
        if not a.answerable and h.p >= threshold:
            lines.append(f"ANSWERED [{h.fold}] p={h.p:.3f} {a.text}\n  got: {a.sentences[h.top]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--pairwise", action="store_true")
    parser.add_argument(
        "--large",
        type=Path,
        help="an index of the seeds among many synthetic articles (bench/speed.py's): the news "
        "questions are asked of it too, so that abstention learns what chance looks like there",
    )
    parser.add_argument("--answer", type=float, default=0.96)
    parser.add_argument("--refuse", type=float, default=0.96)
    parser.add_argument(
        "--mix",
        type=int,
        default=0,
        metavar="N",
        help="ask the practice-squad questions among N synthetic articles as well",
    )
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--misses", type=Path, help="write the held-out misses here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asked = collect(args.shared, Path(folder), args.large, args.mix)
    held = cross_validate(asked, args.pairwise)
    threshold = choose_threshold(held, args.answer, args.refuse)
    figures = report(held, threshold)
    print(f"threshold {threshold:.4f} (chosen on held-out folds)")
    for fold, row in figures.items():
        print(f"  {fold:8} " + "  ".join(f"{k} {v}" for k, v in row.items()))
    protocol = one_article(asked, args.pairwise, args.answer, args.refuse)
    print("fitted on one practice-squad article alone, scored on the other:")
    for pair, row in protocol.items():
        print(f"  {pair} " + "  ".join(f"{k} {v}" for k, v in row.items()))
    ranker = fit_ranker(asked, args.pairwise)
    abstainer = fit_abstainer(asked, ranker)
    print(
        "rank:",
        " ".join(
            f"{n} {w:+.2f}" for n, w in zip(("bias", *SENTENCE_FEATURES), ranker, strict=True)
        ),
    )
    print(
        "abstain:",
        " ".join(
            f"{n} {w:+.2f}"
            for n, w in zip(("bias", *QuestionFeatures.NAMES), abstainer, strict=True)
        ),
    )
    if args.misses:
        write_misses(held, threshold, args.misses)
    if not args.write:
        return
    answered = np.array(
        [question_vector(a, ranker) for a in asked if a.answerable and not a.refused_early]
    )
    data = {
        "rank": {
            "features": list(SENTENCE_FEATURES),
            "weights": {
                n: round(float(w), 6) for n, w in zip(SENTENCE_FEATURES, ranker[1:], strict=True)
            },
            "bias": round(float(ranker[0]), 6),
        },
        "abstain": {
            "features": list(QuestionFeatures.NAMES),
            "weights": {
                n: round(float(w), 6)
                for n, w in zip(QuestionFeatures.NAMES, abstainer[1:], strict=True)
            },
            "bias": round(float(abstainer[0]), 6),
            "threshold": round(threshold, 6),
            "answered_means": {
                n: round(float(m), 6)
                for n, m in zip(QuestionFeatures.NAMES, answered.mean(axis=0), strict=True)
            },
        },
        "fitted": {
            "by": "bench/fit_ranker.py"
            + (" --pairwise" if args.pairwise else "")
            + (f" --large {args.large.name}" if args.large else "")
            + (f" --mix {args.mix}" if args.mix else ""),
            "cross_validated": figures,
            "one_article": protocol,
        },
    }
    WEIGHTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {WEIGHTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
