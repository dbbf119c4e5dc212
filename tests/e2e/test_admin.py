"""Admin commands: who may use them, /reindex while answering, failures, /sources list and add."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.build.builder import build_lock

from .conftest import build_paused, embed_of, finished, reply_to, responded
from .standin import EPHEMERAL

GATE_ARTICLE = (
    "The zeppelin stunt in the gate test used 77 parachutes, the stunt coordinator said.\n"
)


def fields(embed: dict) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields") or []}


def ask(standin, question: str, user: str = "alice") -> dict:
    rec = standin.slash("ask", question=question, user=user)
    body = responded(standin, rec)
    # deferred when the answer takes a moment (the index just swapped in, a busy machine)
    return embed_of(body["data"] if body["type"] == 4 else finished(standin, rec))


@pytest.mark.parametrize("command", ["reindex", "sources add"])
def test_non_admin_is_refused_privately(standin, bot, command):
    options = {}
    if command == "sources add":
        options["file"] = standin.add_attachment("note.txt", b"Cruise jumped again.\n")
    rec = standin.slash(command, user="alice", **options)
    body = responded(standin, rec)
    assert body["type"] == 4
    assert body["data"]["flags"] & EPHEMERAL
    assert body["data"]["content"] == "Only admins can do that."
    assert not (bot.sources / "note.txt").exists()


def test_manage_server_admin_reindexes_with_a_summary(standin, bot):
    rec = standin.slash("reindex", user="bob")  # bob's role has Manage Server
    body = responded(standin, rec)
    assert body["type"] == 5 and body["data"]["flags"] & EPHEMERAL  # deferred at once
    embed = embed_of(finished(standin, rec))
    assert embed["title"] == "Reindex finished"
    got = fields(embed)
    assert got["Added (0)"] == "none" and got["Removed (0)"] == "none"
    assert "passages from 4 articles" in embed["description"]
    assert "4 unchanged" in embed["description"]


def test_reindex_runs_off_the_event_loop_one_at_a_time(standin, bot):
    gate = bot.sources / "zz_gate.txt"
    gate.write_text(GATE_ARTICLE, encoding="utf-8")
    rec = standin.slash("reindex", user="dave")  # admin by user id
    with build_paused(bot):  # the build is held still until the checks are done
        assert responded(standin, rec)["type"] == 5

        # the bot keeps answering while the build waits
        message = standin.send_message(
            f"<@{standin.bot_user['id']}> Where in Norway was the motorbike jump filmed?",
            mentions_bot=True,
        )
        assert "Helsetkopen" in embed_of(reply_to(standin, message))["description"]
        # a second reindex is refused, by anyone
        second = standin.slash("reindex", user="carol")  # admin by role id
        body = responded(standin, second)
        assert body["data"]["flags"] & EPHEMERAL
        assert "already running" in body["data"]["content"]
        assert not rec.edits  # the first one has not finished
    embed = embed_of(finished(standin, rec))
    assert fields(embed)["Added (1)"] == "zz\\_gate.txt"
    # the new index was swapped in without a restart
    answer = ask(standin, "How many parachutes did the zeppelin stunt use?")
    assert "77" in answer["description"] and "zz\\_gate.txt" in answer["description"]


def test_failed_build_keeps_the_old_index_answering(standin, bot):
    hidden = bot.sources.with_name("sources-away")
    bot.sources.rename(hidden)
    try:
        rec = standin.slash("reindex", user="bob")
        embed = embed_of(finished(standin, rec))
    finally:
        hidden.rename(bot.sources)
    assert embed["title"] == "Reindex failed"
    assert "sources folder not found" in embed["description"]
    assert "previous index is still answering" in embed["description"]
    assert (
        "Helsetkopen"
        in ask(standin, "Where in Norway was the motorbike jump filmed?")["description"]
    )


def test_sources_list_is_paginated(standin, bot):
    for n in range(12):
        (bot.sources / f"brief_{n:02d}.txt").write_text(
            f"Brief number {n} says the stunt team rehearsed the jump.\n", encoding="utf-8"
        )
    rec = standin.slash("reindex", user="bob")
    assert fields(embed_of(finished(standin, rec)))["Added (12)"].startswith("brief\\_00.txt")

    rec = standin.slash("sources list", user="alice")  # reading the list is for everyone
    body = responded(standin, rec)
    embed = embed_of(body["data"])
    assert embed["title"] == "Indexed articles"
    assert "Page 1 of 2" in embed["footer"]["text"]
    assert "000\\_3565f7ed7c92af06.txt" in embed["description"]
    assert "passages" in embed["description"] and "indexed 20" in embed["description"]
    buttons = {b["label"]: b for row in body["data"]["components"] for b in row["components"]}
    assert buttons["Previous"]["disabled"] is True

    click = standin.click(rec.original, buttons["Next"]["custom_id"], user="bob")
    body = responded(standin, click)
    assert body["type"] == 7  # the list message turns its page
    assert "Page 2 of 2" in embed_of(body["data"])["footer"]["text"]
    assert "zz\\_quokka" in embed_of(body["data"])["description"]


def test_admin_adds_an_article_with_a_safe_name(standin, bot):
    data = b"The hovercraft stunt was filmed over the Thames with 12 cameras.\n"
    attachment = standin.add_attachment("../../evil name!.md", data)
    rec = standin.slash("sources add", user="carol", file=attachment)
    body = responded(standin, rec)
    assert body["type"] == 5
    embed = embed_of(finished(standin, rec))
    assert embed["title"] == "Added evil\\_name.md and reindexed"  # shown as typed
    assert fields(embed)["Added (1)"] == "evil\\_name.md"
    assert (bot.sources / "evil_name.md").read_bytes() == data
    assert not (bot.sources.parent.parent / "evil name!.md").exists()
    answer = ask(standin, "How many cameras filmed the hovercraft stunt?")
    assert "12 cameras" in answer["description"]

    again = standin.slash("sources add", user="carol", file=attachment)
    embed = embed_of(finished(standin, again))
    assert embed["title"] == "Article not added" and "already exists" in embed["description"]
    replaced = standin.slash("sources add", user="carol", file=attachment, replace=True)
    assert embed_of(finished(standin, replaced))["title"] == "Replaced evil\\_name.md and reindexed"


@pytest.mark.parametrize(
    ("filename", "data", "size", "problem"),
    [
        ("poster.png", b"\x89PNG\r\n", None, "only .txt and .md files"),
        ("huge.txt", b"big", 6 * 1024 * 1024, "too large"),
        ("latin1.txt", "Caf\xe9 cr\xe8me stunt.".encode("latin-1"), None, "not valid UTF-8"),
        ("empty.md", b"   \n", None, "empty"),
        ("bom.txt", b"\xef\xbb\xbf", None, "would not be indexed: empty"),
        ("front.md", b"---\ntitle: Only a title\n---\n", None, "would not be indexed: empty"),
    ],
)
def test_bad_uploads_are_refused_with_the_reason(standin, bot, filename, data, size, problem):
    attachment = standin.add_attachment(filename, data, size=size)
    rec = standin.slash("sources add", user="dave", file=attachment)
    body = responded(standin, rec)
    message = body["data"] if body["type"] == 4 else finished(standin, rec)
    embed = embed_of(message)
    assert embed["title"] == "Article not added"
    assert problem in embed["description"]
    assert not any(p.name.startswith(Path(filename).stem) for p in bot.sources.iterdir())


def test_unknown_command_gets_a_private_note(standin, bot):
    rec = standin.slash_unknown("oldcommand")
    body = responded(standin, rec)
    assert body["data"]["flags"] & EPHEMERAL
    assert "try again in a minute" in body["data"]["content"]


def test_unexpected_failure_is_private_and_logged(standin, bot):
    hidden = bot.sources.with_name("sources-away")
    bot.sources.rename(hidden)
    bot.sources.write_text("not a folder")  # saving the upload will fail with an OSError
    try:
        attachment = standin.add_attachment("fine.txt", b"A fine article about a stunt.\n")
        rec = standin.slash("sources add", user="dave", file=attachment)
        message = finished(standin, rec)
    finally:
        bot.sources.unlink()
        hidden.rename(bot.sources)
    assert message["content"] == (
        "Something went wrong on my side; the admins can see the details in the log."
    )
    assert message["flags"] & EPHEMERAL
    log = standin.wait_for(lambda: "/sources add failed" in bot.log() and bot.log(), 5)
    assert "Traceback (most recent call last)" in log and "FileExistsError" in log


def test_no_violations(standin, bot):
    assert standin.violations == []


def test_reindex_reply_lists_the_builds_warnings(standin, bot):
    films_toml = bot.sources / "films.toml"
    films_toml.write_text('[[film]]\nfilm = "Top Gun"\nbogus = 1\n', encoding="utf-8")
    try:
        rec = standin.slash("reindex", user="bob")
        embed = embed_of(finished(standin, rec))
    finally:
        films_toml.unlink()
    assert embed["title"] == "Reindex finished"
    assert fields(embed)["Warnings (1)"] == (
        "films.toml: \\[\\[film\\]\\] #1 ('Top Gun'): unknown key 'bogus' (known: aliases, film, "
        "hide, merge, rename, year); entry ignored"
    )


def test_an_upload_during_a_reindex_is_told_it_was_not_saved(standin, bot):
    rec = standin.slash("reindex", user="dave")
    with build_paused(bot):
        responded(standin, rec)
        attachment = standin.add_attachment("during.txt", b"The gondola stunt took a week.\n")
        upload = standin.slash("sources add", user="dave", file=attachment)
        body = responded(standin, upload)
        assert body["data"]["content"] == (
            "A reindex is running, so during.txt was not saved: add it again after it."
        )
        assert not (bot.sources / "during.txt").exists()
    assert embed_of(finished(standin, rec))["title"] == "Reindex finished"


def test_an_upload_during_another_processs_build_is_saved_and_said_not_indexed(standin, bot):
    attachment = standin.add_attachment("cli.txt", b"The funicular stunt took nine takes.\n")
    with build_lock(bot.db):  # as a `briefing index` of the same index would hold it
        rec = standin.slash("sources add", user="dave", file=attachment)
        embed = embed_of(finished(standin, rec))
    assert embed["title"] == "Not indexed yet"
    assert embed["description"].startswith("cli.txt is saved but not indexed yet.")
    assert "run /reindex when it has finished" in embed["description"]
    assert (bot.sources / "cli.txt").exists()
    rec = standin.slash("reindex", user="dave")
    assert fields(embed_of(finished(standin, rec)))["Added (1)"] == "cli.txt"
