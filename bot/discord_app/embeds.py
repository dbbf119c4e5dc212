"""Discord embeds for answers, contexts, film and source lists, and reindex summaries.

Everything shown in Discord goes through here so that two rules hold everywhere:

- text from articles or questions is escaped: no Markdown surprises, no mention pills, no
  ``@everyone`` (the bot also sends every message with mentions disabled, see ``app``);
- every embed fits Discord's limits (``limits``: title 256, description 4,096, field 1,024,
  footer 2,048, 6,000 in all per message), cut at a sentence boundary with "…" when it must be.

Ranking and the plain-text rendering live in the engine (``engine.search``, ``engine.render``); this
module only lays out what they return.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import discord

from bot.discord_app.limits import (
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    EMBEDS_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    TITLE_LIMIT,
)
from bot.discord_app.state import ReindexOutcome
from bot.engine.build.builder import BuildSummary
from bot.engine.render import ELLIPSIS, cut_text
from bot.engine.search import Answer, Excerpt

NOTE_LIMIT = 1000  # the engine's note above the excerpts, e.g. "No film called '…'"

COLOUR_ANSWER = discord.Colour(0x2B6CB0)
COLOUR_NOT_FOUND = discord.Colour(0x718096)
COLOUR_ADMIN = discord.Colour(0x2F855A)
COLOUR_PROBLEM = discord.Colour(0xC53030)

NOT_FOUND_TITLE = "I couldn't find that in the articles"
NOT_FOUND_HINT = (
    "Try rephrasing with a name, place or film the articles talk about, "
    "or see which films they cover with /films."
)

# "<@id>", "<#id>", "<t:…>", "<:emoji:id>", "<a:emoji:id>", "</cmd:id>", "<id:customize>" (and
# whatever "<word:" Discord adds next): Discord renders these even when escaped Markdown would
# not; a zero-width space after "<" keeps them as plain text.
PILL_RE = re.compile(r"<(?=[@#:/]|[A-Za-z]+:)")
ORDERED_LIST_RE = re.compile(r"(?m)^(\s*\d+)\.(?=\s)")
# discord.py escapes an indented list item "  - x" as "\  - x": the backslash before a space
# escapes nothing and shows; move it to the "-". Indented headings and quotes get one too.
INDENTED_LIST_RE = re.compile(r"(?m)^\\(\s+)(?=-)")
INDENTED_BLOCK_RE = re.compile(r"(?m)^([ \t]+)(?=[#>])")


# A scheme's "://" with a zero-width space in it: Discord links no bare URL in a quote or a title.
SCHEME_RE = re.compile(r"(?i)(?<=[a-z0-9+.-]):(?=//)")
# Brackets stand aside while discord.py escapes (private-use characters): it escapes a masked
# link only by a backslash before it, leaving the Markdown inside it live; then each is "\[".
BRACKETS = str.maketrans({"[": "\ue002", "]": "\ue003", "\ue002": "\ufffd", "\ue003": "\ufffd"})
ESCAPED_BRACKETS = str.maketrans({"\ue002": "\\[", "\ue003": "\\]"})


def escape(text: str) -> str:
    """``text`` as plain text in Discord, escaped as one whole string: Markdown, mentions and
    pills neutralised, and no link of any kind (brackets escaped, so no masked link and no
    breaking out of one; a URL's "://" broken by a zero-width space): the only links in a
    reply are the bot's own citations, so an article can't dress a link of its own."""
    text = discord.utils.escape_markdown(text.translate(BRACKETS), ignore_links=False)
    text = INDENTED_LIST_RE.sub(r"\1\\", text)
    text = INDENTED_BLOCK_RE.sub(r"\1\\", text)
    text = discord.utils.escape_mentions(text)
    text = PILL_RE.sub("<\u200b", text)
    text = text.translate(ESCAPED_BRACKETS)
    text = SCHEME_RE.sub(":\u200b", text)
    return ORDERED_LIST_RE.sub(r"\1\\.", text)


def fit(raw: str, limit: int, render: Callable[[str], str] = escape) -> str:
    """``render(raw)`` if it fits in ``limit`` characters, else the render of ``raw`` cut at a
    sentence boundary (``bot.engine.render.cut_text``) short enough that the render fits."""
    rendered = render(raw)
    room = len(raw)  # rendering only ever adds characters, so the raw cut is at most ``limit``
    while len(rendered) > limit and room > 1:
        room = max(1, min(room - 1, limit, room * limit // len(rendered)))
        rendered = render(cut_text(raw, room))
    return rendered[:limit]


def safe_url(url: str | None) -> str | None:
    """An http(s) URL usable inside ``[text](url)``; anything else is dropped."""
    if not url or not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
        return None
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


# --- answers ----------------------------------------------------------------------------------


def merged_spans(excerpt: Excerpt, end: int) -> list[tuple[int, int]]:
    """The highlight spans before ``end``, neighbours joined (``**Tom Cruise**``, not two runs)."""
    spans: list[tuple[int, int]] = []
    for start, stop in sorted(excerpt.highlights):
        stop = min(stop, end)
        if start >= stop:
            continue
        if spans and not excerpt.text[spans[-1][1] : start].strip():
            spans[-1] = (spans[-1][0], stop)
        else:
            spans.append((start, stop))
    return spans


HIGHLIGHT_ON, HIGHLIGHT_OFF = "\ue000", "\ue001"  # private-use: not Markdown to escape


def quote_text(excerpt: Excerpt, length: int | None = None) -> str:
    """The excerpt (or its first ``length`` characters, then "…") escaped, matched words bold.

    Escaped as one string, highlights marked first: escaping the pieces between highlights one
    by one left Markdown that spans a highlight live (``[the **report**](https://…)`` a link)."""
    # the markers' own characters in an article (private-use: next to never) shown as U+FFFD,
    # one for one, so the highlights' offsets still hold
    text = excerpt.text.replace(HIGHLIGHT_ON, "\ufffd").replace(HIGHLIGHT_OFF, "\ufffd")
    end = len(text) if length is None else min(length, len(text))
    pieces, last = [], 0
    for start, stop in merged_spans(excerpt, end):
        pieces += [text[last:start], HIGHLIGHT_ON, text[start:stop], HIGHLIGHT_OFF]
        last = stop
    pieces.append(text[last:end])
    body = escape("".join(pieces)).replace(HIGHLIGHT_ON, "**").replace(HIGHLIGHT_OFF, "**")
    if end < len(text):
        body = body.rstrip() + ELLIPSIS
    return body


def citation_line(excerpt: Excerpt) -> str:
    """— [Title](url) · file · ¶ N: the article title is a link when the source has a URL."""
    title = fit(excerpt.title, 200)
    url = safe_url(excerpt.url)
    linked = f"[{title}]({url})" if url else f"*{title}*"
    return f"— {linked} · {escape(excerpt.source)} · paragraph {excerpt.paragraph}"


def quote_block(excerpt: Excerpt, limit: int) -> str:
    """One excerpt as a block quote with its citation, within ``limit`` characters."""
    cite = citation_line(excerpt)

    def render(cut: str) -> str:
        """The block quoting ``cut``, the text or a cut of it ending in "…" (``fit``'s)."""
        whole = cut == excerpt.text
        length = len(cut) - len(ELLIPSIS) if not whole and cut.endswith(ELLIPSIS) else len(cut)
        return f"> {quote_text(excerpt, length)}\n{cite}"

    return fit(excerpt.text, limit, render)


def answer_embed(
    answer: Answer, excerpts: Sequence[Excerpt], *, first: int = 1, more: bool = False
) -> discord.Embed:
    """The reply to a question: excerpts as quotes with citations, or the friendly not-found."""
    if not answer.answered or not excerpts:
        return not_found_embed(answer)
    title = fit(answer.question.strip() or "Your question", TITLE_LIMIT)  # escaped, as all text
    note = f"*{fit(answer.note, NOTE_LIMIT)}*\n\n" if answer.note else ""
    room = DESCRIPTION_LIMIT - len(note) - 2 * (len(excerpts) - 1)
    blocks = []
    for i, excerpt in enumerate(excerpts):
        share = room // (len(excerpts) - i)
        block = quote_block(excerpt, share)
        room -= len(block)
        blocks.append(block)
    embed = discord.Embed(title=title, description=note + "\n\n".join(blocks), colour=COLOUR_ANSWER)
    last = first + len(excerpts) - 1
    span = f"Excerpt {first}" if first == last else f"Excerpts {first}–{last}"
    footer = f"{span} · quoted verbatim from the articles"
    if more:
        footer += " · press More for further excerpts"
    embed.set_footer(text=footer)
    return embed


def not_found_embed(answer: Answer) -> discord.Embed:
    """Nothing answers: say so kindly and suggest what to try; never show a random excerpt."""
    lines = []
    if answer.note and answer.note.rstrip(".") != NOT_FOUND_TITLE:
        lines.append(fit(answer.note, NOTE_LIMIT))  # it may quote what was typed
    lines.append(NOT_FOUND_HINT)
    embed = discord.Embed(
        title=NOT_FOUND_TITLE, description="\n".join(lines), colour=COLOUR_NOT_FOUND
    )
    if answer.question.strip():
        embed.set_footer(text=fit("You asked: " + answer.question.strip(), 300, str))
    return embed


def context_embeds(pairs: Sequence[tuple[Excerpt, str]]) -> list[discord.Embed]:
    """ "Show in context": each excerpt's whole paragraph, the excerpt itself in bold."""
    pairs = list(pairs)[:EMBEDS_PER_MESSAGE]
    embeds = []
    budget = EMBEDS_TOTAL_LIMIT - 100
    for i, (excerpt, paragraph) in enumerate(pairs):
        title = fit(excerpt.title, TITLE_LIMIT)
        footer = f"{excerpt.source} · paragraph {excerpt.paragraph}"
        share = budget // (len(pairs) - i) - len(title) - len(footer)
        description = context_text(excerpt, paragraph, min(DESCRIPTION_LIMIT, share))
        embed = discord.Embed(
            title=title, url=safe_url(excerpt.url), description=description, colour=COLOUR_ANSWER
        )
        embed.set_footer(text=footer)
        budget -= len(title) + len(footer) + len(description)
        embeds.append(embed)
    return embeds


def context_text(excerpt: Excerpt, paragraph: str, limit: int) -> str:
    """The paragraph with the excerpt in bold, cut around the excerpt if it is too long."""
    paragraph = paragraph or excerpt.text
    at = paragraph.find(excerpt.text)
    if at < 0:
        return fit(paragraph, limit)
    before, inside, after = paragraph[:at], excerpt.text, paragraph[at + len(excerpt.text) :]
    rendered = f"{escape(before)}**{escape(inside)}**{escape(after)}"
    if len(rendered) <= limit:
        return rendered
    head = f"**{escape(inside)}**"
    if len(head) > limit:
        return fit(inside, limit)
    return head + fit(after, limit - len(head)) if after else head


# --- lists ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a paginated list: what to show and where it sits."""

    embed: discord.Embed
    page: int
    pages: int


def paginate(
    title: str, lines: Sequence[str], page: int, per_page: int, empty: str, footer: str
) -> Page:
    """Lines (already escaped) laid out ``per_page`` to an embed, within the limits."""
    pages = max(1, -(-len(lines) // per_page))
    page = min(max(page, 0), pages - 1)
    chunk = lines[page * per_page : (page + 1) * per_page]
    description = fit_lines(chunk, DESCRIPTION_LIMIT) if chunk else empty
    embed = discord.Embed(title=fit(title, TITLE_LIMIT), description=description)
    embed.colour = COLOUR_ANSWER
    text = f"Page {page + 1} of {pages} · {footer}" if pages > 1 else footer
    embed.set_footer(text=text[:FOOTER_LIMIT])
    return Page(embed, page, pages)


def fit_lines(lines: Sequence[str], limit: int) -> str:
    """Whole lines joined while they fit; then "… and N more"."""
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        line = line if len(line) <= limit else line[: limit - 1] + ELLIPSIS
        rest = len(lines) - i - 1
        tail = len(f"\n… and {rest} more") if rest else 0
        if used + len(line) + (1 if out else 0) + tail > limit:
            out.append(f"… and {len(lines) - i} more")
            break
        out.append(line)
        used += len(line) + (1 if len(out) > 1 else 0)
    return "\n".join(out)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def film_line(film: dict) -> str:
    """**Title** (year) — N articles, M mentions · also: aliases."""
    year = f" ({film['year']})" if film.get("year") else ""
    articles = plural(int(film.get("articles", 0)), "article")
    line = f"**{escape(str(film['title']))}**{year} — {articles}"
    if film.get("mentions"):
        line += f", {plural(int(film['mentions']), 'mention')}"
    aliases = [str(a) for a in film.get("aliases") or []][:4]
    if aliases:
        line += " · also " + ", ".join(escape(a) for a in aliases)
    return line


def films_page(films: Sequence[dict], page: int, per_page: int = 10) -> Page:
    lines = [film_line(f) for f in films]
    return paginate(
        "Films the articles talk about",
        lines,
        page,
        per_page,
        "No films found in the articles yet.",
        f"{plural(len(films), 'film')} · /film title:<name> for the excerpts",
    )


def source_line(article: dict) -> str:
    """**Title** — file · N passages · indexed when."""
    title = escape(str(article.get("title") or article["source"]))
    url = safe_url(article.get("url"))
    head = f"[{title}]({url})" if url else f"**{title}**"
    when = str(article.get("indexed_at") or "")[:16].replace("T", " ")
    line = (
        f"{head} — {escape(str(article['source']))} · {plural(int(article['passages']), 'passage')}"
    )
    return line + (f" · indexed {escape(when)}" if when else "")


def sources_page(articles: Sequence[dict], page: int, per_page: int = 10) -> Page:
    lines = [source_line(a) for a in articles]
    return paginate(
        "Indexed articles",
        lines,
        page,
        per_page,
        "No articles are indexed. Admins can add one with /sources add.",
        plural(len(articles), "article"),
    )


# --- admin ------------------------------------------------------------------------------------


def names_field(names: Sequence[str]) -> str:
    return fit_lines([escape(n) for n in names], FIELD_VALUE_LIMIT) if names else "none"


def summary_embed(summary: BuildSummary, *, title: str = "Reindex finished") -> discord.Embed:
    """A build summary: what changed, what was skipped and why."""
    embed = discord.Embed(title=title, colour=COLOUR_ADMIN)
    embed.description = (
        f"{plural(summary.passages, 'passage')} from {plural(summary.articles, 'article')} "
        f"in {summary.seconds:.2f} s; {summary.unchanged} unchanged."
    )
    for name, names in (
        ("Added", summary.added),
        ("Changed", summary.changed),
        ("Removed", summary.removed),
    ):
        embed.add_field(name=f"{name} ({len(names)})", value=names_field(names), inline=False)
    reasons = [f"{escape(source)}: {escape(reason)}" for source, reason in summary.skipped]
    embed.add_field(
        name=f"Skipped ({len(reasons)})",
        value=fit_lines(reasons, FIELD_VALUE_LIMIT) if reasons else "none",
        inline=False,
    )
    warnings = [escape(warning) for warning in summary.warnings]
    if warnings:  # films.toml's mistakes, front matter keys not used: the same list as the CLI's
        embed.add_field(
            name=f"Warnings ({len(warnings)})",
            value=fit_lines(warnings, FIELD_VALUE_LIMIT),
            inline=False,
        )
    return embed


def summary_line(summary: BuildSummary) -> str:
    """A build summary in one line, for ``/status``."""
    counts = (
        f"{len(summary.added)} added, {len(summary.changed)} changed, "
        f"{len(summary.removed)} removed, {len(summary.skipped)} skipped"
    )
    return f"{counts}; {plural(summary.passages, 'passage')} in {summary.seconds:.1f} s"


def status_embed(stats: dict, last: ReindexOutcome | None, problem: str | None) -> discord.Embed:
    """``/status``: what the index answering holds, the last reindex (None: none since the bot
    started) and any index problem."""
    films = "" if stats.get("films") is None else f", {plural(stats['films'], 'film')}"
    description = (
        f"{plural(stats.get('articles') or 0, 'article')}, "
        f"{plural(stats.get('passages') or 0, 'passage')}{films}."
        if stats
        else "The index answering can't be read."
    )
    built = stats.get("built_at")
    try:
        when = int(datetime.fromisoformat(built).timestamp()) if built else None
    except ValueError:
        when = None
    if when is not None:
        description += f" Built <t:{when}:f> (<t:{when}:R>)."
    embed = discord.Embed(
        title="Index status",
        description=description,
        colour=COLOUR_PROBLEM if problem else COLOUR_ADMIN,
    )
    if last is None:
        reindexed = "none since the bot started"
    else:
        verb = "finished" if last.ok else "failed"
        reindexed = f"{verb} <t:{int(last.at)}:R>: " + fit(last.text, FIELD_VALUE_LIMIT - 40)
    embed.add_field(name="Last reindex", value=reindexed, inline=False)
    embed.add_field(name="Problem", value=fit(problem or "none", FIELD_VALUE_LIMIT), inline=False)
    return embed


def problem_embed(title: str, detail: str) -> discord.Embed:
    """Something an admin must know went wrong (a failed build, a refused upload)."""
    return discord.Embed(
        title=fit(title, TITLE_LIMIT, str),
        description=fit(detail, DESCRIPTION_LIMIT),
        colour=COLOUR_PROBLEM,
    )
