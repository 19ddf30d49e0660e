"""The content's signature against its extension: libmagic's verdict plus what browsers would sniff."""

from __future__ import annotations

import functools
import re

import magic

# libmagic tells every allowed type from its first bytes; OOXML needs the first zip entries' names.
HEAD_BYTES = 64 * 1024
# Sniffing browsers look at the start only: WHATWG's "resource header" (Chromium: 1,024; old IE: 256).
# No further: a document's own text (a PDF's uncompressed page) may well mention "<script>".
SNIFF_BYTES = 1445

_OLE = frozenset({"application/x-ole-storage", "application/CDFV2"})
# libmagic names OOXML only when the parts come in Office's order; office.py checks the rest.
_ZIP = frozenset({"application/zip"})
# What libmagic (file 5.4x) may answer for each allowed extension; "sql" is judged by text.py.
EXPECTED: dict[str, frozenset[str]] = {
    "gif": frozenset({"image/gif"}),
    "jpeg": frozenset({"image/jpeg"}),
    "jpg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
    "pdf": frozenset({"application/pdf"}),
    "zip": _ZIP | {"application/x-zip-compressed"},
    "rar": frozenset({"application/x-rar", "application/vnd.rar", "application/x-rar-compressed"}),
    "docx": _ZIP | {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xlsx": _ZIP | {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    "doc": _OLE | {"application/msword"},
    "xls": _OLE | {"application/vnd.ms-excel"},
}

# Not a magic table: a last line of defence for the formats that run, should libmagic ever be fooled.
_EXECUTABLES = (
    (b"MZ", "application/x-dosexec"),
    (b"\x7fELF", "application/x-executable"),
    (b"\xfe\xed\xfa\xce", "application/x-mach-binary"),
    (b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),
    (b"\xce\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xca\xfe\xba\xbe", "application/x-mach-binary"),
    (b"#!", "text/x-shellscript"),
)
# Tags of three letters or more: shorter ones ("<a ", "<p>") turn up by chance in compressed bytes.
_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frameset|object|embed|applet|img|style|title"
    rb"|meta|link|base|form|table|div|font|svg)[\s/>]",
    re.IGNORECASE,
)
# What turns a GIF or JPEG into a script (`GIF89a/*...*/=alert(1)`) or a PHP include.
_SCRIPT = re.compile(
    rb"\*/\s*=|\balert\s*\(|\beval\s*\(|\bdocument\.(?:cookie|domain|write|location)|String\.fromCharCode"
    rb"|(?i:javascript:)|(?i:<\?php)"
)


@functools.cache
def _magic() -> magic.Magic:
    # Loading the magic database costs milliseconds: one cookie for the process (python-magic
    # serialises calls on it, libmagic's cookies not being thread-safe).
    return magic.Magic(mime=True)


def mime_of(head: bytes) -> str:
    """libmagic's MIME type for a file that starts with ``head``."""
    return str(_magic().from_buffer(head))


def executable(head: bytes) -> str | None:
    """The executable type ``head`` starts with, or None."""
    return next((kind for prefix, kind in _EXECUTABLES if head.startswith(prefix)), None)


def sniffed_markup(head: bytes) -> str | None:
    """The active type a sniffing browser could take the start of the file for, or None."""
    window = head[:SNIFF_BYTES]
    tag = _MARKUP.search(window)
    if tag:
        return "image/svg+xml" if tag.group().lower().startswith(b"<svg") else "text/html"
    script = _SCRIPT.search(window)
    if script:
        return "application/x-php" if script.group().lower() == b"<?php" else "text/javascript"
    return None
