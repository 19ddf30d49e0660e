"""Mail bodies as the text a ticket shows: HTML made plain, quoted history and signatures cut."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser  # type: ignore[import-untyped]  # ships no types

from mail_ingest.domain.parsing import ParsedMail

LONG_TEXT = 200_000
# An HTML body is read this far: ten times the text a ticket keeps is plenty of markup for it.
LONG_HTML = 10 * LONG_TEXT
# Languages whose reply headers ("On … wrote:") mail-parser-reply knows; it has no Portuguese.
_LANGUAGES = ["en", "es", "fr", "de", "it"]
# Hand-written for what the library lacks: the pt-BR header of Gmail/Outlook replies, and a
# plain block of "> " quotes (the library keeps those when no header line precedes them).
_PT_HEADER = re.compile(r"^\s*(Em .{4,200}escreveu:|-----\s*Mensagem original\s*-----)\s*$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
_BLOCKS = frozenset(
    {"p", "div", "li", "tr", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_HIDDEN = frozenset({"script", "style", "head", "title"})


def body_text(mail: ParsedMail, *, reply: bool) -> str:
    """The mail's text (text/plain preferred); a reply keeps only what the customer just wrote."""
    text = mail.plain if mail.plain is not None else html_to_text(mail.html or "")
    # Cut before looking for quotes: what the customer just wrote comes first, the history after.
    text = _tidy(text[: 2 * LONG_TEXT])
    if reply:
        text = latest_reply(text)
    return text[:LONG_TEXT]


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, one block per line (scripts and styles dropped).

    One pass of the standard library's tokenizer, with no tree: time grows with the length only
    (BeautifulSoup's tree edits took minutes on 1 MB of sibling paragraphs, and recursion on deep nesting).
    """
    reader = _TextOf()
    reader.feed(html[:LONG_HTML])
    reader.close()
    lines = (line.strip() for line in "".join(reader.chunks).splitlines())
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


class _TextOf(HTMLParser):
    """Collects text; a line break, or the end of a block, ends a line (inline tags stay inline)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden = 0  # inside how many script/style/head/title elements

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in ("br", "hr"):  # empty elements: no end tag comes
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.chunks.append(data)


def latest_reply(text: str) -> str:
    """What was written above the quoted history and the signature; the whole text if that is empty."""
    cut = text
    if header := _PT_HEADER.search(cut):
        cut = cut[: header.start()]
    cut = _without_trailing_quotes(cut)
    replies = EmailReplyParser(languages=_LANGUAGES).read(cut).replies
    latest = replies[0].body.strip() if replies else cut.strip()
    # Never lose the customer's words: a mail that is all quote or signature stays as it came.
    return latest or text.strip()


def _without_trailing_quotes(text: str) -> str:
    """The text without the block of ``>`` lines it ends with (a line at a time: no regex backtracking)."""
    lines = text.rstrip().split("\n")
    while lines and lines[-1].startswith(">"):
        lines.pop()
    return "\n".join(lines) + "\n"


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row (mail-parser-reply is quadratic in blank lines)."""
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
