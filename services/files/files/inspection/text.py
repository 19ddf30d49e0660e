"""Database scripts must be plain text: decodable, free of control bytes, and not markup."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from files.domain.policy import Refusal

CHUNK = 64 * 1024
# Tab, line feed, form feed and carriage return are text; every other C0 or C1 control, DEL and NUL is not.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# UTF-8 first; failing that Windows-1252, Latin-1's superset for the bytes 0x80-0x9F that Latin-1
# keeps for controls (five are undefined, so random bytes still fail). UTF-16 needs its BOM: without
# one, every other byte of ASCII text is NUL.
_FALLBACK = "cp1252"


# libmagic's answers for programs, which it recognises by their first line (a shebang, "@echo off").
# Not its HTML, XML and PHP answers: it gives those for a tag anywhere in the first 4 KiB, which dumps
# of web applications' databases have in their rows; markup is judged by how the text starts instead.
PROGRAMS = frozenset(
    {
        "text/x-shellscript",
        "text/javascript",
        "application/javascript",
        "text/x-perl",
        "text/x-python",
        "text/x-script.python",
        "text/x-ruby",
        "text/x-lua",
        "text/x-tcl",
        "text/x-awk",
        "text/x-msdos-batch",
        "text/x-bat",
    }
)


def _encoding(head: bytes) -> str:
    return next((name for bom, name in _BOMS if head.startswith(bom)), "utf-8")


def _decodes(path: Path, encoding: str) -> str | None:
    """The first chunk of text when the whole file decodes cleanly as ``encoding``, else None."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    first: str | None = None
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                return None
            if _CONTROLS.search(text):
                return None
            first = text if first is None else first
        try:
            tail = decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    if _CONTROLS.search(tail):
        return None
    return first or tail


def text_of(path: Path, head: bytes) -> str | None:
    """The start of the script's text, or None when the file is not text."""
    encoding = _encoding(head)
    text = _decodes(path, encoding)
    if text is None and encoding == "utf-8":
        text = _decodes(path, _FALLBACK)
    return text


def markup(text: str) -> str | None:
    """The markup type a text is when it starts as markup (the way browsers sniff it), else None."""
    start = text.lstrip("\ufeff \t\r\n\f")[:256].lower()
    if not start.startswith("<"):
        return None
    if start.startswith("<?php"):
        return "application/x-php"
    if "<svg" in start:
        return "image/svg+xml"
    return "text/xml" if start.startswith("<?xml") else "text/html"


def check_sql(path: Path, head: bytes, mime: str) -> Refusal | None:
    """Whether a .sql file is text and not markup or another program."""
    text = text_of(path, head)
    if text is None:
        return Refusal("not_text")
    found = mime if mime in PROGRAMS else markup(text)
    return Refusal("content_mismatch", detail=found) if found else None
