"""The operator's side of dead letters: list them, show one, replay it to its consumer, or discard it.

``python -m plumbing.dead_letters [--nats-url URL] list|show|replay|discard`` — in a pod, pass the
service's own URL (``--nats-url "$ATENDE_TICKETS_NATS_URL"``). A replay publishes the original bytes
again on their subject, marked for the one consumer that gave up (the stream's other consumers ack it
unread), then deletes the dead letter: fix the cause first, then replay.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import nats
import nats.js.errors
from nats.js import JetStreamContext
from pydantic import ValidationError

from contracts import REGISTRY, Envelope
from contracts.subjects import DEADLETTER
from contracts.system import MessageDeadLetteredV1

# On a replayed message: the one durable meant to handle it again; every other durable acks it unread.
REPLAY_FOR_HEADER = "Atende-Replay-For"


@dataclass(frozen=True)
class DeadLetter:
    """One dead letter: its sequence in the DEADLETTER stream and the consumer's report."""

    sequence: int
    report: MessageDeadLetteredV1

    def summary(self) -> dict[str, object]:
        """What ``list`` prints: enough to choose, without the original bytes."""
        report = self.report
        return {
            "sequence": self.sequence,
            "consumer": report.consumer,
            "stream": report.stream,
            "subject": report.subject,
            "stream_sequence": report.stream_sequence,
            "deliveries": report.deliveries,
            "failed_at": report.failed_at.isoformat(),
            "error": report.error,
        }


async def read(js: JetStreamContext, *, consumer: str | None = None) -> list[DeadLetter]:
    """Every dead letter still kept, oldest first, of one consumer or of all."""
    found: list[DeadLetter] = []
    subject = f"atende.deadletter.*.{consumer}" if consumer else "atende.deadletter.>"
    sequence = 1
    while True:
        try:
            raw = await js.get_msg(DEADLETTER.name, seq=sequence, subject=subject, next=True)
        except nats.js.errors.NotFoundError:
            return found
        if raw.seq is None:
            return found
        if raw.data is not None:
            found.append(DeadLetter(raw.seq, _report(raw.data)))
        sequence = raw.seq + 1


async def one(js: JetStreamContext, sequence: int) -> DeadLetter:
    """The dead letter at ``sequence``; LookupError when there is none (already replayed or discarded)."""
    try:
        raw = await js.get_msg(DEADLETTER.name, seq=sequence)
    except nats.js.errors.NotFoundError as exc:
        raise LookupError(f"no dead letter {sequence}") from exc
    return DeadLetter(sequence, _report(raw.data or b""))


async def replay(js: JetStreamContext, letter: DeadLetter) -> None:
    """Publish the original again for its consumer alone, then forget the dead letter."""
    report = letter.report
    headers = dict(report.original_headers)
    original_id = headers.pop("Nats-Msg-Id", "")
    # A fresh id per dead letter: the original's would be dropped as a duplicate, and a replay repeated
    # after a crash (before the delete below) is dropped instead of delivered twice.
    headers["Nats-Msg-Id"] = f"replay:{letter.sequence}:{original_id}"
    headers[REPLAY_FOR_HEADER] = report.consumer
    ack = await js.publish(report.subject, base64.b64decode(report.original_data), headers=headers)
    if ack.stream != report.stream:
        raise RuntimeError(f"{report.subject} went to stream {ack.stream}, not {report.stream}")
    await discard(js, letter.sequence)


async def discard(js: JetStreamContext, sequence: int) -> None:
    """Delete a dead letter for good."""
    try:
        await js.delete_msg(DEADLETTER.name, sequence)
    except nats.js.errors.NotFoundError as exc:
        raise LookupError(f"no dead letter {sequence}") from exc


def _report(data: bytes) -> MessageDeadLetteredV1:
    try:
        message = REGISTRY.open(Envelope.from_bytes(data))
    except (ValidationError, LookupError) as exc:
        raise RuntimeError(f"not a dead-letter report: {exc}") from exc
    if not isinstance(message, MessageDeadLetteredV1):
        raise RuntimeError(f"not a dead-letter report: {type(message).__name__}")
    return message


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m plumbing.dead_letters", description=__doc__)
    parser.add_argument(
        "--nats-url",
        default=os.environ.get("ATENDE_NATS_URL", "nats://127.0.0.1:4222"),
        help="NATS server (default: $ATENDE_NATS_URL or nats://127.0.0.1:4222)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="one JSON line per dead letter, oldest first")
    listing.add_argument("--consumer", help="only this durable's (e.g. notifier-tickets)")
    commands.add_parser("show", help="one dead letter whole, with its original message").add_argument(
        "sequence", type=int
    )
    replaying = commands.add_parser("replay", help="deliver again to the consumer that gave up")
    replaying.add_argument("sequences", type=int, nargs="*")
    replaying.add_argument("--all", action="store_true", help="every dead letter (of --consumer)")
    replaying.add_argument("--consumer")
    commands.add_parser("discard", help="delete dead letters for good").add_argument(
        "sequences", type=int, nargs="+"
    )
    return parser


async def _run(args: argparse.Namespace) -> int:
    nc = await nats.connect(args.nats_url, name="dead-letters", connect_timeout=5, max_reconnect_attempts=1)
    try:
        js = nc.jetstream()
        if args.command == "list":
            for letter in await read(js, consumer=args.consumer):
                print(json.dumps(letter.summary(), ensure_ascii=False))
        elif args.command == "show":
            letter = await one(js, args.sequence)
            shown = letter.report.model_dump(mode="json")
            original = base64.b64decode(letter.report.original_data)
            shown["original_data"] = original.decode("utf-8", errors="replace")
            print(json.dumps({"sequence": letter.sequence, **shown}, ensure_ascii=False, indent=2))
        elif args.command == "replay":
            if args.all == bool(args.sequences):
                print("give dead-letter sequences or --all", file=sys.stderr)
                return 2
            letters = (
                await read(js, consumer=args.consumer)
                if args.all
                else [await one(js, sequence) for sequence in args.sequences]
            )
            for letter in letters:
                await replay(js, letter)
                print(f"replayed {letter.sequence} to {letter.report.consumer} ({letter.report.subject})")
        else:
            for sequence in args.sequences:
                await discard(js, sequence)
                print(f"discarded {sequence}")
        return 0
    except LookupError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        await nc.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one operator command; exit 0 done, 1 not found, 2 bad arguments."""
    return asyncio.run(_run(_parser().parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
