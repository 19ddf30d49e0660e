"""A durable JetStream pull consumer that acks only after the work is done and dead-letters poison."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime

import nats.js.errors
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError

from contracts import REGISTRY, Envelope, Message, UnknownMessage
from contracts.registry import Registry
from contracts.subjects import Durable
from contracts.system import MessageDeadLetteredV1
from plumbing import metrics
from plumbing.bus import Bus
from plumbing.dead_letters import REPLAY_FOR_HEADER
from plumbing.errors import DATABASE_AWAY, Unavailable
from plumbing.logging import correlation, get_logger
from plumbing.settings import ConsumerSettings

log = get_logger(__name__)
# The handler gets the validated, typed message and its envelope (ids, correlation).
MessageHandler = Callable[[Message, Envelope], Awaitable[None]]


class Poison(Exception):
    """The message can never be handled (e.g. malformed); dead-letter it without retrying."""


# A dependency is away (SMTP, PostgreSQL, a service): no fault of the message, so it waits for as
# long as the outage lasts instead of being dead-lettered after max_deliver.
AWAY: tuple[type[Exception], ...] = (Unavailable, *DATABASE_AWAY)


def tuned(durable: Durable, settings: ConsumerSettings) -> Durable:
    """``durable`` with the delivery policy (max deliver, ack wait, backoff) the service's settings give."""
    return replace(
        durable,
        max_deliver=settings.consumer_max_deliver,
        ack_wait_s=settings.consumer_ack_wait_s,
        backoff_s=settings.consumer_backoff_s,
    )


class DurableConsumer:
    """Pulls from one durable consumer, one message at a time, until stopped.

    At-least-once: the handler must be idempotent. A failure is retried after a growing delay
    (nak with delay, so the messages behind it keep flowing); after ``max_deliver`` failed deliveries
    the message is published to the dead-letter subject with the error and terminated.
    """

    def __init__(
        self,
        bus: Bus,
        durable: Durable,
        handler: MessageHandler,
        *,
        registry: Registry = REGISTRY,
        batch: int = 10,
        fetch_timeout: float = 2.0,  # also how long stop() may wait for an idle pull
    ) -> None:
        self.bus = bus
        self.durable = durable
        self.handler = handler
        self.registry = registry
        self.batch = batch
        self.fetch_timeout = fetch_timeout
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.last_pull_ok = 0.0

    async def start(self) -> None:
        """Create or update the durable on the server and start pulling in the background."""
        await self._ensure_consumer()
        self.last_pull_ok = time.monotonic()
        self._task = asyncio.create_task(self._run(), name=f"consumer:{self.durable.name}")

    async def stop(self) -> None:
        """Finish the message in hand, hand the rest of the batch back, then stop pulling."""
        self._stopping.set()
        if self._task:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @property
    def healthy(self) -> bool:
        """True while the loop runs and pulled successfully recently."""
        running = self._task is not None and not self._task.done()
        return running and time.monotonic() - self.last_pull_ok < 3 * self.fetch_timeout + 10

    async def _ensure_consumer(self) -> None:
        durable = self.durable
        config = ConsumerConfig(
            name=durable.name,
            durable_name=durable.name,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=durable.ack_wait_s,
            # Unlimited on the server: a handler that crashes its process must still reach our
            # dead-letter path on the next delivery instead of being silently given up on.
            max_deliver=-1,
            max_ack_pending=1000,
        )
        if len(durable.filter_subjects) == 1:
            config.filter_subject = durable.filter_subjects[0]
        else:
            config.filter_subjects = list(durable.filter_subjects)
        await self.bus.js.add_consumer(durable.stream.name, config)

    async def _subscribe(self) -> nats.js.JetStreamContext.PullSubscription:
        return await self.bus.js.pull_subscribe_bind(
            durable=self.durable.name, stream=self.durable.stream.name
        )

    async def _run(self) -> None:
        subscription = None
        failures = 0
        while not self._stopping.is_set():
            if self.bus.nc.is_closed or self.bus.nc.is_draining:
                break  # the connection is going away for good: nothing more to pull
            try:
                if subscription is None:
                    await self._ensure_consumer()
                    subscription = await self._subscribe()
                try:
                    # No idle heartbeat: nats.py sends it again with the fetch's lingering pull, whose
                    # expiry is what is left of the fetch; on a busy machine that falls under twice the
                    # heartbeat, the server refuses the pull, and the messages the fetch's first probe
                    # already took were lost with the error until their ack wait ran out (a 30 s stall).
                    # A short fetch re-pulls often enough to notice a restarted server anyway.
                    messages = await subscription.fetch(self.batch, timeout=self.fetch_timeout)
                except TimeoutError:  # nats' own and asyncio's: nothing to do right now
                    messages = []
                self.last_pull_ok = time.monotonic()
                failures = 0
                if not messages:
                    metrics.CONSUMER_PENDING.labels(self.durable.name).set(0)  # nothing waits for us
                await self._process_batch(messages)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Reconnects, a restarted server or a deleted consumer: re-pull from scratch.
                failures += 1
                log.warning(
                    "consumer.pull_failed",
                    consumer=self.durable.name,
                    error=repr(exc),
                    description=getattr(exc, "description", None),
                )
                if subscription is not None:
                    with contextlib.suppress(Exception):
                        await subscription.unsubscribe()
                subscription = None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=min(0.5 * 2**failures, 10.0))
        if subscription is not None:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    async def _process_batch(self, messages: list[Msg]) -> None:
        """Handle a fetched batch in order, keeping every waiting message ours until its turn."""
        pending = list(messages)
        keepalive = asyncio.create_task(self._keep_alive(pending))
        try:
            while pending:
                if self._stopping.is_set():
                    # Stopping: hand the rest back at once so another replica takes them now.
                    for msg in pending:
                        with contextlib.suppress(Exception):
                            await msg.nak()
                    return
                await self._process(pending[0])
                pending.pop(0)
                self.last_pull_ok = time.monotonic()
        finally:
            keepalive.cancel()

    async def _process(self, msg: Msg) -> None:
        deliveries = msg.metadata.num_delivered
        started = time.perf_counter()
        label = self.durable.name
        replay_for = (msg.headers or {}).get(REPLAY_FOR_HEADER)
        if replay_for is not None and replay_for != label:
            await msg.ack()  # an operator's replay for another consumer of this stream
            metrics.MESSAGES_HANDLED.labels(label, "skipped").inc()
            return
        try:
            envelope, message = self._open(msg)
        except Poison as exc:
            await self._dead_letter(msg, deliveries, str(exc), message_id=_message_id(msg))
            metrics.MESSAGES_HANDLED.labels(label, "dead_lettered").inc()
            return
        with correlation(envelope.correlation_id, message_id=envelope.message_id, consumer=label):
            if deliveries > self.durable.max_deliver:
                # An earlier delivery never finished (the process died): give up now, loudly.
                await self._dead_letter(msg, deliveries, "handler did not finish", envelope.message_id)
                metrics.MESSAGES_HANDLED.labels(label, "dead_lettered").inc()
                return
            try:
                if not await self._handle_waiting_out(msg, message, envelope):
                    return  # stopping while a dependency is away: handed back
            except Exception as exc:
                await self._failed(msg, envelope, deliveries, exc)
                return
            finally:
                metrics.HANDLE_SECONDS.labels(label).observe(time.perf_counter() - started)
            await msg.ack()
            metrics.MESSAGES_HANDLED.labels(label, "ok").inc()
            # The server says with each message how many wait behind it: the consumer's lag, for free.
            metrics.CONSUMER_PENDING.labels(label).set(msg.metadata.num_pending)

    async def _handle_waiting_out(self, msg: Msg, message: Message, envelope: Envelope) -> bool:
        """Run the handler; while a dependency is away, keep the message in hand and try again.

        The message is kept alive meanwhile (the batch's keep-alive), so its delivery count does not
        grow and an outage of any length dead-letters nothing. False: stopping, the message handed back.
        """
        backoff = self.durable.backoff_s
        waited = 0
        while True:
            try:
                await self.handler(message, envelope)
                return True
            except AWAY as exc:
                if self._stopping.is_set():
                    await msg.nak()
                    return False
                delay = backoff[min(waited, len(backoff) - 1)]
                waited += 1
                log.warning("consumer.dependency_away", waited=waited, retry_in_s=delay, error=repr(exc))
                metrics.MESSAGES_HANDLED.labels(self.durable.name, "waiting").inc()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=delay)

    def _open(self, msg: Msg) -> tuple[Envelope, Message]:
        """The envelope and its validated body; Poison when retrying could never help."""
        try:
            envelope = Envelope.from_bytes(msg.data)
        except ValidationError as exc:
            raise Poison(f"malformed envelope: {exc.error_count()} error(s)") from exc
        try:
            return envelope, self.registry.open(envelope)
        except UnknownMessage as exc:
            raise Poison(f"unknown message type {exc}") from exc
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
            raise Poison(f"invalid {envelope.type_key}: {fields}") from exc

    async def _failed(self, msg: Msg, envelope: Envelope, deliveries: int, exc: Exception) -> None:
        label = self.durable.name
        error = f"{type(exc).__name__}: {exc}"
        # A handler may raise Poison for what retrying can never fix; anything else gets retries.
        if isinstance(exc, Poison) or deliveries >= self.durable.max_deliver:
            log.error("consumer.dead_letter", deliveries=deliveries, error=error)
            await self._dead_letter(msg, deliveries, error, envelope.message_id)
            metrics.MESSAGES_HANDLED.labels(label, "dead_lettered").inc()
            return
        backoff = self.durable.backoff_s
        delay = backoff[min(deliveries - 1, len(backoff) - 1)]
        log.warning("consumer.retry", deliveries=deliveries, retry_in_s=delay, error=error)
        await msg.nak(delay=delay)
        metrics.MESSAGES_HANDLED.labels(label, "retried").inc()

    async def _dead_letter(self, msg: Msg, deliveries: int, error: str, message_id: str | None) -> None:
        metadata = msg.metadata
        stream_seq = metadata.sequence.stream if metadata.sequence else 0
        report = MessageDeadLetteredV1(
            stream=self.durable.stream.name,
            consumer=self.durable.name,
            subject=msg.subject,
            stream_sequence=stream_seq,
            deliveries=deliveries,
            error=error[:4000],
            original_message_id=message_id,
            original_headers={k: v for k, v in (msg.headers or {}).items()},
            original_data=base64.b64encode(msg.data).decode(),
            failed_at=datetime.now(UTC),
        )
        # A stable id: if we die between this publish and the term, the repeat is dropped as a duplicate.
        dead_id = f"dead:{self.durable.stream.name}:{self.durable.name}:{stream_seq}"
        await self.bus.publish(self.durable.dead_letter_subject, report, message_id=dead_id)
        await msg.term()

    async def _keep_alive(self, pending: list[Msg]) -> None:
        """Tell the server we still hold these messages, so long work is not redelivered elsewhere."""
        interval = max(self.durable.ack_wait_s / 3, 0.5)
        while True:
            await asyncio.sleep(interval)
            for msg in list(pending):
                with contextlib.suppress(Exception):
                    await msg.in_progress()


def _message_id(msg: Msg) -> str | None:
    """The publisher's id from the headers, for a message whose envelope cannot be read."""
    return (msg.headers or {}).get("Nats-Msg-Id")
