"""The agent console's chats in a real browser; customers talk through the public HTTP + WebSocket API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, WebSocketRoute, expect
from support.accounts import PASSWORD
from support.pages import PHONE, Shoot, accessibility_problems
from support.samples import accepted
from support.site import Site
from support.waiting import eventually
from websockets.asyncio.client import ClientConnection, connect

NewContext = Callable[..., Awaitable[BrowserContext]]
Frame = dict[str, Any]


class Customer:
    """A customer in a chat over the public API: every frame received is kept, in order."""

    def __init__(self, site: Site, name: str, department: str, question: str) -> None:
        self.site, self.name, self.department, self.question = site, name, department, question
        self.email = f"cliente-{uuid.uuid4().hex[:8]}@example.com"
        self.frames: list[Frame] = []
        self.token = self.conversation_id = ""
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        async with httpx.AsyncClient(base_url=self.site.url) as client:
            started = await client.post(
                "/api/v1/chat/conversations",
                json={
                    "name": self.name,
                    "email": self.email,
                    "question": self.question,
                    "department": self.department,
                },
            )
        assert started.status_code == 201, started.text
        self.token = started.json()["resume_token"]
        self.conversation_id = started.json()["conversation"]["conversation_id"]
        ws_url = self.site.url.replace("http://", "ws://") + f"/api/v1/chat/socket?token={self.token}"
        self._ws = await connect(ws_url)
        self._reader = asyncio.create_task(self._read())
        await self.frame(lambda f: f["type"] == "conversation")

    async def _read(self) -> None:
        assert self._ws is not None
        with contextlib.suppress(Exception):
            async for raw in self._ws:
                self.frames.append(json.loads(raw))

    async def frame(self, wanted: Callable[[Frame], bool]) -> Frame:
        """The first frame received (so far or soon) that ``wanted`` accepts."""
        await eventually(lambda: any(wanted(f) for f in self.frames), what=f"a frame for {self.name}")
        return next(f for f in self.frames if wanted(f))

    def entries(self, kind: str) -> list[Frame]:
        return [f["entry"] for f in self.frames if f["type"] == "entry" and f["entry"]["kind"] == kind]

    async def send(self, **frame: Any) -> None:
        assert self._ws is not None
        await self._ws.send(json.dumps(frame))

    async def say(self, text: str) -> None:
        client_id = uuid.uuid4().hex
        await self.send(type="message", client_id=client_id, text=text)
        await self.frame(lambda f: f["type"] == "ack" and f["client_id"] == client_id)

    async def send_file(self, sample: str) -> None:
        name, data = accepted(sample)
        async with httpx.AsyncClient(base_url=self.site.url) as client:
            stored = await client.post(
                f"/api/v1/chat/conversations/{self.conversation_id}/attachments",
                params={"filename": name},
                content=data,
                headers={"X-Chat-Token": self.token},
            )
        assert stored.status_code == 201, stored.text
        await self.send(type="message", client_id=uuid.uuid4().hex, attachment_id=stored.json()["id"])

    async def leave(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await self._reader


@contextlib.asynccontextmanager
async def customers(site: Site, *people: tuple[str, str, str]) -> AsyncIterator[list[Customer]]:
    """Customers (name, department, question) who started a chat each; their sockets close after."""
    started = [Customer(site, *person) for person in people]
    try:
        for customer in started:
            await customer.start()
        yield started
    finally:
        for customer in started:
            await customer.leave()


async def agent_page(site: Site, new_context: NewContext, name: str, *departments: str) -> Page:
    """A staff member logged in on /console/chats and online; JS errors are kept in ``script_errors``."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    await site.agent(email, name, *departments)
    context = await new_context()
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.script_errors = errors  # type: ignore[attr-defined]
    await page.goto("/login?next=/console/chats")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Senha").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url(f"{site.url}/console/chats")
    await page.get_by_label("Online", exact=True).check()
    await expect(page.locator("#presence-state")).to_contain_text("Registrado: Online")
    return page


def queued(page: Page, name: str) -> Any:
    return page.locator(".queue-item").filter(has_text=name)


def panel(page: Page) -> Any:
    return page.locator(".chat-panel:visible")


def entries(page: Page, text: str) -> Any:
    return panel(page).locator(".chat-log .entry").filter(has_text=text)


async def test_an_agent_serves_two_chats_in_tabs_with_files_transfer_and_close(
    site: Site, new_context: NewContext, shoot: Shoot
) -> None:
    ana = await agent_page(site, new_context, "Ana", "Suporte", "Financeiro")
    beto = await agent_page(site, new_context, "Beto", "Financeiro")
    people = [("Rita Souza", "Suporte", "O painel caiu"), ("João Lima", "Financeiro", "Boleto vencido")]
    async with customers(site, *people) as (rita, joao):
        for who, department in (("Rita Souza", "Suporte"), ("João Lima", "Financeiro")):
            item = queued(ana, who)
            await expect(item).to_contain_text(department)
            await expect(item.locator(".queue-wait")).to_have_text(re.compile(r"Esperando há 0:\d\d"))
        await expect(ana.locator("nav [data-count=queued-chats]")).to_have_text("2")
        before = await queued(ana, "Rita").locator(".queue-wait").text_content()
        await expect(queued(ana, "Rita").locator(".queue-wait")).not_to_have_text(before or "")  # it ticks
        assert await accessibility_problems(ana) == []
        await shoot(ana, "console-chats-queue")

        await queued(ana, "Rita").get_by_role("button", name="Aceitar").click()
        await expect(ana.get_by_role("tab", name=re.compile("Rita Souza"))).to_have_attribute(
            "aria-selected", "true"
        )
        await queued(ana, "João").get_by_role("button", name="Aceitar").click()
        await expect(ana.get_by_role("tab")).to_have_count(2)
        await expect(ana.locator("nav [data-count=queued-chats]")).to_be_hidden()
        await expect(ana.locator("#presence-state")).to_contain_text("2 de 3 chats")
        assert (await rita.frame(lambda f: f["type"] == "status"))["conversation"]["agent_name"] == "Ana"

        # Arrow keys move between the tabs; a message in the other tab counts as unread there.
        await ana.get_by_role("tab", name=re.compile("João Lima")).focus()
        await ana.keyboard.press("ArrowLeft")
        await expect(ana.get_by_role("tab", name=re.compile("Rita Souza"))).to_have_attribute(
            "aria-selected", "true"
        )
        await joao.say("Preciso da segunda via")
        await expect(ana.get_by_role("tab", name=re.compile("João Lima"))).to_contain_text("1 não lida")

        await rita.send(type="typing")
        await expect(panel(ana).locator(".chat-typing")).to_have_text("Rita Souza está digitando…")
        await rita.say("Olá, o painel caiu de novo")
        await expect(entries(ana, "Olá, o painel caiu de novo")).to_have_count(1)
        await panel(ana).get_by_label("Mensagem").fill("Pode me passar o ID do AnyDesk?")
        await panel(ana).get_by_label("Mensagem").press("Enter")
        said = await rita.frame(
            lambda f: f["type"] == "entry" and f["entry"].get("text") == "Pode me passar o ID do AnyDesk?"
        )
        mine = entries(ana, "Pode me passar o ID do AnyDesk?")
        await expect(mine.locator(".entry-receipt")).to_have_text("Enviada")
        await rita.send(type="read", up_to_seq=said["entry"]["seq"])
        await expect(mine.locator(".entry-receipt")).to_have_text("Lida")

        name, data = accepted("pdf")
        await (
            panel(ana)
            .get_by_label("Anexar arquivo")
            .set_input_files({"name": name, "mimeType": "application/pdf", "buffer": data})
        )
        await expect(panel(ana).locator(".upload-percent")).to_have_text("100%")
        shared = await rita.frame(lambda f: f["type"] == "entry" and f["entry"]["kind"] == "file")
        assert shared["entry"]["text"] == name and shared["entry"]["attachment_id"]
        await expect(entries(ana, name).get_by_role("link", name=re.compile(name))).to_be_visible()
        await rita.send_file("png")
        await expect(panel(ana).get_by_role("img", name="Imagem: tela.png")).to_be_visible()
        image = panel(ana).locator("img.entry-image")
        await eventually(
            lambda: image.evaluate("img => img.complete && img.naturalWidth === 64"), what="the preview"
        )

        await ana.get_by_role("tab", name=re.compile("João Lima")).click()
        await expect(ana.get_by_role("tab", name=re.compile("João Lima"))).not_to_contain_text("não lidas")
        await expect(entries(ana, "Preciso da segunda via")).to_have_count(1)
        await panel(ana).get_by_label("Mensagem").fill("Vou passar para o Beto, do Financeiro.")
        await ana.get_by_role("button", name="Enviar").click()
        await joao.frame(
            lambda f: f["type"] == "entry" and (f["entry"].get("text") or "").startswith("Vou passar")
        )
        assert await accessibility_problems(ana) == []
        await shoot(ana, "console-chats-two-tabs")

        # Transfer João's chat to a colleague: it opens in his console, with its history.
        await panel(ana).get_by_role("button", name="Transferir").click()
        dialog = ana.get_by_role("dialog")
        await expect(dialog.get_by_label("Colega", exact=True)).to_contain_text("Beto")
        await dialog.get_by_label("Colega", exact=True).select_option(label="Beto")
        await dialog.get_by_role("button", name="Transferir").click()
        await expect(panel(ana).locator(".chat-state")).to_contain_text("transferido para Beto")
        await expect(beto.get_by_role("tab", name=re.compile("João Lima"))).to_be_visible()
        await expect(beto.locator("#chat-notice")).to_contain_text("João Lima agora está com você")
        await beto.get_by_role("tab", name=re.compile("João Lima")).click()
        await expect(entries(beto, "Preciso da segunda via")).to_have_count(1)
        await panel(beto).get_by_label("Mensagem").fill("Oi João, aqui é o Beto.")
        await panel(beto).get_by_label("Mensagem").press("Enter")
        await joao.frame(
            lambda f: f["type"] == "entry" and f["entry"].get("text") == "Oi João, aqui é o Beto."
        )

        # Close Rita's chat: her socket hears it, the tab says so and can be closed.
        await ana.get_by_role("tab", name=re.compile("Rita Souza")).click()
        await panel(ana).get_by_role("button", name="Encerrar chat").click()
        await ana.get_by_role("dialog").get_by_role("button", name="Encerrar").click()
        closed = await rita.frame(lambda f: f["type"] == "status" and f["conversation"]["status"] == "closed")
        assert closed["conversation"]["status"] == "closed"
        await expect(panel(ana).locator(".chat-state")).to_contain_text("Este chat foi encerrado")
        await expect(panel(ana).get_by_label("Mensagem")).to_be_hidden()
        await panel(ana).get_by_role("button", name="Fechar aba").click()
        await expect(ana.get_by_role("tab")).to_have_count(1)
        await expect(ana.locator("#presence-state")).to_contain_text("0 de 3 chats")
    assert ana.script_errors == [] and beto.script_errors == []  # type: ignore[attr-defined]


async def hold_queue_frames(page: Page) -> list[str]:
    """Route the page's chat socket through the test, holding back queue frames (a slow network)."""
    held: list[str] = []

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def to_page(message: str | bytes) -> None:
            if isinstance(message, str) and json.loads(message).get("type") == "queue":
                held.append(message)
            else:
                ws.send(message)

        server.on_message(to_page)
        ws.on_message(lambda message: server.send(message))

    await page.route_web_socket(re.compile(r".*/api/v1/agent/chats/socket"), route)
    return held


async def test_the_first_accept_wins_and_the_other_agent_is_told_politely(
    site: Site, new_context: NewContext
) -> None:
    carla = await agent_page(site, new_context, "Carla", "Comercial")
    duda = await agent_page(site, new_context, "Duda", "Comercial")
    async with customers(site, ("Marta Reis", "Comercial", "Quero um orçamento")):
        await expect(queued(carla, "Marta")).to_be_visible()
        await expect(queued(duda, "Marta")).to_be_visible()
        # Duda's page is slow to hear about the queue: Carla's accept lands first, Duda clicks a stale chat.
        held = await hold_queue_frames(duda)
        await duda.reload()
        await expect(queued(duda, "Marta")).to_be_visible()
        await queued(carla, "Marta").get_by_role("button", name="Aceitar").click()
        await expect(carla.get_by_role("tab", name=re.compile("Marta Reis"))).to_be_visible()
        await eventually(lambda: bool(held), what="the queue frame Duda's page did not get yet")
        await queued(duda, "Marta").get_by_role("button", name="Aceitar").click()
        await expect(duda.locator("#chat-notice")).to_contain_text(
            "Outro atendente aceitou este chat antes de você"
        )
        await expect(queued(duda, "Marta")).to_have_count(0)
        await expect(duda.get_by_role("tab")).to_have_count(0)
        await expect(duda.locator("nav [data-count=queued-chats]")).to_be_hidden()
    assert carla.script_errors == [] and duda.script_errors == []  # type: ignore[attr-defined]


async def test_a_reload_or_a_dropped_network_loses_nothing_and_repeats_nothing(
    site: Site, new_context: NewContext, shoot: Shoot
) -> None:
    eva = await agent_page(site, new_context, "Eva", "Websites")
    async with customers(site, ("Paula Dias", "Websites", "Meu site saiu do ar")) as (paula,):
        await queued(eva, "Paula").get_by_role("button", name="Aceitar").click()
        await paula.frame(lambda f: f["type"] == "status" and f["conversation"]["status"] == "active")
        await paula.say("Primeira mensagem")
        await panel(eva).get_by_label("Mensagem").fill("Resposta da Eva")
        await panel(eva).get_by_label("Mensagem").press("Enter")
        await expect(entries(eva, "Resposta da Eva").locator(".entry-receipt")).to_have_text("Enviada")
        shown = 4  # the question, accepted, and one message each way
        await expect(panel(eva).locator(".chat-log .entry")).to_have_count(shown)
        await expect(entries(eva, "Meu site saiu do ar")).to_have_count(1)

        await eva.reload()
        await expect(eva.get_by_role("tab", name=re.compile("Paula Dias"))).to_be_visible()
        await expect(entries(eva, "Primeira mensagem")).to_have_count(1)
        await expect(panel(eva).locator(".chat-log .entry")).to_have_count(shown)
        await expect(eva.get_by_label("Online", exact=True)).to_be_checked()
        await expect(eva.locator("#presence-state")).to_contain_text("Registrado: Online")

        await eva.context.set_offline(True)
        await expect(eva.locator(".connection")).to_have_text("Conexão perdida — reconectando…")
        await paula.say("O servidor caiu enquanto você estava fora")
        await eva.context.set_offline(False)
        await expect(eva.locator(".connection")).to_be_hidden()
        await expect(entries(eva, "O servidor caiu enquanto você estava fora")).to_have_count(1)
        await expect(panel(eva).locator(".chat-log .entry")).to_have_count(shown + 1)
        await expect(eva.locator("#presence-state")).to_contain_text("Registrado: Online")
        await panel(eva).get_by_label("Mensagem").fill("Voltei")
        await panel(eva).get_by_label("Mensagem").press("Enter")
        await paula.frame(lambda f: f["type"] == "entry" and f["entry"].get("text") == "Voltei")

        await panel(eva).get_by_role("button", name="Encerrar chat").click()
        await eva.get_by_role("dialog").get_by_role("button", name="Encerrar").click()
        await paula.frame(lambda f: f["type"] == "status" and f["conversation"]["status"] == "closed")

    # The past chat, found by a word of its transcript, opens read-only.
    await eva.get_by_label("Palavras da conversa").fill("servidor")
    await eva.get_by_role("button", name="Buscar").click()
    found = eva.locator(".past-item").filter(has_text="Paula Dias")
    await expect(found).to_have_count(1)
    await expect(found).to_contain_text("Websites")
    await expect(found.locator("time")).to_have_text(re.compile(r"\d\d/\d\d/\d{4},? \d\d:\d\d"))
    await eva.get_by_role("tab", name=re.compile("Paula Dias")).click()
    await panel(eva).get_by_role("button", name="Fechar aba").click()
    await found.get_by_role("button", name="Ver conversa de Paula Dias").click()
    await expect(eva.get_by_role("tab", name=re.compile("Paula Dias"))).to_contain_text("histórico")
    await expect(panel(eva).locator(".chat-state")).to_contain_text("somente leitura")
    await expect(entries(eva, "O servidor caiu enquanto você estava fora")).to_have_count(1)
    await expect(panel(eva).locator(".entry-closed")).to_contain_text("Chat encerrado por Eva")
    await expect(panel(eva).get_by_label("Mensagem")).to_be_hidden()
    await shoot(eva, "console-chats-transcript")

    await eva.set_viewport_size(PHONE)
    assert await accessibility_problems(eva) == []
    await shoot(eva, "console-chats-phone")

    await eva.get_by_role("link", name="English").click()
    await expect(eva.get_by_role("heading", name="Waiting queue")).to_be_visible()
    await expect(eva.locator("#presence-state")).to_contain_text("Recorded: Online")
    assert eva.script_errors == []  # type: ignore[attr-defined]
