"""README's code map matches the tree: every module of bot/ is on it, and all it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"


def code_map_rows() -> dict[str, str]:
    """Each row's path (as written in its first cell, without ``bot/``) -> the rest of the row."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Code map", 1)[1].split("\n\n**", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 2 and (m := re.fullmatch(r"\*{0,2}`(?:bot/)?([\w/.]+)`\*{0,2}", cells[0])):
            rows[m.group(1)] = cells[1]
    return rows


def test_every_module_is_on_the_map() -> None:
    rows = code_map_rows()
    missing = []
    for path in sorted(BOT.rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        relative = path.relative_to(BOT).as_posix()
        package = path.parent.relative_to(BOT).as_posix() + "/"
        in_package_row = package in rows and f"`{path.stem}`" in rows[package]
        if relative not in rows and not in_package_row:
            missing.append(relative)
    assert not missing, f"modules missing from README's code map: {missing}"


def test_everything_on_the_map_exists() -> None:
    rows = code_map_rows()
    assert len(rows) > 20
    for name, job in rows.items():
        target = BOT / name
        assert target.exists(), f"README's code map names {name}, which is not in bot/"
        if name.endswith("/") and name.count("/") > 1:  # a package row lists its modules
            for module in re.findall(r"`([a-z_]+)`", job):
                assert (target / f"{module}.py").exists(), f"{name}{module}.py is not in bot/"
