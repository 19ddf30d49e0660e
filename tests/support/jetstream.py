"""What JetStream holds, read by tests: every fact published on a subject, and what waits for each durable."""

from __future__ import annotations

from typing import Any

from nats.js.api import DeliverPolicy

from contracts import Envelope
from plumbing.bus import Bus


async def facts(bus: Bus, subject: str, idle_s: float = 1.0) -> list[dict[str, Any]]:
    """The body of every fact on ``subject``, in stream order (its whole history, repeats included).

    Done once no message came for ``idle_s``.
    """
    subscription = await bus.js.subscribe(subject, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL)
    found: list[dict[str, Any]] = []
    try:
        while True:
            try:
                message = await subscription.next_msg(timeout=idle_s)
            except TimeoutError:
                return found
            found.append(Envelope.from_bytes(message.data).data)
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
