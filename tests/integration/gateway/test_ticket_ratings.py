"""Rating a finished ticket over HTTP: the signed-in customer, the mailed link's key, and every refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from nats.aio.msg import Msg
from support.waiting import eventually
from test_ticket_api import Stack, agent, customer, open_ticket, stack  # noqa: F401 (the fixture)

from contracts import Envelope
from contracts.subjects import TICKET_CLOSED_V1
from plumbing.bus import Bus


@pytest.fixture
async def keys(bus: Bus) -> AsyncIterator[dict[str, str]]:
    """The rating key of every ticket finished while the test runs (as the notifier reads it)."""
    found: dict[str, str] = {}

    async def keep(message: Msg) -> None:
        data = Envelope.from_bytes(message.data).data
        found[data["ticket_id"]] = data["rating_key"]

    subscription = await bus.nc.subscribe(TICKET_CLOSED_V1, cb=keep)
    yield found
    await subscription.unsubscribe()


async def finish(ana: httpx.AsyncClient, ticket: dict[str, Any]) -> None:
    path = f"/api/v1/agent/tickets/{ticket['id']}"
    current = (await ana.get(path)).json()["ticket"]["version"]
    done = await ana.put(f"{path}/status", json={"status": "finished", "expected_version": current})
    assert done.status_code == 200, done.text


async def test_the_customer_rates_signed_in_or_by_the_mailed_key(stack: Stack, keys: dict[str, str]) -> None:  # noqa: F811
    maria = await customer(stack, "maria.rating@example.com")
    ana = await agent(stack, "ana.rating@example.com", "Financeiro")
    ticket = (await open_ticket(maria)).json()
    own = f"/api/v1/tickets/{ticket['id']}/rating"
    public = f"/api/v1/ratings/tickets/{ticket['id']}"

    early = await maria.post(own, json={"score": 5})
    assert early.status_code == 409 and early.json()["error"] == "ticket_not_finished", early.text
    assert early.json()["message"] == "Só é possível avaliar uma solicitação finalizada."

    await finish(ana, ticket)
    rated = await maria.post(own, json={"score": 4, "comment": "Resolveram rápido"})
    assert rated.status_code == 200, rated.text
    assert {k: rated.json()[k] for k in ("score", "comment")} == {"score": 4, "comment": "Resolveram rápido"}
    assert rated.json()["rated_at"]
    detail = (await maria.get(f"/api/v1/tickets/{ticket['id']}")).json()
    assert detail["rating"] == rated.json()
    # The agent reads it in the history.
    history = (await ana.get(f"/api/v1/agent/tickets/{ticket['id']}")).json()["history"]
    [entry] = [e for e in history if e["kind"] == "rated"]
    assert (entry["score"], entry["body"], entry["actor_kind"]) == (4, "Resolveram rápido", "customer")

    # The mailed link: no session, no CSRF; a score alone keeps the comment given before.
    await eventually(lambda: ticket["id"] in keys, what="the finish's rating key")
    key = keys[ticket["id"]]
    async with stack.client() as anyone:
        clicked = await anyone.post(public, json={"key": key, "score": 5})
        assert clicked.status_code == 200, clicked.text
        assert (clicked.json()["score"], clicked.json()["comment"]) == (5, "Resolveram rápido")
        again = await anyone.post(public, json={"key": key, "score": 5})  # a retried request
        assert again.json() == clicked.json()
        cleared = await anyone.post(public, json={"key": key, "score": 3, "comment": ""})
        assert (cleared.json()["score"], cleared.json()["comment"]) == (3, "")

        wrong = await anyone.post(public, json={"key": key + "x", "score": 1})
        assert wrong.status_code == 404 and wrong.json()["error"] == "ticket_not_found"
        unknown = await anyone.post(
            "/api/v1/ratings/tickets/00000000-0000-4000-8000-000000000000", json={"key": key, "score": 1}
        )
        assert unknown.status_code == 404 and unknown.json()["error"] == "ticket_not_found"
        assert (
            await anyone.post("/api/v1/ratings/tickets/nada", json={"key": key, "score": 1})
        ).status_code == 404
    ratings = [
        e
        for e in (await ana.get(f"/api/v1/agent/tickets/{ticket['id']}")).json()["history"]
        if e["kind"] == "rated"
    ]
    assert [e["score"] for e in ratings] == [4, 5, 3], "the retry recorded nothing"


async def test_strangers_and_bad_scores_are_refused(stack: Stack) -> None:  # noqa: F811
    maria = await customer(stack, "maria.rating2@example.com")
    joao = await customer(stack, "joao.rating2@example.com")
    ana = await agent(stack, "ana.rating2@example.com", "Financeiro")
    ticket = (await open_ticket(maria)).json()
    await finish(ana, ticket)
    own = f"/api/v1/tickets/{ticket['id']}/rating"
    foreign = await joao.post(own, json={"score": 5})
    assert foreign.status_code == 404 and foreign.json()["error"] == "ticket_not_found"
    assert (await ana.post(own, json={"score": 5})).status_code == 403, "agents do not rate"
    async with stack.client() as anyone:
        assert (await anyone.post(own, json={"score": 5})).status_code == 401

    for score in (0, 6, "cinco", 4.5, None):
        bad = await maria.post(own, json={"score": score}, headers={"Accept-Language": "pt-BR"})
        assert bad.status_code == 422, (score, bad.text)
        assert bad.json()["fields"] == [
            {"field": "score", "reason": "score_invalid", "message": "Escolha uma nota de 1 a 5."}
        ]
    english = await maria.post(own, json={"score": 9}, headers={"Accept-Language": "en"})
    assert english.json()["fields"][0]["message"] == "Choose a score from 1 to 5."
    keyless = await maria.post(
        f"/api/v1/ratings/tickets/{ticket['id']}", json={"score": 3}, headers={"Accept-Language": "en"}
    )
    assert keyless.status_code == 422 and keyless.json()["fields"][0]["field"] == "key"
    long = await maria.post(own, json={"score": 3, "comment": "x" * 2001})
    assert long.status_code == 422 and long.json()["fields"][0]["field"] == "comment"
