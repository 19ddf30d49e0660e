"""Log-in brute force: after N failures for an email (or an IP) each try waits longer, until a success."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from support.accounts import PASSWORD, sign_up

from gateway.accounts.schema import ensure_schema
from gateway.accounts.service import Accounts
from gateway.app import create_app
from gateway.config import Settings
from plumbing.bus import Bus
from plumbing.postgres import open_pool

WRONG = "not the password"


@pytest.fixture
async def client(bus: Bus, postgres_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway that slows an email down after 2 failures (and an IP after 5)."""
    settings = Settings(
        postgres_url=postgres_url,
        dev_mode=True,
        cookie_secure=False,
        login_failures_per_account=2,
        login_failures_per_ip=5,
        logins_per_ip_minute=0,
    )
    async with open_pool(postgres_url) as pool:
        await ensure_schema(pool)
        transport = httpx.ASGITransport(
            app=create_app(bus, Accounts(pool, settings)), client=("203.0.113.8", 1)
        )
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as opened:
            assert (await sign_up(opened, "maria@example.com")).status_code == 202
            yield opened


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/session", json={"email": email, "password": password})


def waits(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["error"] == "rate_limited"
    return int(response.headers["Retry-After"])


async def test_failures_slow_an_email_down_doubling_and_a_success_resets(client: httpx.AsyncClient) -> None:
    assert (await log_in(client, "maria@example.com", WRONG)).status_code == 401
    assert (await log_in(client, "maria@example.com", WRONG)).status_code == 401
    # Two failures: the next try waits 1 s, even with the right password (that is the point).
    assert waits(await log_in(client, "maria@example.com", PASSWORD)) == 1
    await asyncio.sleep(1.1)
    assert (await log_in(client, "maria@example.com", WRONG)).status_code == 401
    assert waits(await log_in(client, "maria@example.com", WRONG)) == 2  # doubled
    await asyncio.sleep(2.1)
    assert (await log_in(client, "maria@example.com", PASSWORD)).status_code == 200
    # The success forgot the failures: one more wrong password is just a 401, and so is the next.
    assert (await log_in(client, "maria@example.com", WRONG)).status_code == 401
    assert (await log_in(client, "maria@example.com", PASSWORD)).status_code == 200


async def test_an_unknown_email_gets_the_very_same_answers(client: httpx.AsyncClient) -> None:
    """Nothing tells a registered address from an unknown one: same codes, same waits."""
    for email in ("maria@example.com", "ninguem@example.com"):
        first = await log_in(client, email, WRONG)
        second = await log_in(client, email, WRONG)
        assert (first.status_code, second.status_code) == (401, 401)
        assert first.json() == second.json()
        assert waits(await log_in(client, email, WRONG)) == 1


async def test_failures_from_one_ip_slow_that_ip_down_across_emails(client: httpx.AsyncClient) -> None:
    for number in range(5):
        assert (await log_in(client, f"tentativa{number}@example.com", WRONG)).status_code == 401
    # Five failures from this IP, each on a fresh email: the sixth email waits too.
    assert waits(await log_in(client, "maria@example.com", PASSWORD)) == 1


async def test_email_spelling_does_not_dodge_the_count(client: httpx.AsyncClient) -> None:
    assert (await log_in(client, "maria@example.com", WRONG)).status_code == 401
    assert (await log_in(client, "  MARIA@Example.com ", WRONG)).status_code == 401
    assert waits(await log_in(client, "Maria@example.com", PASSWORD)) == 1
