"""Guide 000's customer journey through the portal, in a real browser against the whole of Atende.

Sign up, confirm the address through the mailed link, log in, open a request with a file, follow it
while an agent answers (through the API: the console is tested on its own), reply with a file,
mark it solved; then the list on a phone and a past chat's transcript with its file.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, expect
from support.accounts import PASSWORD
from support.pages import PHONE, Shoot, accessibility_problems
from support.samples import accepted
from support.site import Site
from websockets.asyncio.client import ClientConnection, connect

DAY_AND_TIME = re.compile(r"\d{2}/\d{2}/\d{4},? \d{2}:\d{2}")
NewContext = Callable[..., Awaitable[BrowserContext]]


def sample_file(folder: Path, kind: str) -> tuple[Path, bytes]:
    """A real sample of ``kind`` written where the browser's file chooser can pick it."""
    name, data = accepted(kind)
    path = folder / name
    path.write_bytes(data)
    return path, data


async def agent_client(site: Site, email: str, name: str, *departments: str) -> httpx.AsyncClient:
    """An agent of ``departments`` talking to the API with a bearer token (as the console will)."""
    await site.agent(email, name, *departments)
    async with httpx.AsyncClient(base_url=site.url) as client:
        session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
        issued = await client.post(
            "/api/v1/tokens", json={"name": "console"}, headers={"X-CSRF-Token": session.json()["csrf_token"]}
        )
    return httpx.AsyncClient(base_url=site.url, headers={"Authorization": f"Bearer {issued.json()['token']}"})


async def test_guide_000_sign_up_verify_open_follow_reply_and_solve(
    page: Page, site: Site, shoot: Shoot, tmp_path: Path
) -> None:
    email = f"joana-{uuid.uuid4().hex[:6]}@example.com"
    await page.goto("/")
    await page.get_by_role("link", name="Cadastrar-se").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Criar conta")
    await page.get_by_label("Nome").fill("Joana Silva")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Senha").fill(PASSWORD)
    assert await accessibility_problems(page) == []
    await shoot(page, "portal-signup")
    await page.get_by_role("button", name="Criar conta").click()
    await expect(page.get_by_role("heading", name="Confira seu e-mail")).to_be_visible()
    await expect(page.get_by_text(email)).to_be_visible()
    await expect(page.get_by_role("link", name="abrir o link de confirmação enviado")).to_be_visible()

    # The notifier mails the link; following it confirms the address, once.
    link = await site.mailed_link(email, "Confirme seu e-mail")
    await page.goto(link)
    await expect(page.get_by_role("heading", name="E-mail confirmado!")).to_be_visible()
    assert "token" not in page.url  # a spent secret does not stay in the address bar
    assert await accessibility_problems(page) == []
    await shoot(page, "portal-verify")
    await page.goto(link)
    await expect(page.get_by_role("heading", name="Link inválido")).to_be_visible()

    await page.get_by_role("link", name="Entrar", exact=True).last.click()
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Senha").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url("**/tickets")
    await expect(page.get_by_text("Você ainda não tem solicitações.")).to_be_visible()
    await expect(page.locator("#unverified-note")).to_have_count(0)

    # Nova solicitação, with a real PDF that uploads to 100% before sending.
    await page.get_by_role("link", name="Nova solicitação").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nova solicitação")
    await page.get_by_label("Assunto").fill("Não consigo emitir o boleto")
    await page.get_by_label("Departamento").select_option("Financeiro")
    await page.get_by_label("Descrição").fill("Ao gerar o boleto de março aparece um erro.\nSegue a fatura.")
    pdf, pdf_bytes = sample_file(tmp_path, "pdf")
    await page.get_by_label("Anexar arquivos").set_input_files(pdf)
    await expect(page.locator(".upload-percent")).to_have_text("100%")
    await expect(page.locator(".upload[data-attachment-id]")).to_have_count(1)
    await expect(page.get_by_role("button", name="Enviar solicitação")).to_be_enabled()
    assert await accessibility_problems(page) == []
    await shoot(page, "portal-new-ticket")
    await page.get_by_role("button", name="Enviar solicitação").click()
    sent = page.get_by_role("heading", name=re.compile(r"^Solicitação #\d+ enviada$"))
    await expect(sent).to_be_visible()
    reference = (await sent.text_content() or "").split()[1]
    assert await accessibility_problems(page) == []
    await shoot(page, "portal-ticket-sent")

    # The list: number, subject, "Em espera", opened at day and time.
    await page.get_by_role("link", name="Voltar para Solicitações").click()
    row = page.locator("tr.ticket-row", has_text=reference)
    await expect(row).to_contain_text("Não consigo emitir o boleto")
    await expect(row.locator(".badge")).to_have_text("Em espera")
    await expect(row.locator("td").nth(3)).to_have_text(DAY_AND_TIME)
    assert await accessibility_problems(page) == []
    await shoot(page, "portal-tickets")
    await row.click()  # one click on the request shows its history
    await page.wait_for_url(re.compile(r"/tickets/[0-9a-f-]{36}$"))
    ticket_id = page.url.rsplit("/", 1)[1]
    await expect(page.locator("#ticket-status")).to_have_text("Em espera")
    file_link = page.get_by_role("link", name=re.compile(re.escape(pdf.name)))
    await expect(file_link).to_be_visible()
    downloaded = await page.request.get(await file_link.get_attribute("href") or "")
    assert downloaded.ok and await downloaded.body() == pdf_bytes

    # An agent answers; the customer sees it with the status at the top right.
    agent = await agent_client(site, f"ana-{uuid.uuid4().hex[:6]}@example.com", "Ana Agente", "Financeiro")
    async with agent:
        answered = await agent.post(
            f"/api/v1/agent/tickets/{ticket_id}/replies",
            json={"body": "Olá Joana, pode enviar um print da tela do erro?"},
        )
        assert answered.status_code == 201, answered.text
    await page.reload()
    status = page.locator("#ticket-status")
    await expect(status).to_have_text("Aguardando sua resposta")
    agent_message = page.locator(".entry.from-support")
    await expect(agent_message).to_contain_text("Ana Agente")
    await expect(agent_message).to_contain_text("pode enviar um print")
    await expect(agent_message.locator("time")).to_have_text(DAY_AND_TIME)
    title_box, status_box = await page.locator("#ticket-title").bounding_box(), await status.bounding_box()
    history_box = await page.locator("#history").bounding_box()
    assert title_box and status_box and history_box
    assert status_box["x"] > title_box["x"] + title_box["width"] / 2  # right…
    assert status_box["y"] < history_box["y"]  # …and at the top

    # The customer replies with a screenshot, then marks the problem solved.
    png, _ = sample_file(tmp_path, "png")
    await page.get_by_label("Sua resposta").fill("Segue o print.")
    await page.get_by_label("Anexar arquivos").set_input_files(png)
    await expect(page.locator("#reply-files-list .upload-percent")).to_have_text("100%")
    await page.get_by_label("Sua resposta").press("Control+Enter")  # the keyboard's way to send
    mine = page.locator(".entry.from-customer", has_text="Segue o print.")
    await expect(mine).to_contain_text(png.name)
    await expect(status).to_have_text("Em andamento")
    await expect(page.get_by_label("Sua resposta")).to_have_value("")
    await page.get_by_role("button", name="Meu problema foi resolvido").click()
    await expect(status).to_have_text("Finalizado")
    await expect(page.get_by_text("Se você responder, ela será reaberta.")).to_be_visible()
    await expect(page.get_by_role("button", name="Meu problema foi resolvido")).to_be_hidden()
    assert await accessibility_problems(page) == []
    await shoot(page, "portal-ticket")
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_the_list_is_cards_on_a_phone_and_past_chats_open_to_their_transcript(
    page: Page, site: Site, shoot: Shoot, new_context: NewContext
) -> None:
    email = f"rita-{uuid.uuid4().hex[:6]}@example.com"
    await customer(page.context, email, "Rita Souza")
    for subject in ("Painel fora do ar", "Dúvida sobre a fatura"):
        opened = await page.request.post(
            "/api/v1/tickets",
            data={"subject": subject, "description": "Detalhes."},
            headers=await csrf(page.context) | {"Idempotency-Key": uuid.uuid4().hex},
        )
        assert opened.ok, await opened.text()
    conversation_id = await chat_with_a_file(site, email, "Rita Souza")

    await page.set_viewport_size(PHONE)
    await page.goto("/tickets")
    cards = page.locator("tr.ticket-row")
    await expect(cards).to_have_count(2)
    await expect(cards.first).to_contain_text("Dúvida sobre a fatura")  # newest activity first
    first, second = await cards.nth(0).bounding_box(), await cards.nth(1).bounding_box()
    assert first and second and second["y"] >= first["y"] + first["height"]  # stacked, one per line
    assert first["width"] <= PHONE["width"]
    opened_cell = cards.first.locator("td").nth(3)  # each cell says what it is (a CSS label)
    await expect(opened_cell).to_have_accessible_name(re.compile(r"^Aberta em: \d{2}/\d{2}/\d{4}"))
    past = page.get_by_role("link", name="Meu painel caiu, segue o print")
    await expect(past).to_be_visible()
    assert await accessibility_problems(page) == []
    await shoot(page, "portal-tickets-phone")

    await past.click()
    await page.wait_for_url(f"**/chats/{conversation_id}")
    entries = page.locator("#entries")
    await expect(entries).to_contain_text("Ana Agente entrou na conversa")
    await expect(entries).to_contain_text("Vou verificar agora.")
    await expect(entries).to_contain_text("Conversa encerrada")
    await expect(page.locator("#chat-status")).to_have_text("Encerrada")
    link = page.get_by_role("link", name="Arquivo enviado")
    downloaded = await page.request.get(await link.get_attribute("href") or "")
    assert downloaded.ok and await downloaded.body() == accepted("png")[1]
    assert await accessibility_problems(page) == []
    await shoot(page, "portal-chat-transcript")

    # Someone else's chat is a 404 page, like someone else's request.
    other = await (await new_context()).new_page()
    await customer(other.context, f"beto-{uuid.uuid4().hex[:6]}@example.com", "Beto")
    answer = await other.goto(f"/chats/{conversation_id}")
    assert answer is not None and answer.status == 404
    await expect(other.get_by_role("heading", level=1)).to_have_text("Página não encontrada")
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_more_than_50_requests_are_paged(page: Page) -> None:
    await customer(page.context, f"many-{uuid.uuid4().hex[:6]}@example.com", "Muitos Pedidos")
    headers = await csrf(page.context)
    for n in range(1, 52):
        opened = await page.request.post(
            "/api/v1/tickets",
            data={"subject": f"Pedido {n:02d}", "description": "Detalhes."},
            headers=headers | {"Idempotency-Key": f"many-{n}"},
        )
        assert opened.ok, await opened.text()
    await page.goto("/tickets")
    rows = page.locator("tr.ticket-row")
    await expect(rows).to_have_count(50)
    await expect(rows.first).to_contain_text("Pedido 51")
    await expect(page.locator("#tickets-state")).to_have_text("51 solicitações")
    await expect(page.locator("#pager-where")).to_have_text("Página 1 de 2")
    await expect(page.get_by_role("link", name="Anterior")).to_be_hidden()
    await page.get_by_role("link", name="Próxima").click()
    await page.wait_for_url("**/tickets?page=2")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Pedido 01")
    await expect(page.get_by_role("link", name="Próxima")).to_be_hidden()
    await page.get_by_role("link", name="Anterior").click()
    await expect(rows).to_have_count(50)
    assert page.script_errors == []  # type: ignore[attr-defined]


async def customer(context: BrowserContext, email: str, name: str) -> None:
    """A verified, logged-in customer in this browser context (through the API, as the pages do)."""
    signed = await context.request.post(
        "/api/v1/accounts", data={"name": name, "email": email, "password": PASSWORD}
    )
    token = (await signed.json())["dev_verification_url"].rsplit("#token=", 1)[1]
    assert (await context.request.post("/api/v1/accounts/verify", data={"token": token})).ok
    assert (await context.request.post("/api/v1/session", data={"email": email, "password": PASSWORD})).ok


async def csrf(context: BrowserContext) -> dict[str, str]:
    """The CSRF header a logged-in page sends on a change."""
    cookies = {c["name"]: c["value"] for c in await context.cookies()}
    return {"X-CSRF-Token": cookies["atende_csrf"]}


async def chat_with_a_file(site: Site, email: str, name: str) -> str:
    """A whole chat (guide 003) by ``email`` with an agent: a question, a screenshot, an answer, closed."""
    agent = await agent_client(site, f"ana-{uuid.uuid4().hex[:6]}@example.com", "Ana Agente", "Suporte")
    ws = site.url.replace("http://", "ws://")
    bearer = {"Authorization": agent.headers["Authorization"]}
    async with agent, connect(f"{ws}/api/v1/agent/chats/socket", additional_headers=bearer) as console:
        await frame(console, "hello")
        await console.send(json.dumps({"type": "presence", "presence": "online"}))
        await frame(console, "presence")
        started = await agent.post(
            "/api/v1/chat/conversations",
            json={
                "name": name,
                "email": email,
                "question": "Meu painel caiu, segue o print",
                "department": "Suporte",
            },
        )
        assert started.status_code == 201, started.text
        body = started.json()
        conversation_id = body["conversation"]["conversation_id"]
        await console.send(json.dumps({"type": "accept", "conversation_id": conversation_id}))
        await frame(console, "accepted")
        filename, data = accepted("png")
        uploaded = await agent.post(
            f"/api/v1/chat/conversations/{conversation_id}/attachments",
            params={"filename": filename},
            content=data,
            headers={"X-Chat-Token": body["resume_token"]},
        )
        assert uploaded.status_code == 201, uploaded.text
        async with connect(f"{ws}/api/v1/chat/socket?token={body['resume_token']}") as visitor:
            await frame(visitor, "conversation")
            shared = {
                "type": "message",
                "client_id": "f1",
                "text": "o print",
                "attachment_id": uploaded.json()["id"],
            }
            await visitor.send(json.dumps(shared))
            await frame(visitor, "ack")
        reply = {"type": "message", "client_id": "a1", "text": "Vou verificar agora."}
        await console.send(json.dumps(reply | {"conversation_id": conversation_id}))
        await frame(console, "ack")
        await console.send(json.dumps({"type": "close", "conversation_id": conversation_id}))
        await frame(console, "status", "closed")
    return str(conversation_id)


async def frame(ws: ClientConnection, kind: str, status: str | None = None) -> dict[str, Any]:
    """The next frame of ``kind`` (and conversation ``status``), others skipped."""
    async with asyncio.timeout(10):
        while True:
            got: dict[str, Any] = json.loads(await ws.recv())
            if got.get("type") == kind and status in (None, got.get("conversation", {}).get("status")):
                return got
