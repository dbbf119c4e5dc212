"""The build's progress line: an estimate that holds from the first one, and lines in a log."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.cli import run_build
from bot.config import Config
from bot.progress import BuildProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def simulate(progress: BuildProgress, clock: Clock, start_up: float, files: int, rate: float):
    """A build: ``start_up`` seconds before the first file, then ``rate`` files a second in
    batches of 32, as worker processes hand them back."""
    clock.now += start_up
    for done in range(32, files + 32, 32):
        progress(min(done, files), files)
        clock.now += 32 / rate


def test_the_first_estimate_leaves_out_the_start_up() -> None:
    stream, clock = io.StringIO(), Clock()
    with BuildProgress(stream, terminal=True, clock=clock) as progress:
        simulate(progress, clock, start_up=0.9, files=2_000, rate=400)  # a 5.9 s build
    shown = re.findall(r"([\d,]+) of 2,000 files \(\d+%\), about (\d+) s left", stream.getvalue())
    assert len(shown) > 10, stream.getvalue()
    for done, left in shown:  # within a second of the truth, from the first one shown
        assert abs(int(left) - (2_000 - int(done.replace(",", ""))) / 400) <= 1
    assert stream.getvalue().endswith("\rIndexing: 2,000 files in 5.9 s\x1b[K\n")


def test_without_a_terminal_a_long_build_prints_a_line_every_few_seconds() -> None:
    stream, clock = io.StringIO(), Clock()
    with BuildProgress(stream, terminal=False, every=5.0, clock=clock) as progress:
        simulate(progress, clock, start_up=0.9, files=12_000, rate=1_000)  # 12.9 s
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and "\r" not in stream.getvalue()
    assert lines[0] == "Indexing: 4,160 of 12,000 files (34%), about 8 s left, 5 s so far"
    assert lines[1].endswith(", 10 s so far")
    assert lines[2] == "Indexing: done in 13 s"


def test_without_a_terminal_a_short_build_prints_nothing() -> None:
    stream, clock = io.StringIO(), Clock()
    with BuildProgress(stream, terminal=False, clock=clock) as progress:
        simulate(progress, clock, start_up=0.5, files=3_000, rate=1_000)
    assert stream.getvalue() == ""


def test_a_failed_build_ends_the_terminal_line() -> None:
    stream, clock = io.StringIO(), Clock()
    with pytest.raises(OSError), BuildProgress(stream, terminal=True, clock=clock) as progress:
        progress(1, 10)
        raise OSError("disk full")
    assert stream.getvalue().endswith("\rIndexing: stopped\x1b[K\n")


def test_the_cli_build_reports_progress_on_stderr_without_a_terminal(
    sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_build(Config(sources=sources, db=tmp_path / "b.db"), progress_every=0.0)
    err = capsys.readouterr().err
    assert "Indexing: 3 of 3 files (100%), finishing (vocabulary, films) …, 0 s so far" in err
    assert err.endswith("Indexing: done in 0 s\n")
