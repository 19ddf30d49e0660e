"""Bounces: delivery-status notifications (RFC 3464) and the common non-standard mailer-daemon shapes.

Read with the standard library's parser only: the report's ``message/delivery-status`` part comes
as header blocks, the original as ``message/rfc822`` (a message) or ``text/rfc822-headers``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.message import EmailMessage, Message, MIMEPart
from email.parser import Parser
from email.utils import getaddresses, parseaddr

from mail_ingest.domain.limits import POLICY

_DAEMONS = {"mailer-daemon", "postmaster"}
_HEADER_PARTS = {"text/rfc822-headers", "message/rfc822-headers"}
_STATUS = re.compile(r"(?<![\w.])([245]\.\d{1,3}\.\d{1,3})(?![\w.])")  # not inside an IP address
_SMTP_REPLY = re.compile(r"\b[45]\d\d[ -]")
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_TEXT_BYTES = 20_000  # a report's explanation is short; a long one is not read further
FAILED = "failed"


@dataclass(frozen=True)
class Bounce:
    """Whose delivery failed, its status and the server's words; the returned mail's ids and subject."""

    action: str
    recipient: str | None
    status: str
    diagnostic: str
    original_ids: tuple[str, ...] = ()
    original_subject: str = ""
    text: str = ""


def bounce_of(message: EmailMessage, headers: Mapping[str, str]) -> Bounce | None:
    """The bounce ``message`` is, or None when it is no delivery report."""
    report_type = str(message.get_param("report-type", "")).lower()
    if message.get_content_type() == "multipart/report" and report_type == "delivery-status":
        return _standard(message)
    lower = {name.lower(): value for name, value in headers.items()}
    daemon = parseaddr(lower.get("from", ""))[1].split("@")[0].lower() in _DAEMONS
    daemon = daemon or lower.get("return-path", "x").strip() in {"", "<>"}  # the null sender of RFC 5321
    failed = _addresses(lower.get("x-failed-recipients", ""))
    original = _original(message)
    if not (daemon or failed) or (original is None and not failed):
        return None  # automatic mail of some other kind (the auto-reply rules deal with it)
    text = _text(message)
    status = _STATUS.search(text)
    return Bounce(
        action=FAILED,
        recipient=next(iter(failed or _addresses(_get(original, "To"))), None),
        status=status.group(1) if status else "",
        diagnostic=_diagnostic(text),
        original_ids=_ids_of(original),
        original_subject=_get(original, "Subject"),
        text=text,
    )


def _standard(report: EmailMessage) -> Bounce:
    """RFC 3464: the per-recipient block that failed (else the first one), and the original."""
    blocks: list[Message] = []
    for part in report.iter_parts():
        payload = part.get_payload()
        if part.get_content_type() == "message/delivery-status" and isinstance(payload, list):
            # The first block is about the whole message; one block per recipient follows.
            blocks = [block for block in payload[1:] if isinstance(block, Message)]
            break
    recipients = [
        block for block in blocks if _get(block, "Final-Recipient") or _get(block, "Original-Recipient")
    ]
    failed = [block for block in recipients if _get(block, "Action").lower() == FAILED]
    chosen = next(iter(failed or recipients), None)
    original = _original(report)
    status = _STATUS.search(_get(chosen, "Status"))
    recipient = _typed_address(_get(chosen, "Original-Recipient")) or _typed_address(
        _get(chosen, "Final-Recipient")
    )
    return Bounce(
        action=_get(chosen, "Action").lower() or FAILED,
        recipient=recipient,
        status=status.group(1) if status else "",
        diagnostic=_one_line(
            _get(chosen, "Diagnostic-Code").partition(";")[2] or _get(chosen, "Diagnostic-Code")
        ),
        original_ids=_ids_of(original),
        original_subject=_get(original, "Subject"),
        text=_text(report),
    )


def _original(message: EmailMessage) -> Message | None:
    """The returned mail (or its headers) attached to the report, if any."""
    for part in _parts(message):
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        elif kind in _HEADER_PARTS:
            content = part.get_payload(decode=True)
            if isinstance(content, bytes):
                return Parser(policy=POLICY).parsestr(content.decode("utf-8", "replace"), headersonly=True)
    return None


def _parts(message: MIMEPart) -> Iterator[MIMEPart]:
    """Every part of a multipart mail, in order, without descending into attached messages."""
    for part in message.iter_parts():
        yield part
        yield from _parts(part)


def _text(message: EmailMessage) -> str:
    """The human-readable explanation: the first text/plain part, decoded with errors replaced."""
    if message.is_multipart():
        part = next((p for p in _parts(message) if p.get_content_type() == "text/plain"), None)
    else:
        part = message if message.get_content_type() == "text/plain" else None
    payload = part.get_payload(decode=True) if part is not None else None
    if part is None or not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    return payload[:_TEXT_BYTES].decode(charset, errors="replace")


def _diagnostic(text: str) -> str:
    """The line of the explanation that carries the remote server's answer."""
    for line in text.splitlines():
        if _STATUS.search(line) or _SMTP_REPLY.search(line):
            return _one_line(line)
    return ""


def _ids_of(original: Message | None) -> tuple[str, ...]:
    """Message-ID, then In-Reply-To, then References (latest first) of the original mail."""
    if original is None:
        return ()
    references = re.findall(r"<[^<>\s]+>", _get(original, "References"))[::-1]
    found = [*re.findall(r"<[^<>\s]+>", _get(original, "Message-ID"))]
    found += re.findall(r"<[^<>\s]+>", _get(original, "In-Reply-To")) + references
    return tuple(found)


def _typed_address(value: str) -> str | None:
    """The address of a DSN field like ``rfc822; maria@example.com``."""
    kind, _, address = value.partition(";")
    if not address:
        address = kind
    elif kind.strip().lower() != "rfc822":
        return None
    found = _addresses(address)
    return found[0] if found else None


def _addresses(value: str) -> list[str]:
    found = [address.strip().lower() for _, address in getaddresses([value]) if address]
    return [address for address in found if len(address) <= 254 and _ADDRESS.match(address)]


def _get(message: Message | None, name: str) -> str:
    if message is None:
        return ""
    try:
        return str(message.get(name, "") or "")
    except Exception:
        return ""  # a header even the lenient policy cannot read counts as absent


def _one_line(text: str, limit: int = 500) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]
