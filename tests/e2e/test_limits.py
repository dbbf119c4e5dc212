"""Very long answers, questions and contexts are cut to fit Discord's limits, at sentences."""

from __future__ import annotations

from .conftest import responded
from .standin import check_message_payload

BOT_SETTINGS = {"excerpts": 8}  # long pages: more text than one embed may hold

# Every word is in the Markdown-heavy test article, so this long question is answered.
LONG_QUESTION = (
    "quokka trebuchet stunt with the *counterweight* and __sling__ on the ramp; " * 30
)[:1900]


def embed_total(embeds: list[dict]) -> int:
    return sum(
        len(e.get("title") or "")
        + len(e.get("description") or "")
        + len((e.get("footer") or {}).get("text") or "")
        + sum(len(f["name"]) + len(f["value"]) for f in e.get("fields") or [])
        for e in embeds
    )


def test_very_long_answer_is_cut_within_the_limits(standin, bot):
    rec = standin.slash("ask", question=LONG_QUESTION)
    data = responded(standin, rec)["data"]
    assert check_message_payload(data) == []  # the stand-in would also have answered 400
    embed = data["embeds"][0]
    assert len(embed["title"]) <= 256 and embed["title"].endswith("…")
    assert 3500 < len(embed["description"]) <= 4096
    assert "…\n— " in embed["description"]  # a quote was cut, its citation kept
    assert embed_total(data["embeds"]) <= 6000


def test_long_context_is_cut_within_6000_characters(standin, bot):
    rec = standin.slash("ask", question=LONG_QUESTION)
    responded(standin, rec)
    buttons = {
        item["label"]: item["custom_id"]
        for row in rec.original["components"]
        for item in row["components"]
    }
    context = standin.click(rec.original, buttons["Show in context"])
    data = responded(standin, context)["data"]
    assert check_message_payload(data) == []
    assert embed_total(data["embeds"]) <= 6000
    assert any(e["description"].endswith("…") for e in data["embeds"])


def test_no_violations(standin, bot):
    assert standin.violations == []
