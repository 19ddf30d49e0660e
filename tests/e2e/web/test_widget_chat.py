"""Guide 003's chat in a real browser: the widget against a real agent socket, files, resume, the end.

The agent's side is driven through the agent WebSocket directly (the console is another page).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from playwright.async_api import FilePayload, Page, ViewportSize, expect
from support.accounts import PASSWORD
from support.pages import PHONE, Shoot, accessibility_problems
from support.samples import accepted
from support.site import Site
from support.waiting import eventually
from websockets.asyncio.client import ClientConnection, connect

Wanted = Callable[[dict[str, Any]], bool]
# The test's hand on the page's sockets, to cut the connection as a network drop would.
TRACK_SOCKETS = """
window.sockets = [];
window.WebSocket = class extends WebSocket {
  constructor(...args) { super(...args); window.sockets.push(this); }
};
"""


def of(kind: str, **fields: Any) -> Wanted:
    return lambda f: f.get("type") == kind and all(f.get(k) == v for k, v in fields.items())


def entry(kind: str, conversation_id: str) -> Wanted:
    return lambda f: (
        f.get("type") == "entry" and f["conversation_id"] == conversation_id and f["entry"]["kind"] == kind
    )


@dataclass
class Agent:
    """An agent on the console's socket: every frame it got is kept, and waited for by shape."""

    site: Site
    token: str
    socket: ClientConnection
    frames: list[dict[str, Any]] = field(default_factory=list)
    taken: set[int] = field(default_factory=set)

    async def read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.socket:
                self.frames.append(json.loads(raw))

    async def next(self, wanted: Wanted, what: str = "", since: int = 0) -> dict[str, Any]:
        """The first frame (from the ``since``-th on) not taken yet that ``wanted`` accepts (waits for it)."""
        found: list[dict[str, Any]] = []

        def seen() -> bool:
            for index, frame in enumerate(self.frames):
                if index >= since and index not in self.taken and wanted(frame):
                    self.taken.add(index)
                    found.append(frame)
                    return True
            return False

        await eventually(seen, timeout=10, what=what or "an agent frame")
        return found[0]

    async def send(self, **frame: Any) -> None:
        await self.socket.send(json.dumps(frame))

    async def queued(self, email: str) -> str:
        """The id of the queued chat of ``email``, from the queue frames."""
        frame = await self.next(
            lambda f: f.get("type") == "queue" and any(c["customer_email"] == email for c in f["queue"]),
            f"{email} in the queue",
        )
        return str(next(c["conversation_id"] for c in frame["queue"] if c["customer_email"] == email))

    async def share(self, conversation_id: str, filename: str, content: bytes) -> None:
        """Upload a file for the chat and send it as a message."""
        async with httpx.AsyncClient(base_url=self.site.url) as client:
            stored = await client.post(
                f"/api/v1/agent/chats/{conversation_id}/attachments",
                params={"filename": filename},
                content=content,
                headers={"Authorization": f"Bearer {self.token}"},
            )
        assert stored.status_code == 201, stored.text
        await self.send(
            type="message",
            client_id=uuid.uuid4().hex,
            attachment_id=stored.json()["id"],
            conversation_id=conversation_id,
        )

    async def download(self, conversation_id: str, attachment_id: str) -> bytes:
        async with httpx.AsyncClient(base_url=self.site.url) as client:
            got = await client.get(
                f"/api/v1/agent/chats/{conversation_id}/attachments/{attachment_id}",
                headers={"Authorization": f"Bearer {self.token}"},
            )
        assert got.status_code == 200, got.text
        return got.content


@contextlib.asynccontextmanager
async def agent_online(site: Site, name: str, department: str) -> AsyncIterator[Agent]:
    email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    await site.agent(email, name, department)
    async with httpx.AsyncClient(base_url=site.url) as client:
        session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
        issued = await client.post(
            "/api/v1/tokens", json={"name": "console"}, headers={"X-CSRF-Token": session.json()["csrf_token"]}
        )
    token = str(issued.json()["token"])
    address = site.url.replace("http://", "ws://") + "/api/v1/agent/chats/socket"
    async with connect(address, additional_headers={"Authorization": f"Bearer {token}"}) as socket:
        agent = Agent(site, token, socket)
        reader = asyncio.create_task(agent.read())
        await agent.next(of("hello"))
        await agent.send(type="presence", presence="online", capacity=3)
        await agent.next(of("presence"))
        try:
            yield agent
        finally:
            reader.cancel()


async def start_in_the_browser(page: Page, name: str, email: str, question: str, department: str) -> None:
    form = page.locator("#chat-start")
    await form.get_by_label("Nome").fill(name)
    await form.get_by_label("E-mail").fill(email)
    await form.get_by_label("Sua pergunta").fill(question)
    await form.get_by_label("Departamento").select_option(department)
    await form.get_by_role("button", name="Iniciar conversa").click()


async def test_guide_003_from_the_start_form_to_close_with_files_receipts_and_a_reload(
    page: Page, site: Site, shoot: Shoot
) -> None:
    email = f"rita-{uuid.uuid4().hex[:6]}@example.com"
    async with agent_online(site, "Ana", "Suporte") as agent:
        # Someone else is already waiting, so the customer sees a real place in the queue.
        async with httpx.AsyncClient(base_url=site.url) as client:
            ahead = await client.post(
                "/api/v1/chat/conversations",
                json={"name": "Beto", "email": f"beto-{email}", "question": "Oi", "department": "Suporte"},
            )
        assert ahead.status_code == 201, ahead.text

        await page.add_init_script(TRACK_SOCKETS)
        await page.goto("/chat")
        await expect(page.get_by_role("heading", name="Como podemos ajudar?")).to_be_visible()
        await page.locator("#chat-start").get_by_label("Departamento").select_option("Suporte")
        await expect(page.locator("#start-department-status")).to_contain_text("1 atendente online")
        assert await accessibility_problems(page) == []
        await shoot(page, "widget-start")

        await start_in_the_browser(page, "Rita", email, "Não consigo acessar o painel", "Suporte")
        await expect(page.get_by_role("heading", name="Aguardando um atendente")).to_be_visible()
        await expect(page.locator("[data-place]")).to_contain_text("Você é o 2º da fila.")
        await shoot(page, "widget-waiting")

        await agent.send(type="accept", conversation_id=ahead.json()["conversation"]["conversation_id"])
        await expect(page.locator("[data-place]")).to_contain_text("Você é o 1º da fila.")  # live

        conversation_id = await agent.queued(email)
        await agent.send(type="accept", conversation_id=conversation_id)
        await expect(page.get_by_text("Ana entrou na conversa.")).to_be_visible()
        await expect(page.locator("[data-subtitle]")).to_have_text("Ana · Suporte")
        log = page.get_by_role("log")
        await expect(log.get_by_text("Não consigo acessar o painel")).to_be_visible()

        # Typing both ways, messages both ways, receipts both ways.
        box = page.get_by_label("Sua mensagem")
        await box.press_sequentially("Olá, o painel caiu")
        await agent.next(of("typing", conversation_id=conversation_id), "the customer typing")
        await box.press("Enter")
        said = await agent.next(entry("message", conversation_id), "the customer's message")
        assert said["entry"]["text"] == "Olá, o painel caiu"
        mine = log.locator(".chat-mine", has_text="Olá, o painel caiu")
        await expect(mine.locator(".chat-state")).to_have_text("Enviada")

        await agent.send(type="typing", conversation_id=conversation_id)
        await expect(page.get_by_text("Ana está digitando…")).to_be_visible()
        await agent.send(
            type="message",
            client_id="a1",
            text="Pode me passar o ID do AnyDesk?",
            conversation_id=conversation_id,
        )
        await expect(log.get_by_text("Pode me passar o ID do AnyDesk?")).to_be_visible()
        await expect(page.get_by_text("Ana está digitando…")).to_be_hidden()
        replied = await agent.next(entry("message", conversation_id), "the agent's own message")
        read = await agent.next(of("read", conversation_id=conversation_id), "the customer's read receipt")
        assert read["up_to_seq"] >= replied["entry"]["seq"]
        await agent.send(type="read", up_to_seq=said["entry"]["seq"], conversation_id=conversation_id)
        await expect(mine.locator(".chat-state")).to_have_text("Lida")

        # Shift+Enter is a new line; Enter sends.
        await box.press_sequentially("ID 123 456 789")
        await box.press("Shift+Enter")
        await box.press_sequentially("senha: abc")
        await box.press("Enter")
        lines = await agent.next(entry("message", conversation_id), "the two-line message")
        assert lines["entry"]["text"] == "ID 123 456 789\nsenha: abc"

        # A file each way: the customer's upload reaches 100%; the agent's picture is previewed.
        filename, content = accepted("pdf")
        async with page.expect_file_chooser() as chooser:
            await page.get_by_role("button", name="Anexar arquivo").click()
        await (await chooser.value).set_files(
            files=[FilePayload(name=filename, mimeType="application/pdf", buffer=content)]
        )
        sent_file = log.locator(".chat-mine", has_text=filename)
        await expect(sent_file.locator(".chat-upload-percent")).to_have_text("100%")
        shared = await agent.next(entry("file", conversation_id), "the customer's file")
        assert await agent.download(conversation_id, shared["entry"]["attachment_id"]) == content
        await expect(sent_file.locator(".chat-state")).to_have_text("Enviada")

        picture_name, picture = accepted("png")
        await agent.share(conversation_id, picture_name, picture)
        last = (await agent.next(entry("file", conversation_id), "the agent's picture"))["entry"]["seq"]
        preview = log.get_by_role("img", name=f"Imagem {picture_name}")
        await expect(preview).to_be_visible()
        assert await preview.evaluate("img => img.complete && img.naturalWidth") == 64
        await expect(log.get_by_role("link", name=picture_name, exact=True)).to_be_visible()
        assert await accessibility_problems(page) == []
        await shoot(page, "widget-conversation")

        # A reload comes back to the same conversation, every entry once.
        await page.reload()
        await expect(log.get_by_text("Pode me passar o ID do AnyDesk?")).to_be_visible()
        for text in ("Não consigo acessar o painel", "Olá, o painel caiu", "Pode me passar o ID do AnyDesk?"):
            await expect(log.get_by_text(text, exact=True)).to_have_count(1)
        await expect(log.get_by_role("link", name=filename, exact=True)).to_have_count(1)
        await expect(log.get_by_role("img", name=f"Imagem {picture_name}")).to_have_count(1)
        seqs = await log.locator("li[data-seq]").evaluate_all(
            "nodes => nodes.map(n => Number(n.dataset.seq))"
        )
        assert seqs == list(range(1, last + 1))
        await box.fill("Voltei")
        await box.press("Enter")
        back = await agent.next(entry("message", conversation_id), "a message after the reload")
        assert back["entry"]["text"] == "Voltei"

        # The connection drops: the banner says so, the page comes back by itself with what it missed.
        await page.context.set_offline(True)
        await page.evaluate("window.sockets.at(-1).close()")
        await expect(page.locator(".connection")).to_have_text("Conexão perdida — reconectando…")
        await agent.send(type="message", client_id="a2", text="Ainda aí?", conversation_id=conversation_id)
        await page.context.set_offline(False)
        await expect(page.locator(".connection")).to_be_hidden(timeout=15_000)
        await expect(log.get_by_text("Ainda aí?", exact=True)).to_have_count(1)

        await page.set_viewport_size(PHONE)
        await expect(box).to_be_visible()
        await shoot(page, "widget-conversation-phone")
        await page.set_viewport_size(ViewportSize(width=1280, height=800))

        # The agent closes; the customer sees it, clicks Fechar and is back at the start (H6).
        await agent.send(type="close", conversation_id=conversation_id)
        await expect(page.get_by_role("heading", name="Atendimento encerrado")).to_be_visible()
        await expect(box).to_be_hidden()
        await shoot(page, "widget-closed")
        await page.get_by_role("button", name="Fechar", exact=True).click()
        await expect(page.get_by_role("heading", name="Como podemos ajudar?")).to_be_visible()
        await expect(page.locator("#start-email")).to_have_value(email)
        await expect(page.locator("#start-question")).to_have_value("")
        assert await page.evaluate("localStorage.getItem('atende.chat')") is None
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_the_customer_ends_with_the_x_and_gets_the_transcript_by_email(page: Page, site: Site) -> None:
    email = f"caio-{uuid.uuid4().hex[:6]}@example.com"
    async with agent_online(site, "Bia", "Comercial") as agent:
        await page.goto("/chat?department=Comercial")
        await expect(page.locator("#start-department")).to_have_value("Comercial")
        await start_in_the_browser(page, "Caio", email, "Quanto custa o plano anual?", "Comercial")
        conversation_id = await agent.queued(email)
        await agent.send(type="accept", conversation_id=conversation_id)
        await expect(page.get_by_label("Sua mensagem")).to_be_focused()

        # Refusals are told politely, on the message they concern; the text is never lost.
        box = page.get_by_label("Sua mensagem")
        await box.fill("x" * 5000)
        await box.press("Enter")
        await expect(page.locator("#chat-composer .form-alert")).to_have_text(
            "A mensagem passou do tamanho máximo; divida-a em partes."
        )
        await expect(box).to_have_value("x" * 5000)
        for n in range(15):  # a burst of 10 at once is allowed, then 1 a second
            await box.fill(f"oi {n}")
            await box.press("Enter")
        flooded = page.get_by_role("log").locator(".chat-mine[data-state=failed]").first
        await expect(flooded.get_by_role("alert")).to_contain_text("Muitas mensagens seguidas")
        await expect(flooded.get_by_role("button", name="Tentar de novo")).to_be_visible()
        await expect(flooded.locator(".chat-state")).to_have_text("Não enviada")

        await page.get_by_role("button", name="Encerrar a conversa").click()
        dialog = page.get_by_role("dialog", name="Encerrar a conversa?")
        await expect(dialog).to_be_visible()
        await dialog.get_by_label("Enviar a transcrição para o meu e-mail").check()
        await dialog.get_by_role("button", name="Encerrar").click()
        await agent.next(
            lambda f: f.get("type") == "status" and f["conversation"]["status"] == "closed",
            "the chat closed by the customer",
        )
        await expect(page.get_by_role("heading", name="Atendimento encerrado")).to_be_visible()
        await expect(page.get_by_role("button", name="Receber a transcrição por e-mail")).to_be_hidden()
        await eventually(
            lambda: any("Transcrição" in s for s in site.mails_to(email)), what="the transcript mail"
        )
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_a_customer_tired_of_waiting_leaves_a_message_instead(page: Page, site: Site) -> None:
    email = f"edu-{uuid.uuid4().hex[:6]}@example.com"
    async with agent_online(site, "Gil", "Websites") as agent:
        await page.goto("/chat")
        await start_in_the_browser(page, "Edu", email, "O site está fora do ar", "Websites")
        await expect(page.get_by_role("heading", name="Aguardando um atendente")).to_be_visible()
        conversation_id = await agent.queued(email)
        await page.get_by_role("button", name="Prefiro deixar uma mensagem").click()
        await expect(page.get_by_role("heading", name="Deixe uma mensagem")).to_be_visible()
        await expect(page.locator("#offline-message")).to_have_value("O site está fora do ar")
        await page.get_by_role("button", name="Voltar").click()  # changed their mind, then not
        await expect(page.get_by_role("heading", name="Aguardando um atendente")).to_be_visible()
        await page.get_by_role("button", name="Prefiro deixar uma mensagem").click()
        since = len(agent.frames)
        await page.get_by_role("button", name="Enviar mensagem").click()
        await expect(page.get_by_role("heading", name="Mensagem recebida")).to_be_visible()
        # The queued chat itself became the message: it left the queue.
        await agent.next(
            lambda f: (
                f.get("type") == "queue"
                and f["department"] == "Websites"
                and all(c["conversation_id"] != conversation_id for c in f["queue"])
            ),
            "the chat gone from the queue",
            since,
        )
    assert await page.evaluate("localStorage.getItem('atende.chat')") is None
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_the_widget_speaks_english_too(page: Page) -> None:
    await page.goto("/language/en?next=/chat")
    await expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
    await expect(page.locator("#start-department-status")).to_contain_text("online")
    await expect(page.get_by_role("button", name="Start a chat")).to_be_visible()
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_nobody_online_means_leave_a_message_and_it_becomes_a_request(
    page: Page, site: Site, shoot: Shoot
) -> None:
    email = f"dora-{uuid.uuid4().hex[:6]}@example.com"
    await page.goto("/chat")
    await page.locator("#chat-start").get_by_label("Departamento").select_option("Financeiro")
    await expect(page.locator("#start-department-status")).to_contain_text("Ninguém online em Financeiro")
    await start_in_the_browser(page, "Dora", email, "Preciso da segunda via do boleto", "Financeiro")

    await expect(page.get_by_role("heading", name="Deixe uma mensagem")).to_be_visible()
    await expect(page.locator("#offline-message")).to_have_value("Preciso da segunda via do boleto")
    await expect(page.locator("#offline-email")).to_have_value(email)
    assert await accessibility_problems(page) == []
    await shoot(page, "widget-leave-message")
    await page.get_by_role("button", name="Enviar mensagem").click()
    await expect(page.get_by_role("heading", name="Mensagem recebida")).to_be_visible()
    await expect(page.get_by_text(f"Responderemos por e-mail para {email}.")).to_be_visible()

    # It became a request: the customer gets its receipt by email.
    # Four services in a row (chat, tickets' intake, its relay, the notifier): generous on a busy machine.
    await eventually(lambda: bool(site.mails_to(email)), timeout=45, what="the request's receipt")
    assert any("#" in subject for subject in site.mails_to(email))
    await page.get_by_role("button", name="Nova conversa").click()
    await expect(page.get_by_role("heading", name="Como podemos ajudar?")).to_be_visible()
    assert page.script_errors == []  # type: ignore[attr-defined]
