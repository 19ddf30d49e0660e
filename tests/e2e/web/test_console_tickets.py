"""The agent console's tickets in a real browser: the live inbox, one ticket's history, replies and notes.

Customers act through the public HTTP API (the portal is another page's business); agents in chromium.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, WebSocketRoute, expect
from support.accounts import PASSWORD, verified_customer
from support.pages import PHONE, Shoot, accessibility_problems
from support.samples import accepted
from support.site import Site
from websockets.asyncio.client import connect

NewContext = Callable[..., Awaitable[BrowserContext]]


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


@pytest.fixture(autouse=True)
def patient() -> Iterator[None]:
    """Live changes cross NATS, a relay and a read model: on a busy machine they may take over 5 s."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
async def customers(site: Site) -> AsyncIterator[Callable[[str], Awaitable[httpx.AsyncClient]]]:
    """Verified, logged-in customers' HTTP clients (closed after the test)."""
    opened: list[httpx.AsyncClient] = []

    async def customer(name: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=site.url, timeout=15)
        opened.append(client)
        return await verified_customer(client, unique(name.lower()), name)

    yield customer
    for client in opened:
        await client.aclose()


async def open_ticket(
    client: httpx.AsyncClient, subject: str, department: str, file: str | None = None
) -> dict[str, Any]:
    """Nova solicitação (with a file uploaded first, as the portal does)."""
    key = uuid.uuid4().hex
    attachment_ids = []
    if file:
        name, data = accepted(file)
        stored = await client.post(
            "/api/v1/tickets/new/attachments",
            params={"filename": name},
            content=data,
            headers={"Idempotency-Key": key},
        )
        assert stored.status_code == 201, stored.text
        attachment_ids.append(stored.json()["id"])
    opened = await client.post(
        "/api/v1/tickets",
        json={
            "subject": subject,
            "description": "Fui cobrado duas vezes no boleto de outubro.",
            "department": department,
            "attachment_ids": attachment_ids,
        },
        headers={"Idempotency-Key": key},
    )
    assert opened.status_code == 201, opened.text
    return dict(opened.json())


async def log_in(page: Page, email: str) -> None:
    await page.goto("/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Senha").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url(re.compile(r"/console"))


SOCKET = re.compile(r"/api/v1/agent/chats/socket$")


async def agent_tab(new_context: NewContext, email: str, *, deaf: bool = False) -> Page:
    """Another agent's own browser, logged in, failing on script errors; ``deaf``: its socket hears nothing."""
    context = await new_context()
    if deaf:
        await context.route_web_socket(SOCKET, lambda socket: None)  # open, but never connected to the server
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.script_errors = errors  # type: ignore[attr-defined]
    await log_in(tab, email)
    return tab


def live(page: Page) -> Any:
    """The connection banner once the console's socket is open."""
    return expect(page.locator(".connection[data-state=open]")).to_be_attached()


def count(page: Page, status: str) -> Any:
    return page.locator(f'[data-count-of="{status}"]')


async def number_in(page: Page, status: str) -> int:
    text = await count(page, status).text_content()
    return int(text or 0)


async def test_a_new_ticket_appears_live_and_the_agent_notes_replies_moves_and_assigns_it(
    page: Page, site: Site, customers: Any, shoot: Shoot
) -> None:
    ana, bruno = unique("ana"), unique("bruno")
    await site.agent(ana, "Ana Agente", "Financeiro")
    await site.agent(bruno, "Bruno Colega", "Financeiro")
    await log_in(page, ana)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Solicitações")
    await live(page)
    await expect(page.locator("#inbox-list")).to_have_attribute("aria-busy", "false")
    waiting_before = await number_in(page, "waiting")

    maria = await customers("Maria")
    subject = f"Cobrança em dobro {uuid.uuid4().hex[:4]}"
    ticket = await open_ticket(maria, subject, "Financeiro", file="pdf")

    # Live: no reload, the row and the counts arrive, and the news says so politely.
    row = page.locator("#inbox-rows tr", has_text=subject)
    await expect(row).to_be_visible()
    await expect(row).to_contain_text(ticket["reference"])
    await expect(row).to_contain_text("Maria")
    await expect(row).to_contain_text("Em espera")
    await expect(row.locator(".row-tag")).to_have_text("Nova")
    await expect(count(page, "waiting")).to_have_text(str(waiting_before + 1))
    await expect(page.locator("#inbox-news")).to_contain_text(f"{ticket['reference']} aberta")
    assert await accessibility_problems(page) == []
    await shoot(page, "console-inbox")

    # Filters live in the address: a reload keeps them, Back undoes them.
    await page.get_by_label("Departamento").select_option("Financeiro")
    await expect(page).to_have_url(re.compile(r"department=Financeiro"))
    await page.get_by_label("Buscar", exact=True).fill(subject.split()[-1])
    await page.get_by_label("Buscar", exact=True).press("Enter")
    await expect(page).to_have_url(re.compile(r"q="))
    await expect(page.locator("#inbox-rows tr")).to_have_count(1)
    await page.get_by_role("link", name=re.compile("^Em espera")).click()
    await expect(page).to_have_url(re.compile(r"status=waiting"))
    await expect(page.get_by_role("link", name=re.compile("^Em espera"))).to_have_attribute(
        "aria-current", "page"
    )
    await shoot(page, "console-inbox-filtered")
    await page.reload()
    await expect(page.get_by_label("Departamento")).to_have_value("Financeiro")
    await expect(page.get_by_label("Buscar", exact=True)).to_have_value(subject.split()[-1])
    await expect(page.locator("#inbox-rows tr")).to_have_count(1)
    await page.go_back()
    await expect(page).not_to_have_url(re.compile(r"status=waiting"))

    # The ticket: header, whole history, the customer's file as a link with its size.
    await page.get_by_role("link", name=subject).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(subject)
    await expect(page.locator("[data-field=status]")).to_have_text("Em espera")
    await expect(page.locator("[data-field=customer]")).to_contain_text("Maria")
    await expect(page.get_by_role("link", name="fatura.pdf")).to_be_visible()
    await expect(page.locator(".entry-file").first).to_contain_text(re.compile(r"\(\d[\d,.]* (B|KB)\)"))
    await live(page)

    # An internal note: set apart, and the composer says where the words go.
    await page.get_by_text("Nota interna", exact=True).click()
    await expect(page.locator("#composer")).to_have_class(re.compile("composer-note"))
    await page.get_by_label("Sua nota interna (só para a equipe)").fill(
        "Estorno pendente no banco: não contar ao cliente"
    )
    await page.get_by_role("button", name="Adicionar nota").click()
    note = page.locator(".entry-note")
    await expect(note).to_contain_text("Estorno pendente no banco")
    await expect(note.get_by_role("heading")).to_have_text("Nota interna de Ana Agente")
    await expect(page.locator("#ticket-notice")).to_have_text("Nota interna adicionada.")

    # A public reply with a file: the upload reaches 100%, the ticket then awaits the customer.
    await page.get_by_text("Resposta pública", exact=True).click()
    name, data = accepted("png")
    await page.locator("#composer-upload").set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": data}]
    )
    await expect(page.locator("#composer-upload-list .upload-percent")).to_have_text("100%")
    await expect(page.locator("#composer-upload-list [data-attachment-id]")).to_have_count(1)
    await page.get_by_label("Sua resposta ao cliente").fill("Olá, Maria! Veja o comprovante do estorno.")
    await page.get_by_role("button", name="Enviar resposta").click()
    reply = page.locator(".entry-team", has_text="comprovante do estorno")
    await expect(reply).to_be_visible()
    await expect(reply.get_by_role("link", name=name)).to_be_visible()
    await expect(page.locator("[data-field=status]")).to_have_text("Aguardando sua resposta")
    await expect(page.locator("#composer-upload-list li")).to_have_count(0)
    assert await accessibility_problems(page) == []
    await shoot(page, "console-ticket")

    # The customer sees the reply and the status, never the note.
    seen = await maria.get(f"/api/v1/tickets/{ticket['id']}")
    assert seen.status_code == 200, seen.text
    assert seen.json()["ticket"]["status_label"] == "Aguardando sua resposta"
    assert "Estorno pendente" not in seen.text and "comprovante do estorno" in seen.text
    assert all(not entry["internal"] for entry in seen.json()["history"])

    # The customer answers while the agent looks: the history refreshes and a notice says so.
    answered = await maria.post(f"/api/v1/tickets/{ticket['id']}/replies", json={"body": "Recebi, obrigada!"})
    assert answered.status_code == 201, answered.text
    await expect(page.locator(".entry-customer", has_text="Recebi, obrigada!")).to_be_visible()
    await expect(page.locator("#ticket-notice")).to_contain_text("Nova atividade nesta solicitação")
    await expect(page.locator("[data-field=status]")).to_have_text("Em andamento")

    # Status moves and assignment.
    await page.get_by_role("button", name="Finalizar").click()
    await expect(page.locator("[data-field=status]")).to_have_text("Finalizado")
    await page.get_by_role("button", name="Reabrir").click()
    await expect(page.locator("[data-field=status]")).to_have_text("Em espera")
    await page.get_by_role("button", name="Iniciar atendimento").click()
    await expect(page.locator("[data-field=status]")).to_have_text("Em andamento")
    await page.get_by_label("Atribuir a").select_option(label="Bruno Colega")
    await page.get_by_role("button", name="Atribuir", exact=True).click()
    await expect(page.locator("[data-field=assignee]")).to_have_text("Bruno Colega")
    await expect(
        page.locator(".entry-internal", has_text="Ana Agente atribuiu a Bruno Colega")
    ).to_be_visible()
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_two_agents_at_the_same_version_the_second_is_told_and_keeps_its_text(
    page: Page, site: Site, customers: Any, new_context: NewContext
) -> None:
    carla, davi = unique("carla"), unique("davi")
    await site.agent(carla, "Carla", "Suporte")
    await site.agent(davi, "Davi", "Suporte")
    rita = await customers("Rita")
    ticket = await open_ticket(rita, "Site fora do ar", "Suporte")
    path = f"/console/tickets/{ticket['id']}"
    await log_in(page, carla)
    # Davi's page hears nothing live (no refresh can bring it up to date by chance before he acts).
    other = await agent_tab(new_context, davi, deaf=True)
    for tab in (page, other):
        await tab.goto(path)
        await expect(tab.locator("[data-field=status]")).to_have_text("Em espera")

    # Carla adds a note; Davi's page still shows the version before it.
    await page.get_by_text("Nota interna", exact=True).click()
    await page.get_by_label("Sua nota interna (só para a equipe)").fill("Servidor reiniciado às 10h")
    await page.get_by_role("button", name="Adicionar nota").click()
    await expect(page.locator(".entry-note")).to_contain_text("Servidor reiniciado")

    await other.get_by_label("Sua resposta ao cliente").fill("Já estamos vendo, Rita.")
    await other.get_by_role("button", name="Enviar resposta").click()
    alert = other.locator("#ticket-alert")
    await expect(alert).to_contain_text("Outra pessoa alterou esta solicitação")
    await expect(other.locator(".entry-note")).to_contain_text("Servidor reiniciado")  # now current
    await expect(other.get_by_label("Sua resposta ao cliente")).to_have_value("Já estamos vendo, Rita.")
    await expect(other.locator(".entry-team")).to_have_count(0)

    # Having seen the change, Davi sends again and it goes.
    await other.get_by_role("button", name="Enviar resposta").click()
    await expect(other.locator(".entry-team", has_text="Já estamos vendo")).to_be_visible()
    await expect(other.locator("[data-field=status]")).to_have_text("Aguardando sua resposta")
    # Carla's page hears of the reply (a published change) and shows it without a reload.
    await expect(page.locator(".entry-team", has_text="Já estamos vendo")).to_be_visible()
    await expect(page.locator("#ticket-notice")).to_contain_text("Davi respondeu")

    # Davi finishes it: Carla's page follows live.
    await other.get_by_role("button", name="Finalizar").click()
    await expect(other.locator("[data-field=status]")).to_have_text("Finalizado")
    await expect(page.locator("[data-field=status]")).to_have_text("Finalizado")
    assert page.script_errors == [] and other.script_errors == []  # type: ignore[attr-defined]


async def test_a_dropped_connection_says_reconnecting_and_recovers_with_live_updates(
    page: Page, site: Site, customers: Any
) -> None:
    eva = unique("eva")
    await site.agent(eva, "Eva", "Websites")
    # The console's socket goes through a switch: while it is off, the server "drops" every try.
    sockets: list[WebSocketRoute] = []
    down = False

    async def through(socket: WebSocketRoute) -> None:
        if down:
            await socket.close(code=1011, reason="down")
            return
        socket.connect_to_server()
        sockets.append(socket)

    await page.route_web_socket(SOCKET, through)
    await log_in(page, eva)
    await live(page)
    await expect(page.locator("#inbox-list")).to_have_attribute("aria-busy", "false")
    banner = page.locator(".connection")

    down = True
    for socket in sockets:
        await socket.close(code=1011, reason="down")
    await expect(banner).to_be_visible()
    await expect(banner).to_have_text("Conexão perdida — reconectando…")
    down = False
    await expect(banner).to_be_hidden(timeout=20_000)

    rui = await customers("Rui")
    ticket = await open_ticket(rui, "Meu site não abre", "Websites")
    await expect(page.locator("#inbox-rows tr", has_text="Meu site não abre")).to_be_visible()
    await expect(page.locator("#inbox-news")).to_contain_text(f"{ticket['reference']} aberta")
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_the_inbox_on_a_phone_is_accessible_and_only_staff_get_in(
    page: Page, site: Site, customers: Any, shoot: Shoot
) -> None:
    fabio = unique("fabio")
    await site.agent(fabio, "Fábio", "Comercial")
    lia = await customers("Lia")
    await open_ticket(lia, "Orçamento de 20 licenças", "Comercial")
    await page.set_viewport_size(PHONE)
    await log_in(page, fabio)
    await expect(page.locator("#inbox-rows tr", has_text="Orçamento de 20 licenças")).to_be_visible()
    await expect(page.locator("#inbox-rows tr").first).to_contain_text("Lia")
    assert await accessibility_problems(page) == []
    await shoot(page, "console-inbox-phone")

    # Keyboard: / searches, j opens the way to the first ticket, Enter opens it.
    await page.keyboard.press("/")
    await expect(page.get_by_label("Buscar", exact=True)).to_be_focused()
    await page.get_by_label("Buscar", exact=True).fill("licenças")
    await page.keyboard.press("Enter")
    await expect(page.locator("#inbox-rows tr")).to_have_count(1)
    await page.locator("body").click(position={"x": 5, "y": 5})
    await page.keyboard.press("j")
    await expect(page.get_by_role("link", name="Orçamento de 20 licenças")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Orçamento de 20 licenças")
    await expect(page.locator(".entry-customer")).to_contain_text("Lia abriu a solicitação")

    # English second: the same ticket, every word switched.
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", name="History")).to_be_visible()
    await expect(page.locator(".entry-customer")).to_contain_text("Lia opened the ticket")
    await expect(page.locator("[data-field=status]")).to_have_text("Waiting")
    await expect(page.get_by_role("button", name="Send reply")).to_be_visible()
    await expect(page.get_by_role("button", name="Start working on it")).to_be_visible()
    assert await accessibility_problems(page) == []
    await shoot(page, "console-ticket-phone-en")
    assert page.script_errors == []  # type: ignore[attr-defined]

    async with httpx.AsyncClient(base_url=site.url) as stranger:
        away = await stranger.get("/console")
        assert (away.status_code, away.headers["location"]) == (303, "/login?next=/console")
    customer_page = await lia.get("/console/tickets/x")
    assert (customer_page.status_code, customer_page.headers["location"]) == (303, "/tickets")


async def test_the_nav_badge_counts_the_chats_waiting_in_the_agents_queues(page: Page, site: Site) -> None:
    gil, hana = unique("gil"), unique("hana")
    await site.agent(gil, "Gil", "Suporte")
    await site.agent(hana, "Hana", "Suporte")
    await log_in(page, gil)
    await live(page)
    badge = page.locator("[data-count=queued-chats]")
    await expect(badge).to_be_hidden()

    # Hana takes chats (a console elsewhere), so a customer may start one; it waits in Suporte's queue.
    async with httpx.AsyncClient(base_url=site.url) as client:
        session = await client.post("/api/v1/session", json={"email": hana, "password": PASSWORD})
        issued = await client.post(
            "/api/v1/tokens", json={"name": "console"}, headers={"X-CSRF-Token": session.json()["csrf_token"]}
        )
        socket_url = site.url.replace("http://", "ws://") + "/api/v1/agent/chats/socket"
        bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
        async with connect(socket_url, additional_headers=bearer) as hana_console:
            await hana_console.send(json.dumps({"type": "presence", "presence": "online"}))
            while json.loads(await hana_console.recv())["type"] != "presence":
                pass
            started = await client.post(
                "/api/v1/chat/conversations",
                json={
                    "name": "Rita",
                    "email": "rita@example.com",
                    "question": "Oi?",
                    "department": "Suporte",
                },
            )
            assert started.status_code == 201, started.text
            await expect(badge).to_have_text("1")
            await expect(badge).to_be_visible()
            await page.reload()  # the hello after a reload tells it again
            await expect(badge).to_have_text("1")
            conversation_id = started.json()["conversation"]["conversation_id"]
            await hana_console.send(json.dumps({"type": "accept", "conversation_id": conversation_id}))
            await expect(badge).to_be_hidden()
    assert page.script_errors == []  # type: ignore[attr-defined]
