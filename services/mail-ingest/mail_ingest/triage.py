"""From raw mail bytes to what intake publishes (a request, a reply, a bounce) or only records."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime

from pydantic import ValidationError

from contracts import Message
from contracts.common import Channel
from contracts.tickets import TicketBounceReceivedV1, TicketReplyReceivedV1, TicketRequestedV1
from mail_ingest.domain.parsing import (
    MailAttachment,
    ParsedMail,
    Summary,
    Unparseable,
    parse,
    summarize,
    synthetic_message_id,
)
from mail_ingest.domain.threads import Decision, Kind, decide
from mail_ingest.text import body_text

NO_SUBJECT = "(sem assunto)"
_ID_MAX = 200  # contracts' Id length


@dataclass(frozen=True)
class Outcome:
    """A ``contracts.mail.MailOutcome`` value; ``message`` is what to publish, if anything."""

    message_id: str
    outcome: str
    reason: str | None = None
    message: Message | None = None
    summary: Summary = field(default_factory=Summary)
    attachments: tuple[MailAttachment, ...] = ()  # to hand to the files service before publishing

    @property
    def nats_id(self) -> str:
        """Nats-Msg-Id: a republish after a crash is dropped by JetStream's duplicate window."""
        return stable_id("mail:", self.message_id)


def stable_id(prefix: str, message_id: str) -> str:
    """``prefix + Message-ID``, or its digest when that would exceed the contracts' id length."""
    plain = prefix + message_id
    return (
        plain
        if len(plain) <= _ID_MAX
        else f"{prefix}sha256:{hashlib.sha256(message_id.encode()).hexdigest()}"
    )


def triage(raw: bytes, received_at: datetime) -> Outcome:
    """Decide what one mail becomes; nothing here raises for a bad mail (it is quarantined)."""
    summary = summarize(raw)
    try:
        mail = parse(raw)
    except Unparseable as bad:
        message_id = summary.message_id or synthetic_message_id(raw)  # what an admin can search for
        return Outcome(message_id, "quarantined", bad.reason, summary=summary)
    summary = replace(summary, sender=mail.sender)  # the address as intake reads it (the cap counts it)
    decision = decide(mail)
    if decision.kind is Kind.IGNORED:
        return Outcome(mail.message_id, "ignored", decision.reason, summary=summary)
    if decision.kind is Kind.BOUNCE and (reason := _unpublished_bounce(mail, decision)):
        return Outcome(mail.message_id, "bounced", reason, summary=summary)
    try:
        message = _message(mail, decision, received_at)
    except ValidationError as invalid:
        fields = ",".join(str(error["loc"][0]) for error in invalid.errors())
        return Outcome(mail.message_id, "quarantined", f"invalid:{fields}"[:200], summary=summary)
    except Exception as exc:  # a text library failing on a strange body must not stop the mail behind it
        reason = f"unparseable:{type(exc).__name__}"
        return Outcome(mail.message_id, "quarantined", reason, summary=summary)
    if isinstance(message, TicketBounceReceivedV1):
        reason = f"{message.status} {message.recipient}".strip()
        return Outcome(mail.message_id, "bounced", reason, message, summary)
    outcome = "replied" if decision.kind is Kind.REPLY else "requested"
    return Outcome(mail.message_id, outcome, None, message, summary, mail.attachments)


def _unpublished_bounce(mail: ParsedMail, decision: Decision) -> str | None:
    """Why a bounce goes no further than the record (kept for admins), or None when tickets gets it."""
    if mail.bounce is None or mail.bounce.recipient is None:
        return "no_recipient"
    if decision.ticket_id is None and decision.number is None:
        return "no_ticket"  # not about one of our tickets: an account mail, or backscatter
    return None


def _message(mail: ParsedMail, decision: Decision, received_at: datetime) -> Message:
    request_id = stable_id("email:", mail.message_id)
    source_ref = mail.message_id[:500]
    if decision.kind is Kind.BOUNCE:
        assert mail.bounce is not None and mail.bounce.recipient is not None
        return TicketBounceReceivedV1(
            request_id=request_id,
            ticket_id=decision.ticket_id,
            number=decision.number,
            recipient=mail.bounce.recipient,
            status=mail.bounce.status,
            diagnostic=mail.bounce.diagnostic,
            source_ref=source_ref,
            received_at=received_at,
        )
    if decision.kind is Kind.REPLY:
        return TicketReplyReceivedV1(
            request_id=request_id,
            ticket_id=decision.ticket_id,
            number=decision.number,
            threaded_by=decision.threaded_by or "",
            channel=Channel.EMAIL,
            customer_email=mail.sender,
            customer_name=mail.sender_name,
            subject=mail.subject,
            body=body_text(mail, reply=True),
            source_ref=source_ref,
            received_at=received_at,
        )
    return TicketRequestedV1(
        request_id=request_id,
        channel=Channel.EMAIL,
        customer_email=mail.sender,
        customer_name=mail.sender_name,
        subject=mail.subject or NO_SUBJECT,
        body=body_text(mail, reply=False),
        source_ref=source_ref,
        received_at=received_at,
    )
