"""Guide 003's attachment rules: at most 10 MB, and only the listed file types."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024
# Guide 003's table: images, compressed backups, spreadsheets, documents, database scripts, PDF.
ALLOWED_EXTENSIONS = frozenset(
    {"gif", "jpeg", "jpg", "png", "zip", "rar", "xls", "xlsx", "doc", "docx", "sql", "pdf"}
)
MAX_NAME_LENGTH = 150


@dataclass(frozen=True)
class Refusal:
    """Why an attachment is refused: a stable rule code, the number behind it, what was seen."""

    code: str
    limit: int | str | None = None
    detail: str | None = None  # e.g. the detected type of a content_mismatch ("text/html")


@dataclass(frozen=True)
class Limits:
    """How far an accepted file may expand once opened (archive bombs, pixel bombs)."""

    max_expanded_bytes: int = 1024**3  # an archive's declared uncompressed total
    max_ratio: int = 100  # that total over the archive's own size
    max_entries: int = 10_000  # files in one archive
    max_pixels: int = 40_000_000  # width x height of an image, ~6300 x 6300 (~160 MB as RGBA)


def safe_name(original: str) -> str:
    """A display-only file name: no path parts, no control or bidirectional characters, bounded."""
    name = original.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc/Cf cover control characters and RTL/LTR overrides used to disguise extensions.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf"})
    name = unicodedata.normalize("NFC", name).strip().strip(".")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_NAME_LENGTH - len(extension) - 1
        name = f"{stem[:keep]}.{extension}" if dot and keep > 0 else name[:MAX_NAME_LENGTH]
    return name or "arquivo"


def extension_of(name: str) -> str:
    """The lower-case extension after the last dot ('' when none)."""
    stem, dot, extension = safe_name(name).rpartition(".")
    return extension.lower() if dot and stem else ""


def check(
    name: str, declared_size: int | None, allowed: frozenset[str] = ALLOWED_EXTENSIONS
) -> Refusal | None:
    """The first rule the attachment breaks before any byte is read, or None."""
    if extension_of(name) not in allowed:
        return Refusal("extension_not_allowed", ", ".join(sorted(allowed)))
    if declared_size is not None and declared_size > MAX_BYTES:
        return Refusal("too_large", MAX_BYTES)
    if declared_size == 0:
        return Refusal("empty")
    return None
