"""PDFs by their signature: a header near the start and an end-of-file marker near the end."""

from __future__ import annotations

from typing import BinaryIO

from files.domain.policy import Refusal

# Acrobat's own tolerance (PDF 1.7 reference, implementation notes 13 and 18): the header within
# the first 1,024 bytes, "%%EOF" within the last 1,024.
WINDOW = 1024


def check_pdf(stream: BinaryIO, head: bytes, size: int) -> Refusal | None:
    """Whether the file starts and ends as a PDF (its body is never parsed: see the package doc)."""
    if b"%PDF-" not in head[:WINDOW]:
        return Refusal("content_mismatch", detail="no PDF header")
    stream.seek(max(0, size - WINDOW))
    if b"%%EOF" not in stream.read(WINDOW):
        return Refusal("pdf_broken")
    return None
