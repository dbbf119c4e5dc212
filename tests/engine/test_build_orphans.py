"""A build, and its workers, never outlive the process they work for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.engine.build.builder import BuildError, build_index

REPO = Path(__file__).resolve().parents[2]


def test_a_build_whose_owner_is_gone_renames_nothing(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "briefing.db"
    build_index(sources, db)
    before = db.read_bytes()
    (sources / "new.txt").write_text("A new article about the zeppelin stunt.\n")
    not_my_parent = os.getpid()  # an owner that is not this process's parent: it has "gone"
    with pytest.raises(BuildError, match="abandoned"):
        build_index(sources, db, owner=not_my_parent)
    assert db.read_bytes() == before
    assert list(tmp_path.glob("briefing.db.tmp-*")) == []
    build_index(sources, db, owner=os.getppid())  # its owner still there: it renames
    assert db.read_bytes() != before


CHAIN = """
import os, subprocess, sys, time
if sys.argv[1] == "parent":
    child = subprocess.Popen([sys.executable, "-c", sys.argv[2], "child", str(os.getpid())])
    print(child.pid, flush=True)
    time.sleep(60)
else:
    from bot.engine.build.workers import die_with_parent
    die_with_parent(int(sys.argv[2]))
    print("ready", flush=True)
    time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_child_that_asked_dies_with_its_parent_even_after_kill_9() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    parent = subprocess.Popen(
        [sys.executable, "-c", CHAIN, "parent", CHAIN], stdout=subprocess.PIPE, text=True, env=env
    )
    child = None
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert parent.stdout.readline().strip() == "ready"  # the child's, through the pipe
        parent.send_signal(signal.SIGKILL)
        parent.wait(5)
        deadline = time.monotonic() + 5
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child)
    finally:
        parent.kill()
        if child is not None and alive(child):
            os.kill(child, signal.SIGKILL)
