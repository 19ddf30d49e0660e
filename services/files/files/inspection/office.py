"""Office documents checked as what they claim to be: the main part (OOXML) or stream (OLE) is there."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import olefile

from files.domain.policy import Refusal

_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_OOXML = "application/vnd.openxmlformats-officedocument."
# The content type of the main part each extension needs, in [Content_Types].xml.
MAIN_PARTS = {
    "docx": _OOXML + "wordprocessingml.document.main+xml",
    "xlsx": _OOXML + "spreadsheetml.sheet.main+xml",
}
# Main parts a renamed file may carry instead, and the file type they make it (macros included).
_IMPOSTORS = {
    _OOXML + "wordprocessingml.template.main+xml": _OOXML + "wordprocessingml.template",
    "application/vnd.ms-word.document.macroEnabled.main+xml": "application/vnd.ms-word.document.macroEnabled.12",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "application/vnd.ms-word.template.macroEnabled.12",
    _OOXML + "spreadsheetml.template.main+xml": _OOXML + "spreadsheetml.template",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "application/vnd.ms-excel.sheet.macroEnabled.12",
    "application/vnd.ms-excel.sheet.binary.macroEnabled.main": "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": "application/vnd.ms-excel.template.macroEnabled.12",
    _OOXML + "presentationml.presentation.main+xml": _OOXML + "presentationml.presentation",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
    _OOXML + "wordprocessingml.document.main+xml": _OOXML + "wordprocessingml.document",
    _OOXML + "spreadsheetml.sheet.main+xml": _OOXML + "spreadsheetml.sheet",
}
# [Content_Types].xml lists a few dozen types; anything bigger is not a real package.
MAX_CONTENT_TYPES_BYTES = 1024 * 1024

# Streams smaller than this live in the mini stream ([MS-CFB] 2.2: the header field MUST be 4096).
MINI_STREAM_CUTOFF = 4096
# OLE streams (MS-DOC 2.1, MS-XLS 2.1.2) and how each starts: Word's FIB magic, Excel's BOF record.
STREAMS: dict[str, tuple[tuple[str, tuple[bytes, ...]], ...]] = {
    "doc": (("WordDocument", (b"\xec\xa5", b"\xdc\xa5")),),  # wIdent: Word 97+, Word 6/95
    "xls": (("Workbook", (b"\x09\x08",)), ("Book", (b"\x09\x08",))),  # BIFF8, then BIFF5
}


def _part_types(archive: zipfile.ZipFile) -> dict[str, str] | None:
    """Each part's content type per [Content_Types].xml, or None when it is missing or suspicious.

    A part's type is its Override, else the Default for its extension (ECMA-376-2 10.1.2.4).
    """
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return None
    if info.file_size > MAX_CONTENT_TYPES_BYTES or info.flag_bits & 0x1:  # too big, or encrypted
        return None
    data = archive.read(info)
    # No DTD in an OPC package (ECMA-376-2 8.1.4): refusing one rules out entity expansion attacks.
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        return None
    root = ElementTree.fromstring(data)  # noqa: S314 - bounded, and DTDs are refused above
    defaults = {
        node.get("Extension", "").lower(): node.get("ContentType", "")
        for node in root.iter(f"{_TYPES}Default")
    }
    # Part names compare case-insensitively (ECMA-376-2 9.1.1.1).
    types = {name.lower(): defaults.get(name.rpartition(".")[2].lower(), "") for name in archive.namelist()}
    for node in root.iter(f"{_TYPES}Override"):
        part = node.get("PartName", "").lstrip("/").lower()
        if part in types:
            types[part] = node.get("ContentType", "")
    return types


def check_ooxml(archive: zipfile.ZipFile, extension: str) -> Refusal | None:
    """Whether an opened docx or xlsx holds a main part of its type."""
    try:
        types = _part_types(archive)
    except (
        ElementTree.ParseError,
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        ValueError,
        EOFError,
        OSError,
    ):
        return Refusal("office_broken")
    if types is None:
        return Refusal("office_broken")
    wanted = MAIN_PARTS[extension]
    if wanted in types.values():
        return None
    other = next((_IMPOSTORS[kind] for kind in types.values() if kind in _IMPOSTORS), None)
    return Refusal("content_mismatch", detail=other) if other else Refusal("office_broken")


def _start(ole: olefile.OleFileIO[str], name: str) -> bytes | None:
    """The first two bytes of the top-level stream ``name`` (None when there is none)."""
    if not ole.exists(name) or ole.get_type(name) != olefile.STGTY_STREAM:
        return None
    if ole.get_size(name) < MINI_STREAM_CUTOFF:
        with ole.openstream(name) as small:
            return bytes(small.read(2))
    # openstream() would read the whole stream into memory; its first sector is enough. The
    # directory entry's fields are untyped in types-olefile, hence Any.
    root: Any = ole.root
    return bytes(ole.getsect(root.kids_dict[name.lower()].isectStart)[:2])


def check_ole(path: Path, extension: str) -> Refusal | None:
    """Whether a doc or xls is an OLE file holding its main stream, which starts as it must."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            for stream, magics in STREAMS[extension]:
                start = _start(ole, stream)
                if start is not None:
                    return None if start in magics else Refusal("office_broken", detail=f"{stream} header")
    except (OSError, ValueError, IndexError, KeyError, EOFError, struct.error):
        return Refusal("office_broken")
    return Refusal("office_broken", detail=f"no {STREAMS[extension][0][0]} stream")
