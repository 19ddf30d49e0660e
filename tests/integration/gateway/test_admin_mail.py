"""Admins' mail endpoints: HTTP → gateway → NATS → mail-ingest → PostgreSQL and the real IMAP mailbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest
from imapclient import IMAPClient
from support import infra
from support.accounts import PASSWORD, log_in, sign_up
from support.waiting import eventually

from gateway.accounts import staff
from gateway.accounts.schema import ensure_schema
from gateway.accounts.service import Accounts
from gateway.app import create_app
from gateway.config import Settings as GatewaySettings
from mail_ingest.bootstrap import bootstrap as mail_ingest
from mail_ingest.config import Settings as MailIngestSettings
from plumbing.bus import Bus
from plumbing.postgres import open_pool


def append(mail: infra.Mail, folder: str, message: str) -> None:
    with IMAPClient(mail.imap_host, port=mail.imap_port, ssl=False, timeout=10) as client:
        client.login(mail.imap_user, mail.imap_password)
        if not client.folder_exists(folder):
            client.create_folder(folder)
        client.append(folder, message.replace("\n", "\r\n").encode())


def recorded(postgres_url: str) -> int:
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute("SELECT count(*) FROM seen_mail").fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
async def gateway(bus: Bus, postgres_url: str) -> AsyncIterator[tuple[Accounts, httpx.AsyncClient]]:
    """The gateway's app in-process, on the test's database."""
    async with open_pool(postgres_url) as pool:
        await ensure_schema(pool)
        accounts = Accounts(pool, GatewaySettings(postgres_url=postgres_url))
        transport = httpx.ASGITransport(app=create_app(bus, accounts))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield accounts, client


async def test_only_admins_see_held_mail_and_retry_it(
    gateway: tuple[Accounts, httpx.AsyncClient], mail: infra.Mail, nats_url: str, postgres_url: str
) -> None:
    accounts, client = gateway
    token = uuid.uuid4().hex[:12]
    folder = f"t{token}"
    append(mail, folder, f"Subject: sem remetente {token}\nMessage-ID: <q-{token}@x>\n\nOi\n")
    for n in range(2):
        append(
            mail,
            folder,
            f"From: loop@example.com\nSubject: s{n} {token}\nMessage-ID: <s{n}-{token}@x>\n\nOi\n",
        )
    settings = MailIngestSettings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        imap_host=mail.imap_host,
        imap_port=mail.imap_port,
        imap_user=mail.imap_user,
        imap_password=mail.imap_password,
        imap_mailbox=folder,
        poll_s=0.2,
        mails_per_sender_hour=1,
    )
    await sign_up(client, "maria@example.com")
    customer = await log_in(client, "maria@example.com")
    await staff.create(accounts, "ana@atende.local", "Ana", "agent", ["Suporte"], PASSWORD)
    agent = await log_in(client, "ana@atende.local")
    await staff.create(accounts, "chefe@atende.local", "Chefe", "admin", [], PASSWORD)
    admin = await log_in(client, "chefe@atende.local")

    async with mail_ingest(settings):
        await eventually(lambda: recorded(postgres_url) == 3, what="three mails recorded")

        assert (await client.get("/api/v1/admin/mail")).status_code == 401
        for other in (customer, agent):
            refused = await client.get("/api/v1/admin/mail", headers=other.headers())
            assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
        listed = await client.get("/api/v1/admin/mail", headers=admin.headers())
        assert listed.status_code == 200, listed.text
        [held] = listed.json()["mails"]
        assert (held["message_id"], held["outcome"], held["reason"]) == (
            f"<q-{token}@x>",
            "quarantined",
            "no_sender",
        )
        assert held["subject"] == f"sem remetente {token}" and held["sender"] is None

        capped = await client.get(
            "/api/v1/admin/mail?outcome=capped&outcome=ignored", headers=admin.headers()
        )
        [storm] = capped.json()["mails"]
        assert (storm["message_id"], storm["reason"]) == (f"<s1-{token}@x>", "sender_cap:1/h")
        wrong = await client.get("/api/v1/admin/mail?outcome=requested", headers=admin.headers())
        assert (wrong.status_code, wrong.json()["fields"][0]["field"]) == (422, "query.outcome.0")

        retry = f"/api/v1/admin/mail/{storm['id']}/retry"
        refused = await client.post(retry, headers=agent.headers(agent.csrf))
        assert refused.status_code == 403
        done = await client.post(retry, headers=admin.headers(admin.csrf))
        assert done.status_code == 200, done.text
        assert done.json()["published"] is True
        assert (done.json()["mail"]["outcome"], done.json()["mail"]["retries"]) == ("requested", 1)
        again = await client.post(retry, headers=admin.headers(admin.csrf))
        assert (again.status_code, again.json()["error"]) == (409, "mail_not_retryable")

        still = await client.post(f"/api/v1/admin/mail/{held['id']}/retry", headers=admin.headers(admin.csrf))
        assert (still.json()["published"], still.json()["mail"]["outcome"]) == (False, "quarantined")
        unknown = await client.post(
            f"/api/v1/admin/mail/{held['uidvalidity']}-999999/retry", headers=admin.headers(admin.csrf)
        )
        assert (unknown.status_code, unknown.json()["error"]) == (404, "mail_not_found")
        malformed = await client.post("/api/v1/admin/mail/abc/retry", headers=admin.headers(admin.csrf))
        assert (malformed.status_code, malformed.json()["fields"][0]["field"]) == (422, "path.mail_id")
