"""The documents the product points people to exist: the files that ``briefing run --help``,
config.example.toml and the Markdown docs name or link."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main

REPO = Path(__file__).resolve().parent.parent
DOC_PATH = re.compile(r"\bdocs/[\w.-]+\.md\b")
LOCAL_LINK = re.compile(r"\]\((?!https?:|#|mailto:)([^)#\s]+)(?:#[^)]*)?\)")


def test_run_help_and_the_example_config_name_the_discord_guide() -> None:
    help_text = CliRunner().invoke(main, ["run", "--help"]).output
    example = (REPO / "config.example.toml").read_text(encoding="utf-8")
    for text in (help_text, example):
        assert "docs/discord.md" in DOC_PATH.findall(text)
    assert (REPO / "docs" / "discord.md").is_file()


def test_every_local_link_in_the_docs_leads_to_a_file() -> None:
    missing = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for target in LOCAL_LINK.findall(text):
            if not (doc.parent / target).exists():
                missing.append(f"{doc.relative_to(REPO)} -> {target}")
    assert not missing, missing
