"""Faults injected into real builds: the last good index keeps answering, nothing is lost."""

import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.engine.build.builder import build_index, build_lock
from bot.engine.build.health import index_problem
from bot.engine.search import Searcher
from bot.engine.search.follower import IndexFollower

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "How many motorbike jumps did Cruise do in training?"


def briefing(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def add_articles(sources: Path, count: int, tag: str) -> None:
    rng = random.Random(tag)
    words = [f"{tag}word{i}" for i in range(500)]
    for i in range(count):
        paragraphs = [
            " ".join(" ".join(rng.choices(words, k=12)).capitalize() + "." for _ in range(5))
            for _ in range(6)
        ]
        (sources / f"{tag}-{i:04d}.txt").write_text("\n\n".join(paragraphs))


# Set in the environment of the builds a test starts, which their worker processes inherit:
# only theirs are counted (tests running beside this one start builds of their own).
MARK = f"BRIEFING_TEST_BUILD={os.getpid()}"


def worker_processes() -> set[int]:
    """Processes of multiprocessing's fork server started by this test's builds: their worker
    processes and their server."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
            marked = MARK.encode() in (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if entry.name.isdigit() and b"multiprocessing.forkserver" in command and marked:
            found.add(int(entry.name))
    return found


def test_reindex_killed_at_random_points(sources: Path, tmp_path: Path) -> None:
    """... with its worker processes reading files (600 is enough to use them): they leave
    with it rather than wait for work for ever."""
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    good = Searcher(db).ask(QUESTION).excerpts[0].text
    add_articles(sources, 600, "bulk")
    rng = random.Random(7)
    killed_while_running = 0
    name, _, value = MARK.partition("=")
    for _ in range(4):
        process = briefing(
            "index", "--sources", str(sources), "--db", str(db), env={**os.environ, name: value}
        )
        time.sleep(rng.uniform(0.3, 0.9))
        killed_while_running += process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert index_problem(db, thorough=True) is None
        assert Searcher(db).ask(QUESTION).excerpts[0].text == good
    assert killed_while_running >= 2
    deadline = time.monotonic() + 10
    while worker_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not worker_processes()
    summary = build_index(sources, db)
    assert summary.articles == 603
    assert not list(tmp_path.glob("briefing.db.tmp-*"))
    assert Searcher(db).ask(QUESTION).excerpts[0].text == good


def limit_file_size() -> None:
    """Writes past 2 MB fail as on a full disk (EFBIG instead of a SIGXFSZ kill)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000))


def test_disk_full_during_a_build(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    before = db.read_bytes()
    add_articles(sources, 400, "full")
    process = briefing(
        "index", "--sources", str(sources), "--db", str(db), preexec_fn=limit_file_size
    )
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    assert [line for line in stderr.splitlines() if not line.startswith("Indexing:")] == [
        f"error: indexing failed: disk full while building {db}: the previous index is unchanged"
    ]
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("briefing.db.tmp-*"))
    assert Searcher(db).ask(QUESTION).answered


def test_a_second_build_is_refused_while_one_runs(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    with build_lock(db):  # as if the bot's /reindex were running
        process = briefing("index", "--sources", str(sources), "--db", str(db))
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "a reindex is already running" in stderr
    assert build_index(sources, db).unchanged == 3


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_damaged_index_is_noticed_and_rebuilt(sources: Path, tmp_path: Path, damage: str) -> None:
    db = tmp_path / "briefing.db"
    add_articles(sources, 50, "pad")
    build_index(sources, db)
    size = db.stat().st_size
    with open(db, "r+b") as handle:
        if damage == "truncate":
            handle.truncate(size // 2)
        else:
            handle.seek(size // 3)
            handle.write(os.urandom(size // 3))
    assert index_problem(db, thorough=True) is not None
    summary = build_index(sources, db)
    assert summary.articles == 53
    assert index_problem(db, thorough=True) is None
    assert Searcher(db).ask(QUESTION).answered


def test_reader_keeps_the_last_good_index_when_the_file_is_ruined(
    sources: Path, tmp_path: Path
) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    follower = IndexFollower(db)
    replacement = tmp_path / "junk"
    replacement.write_bytes(b"junk" * 4096)
    os.replace(replacement, db)  # a new file, as a broken rebuild would leave
    assert follower.latest().ask(QUESTION).answered
    assert follower.problem is not None and "can't use" in follower.problem
