"""The tickets service as it runs: intake from JetStream, event store, relay to JetStream."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from support.waiting import eventually

from contracts import Envelope
from contracts.common import Channel
from contracts.subjects import TICKET_REQUESTED_V1, TICKETS
from contracts.tickets import TicketRequestedV1
from plumbing.bus import Bus
from tickets.bootstrap import bootstrap
from tickets.config import Settings
from tickets.store import open_tickets


async def messages(bus: Bus, stream: str) -> list[tuple[str, Envelope]]:
    info = await bus.js.stream_info(stream)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else ():
        raw = await bus.js.get_msg(stream, seq)
        assert raw.data is not None
        found.append((raw.subject, Envelope.from_bytes(raw.data)))
    return found


async def test_a_requested_ticket_opens_once_and_every_public_change_goes_out(
    bus: Bus, nats_url: str, postgres_url: str
) -> None:
    settings = Settings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)
    async with bootstrap(settings) as runtime:
        runtime.health.started = True
        await bus.js.purge_stream(TICKETS.name)
        request = TicketRequestedV1(
            request_id="email:<abc@example.com>",
            channel=Channel.EMAIL,
            customer_email="maria@example.com",
            customer_name="Maria",
            subject="Boleto vencido",
            body="Preciso da segunda via.",
            department="financeiro",
            received_at=datetime.now(UTC),
        )
        # mail-ingest publishing the same request twice (e.g. after a crash before flagging the mail)
        await bus.publish(TICKET_REQUESTED_V1, request)
        await bus.publish(TICKET_REQUESTED_V1, request)

        async def opened_once() -> bool:
            return len(await messages(bus, TICKETS.name)) == 1

        await eventually(opened_once, what="TicketOpenedV1 on the TICKETS stream")
        [(subject, envelope)] = await messages(bus, TICKETS.name)
        assert subject == "atende.tickets.events.opened.v1"
        assert envelope.data["customer_email"] == "maria@example.com"
        assert envelope.data["status"] == "waiting"
        assert envelope.data["number"] >= 1000
        ticket_id = envelope.data["ticket_id"]

        async with open_tickets(postgres_url) as agent_side:
            ticket = agent_side.get(UUID(ticket_id))
            ticket = agent_side.start_work(ticket.id, ticket.version, "ana")
            ticket = agent_side.add_note(ticket.id, ticket.version, note_id="n1", agent="ana", body="segredo")
            ticket = agent_side.reply(
                ticket.id,
                ticket.version,
                reply_id="r1",
                author_kind="agent",
                author="ana",
                body="Segue o boleto",
                channel="portal",
            )
            agent_side.finish(ticket.id, ticket.version, actor_kind="agent", actor="ana")

        async def all_out() -> bool:
            return len(await messages(bus, TICKETS.name)) == 6

        await eventually(all_out, what="the status changes, the note's fact, the reply and the close")
        published = await messages(bus, TICKETS.name)
        assert [subject.rsplit(".", 2)[-2] for subject, _ in published] == [
            "opened",
            "status-changed",
            "note-added",
            "replied",
            "status-changed",
            "closed",
        ]
        assert all("segredo" not in str(envelope.data) for _, envelope in published), (
            "notes' words stay inside"
        )
        [noted] = [e.data for s, e in published if s.endswith("note-added.v1")]
        assert (noted["author"], noted["number"]) == ("ana", envelope.data["number"])
        statuses = [(e.data["previous_status"], e.data["status"]) for s, e in published if "status" in s]
        assert statuses == [("waiting", "in_progress"), ("in_progress", "awaiting_customer")]
        assert {envelope.data["number"] for _, envelope in published} == {envelope.data["number"]}
