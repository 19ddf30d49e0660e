"""Guide 003 ("Como solicitar atendimento via chat") end to end, both people in the real browser.

The customer uses the chat page (/chat) and the agent the console (/console/chats), each in a browser
context of their own: start form, queue, accept, messages and a file each way, a reload mid-chat,
and the agent closing the chat until the customer is back at the start screen.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from playwright.async_api import BrowserContext, FilePayload, Locator, Page, expect
from support.accounts import PASSWORD
from support.pages import Shoot
from support.samples import accepted
from support.site import Site

NewContext = Callable[..., Awaitable[BrowserContext]]
AGENT, CUSTOMER = "Ana", "Rita Souza"
QUESTION = "Não consigo acessar o painel"


def unique_email(who: str) -> str:
    """An address no other test uses."""
    return f"{who}-{uuid.uuid4().hex[:8]}@example.com"


async def agent_online(site: Site, new_context: NewContext, email: str) -> Page:
    """The agent logged in on /console/chats (own context) and Online; script errors are kept."""
    await site.agent(email, AGENT, "Suporte")
    context = await new_context()
    console = await context.new_page()
    errors: list[str] = []
    console.on("pageerror", lambda error: errors.append(str(error)))
    console.script_errors = errors  # type: ignore[attr-defined]
    await console.goto("/login?next=/console/chats")
    await console.get_by_label("E-mail").fill(email)
    await console.get_by_label("Senha").fill(PASSWORD)
    await console.get_by_role("button", name="Entrar").click()
    await console.wait_for_url(f"{site.url}/console/chats")
    await console.get_by_label("Online", exact=True).check()
    await expect(console.locator("#presence-state")).to_contain_text("Registrado: Online")
    return console


async def start_chat(widget: Page, email: str) -> None:
    """Fill guide 003's start form (name, e-mail, question, department) and start the chat."""
    form = widget.locator("#chat-start")
    await form.get_by_label("Nome").fill(CUSTOMER)
    await form.get_by_label("E-mail").fill(email)
    await form.get_by_label("Sua pergunta").fill(QUESTION)
    await form.get_by_label("Departamento").select_option("Suporte")
    await expect(widget.locator("#start-department-status")).to_contain_text("1 atendente online")
    await form.get_by_role("button", name="Iniciar conversa").click()


def panel(console: Page) -> Locator:
    """The console's chat panel on screen."""
    return console.locator(".chat-panel:visible")


def entries(console: Page, text: str) -> Locator:
    """The entries of the console's open chat that contain ``text``."""
    return panel(console).locator(".chat-log .entry").filter(has_text=text)


async def customer_says(widget: Page, text: str) -> None:
    """The customer types ``text`` and presses Enter; it is stored (marked "Enviada")."""
    box = widget.get_by_label("Sua mensagem")
    await box.fill(text)
    await box.press("Enter")
    sent = widget.get_by_role("log").locator(".chat-mine", has_text=text)
    await expect(sent.locator(".chat-state")).to_have_text(re.compile("Enviada|Lida"))


async def agent_says(console: Page, text: str) -> None:
    """The agent types ``text`` in the open chat and presses Enter; it is stored."""
    box = panel(console).get_by_label("Mensagem")
    await box.fill(text)
    await box.press("Enter")
    await expect(entries(console, text).locator(".entry-receipt")).to_have_text(re.compile("Enviada|Lida"))


async def customer_sends_file(widget: Page, name: str, content: bytes, mime: str) -> None:
    """The customer attaches a file with the paper clip; its upload reaches 100% and is stored."""
    async with widget.expect_file_chooser() as chooser:
        await widget.get_by_role("button", name="Anexar arquivo").click()
    await (await chooser.value).set_files(files=[FilePayload(name=name, mimeType=mime, buffer=content)])
    card = widget.get_by_role("log").locator(".chat-mine", has_text=name)
    await expect(card.locator(".chat-upload-percent")).to_have_text("100%")
    await expect(card.locator(".chat-state")).to_have_text(re.compile("Enviada|Lida"))


async def agent_opens_file(console: Page, name: str) -> bytes:
    """The agent clicks the shared file's link in the chat; returns the bytes it downloaded."""
    link = entries(console, name).get_by_role("link", name=f"Abrir {name}")
    async with console.expect_download() as download:
        await link.click()
    saved = await (await download.value).path()
    return Path(saved).read_bytes()


async def agent_sends_file(console: Page, name: str, content: bytes, mime: str) -> None:
    """The agent attaches a file in the open chat; its upload reaches 100% and it is stored."""
    await (
        panel(console)
        .get_by_label("Anexar arquivo")
        .set_input_files(files=[FilePayload(name=name, mimeType=mime, buffer=content)])
    )
    await expect(panel(console).locator(".upload-percent")).to_have_text("100%")
    await expect(entries(console, name).locator(".entry-receipt")).to_have_text(re.compile("Enviada|Lida"))


async def expect_once_each(widget: Page, texts: list[str], files: list[str], pictures: list[str]) -> None:
    """Every message, file and picture is in the customer's log exactly once, in seq order, no gap."""
    log = widget.get_by_role("log")
    for text in texts:
        await expect(
            log.locator(".chat-text").filter(has_text=re.compile(f"^{re.escape(text)}$"))
        ).to_have_count(1)
    for name in files:
        await expect(log.get_by_role("link", name=name, exact=True)).to_have_count(1)
    for name in pictures:
        await expect(log.get_by_role("img", name=f"Imagem {name}")).to_have_count(1)
    seqs = await log.locator("li[data-seq]").evaluate_all("nodes => nodes.map(n => Number(n.dataset.seq))")
    assert seqs == list(range(1, len(seqs) + 1)), seqs


async def test_guide_003_customer_and_agent_from_start_form_to_fechar(
    page: Page, site: Site, new_context: NewContext, shoot: Shoot
) -> None:
    widget, email = page, unique_email("rita")
    console = await agent_online(site, new_context, unique_email("ana"))

    # The customer fills the start form and waits in the queue, seeing their place.
    await widget.goto("/chat")
    await expect(widget.get_by_role("heading", name="Como podemos ajudar?")).to_be_visible()
    await start_chat(widget, email)
    await expect(widget.get_by_role("heading", name="Aguardando um atendente")).to_be_visible()
    await expect(widget.locator("[data-place]")).to_contain_text("Você é o 1º da fila.")
    await shoot(widget, "journey-003-customer-waiting")

    # The agent's queue shows the chat live (no reload); the agent accepts it.
    waiting = console.locator(".queue-item").filter(has_text=CUSTOMER)
    await expect(waiting).to_contain_text("Suporte")
    await shoot(console, "journey-003-agent-queue")
    await waiting.get_by_role("button", name="Aceitar").click()
    await expect(console.get_by_role("tab", name=re.compile(CUSTOMER))).to_have_attribute(
        "aria-selected", "true"
    )
    await expect(entries(console, QUESTION)).to_have_count(1)
    await expect(widget.get_by_text(f"{AGENT} entrou na conversa.")).to_be_visible()
    await expect(widget.locator("[data-subtitle]")).to_have_text(f"{AGENT} · Suporte")

    # Messages both ways: each side sees the other's.
    log = widget.get_by_role("log")
    await customer_says(widget, "Olá, o painel caiu")
    await expect(entries(console, "Olá, o painel caiu")).to_have_count(1)
    await agent_says(console, "Pode me passar o ID do AnyDesk?")
    await expect(log.get_by_text("Pode me passar o ID do AnyDesk?", exact=True)).to_be_visible()
    await customer_says(widget, "ID 123 456 789")
    await expect(entries(console, "ID 123 456 789")).to_have_count(1)

    # A file each way: the customer's PDF reaches 100% and the agent opens it; the agent's PNG is previewed.
    pdf_name, pdf = accepted("pdf")
    await customer_sends_file(widget, pdf_name, pdf, "application/pdf")
    assert await agent_opens_file(console, pdf_name) == pdf
    png_name, png = accepted("png")
    await agent_sends_file(console, png_name, png, "image/png")
    preview = log.get_by_role("img", name=f"Imagem {png_name}")
    await expect(preview).to_be_visible()
    await expect(preview).to_have_js_property("naturalWidth", 64)
    await shoot(widget, "journey-003-customer-conversation")
    await shoot(console, "journey-003-agent-conversation")

    # The customer reloads mid-chat: the same conversation, every message exactly once.
    texts = [QUESTION, "Olá, o painel caiu", "Pode me passar o ID do AnyDesk?", "ID 123 456 789"]
    await widget.reload()
    await expect(log.get_by_text("ID 123 456 789", exact=True)).to_be_visible()
    await expect_once_each(widget, texts, [pdf_name, png_name], [png_name])
    await customer_says(widget, "Voltei")
    await expect(entries(console, "Voltei")).to_have_count(1)
    await expect(console.get_by_role("tab")).to_have_count(1)
    await agent_says(console, "Bem-vinda de volta")
    await expect(log.get_by_text("Bem-vinda de volta", exact=True)).to_have_count(1)
    await expect_once_each(widget, [*texts, "Voltei", "Bem-vinda de volta"], [pdf_name, png_name], [png_name])
    await shoot(widget, "journey-003-customer-after-reload")

    # The agent closes the chat; the customer sees it, clicks Fechar and is at the start screen again.
    await panel(console).get_by_role("button", name="Encerrar chat").click()
    await console.get_by_role("dialog").get_by_role("button", name="Encerrar").click()
    await expect(panel(console).locator(".chat-state")).to_contain_text("Este chat foi encerrado")
    await expect(widget.get_by_role("heading", name="Atendimento encerrado")).to_be_visible()
    await expect(widget.get_by_text("Clique em Fechar para começar uma nova conversa")).to_be_visible()
    await expect(widget.get_by_label("Sua mensagem")).to_be_hidden()
    await shoot(widget, "journey-003-customer-closed")
    await shoot(console, "journey-003-agent-closed")
    await widget.get_by_role("button", name="Fechar", exact=True).click()
    await expect(widget.get_by_role("heading", name="Como podemos ajudar?")).to_be_visible()
    await expect(widget.locator("#start-question")).to_have_value("")
    await shoot(widget, "journey-003-customer-start-again")

    assert widget.script_errors == []  # type: ignore[attr-defined]
    assert console.script_errors == []  # type: ignore[attr-defined]
