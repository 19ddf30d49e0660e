"""Attachments end to end: browser → gateway → files → S3 and back, with every access rule applied."""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from minio import Minio
from support import infra
from support.accounts import PASSWORD, verified_customer
from support.browser import chromium
from support.samples import accepted, sample

from devstack.procs import free_port
from files.bootstrap import bootstrap as files_bootstrap
from files.config import Settings as FilesSettings
from gateway.accounts import staff
from gateway.bootstrap import bootstrap as gateway_bootstrap
from gateway.config import Settings as GatewaySettings
from tickets.bootstrap import bootstrap as tickets_bootstrap
from tickets.config import Settings as TicketsSettings

TOKEN = secrets.token_hex(8)


@dataclass
class Stack:
    """gateway → tickets and files, on real NATS, PostgreSQL and S3."""

    url: str
    accounts: Any
    minio: Minio
    bucket: str

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, **kwargs)

    def objects(self) -> int:
        return len(list(self.minio.list_objects(self.bucket, recursive=True)))


@pytest.fixture
async def stack(nats_url: str, postgres_url: str, s3: infra.S3) -> AsyncIterator[Stack]:
    bucket = f"t-{secrets.token_hex(6)}"
    files = FilesSettings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        internal_port=free_port(),
        internal_token=TOKEN,
        s3_endpoint=s3.endpoint,
        s3_access_key=s3.access_key,
        s3_secret_key=s3.secret_key,
        s3_bucket=bucket,
    )
    tickets = TicketsSettings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)
    gateway = GatewaySettings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        http_port=free_port(),
        dev_mode=True,
        cookie_secure=False,
        files_url=f"http://127.0.0.1:{files.internal_port}",
        files_token=TOKEN,
    )
    minio = Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)
    async with files_bootstrap(files), tickets_bootstrap(tickets), gateway_bootstrap(gateway) as front:
        yield Stack(f"http://127.0.0.1:{gateway.http_port}", front.accounts, minio, bucket)


async def customer(stack: Stack, email: str) -> httpx.AsyncClient:
    """A verified, logged-in customer's browser (cookie + CSRF header)."""
    return await verified_customer(stack.client(), email)


async def agent(stack: Stack, email: str, *departments: str) -> httpx.AsyncClient:
    """An agent with a bearer token."""
    await staff.create(
        stack.accounts, email, email.split("@")[0].title(), "agent", list(departments), PASSWORD
    )
    client = stack.client()
    session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    token = await client.post(
        "/api/v1/tokens", json={"name": "console"}, headers={"X-CSRF-Token": session.json()["csrf_token"]}
    )
    return stack.client(headers={"Authorization": f"Bearer {token.json()['token']}"})


async def upload(
    client: httpx.AsyncClient, path: str, filename: str, data: bytes, **headers: str
) -> httpx.Response:
    return await client.post(path, params={"filename": filename}, content=data, headers=headers)


async def test_a_customer_attaches_files_to_a_new_ticket_and_the_agent_opens_them(stack: Stack) -> None:
    maria = await customer(stack, "maria@example.com")
    name, data = accepted("pdf")
    stored = await upload(maria, "/api/v1/tickets/new/attachments", name, data, **{"Idempotency-Key": "t-1"})
    assert stored.status_code == 201, stored.text
    attachment = stored.json()
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        name,
        "application/pdf",
        len(data),
    )
    body = {"subject": "Fatura errada", "description": "Segue a fatura.", "department": "Financeiro"}
    opened = await maria.post(
        "/api/v1/tickets",
        json=body | {"attachment_ids": [attachment["id"]]},
        headers={"Idempotency-Key": "t-1"},
    )
    assert opened.status_code == 201, opened.text
    ticket_id = opened.json()["id"]
    assert attachment["url"] == f"/api/v1/tickets/{ticket_id}/attachments/{attachment['id']}"
    detail = (await maria.get(f"/api/v1/tickets/{ticket_id}")).json()
    assert detail["history"][0]["attachment_ids"] == [attachment["id"]]
    assert [(a["id"], a["filename"], a["url"]) for a in detail["attachments"]] == [
        (attachment["id"], name, attachment["url"])
    ]

    mine = await maria.get(attachment["url"])
    assert mine.status_code == 200 and mine.content == data
    assert mine.headers["content-type"] == "application/pdf"
    assert mine.headers["content-disposition"].startswith("attachment;")
    assert mine.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in mine.headers["content-security-policy"]

    ana = await agent(stack, "ana@example.com", "Financeiro")
    seen = await ana.get(f"/api/v1/agent/tickets/{ticket_id}/attachments/{attachment['id']}")
    assert seen.status_code == 200 and seen.content == data

    # The agent answers with a spreadsheet; the customer opens it from the reply.
    sheet_name, sheet = accepted("xlsx")
    sent = await upload(ana, f"/api/v1/agent/tickets/{ticket_id}/attachments", sheet_name, sheet)
    assert sent.status_code == 201, sent.text
    replied = await ana.post(
        f"/api/v1/agent/tickets/{ticket_id}/replies",
        json={"body": "Segue a planilha corrigida.", "attachment_ids": [sent.json()["id"]]},
    )
    assert replied.status_code == 201, replied.text
    got = await maria.get(f"/api/v1/tickets/{ticket_id}/attachments/{sent.json()['id']}")
    assert got.status_code == 200 and got.content == sheet


async def test_nobody_reaches_or_borrows_another_persons_file(stack: Stack) -> None:
    maria = await customer(stack, "maria@example.com")
    joao = await customer(stack, "joao@example.com")
    stored = (
        await upload(
            maria, "/api/v1/tickets/new/attachments", "a.png", sample("png"), **{"Idempotency-Key": "m"}
        )
    ).json()
    body = {"subject": "Tela", "description": "Veja.", "department": "Suporte"}
    ticket = (
        await maria.post(
            "/api/v1/tickets",
            json=body | {"attachment_ids": [stored["id"]]},
            headers={"Idempotency-Key": "m"},
        )
    ).json()
    # Another customer: the download, even with the exact ids, is a 404; so is uploading to it.
    assert (await joao.get(stored["url"])).status_code == 404
    assert (
        await upload(joao, f"/api/v1/tickets/{ticket['id']}/attachments", "b.png", sample("png"))
    ).status_code == 404
    # Nor can João name Maria's file in his own ticket to reach it through there.
    borrowed = await joao.post(
        "/api/v1/tickets", json=body | {"attachment_ids": [stored["id"]]}, headers={"Idempotency-Key": "j"}
    )
    assert borrowed.status_code == 422
    assert borrowed.json()["fields"][0]["field"] == "attachment_ids.0"
    assert borrowed.json()["fields"][0]["reason"] == "attachment_unknown"
    assert (await joao.get("/api/v1/tickets")).json()["total"] == 0, "nothing half-written"
    # An uploaded file not part of the ticket's history is not served through it.
    extra = (
        await upload(maria, f"/api/v1/tickets/{ticket['id']}/attachments", "c.png", sample("png"))
    ).json()
    assert (await maria.get(extra["url"])).status_code == 404
    # An agent of another department does not get it either.
    bruno = await agent(stack, "bruno@example.com", "Websites")
    assert (
        await bruno.get(f"/api/v1/agent/tickets/{ticket['id']}/attachments/{stored['id']}")
    ).status_code == 404
    async with stack.client() as anonymous:
        assert (await anonymous.get(stored["url"])).status_code == 401


async def test_refusals_are_clear_in_either_language_and_store_nothing(stack: Stack) -> None:
    maria = await customer(stack, "maria@example.com")
    key = {"Idempotency-Key": "r"}
    big = await upload(
        maria, "/api/v1/tickets/new/attachments", "grande.pdf", b"%PDF-1.4\n" + b"0" * 10_485_760, **key
    )
    assert big.status_code == 413, big.text
    assert big.json()["error"] == "too_large"
    assert big.json()["message"] == "O arquivo passa do tamanho máximo permitido."
    assert big.json()["fields"][0] | {"message": ""} == {
        "field": "file",
        "reason": "too_large",
        "limit": 10_485_760,
        "message": "",
    }
    exe = await upload(
        maria,
        "/api/v1/tickets/new/attachments",
        "nota.pdf",
        b"MZ\x90\x00" + b"\x00" * 100,
        **key,
        **{"Accept-Language": "en"},
    )
    assert (exe.status_code, exe.json()["error"]) == (415, "content_mismatch")
    assert exe.json()["message"] == "The file's content does not match its name's extension."
    kind = await upload(maria, "/api/v1/tickets/new/attachments", "script.js", b"alert(1)", **key)
    assert (kind.status_code, kind.json()["error"]) == (415, "extension_not_allowed")
    missing_key = await upload(maria, "/api/v1/tickets/new/attachments", "a.png", sample("png"))
    assert missing_key.status_code == 422
    assert stack.objects() == 0


# The sender watches the upload reach 100% (guide 003): XHR's upload progress, in a real browser.
_UPLOAD_WITH_PROGRESS = """
async ({bytes, csrf}) => {
  const body = Uint8Array.from(atob(bytes), c => c.charCodeAt(0));
  return await new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const progress = [];
    xhr.upload.onprogress = (e) => progress.push([e.loaded, e.total]);
    xhr.onload = () => resolve({status: xhr.status, body: xhr.responseText, progress});
    xhr.onerror = () => resolve({status: 0, body: "", progress});
    xhr.open("POST", "/api/v1/tickets/new/attachments?filename=backup.zip");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.setRequestHeader("Idempotency-Key", "browser-1");
    xhr.send(new Blob([body]));
  });
}
"""


async def test_a_browser_sees_the_upload_reach_100_percent(stack: Stack) -> None:
    maria = await customer(stack, "maria@example.com")
    big = _stored_zip(3 * 1024 * 1024)
    async with chromium() as browser:
        context = await browser.new_context(base_url=stack.url)
        host = urlsplit(stack.url).hostname
        await context.add_cookies(
            [{"name": k, "value": v, "domain": host, "path": "/"} for k, v in maria.cookies.items()]
        )
        page = await context.new_page()
        await page.goto("/api/openapi.json")  # any page of the gateway's origin
        outcome = await page.evaluate(
            _UPLOAD_WITH_PROGRESS,
            {"bytes": base64.b64encode(big).decode(), "csrf": maria.headers["X-CSRF-Token"]},
        )
        await context.close()
    assert outcome["status"] == 201, outcome["body"]
    loaded, total = outcome["progress"][-1]
    assert loaded == total == len(big), "the bar reaches 100%"
    stored = json.loads(outcome["body"])
    assert stored["size"] == len(big) and stored["content_type"] == "application/zip"


def _stored_zip(size: int) -> bytes:
    """A zip of about ``size`` bytes holding incompressible data (a realistic backup)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("dump.bin", os.urandom(size))
    return buffer.getvalue()
