"""Who may do what: CSRF and bearer tokens, role dependencies, localised refusals, the staff CLI, OpenAPI."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from support.accounts import PASSWORD, log_in, sign_up

from gateway.accounts import staff
from gateway.accounts.schema import ensure_schema
from gateway.accounts.service import Accounts
from gateway.app import create_app
from gateway.auth import CurrentAgent, CurrentCustomer, Principal
from gateway.config import Settings
from plumbing.bus import Bus
from plumbing.postgres import open_pool


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
