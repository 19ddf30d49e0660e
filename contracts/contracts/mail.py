"""Messages owned by mail-ingest: what it did with each mail of the support mailbox, for admins."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from contracts.common import ShortText
from contracts.envelope import Message
from contracts.registry import message_type
from contracts.ticket_queries import Part


class MailOutcome(StrEnum):
    """What mail-ingest did with one mail."""

    REQUESTED = "requested"  # opened a ticket
    REPLIED = "replied"  # answered a ticket
    BOUNCED = "bounced"  # a delivery-status notification about one of our mails
    IGNORED = "ignored"  # automatic mail (RFC 3834) or our own: kept, never answered
    QUARANTINED = "quarantined"  # could not be handled (unparseable, too large, no usable sender)
    CAPPED = "capped"  # over its sender's hourly limit (a mail storm)
    DUPLICATE = "duplicate"  # its Message-ID was handled before


class HandledMail(Part):
    """One mail of the support mailbox as mail-ingest recorded it (the body stays in IMAP)."""

    id: ShortText = Field(description="``<uidvalidity>-<uid>``: what a retry names.")
    uidvalidity: int = Field(ge=1)
    uid: int = Field(ge=1)
    message_id: ShortText
    sender: ShortText | None = Field(default=None, description="The From address, when one could be read.")
    subject: ShortText = ""
    date: datetime | None = Field(default=None, description="The mail's own Date header.")
    size: int | None = Field(default=None, ge=0, description="Bytes, as the IMAP server reports them.")
    outcome: MailOutcome
    reason: ShortText | None = Field(default=None, description="Why, as a short code (e.g. too_large).")
    seen_at: datetime
    retries: int = Field(default=0, ge=0)
    retried_at: datetime | None = None


@message_type("mail.ListQuarantinedMail", 1)
class ListQuarantinedMailV1(Message):
    """Mail that opened nothing (quarantined, ignored, capped, bounced), latest first."""

    outcomes: list[MailOutcome] = Field(
        default_factory=lambda: [MailOutcome.QUARANTINED], min_length=1, description="Any of these."
    )
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


@message_type("mail.QuarantinedMailList", 1)
class QuarantinedMailListV1(Message):
    """A page of handled mail and how many match in all."""

    mails: list[HandledMail]
    total: int = Field(ge=0)


@message_type("mail.RetryQuarantinedMail", 1)
class RetryQuarantinedMailV1(Message):
    """Fetch one held mail again by UID and run it through intake again (an admin's decision)."""

    uidvalidity: int = Field(ge=1)
    uid: int = Field(ge=1)


@message_type("mail.QuarantinedMailRetried", 1)
class QuarantinedMailRetriedV1(Message):
    """The mail as recorded after the retry: a new outcome, or the same one with the new reason."""

    mail: HandledMail
    published: bool = Field(description="True when the retry handed a request, reply or bounce to tickets.")
