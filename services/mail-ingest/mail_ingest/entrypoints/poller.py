"""Watches the support mailbox (poll, then IMAP IDLE) and publishes each new mail once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from contracts.subjects import TICKET_REPLY_RECEIVED_V1, TICKET_REQUESTED_V1
from contracts.tickets import TicketReplyReceivedV1
from mail_ingest.adapters.imap import Mailbox
from mail_ingest.adapters.seen import SeenMail
from mail_ingest.triage import Outcome, triage
from plumbing.bus import Bus
from plumbing.logging import get_logger
from plumbing.worker import Loop

log = get_logger(__name__)
BATCH = 50


class Poller:
    """Fetch mail above the last handled UID, publish, record and flag it; then wait in IDLE.

    IDLE wakes the next round as soon as a mail arrives (servers without IDLE: after ``poll_s``);
    ``poll_s`` also bounds the wait, so a mail IDLE missed is still found by the next poll.

    Order matters for exactly-once: a mail is recorded (and flagged) only after JetStream acked its
    message; a crash in between republishes the same Nats-Msg-Id, which the server drops.
    """

    def __init__(self, bus: Bus, seen: SeenMail, mailbox: Mailbox, poll_s: float = 2.0) -> None:
        self.bus = bus
        self.seen = seen
        self.mailbox = mailbox
        # IMAP, NATS or PostgreSQL away: nothing was recorded, the next poll starts over on a new
        # IMAP connection.
        self.poll_s = poll_s
        # Each round polls, then waits in IDLE (woken at once by new mail) before the next one.
        self.worker = Loop("mail-ingest-poller", self._round, poll_s=0, on_error=self._disconnect)

    @property
    def healthy(self) -> bool:
        """True while polling runs and its last poll did not fail."""
        return self.worker.healthy

    async def start(self) -> None:
        """Start polling in the background."""
        self.worker.start()

    async def stop(self) -> None:
        """Finish the mail in hand, then log out."""
        await self.worker.stop()
        await self._disconnect()

    async def _round(self) -> None:
        await self.poll_once()
        if not self.worker.stopping:
            await asyncio.to_thread(self.mailbox.wait_for_news, self.poll_s, lambda: self.worker.stopping)

    async def _disconnect(self) -> None:
        await asyncio.to_thread(self.mailbox.close)

    async def poll_once(self) -> int:
        """Handle every mail above the last handled UID; returns how many were handled."""
        uidvalidity = await asyncio.to_thread(self.mailbox.select)
        last = await self.seen.last_uid(uidvalidity)
        uids = await asyncio.to_thread(self.mailbox.uids_after, last)
        handled = 0
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            raws = await asyncio.to_thread(self.mailbox.fetch, batch)
            for uid in batch:
                if self.worker.stopping:
                    return handled
                if uid in raws:
                    await self._handle(uidvalidity, uid, raws[uid])
                    handled += 1
        return handled

    async def _handle(self, uidvalidity: int, uid: int, raw: bytes) -> None:
        outcome = triage(raw, datetime.now(UTC))
        if await self.seen.known(outcome.message_id):
            # A UIDVALIDITY change (or the same mail delivered twice): handled before, by Message-ID.
            outcome = Outcome(outcome.message_id, "duplicate", "message_id_seen")
        elif outcome.message is not None:
            await self._publish(outcome)
        await self.seen.record(uidvalidity, uid, outcome.message_id, outcome.outcome, outcome.reason)
        await asyncio.to_thread(self.mailbox.mark_processed, uid)
        log.info("mail.handled", uid=uid, outcome=outcome.outcome, reason=outcome.reason)

    async def _publish(self, outcome: Outcome) -> None:
        assert outcome.message is not None
        reply = isinstance(outcome.message, TicketReplyReceivedV1)
        subject = TICKET_REPLY_RECEIVED_V1 if reply else TICKET_REQUESTED_V1
        ack = await self.bus.publish(subject, outcome.message, message_id=outcome.nats_id)
        log.info("mail.published", subject=subject, duplicate=ack.duplicate)
