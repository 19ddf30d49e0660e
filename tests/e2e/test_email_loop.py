"""Guide 000's email loop, end to end on real servers: mail in → ticket → mails out → reply in."""

from __future__ import annotations

import contextlib
import smtplib
import uuid
from collections.abc import AsyncIterator
from email.message import EmailMessage
from typing import Any

import httpx
import nats.js.errors
import pytest
from support.infra import SUPPORT_ADDRESS, Mail
from support.mails import received, text_of
from support.waiting import eventually

from contracts.subjects import (
    NOTIFIER_TICKETS_DURABLE,
    TICKETS,
    TICKETS_INTAKE,
    TICKETS_INTAKE_DURABLE,
)
from devstack.procs import free_port
from gateway.accounts import staff
from gateway.bootstrap import bootstrap as gateway
from gateway.config import Settings as GatewaySettings
from mail_ingest.bootstrap import bootstrap as mail_ingest
from mail_ingest.config import Settings as MailIngestSettings
from notifier.bootstrap import bootstrap as notifier
from notifier.config import Settings as NotifierSettings
from plumbing.bus import Bus
from tickets.bootstrap import bootstrap as tickets
from tickets.config import Settings as TicketsSettings

PASSWORD = "correct horse battery"


@pytest.fixture
async def atende(bus: Bus, nats_url: str, postgres_url: str, mail: Mail) -> AsyncIterator[Any]:
    """tickets, mail-ingest, notifier and the gateway, each as it runs, on the session's servers."""
    await bus.ensure_streams([TICKETS, TICKETS_INTAKE])
    for stream, durable in ((TICKETS, NOTIFIER_TICKETS_DURABLE), (TICKETS_INTAKE, TICKETS_INTAKE_DURABLE)):
        await bus.js.purge_stream(stream.name)
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await bus.js.delete_consumer(stream.name, durable.name)
    common: dict[str, Any] = {"nats_url": nats_url, "postgres_url": postgres_url, "ops_port": None}
    port = free_port()
    async with contextlib.AsyncExitStack() as stack:
        runtimes = [
            await stack.enter_async_context(tickets(TicketsSettings(**common))),
            await stack.enter_async_context(
                notifier(NotifierSettings(**common, smtp_host=mail.smtp_host, smtp_port=mail.smtp_port))
            ),
            await stack.enter_async_context(
                mail_ingest(
                    MailIngestSettings(
                        **common,
                        imap_host=mail.imap_host,
                        imap_port=mail.imap_port,
                        imap_user=mail.imap_user,
                        imap_password=mail.imap_password,
                        poll_s=0.2,
                    )
                )
            ),
            await stack.enter_async_context(
                gateway(GatewaySettings(**common, http_port=port, dev_mode=True, cookie_secure=False))
            ),
        ]
        for runtime in runtimes:
            runtime.health.started = True
        runtimes[-1].url = f"http://127.0.0.1:{port}"
        yield runtimes[-1]


def send(mail: Mail, message: EmailMessage) -> None:
    with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)


async def test_a_mail_opens_a_ticket_the_customer_is_mailed_and_the_answer_lands_in_it(
    atende: Any, mail: Mail
) -> None:
    customer = f"carla-{uuid.uuid4().hex[:8]}@example.com"
    first = EmailMessage()
    first["From"] = f"Carla Dias <{customer}>"
    first["To"] = SUPPORT_ADDRESS
    first["Subject"] = "Nota fiscal não sai"
    first["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    first.set_content("Olá, ao emitir a nota fiscal aparece o erro 42.\n\nCarla")
    send(mail, first)

    await eventually(lambda: len(received(mail, customer)) == 1, what="the receipt", timeout=30)
    [receipt] = received(mail, customer)
    subject = str(receipt["Subject"])
    assert subject.startswith("[#") and subject.endswith("] Nota fiscal não sai")
    number = subject[2 : subject.index("]")]

    await staff.create(atende.accounts, "ana@example.com", "Ana Souza", "agent", ["Suporte"], PASSWORD)
    async with httpx.AsyncClient(base_url=atende.url) as agent:
        session = await agent.post("/api/v1/session", json={"email": "ana@example.com", "password": PASSWORD})
        agent.headers["X-CSRF-Token"] = session.json()["csrf_token"]
        found = (await agent.get("/api/v1/agent/tickets", params={"q": f"#{number}"})).json()["tickets"]
        assert [t["channel"] for t in found] == ["email"]
        ticket_id = found[0]["id"]
        answered = await agent.post(
            f"/api/v1/agent/tickets/{ticket_id}/replies", json={"body": "Atualize o certificado, por favor."}
        )
        assert answered.status_code == 201

        await eventually(
            lambda: len(received(mail, customer)) == 2, what="the agent's reply by mail", timeout=30
        )
        reply_mail = received(mail, customer)[-1]
        assert "Atualize o certificado" in text_of(reply_mail) and "Aguardando sua resposta" in text_of(
            reply_mail
        )

        answer = EmailMessage()
        answer["From"] = customer
        answer["To"] = SUPPORT_ADDRESS
        answer["Subject"] = f"Re: {reply_mail['Subject']}"
        answer["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
        answer["In-Reply-To"] = reply_mail["Message-ID"]
        answer["References"] = f"{reply_mail['References']} {reply_mail['Message-ID']}"
        answer.set_content(
            "Funcionou, obrigada!\n\nEm sáb., Equipe de suporte escreveu:\n> Atualize o certificado\n"
        )
        send(mail, answer)

        async def answer_in_the_ticket() -> bool:
            history = (await agent.get(f"/api/v1/agent/tickets/{ticket_id}")).json()["history"]
            return any(
                e["kind"] == "replied" and e["channel"] == "email" and e["actor_kind"] == "customer"
                for e in history
            )

        await eventually(answer_in_the_ticket, what="the emailed answer in the same ticket", timeout=30)
        ticket = (await agent.get(f"/api/v1/agent/tickets/{ticket_id}")).json()
    assert ticket["ticket"]["status"] == "in_progress"
    emailed = [e for e in ticket["history"] if e["kind"] == "replied" and e["actor_kind"] == "customer"]
    assert [e["body"] for e in emailed] == ["Funcionou, obrigada!"], "quoted history stripped"
    opened = ticket["history"][0]
    assert (opened["kind"], opened["channel"], opened["actor_name"]) == ("opened", "email", "Carla Dias")
