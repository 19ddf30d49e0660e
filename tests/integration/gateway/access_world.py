"""The access matrix's world: the whole Atende, two customers, three staff, and what customer A owns.

A owns a Financeiro ticket (a file, a public reply, an internal note; finished, so it can be rated)
and a closed chat with a file (its transcript mailed). B is as real as A (verified, a session, an
API token, a chat of their own), so every refusal of B is a refusal of a credential that works.
Every line logged meanwhile goes to a JSON file, for the test that greps it for secrets.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import structlog
from support import infra
from support.accounts import PASSWORD, Browser, log_in, token_of
from support.mails import received, text_of
from support.samples import accepted
from support.site import Site, running
from support.waiting import eventually
from websockets.asyncio.client import ClientConnection, connect

from plumbing.logging import configure

NOTE = "NOTA-INTERNA-7f3a: cliente deve R$ 900, não contar a ele"  # must never reach a customer
PUBLIC = "Olá! O boleto novo segue em anexo."
_RATING_KEY = re.compile(r"/rate/ticket/[^?\s]+\?key=([^\s&]+)")

Credential = dict[str, str]  # the headers that authenticate a request


@dataclass
class Person:
    """An account and its two ways in: an API token and a browser session (with its CSRF token)."""

    email: str
    bearer: str
    browser: Browser
    resume_token: str = ""  # of a chat this person started from the widget

    @property
    def token(self) -> Credential:
        return {"Authorization": f"Bearer {self.bearer}"}

    @property
    def session(self) -> Credential:
        """Cookie and the right CSRF header: what the page's own script sends."""
        return self.browser.headers(csrf=self.browser.csrf)

    def ways(self) -> dict[str, Credential]:
        return {"token": self.token, "session": self.session}


@dataclass
class World:
    """Everything the matrix names by id, and every secret that must stay out of the logs."""

    site: Site
    http: httpx.AsyncClient
    a: Person
    b: Person
    finance: Person  # agent of Financeiro: A's ticket and chat are theirs
    support: Person  # agent of Suporte only
    admin: Person
    ticket_id: str = ""
    attachment_id: str = ""  # the file A opened the ticket with
    conversation_id: str = ""
    chat_attachment_id: str = ""
    rating_key: str = ""  # of the "finished" mail's rating link
    secrets: dict[str, str] = field(default_factory=dict)
    log_path: Path = Path()
    postgres_url: str = ""

    @property
    def ws(self) -> str:
        return self.site.url.replace("http://", "ws://")

    async def call(
        self, method: str, path: str, headers: Credential | None = None, **kw: Any
    ) -> httpx.Response:
        """One request with exactly these credentials (the client keeps no cookies between calls)."""
        self.http.cookies.clear()
        try:
            return await self.http.request(method, path, headers=headers or {}, **kw)
        finally:
            self.http.cookies.clear()

    async def ticket(self) -> dict[str, Any]:
        """A's ticket as the admin sees it now (the reference for "nothing changed")."""
        got = await self.call("GET", f"/api/v1/agent/tickets/{self.ticket_id}", self.admin.token)
        assert got.status_code == 200, got.text
        return dict(got.json())

    def mails_to(self, address: str) -> list[str]:
        """Subject and text of every mail sent to ``address``."""
        return [f"{m['Subject']}\n{text_of(m)}" for m in received(self.site.mail, address)]


@contextmanager
def logs_to(path: Path) -> Iterator[None]:
    """Every log line of this process (structlog and the standard library's) as JSON into ``path``,
    at the services' default level, configured as the services configure themselves."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure("atende", "info", "json")
    # No logger may keep this configuration after the block: later tests read the default one.
    structlog.configure(cache_logger_on_first_use=False)
    with path.open("a", encoding="utf-8") as stream:
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        try:
            yield
        finally:
            root.handlers[:] = handlers
            root.setLevel(level)
            structlog.reset_defaults()


async def person(http: httpx.AsyncClient, email: str, *, customer: bool) -> Person:
    """Log in (a customer signs up and verifies first) and issue an API token."""
    if customer:
        signed = await http.post(
            "/api/v1/accounts", json={"name": "Cliente", "email": email, "password": PASSWORD}
        )
        token = token_of(signed.json()["dev_verification_url"])
        assert (await http.post("/api/v1/accounts/verify", json={"token": token})).status_code == 204
    browser = await log_in(http, email)
    http.cookies.clear()
    issued = await http.post(
        "/api/v1/tokens", json={"name": "matrix"}, headers=browser.headers(csrf=browser.csrf)
    )
    assert issued.status_code == 201, issued.text
    http.cookies.clear()
    return Person(email, str(issued.json()["token"]), browser)


async def frame(
    ws: ClientConnection, wanted: Callable[[dict[str, Any]], bool], timeout: float = 10
) -> dict[str, Any]:
    """The next frame ``wanted`` accepts (others are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            got = json.loads(await ws.recv())
            if wanted(got):
                return dict(got)


def of(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f.get("type") == kind


async def _open_ticket(world: World) -> None:
    """A's Financeiro ticket with a file; Financeiro answers, notes, and finishes it."""
    key, (name, data) = str(uuid.uuid4()), accepted("pdf")
    uploaded = await world.call(
        "POST",
        "/api/v1/tickets/new/attachments",
        world.a.token | {"Idempotency-Key": key},
        params={"filename": name},
        content=data,
    )
    assert uploaded.status_code == 201, uploaded.text
    world.attachment_id = uploaded.json()["id"]
    form = {"subject": "Boleto em dobro", "description": "Cobraram duas vezes", "department": "Financeiro"}
    opened = await world.call(
        "POST",
        "/api/v1/tickets",
        world.a.token | {"Idempotency-Key": key},
        json=form | {"attachment_ids": [world.attachment_id]},
    )
    assert opened.status_code == 201, opened.text
    world.ticket_id = opened.json()["id"]
    base = f"/api/v1/agent/tickets/{world.ticket_id}"
    for path, body in (("replies", PUBLIC), ("notes", NOTE)):
        done = await world.call("POST", f"{base}/{path}", world.finance.token, json={"body": body})
        assert done.status_code == 201, done.text
    version = (await world.ticket())["ticket"]["version"]
    finished = await world.call(
        "PUT", f"{base}/status", world.finance.token, json={"status": "finished", "expected_version": version}
    )
    assert finished.status_code == 200, finished.text

    def key_mailed() -> str:
        found = [_RATING_KEY.search(m) for m in world.mails_to(world.a.email)]
        return next((unquote(f.group(1)) for f in found if f), "")

    await eventually(lambda: bool(key_mailed()), what="the rating link mailed to A")
    world.rating_key = key_mailed()


async def _start_chat(world: World, who: Person) -> dict[str, Any]:
    form = {"name": "Cliente", "email": who.email, "question": "Meu boleto sumiu", "department": "Financeiro"}
    started = await world.call("POST", "/api/v1/chat/conversations", json=form)
    assert started.status_code == 201, started.text
    who.resume_token = started.json()["resume_token"]
    return dict(started.json())


async def _chat(world: World) -> None:
    """A chats with Financeiro, sends a file and ends the chat asking for the transcript; B starts one."""
    socket = f"{world.ws}/api/v1/agent/chats/socket"
    async with connect(socket, additional_headers=world.finance.token) as agent:
        await frame(agent, of("hello"))
        await agent.send(json.dumps({"type": "presence", "presence": "online", "capacity": 3}))
        await frame(agent, of("presence"))
        world.conversation_id = (await _start_chat(world, world.a))["conversation"]["conversation_id"]
        await agent.send(json.dumps({"type": "accept", "conversation_id": world.conversation_id}))
        await frame(agent, of("accepted"))
        name, data = accepted("png")
        uploaded = await world.call(
            "POST",
            f"/api/v1/chat/conversations/{world.conversation_id}/attachments",
            {"X-Chat-Token": world.a.resume_token},
            params={"filename": name},
            content=data,
        )
        assert uploaded.status_code == 201, uploaded.text
        world.chat_attachment_id = uploaded.json()["id"]
        async with connect(f"{world.ws}/api/v1/chat/socket?token={world.a.resume_token}") as customer:
            await frame(customer, of("conversation"))
            say = {
                "type": "message",
                "client_id": "f1",
                "text": "o print",
                "attachment_id": world.chat_attachment_id,
            }
            await customer.send(json.dumps(say))
            await frame(customer, lambda f: f.get("type") == "ack")
            await customer.send(json.dumps({"type": "close", "send_transcript": True}))
            await frame(
                customer, lambda f: f.get("type") == "status" and f["conversation"]["status"] == "closed"
            )
        await _start_chat(world, world.b)  # B's own chat: a resume token that works, for B's own chat only
        await agent.send(json.dumps({"type": "presence", "presence": "offline"}))
        await frame(agent, of("presence"))


@contextmanager
def _nothing() -> Iterator[None]:
    yield


async def build(root: Path, servers: infra.Session, *, capture: bool = True) -> AsyncIterator[World]:
    """Start Atende (logging into ``root``/atende.log) and build the world; stop everything after."""
    log_path = root / "atende.log"
    with logs_to(log_path) if capture else _nothing():
        async with AsyncExitStack() as stack:
            postgres_url = servers.database("access")
            site = await stack.enter_async_context(running(root, postgres_url, servers.s3, servers.mail))
            http = await stack.enter_async_context(httpx.AsyncClient(base_url=site.url, timeout=20))
            await site.agent("fabio@atende.test", "Fábio Financeiro", "Financeiro")
            await site.agent("sara@atende.test", "Sara Suporte", "Suporte")
            await site.agent("rui@atende.test", "Rui Admin", kind="admin")
            people = [
                await person(http, email, customer=customer)
                for email, customer in (
                    ("ana.cliente@example.com", True),
                    ("bruno.cliente@example.com", True),
                    ("fabio@atende.test", False),
                    ("sara@atende.test", False),
                    ("rui@atende.test", False),
                )
            ]
            world = World(site, http, *people, log_path=log_path, postgres_url=postgres_url)
            await _open_ticket(world)
            await _chat(world)
            world.secrets = {
                "password": PASSWORD,
                "chat secret / internal token": site.secret,
                "S3 secret key": servers.s3.secret_key,
                "IMAP password": servers.mail.imap_password,
                "rating key": world.rating_key,
            }
            for who in people:
                world.secrets[f"{who.email}'s API token"] = who.bearer
                world.secrets[f"{who.email}'s session"] = who.browser.session
                world.secrets[f"{who.email}'s CSRF token"] = who.browser.csrf
                if who.resume_token:
                    world.secrets[f"{who.email}'s resume token"] = who.resume_token
            yield world


def leaks(world: World) -> dict[str, list[str]]:
    """The secrets found in the log lines Atende wrote, with the first lines that hold each."""
    # The tests' own HTTP client logs each URL it calls (file links with a token among them): not Atende's.
    lines = [
        line
        for line in world.log_path.read_text(encoding="utf-8").splitlines()
        if not ('"logger": "httpx"' in line and world.site.url in line)
    ]
    assert len(lines) > 20, "the run logged (else this proves nothing)"
    assert any('"logger": "gateway.' in line for line in lines), "the gateway's own lines are in"
    found = {what: [line for line in lines if secret in line][:2] for what, secret in world.secrets.items()}
    found["an API token"] = [line for line in lines if re.search(r"atd_[\w-]{20,}", line)][:2]
    return {what: hits for what, hits in found.items() if hits}
