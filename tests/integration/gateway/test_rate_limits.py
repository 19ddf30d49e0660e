"""Rate limits on the public endpoints: 429 + Retry-After, nothing created, shared by every replica.

The gateways here are in-process apps on one database (two of them stand for two replicas); the
tickets and chat services behind them are real, and a plain NATS subscription counts every command
that left the gateway, so "nothing was sent" is observed, not assumed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
from nats.aio.msg import Msg
from psycopg_pool import AsyncConnectionPool
from support.accounts import PASSWORD, sign_up, sql, verified_customer

from chat.bootstrap import bootstrap as chat_bootstrap
from chat.config import Settings as ChatSettings
from contracts.chat import ConversationListV1
from contracts.chat_queries import SearchChatsV1
from contracts.subjects import (
    GET_TICKET_V1,
    LEAVE_OFFLINE_MESSAGE_V1,
    OPEN_TICKET_V1,
    RATE_TICKET_V1,
    SEARCH_CHATS_V1,
    START_CHAT_V1,
)
from gateway.accounts.schema import ensure_schema
from gateway.accounts.service import Accounts
from gateway.app import create_app
from gateway.config import Settings
from gateway.domain.limits import Rule
from gateway.ratelimit import store
from gateway.ratelimit.limiter import Limiter, RateLimited
from plumbing.bus import Bus
from plumbing.postgres import open_pool
from tickets.bootstrap import bootstrap as tickets_bootstrap
from tickets.config import Settings as TicketsSettings

# Opens a gateway app on the test's database; ``ip`` is the socket peer its client connects from.
Gateway = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
async def pool(postgres_url: str) -> AsyncIterator[AsyncConnectionPool]:
    async with open_pool(postgres_url) as opened:
        await ensure_schema(opened)
        yield opened


@pytest.fixture
def gateway(bus: Bus, pool: AsyncConnectionPool, postgres_url: str) -> Gateway:
    """A gateway app (a replica) with these settings, and a client whose socket peer is ``ip``."""

    @asynccontextmanager
    async def opened(ip: str = "203.0.113.7", **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
        values = {"dev_mode": True, "cookie_secure": False} | settings
        app = create_app(bus, Accounts(pool, Settings(postgres_url=postgres_url, **values)))
        transport = httpx.ASGITransport(app=app, client=(ip, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client

    return opened


@pytest.fixture
async def backends(nats_url: str, postgres_url: str) -> AsyncIterator[None]:
    """The tickets and chat services the gateway talks to."""
    common: dict[str, Any] = {"nats_url": nats_url, "postgres_url": postgres_url, "ops_port": None}
    async with AsyncExitStack() as stack:
        for started in (tickets_bootstrap(TicketsSettings(**common)), chat_bootstrap(ChatSettings(**common))):
            runtime = await stack.enter_async_context(started)
            runtime.health.started = True
        yield


@asynccontextmanager
async def watched(bus: Bus, *subjects: str) -> AsyncIterator[list[str]]:
    """Every message sent on ``subjects`` while inside (a copy: the services still answer them)."""
    seen: list[str] = []

    async def note(msg: Msg) -> None:
        seen.append(msg.subject)

    subscriptions = [await bus.nc.subscribe(subject, cb=note) for subject in subjects]
    await bus.nc.flush()
    try:
        yield seen
    finally:
        await bus.nc.flush()
        await asyncio.sleep(0.05)  # the last copies are delivered before the count is read
        for subscription in subscriptions:
            await subscription.unsubscribe()


def assert_limited(response: httpx.Response, most_s: float, language: str = "pt-BR") -> None:
    """A 429 with a whole-seconds Retry-After (at most ``most_s``) and the usual error body."""
    assert response.status_code == 429, response.text
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= most_s, wait
    body = response.json()
    assert body["error"] == "rate_limited"
    assert body["retry_after_s"] == wait
    expected = "Muitas tentativas" if language == "pt-BR" else "Too many attempts"
    assert body["message"].startswith(expected), body


async def test_sign_up_refused_per_ip_after_its_limit_and_no_account_made(
    gateway: Gateway, postgres_url: str
) -> None:
    async with gateway(sign_ups_per_ip_hour=2) as client, gateway(ip="198.51.100.9") as elsewhere:
        assert (await sign_up(client, "um@example.com")).status_code == 202
        assert (await sign_up(client, "dois@example.com")).status_code == 202
        refused = await sign_up(client, "tres@example.com")
        # Two an hour: the next one comes free 30 minutes after the first.
        assert_limited(refused, 1800)
        assert int(refused.headers["Retry-After"]) > 1790
        assert_limited(await sign_up(client, "tres@example.com", **{"Accept-Language": "en"}), 1800, "en")
        assert (await sign_up(elsewhere, "tres@example.com")).status_code == 202  # another IP's budget
    emails = {row[0] for row in sql(postgres_url, "SELECT email FROM accounts")}
    assert emails == {"um@example.com", "dois@example.com", "tres@example.com"}
    # Only the accepted sign-ups queued a verification mail.
    assert sql(postgres_url, "SELECT count(*) FROM outbox_emails") == [(3,)]


async def test_two_replicas_share_one_budget(gateway: Gateway, postgres_url: str) -> None:
    async with gateway(sign_ups_per_ip_hour=2) as first, gateway(sign_ups_per_ip_hour=2) as second:
        assert (await sign_up(first, "a@example.com")).status_code == 202
        assert (await sign_up(second, "b@example.com")).status_code == 202
        assert_limited(await sign_up(first, "c@example.com"), 1800)
        assert_limited(await sign_up(second, "d@example.com"), 1800)
    assert sql(postgres_url, "SELECT count(*) FROM accounts") == [(2,)]


async def test_password_reset_requests_are_limited_per_ip(gateway: Gateway, postgres_url: str) -> None:
    async with gateway(password_resets_per_ip_hour=1) as client:
        await sign_up(client, "maria@example.com")
        asked = {"email": "maria@example.com"}
        assert (await client.post("/api/v1/password-resets", json=asked)).status_code == 202
        assert_limited(await client.post("/api/v1/password-resets", json=asked), 3600)
    templates = [row[0] for row in sql(postgres_url, "SELECT template FROM outbox_emails ORDER BY id")]
    assert templates == ["verify_email", "reset_password"]


@pytest.mark.usefixtures("backends")
async def test_ticket_creation_is_limited_per_customer_whatever_the_credential(
    gateway: Gateway, bus: Bus
) -> None:
    async with gateway(tickets_per_customer_hour=2) as client, gateway(ip="198.51.100.20") as other:
        await verified_customer(client, "maria@example.com")
        issued = await client.post("/api/v1/tokens", json={"name": "script"})
        bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
        new = {"subject": "Site fora do ar", "description": "Desde ontem."}
        async with watched(bus, OPEN_TICKET_V1) as sent:
            assert (await client.post("/api/v1/tickets", json=new)).status_code == 201
            assert (await client.post("/api/v1/tickets", json=new, headers=bearer)).status_code == 201
            assert_limited(await client.post("/api/v1/tickets", json=new), 1800)
            # The token is the same customer: the same budget, even from another IP.
            assert_limited(await other.post("/api/v1/tickets", json=new, headers=bearer), 1800)
        assert len(sent) == 2
        listed = await client.get("/api/v1/tickets")
        assert listed.json()["total"] == 2
        # Another customer on the same IP still has their own.
        await verified_customer(other, "joao@example.com", "João")
        assert (await other.post("/api/v1/tickets", json=new)).status_code == 201


@pytest.mark.usefixtures("backends")
async def test_chat_start_and_offline_messages_are_limited_per_ip(gateway: Gateway, bus: Bus) -> None:
    form = {"name": "Maria", "email": "maria@example.com", "department": "Suporte"}
    async with gateway(chats_per_ip_hour=1, offline_messages_per_ip_hour=1) as client:
        async with watched(bus, START_CHAT_V1, LEAVE_OFFLINE_MESSAGE_V1) as sent:
            started = await client.post("/api/v1/chat/conversations", json=form | {"question": "Oi?"})
            assert started.status_code == 409, started.text  # nobody online: chat itself answered
            assert_limited(
                await client.post("/api/v1/chat/conversations", json=form | {"question": "Oi?"}), 3600
            )
            left = {"message": "Meu site caiu."}
            assert (await client.post("/api/v1/chat/offline-messages", json=form | left)).status_code == 202
            assert_limited(await client.post("/api/v1/chat/offline-messages", json=form | left), 3600)
        assert sorted(sent) == [LEAVE_OFFLINE_MESSAGE_V1, START_CHAT_V1]
    found = await bus.request(
        SEARCH_CHATS_V1, SearchChatsV1(customer_email="maria@example.com"), ConversationListV1
    )
    assert found.total == 1  # the one offline message let through


@pytest.mark.usefixtures("backends")
async def test_public_ratings_are_limited_per_ip(gateway: Gateway, bus: Bus) -> None:
    rating = {"key": "not-the-key", "score": 5}
    async with gateway(ratings_per_ip_hour=1) as client, watched(bus, GET_TICKET_V1, RATE_TICKET_V1) as sent:
        first = await client.post("/api/v1/ratings/tickets/TK-000001", json=rating)
        assert first.status_code == 404, first.text
        before = len(sent)
        assert_limited(await client.post("/api/v1/ratings/tickets/TK-000001", json=rating), 3600)
        await asyncio.sleep(0.05)
        assert len(sent) == before >= 1


async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(gateway: Gateway) -> None:
    spoofed = {"X-Forwarded-For": "192.0.2.1"}
    async with gateway(ip="203.0.113.50", sign_ups_per_ip_hour=1) as direct:
        assert (await sign_up(direct, "a@example.com", **spoofed)).status_code == 202
        # A different "client" in the header changes nothing: the peer is not a proxy we trust.
        assert_limited(await sign_up(direct, "b@example.com", **{"X-Forwarded-For": "192.0.2.2"}), 3600)
    proxy = {"ip": "10.1.2.3", "trusted_proxies": ("10.0.0.0/8",), "sign_ups_per_ip_hour": 1}
    async with gateway(**proxy) as ingress:
        assert (
            await sign_up(ingress, "c@example.com", **{"X-Forwarded-For": "192.0.2.1"})
        ).status_code == 202
        assert (
            await sign_up(ingress, "d@example.com", **{"X-Forwarded-For": "192.0.2.2"})
        ).status_code == 202
        # The right-most untrusted entry counts; whatever the client wrote left of it does not.
        again = {"X-Forwarded-For": "198.51.100.77, 192.0.2.1, 10.9.9.9"}
        assert_limited(await sign_up(ingress, "e@example.com", **again), 3600)


async def test_over_the_real_server_the_header_from_localhost_is_not_believed(start: Any) -> None:
    """uvicorn by default believes X-Forwarded-For from 127.0.0.1: the gateway turns that off."""
    async with start(sign_ups_per_ip_hour=1) as client:
        assert (await sign_up(client, "a@example.com", **{"X-Forwarded-For": "192.0.2.1"})).status_code == 202
        assert_limited(await sign_up(client, "b@example.com", **{"X-Forwarded-For": "192.0.2.2"}), 3600)


async def test_limits_turned_off(gateway: Gateway, postgres_url: str) -> None:
    async with gateway(rate_limits=False, sign_ups_per_ip_hour=1) as everything_off:
        for number in range(3):
            assert (await sign_up(everything_off, f"off{number}@example.com")).status_code == 202
    async with gateway(sign_ups_per_ip_hour=0) as one_off:
        for number in range(3):
            assert (await sign_up(one_off, f"zero{number}@example.com")).status_code == 202
    assert sql(postgres_url, "SELECT count(*) FROM rate_limits") == [(0,)]


async def test_the_budget_refills_as_time_passes(pool: AsyncConnectionPool) -> None:
    """GCRA: two at once, then one every half second; a swept table answers the same."""
    limiter = Limiter(pool, Settings())
    limiter.rules["burst"] = Rule("burst", 2, 1.0)
    await limiter.check("burst", "k")
    await limiter.check("burst", "k")
    with pytest.raises(RateLimited) as refused:
        await limiter.check("burst", "k")
    assert refused.value.detail["retry_after_s"] == 1  # 0.5 s, rounded up
    await limiter.check("burst", "other key")
    await asyncio.sleep(0.55)
    await limiter.check("burst", "k")
    with pytest.raises(RateLimited):
        await limiter.check("burst", "k")
    await asyncio.sleep(1.05)
    async with pool.connection() as conn:
        await store.sweep(conn, 900)
        assert await (await conn.execute("SELECT count(*) FROM rate_limits")).fetchone() == (0,)
    await limiter.check("burst", "k")
    await limiter.check("burst", "k")
    with pytest.raises(RateLimited):
        await limiter.check("burst", "k")


async def test_log_ins_are_limited_per_ip_per_minute(gateway: Gateway) -> None:
    """Right or wrong password alike: over the IP's budget, nothing is checked."""
    async with gateway(logins_per_ip_minute=3) as client:
        await sign_up(client, "maria@example.com")
        for _ in range(3):
            wrong = await client.post(
                "/api/v1/session", json={"email": "maria@example.com", "password": "x" * 12}
            )
            assert wrong.status_code == 401
        right = await client.post(
            "/api/v1/session", json={"email": "maria@example.com", "password": PASSWORD}
        )
        # Three a minute: the next one comes 20 s after the first.
        assert_limited(right, 20)
        assert int(right.headers["Retry-After"]) >= 19
