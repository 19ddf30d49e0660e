"""Accounts through the real gateway over HTTP, on a real PostgreSQL: sign-up to log-out, resets, tokens."""

from __future__ import annotations

import hashlib

import httpx
from argon2 import PasswordHasher
from support.accounts import PASSWORD, Browser, Start, log_in, sign_up, sql, token_of


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
