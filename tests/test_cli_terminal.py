"""The CLI on a terminal (a pseudo-terminal): what a person typing at it sees."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UP = "\x1b[A"
ESCAPE_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """A command with a pseudo-terminal as its stdin, stdout and stderr."""

    def __init__(self, *args: str) -> None:
        self.fd, child = pty.openpty()
        env = {**os.environ, "TERM": "xterm", "COLUMNS": "200"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            stdin=child,
            stdout=child,
            stderr=child,
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        os.close(child)
        self.seen, self.read = "", 0

    def read_until(self, text: str, timeout: float = 30.0) -> str:
        """What is shown from where the last read ended until ``text`` appears (it must)."""
        deadline = time.monotonic() + timeout
        while text not in self.seen[self.read :]:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} not shown; got {self.seen[self.read :]!r}"
            if select.select([self.fd], [], [], left)[0]:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the command ended
                    chunk = b""
                assert chunk, f"{text!r} not shown before the end; got {self.seen[self.read :]!r}"
                self.seen += chunk.decode("utf-8", "replace")
        start, self.read = self.read, self.seen.index(text, self.read) + len(text)
        return ESCAPE_RE.sub("", self.seen[start : self.read])  # bold, bracketed paste, …

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self) -> int:
        try:
            return self.process.wait(timeout=30)
        finally:
            os.close(self.fd)


@pytest.fixture
def index_args(seed_db: Path) -> list[str]:
    return ["--sources", str(seed_db.parent / "seeds"), "--db", str(seed_db)]


def test_chat_has_line_editing_and_history(index_args: list[str]) -> None:
    chat = Terminal("chat", *index_args)
    chat.read_until("quits.")
    chat.read_until("? ")
    chat.type("who is esai moralez\r")
    assert "Esai Morales will be" in chat.read_until("\n? ")
    chat.type(UP + "\r")  # the previous question again, as in a shell
    again = chat.read_until("\n? ")
    assert "^[[A" not in again and "Esai Morales will be" in again
    chat.type("who is esai moralex" + "\x7f" + "z\r")  # backspace edits the line
    assert "Esai Morales will be" in chat.read_until("\n? ")
    chat.type("lol\r")
    assert "I need a word or two to look up" in chat.read_until("\n? ")
    chat.type("\x04")  # Ctrl-D
    assert chat.close() == 0


def test_ask_on_a_terminal_says_it_reads_questions_from_stdin(index_args: list[str]) -> None:
    ask = Terminal("ask", *index_args)
    ask.read_until("Reading questions from standard input, one a line; Ctrl-D ends.")
    ask.type("who is esai moralez\r")
    assert "Esai Morales will be" in ask.read_until("paragraph 5)")
    ask.type("\x04")
    assert ask.close() == 0


def test_index_on_a_terminal_redraws_one_progress_line(sources: Path, tmp_path: Path) -> None:
    index = Terminal("index", "--sources", str(sources), "--db", str(tmp_path / "b.db"))
    shown = index.read_until("skipped 0")
    assert index.close() == 0
    progress, summary = shown.split("\n", 1)
    assert progress.startswith("\rIndexing: ") and progress.count("\r") >= 2  # redrawn in place
    assert re.search(r"\rIndexing: 3 files in \d+\.\d s\r$", progress)
    assert summary.startswith("Indexed 3 articles")
