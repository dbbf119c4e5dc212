"""Shared fixtures: a real index built from the real seed articles into a temp folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine.build.builder import build_index
from bot.engine.search import Searcher

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed articles indexed once per test session (tests must not write to it)."""
    folder = tmp_path_factory.mktemp("seed-index")
    sources = folder / "seeds"
    shutil.copytree(SEEDS, sources)
    db = folder / "briefing.db"
    build_index(sources, db)
    return db


@pytest.fixture(scope="session")
def searcher(seed_db: Path) -> Searcher:
    return Searcher(seed_db)


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A writable copy of the seed articles."""
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder
