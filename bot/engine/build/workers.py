"""Worker processes for the CPU-bound part of a build: reading, splitting and scanning files.

A build's writer is one process (SQLite has one writer); on a machine with two cores the reading
is as much work again, so it goes to other processes when there is enough of it. Data flows one
way: argument tuples out, plain results back, in order.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from multiprocessing.process import BaseProcess

log = logging.getLogger(__name__)

PARALLEL_FROM = 200  # files to read: fewer are read faster than worker processes start
BATCH = 32  # files a worker reads per task
IN_FLIGHT = 8  # tasks queued per worker: bounds the memory of results not yet written


def parallel_map(function: Callable, items: list[tuple], workers: int) -> Iterator:
    """``function`` (which takes a batch of argument tuples) over ``items``, in order.

    In worker processes when there are enough items; should the workers fail (killed, or unable
    to start: they re-import the caller's main script, so scripts must guard it with
    ``if __name__ == "__main__"``), the rest is done in this process.
    """
    done = 0
    if workers > 1 and len(items) >= PARALLEL_FROM:
        try:
            for result in map_in_workers(function, items, workers):
                yield result
                done += 1
        except BrokenProcessPool:
            log.warning("worker processes failed; reading the other files in the build process")
    for start in range(done, len(items), BATCH):
        yield from function(items[start : start + BATCH])


def map_in_workers(function: Callable, items: list[tuple], workers: int) -> Iterator:
    """Worker processes come from a fork server, never a fork of this process: the bot calls
    this from a thread while its event loop runs. Only a few batches are queued at a time, so
    fast readers never pile up results the writer has not taken."""
    batches = (items[start : start + BATCH] for start in range(0, len(items), BATCH))
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=leave_with_builder,
    )
    try:
        queued = deque(pool.submit(function, b) for b in islice(batches, workers * IN_FLIGHT))
        while queued:
            results = queued.popleft().result()
            batch = next(batches, None)
            if batch is not None:
                queued.append(pool.submit(function, batch))
            yield from results
    finally:
        pool.shutdown(cancel_futures=True)


def leave_with_builder() -> None:
    """A worker's first step: a build process killed outright (SIGKILL) can't stop its workers,
    which would wait for work for ever, so they watch it and exit when it does."""
    builder = multiprocessing.parent_process()
    if builder is not None:
        die_with_parent(None)  # the parent is the fork server, which ends with the builder
        threading.Thread(target=exit_after, args=(builder,), daemon=True).start()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent_pid: int | None) -> None:
    """Have Linux kill this process (SIGKILL) the moment its parent process ends, however it
    ends (``kill -9`` included): a build or worker that outlives the bot that started it holds
    100 MB for nothing and could later swap in an index nobody asked for. Should the parent
    already be gone (it died before this ran), exit now. Elsewhere this does nothing; the
    parent watch of ``leave_with_builder`` and the build's ``owner`` check still hold."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def exit_after(process: BaseProcess) -> None:
    """Wait for ``process`` to end, then end this one at once (no clean-up: it has none)."""
    process.join()
    os._exit(1)


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
