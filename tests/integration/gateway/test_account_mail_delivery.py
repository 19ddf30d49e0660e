"""Account mails end to end: gateway outbox → JetStream → notifier → real SMTP, links that work."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import AsyncIterator

import httpx
import nats.js.errors
import psycopg
import pytest
from support.infra import Mail
from support.mails import received, text_of
from support.waiting import eventually

from contracts.subjects import ACCOUNTS, NOTIFIER_ACCOUNTS_DURABLE
from devstack.procs import free_port
from gateway.bootstrap import bootstrap as gateway_bootstrap
from gateway.config import Settings as GatewaySettings
from notifier.bootstrap import bootstrap as notifier_bootstrap
from notifier.config import Settings as NotifierSettings
from plumbing.bus import Bus

PASSWORD = "correct horse battery"
_LINK = re.compile(r"(http://\S+#token=[\w-]+)")


@pytest.fixture
async def site(bus: Bus, nats_url: str, postgres_url: str, mail: Mail) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway (not in dev mode: links travel only by mail) and the notifier, on real servers."""
    await bus.ensure_streams([ACCOUNTS])
    with contextlib.suppress(nats.js.errors.NotFoundError):
        await bus.js.delete_consumer(ACCOUNTS.name, NOTIFIER_ACCOUNTS_DURABLE.name)
    port = free_port()
    gateway = GatewaySettings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        http_port=port,
        public_url=f"http://127.0.0.1:{port}",
    )
    notifier = NotifierSettings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        smtp_host=mail.smtp_host,
        smtp_port=mail.smtp_port,
    )
    async with notifier_bootstrap(notifier) as back, gateway_bootstrap(gateway) as front:
        back.health.started = front.health.started = True
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client


async def mailed_link(mail: Mail, address: str, subject: str) -> str:
    def with_subject() -> list[str]:
        return [text_of(m) for m in received(mail, address) if m["Subject"] == subject]

    await eventually(lambda: bool(with_subject()), what=f"the mail {subject!r}")
    [text] = with_subject()
    found = _LINK.search(text)
    assert found, text
    return found.group(1)


async def test_the_verification_and_reset_links_arrive_by_mail_and_work(
    site: httpx.AsyncClient, mail: Mail, postgres_url: str
) -> None:
    address = f"joana-{uuid.uuid4().hex[:8]}@example.com"
    signed = await site.post(
        "/api/v1/accounts", json={"name": "Joana", "email": address, "password": PASSWORD}
    )
    assert signed.status_code == 202 and "dev_verification_url" not in signed.json(), "not in dev mode"

    link = await mailed_link(mail, address, "Confirme seu e-mail")
    token = link.split("#token=")[1]
    assert (await site.post("/api/v1/accounts/verify", json={"token": token})).status_code == 204
    [verification] = [m for m in received(mail, address) if m["Subject"] == "Confirme seu e-mail"]
    assert verification["Auto-Submitted"] == "auto-generated"
    assert "Joana" in str(verification["To"])

    assert (await site.post("/api/v1/password-resets", json={"email": address})).status_code == 202
    reset = (await mailed_link(mail, address, "Redefina sua senha")).split("#token=")[1]
    confirmed = await site.post(
        "/api/v1/password-resets/confirm", json={"token": reset, "password": "uma senha nova e longa"}
    )
    assert confirmed.status_code in (200, 204), confirmed.text
    logged = await site.post("/api/v1/session", json={"email": address, "password": "uma senha nova e longa"})
    assert logged.status_code == 200 and logged.json()["principal"]["email_verified"] is True

    # Handed off and forgotten: no one-time link stays in the gateway's database after its mail left.
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT sent_at IS NOT NULL, link FROM outbox_emails").fetchall()
    assert rows and all(sent and link is None for sent, link in rows)
    assert len(received(mail, address)) == 2, "one mail per request"
