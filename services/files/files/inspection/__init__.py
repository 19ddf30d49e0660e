"""Content inspection: is an uploaded file what its extension says, and safe to open?

Called synchronously (in a thread) on the spooled upload, after the extension and size checks of
``files.domain.policy``; never raises for hostile bytes, reads bounded amounts, never decompresses.

Why each library:

- libmagic (python-magic, Debian's libmagic1): the signature database of the `file` command,
  maintained for decades; it names what the bytes are (HTML, SVG, XML, executables, scripts,
  every allowed type) better than any table we could write. It judges the first 64 KiB only.
- Pillow: opens images lazily, so the declared width and height are known before any pixel is
  decoded (pixel bombs); ``verify()`` checks PNG chunk CRCs without inflating them.
- zipfile (standard library): reads the central directory - declared sizes, compressed sizes,
  entry offsets - which is all a bomb check needs; docx and xlsx are zips too.
- rarfile: lists RAR 4 and RAR 5 headers in pure Python (the `unrar` tool is needed only to
  extract, and is not used).
- olefile: the reference reader of OLE compound files (doc, xls): which streams exist, and how
  each starts.
- PDF: the signature, at both ends. A parser (pypdf) would add seconds on large files, fail on the
  encrypted PDFs banks send, and forgive the broken ones anyway; the file is served as a download.

Only images and PDFs are sniffed for markup and script (polyglots): those are what browsers show
inline. Office documents keep their users' text in their first kilobytes (a .doc's from byte 2,560,
an .xls's cells from 1,454) and archives may store web pages uncompressed, so a tag there is normal,
and browsers do not sniff a download declared as an Office or archive type.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass
from typing import BinaryIO

from files.domain.policy import Limits, Refusal
from files.inspection import archives, images, office, pdf, signature, text
from plumbing.logging import get_logger

__all__ = ["CONTENT_TYPES", "Inspected", "inspect"]

log = get_logger(__name__)

# The MIME type each allowed extension is served as.
CONTENT_TYPES = {
    "gif": "image/gif",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "sql": "application/sql",
}
# The refusal for a file that a library could not read at all.
_UNREADABLE = {
    **dict.fromkeys(images.FORMATS, "image_broken"),
    **dict.fromkeys(("zip", "rar"), "archive_broken"),
    **dict.fromkeys(("docx", "xlsx", "doc", "xls"), "office_broken"),
    "pdf": "pdf_broken",
    "sql": "not_text",
}
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Inspected:
    """An accepted file: the MIME type it will be served as."""

    content_type: str


def inspect(path: pathlib.Path, extension: str, limits: Limits = DEFAULT_LIMITS) -> Inspected | Refusal:
    """Accept the file at ``path`` as an ``extension`` file (lower case, allowed), or say why not."""
    if extension not in CONTENT_TYPES:
        return Refusal("extension_not_allowed", ", ".join(sorted(CONTENT_TYPES)))
    with path.open("rb") as stream:  # a missing spool file is our bug, not the sender's: it raises
        head = stream.read(signature.HEAD_BYTES)
        size = stream.seek(0, 2)
        if not head:
            return Refusal("empty")
        try:
            refused = _examine(path, stream, extension, head, size, limits)
        except Exception as error:  # a library choking on hostile bytes is a refusal, never a crash
            log.info("inspection.unreadable", extension=extension, error=repr(error)[:200])
            refused = Refusal(_UNREADABLE[extension], detail=type(error).__name__)
    return refused or Inspected(CONTENT_TYPES[extension])


def _examine(
    path: pathlib.Path, stream: BinaryIO, extension: str, head: bytes, size: int, limits: Limits
) -> Refusal | None:
    """The first content rule the file breaks, or None."""
    running = signature.executable(head)
    if running:
        return Refusal("content_mismatch", detail=running)
    mime = signature.mime_of(head)
    if extension == "sql":
        return text.check_sql(path, head, mime)
    if mime not in signature.EXPECTED[extension]:
        return Refusal("content_mismatch", detail=mime)
    if extension in images.FORMATS or extension == "pdf":
        active = signature.sniffed_markup(head)
        if active:
            return Refusal("content_mismatch", detail=active)
    if extension in images.FORMATS:
        return images.check_image(path, extension, limits)
    if extension == "pdf":
        return pdf.check_pdf(stream, head, size)
    if extension == "rar":
        return archives.check_rar(stream, size, limits)
    if extension in ("doc", "xls"):
        return office.check_ole(path, extension)
    opened = archives.open_zip(stream, size, limits)
    if isinstance(opened, Refusal):
        return opened
    with opened:
        refused = archives.check_zip(opened, stream, size, limits)
        if refused is None and extension in office.MAIN_PARTS:
            refused = office.check_ooxml(opened, extension)
    return refused
