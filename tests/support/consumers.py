"""A test fact in the tests' own registry, and durable consumers of throwaway streams to carry it."""

from __future__ import annotations

import uuid
from typing import Any

from contracts import Message
from contracts.registry import Registry
from contracts.subjects import Durable, Stream
from plumbing.bus import Bus
from plumbing.consumer import DurableConsumer


class NoteV1(Message):
    """A test fact, in the tests' own registry (the published catalogue stays as it is)."""

    TYPE = "test.Note"
    VERSION = 1
    text: str


NOTES = Registry()
NOTES.add(NoteV1)


def make_consumer(bus: Bus, durable: Durable, handler: Any, **options: Any) -> DurableConsumer:
    return DurableConsumer(bus, durable, handler, registry=NOTES, fetch_timeout=1.0, **options)


def setup(max_deliver: int = 3, ack_wait_s: float = 1.0) -> tuple[Stream, Durable, str]:
    token = uuid.uuid4().hex[:8]
    stream = Stream(f"TEST_{token.upper()}", (f"test.{token}.>",), "any", "consumer test")
    subject = f"test.{token}.note"
    durable = Durable(f"d-{token}", stream, "any", (subject,), max_deliver, ack_wait_s, (0.1, 0.2))
    return stream, durable, subject


async def settled(bus: Bus, durable: Durable) -> bool:
    """Nothing left to deliver and nothing awaiting an ack."""
    info = await bus.js.consumer_info(durable.stream.name, durable.name)
    return info.num_pending == 0 and info.num_ack_pending == 0
