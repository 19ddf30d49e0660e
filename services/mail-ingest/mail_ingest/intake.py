"""What happens to one mail, from the poller or an admin's retry: triage, the sender cap, publish, record."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from contracts import Message
from contracts.subjects import route_for
from contracts.tickets import RefusedAttachment, TicketReplyReceivedV1, TicketRequestedV1, ticket_id_for
from mail_ingest.adapters.files import Files
from mail_ingest.adapters.imap import Mailbox
from mail_ingest.adapters.seen import SeenMail
from mail_ingest.domain.parsing import summarize, synthetic_message_id
from mail_ingest.triage import Outcome, triage
from plumbing.bus import Bus
from plumbing.crashpoints import crashpoint
from plumbing.logging import get_logger

log = get_logger(__name__)


class MailGone(LookupError):
    """A retry cannot fetch the mail again: ``reason`` is mail_gone or uidvalidity_changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Intake:
    """Publishes what a mail asks for and records it, in that order (see the poller for why)."""

    def __init__(
        self,
        bus: Bus,
        seen: SeenMail,
        *,
        per_sender_hour: int,
        max_bytes: int,
        files: Files | None = None,
        open_mailbox: Callable[[], Mailbox] | None = None,
    ) -> None:
        self.bus = bus
        self.seen = seen
        self.files = files  # None: attachments are recorded as refused (no files service configured)
        self.per_sender_hour = per_sender_hour
        self.max_bytes = max_bytes
        self.open_mailbox = open_mailbox  # a session of its own for retries (the poller's may be in IDLE)

    async def handle(self, uidvalidity: int, uid: int, raw: bytes, size: int | None = None) -> Outcome:
        """A new mail: publish what it asks for (within its sender's cap) and record it."""
        # Parsing is CPU work of up to seconds for a hostile mail: off the event loop (NATS, health).
        outcome = await self._settle(await asyncio.to_thread(triage, raw, datetime.now(UTC)), capped=True)
        await self.seen.record(uidvalidity, uid, outcome, size if size is not None else len(raw))
        return outcome

    async def too_large(self, uidvalidity: int, uid: int, header: bytes, size: int) -> Outcome:
        """A mail over the size limit: recorded from its header block, never downloaded."""
        outcome = oversized(header, size, self.max_bytes)
        await self.seen.record(uidvalidity, uid, outcome, size)
        return outcome

    async def retry(self, uidvalidity: int, uid: int) -> Outcome:
        """Fetch a held mail again and run it through intake, past the sender cap (an admin asked)."""
        size, raw, whole = await asyncio.to_thread(self._fetch_again, uidvalidity, uid)
        if whole:
            outcome = await self._settle(
                await asyncio.to_thread(triage, raw, datetime.now(UTC)),
                capped=False,
                besides=(uidvalidity, uid),
            )
        else:
            outcome = oversized(raw, size, self.max_bytes)
        await self.seen.replace(uidvalidity, uid, outcome, size)
        log.info("mail.retried", uid=uid, outcome=outcome.outcome, reason=outcome.reason)
        return outcome

    async def _settle(
        self, outcome: Outcome, *, capped: bool, besides: tuple[int, int] | None = None
    ) -> Outcome:
        if await self.seen.known(outcome.message_id, besides=besides):
            # A UIDVALIDITY change (or the same mail delivered twice): handled before, by Message-ID.
            return replace(outcome, outcome="duplicate", reason="message_id_seen", message=None)
        message = outcome.message
        if message is None:
            return outcome
        if capped and await self._over_cap(message):
            reason = f"sender_cap:{self.per_sender_hour}/h"
            return replace(outcome, outcome="capped", reason=reason, message=None)
        if outcome.attachments:
            message = await self._with_attachments(outcome, message)
        subject = route_for(type(message)).subject
        ack = await self.bus.publish(subject, message, message_id=outcome.nats_id)
        log.info("mail.published", subject=subject, duplicate=ack.duplicate)
        crashpoint("mail_ingest.after_publish")  # tests: kill -9 before the record and the flag
        return outcome

    async def _with_attachments(self, outcome: Outcome, message: Message) -> Message:
        """The message with its files stored (ids) or refused (names and reasons), never dropped.

        Files away raises: the mail is neither published nor recorded, so the next round tries again.
        """
        assert isinstance(message, TicketRequestedV1 | TicketReplyReceivedV1)
        if self.files is None:
            refused = [
                RefusedAttachment(filename=a.filename, reason_code="files_unavailable")
                for a in outcome.attachments
            ]
            return message.model_copy(update={"refused_attachments": refused})
        # A reply whose ticket mail-ingest could not name belongs, as far as files records it, to the
        # ticket its request id would open; downloads follow the ticket's history either way.
        owner = getattr(message, "ticket_id", None) or ticket_id_for(message.request_id)
        stored, refused = await self.files.store(
            outcome.message_id, message.customer_email, owner, outcome.attachments
        )
        return message.model_copy(update={"attachment_ids": stored, "refused_attachments": refused})

    async def _over_cap(self, message: Message) -> bool:
        """Whether the sender already opened or answered its hourly allowance (bounces come from MTAs)."""
        if not isinstance(message, TicketRequestedV1 | TicketReplyReceivedV1):
            return False
        return await self.seen.published_by(message.customer_email) >= self.per_sender_hour

    def _fetch_again(self, uidvalidity: int, uid: int) -> tuple[int, bytes, bool]:
        """(size, bytes, whole?): the whole mail, or only its header block when it is too large."""
        if self.open_mailbox is None:
            raise MailGone("mail_gone")
        mailbox = self.open_mailbox()
        try:
            if mailbox.select() != uidvalidity:
                raise MailGone("uidvalidity_changed")
            size = mailbox.sizes([uid]).get(uid)
            if size is None:
                raise MailGone("mail_gone")
            if size > self.max_bytes:
                return size, mailbox.headers([uid]).get(uid, b""), False
            raw = mailbox.fetch([uid]).get(uid)
            if raw is None:
                raise MailGone("mail_gone")
            return size, raw, True
        finally:
            mailbox.close()


def oversized(header: bytes, size: int, limit: int) -> Outcome:
    """The record of a mail too large to fetch: what its header block says, and why it is held."""
    summary = summarize(header)
    message_id = summary.message_id or synthetic_message_id(header)
    return Outcome(message_id, "quarantined", f"too_large:{size}>{limit}", summary=summary)
