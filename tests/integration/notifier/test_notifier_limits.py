"""The notifier holds mail back (recorded, never silently): a bounced address, and the hourly caps."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime

import nats.js.errors
import psycopg
import pytest
from support.infra import Mail
from support.mails import received
from support.waiting import eventually

from contracts import Message
from contracts.accounts import AccountEmail, AccountEmailRequestedV1
from contracts.common import ActorKind, Channel
from contracts.subjects import (
    ACCOUNT_EMAIL_REQUESTED_V1,
    DEADLETTER,
    NOTIFIER_TICKETS_DURABLE,
    TICKET_DELIVERY_FAILED_V1,
    TICKET_OPENED_V1,
    TICKET_REPLIED_V1,
    TICKET_STATUS_CHANGED_V1,
    TICKETS,
)
from contracts.tickets import (
    TicketDeliveryFailedV1,
    TicketOpenedV1,
    TicketRepliedV1,
    TicketStatus,
    TicketStatusChangedV1,
)
from notifier.bootstrap import bootstrap
from notifier.config import Settings
from plumbing.bus import Bus

NOW = datetime.now(UTC)


@pytest.fixture
async def clean_stream(bus: Bus) -> None:
    """Only this test's events on TICKETS, and a durable that starts from its beginning."""
    await bus.ensure_streams([TICKETS, DEADLETTER])
    await bus.js.purge_stream(TICKETS.name)
    with contextlib.suppress(nats.js.errors.NotFoundError):
        await bus.js.delete_consumer(TICKETS.name, NOTIFIER_TICKETS_DURABLE.name)


def ticket_events(ticket: str, customer: str, number: int) -> dict[str, Message]:
    common = {"ticket_id": ticket, "number": number, "customer_email": customer}

    def moved(previous: TicketStatus, status: TicketStatus) -> TicketStatusChangedV1:
        return TicketStatusChangedV1(
            **common, previous_status=previous, status=status, changed_by=ActorKind.AGENT, changed_at=NOW
        )

    def reply(n: int, author: ActorKind) -> TicketRepliedV1:
        return TicketRepliedV1(
            **common,
            reply_id=f"r{n}",
            author_kind=author,
            body=f"resposta {n}",
            channel=Channel.EMAIL,
            replied_at=NOW,
        )

    return {
        "opened": TicketOpenedV1(
            **common, channel=Channel.EMAIL, subject="Boleto", status=TicketStatus.WAITING, opened_at=NOW
        ),
        "bounced": TicketDeliveryFailedV1(**common, recipient=customer, status="5.2.2", failed_at=NOW),
        "working": moved(TicketStatus.WAITING, TicketStatus.IN_PROGRESS),
        "customer_wrote": reply(1, ActorKind.CUSTOMER),
        "waiting": moved(TicketStatus.IN_PROGRESS, TicketStatus.WAITING),
        **{f"agent{n}": reply(n, ActorKind.AGENT) for n in range(2, 6)},
    }


SUBJECTS = {
    TicketOpenedV1: TICKET_OPENED_V1,
    TicketDeliveryFailedV1: TICKET_DELIVERY_FAILED_V1,
    TicketStatusChangedV1: TICKET_STATUS_CHANGED_V1,
    TicketRepliedV1: TICKET_REPLIED_V1,
}


def log(postgres_url: str, address: str) -> list[tuple[str, str, str | None]]:
    with psycopg.connect(postgres_url) as conn:
        return conn.execute(
            "SELECT kind, outcome, reason FROM mail_log WHERE address = %s ORDER BY at, event_id", (address,)
        ).fetchall()


@pytest.mark.usefixtures("clean_stream")
async def test_a_bounced_address_and_the_caps_hold_mail_back_with_the_reason(
    bus: Bus, nats_url: str, postgres_url: str, mail: Mail
) -> None:
    customer = f"maria-{uuid.uuid4().hex[:8]}@example.com"
    settings = Settings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        smtp_host=mail.smtp_host,
        smtp_port=mail.smtp_port,
        mails_per_ticket_hour=3,
        account_mails_per_address_hour=1,
    )
    events = ticket_events(str(uuid.uuid4()), customer, 1042)
    async with bootstrap(settings) as runtime:
        runtime.health.started = True
        for name, event in events.items():
            await bus.publish(SUBJECTS[type(event)], event, message_id=f"{customer}:{name}")
        for n in range(2):
            request = AccountEmailRequestedV1(
                email_id=f"{customer}:reset{n}",
                kind=AccountEmail.RESET_PASSWORD,
                to_email=customer,
                link="https://atende.example.com/reset#token=x",
                requested_at=NOW,
            )
            await bus.publish(ACCOUNT_EMAIL_REQUESTED_V1, request)
        await eventually(lambda: len(log(postgres_url, customer)) == 9, what="every mail sent or skipped")

    rows = log(postgres_url, customer)
    assert [row for row in rows if row[0] != "reset_password"] == [
        ("opened", "sent", None),
        # Mail to the address bounced: nothing more until it writes to us by email again.
        ("status_changed", "skipped", "address_flagged"),
        # Its emailed reply (which mails nothing itself) cleared the flag.
        ("status_changed", "sent", None),
        ("replied", "sent", None),
        # Three mails about the ticket this hour: the rest is held back.
        ("replied", "skipped", "ticket_cap"),
        ("replied", "skipped", "ticket_cap"),
        ("replied", "skipped", "ticket_cap"),
    ]
    # Account mails have their own cap (here one an hour), and no bounce flag stops them.
    assert [row for row in rows if row[0] == "reset_password"] == [
        ("reset_password", "sent", None),
        ("reset_password", "skipped", "address_cap"),
    ]
    await eventually(lambda: len(received(mail, customer)) >= 4, what="the mails that were sent")
    assert len(received(mail, customer)) == 4
