"""A build's progress for whoever waits for it: on a terminal one line redrawn in place, else
(a log, CI, a pipe) a line every few seconds, so that a long build is never silent.

The estimate of the time left counts from the first files done, not from the start: a build
spends its first moments listing files and starting worker processes, and counting those as
file time made a one-second build first show 22 seconds left.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

REDRAW = 0.1  # seconds between redraws on a terminal
ESTIMATE_AFTER = 1.0  # seconds of files done before the time left is estimated
CLEAR_TO_END = "\x1b[K"


class BuildProgress:
    """The ``progress(done, total)`` callback of ``build_index``, used as a context manager
    around the build so that the terminal line is finished (or a failure starts on a new line)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        terminal: bool,
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        label: str = "Indexing",
    ) -> None:
        self.stream, self.terminal, self.every = stream, terminal, every
        self.clock, self.label = clock, label
        self.started = self.shown_at = clock()
        self.first: tuple[float, int] | None = None  # when files were first done, and how many
        self.total = 0
        self.drawn = False  # a terminal line is on screen, or a log line was printed

    def __enter__(self) -> BuildProgress:
        return self

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        self.total = total
        if self.first is None:
            self.first = (now, done)
        if self.terminal:
            if now - self.shown_at >= REDRAW or done == total or not self.drawn:
                self.write(f"\r{self.line(now, done, total)}{CLEAR_TO_END}")
        elif now - self.shown_at >= self.every:
            elapsed = f", {now - self.started:.0f} s so far"
            self.write(f"{self.line(now, done, total)}{elapsed}\n")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        seconds = self.clock() - self.started
        if self.terminal and self.drawn:
            end = f"{self.total:,} files in {seconds:.1f} s" if kind is None else "stopped"
            self.write(f"\r{self.label}: {end}{CLEAR_TO_END}\n")
        elif self.drawn and kind is None:
            self.write(f"{self.label}: done in {seconds:.0f} s\n")

    def write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
        self.shown_at, self.drawn = self.clock(), True

    def line(self, now: float, done: int, total: int) -> str:
        share = f"{done:,} of {total:,} files ({100 * done // max(total, 1)}%)"
        if done >= total:
            return f"{self.label}: {share}, finishing (vocabulary, films) …"
        left = self.seconds_left(now, done, total)
        return f"{self.label}: {share}" + (f", {about(left)} left" if left is not None else "")

    def seconds_left(self, now: float, done: int, total: int) -> float | None:
        """From the pace since the first files were done; None until there is a second of it."""
        assert self.first is not None
        since, done_then = self.first
        if now - since < ESTIMATE_AFTER or done <= done_then:
            return None
        return (total - done) * (now - since) / (done - done_then)


def about(seconds: float) -> str:
    if seconds < 90:
        return f"about {max(round(seconds), 1)} s"
    return f"about {round(seconds / 60)} min"
