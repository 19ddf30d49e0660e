"""Watches the support mailbox (poll, then IMAP IDLE) and hands each new mail to intake once."""

from __future__ import annotations

import asyncio
import contextlib

from mail_ingest.adapters.imap import Mailbox
from mail_ingest.intake import Intake
from plumbing.leadership import Leadership
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

    Only the replica holding the advisory lock polls; the others check every ``poll_s`` and take
    over when its session ends. Mail over ``max_bytes`` (the server's RFC822.SIZE) is never fetched.
    """

    def __init__(self, intake: Intake, mailbox: Mailbox, lock: Leadership, poll_s: float = 2.0) -> None:
        self.intake = intake
        self.mailbox = mailbox
        self.lock = lock
        self.poll_s = poll_s
        self.leading = False
        self._stopping = asyncio.Event()  # ends a standby's pause at once
        # IMAP, NATS or PostgreSQL away: nothing was recorded, the next poll starts over on a new
        # IMAP connection. Each round polls, then waits in IDLE (woken at once by new mail).
        self.worker = Loop("mail-ingest-poller", self._round, poll_s=0, on_error=self._disconnect)

    @property
    def healthy(self) -> bool:
        """True while polling (or standing by) runs and its last round did not fail."""
        return self.worker.healthy

    async def start(self) -> None:
        """Start polling in the background."""
        self.worker.start()

    async def stop(self) -> None:
        """Finish the mail in hand, then log out and let the lock go."""
        self._stopping.set()
        await self.worker.stop()
        await self._disconnect()
        await self.lock.release()

    async def _round(self) -> None:
        if not await self._lead():
            await self._pause(self.poll_s)
            return
        await self.poll_once()
        # The mailbox answered: readiness says so now, not only after the IDLE wait below ends.
        self.worker.failures = 0
        if not self.worker.stopping:
            await asyncio.to_thread(self.mailbox.wait_for_news, self.poll_s, lambda: self.worker.stopping)

    async def _lead(self) -> bool:
        """Whether this replica polls now; logs when that changes."""
        try:
            holding = await self.lock.hold()
        except Exception:
            self.leading = False
            raise
        if holding != self.leading:
            log.info("poller.leading" if holding else "poller.standby", lock=self.lock.key)
            if not holding:
                await self._disconnect()
        self.leading = holding
        return holding

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _disconnect(self) -> None:
        await asyncio.to_thread(self.mailbox.close)

    async def poll_once(self) -> int:
        """Handle every mail above the last handled UID; returns how many were handled."""
        uidvalidity = await asyncio.to_thread(self.mailbox.select)
        last = await self.intake.seen.last_uid(uidvalidity)
        uids = await asyncio.to_thread(self.mailbox.uids_after, last)
        handled = 0
        for start in range(0, len(uids), BATCH):
            if handled and not await self._lead():
                return handled  # another replica holds the lock now: it carries on from the record
            batch = uids[start : start + BATCH]
            sizes = await asyncio.to_thread(self.mailbox.sizes, batch)
            for group in fetch_groups(batch, sizes, self.intake.max_bytes):
                if self.worker.stopping:
                    return handled
                handled += await self._handle(uidvalidity, group, sizes)
        return handled

    async def _handle(self, uidvalidity: int, group: list[int], sizes: dict[int, int]) -> int:
        """Fetch and handle one group of mail, in UID order (the record's highest UID is where we resume)."""
        small = [uid for uid in group if sizes.get(uid, 0) <= self.intake.max_bytes]
        large = [uid for uid in group if sizes.get(uid, 0) > self.intake.max_bytes]
        raws = await asyncio.to_thread(self.mailbox.fetch, small) if small else {}
        heads = await asyncio.to_thread(self.mailbox.headers, large) if large else {}
        handled = 0
        for uid in group:
            if self.worker.stopping:
                break
            if uid in raws:
                outcome = await self.intake.handle(uidvalidity, uid, raws.pop(uid), sizes.get(uid))
            elif uid in heads:
                outcome = await self.intake.too_large(uidvalidity, uid, heads[uid], sizes[uid])
            else:
                continue  # expunged since the search
            await asyncio.to_thread(self.mailbox.mark_processed, uid)
            log.info("mail.handled", uid=uid, outcome=outcome.outcome, reason=outcome.reason)
            handled += 1
        return handled


def fetch_groups(uids: list[int], sizes: dict[int, int], budget: int) -> list[list[int]]:
    """Consecutive runs of ``uids`` whose mail together stays within ``budget`` bytes (one mail at least).

    Fifty mails just under a 25 MB limit fetched at once would hold 1.25 GB in memory.
    """
    groups: list[list[int]] = []
    used = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        cost = size if size <= budget else 0  # mail over the limit: only its header block is fetched
        if not groups or used + cost > budget:
            groups.append([])
            used = 0
        groups[-1].append(uid)
        used += cost
    return groups
