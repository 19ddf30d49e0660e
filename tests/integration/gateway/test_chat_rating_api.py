"""Rating an ended chat over HTTP: the widget's visitor with the resume token, the portal's signed-in customer.

Real NATS and PostgreSQL, the chat service and the gateway; the agent's side is played over NATS.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from support.accounts import PASSWORD, Start, sign_up, token_of, verified_customer

from chat.bootstrap import bootstrap as chat_bootstrap
from chat.config import Settings as ChatSettings
from contracts.chat import ConversationV1
from contracts.chat_commands import AcceptChatV1, CloseChatV1, PresenceStateV1, SetPresenceV1
from contracts.subjects import ACCEPT_CHAT_V1, CLOSE_CHAT_V1, SET_PRESENCE_V1
from plumbing.bus import Bus

EN = {"Accept-Language": "en"}


@pytest.fixture
async def client(
    nats_url: str, postgres_url: str, start: Start, bus: Bus
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in front of a chat service, with an agent online in Suporte."""
    async with (
        chat_bootstrap(ChatSettings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)),
        start(cookie_secure=False) as gateway,
    ):
        presence = SetPresenceV1(
            agent_id="ana", agent_name="Ana", presence="online", departments=["Suporte"], capacity=5
        )
        await bus.request(SET_PRESENCE_V1, presence, PresenceStateV1)
        yield gateway


async def started(client: httpx.AsyncClient, email: str = "rita@example.com") -> tuple[str, str]:
    """A chat from the widget's start form: (conversation id, resume token)."""
    form = {
        "name": "Rita",
        "email": email,
        "question": "Não consigo acessar o painel",
        "department": "Suporte",
    }
    answer = await client.post("/api/v1/chat/conversations", json=form)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return body["conversation"]["conversation_id"], body["resume_token"]


async def accepted_and_closed(bus: Bus, conversation: str) -> None:
    accept = AcceptChatV1(conversation_id=conversation, agent_id="ana", agent_name="Ana")
    await bus.request(ACCEPT_CHAT_V1, accept, ConversationV1)
    close = CloseChatV1(conversation_id=conversation, by_kind="agent", by_id="ana")
    await bus.request(CLOSE_CHAT_V1, close, ConversationV1)


async def rate(
    client: httpx.AsyncClient, conversation: str, body: dict[str, Any], token: str | None, **headers: str
) -> httpx.Response:
    sent = headers | ({"X-Chat-Token": token} if token is not None else {})
    return await client.post(f"/api/v1/chat/conversations/{conversation}/rating", json=body, headers=sent)


async def test_the_widget_rates_an_ended_chat_with_its_resume_token(
    client: httpx.AsyncClient, bus: Bus
) -> None:
    conversation, token = await started(client)
    other, other_token = await started(client, "outra@example.com")

    early = await rate(client, conversation, {"score": 5}, token)
    assert early.status_code == 409
    assert early.json() == {
        "error": "chat_not_ended",
        "message": "Só é possível avaliar uma conversa depois que ela for encerrada.",
    }
    english = await rate(client, conversation, {"score": 5}, token, **EN)
    assert english.json()["message"] == "A chat can be rated only after it has ended."

    await accepted_and_closed(bus, conversation)
    rated = await rate(client, conversation, {"score": 5, "comment": " Rápido e gentil "}, token)
    assert rated.status_code == 200, rated.text
    body = rated.json()
    assert set(body) == {"score", "comment", "rated_at"}
    assert (body["score"], body["comment"]) == (5, "Rápido e gentil")
    again = await rate(client, conversation, {"score": 5, "comment": "Rápido e gentil"}, token)
    assert again.json() == body  # a retry records nothing new
    changed = await rate(client, conversation, {"score": 4}, token)
    assert (changed.json()["score"], changed.json()["comment"]) == (4, "")

    for wrong in ("not-a-token", other_token):  # a forged token, the token of another chat
        refused = await rate(client, conversation, {"score": 1}, wrong)
        assert refused.status_code == 404 and refused.json()["error"] == "conversation_not_found"
    assert (await rate(client, str(uuid.uuid4()), {"score": 1}, token)).status_code == 404
    nobody = await rate(client, conversation, {"score": 1}, None)
    assert nobody.status_code == 401
    assert (await rate(client, other, {"score": 3}, other_token)).json()["error"] == "chat_not_ended"


@pytest.mark.parametrize(
    ("body", "reason", "portuguese", "english"),
    [
        ({"score": 0}, "greater_than_equal", "Valor pequeno demais.", "Value too small."),
        ({"score": 6}, "less_than_equal", "Valor grande demais.", "Value too large."),
        ({"score": "muito"}, "int_parsing", "Informe um número inteiro.", "Give a whole number."),
        ({"comment": "Ótimo"}, "missing", "Campo obrigatório.", "This field is required."),
    ],
)
async def test_a_bad_score_names_the_field_in_both_languages(
    client: httpx.AsyncClient, bus: Bus, body: dict[str, Any], reason: str, portuguese: str, english: str
) -> None:
    conversation, token = await started(client)
    await accepted_and_closed(bus, conversation)
    for headers, message in (({}, portuguese), (EN, english)):
        refused = await rate(client, conversation, body, token, **headers)
        assert refused.status_code == 422, refused.text
        assert refused.json()["fields"] == [{"field": "score", "reason": reason, "message": message}]
    long = await rate(client, conversation, {"score": 3, "comment": "x" * 2001}, token)
    assert long.status_code == 422 and long.json()["fields"][0]["field"] == "comment"


async def test_a_signed_in_customer_rates_a_past_chat_from_the_portal(
    client: httpx.AsyncClient, bus: Bus
) -> None:
    email = f"maria-{uuid.uuid4().hex[:6]}@example.com"
    conversation, _ = await started(client, email)
    await accepted_and_closed(bus, conversation)
    signed = await sign_up(client, email)
    session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    client.headers["X-CSRF-Token"] = session.json()["csrf_token"]
    unproved = await rate(client, conversation, {"score": 1}, None)
    assert unproved.status_code == 404  # her address, but not proved yet: as if it were someone else's
    verified = await client.post(
        "/api/v1/accounts/verify", json={"token": token_of(signed.json()["dev_verification_url"])}
    )
    assert verified.status_code == 204

    rated = await rate(client, conversation, {"score": 2, "comment": "Demorou"}, None)
    assert rated.status_code == 200, rated.text
    shown = await client.get(f"/api/v1/chat/conversations/{conversation}")
    assert shown.json()["conversation"]["rating"] == rated.json()
    assert "customer_email" not in shown.json()["conversation"]
    forged = await rate(client, conversation, {"score": 5}, None, **{"X-CSRF-Token": "wrong"})
    assert forged.status_code == 403 and forged.json()["error"] == "csrf_failed"

    async with httpx.AsyncClient(base_url=client.base_url) as other_browser:
        bruno = await verified_customer(other_browser, f"bruno-{uuid.uuid4().hex[:6]}@example.com")
        refused = await rate(bruno, conversation, {"score": 1}, None)
        assert refused.status_code == 404 and refused.json()["error"] == "conversation_not_found"
    kept = await client.get(f"/api/v1/chat/conversations/{conversation}")
    assert kept.json()["conversation"]["rating"]["score"] == 2
