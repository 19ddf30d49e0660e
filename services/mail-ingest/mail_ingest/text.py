"""Mail bodies as the text a ticket shows: HTML made plain, quoted history and signatures cut."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from mailparser_reply import EmailReplyParser  # type: ignore[import-untyped]  # ships no types

from mail_ingest.domain.parsing import ParsedMail

LONG_TEXT = 200_000
# Languages whose reply headers ("On … wrote:") mail-parser-reply knows; it has no Portuguese.
_LANGUAGES = ["en", "es", "fr", "de", "it"]
# Hand-written for what the library lacks: the pt-BR header of Gmail/Outlook replies, and a
# plain block of "> " quotes (the library keeps those when no header line precedes them).
_PT_HEADER = re.compile(r"^\s*(Em .{4,200}escreveu:|-----\s*Mensagem original\s*-----)\s*$", re.MULTILINE)
_QUOTE_BLOCK = re.compile(r"^(>.*(\n|$))+\s*\Z", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
_BLOCKS = ["p", "div", "li", "tr", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr"]


def body_text(mail: ParsedMail, *, reply: bool) -> str:
    """The mail's text (text/plain preferred); a reply keeps only what the customer just wrote."""
    text = mail.plain if mail.plain is not None else html_to_text(mail.html or "")
    text = text.replace("\r\n", "\n").strip()
    if reply:
        text = latest_reply(text)
    return text[:LONG_TEXT]


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, one block per line (scripts and styles dropped)."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "head", "title"]):
        hidden.decompose()
    # Inline tags stay inline ("Olá <b>mundo</b>"); line breaks and blocks end a line.
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_BLOCKS):
        block.insert_after("\n")
    text = soup.get_text()
    lines = (line.strip() for line in text.splitlines())
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def latest_reply(text: str) -> str:
    """What was written above the quoted history and the signature; the whole text if that is empty."""
    cut = text
    if header := _PT_HEADER.search(cut):
        cut = cut[: header.start()]
    cut = _QUOTE_BLOCK.sub("", cut.rstrip() + "\n")
    replies = EmailReplyParser(languages=_LANGUAGES).read(cut).replies
    latest = replies[0].body.strip() if replies else cut.strip()
    # Never lose the customer's words: a mail that is all quote or signature stays as it came.
    return latest or text.strip()
