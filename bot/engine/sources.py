"""Read source articles from the sources folder.

A source is a UTF-8 text or Markdown file. It may start with front matter, either TOML between
``+++`` lines or YAML-style ``key: value`` lines between ``---`` lines, giving ``title``, ``url``,
``published`` and ``outlet`` (or their usual other spellings: ``date``, ``link``, ``publisher``…);
a key it does not use is reported in the build's warnings. A Markdown file's text is what a reader
sees of it (``bot.engine.markdown_text``), so quotes hold no Markdown syntax. Anything else
about a file (its size, its encoding, whether it is text at all) is checked here, so that a bad
file becomes a skip reason and never an exception further down the pipeline.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

from bot.engine.markdown_text import render_markdown

SOURCE_SUFFIXES = (".txt", ".md", ".markdown")
MAX_SOURCE_BYTES = 5 * 1024 * 1024
MARKDOWN_SUFFIXES = (".md", ".markdown")
# The front matter we use, under the names static site generators and feeds give it (compared
# lower-cased, with "-" as "_").
FRONT_MATTER_KEYS = {
    "title": ("title", "headline"),
    "url": ("url", "link", "permalink", "canonical_url", "source_url", "original_url"),
    "published": (
        "published", "date", "pubdate", "pub_date", "published_at", "published_on",
        "publish_date", "publishdate", "date_published", "datepublished", "published_date",
        "publication_date",
    ),
    "outlet": ("outlet", "publisher", "publication", "site_name", "source"),
}  # fmt: skip
FRONT_MATTER_NAMES = {name: key for key, names in FRONT_MATTER_KEYS.items() for name in names}
TITLE_MAX_CHARS = 90


@dataclass(frozen=True)
class Article:
    """One readable source file: its body text (front matter removed) and what cites it."""

    id: str  # the file name relative to the sources folder: stable, unique and human-readable
    path: Path
    title: str
    url: str | None
    published: str | None
    outlet: str | None
    text: str
    fingerprint: str
    warnings: tuple[str, ...] = ()  # e.g. a front matter key it does not use


@dataclass(frozen=True)
class Skipped:
    """A file in the sources folder that was not indexed, and why (shown to admins)."""

    id: str
    reason: str
    # It could not be read (permissions, an I/O error), which says nothing about what it holds:
    # its article, if the index has one, stays as it was.
    unreadable: bool = False


class SourceListing(NamedTuple):
    files: list[Path]
    unreadable: list[Skipped]  # folders that could not be listed; their ids end in "/"


def list_sources(folder: Path) -> SourceListing:
    """Every candidate file below ``folder``, sorted, hidden files and ``films.toml`` excluded,
    and each folder that could not be listed (the sources folder itself has the id "")."""
    unreadable: list[Skipped] = []
    files = [Path(path) for path in walk_sources(folder, unreadable)]
    files.sort(key=lambda path: path.parts)  # Path order, compared faster
    return SourceListing(files, sorted(unreadable, key=lambda skipped: skipped.id))


def walk_sources(folder: Path, unreadable: list[Skipped] | None = None) -> Iterator[str]:
    """The path of every candidate file below ``folder``, as a string, in no order; each folder
    that could not be listed goes into ``unreadable`` (the sources folder itself as "").

    os.walk rather than rglob: the same files (symbolic links to folders are listed but not
    followed, and so left out) without a stat call per file: 0.7 s for 100,000 files, not 2.
    Strings rather than Paths for who needs no Path: making 100,000 costs 0.6 s."""

    def note(error: OSError) -> None:
        if unreadable is None:
            return
        path = Path(error.filename) if error.filename else folder
        name = "" if path == folder else source_id_of(path, folder) + "/"
        reason = f"unreadable folder ({error.strerror or error})"
        unreadable.append(Skipped(name, reason, unreadable=True))

    for root, folders, names in os.walk(folder, onerror=note):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            if not name.startswith(".") and name != "films.toml":
                yield os.path.join(root, name)


def source_id_of(path: Path | str, folder: Path) -> str:
    """The file's name relative to the sources folder, with forward slashes: its id.

    A string cut for the paths ``walk_sources`` makes (``relative_to`` costs 10 µs, a
    second per 100,000 files), ``relative_to`` for any other.
    """
    text, prefix = str(path), str(folder) + os.sep
    if text.startswith(prefix) and os.sep == "/":
        return text[len(prefix) :]
    return Path(path).relative_to(folder).as_posix()


def fingerprint_bytes(data: bytes) -> str:
    """A content hash: an unchanged file keeps its fingerprint whatever its mtime says."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_source(path: Path, folder: Path) -> Article | Skipped:
    """Read one file; every problem becomes a ``Skipped`` with a reason a person can act on."""
    source_id = source_id_of(path, folder)
    if path.suffix.lower() not in SOURCE_SUFFIXES:
        return Skipped(source_id, f"not a .txt or .md file ({path.suffix or 'no extension'})")
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
            return Skipped(source_id, "symbolic link pointing outside the sources folder")
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a pipe or device would block the build or worse
            return Skipped(source_id, "not a regular file")
        size = status.st_size
        if size > MAX_SOURCE_BYTES:
            return Skipped(source_id, f"too large ({size:,} bytes; limit {MAX_SOURCE_BYTES:,})")
        data = path.read_bytes()
    except FileNotFoundError as error:  # gone since it was listed: no article any more
        return Skipped(source_id, f"unreadable ({error.strerror or error})")
    except OSError as error:
        return Skipped(source_id, f"unreadable ({error.strerror or error})", unreadable=True)
    return parse_source(source_id, path, data)


def parse_source(source_id: str, path: Path, data: bytes) -> Article | Skipped:
    """Decode and split off the front matter (Markdown rendered); reject what is not text."""
    text, problem = decode_text(data)
    if problem:
        return Skipped(source_id, problem)
    meta, body = split_front_matter(text)
    heading = None
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        body, heading = render_markdown(body)
    body = body.strip()
    if not body:
        return Skipped(source_id, "empty (no text after front matter)")
    used, unused = front_matter_fields(meta)
    return Article(
        id=source_id,
        path=path,
        title=clean_meta(used.get("title")) or heading or derive_title(body, path),
        url=valid_url(used.get("url")),
        published=clean_meta(used.get("published")),
        outlet=clean_meta(used.get("outlet")),
        text=body,
        fingerprint=fingerprint_bytes(data),
        warnings=tuple(f"front matter key {key!r} is not used" for key in unused),
    )


def front_matter_fields(meta: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The fields we use, by their own names (the first spelling found wins), and the keys
    left unused, in the file's order, to report rather than drop in silence."""
    used: dict[str, str] = {}
    unused: list[str] = []
    for name, value in meta.items():
        key = FRONT_MATTER_NAMES.get(name.lower().replace("-", "_"))
        if key is None:
            unused.append(name)
        else:
            used.setdefault(key, value)
    return used, unused


def decode_text(data: bytes) -> tuple[str, str | None]:
    """UTF-8 (a BOM is fine, and so is UTF-16 with its BOM); binary files are refused."""
    if not data.strip():
        return "", "empty file"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return "", "invalid UTF-16 text"
    elif b"\x00" in data:
        return "", "binary file (contains NUL bytes)"
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            return "", f"not valid UTF-8 (byte {error.start})"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if control_char_ratio(text) > 0.01:
        return "", "binary file (control characters)"
    return text, None


# Control characters other than tab and newline (carriage returns are gone by now), and DEL.
CONTROL_CHAR_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def control_char_ratio(text: str) -> float:
    """Share of control characters other than tab and newline: text files have next to none."""
    sample = text[:65536]
    if not sample:
        return 0.0
    return len(CONTROL_CHAR_RE.findall(sample)) / len(sample)


FRONT_MATTER_RE = re.compile(r"\A(\+\+\+|---)[ \t]*\n(.*?)\n\1[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Return (metadata, body). Malformed front matter is treated as absent but still removed."""
    match = FRONT_MATTER_RE.match(text)
    if not match:
        return {}, text
    fence, block = match.group(1), match.group(2)
    body = text[match.end() :]
    if fence == "+++":
        try:
            raw = tomllib.loads(block)
        except tomllib.TOMLDecodeError:
            return {}, body
    else:
        raw = dict(parse_yaml_lines(block))
    return {str(key): str(value) for key, value in raw.items()}, body


def parse_yaml_lines(block: str) -> Iterator[tuple[str, str]]:
    """The ``key: value`` subset of YAML that article front matter uses; quotes are stripped."""
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "#")):
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            yield key.strip(), value


def clean_meta(value: str | None) -> str | None:
    """Front matter values are shown in citations: one line, no control characters, bounded."""
    if value is None:
        return None
    if not value.isprintable():  # checked whole first: a character at a time costs 40 µs
        value = "".join(ch for ch in value if ch.isprintable())
    value = " ".join(value.split())
    return value[:300] or None


def valid_url(value: str | None) -> str | None:
    """Keep only absolute http(s) URLs: a citation link must not point anywhere surprising."""
    value = clean_meta(value)
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme in ("http", "https") and parsed.netloc and " " not in value:
        return value
    return None


CREDIT_LINE_RE = re.compile(
    r"^(photo|image|picture|video|credit)s?\b|\bcourtesy of\b", re.IGNORECASE
)


def derive_title(body: str, path: Path) -> str:
    """Without front matter: the first heading or line that is not a photo credit, shortened to
    its first sentence when it is a whole paragraph; the file name as a last resort."""
    for line in body.splitlines():
        line = line.strip().lstrip("#").strip()
        if not line or CREDIT_LINE_RE.search(line):
            continue
        if len(line) <= TITLE_MAX_CHARS:
            return line
        first_sentence = re.match(r"(.{20,}?[.!?])\s+[A-Z\"“]", line)
        if first_sentence and len(first_sentence.group(1)) <= TITLE_MAX_CHARS:
            return first_sentence.group(1)
        return line[:TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return path.stem
