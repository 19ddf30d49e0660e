"""An operator lists, shows, replays and discards dead letters with ``python -m plumbing.dead_letters``."""

from __future__ import annotations

import json
import subprocess
import sys

from support.consumers import NoteV1, make_consumer, settled, setup
from support.waiting import eventually

from contracts import Envelope, Message
from contracts.subjects import DEADLETTER, Durable
from plumbing.bus import Bus
from plumbing.dead_letters import read


def operator(nats_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as an operator types it."""
    return subprocess.run(
        [sys.executable, "-m", "plumbing.dead_letters", "--nats-url", nats_url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_a_replay_reaches_only_the_consumer_that_gave_up_and_the_dead_letter_is_gone(
    bus: Bus, nats_url: str
) -> None:
    stream, failing, subject = setup(max_deliver=2)
    # A second durable on the same stream, which handled the message the first time round.
    other = Durable(f"{failing.name}-other", stream, "any", (subject,), 2, 1.0, (0.1,))
    await bus.ensure_streams([stream, DEADLETTER])
    fixed = False
    handled: dict[str, list[str]] = {failing.name: [], other.name: []}

    def handler_of(name: str, *, buggy: bool):  # type: ignore[no-untyped-def]
        async def handle(message: Message, envelope: Envelope) -> None:
            assert isinstance(message, NoteV1)
            if buggy and message.text == "poison" and not fixed:
                raise RuntimeError("a bug the operator fixes")
            handled[name].append(message.text)

        return handle

    consumers = [
        make_consumer(bus, failing, handler_of(failing.name, buggy=True)),
        make_consumer(bus, other, handler_of(other.name, buggy=False)),
    ]
    for consumer in consumers:
        await consumer.start()
    try:
        await bus.publish(subject, NoteV1(text="poison"))
        await bus.publish(subject, NoteV1(text="fine"))
        await eventually(lambda: handled[failing.name] == ["fine"], what="the rest flows past the poison")

        async def dead() -> bool:
            return len(await read(bus.js, consumer=failing.name)) == 1

        await eventually(dead, what="the poison dead-lettered")

        listed = operator(nats_url, "list", "--consumer", failing.name)
        assert listed.returncode == 0, listed.stderr
        (line,) = listed.stdout.splitlines()
        summary = json.loads(line)
        assert summary["consumer"] == failing.name
        assert summary["subject"] == subject
        assert summary["deliveries"] == 2
        assert "a bug the operator fixes" in summary["error"]

        shown = operator(nats_url, "show", str(summary["sequence"]))
        assert shown.returncode == 0, shown.stderr
        assert '"poison"' in json.loads(shown.stdout)["original_data"]

        fixed = True
        replayed = operator(nats_url, "replay", str(summary["sequence"]))
        assert replayed.returncode == 0, replayed.stderr
        await eventually(
            lambda: handled[failing.name] == ["fine", "poison"], what="the replay handled by its consumer"
        )
        for durable in (failing, other):
            await eventually(lambda durable=durable: settled(bus, durable), what=f"{durable.name} settled")
        assert handled[other.name] == ["poison", "fine"]  # the other consumer did not get it twice
        assert await read(bus.js, consumer=failing.name) == []

        again = operator(nats_url, "replay", str(summary["sequence"]))
        assert again.returncode == 1
        assert "no dead letter" in again.stderr
    finally:
        for consumer in consumers:
            await consumer.stop()
        await bus.js.delete_stream(stream.name)


async def test_discard_forgets_a_dead_letter_and_bad_arguments_are_refused(bus: Bus, nats_url: str) -> None:
    stream, durable, subject = setup(max_deliver=1)
    await bus.ensure_streams([stream, DEADLETTER])

    async def broken(message: Message, envelope: Envelope) -> None:
        raise RuntimeError("always")

    consumer = make_consumer(bus, durable, broken)
    await consumer.start()
    try:
        await bus.publish(subject, NoteV1(text="x"))

        async def dead() -> bool:
            return len(await read(bus.js, consumer=durable.name)) == 1

        await eventually(dead, what="dead-lettered")
        (letter,) = await read(bus.js, consumer=durable.name)
        assert operator(nats_url, "replay").returncode == 2  # neither sequences nor --all
        discarded = operator(nats_url, "discard", str(letter.sequence))
        assert discarded.returncode == 0, discarded.stderr
        assert await read(bus.js, consumer=durable.name) == []
        await eventually(lambda: settled(bus, durable), what="nothing pending")
    finally:
        await consumer.stop()
        await bus.js.delete_stream(stream.name)
