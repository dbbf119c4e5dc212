"""The golden answers: every `briefing ask --json` answer to the practice questions on the seeds.

    python tests/golden.py          # rewrite tests/data/golden_answers.jsonl from the current code

A change that means to change answers (a ranking change) rewrites the file in the same commit,
so the diff shows exactly which answers moved; a change that does not (a refactor) leaves it alone
and tests/test_golden.py proves the answers are byte-identical.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION_FILES = (
    ROOT / "bench" / "questions.jsonl",
    ROOT / "tests" / "data" / "extra_questions.jsonl",
)
GOLDEN = ROOT / "tests" / "data" / "golden_answers.jsonl"


def practice_questions() -> list[str]:
    return [
        json.loads(line)["q"]
        for path in QUESTION_FILES
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def current_answers(workdir: Path) -> str:
    """`briefing ask --json` on a fresh copy of the seeds, every practice question on stdin."""
    sources = workdir / "seeds"
    shutil.copytree(ROOT / "seeds", sources)
    command = [sys.executable, "-m", "bot", "ask", "--json"]
    command += ["--sources", str(sources), "--db", str(workdir / "briefing.db")]
    result = subprocess.run(
        command,
        input="\n".join(practice_questions()) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    return result.stdout


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        GOLDEN.write_text(current_answers(Path(folder)), encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)}")
