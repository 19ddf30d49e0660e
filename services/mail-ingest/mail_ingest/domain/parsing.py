"""Incoming mail as the rest of mail-ingest sees it: parsed from raw bytes, tolerant of broken mail."""

from __future__ import annotations

import codecs
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from mail_ingest.domain.autoreply import LOOP_HEADER
from mail_ingest.domain.bounces import Bounce, bounce_of
from mail_ingest.domain.limits import MAX_PARTS, POLICY, shape_problem, too_many_delimiters

SYNTHETIC_DOMAIN = "atende.invalid"
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
SHORT_TEXT = 500
# The headers intake reads (threading, automatic mail, bounces); only these are decoded, once each.
READ_HEADERS = (
    "From",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Return-Path",
    "X-Failed-Recipients",
    "Auto-Submitted",
    "Precedence",
    "X-Autoreply",
    "X-Autorespond",
    "List-Id",
    "List-Unsubscribe",
    LOOP_HEADER,
)


class Unparseable(ValueError):
    """The mail cannot become a ticket or a reply; ``reason`` is a short code for the quarantine."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedMail:
    """What intake needs from one mail; every text is decoded and free of control characters."""

    message_id: str
    sender: str
    sender_name: str
    subject: str
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    plain: str | None = None
    html: str | None = None
    bounce: Bounce | None = None  # set when the mail is a delivery report about one of ours
    attachments: tuple[MailAttachment, ...] = ()


@dataclass(frozen=True)
class MailAttachment:
    """A file that came with the mail: its name as sent (or one made up) and its decoded bytes."""

    filename: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Summary:
    """What an admin sees of a mail in the quarantine list; read leniently, even from a broken mail."""

    message_id: str | None = None
    sender: str | None = None
    subject: str = ""
    date: datetime | None = None


def parse(raw: bytes) -> ParsedMail:
    """Parse one RFC 5322 message; raises Unparseable when it is beyond the limits or has no usable sender."""
    if too_many_delimiters(raw):
        raise Unparseable(f"too_many_parts:>{MAX_PARTS}")
    try:
        message = BytesParser(policy=POLICY).parsebytes(raw)
        problem = shape_problem(message)
    except Exception as exc:  # the parser is lenient; anything that still escapes is quarantined
        raise Unparseable(f"unparseable:{type(exc).__name__}") from exc
    if problem is not None:
        raise Unparseable(problem)
    try:
        headers = {name: _header(message, name) for name in READ_HEADERS if name in message}
        bounce = bounce_of(message, headers)
        plain, html = _body(message, "plain"), _body(message, "html")
        attachments = _attachments(message)
    except Exception as exc:  # a library bug on a strange part must not stop the mail behind it
        raise Unparseable(f"unparseable:{type(exc).__name__}") from exc
    sender_name, sender = _sender(headers.get("From", ""))
    ids = _ids(headers.get("Message-ID", ""))
    return ParsedMail(
        message_id=ids[0] if ids else synthetic_message_id(raw),
        sender=sender,
        sender_name=sender_name,
        subject=one_line(headers.get("Subject", "")),
        in_reply_to=_ids(headers.get("In-Reply-To", "")),
        references=_ids(headers.get("References", "")),
        headers=headers,
        plain=plain,
        html=html,
        bounce=bounce,
        attachments=attachments,
    )


def summarize(raw: bytes) -> Summary:
    """Message-ID, From address, Subject and Date from the header block alone (the body may be absent)."""
    try:
        message = BytesHeaderParser(policy=POLICY).parsebytes(raw)
    except Exception:
        return Summary()
    ids = _ids(_header(message, "Message-ID"))
    senders = [address for _, address in getaddresses([_header(message, "From")]) if address]
    return Summary(
        message_id=ids[0] if ids else None,
        sender=one_line(senders[0].lower(), 254) if senders else None,
        subject=one_line(_header(message, "Subject")),
        date=_date(_header(message, "Date")),
    )


def synthetic_message_id(raw: bytes) -> str:
    """A stable id for mail without a Message-ID: the same bytes always get the same id."""
    return f"<{hashlib.sha256(raw).hexdigest()}@{SYNTHETIC_DOMAIN}>"


def one_line(text: str, limit: int = SHORT_TEXT) -> str:
    """Control characters (CR/LF: header injection) become spaces; trimmed to ``limit``."""
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]


def _header(message: Message, name: str) -> str:
    """The first value of a header as decoded text."""
    try:
        return str(message.get(name, ""))
    except Exception:
        return ""  # a header even the lenient policy cannot read counts as absent


def _sender(value: str) -> tuple[str, str]:
    """(display name, lower-cased address) of From; raises Unparseable without a usable address."""
    pairs = [(name, address) for name, address in getaddresses([value]) if address]
    if not pairs:
        raise Unparseable("no_sender")
    name, address = pairs[0]
    address = address.strip().lower()
    if len(address) > 254 or not _ADDRESS.match(address):
        raise Unparseable("bad_sender")
    return one_line(name), address


def _date(value: str) -> datetime | None:
    try:
        found = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)  # no zone given: UTC


def _ids(value: str) -> tuple[str, ...]:
    return tuple(_MESSAGE_ID.findall(value))


def _body(message: EmailMessage, subtype: str) -> str | None:
    """The text of the preferred ``text/<subtype>`` part, decoded with errors replaced."""
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_type() != f"text/{subtype}":
        return None
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return None
    charset = part.get_content_charset() or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"  # an unknown charset name: utf-8 with replacements beats losing the mail
    return payload.decode(charset, errors="replace")


def _attachments(message: EmailMessage) -> tuple[MailAttachment, ...]:
    """Every leaf part that is not the text shown as the body, in order (a forwarded mail is one file)."""
    bodies = {id(message.get_body(preferencelist=(kind,))) for kind in ("plain", "html")}
    found: list[MailAttachment] = []

    def visit(part: EmailMessage) -> None:
        if part.get_content_maintype() == "multipart":
            for sub in part.iter_parts():
                visit(sub)  # type: ignore[arg-type]
            return
        named = part.get_filename()
        if id(part) in bodies or (
            part.get_content_maintype() == "text" and not named and not part.is_attachment()
        ):
            return  # the body, or its other rendering
        found.append(
            MailAttachment(_filename(named, part.get_content_type(), len(found) + 1), _content(part))
        )

    visit(message)
    return tuple(found)


def _filename(named: str | None, content_type: str, number: int) -> str:
    if named and (name := one_line(named, 255)):
        return name
    extension = mimetypes.guess_extension(content_type) or ""
    return f"anexo-{number}{extension}"


def _content(part: EmailMessage) -> bytes:
    """The part's decoded bytes; a forwarded message as its own bytes; b"" when undecodable."""
    try:
        if part.get_content_maintype() == "message":
            inner = part.get_payload(0)
            return inner.as_bytes() if isinstance(inner, Message) else b""
        payload = part.get_payload(decode=True)
    except Exception:
        return b""  # the files service then refuses it as empty, and the ticket says so
    return payload if isinstance(payload, bytes) else b""
