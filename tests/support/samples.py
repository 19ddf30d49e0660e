"""Real sample files of every allowed attachment type (hostile ones: ``hostile_files``).

Each sample is written by the library that owns the format (Pillow, openpyxl, python-docx, xlwt,
pypdf, zipfile); the formats no Python library writes (rar, doc) are tiny real files kept in
``samples/`` (see its README).
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pypdf
import xlwt
from PIL import Image

FIXTURES = Path(__file__).parent / "samples"


# --- accepted samples ------------------------------------------------------------------------------


def _image(format_: str) -> bytes:
    picture = Image.new("RGB", (64, 48))
    picture.putdata([(x * 4, y * 5, (x + y) * 2) for y in range(48) for x in range(64)])
    out = io.BytesIO()
    picture.save(out, format=format_)
    return out.getvalue()


def _pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Fatura"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("backup/clientes.sql", "INSERT INTO clientes VALUES (1, 'Ana');\n" * 50)
        archive.writestr("backup/leia-me.txt", "Cópia de segurança de março.\n")
    return out.getvalue()


def _docx() -> bytes:
    document = docx.Document()
    document.add_heading("Relatório", level=1)
    document.add_paragraph("A impressora do terceiro andar não liga.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["chamado", "valor"])
    sheet.append([1, 10.5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xls() -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Chamados")
    sheet.write(0, 0, "chamado")
    sheet.write(1, 0, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xls_quoting_markup() -> bytes:
    """A spreadsheet whose cells quote HTML: users' text, early in the file, is not a polyglot."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Erros")
    sheet.write(0, 0, "<html><body><script>alert(1)</script></body></html>")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sql(encoding: str = "utf-8") -> bytes:
    script = "-- Cópia do cadastro\nCREATE TABLE clientes (id int, nome text);\n"
    script += "INSERT INTO clientes VALUES (1, 'João'), (2, 'Conceição');\n"
    return script.encode(encoding)


_SQL_DUMP = b"""-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `posts`;
CREATE TABLE `posts` (`id` int NOT NULL, `body` longtext) ENGINE=InnoDB;
INSERT INTO `posts` VALUES (1,'<html><body><p>Ol\xc3\xa1</p><script src=\\"x.js\\"></script></body></html>');
"""


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# name -> (file name, builder): one per extension (what `sample(extension)` returns), then variants.
_SAMPLES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "gif": ("logo.gif", lambda: _image("GIF")),
    "jpeg": ("foto.jpeg", lambda: _image("JPEG")),
    "jpg": ("foto.jpg", lambda: _image("JPEG")),
    "png": ("tela.png", lambda: _image("PNG")),
    "pdf": ("fatura.pdf", _pdf),
    "zip": ("backup.zip", _zip),
    "rar": ("backup.rar", lambda: fixture("rar5-solid.rar")),
    "rar4": ("backup-antigo.rar", lambda: fixture("rar3-solid.rar")),
    "docx": ("relatorio.docx", _docx),
    "xlsx": ("planilha.xlsx", _xlsx),
    "doc": ("relatorio.doc", lambda: fixture("test-ole-file.doc")),
    "xls": ("planilha.xls", _xls),
    "xls-quoting-markup": ("erros.xls", _xls_quoting_markup),
    "sql": ("cadastro.sql", _sql),
    "sql-utf8-bom": ("cadastro-bom.sql", lambda: _sql("utf-8-sig")),
    "sql-utf16": ("cadastro-utf16.sql", lambda: _sql("utf-16")),
    "sql-latin1": ("cadastro-latin1.sql", lambda: _sql("latin-1")),
    # A web application's dump: HTML in its rows (libmagic calls that text/html) is still SQL.
    "sql-dump-with-html": ("wordpress.sql", lambda: _SQL_DUMP),
    # Windows-1252: curly quotes and the en dash are bytes 0x80-0x9F (C1 controls in Latin-1).
    "sql-cp1252": ("cadastro-cp1252.sql", lambda: "-- “Cópia” – fim\nSELECT 1;\n".encode("cp1252")),
}

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


@functools.cache
def accepted(name: str) -> tuple[str, bytes]:
    """An acceptable upload by sample name (an extension, or a variant such as "sql-utf16")."""
    filename, build = _SAMPLES[name]
    return filename, build()


def accepted_names() -> list[str]:
    """Every acceptable sample's name."""
    return list(_SAMPLES)


def sample(extension: str) -> bytes:
    """A small real file of the given allowed extension."""
    return accepted(extension)[1]
