"""Request-reply endpoints for admins: list the mail that opened nothing, and retry one of them."""

from __future__ import annotations

from contracts import Envelope, Message
from contracts.mail import (
    ListQuarantinedMailV1,
    MailOutcome,
    QuarantinedMailListV1,
    QuarantinedMailRetriedV1,
    RetryQuarantinedMailV1,
)
from contracts.subjects import LIST_QUARANTINED_MAIL_V1, RETRY_QUARANTINED_MAIL_V1
from mail_ingest.adapters.seen import PUBLISHED, SeenMail
from mail_ingest.intake import Intake, MailGone
from plumbing.bus import Bus
from plumbing.errors import Conflict, NotFound

# What an admin may send through intake again; what was published or is a copy stays as it is.
RETRYABLE = frozenset({MailOutcome.QUARANTINED, MailOutcome.IGNORED, MailOutcome.CAPPED})


class MailAdmin:
    """Every replica answers (the poller's lock does not matter: a retry uses its own IMAP session)."""

    def __init__(self, seen: SeenMail, intake: Intake) -> None:
        self.seen = seen
        self.intake = intake

    async def register(self, bus: Bus) -> None:
        """Serve both endpoints in the mail-ingest queue group."""
        await bus.serve("quarantine", LIST_QUARANTINED_MAIL_V1, ListQuarantinedMailV1, self.list)
        await bus.serve("retry", RETRY_QUARANTINED_MAIL_V1, RetryQuarantinedMailV1, self.retry)

    async def list(self, query: ListQuarantinedMailV1, envelope: Envelope) -> Message:
        """A page of held mail, latest first."""
        mails, total = await self.seen.page(query.outcomes, query.limit, query.offset)
        return QuarantinedMailListV1(mails=mails, total=total)

    async def retry(self, command: RetryQuarantinedMailV1, envelope: Envelope) -> Message:
        """Run one held mail through intake again: 404 unknown, 409 not held or no longer in IMAP."""
        held = await self.seen.get(command.uidvalidity, command.uid)
        if held is None:
            raise NotFound("mail_not_found")
        if held.outcome not in RETRYABLE:
            raise Conflict("mail_not_retryable", outcome=held.outcome.value)
        try:
            outcome = await self.intake.retry(command.uidvalidity, command.uid)
        except MailGone as gone:
            raise Conflict(gone.reason) from None
        now = await self.seen.get(command.uidvalidity, command.uid)
        assert now is not None
        published = outcome.message is not None and outcome.outcome in PUBLISHED
        return QuarantinedMailRetriedV1(mail=now, published=published)
