"""The headers of a notification: addresses, deterministic ids, threading and marks (pure)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from notifier.domain.account_mail import AccountNotice
from notifier.domain.marking import automatic_headers, subject_line
from notifier.domain.notifications import Kind, Notice
from notifier.domain.transcripts import Transcript

# Control characters and Unicode line breaks: none may reach a header through a display name.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# What may stand left of the @ in a Message-ID we derive from a ticket id (RFC 5322 dot-atom text).
_ID_TEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")


def domain_of(address: str) -> str:
    """The domain of an address (``Name <a@b>`` or ``a@b``), which names our Message-IDs."""
    _, addr = parseaddr(address)
    domain = addr.rpartition("@")[2].strip().lower()
    return re.sub(r"[^a-z0-9.-]+", "", domain) or "atende.local"


def thread_root(ticket_id: str, domain: str) -> str:
    """The receipt's Message-ID: every later mail of the ticket answers it, with no lookup needed."""
    return f"<ticket-{_ID_TEXT.sub('-', ticket_id)}@{domain}>"


def message_id(event_id: str, domain: str) -> str:
    """One Message-ID per event: a repeated send carries the same id and clients collapse the two."""
    return f"<{hashlib.sha256(event_id.encode()).hexdigest()[:32]}@{domain}>"


def display_name(name: str) -> str:
    """A name fit for an address header: no control characters or line breaks."""
    return _UNSAFE.sub(" ", name).strip()


def compose(
    notice: Notice,
    *,
    event_id: str,
    text: str,
    html: str,
    mail_from: str,
    support_address: str,
    date: datetime,
) -> EmailMessage:
    """The email for a notice: plain text with an HTML alternative, threaded on the ticket."""
    domain = domain_of(support_address)
    ticket = notice.ticket
    root = thread_root(ticket.ticket_id, domain)
    opened = notice.kind is Kind.OPENED
    message = _mail(
        mail_from=mail_from,
        to=Address(display_name(ticket.customer_name), addr_spec=ticket.customer_email),
        support_address=support_address,
        subject=subject_line(ticket.number, ticket.subject),
        date=date,
        message_id=root if opened else message_id(event_id, domain),
    )
    if not opened:
        message["In-Reply-To"] = root
        message["References"] = root
    _bodies(message, event_id, text, html)
    return message


def compose_account(
    notice: AccountNotice,
    *,
    event_id: str,
    text: str,
    html: str,
    mail_from: str,
    support_address: str,
    date: datetime,
) -> EmailMessage:
    """An account mail (verification, reset): not part of any ticket's thread."""
    return _standalone(
        notice.to_name,
        notice.to_email,
        notice.subject,
        event_id,
        text,
        html,
        mail_from,
        support_address,
        date,
    )


def compose_transcript(
    transcript: Transcript,
    *,
    event_id: str,
    text: str,
    html: str,
    mail_from: str,
    support_address: str,
    date: datetime,
) -> EmailMessage:
    """A chat's transcript: a mail of its own (a reply to it reaches the support mailbox as a new mail)."""
    subject = display_name(transcript.subject)
    return _standalone(
        transcript.customer_name,
        transcript.customer_email,
        subject,
        event_id,
        text,
        html,
        mail_from,
        support_address,
        date,
    )


def _standalone(
    to_name: str,
    to_email: str,
    subject: str,
    event_id: str,
    text: str,
    html: str,
    mail_from: str,
    support_address: str,
    date: datetime,
) -> EmailMessage:
    """A mail outside any ticket's thread, with its own Message-ID."""
    message = _mail(
        mail_from=mail_from,
        to=Address(display_name(to_name), addr_spec=to_email),
        support_address=support_address,
        subject=subject,
        date=date,
        message_id=message_id(event_id, domain_of(support_address)),
    )
    _bodies(message, event_id, text, html)
    return message


def _mail(
    *, mail_from: str, to: Address, support_address: str, subject: str, date: datetime, message_id: str
) -> EmailMessage:
    """The headers every mail of ours has."""
    domain = domain_of(support_address)
    message = EmailMessage(policy=SMTP)
    message["From"] = mail_from
    message["To"] = to
    message["Reply-To"] = Address(addr_spec=parseaddr(support_address)[1])
    message["Subject"] = subject
    message["Date"] = format_datetime(date)  # the event's time: a repeated send is the same mail
    message["Message-ID"] = message_id
    # Our loop mark names our mail domain, so mail-ingest can tell our own mail coming back.
    for name, value in automatic_headers(domain).items():
        message[name] = value
    return message


def _bodies(message: EmailMessage, event_id: str, text: str, html: str) -> None:
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # A boundary from the content itself, not random: the same event gives byte-identical mail,
    # and no body can contain the hash of itself.
    digest = hashlib.sha256(f"{event_id}\0{text}\0{html}".encode()).hexdigest()[:40]
    message.set_boundary(f"=_atende_{digest}")
