"""Issue [9/9] "Access", the sockets: a WebSocket without, with an altered or an expired credential, or
from a foreign site, is closed with 1008; logging out (or the credential ending elsewhere) closes
the console's live socket; an agent's socket reaches no chat outside its departments. The world is
access_world's (customer A's closed chat, B's own); last, this module's log is grepped for secrets.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from access_world import Person, World, build, frame, leaks, of, person
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from support import infra
from support.accounts import sql
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from gateway.chat import logins

CUSTOMER, AGENT = "/api/v1/chat/socket", "/api/v1/agent/chats/socket"
FOREIGN = "https://evil.example"


@pytest.fixture(scope="module")
async def world(servers: infra.Session, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async for built in build(tmp_path_factory.mktemp("sockets"), servers):
        yield built


def resume_token(world: World, *, age_s: float) -> str:
    """A's resume token as the gateway signs it, minted ``age_s`` ago."""

    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age_s)

    signer = URLSafeTimedSerializer(world.site.secret, salt="atende-chat-resume", signer=Then)
    return str(signer.dumps([world.conversation_id, world.a.email, "Cliente"]))


async def closed_with(ws: ClientConnection, timeout: float = 10) -> int:
    """The close code the server sent (frames before it are skipped)."""

    async def drain() -> None:
        async with asyncio.timeout(timeout):
            while True:
                await ws.recv()

    with pytest.raises(ConnectionClosed) as closed:
        await drain()
    assert closed.value.rcvd is not None, "closed without a close frame"
    return closed.value.rcvd.code


def cookie(who: Person) -> dict[str, str]:
    return {"Cookie": f"atende_session={who.browser.session}"}


async def expire(world: World, table: str, secret: str) -> None:
    """End a credential as time would: its expiry in the past."""
    statement = {
        "api_tokens": "UPDATE api_tokens SET expires_at = now() - interval '1 s' WHERE token_hash = %s",
        "sessions": "UPDATE sessions SET expires_at = now() - interval '1 s' WHERE id_hash = %s",
    }[table]
    sql(world.postgres_url, statement, hashlib.sha256(secret.encode()).digest())


# --- the customer's socket --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case", ["no token", "an altered token", "an expired token", "a forged token", "a foreign origin"]
)
async def test_the_customer_socket_closes_with_1008(world: World, case: str) -> None:
    token, origin = {
        "no token": ("", None),
        "an altered token": (world.a.resume_token[:-3] + "AAA", None),
        "an expired token": (resume_token(world, age_s=2 * 3600), None),
        "a forged token": (world.a.resume_token.split(".")[0] + ".AAAA.BBBB", None),
        "a foreign origin": (world.a.resume_token, FOREIGN),
    }[case]
    async with connect(f"{world.ws}{CUSTOMER}?token={token}", origin=origin) as ws:  # type: ignore[arg-type]
        assert await closed_with(ws) == 1008


@pytest.mark.parametrize("origin", [None, "own"])
async def test_the_customer_socket_opens_with_a_good_token(world: World, origin: str | None) -> None:
    """The controls: the same token (and one minted like the expired one, but now) opens the chat."""
    for token in (world.a.resume_token, resume_token(world, age_s=0)):
        url = f"{world.ws}{CUSTOMER}?token={token}"
        async with connect(url, origin=world.site.url if origin else None) as ws:  # type: ignore[arg-type]
            opened = await frame(ws, of("conversation"))
            assert opened["conversation"]["conversation_id"] == world.conversation_id


# --- the agent's socket -----------------------------------------------------------------------------


async def test_the_agent_socket_closes_with_1008_without_a_live_staff_credential(world: World) -> None:
    expired_token = await person(world.http, world.finance.email, customer=False)
    expired_session = await person(world.http, world.finance.email, customer=False)
    world.secrets |= {
        "expired token": expired_token.bearer,
        "expired session": expired_session.browser.session,
    }
    await expire(world, "api_tokens", expired_token.bearer)
    await expire(world, "sessions", expired_session.browser.session)
    cases: dict[str, tuple[dict[str, str], str | None]] = {
        "no credential": ({}, None),
        "an altered token": ({"Authorization": f"Bearer {world.finance.bearer[:-2]}xx"}, None),
        "an expired token": (expired_token.token, None),
        "an altered session": (
            {"Cookie": f"atende_session={world.finance.browser.session[:-2]}xx"},
            world.site.url,
        ),
        "an expired session": (cookie(expired_session), world.site.url),
        "a session from a foreign origin": (cookie(world.finance), FOREIGN),
        "a session without an origin": (cookie(world.finance), None),
        "a customer's token": (world.a.token, None),
        "a customer's session": (cookie(world.a), world.site.url),
    }
    for case, (headers, origin) in cases.items():
        async with connect(f"{world.ws}{AGENT}", additional_headers=headers, origin=origin) as ws:  # type: ignore[arg-type]
            assert await closed_with(ws) == 1008, case
    for headers, origin in ((world.finance.token, None), (cookie(world.finance), world.site.url)):  # controls
        async with connect(f"{world.ws}{AGENT}", additional_headers=headers, origin=origin) as ws:  # type: ignore[arg-type]
            assert (await frame(ws, of("hello")))["departments"] == ["Financeiro"]


async def test_an_agent_s_socket_reaches_no_chat_outside_its_departments(world: World) -> None:
    async with connect(f"{world.ws}{AGENT}", additional_headers=world.support.token) as ws:
        await frame(ws, of("hello"))
        c = world.conversation_id
        for sent in (
            {"type": "accept", "conversation_id": c},
            {"type": "sync", "conversation_id": c, "after_seq": 0},
            {"type": "message", "conversation_id": c, "client_id": "x", "text": "oi"},
            {"type": "close", "conversation_id": c},
        ):
            await ws.send(json.dumps(sent))
            refused = await frame(ws, lambda f: f.get("type") in {"error", "accepted", "entries"})
            assert refused["type"] == "error" and refused["reason"] == "not_your_chat", (sent, refused)


# --- log-out and credentials that end ---------------------------------------------------------------


async def _live(world: World, headers: dict[str, str], origin: str | None) -> Any:
    ws = await connect(f"{world.ws}{AGENT}", additional_headers=headers, origin=origin)  # type: ignore[arg-type]
    await frame(ws, of("hello"))
    return ws


@pytest.mark.parametrize("way", ["session", "token"])
async def test_logging_out_closes_the_agent_s_live_socket_at_once(world: World, way: str) -> None:
    agent = await person(world.http, world.finance.email, customer=False)
    world.secrets |= {f"log-out {way}": agent.bearer if way == "token" else agent.browser.session}
    headers, origin = (cookie(agent), world.site.url) if way == "session" else (agent.token, None)
    other = await _live(world, world.finance.token, None)  # another credential of the same agent
    ws = await _live(world, headers, origin)
    out = await world.call("DELETE", "/api/v1/session", agent.session if way == "session" else agent.token)
    assert out.status_code == 204, out.text
    assert await closed_with(ws, timeout=3) == 1008  # well before the periodic re-check
    await other.send(json.dumps({"type": "ping"}))
    await frame(other, of("pong"))  # only that credential's sockets close
    await other.close()


async def test_a_credential_ended_elsewhere_closes_its_socket_at_the_next_check(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A revoked token, an expired session: what another replica or time ends, the re-check notices."""
    monkeypatch.setattr(logins, "RECHECK_S", 0.2)
    agent = await person(world.http, world.finance.email, customer=False)
    world.secrets |= {"revoked token": agent.bearer, "ending session": agent.browser.session}
    by_token = await _live(world, agent.token, None)
    by_session = await _live(world, cookie(agent), world.site.url)
    listed = await world.call("GET", "/api/v1/tokens", agent.session)
    token_id = listed.json()[0]["id"]  # newest first: the one just issued
    assert (await world.call("DELETE", f"/api/v1/tokens/{token_id}", agent.session)).status_code == 204
    assert await closed_with(by_token, timeout=5) == 1008
    await expire(world, "sessions", agent.browser.session)
    assert await closed_with(by_session, timeout=5) == 1008


# --- logs (last) ------------------------------------------------------------------------------------


async def test_no_log_line_holds_a_password_or_a_secret(world: World) -> None:
    assert all(len(secret) >= 8 for secret in world.secrets.values())
    assert not leaks(world)
