"""Accounts through the real gateway over HTTP, on a real PostgreSQL: sign-up to log-out, resets, CSRF."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from devstack.procs import free_port
from gateway.accounts import staff
from gateway.accounts.schema import ensure_schema
from gateway.accounts.service import Accounts
from gateway.app import create_app
from gateway.auth import CurrentAgent, CurrentCustomer, Principal
from gateway.bootstrap import bootstrap
from gateway.config import Settings
from plumbing.bus import Bus
from plumbing.postgres import open_pool

PASSWORD = "correct horse battery"
Start = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def start(nats_url: str, postgres_url: str) -> Start:
    """Start a gateway on the test's database (dev mode unless told otherwise); yields its HTTP client."""

    @asynccontextmanager
    async def started(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        values: dict[str, Any] = {"dev_mode": True} | overrides
        settings = Settings(
            nats_url=nats_url, postgres_url=postgres_url, http_port=free_port(), ops_port=None, **values
        )
        async with (
            bootstrap(settings),
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as client,
        ):
            yield client

    return started


@pytest.fixture
async def client(start: Start) -> AsyncIterator[httpx.AsyncClient]:
    async with start() as started:
        yield started


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


async def test_sign_up_verify_log_in_me_log_out(client: httpx.AsyncClient, postgres_url: str) -> None:
    signed = await sign_up(client, "  Maria@Example.com ")
    assert signed.status_code == 202, signed.text
    link = signed.json()["dev_verification_url"]
    assert link.startswith("http://127.0.0.1:8000/verify-email#token=")

    # Only digests and an argon2id hash are stored; the outbox holds the mail for the notifier.
    [(password_hash, verified_at)] = sql(
        postgres_url, "SELECT password_hash, email_verified_at FROM accounts"
    )
    assert password_hash.startswith("$argon2id$") and verified_at is None
    [(stored,)] = sql(postgres_url, "SELECT token_hash FROM one_time_tokens")
    assert bytes(stored) == hashlib.sha256(token_of(link).encode()).digest()
    assert sql(postgres_url, "SELECT template, to_email, link FROM outbox_emails") == [
        ("verify_email", "maria@example.com", link)
    ]

    response = await client.post("/api/v1/session", json={"email": "maria@example.com", "password": PASSWORD})
    browser = Browser(response)
    cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.get_list("set-cookie")}
    for flag in ("httponly", "secure", "samesite=lax", "path=/", "max-age=2592000"):
        assert flag in cookies["atende_session"], flag
    assert "httponly" not in cookies["atende_csrf"] and "secure" in cookies["atende_csrf"]
    [(session_hash,)] = sql(postgres_url, "SELECT id_hash FROM sessions")
    assert bytes(session_hash) == hashlib.sha256(browser.session.encode()).digest()

    me = (await client.get("/api/v1/me", headers=browser.headers())).json()
    assert me | {"account_id": None} == {
        "account_id": None,
        "kind": "customer",
        "email": "maria@example.com",
        "name": "Maria Silva",
        "email_verified": False,
        "departments": [],
    }
    assert (await client.post("/api/v1/accounts/verify", json={"token": token_of(link)})).status_code == 204
    assert (await client.get("/api/v1/me", headers=browser.headers())).json()["email_verified"] is True

    out = await client.delete("/api/v1/session", headers=browser.headers(csrf=browser.csrf))
    assert out.status_code == 204
    assert any(c.startswith('atende_session=""') for c in out.headers.get_list("set-cookie"))
    gone = await client.get("/api/v1/me", headers=browser.headers())
    assert gone.status_code == 401
    assert gone.json()["error"] == "unauthorized"


async def test_wrong_password_and_unknown_address_get_one_answer(client: httpx.AsyncClient) -> None:
    await sign_up(client, "maria@example.com")
    wrong = await client.post(
        "/api/v1/session", json={"email": "maria@example.com", "password": "not it at all"}
    )
    unknown = await client.post("/api/v1/session", json={"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {"error": "invalid_credentials", "message": "Email ou senha incorretos."}
    )
    assert "set-cookie" not in wrong.headers


async def test_an_old_hash_is_upgraded_at_log_in_and_a_form_post_cannot_log_in(
    client: httpx.AsyncClient, postgres_url: str
) -> None:
    await sign_up(client, "maria@example.com")
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    sql(postgres_url, "UPDATE accounts SET password_hash = %s", weak)
    await log_in(client, "maria@example.com")
    [(upgraded,)] = sql(postgres_url, "SELECT password_hash FROM accounts")
    assert upgraded != weak and "m=19456,t=2,p=1" in upgraded
    # A cross-site HTML form can only send text/plain, never a JSON body: no log-in CSRF.
    form = await client.post(
        "/api/v1/session",
        content=b'{"email": "maria@example.com", "password": "correct horse battery"}',
        headers={"Content-Type": "text/plain"},
    )
    assert form.status_code == 422 and "set-cookie" not in form.headers


async def test_a_second_sign_up_reveals_nothing_and_changes_nothing(start: Start, postgres_url: str) -> None:
    async with start(dev_mode=False) as client:
        first = await sign_up(client, "maria@example.com")
        again = await sign_up(client, "MARIA@example.com", password="another good secret")
        assert first.status_code == again.status_code == 202
        assert first.json() == again.json() == {"status": "verification_sent"}
        assert sql(postgres_url, "SELECT count(*) FROM accounts") == [(1,)]
        await log_in(client, "maria@example.com")
        refused = await client.post(
            "/api/v1/session", json={"email": "maria@example.com", "password": "another good secret"}
        )
        assert refused.status_code == 401
    # The owner is told by mail instead (the notifier sends the outbox).
    templates = sql(postgres_url, "SELECT template FROM outbox_emails ORDER BY id")
    assert templates == [("verify_email",), ("account_exists",)]


async def test_a_reset_ends_old_sessions_tokens_and_password(
    client: httpx.AsyncClient, postgres_url: str
) -> None:
    await sign_up(client, "maria@example.com")
    browser = await log_in(client, "maria@example.com")
    issued = await client.post(
        "/api/v1/tokens", json={"name": "script"}, headers=browser.headers(browser.csrf)
    )
    assert issued.status_code == 201
    bearer = {"Authorization": f"Bearer {issued.json()['token']}"}

    for_nobody = await client.post("/api/v1/password-resets", json={"email": "nobody@example.com"})
    asked = await client.post("/api/v1/password-resets", json={"email": "Maria@example.com"})
    assert for_nobody.status_code == asked.status_code == 202
    assert for_nobody.json() == {"status": "reset_sent"}
    link = asked.json()["dev_reset_url"]
    assert "/reset-password#token=" in link

    weak = await client.post(
        "/api/v1/password-resets/confirm", json={"token": token_of(link), "password": "12345"}
    )
    assert weak.status_code == 422
    assert weak.json()["fields"][0] | {"message": ""} == {
        "field": "password",
        "reason": "password_too_short",
        "message": "",
    }
    like_email = {"token": token_of(link), "password": "maria-is-me-1"}
    refused = await client.post("/api/v1/password-resets/confirm", json=like_email)
    assert refused.json()["fields"][0]["reason"] == "password_like_email", (
        "refused after spending: rolled back"
    )

    new = {"token": token_of(link), "password": "a brand new secret"}
    assert (await client.post("/api/v1/password-resets/confirm", json=new)).status_code == 204
    assert (await client.get("/api/v1/me", headers=browser.headers())).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401
    old = await client.post("/api/v1/session", json={"email": "maria@example.com", "password": PASSWORD})
    assert old.status_code == 401
    again = await log_in(client, "maria@example.com", "a brand new secret")
    assert (await client.get("/api/v1/me", headers=again.headers())).json()["email_verified"] is True

    reused = await client.post("/api/v1/password-resets/confirm", json=new)
    assert reused.status_code == 422
    assert reused.json()["error"] == "token_invalid_or_expired"
    assert reused.json()["fields"][0]["field"] == "token"


async def test_used_unknown_and_expired_tokens_and_sessions_are_refused(
    client: httpx.AsyncClient, postgres_url: str
) -> None:
    link = (await sign_up(client, "maria@example.com")).json()["dev_verification_url"]
    sql(postgres_url, "UPDATE one_time_tokens SET expires_at = now() - interval '1 second'")
    expired = await client.post("/api/v1/accounts/verify", json={"token": token_of(link)})
    assert (expired.status_code, expired.json()["error"]) == (422, "token_invalid_or_expired")
    unknown = await client.post("/api/v1/accounts/verify", json={"token": "made-up"})
    assert unknown.status_code == 422

    fresh = (await sign_up(client, "maria@example.com")).json()["dev_verification_url"]
    assert (await client.post("/api/v1/accounts/verify", json={"token": token_of(fresh)})).status_code == 204
    used = await client.post("/api/v1/accounts/verify", json={"token": token_of(fresh)})
    assert used.status_code == 422

    browser = await log_in(client, "maria@example.com")
    assert (await client.get("/api/v1/me", headers=browser.headers())).status_code == 200
    sql(postgres_url, "UPDATE sessions SET last_seen_at = now() - interval '8 days'")
    assert (await client.get("/api/v1/me", headers=browser.headers())).status_code == 401, "idle too long"
    browser = await log_in(client, "maria@example.com")
    sql(postgres_url, "UPDATE sessions SET expires_at = now() - interval '1 second'")
    assert (await client.get("/api/v1/me", headers=browser.headers())).status_code == 401, "past its end"


async def test_cookie_requests_need_the_sessions_csrf_token_and_bearer_ones_do_not(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client, "maria@example.com")
    browser = await log_in(client, "maria@example.com")
    for headers in (
        browser.headers(),  # no header
        browser.headers(csrf="forged"),  # header differs from the cookie
        browser.headers(csrf="forged", cookie_csrf="forged"),  # both planted: not this session's token
    ):
        refused = await client.post(
            "/api/v1/tokens", json={"name": "x"}, headers=headers | {"Accept-Language": "en"}
        )
        assert refused.status_code == 403
        assert refused.json() == {
            "error": "csrf_failed",
            "message": "Security check failed. Reload the page and try again.",
        }
    issued = await client.post("/api/v1/tokens", json={"name": "ci"}, headers=browser.headers(browser.csrf))
    assert issued.status_code == 201
    token = issued.json()
    assert token["token"].startswith("atd_") and token["name"] == "ci"
    bearer = {"Authorization": f"Bearer {token['token']}"}

    listed = (await client.get("/api/v1/tokens", headers=bearer)).json()
    assert [t["id"] for t in listed] == [token["id"]] and "token" not in listed[0]
    assert (await client.delete(f"/api/v1/tokens/{token['id']}", headers=bearer)).status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401
    missing = await client.delete(f"/api/v1/tokens/{token['id']}", headers=browser.headers(browser.csrf))
    assert (missing.status_code, missing.json()["error"]) == (404, "token_not_found")
    bad = await client.get("/api/v1/me", headers={"Authorization": "Bearer atd_nope"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"

    # Logging out with a bearer token revokes that token (and only needs the token).
    second = await client.post("/api/v1/tokens", json={"name": "cli"}, headers=browser.headers(browser.csrf))
    bearer = {"Authorization": f"Bearer {second.json()['token']}"}
    assert (await client.delete("/api/v1/session", headers=bearer)).status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401
    assert (await client.get("/api/v1/me", headers=browser.headers())).status_code == 200


@pytest.fixture
async def app_client(bus: Bus, postgres_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The gateway's app in-process (so a test can add routes), on the test's database."""
    async with open_pool(postgres_url) as pool:
        await ensure_schema(pool)
        app = create_app(bus, Accounts(pool, Settings(postgres_url=postgres_url)))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield app, client


async def test_agent_and_customer_dependencies(app_client: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = app_client

    async def agents_only(who: CurrentAgent) -> dict[str, Any]:
        return {"departments": list(who.departments)}

    async def customers_only(who: CurrentCustomer) -> dict[str, str]:
        return {"kind": who.kind}

    app.add_api_route("/test/agents", agents_only)
    app.add_api_route("/test/customers", customers_only)
    await sign_up(client, "maria@example.com")
    customer = await log_in(client, "maria@example.com")
    await staff.create(
        app.state.accounts, "ana@atende.local", "Ana", "agent", ["suporte", "Financeiro"], PASSWORD
    )
    agent = await log_in(client, "ana@atende.local")

    denied = await client.get("/test/agents", headers=customer.headers() | {"Accept-Language": "en"})
    assert denied.status_code == 403
    assert denied.json() == {"error": "forbidden", "message": "You are not allowed to do that."}
    assert (await client.get("/test/agents", headers=agent.headers())).json() == {
        "departments": ["Suporte", "Financeiro"]
    }
    assert (await client.get("/test/customers", headers=customer.headers())).json() == {"kind": "customer"}
    assert (await client.get("/test/customers", headers=agent.headers())).status_code == 403
    nobody = await client.get("/test/agents")
    assert (nobody.status_code, nobody.json()["error"]) == (401, "unauthorized")
    assert set(Principal.__dataclass_fields__) == {
        "account_id", "kind", "email", "name", "email_verified", "departments"
    }  # fmt: skip


async def test_messages_follow_accept_language_and_name_each_field(client: httpx.AsyncClient) -> None:
    form = {"name": "  ", "email": "not-an-address", "password": "1234567890"}
    english = await client.post("/api/v1/accounts", json=form, headers={"Accept-Language": "en-US,en;q=0.9"})
    portuguese = await client.post("/api/v1/accounts", json=form, headers={"Accept-Language": "pt-BR"})
    assert english.status_code == portuguese.status_code == 422
    assert [(f["field"], f["reason"]) for f in english.json()["fields"]] == [
        ("name", "name_blank"),
        ("email", "email_invalid"),
        ("password", "password_only_digits"),
    ]
    assert english.json()["fields"][2]["message"] == "The password cannot be only digits."
    assert portuguese.json()["fields"][2]["message"] == "A senha não pode ter só números."
    assert english.json()["message"] == "Invalid data." and portuguese.json()["message"] == "Dados inválidos."

    missing = await client.post("/api/v1/accounts", json={"name": "Maria", "email": 5})
    assert {(f["field"], f["reason"]) for f in missing.json()["fields"]} == {
        ("email", "string_type"),
        ("password", "missing"),
    }
    bad_reset = await client.post("/api/v1/password-resets", json={"email": "nope"})
    assert (bad_reset.status_code, bad_reset.json()["fields"][0]["field"]) == (422, "email")


async def test_cli_creates_staff_and_refuses_unknown_departments(
    client: httpx.AsyncClient, postgres_url: str
) -> None:
    code, out, _ = await cli(postgres_url, "staff", "create", "--email", "Chefe@Atende.local", "--name", "Chefe",
                             "--role", "admin", "--password-stdin", stdin=b"a boss's own secret\n")  # fmt: skip
    assert code == 0 and "password:" not in out
    admin = await log_in(client, "chefe@atende.local", "a boss's own secret")
    me = (await client.get("/api/v1/me", headers=admin.headers())).json()
    assert (me["kind"], me["email_verified"]) == ("admin", True)
    assert me["departments"] == ["Comercial", "Financeiro", "Suporte", "Websites"]

    code, _, err = await cli(postgres_url, "staff", "create", "--email", "bia@atende.local", "--name", "Bia",
                             "--role", "agent", "--department", "Vendas")  # fmt: skip
    assert code == 1
    assert "departments: Unknown department." in err and "Comercial, Financeiro, Suporte, Websites" in err
    code, _, err = await cli(postgres_url, "staff", "create", "--email", "chefe@atende.local", "--name", "X",
                             "--role", "admin")  # fmt: skip
    assert code == 1 and "email: An account with that email already exists." in err

    code, out, _ = await cli(postgres_url, "staff", "list")
    assert out.splitlines() == ["chefe@atende.local\tadmin\tChefe\t(all)"]
    code, out, _ = await cli(
        postgres_url, "departments", env={"ATENDE_GATEWAY_DEPARTMENTS": "Suporte,Vendas"}
    )
    assert out.splitlines() == ["Suporte", "Vendas"]


async def test_openapi_documents_every_accounts_endpoint_and_its_errors(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/openapi.json")).json()
    expected = {
        ("/api/v1/accounts", "post"): {"202", "422"},
        ("/api/v1/accounts/verify", "post"): {"204", "422"},
        ("/api/v1/session", "post"): {"200", "401", "422"},
        ("/api/v1/session", "delete"): {"204", "401", "403"},
        ("/api/v1/me", "get"): {"200", "401"},
        ("/api/v1/password-resets", "post"): {"202", "422"},
        ("/api/v1/password-resets/confirm", "post"): {"204", "422"},
        ("/api/v1/tokens", "post"): {"201", "401", "403", "422"},
        ("/api/v1/tokens/{token_id}", "delete"): {"204", "401", "403", "404"},
    }
    for (path, method), codes in expected.items():
        responses = spec["paths"][path][method]["responses"]
        assert codes <= set(responses), (path, method)
        for code in codes - {"200", "201", "202", "204"}:
            assert responses[code]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"
            }
    schemes = spec["components"]["securitySchemes"]
    assert {"APIKeyCookie", "HTTPBearer"} <= set(schemes)
    assert schemes["APIKeyCookie"]["name"] == "atende_session"


async def cli(
    postgres_url: str, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """``python -m gateway ARGS`` on the test's database; exit code, stdout, stderr."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ATENDE_")}
    environ |= {"ATENDE_GATEWAY_POSTGRES_URL": postgres_url} | (env or {})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", *args, env=environ,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()
