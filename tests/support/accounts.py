"""Accounts in tests: a known password, sign-up and log-in over HTTP, and the browser's cookies."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import psycopg

PASSWORD = "correct horse battery"
# Starts a gateway on the test's database (settings overridable); yields its HTTP client.
Start = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


def sql(postgres_url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def token_of(link: str) -> str:
    assert "#token=" in link, link
    return link.rsplit("#token=", 1)[1]


async def sign_up(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, **headers: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/accounts",
        json={"name": "Maria Silva", "email": email, "password": password},
        headers=headers,
    )


class Browser:
    """A logged-in browser: its cookies (Secure, so sent by hand over http) and its CSRF token."""

    def __init__(self, response: httpx.Response) -> None:
        assert response.status_code == 200, response.text
        self.session = response.cookies["atende_session"]
        self.csrf = response.json()["csrf_token"]
        assert response.cookies["atende_csrf"] == self.csrf

    def headers(self, csrf: str | None = None, cookie_csrf: str | None = None) -> dict[str, str]:
        found = {"Cookie": f"atende_session={self.session}; atende_csrf={cookie_csrf or self.csrf}"}
        return found | ({"X-CSRF-Token": csrf} if csrf is not None else {})


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Browser:
    return Browser(await client.post("/api/v1/session", json={"email": email, "password": password}))


async def verified_customer(client: httpx.AsyncClient, email: str, name: str = "Maria") -> httpx.AsyncClient:
    """Sign up on a dev-mode gateway, verify by the answer's link and log in: ``client`` is that customer."""
    signed = await client.post("/api/v1/accounts", json={"name": name, "email": email, "password": PASSWORD})
    token = token_of(signed.json()["dev_verification_url"])
    assert (await client.post("/api/v1/accounts/verify", json={"token": token})).status_code == 204
    session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    client.headers["X-CSRF-Token"] = session.json()["csrf_token"]
    return client
