"""What JetStream holds, read by tests: every fact published on a subject, and what waits for each durable."""

from __future__ import annotations

from collections import Counter
from typing import Any

from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy

from contracts import Envelope
from plumbing.bus import Bus


async def facts(bus: Bus, subject: str, idle_s: float = 1.0) -> list[dict[str, Any]]:
    """The body of every fact on ``subject``, in stream order (its whole history, repeats included).

    Done once no message came for ``idle_s``.
    """
    return [Envelope.from_bytes(message.data).data for message in await history(bus, subject, idle_s)]


async def message_ids(bus: Bus, subject: str, idle_s: float = 1.0) -> Counter[str]:
    """How often a new consumer of the whole stream gets each Nats-Msg-Id under ``subject``."""
    return Counter((message.headers or {})["Nats-Msg-Id"] for message in await history(bus, subject, idle_s))


async def history(bus: Bus, subject: str, idle_s: float = 1.0) -> list[Msg]:
    """Every message on ``subject``, in stream order, read by a new ordered consumer."""
    subscription = await bus.js.subscribe(subject, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL)
    found: list[Msg] = []
    try:
        while True:
            try:
                found.append(await subscription.next_msg(timeout=idle_s))
            except TimeoutError:
                return found
    finally:
        await subscription.unsubscribe()


async def waiting(bus: Bus) -> dict[str, int]:
    """Each durable consumer on the server (``stream/name``): messages not yet delivered or not yet acked."""
    found: dict[str, int] = {}
    for stream in await bus.js.streams_info():
        assert stream.config.name is not None
        for consumer in await bus.js.consumers_info(stream.config.name):
            if consumer.config.durable_name:
                name = f"{stream.config.name}/{consumer.name}"
                found[name] = (consumer.num_pending or 0) + (consumer.num_ack_pending or 0)
    return found
