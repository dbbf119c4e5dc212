"""Films found in film news: recall and precision of the films an index lists, per article.

    python bench/film_recall.py [--verbose]

Four sets: ``tests/data/films/corpus/`` (the articles the film cues were written against, with
its held-out families; tests/engine/test_film_corpus.py holds it to 90% recall and 97%
precision), and ``bench/unseen_films/``, ``bench/unseen_films_2/`` and ``bench/unseen_films_3/``
(six articles each, written by someone who never read the film code, scored before any change
for them: see bench/README.md). Those are what a new article's films look like to the bot.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine.build.builder import build_index  # noqa: E402
from bot.engine.films.keys import key  # noqa: E402
from tests.engine.test_film_corpus import (  # noqa: E402
    ANNOTATIONS,
    CORPUS,
    Expected,
    Score,
    details,
    listed_films,
    load_annotations,
    ratio,
    score,
)

UNSEEN = tuple(
    ROOT / "bench" / name for name in ("unseen_films", "unseen_films_2", "unseen_films_3")
)
UNSEEN_FAMILY = "unseen"


def unseen_annotations(path: Path) -> tuple[dict, list[Expected]]:
    """``bench/unseen_films/annotations.toml`` (a plain list of films an article) read as the
    corpus's annotations, every article of one family."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for article in data["article"]:
        article["family"] = UNSEEN_FAMILY
        article["films"] = {UNSEEN_FAMILY: article["films"]}
        article.setdefault("nonfilms", {})
    expected = [
        Expected(article["file"], title, UNSEEN_FAMILY, frozenset({key(title)}))
        for article in data["article"]
        for title in article["films"][UNSEEN_FAMILY]
    ]
    return data, expected


def scored(articles: Path, data: dict, expected: list[Expected], work: Path) -> Score:
    folder = work / articles.name
    shutil.copytree(articles, folder, ignore=shutil.ignore_patterns("*.toml", "README*"))
    build_index(folder, work / f"{articles.name}.db")
    return score(data, expected, listed_films(work / f"{articles.name}.db"))


def row(name: str, result: Score) -> str:
    found, total = len(result.found), len(result.found) + len(result.missed)
    false = len(result.false)
    return (
        f"| {name} | {total} | {found} | {ratio(found, total):.1%} | {false} | "
        f"{ratio(found, found + false):.1%} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list what was missed or false")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        corpus_data, corpus_expected = load_annotations(ANNOTATIONS)
        corpus = scored(CORPUS, corpus_data, corpus_expected, work)
        unseen = {
            folder.name: scored(folder, *unseen_annotations(folder / "annotations.toml"), work)
            for folder in UNSEEN
        }
    print("| set | films | found | recall | false | precision |")
    print("|---|---|---|---|---|---|")
    print(row("corpus (cues written against it)", corpus))
    for name, result in unseen.items():
        print(row(name, result))
    if args.verbose:
        for name, result in unseen.items():
            print(f"{name}:")
            print("\n".join(details(result, [UNSEEN_FAMILY])))


if __name__ == "__main__":
    main()
