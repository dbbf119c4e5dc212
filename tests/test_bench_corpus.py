"""bench/make_corpus.py: deterministic, readable articles that never restate a seed fact."""

import sys
from pathlib import Path

from bot.engine.sources import Article, read_source
from bot.engine.words import tokens

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import make_corpus  # noqa: E402


def test_corpus_is_deterministic_and_readable(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    make_corpus(12, first, seed=3, workers=1)
    make_corpus(12, second, seed=3, workers=1)
    names = sorted(p.name for p in first.iterdir())
    assert len(names) == 12
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()
        article = read_source(first / name, first)
        assert isinstance(article, Article)
        assert article.url and article.published and article.outlet
        assert 2000 < len(article.text) < 5000


def test_corpus_leaves_out_the_seeds_specific_words(tmp_path: Path) -> None:
    make_corpus(30, tmp_path, seed=5, workers=1)
    words = set(tokens(" ".join(p.read_text() for p in tmp_path.iterdir())))
    assert not words & {"hellesylt", "helsetkopen", "mcquarrie", "klementieff", "esai"}
