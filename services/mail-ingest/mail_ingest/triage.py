"""From raw mail bytes to what intake publishes (a request or a reply) or records (ignored, quarantined)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from contracts import Message
from contracts.common import Channel
from contracts.tickets import TicketReplyReceivedV1, TicketRequestedV1
from mail_ingest.domain.parsing import ParsedMail, Unparseable, parse, synthetic_message_id
from mail_ingest.domain.threads import Decision, Kind, decide
from mail_ingest.text import body_text

NO_SUBJECT = "(sem assunto)"
_ID_MAX = 200  # contracts' Id length


@dataclass(frozen=True)
class Outcome:
    """``outcome`` is requested, replied, ignored or quarantined; ``message`` is set for the first two."""

    message_id: str
    outcome: str
    reason: str | None = None
    message: Message | None = None

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
    try:
        mail = parse(raw)
    except Unparseable as bad:
        return Outcome(synthetic_message_id(raw), "quarantined", bad.reason)
    decision = decide(mail)
    if decision.kind is Kind.IGNORED:
        return Outcome(mail.message_id, "ignored", decision.reason)
    try:
        message = _message(mail, decision, received_at)
    except ValidationError as invalid:
        fields = ",".join(str(error["loc"][0]) for error in invalid.errors())
        return Outcome(mail.message_id, "quarantined", f"invalid:{fields}"[:200])
    return Outcome(mail.message_id, "replied" if decision.kind is Kind.REPLY else "requested", None, message)


def _message(mail: ParsedMail, decision: Decision, received_at: datetime) -> Message:
    request_id = stable_id("email:", mail.message_id)
    source_ref = mail.message_id[:500]
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
