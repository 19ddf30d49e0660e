"""The outbox relay: follows an event store's notification log and publishes contract events.

The notification log is the outbox: an event is recorded once, in the same transaction as the
aggregate change. The relay publishes each one to JetStream with ``Nats-Msg-Id =
<app>:<aggregate id>:<version>`` and
saves its position only after the PubAck, so a crash between the two republishes a message the
server then drops as a duplicate: nothing is lost and nothing is delivered twice within the window.

With several replicas, one relay publishes at a time: the one holding the relay's advisory lock
(``Leadership``). The others stand by, try the lock every poll and take over when the leader's
session ends; their own saves reach the leader as a nudge on core NATS, so a fact written on a
follower still leaves at once rather than at the leader's next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Notification, Tracking, TrackingRecorder
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from contracts import Envelope, Message
from plumbing.bus import Bus
from plumbing.crashpoints import crashpoint
from plumbing.eventstore import pool_checker
from plumbing.leadership import Leadership
from plumbing.logging import current_causation_id, get_logger
from plumbing.metrics import RELAY_LAG, RELAY_LEADING
from plumbing.worker import Loop

log = get_logger(__name__)
# A leader re-checks that its lock session is alive at most this often (a query per round is waste:
# two relays overlapping for a second only publish duplicates, which the server drops).
LEADER_CHECK_S = 1.0
# The relay's backlog (events recorded but not yet published) is measured at most this often.
LAG_EVERY_S = 1.0


def relay_leadership(postgres_url: str, app: Application[Any]) -> Leadership:
    """The lock that makes one replica's relay the publisher of ``app``'s events."""
    return Leadership(postgres_url, f"relay:{app.name}")


def nudge_subject(app_name: str) -> str:
    """Core-NATS subject on which replicas of one service wake the leading relay."""
    return f"atende.relay.{app_name.lower()}.nudge"


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
        leadership: Leadership | None = None,
    ) -> None:
        self.bus = bus
        self.app = app
        self.translate = translate
        self.positions = positions
        self.batch = batch
        self.poll_s = poll_s
        self.position = 0
        self.leadership = leadership  # None: this relay is the only one and always leads
        self.leading = leadership is None
        self._checked_at = 0.0
        self._lag_at = 0.0
        self._nudges: Subscription | None = None
        self._telling = False
        self._loop: asyncio.AbstractEventLoop | None = None
        # NATS or PostgreSQL away: a failed round keeps the position and starts again from it.
        # linger_s > 0: saves in quick succession go out in one round (one read of the log, one
        # position saved) instead of one round each, each fact leaving up to linger_s later.
        self.worker = Loop(
            f"relay:{app.name}", self.catch_up, poll_s=poll_s, linger_s=linger_s, on_error=pool_checker(app)
        )

    async def start(self) -> None:
        """Read the saved position and start following the log in the background."""
        self._loop = asyncio.get_running_loop()
        if self.leadership is not None:
            self._nudges = await self.bus.nc.subscribe(nudge_subject(self.app.name), cb=self._nudged)
        self.position = await self._saved_position() or 0
        self.worker.start()

    def nudge(self) -> None:
        """New events were recorded: publish now instead of at the next poll. Safe from any thread."""
        if self.leading:
            self.worker.nudge()
        elif self._loop is not None and not self._telling:
            self._telling = True  # one nudge in flight at a time: a burst of saves costs one message
            self._loop.call_soon_threadsafe(self._tell_leader)

    async def stop(self) -> None:
        """Finish the batch in hand, stop, and let another replica lead."""
        await self.worker.stop()
        if self._nudges is not None:
            with contextlib.suppress(Exception):
                await self._nudges.unsubscribe()
        if self.leadership is not None:
            await self.leadership.release()
            self.leading = False

    def _tell_leader(self) -> None:
        async def tell() -> None:
            try:
                await self.bus.nc.publish(nudge_subject(self.app.name), b"")
            except Exception as error:  # the leader polls anyway
                log.info("relay.nudge_failed", app=self.app.name, error=str(error))
            finally:
                self._telling = False

        asyncio.get_running_loop().create_task(tell())

    async def _nudged(self, _: Msg) -> None:
        if self.leading:
            self.worker.nudge()

    async def _lead(self) -> bool:
        """Whether this replica publishes now; the new leader starts from the saved position."""
        if self.leadership is None:
            return True
        now = time.monotonic()
        if self.leading and now - self._checked_at < LEADER_CHECK_S:
            return True
        try:
            holding = await self.leadership.hold()
        except Exception:
            self._demote()
            raise
        self._checked_at = now
        if holding and not self.leading:
            # Another leader may have gone further than this replica last saw.
            self.position = await self._saved_position() or 0
            self.leading = True
            RELAY_LEADING.labels(self.app.name).set(1)
            log.info("relay.leading", app=self.app.name, position=self.position)
        elif not holding and self.leading:
            self._demote()
        return holding

    def _demote(self) -> None:
        if self.leading:
            log.info("relay.standby", app=self.app.name)
        self.leading = False
        RELAY_LEADING.labels(self.app.name).set(0)

    async def catch_up(self) -> int:
        """Publish everything recorded so far; returns how many notifications were relayed."""
        if not await self._lead():
            return 0
        await self._measure_lag()
        relayed = 0
        while True:
            notifications = await asyncio.to_thread(self._select)
            if not notifications:
                return relayed
            # All of a batch in flight at once, in notification order (the stream stores them so);
            # the client sends them in few writes.
            await self._publish(notifications)
            crashpoint("relay.after_puback")  # tests: a kill -9 here republishes the batch into dedupe
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

    async def _measure_lag(self) -> None:
        now = time.monotonic()
        if now - self._lag_at >= LAG_EVERY_S:
            self._lag_at = now
            recorded = await asyncio.to_thread(self.app.recorder.max_notification_id) or 0
            RELAY_LAG.labels(self.app.name).set(max(0, recorded - self.position))

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
