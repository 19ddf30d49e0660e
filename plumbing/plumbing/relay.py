"""The outbox relay: follows an event store's notification log and publishes contract events.

The notification log is the outbox: an event is recorded once, in the same transaction as the
aggregate change. The relay publishes each one to JetStream with ``Nats-Msg-Id =
<app>:<aggregate id>:<version>`` and
saves its position only after the PubAck, so a crash between the two republishes a message the
server then drops as a duplicate: nothing is lost and nothing is delivered twice within the window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Notification, Tracking, TrackingRecorder

from contracts import Envelope, Message
from plumbing.bus import Bus
from plumbing.logging import current_causation_id, get_logger
from plumbing.worker import Loop

log = get_logger(__name__)


@dataclass(frozen=True)
class Publication:
    """What one domain event becomes on the wire."""

    subject: str
    message: Message
    correlation_id: str | None = None


# A domain event → its publication, or None for events that stay inside the service.
Translate = Callable[[Any], Publication | None]


def positions_recorder(app: Application[Any]) -> TrackingRecorder:
    """Where the relay remembers how far it published: its own table beside the event store."""
    datastore = getattr(app.factory, "datastore", None)
    if datastore is None:
        # In-memory (POPO) persistence, for tests of the service layer.
        from eventsourcing.popo import POPOTrackingRecorder

        return POPOTrackingRecorder()
    from eventsourcing.postgres import PostgresTrackingRecorder

    recorder = PostgresTrackingRecorder(datastore, tracking_table_name=f"{app.name.lower()}_relay_position")
    recorder.create_table()
    return recorder


class Relay:
    """Publishes an application's events to JetStream in notification order, at least once."""

    def __init__(
        self,
        bus: Bus,
        app: Application[Any],
        translate: Translate,
        positions: TrackingRecorder,
        *,
        batch: int = 100,
        poll_s: float = 0.5,
        linger_s: float = 0.0,
    ) -> None:
        self.bus = bus
        self.app = app
        self.translate = translate
        self.positions = positions
        self.batch = batch
        self.poll_s = poll_s
        self.position = 0
        # NATS or PostgreSQL away: a failed round keeps the position and starts again from it.
        # linger_s > 0: saves in quick succession go out in one round (one read of the log, one
        # position saved) instead of one round each, each fact leaving up to linger_s later.
        self.worker = Loop(f"relay:{app.name}", self.catch_up, poll_s=poll_s, linger_s=linger_s)

    async def start(self) -> None:
        """Read the saved position and start following the log in the background."""
        self.position = await self._saved_position() or 0
        self.worker.start()

    def nudge(self) -> None:
        """New events were recorded: look now instead of at the next poll. Safe from any thread."""
        self.worker.nudge()

    async def stop(self) -> None:
        """Finish the batch in hand and stop."""
        await self.worker.stop()

    async def catch_up(self) -> int:
        """Publish everything recorded so far; returns how many notifications were relayed."""
        relayed = 0
        while True:
            notifications = await asyncio.to_thread(self._select)
            if not notifications:
                return relayed
            # All of a batch in flight at once, in notification order (the stream stores them so);
            # the client sends them in few writes.
            await self._publish(notifications)
            last = notifications[-1].id
            # Only after every PubAck of the batch: a crash before this line republishes (deduped).
            try:
                await asyncio.to_thread(self.positions.insert_tracking, Tracking(self.app.name, last))
            except IntegrityError:
                # Another relay replica saved a position at or past ours: continue from there.
                last = await self._saved_position() or last
            self.position = last
            relayed += len(notifications)
            if len(notifications) < self.batch:
                # Caught up with what was recorded when we looked. A local save since then nudged
                # the loop, which runs again at once; other replicas' writes wait for the next poll.
                return relayed

    async def _saved_position(self) -> int | None:
        saved: int | None = await asyncio.to_thread(self.positions.max_tracking_id, self.app.name)
        return saved

    def _select(self) -> Sequence[Notification]:
        # The recorder, not notification_log: the log caps a selection at its section size (10).
        return self.app.recorder.select_notifications(start=self.position + 1, limit=self.batch)

    async def _publish(self, notifications: Sequence[Notification]) -> None:
        causation_id = current_causation_id()  # the loop handles no message: normally none
        to_event = self.app.mapper.to_domain_event
        publications = []
        for notification in notifications:
            publication = self.translate(to_event(notification))
            if publication is None:
                continue
            # Deterministic, so a republish is dropped as a duplicate; and unique beyond this store
            # (aggregate id and version, not the notification id, which restarts in a new database).
            message_id = f"{self.app.name}:{notification.originator_id}:{notification.originator_version}"
            envelope = Envelope.wrap(
                publication.message,
                message_id=message_id,
                # Without a correlation from the command, the fact starts its own chain, named after
                # itself (deterministic, so a republish carries the same one).
                correlation_id=publication.correlation_id or message_id,
                causation_id=causation_id,
            )
            publications.append((publication.subject, envelope))
        if publications:
            await self.bus.publish_many(publications)
