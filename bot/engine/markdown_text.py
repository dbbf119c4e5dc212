"""Markdown as the text a reader sees: what an article's quotes are cut from.

A ``.md`` source is parsed (CommonMark, plus tables and strikethrough as GitHub writes them)
and flattened into plain paragraphs separated by blank lines, the shape ``passages`` splits:
each paragraph, list item, quoted paragraph, table row and code block is one paragraph of its
own, so two bullets never merge into one passage and paragraph numbers count what a reader
counts. Link targets, emphasis marks, images and HTML tags are left out (a reader sees the
link's text, not its syntax); headings are not paragraphs (they would be passages of two
words), the first one is kept as the article's title when the front matter gives none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.token import Token

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
TABLE_CELL_SEPARATOR = " | "
HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
HTML_TAG_RE = re.compile(r"<[^>]*>")


class RenderedMarkdown(NamedTuple):
    text: str  # paragraphs separated by one blank line
    first_heading: str | None


# Text with none of Markdown's marks renders as its paragraphs with white space collapsed; most
# articles are such text, and parsing one costs 0.2 ms, most of a build's reading time.
# An "&" is markup only as an entity ("&amp;", "&#38;"): "Smith & Co." is plain text.
MARKUP_CHARS_RE = re.compile(
    r"[*_\[\]<>`#\\|~!]|&#?\w+;|^[ \t]*(?:[-+=\d]|[ \t]{4}|\t)", re.MULTILINE
)
BLANK_LINE_RE = re.compile(r"\n[ \t]*\n\s*")


def render_markdown(source: str) -> RenderedMarkdown:
    """The reader's text of ``source`` and its first heading (see the module doc)."""
    if not MARKUP_CHARS_RE.search(source):
        paragraphs = (" ".join(block.split()) for block in BLANK_LINE_RE.split(source))
        return RenderedMarkdown("\n\n".join(p for p in paragraphs if p), None)
    return parse_markdown(source)


def parse_markdown(source: str) -> RenderedMarkdown:
    """``render_markdown`` the long way: CommonMark's parse, block by block."""
    paragraphs: list[str] = []
    headings: list[str] = []
    cells: list[str] | None = None  # the table row being read
    in_heading = False
    for token in PARSER.parse(source):
        kind = token.type
        if kind in ("heading_open", "heading_close"):
            in_heading = kind == "heading_open"
        elif kind == "inline":
            words = inline_text(token.children or [])
            target = headings if in_heading else paragraphs if cells is None else cells
            target.append(words)
        elif kind in ("tr_open", "tr_close"):
            if cells is not None:
                paragraphs.append(TABLE_CELL_SEPARATOR.join(cell for cell in cells if cell))
            cells = [] if kind == "tr_open" else None
        elif kind in ("fence", "code_block"):
            paragraphs.append(code_text(token.content))
        elif kind == "html_block":
            paragraphs.append(html_text(token.content))
    text = "\n\n".join(p for p in paragraphs if p)
    return RenderedMarkdown(text, next((h for h in headings if h), None))


def inline_text(children: Sequence[Token]) -> str:
    """What a reader sees of one paragraph: its words, one space between them."""
    pieces = []
    for child in children:
        if child.type in ("text", "code_inline"):
            pieces.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            pieces.append(" ")
    return " ".join("".join(pieces).split())


def code_text(content: str) -> str:
    """A code block as typed, without the blank lines that would split it into paragraphs."""
    return "\n".join(line.rstrip() for line in content.splitlines() if line.strip())


def html_text(content: str) -> str:
    """The words of a block of HTML, as a browser would show them (comments and tags gone)."""
    return " ".join(HTML_TAG_RE.sub(" ", HTML_COMMENT_RE.sub("", content)).split())
