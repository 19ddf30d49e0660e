"""The "Finalizado" mail through real SMTP carries the five rating links with the ticket's key."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from support.infra import Mail
from support.mails import received, text_of

from contracts import Envelope
from contracts.common import ActorKind, Channel
from contracts.tickets import TicketClosedV1, TicketOpenedV1, TicketStatus
from notifier.adapters import known_tickets, mail_log, name_lookups
from notifier.adapters.templates import Templates
from notifier.config import Settings
from notifier.entrypoints.consumer import handle_ticket_events
from plumbing import inbox
from plumbing.postgres import open_pool

NOW = datetime.now(UTC)
PUBLIC = "http://127.0.0.1:8000"


async def test_the_finished_mail_has_five_one_click_links_with_the_key(postgres_url: str, mail: Mail) -> None:
    customer = f"maria-{uuid.uuid4().hex[:8]}@example.com"
    ticket_id, key = str(uuid.uuid4()), f"key-{uuid.uuid4().hex}"
    common = {"ticket_id": ticket_id, "number": 2042, "customer_email": customer}
    facts = [
        TicketOpenedV1(
            **common,
            channel=Channel.PORTAL,
            customer_name="Maria",
            subject="Boleto vencido",
            status=TicketStatus.WAITING,
            opened_at=NOW,
        ),
        TicketClosedV1(**common, closed_by=ActorKind.AGENT, closed_at=NOW, rating_key=key),
    ]
    settings = Settings(postgres_url=postgres_url, smtp_host=mail.smtp_host, smtp_port=mail.smtp_port)
    async with open_pool(postgres_url) as pool:
        for ensure in (inbox.ensure_schema, known_tickets.ensure_schema, mail_log.ensure_schema):
            await ensure(pool)
        await name_lookups.ensure_schema(pool)
        handle = handle_ticket_events(pool, settings, Templates("pt-BR", PUBLIC))
        envelopes = [Envelope.wrap(fact) for fact in facts]
        for fact, envelope in zip(facts, envelopes, strict=True):
            await handle(fact, envelope)
        await handle(facts[1], envelopes[1])  # a redelivery sends nothing more

    mails = received(mail, customer)
    assert len(mails) == 2, [m["Subject"] for m in mails]
    finished = text_of(mails[1])
    assert "Finalizado" in finished and "Como foi o atendimento?" in finished
    for score in range(1, 6):
        assert f"{PUBLIC}/rate/ticket/{ticket_id}?key={key}&score={score}" in finished
    html = mails[1].get_body(("html",))
    assert html is not None
    assert str(html.get_content()).count(f"/rate/ticket/{ticket_id}?key={key}&amp;score=") == 5
    assert "/rate/" not in text_of(mails[0]), "only the finished ticket's mail asks for a rating"
