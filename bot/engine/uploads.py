"""Admins add an article by uploading a file: check it, give it a safe name, save it.

Kept apart from Discord so the rules can be tested on their own: the file name that arrives is
untrusted (path tricks, odd characters, hidden files), and so are the bytes (size, encoding).
What counts as readable text is the engine's decision (``engine.sources``), reused here so that an
upload accepted by the bot is never skipped by the next build.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.engine.sources import MAX_SOURCE_BYTES, Skipped, parse_source

UPLOAD_SUFFIXES = (".txt", ".md")
MAX_NAME_CHARS = 100


class UploadRejected(Exception):
    """An upload that will not be saved; the message tells the admin why, in one line."""


@dataclass(frozen=True)
class SavedUpload:
    name: str  # the file name in the sources folder
    path: Path
    replaced: bool


def safe_source_name(filename: str) -> str:
    """A file name that stays inside the sources folder: no directories, no leading dot, only
    letters, digits, ``.``, ``-`` and ``_``; the suffix must be .txt or .md."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, suffix = base.rpartition(".")
    if not dot or f".{suffix.lower()}" not in UPLOAD_SUFFIXES:
        shown = f".{suffix}" if dot and suffix else "no extension"
        raise UploadRejected(f"only .txt and .md files can be added (got {shown})")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")
    stem = re.sub(r"\.{2,}", ".", stem)[: MAX_NAME_CHARS - len(suffix) - 1]
    if not stem:
        raise UploadRejected("the file name has no usable characters; rename it and try again")
    return f"{stem}.{suffix.lower()}"


def check_upload(filename: str, size: int, data: bytes | None = None) -> str:
    """Validate name and size (before downloading) and, given the bytes, the text itself.
    Returns the safe file name."""
    name = safe_source_name(filename)
    if size > MAX_SOURCE_BYTES or (data is not None and len(data) > MAX_SOURCE_BYTES):
        raise UploadRejected(
            f"{name} is too large ({max(size, len(data or b'')):,} bytes; "
            f"the limit is {MAX_SOURCE_BYTES:,})"
        )
    if data is not None:
        outcome = parse_source(name, Path(name), data)  # what the next build will make of it
        if isinstance(outcome, Skipped):
            raise UploadRejected(f"{name} would not be indexed: {outcome.reason}")
    return name


def save_upload(sources: Path, name: str, data: bytes, *, replace: bool = False) -> SavedUpload:
    """Write ``data`` as ``sources/name`` atomically (temp file + rename); refuse to overwrite an
    existing article unless ``replace``."""
    if name != safe_source_name(name):
        raise UploadRejected(f"unsafe file name {name!r}")
    sources.mkdir(parents=True, exist_ok=True)
    target = sources / name
    if target.resolve().parent != sources.resolve():
        raise UploadRejected(f"unsafe file name {name!r}")
    existed = target.exists()
    if existed and not replace:
        raise UploadRejected(
            f"an article named {name} already exists; use replace:True to overwrite it"
        )
    # A hidden temp name: the index builder ignores dot-files, so a half-written upload is
    # never indexed even if a build runs at that moment.
    fd, temp = tempfile.mkstemp(prefix=".upload-", dir=sources)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return SavedUpload(name=name, path=target, replaced=existed)
