"""Issue [9/9] "Access", as one matrix on the whole Atende: who may do what with whose ids.

Customer B with A's ticket, file, chat and rating ids gets the very 404 a made-up id gets; A gets
2xx. An agent outside the ticket's department is refused as if it did not exist, and nothing
changes; the admin may. Internal notes reach no customer by API, page or mail. Writes with a session
cookie and no (or a wrong) CSRF token are 403 and change nothing. Sockets: access_sockets. Last, the
whole run's log is grepped for every secret used.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from access_world import NOTE, PUBLIC, Credential, World, build, leaks
from support import infra
from support.samples import accepted

Row = tuple[str, str, dict[str, Any]]  # method, path with {T} {F} {C} {G} for ids, request keywords


@pytest.fixture(scope="module")
async def world(servers: infra.Session, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async for built in build(tmp_path_factory.mktemp("access"), servers):
        yield built


def _file() -> dict[str, Any]:
    name, data = accepted("pdf")
    return {"params": {"filename": name}, "content": data}


# Every customer-facing route that takes an id, with a body it would accept from the owner.
CUSTOMER_ROWS: dict[str, Row] = {
    "ticket": ("GET", "/api/v1/tickets/{T}", {}),
    "ticket file": ("GET", "/api/v1/tickets/{T}/attachments/{F}", {}),
    "ticket upload": ("POST", "/api/v1/tickets/{T}/attachments", _file()),
    "ticket rating": ("POST", "/api/v1/tickets/{T}/rating", {"json": {"score": 4}}),
    "reply": ("POST", "/api/v1/tickets/{T}/replies", {"json": {"body": "Ainda não resolveu"}}),
    "solved": ("POST", "/api/v1/tickets/{T}/solved", {}),
    "chat": ("GET", "/api/v1/chat/conversations/{C}", {}),
    "chat file": ("GET", "/api/v1/chat/conversations/{C}/attachments/{G}", {}),
    "chat rating": ("POST", "/api/v1/chat/conversations/{C}/rating", {"json": {"score": 5}}),
}
# The widget's visitor proves a chat with its resume token; B's names B's chat, never A's.
RESUME_ROWS: dict[str, Row] = {
    "chat upload": ("POST", "/api/v1/chat/conversations/{C}/attachments", _file()),
    "chat file by link": ("GET", "/api/v1/chat/conversations/{C}/attachments/{G}", {}),
    "chat rating by token": ("POST", "/api/v1/chat/conversations/{C}/rating", {"json": {"score": 5}}),
}


def ids(world: World, *, real: bool) -> dict[str, str]:
    if real:
        return {
            "T": world.ticket_id,
            "F": world.attachment_id,
            "C": world.conversation_id,
            "G": world.chat_attachment_id,
        }
    return {key: str(uuid.uuid4()) for key in "TFCG"}


async def ask(world: World, row: Row, headers: Credential, *, real: bool) -> Any:
    method, path, kw = row
    return await world.call(method, path.format(**ids(world, real=real)), headers, **kw)


def by_resume_token(row: Row, token: str) -> tuple[Row, Credential]:
    method, path, kw = row
    if method == "GET":  # a link cannot carry headers: the file's link takes the token as a parameter
        return (method, path, kw | {"params": {"token": token}}), {}
    return row, {"X-Chat-Token": token}


# --- B with A's ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize("way", ["token", "session"])
@pytest.mark.parametrize("name", list(CUSTOMER_ROWS))
async def test_customer_b_gets_for_a_s_ids_the_404_of_a_made_up_id(world: World, name: str, way: str) -> None:
    before = await world.ticket()
    b = world.b.ways()[way]
    theirs = await ask(world, CUSTOMER_ROWS[name], b, real=True)
    nothing = await ask(world, CUSTOMER_ROWS[name], b, real=False)
    assert theirs.status_code == 404, theirs.text
    assert (nothing.status_code, nothing.json()) == (404, theirs.json())
    assert await world.ticket() == before


@pytest.mark.parametrize("name", list(RESUME_ROWS))
async def test_b_s_resume_token_opens_nothing_of_a_s_chat(world: World, name: str) -> None:
    row, headers = by_resume_token(RESUME_ROWS[name], world.b.resume_token)
    theirs = await ask(world, row, headers, real=True)
    nothing = await ask(world, row, headers, real=False)
    assert theirs.status_code == 404, theirs.text
    assert (nothing.status_code, nothing.json()) == (404, theirs.json())


async def test_the_mailed_rating_needs_the_mailed_key(world: World) -> None:
    path = "/api/v1/ratings/tickets/{}"
    guessed = {"score": 1, "key": "x" * 32}
    theirs = await world.call("POST", path.format(world.ticket_id), json=guessed)
    nothing = await world.call("POST", path.format(uuid.uuid4()), json=guessed)
    assert (theirs.status_code, nothing.status_code, nothing.json()) == (404, 404, theirs.json())


@pytest.mark.parametrize("page", ["/tickets/{T}", "/chats/{C}"])
async def test_a_s_pages_are_a_404_page_for_b(world: World, page: str) -> None:
    theirs = await world.call("GET", page.format(**ids(world, real=True)), world.b.session)
    nothing = await world.call("GET", page.format(**ids(world, real=False)), world.b.session)
    assert (theirs.status_code, nothing.status_code) == (404, 404)
    assert "Boleto em dobro" not in theirs.text and NOTE not in theirs.text


# --- A with A's own ids -----------------------------------------------------------------------------


async def test_customer_a_is_answered_for_everything_of_their_own(world: World) -> None:
    """In this order: reading first; then rating the finished ticket, reopening it, finishing it."""
    expected = {"ticket": 200, "ticket file": 200, "ticket upload": 201, "chat": 200, "chat file": 200}
    expected |= {"chat rating": 200, "ticket rating": 200, "reply": 201, "solved": 200}
    for way, a in world.a.ways().items():
        for name, status in expected.items():
            got = await ask(world, CUSTOMER_ROWS[name], a, real=True)
            assert got.status_code == status, (way, name, got.text)
    for name, status in {"chat upload": 201, "chat file by link": 200, "chat rating by token": 200}.items():
        row, headers = by_resume_token(RESUME_ROWS[name], world.a.resume_token)
        got = await ask(world, row, headers, real=True)
        assert got.status_code == status, (name, got.text)
    rated = await world.call(
        "POST", f"/api/v1/ratings/tickets/{world.ticket_id}", json={"score": 5, "key": world.rating_key}
    )
    assert rated.status_code in (200, 409), rated.text  # 409: the ticket was reopened above, not finished


# --- agents -----------------------------------------------------------------------------------------


async def agent_rows(world: World) -> dict[str, Row]:
    """Every agent route on A's ticket and chat, with a body it would accept (current version)."""
    version = (await world.ticket())["ticket"]["version"]
    me = await world.call("GET", "/api/v1/me", world.finance.token)
    return {
        "ticket": ("GET", "/api/v1/agent/tickets/{T}", {}),
        "ticket file": ("GET", "/api/v1/agent/tickets/{T}/attachments/{F}", {}),
        "ticket upload": ("POST", "/api/v1/agent/tickets/{T}/attachments", _file()),
        "reply": ("POST", "/api/v1/agent/tickets/{T}/replies", {"json": {"body": "Resposta"}}),
        "note": ("POST", "/api/v1/agent/tickets/{T}/notes", {"json": {"body": f"{NOTE} (2)"}}),
        "status": (
            "PUT",
            "/api/v1/agent/tickets/{T}/status",
            {"json": {"status": "in_progress", "expected_version": version}},
        ),
        "assign": (
            "PUT",
            "/api/v1/agent/tickets/{T}/assignee",
            {"json": {"agent_id": me.json()["account_id"], "expected_version": version}},
        ),
        "chat": ("GET", "/api/v1/agent/chats/{C}", {}),
        "chat file": ("GET", "/api/v1/agent/chats/{C}/attachments/{G}", {}),
        "chat upload": ("POST", "/api/v1/agent/chats/{C}/attachments", _file()),
    }


@pytest.mark.parametrize("way", ["token", "session"])
async def test_an_agent_of_another_department_gets_404s_and_changes_nothing(world: World, way: str) -> None:
    support = world.support.ways()[way]
    before = await world.ticket()
    for name, row in (await agent_rows(world)).items():
        theirs = await ask(world, row, support, real=True)
        nothing = await ask(world, row, support, real=False)
        assert theirs.status_code == 404, (name, theirs.text)
        assert (nothing.status_code, nothing.json()) == (404, theirs.json()), name
    assert await world.ticket() == before
    inbox = await world.call("GET", "/api/v1/agent/tickets", support)
    assert world.ticket_id not in inbox.text
    chats = await world.call("GET", "/api/v1/agent/chats", support, params={"customer_email": world.a.email})
    assert chats.json() == {"conversations": [], "total": 0}


async def test_the_admin_may_do_everything_on_a_s_ticket_and_chat(world: World) -> None:
    """In this order: reopen the ticket A finished (a move), then answer, note, take it."""

    async def as_admin(name: str, status: int, admin: Credential) -> None:
        row = (await agent_rows(world))[name]  # each with the version as it is by now
        if name == "status":
            row = (row[0], row[1], {"json": row[2]["json"] | {"status": "waiting"}})
        got = await ask(world, row, admin, real=True)
        assert got.status_code == status, (name, got.text)

    await as_admin("status", 200, world.admin.session)
    expected = {"ticket": 200, "ticket file": 200, "ticket upload": 201, "reply": 201, "note": 201}
    expected |= {"chat": 200, "chat file": 200, "chat upload": 201, "assign": 200}
    for name, status in expected.items():
        await as_admin(name, status, world.admin.token)
    inbox = await world.call("GET", "/api/v1/agent/tickets", world.admin.token)
    assert world.ticket_id in inbox.text


# --- internal notes ---------------------------------------------------------------------------------


async def test_internal_notes_reach_no_customer_by_api_page_or_mail(world: World) -> None:
    staff_view = await world.call("GET", f"/api/v1/agent/tickets/{world.ticket_id}", world.finance.token)
    assert NOTE in staff_view.text  # the note is there, for agents
    for way, a in world.a.ways().items():
        for path in (f"/api/v1/tickets/{world.ticket_id}", "/api/v1/tickets", f"/tickets/{world.ticket_id}"):
            got = await world.call("GET", path, a)
            assert got.status_code == 200, (way, path, got.text)
            assert "NOTA-INTERNA" not in got.text, (way, path)
        assert PUBLIC in (await world.call("GET", f"/api/v1/tickets/{world.ticket_id}", a)).text
    mails = world.mails_to(world.a.email) + world.mails_to(world.b.email)
    assert any(PUBLIC in m for m in mails), "the public reply was mailed"
    assert any("o print" in m for m in mails), "the chat's transcript was mailed"
    assert not [m for m in mails if "NOTA-INTERNA" in m]


# --- CSRF -------------------------------------------------------------------------------------------


def csrf_rows(world: World) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Every write of the portal and the console a session cookie can make: (who, method, path, kw)."""
    t, c = world.ticket_id, world.conversation_id
    note = {"json": {"body": NOTE}}
    return [
        ("a", "POST", "/api/v1/tickets", {"json": {"subject": "x", "description": "y"}}),
        ("a", "POST", "/api/v1/tickets/new/attachments", _file() | {"headers": {"Idempotency-Key": "k1"}}),
        ("a", "POST", f"/api/v1/tickets/{t}/attachments", _file()),
        ("a", "POST", f"/api/v1/tickets/{t}/replies", {"json": {"body": "oi"}}),
        ("a", "POST", f"/api/v1/tickets/{t}/solved", {}),
        ("a", "POST", f"/api/v1/tickets/{t}/rating", {"json": {"score": 1}}),
        ("a", "POST", f"/api/v1/chat/conversations/{c}/rating", {"json": {"score": 1}}),
        ("a", "POST", "/api/v1/tokens", {"json": {"name": "csrf"}}),
        ("a", "DELETE", f"/api/v1/tokens/{uuid.uuid4()}", {}),
        ("a", "DELETE", "/api/v1/session", {}),
        ("finance", "POST", f"/api/v1/agent/tickets/{t}/replies", {"json": {"body": "oi"}}),
        ("finance", "POST", f"/api/v1/agent/tickets/{t}/notes", note),
        (
            "finance",
            "PUT",
            f"/api/v1/agent/tickets/{t}/status",
            {"json": {"status": "waiting", "expected_version": 1}},
        ),
        (
            "finance",
            "PUT",
            f"/api/v1/agent/tickets/{t}/assignee",
            {"json": {"agent_id": None, "expected_version": 1}},
        ),
        ("finance", "POST", f"/api/v1/agent/tickets/{t}/attachments", _file()),
        ("finance", "POST", f"/api/v1/agent/chats/{c}/attachments", _file()),
        ("finance", "PUT", "/api/v1/agent/insights/demands/d1/name", {"json": {"name": "Boletos"}}),
        ("finance", "POST", "/api/v1/agent/insights/demands/d1/merge", {"json": {"into": "d2"}}),
        ("finance", "DELETE", "/api/v1/agent/insights/demands/d1/merge", {}),
        ("finance", "PUT", "/api/v1/agent/insights/demands/d1/development", {"json": {"note": "JIRA-1"}}),
        ("finance", "DELETE", "/api/v1/agent/insights/demands/d1/development", {}),
        ("finance", "DELETE", "/api/v1/session", {}),
        ("admin", "POST", "/api/v1/admin/mail/1-1/retry", {}),
    ]


async def snapshot(world: World) -> list[Any]:
    """What a forged write could change: A's ticket and list, everyone's tokens and sessions."""
    seen: list[Any] = [await world.ticket()]
    for who in (world.a, world.finance, world.admin):
        seen.append((await world.call("GET", "/api/v1/tokens", who.session)).json())
        seen.append((await world.call("GET", "/api/v1/me", who.session)).status_code)
    seen.append((await world.call("GET", "/api/v1/tickets", world.a.token)).json()["total"])
    return seen


async def test_writes_with_a_session_but_no_or_a_wrong_csrf_token_are_403_and_change_nothing(
    world: World,
) -> None:
    before = await snapshot(world)
    people = {"a": world.a, "finance": world.finance, "admin": world.admin}
    forged = "f" * 43
    for who, method, path, kw in csrf_rows(world):
        browser = people[who].browser
        extra, kw = kw.get("headers", {}), {k: v for k, v in kw.items() if k != "headers"}
        for case, headers in {
            "no header": browser.headers(),
            "a wrong header": browser.headers(csrf=forged),
            "header and cookie both forged": browser.headers(csrf=forged, cookie_csrf=forged),
            "another session's token": browser.headers(
                csrf=world.b.browser.csrf, cookie_csrf=world.b.browser.csrf
            ),
        }.items():
            got = await world.call(method, path, headers | extra, **kw)
            assert (got.status_code, got.json()["error"]) == (403, "csrf_failed"), (who, method, path, case)
    assert await snapshot(world) == before


# --- logs (last: it greps what the whole module logged) ---------------------------------------------


async def test_no_log_line_holds_a_password_or_a_secret(world: World) -> None:
    assert all(len(secret) >= 8 for secret in world.secrets.values())  # none that turns up by chance
    assert not leaks(world)
