"""A process's memory, read cheaply enough to sample during a soak: its resident set from
/proc, and what glibc's allocator holds (``mallinfo2``: what C code has in use, what the
allocator keeps free for later, what it mapped for large blocks). Linux with glibc only, like
the benchmarks' figures."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path


def status_mb(field: str = "VmRSS", pid: int | str = "self") -> float | None:
    """One memory line of ``/proc/PID/status`` in MB ("VmRSS": resident now, "VmHWM": the
    peak); None once the process has exited."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return None


class MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (man 3 mallinfo2)."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks "
        "keepcost".split()
    ]


def malloc_mb() -> tuple[float, float, float]:
    """(in use, held free, mapped for large blocks) by this process's malloc, in MB."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    return info.uordblks / 2**20, info.fordblks / 2**20, info.hblkhd / 2**20


def layers() -> str:
    """This process's memory by layer: resident, Python's blocks, malloc's, the stem cache."""
    from bot.engine.words import stem

    in_use, free, mapped = malloc_mb()
    return (
        f"RSS {status_mb() or 0:.1f} MB, Python blocks {sys.getallocatedblocks():,}, "
        f"malloc in use {in_use:.1f} MB, held free {free:.1f} MB, mapped {mapped:.1f} MB, "
        f"stem cache {stem.cache_info().currsize:,}"
    )
