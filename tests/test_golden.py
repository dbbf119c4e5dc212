"""Every practice answer on the seed index is byte-identical to tests/data/golden_answers.jsonl."""

from pathlib import Path

from tests.golden import GOLDEN, current_answers


def test_answers_match_the_golden_file(tmp_path: Path) -> None:
    got = current_answers(tmp_path).splitlines()
    want = GOLDEN.read_text(encoding="utf-8").splitlines()
    assert len(got) == len(want)
    changed = [g for g, w in zip(got, want, strict=True) if g != w]
    assert not changed, f"{len(changed)} answers changed; first: {changed[0][:300]}"
