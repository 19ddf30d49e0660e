"""Guide 000 ("Central de atendimento ao Cliente": solicitações) from start to end, both people in the browser.

A customer signs up, confirms the mailed link, logs in and opens a request with a file; an agent, already
on the console's inbox, sees it arrive live, adds an internal note and a public reply with a file; the
customer sees the answer (never the note) and "Aguardando sua resposta" at the top right, replies with a
file; the agent's open ticket shows it live; the agent finishes it and the customer sees "Finalizado".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, expect
from support.accounts import PASSWORD
from support.pages import Shoot
from support.samples import accepted
from support.site import Site

DAY_AND_TIME = re.compile(r"\d{2}/\d{2}/\d{4},? \d{2}:\d{2}")
DEPARTMENT = "Financeiro"
NOTE = "Estorno pendente no banco: não contar ao cliente"
NewContext = Callable[..., Awaitable[BrowserContext]]


@pytest.fixture(autouse=True)
def patient() -> Iterator[None]:
    """Live changes cross NATS, a relay and a read model: on a busy machine they may take over 5 s."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def unique(name: str) -> str:
    """A fresh e-mail address for ``name``."""
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def sample_file(folder: Path, kind: str) -> Path:
    """A real sample of ``kind`` written where the browser's file chooser can pick it."""
    name, data = accepted(kind)
    path = folder / name
    path.write_bytes(data)
    return path


async def person(new_context: NewContext) -> Page:
    """One more person's own browser tab, recording script errors."""
    tab = await (await new_context()).new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.script_errors = errors  # type: ignore[attr-defined]
    return tab


async def sign_up_and_verify(page: Page, site: Site, email: str, name: str) -> None:
    """Criar conta at /signup, then follow the "Confirme seu e-mail" link the notifier mails."""
    await page.goto("/signup")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Criar conta")
    await page.get_by_label("Nome").fill(name)
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Senha").fill(PASSWORD)
    await page.get_by_role("button", name="Criar conta").click()
    await expect(page.get_by_role("heading", name="Confira seu e-mail")).to_be_visible()
    await page.goto(await site.mailed_link(email, "Confirme seu e-mail"))
    await expect(page.get_by_role("heading", name="E-mail confirmado!")).to_be_visible()


async def log_in(page: Page, email: str, lands_on: str) -> None:
    """Entrar at /login and wait for the page it leads to."""
    await page.goto("/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Senha").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url(re.compile(lands_on))


async def open_request(page: Page, subject: str, file: Path) -> str:
    """Nova solicitação with ``file`` uploaded to 100%; returns the number the confirmation shows."""
    await page.get_by_role("link", name="Nova solicitação").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nova solicitação")
    await page.get_by_label("Assunto").fill(subject)
    await page.get_by_label("Departamento").select_option(DEPARTMENT)
    await page.get_by_label("Descrição").fill("Fui cobrado duas vezes no boleto de outubro.\nSegue a fatura.")
    await page.get_by_label("Anexar arquivos").set_input_files(file)
    await expect(page.locator(".upload-percent")).to_have_text("100%")
    await expect(page.locator(".upload[data-attachment-id]")).to_have_count(1)
    await page.get_by_role("button", name="Enviar solicitação").click()
    sent = page.get_by_role("heading", name=re.compile(r"^Solicitação #\d+ enviada$"))
    await expect(sent).to_be_visible()
    return (await sent.text_content() or "").split()[1]


async def add_note(agent: Page, text: str) -> None:
    """An internal note on the open ticket (for the team only)."""
    await agent.get_by_text("Nota interna", exact=True).click()
    await agent.get_by_label("Sua nota interna (só para a equipe)").fill(text)
    await agent.get_by_role("button", name="Adicionar nota").click()
    await expect(agent.locator(".entry-note")).to_contain_text(text)
    await expect(agent.locator("#ticket-notice")).to_have_text("Nota interna adicionada.")


async def reply_publicly(agent: Page, text: str, file: Path) -> None:
    """A public reply with ``file`` uploaded to 100% first."""
    await agent.get_by_text("Resposta pública", exact=True).click()
    await agent.locator("#composer-upload").set_input_files(file)
    await expect(agent.locator("#composer-upload-list .upload-percent")).to_have_text("100%")
    await expect(agent.locator("#composer-upload-list [data-attachment-id]")).to_have_count(1)
    await agent.get_by_label("Sua resposta ao cliente").fill(text)
    await agent.get_by_role("button", name="Enviar resposta").click()
    sent = agent.locator(".entry-team", has_text=text)
    await expect(sent).to_be_visible()
    await expect(sent.get_by_role("link", name=file.name)).to_be_visible()


async def customer_replies(page: Page, text: str, file: Path) -> None:
    """The customer's reply with ``file`` uploaded to 100% first."""
    await page.get_by_label("Sua resposta").fill(text)
    await page.get_by_label("Anexar arquivos").set_input_files(file)
    await expect(page.locator("#reply-files-list .upload-percent")).to_have_text("100%")
    await page.get_by_role("button", name="Enviar resposta").click()
    mine = page.locator(".entry.from-customer", has_text=text)
    await expect(mine).to_contain_text(file.name)
    await expect(page.get_by_label("Sua resposta")).to_have_value("")


async def status_is_top_right(page: Page) -> None:
    """The request's status sits right of the title and above the history."""
    title = await page.locator("#ticket-title").bounding_box()
    status = await page.locator("#ticket-status").bounding_box()
    history = await page.locator("#history").bounding_box()
    assert title and status and history
    assert status["x"] > title["x"] + title["width"] / 2
    assert status["y"] < history["y"]


async def test_guide_000_customer_and_agent_in_the_browser_from_sign_up_to_finished(
    page: Page, site: Site, shoot: Shoot, new_context: NewContext, tmp_path: Path
) -> None:
    customer, ana = unique("joana"), unique("ana")
    subject = f"Cobrança em dobro {uuid.uuid4().hex[:4]}"
    pdf, png, docx = (sample_file(tmp_path, kind) for kind in ("pdf", "png", "docx"))
    await site.agent(ana, "Ana Agente", DEPARTMENT)

    # The customer signs up, confirms the address and logs in.
    await sign_up_and_verify(page, site, customer, "Joana Silva")
    await log_in(page, customer, r"/tickets$")
    await expect(page.get_by_text("Você ainda não tem solicitações.")).to_be_visible()

    # The agent is already on the console's inbox, live, before the request exists.
    agent = await person(new_context)
    await log_in(agent, ana, r"/console")
    await expect(agent.get_by_role("heading", level=1)).to_have_text("Solicitações")
    await expect(agent.locator(".connection[data-state=open]")).to_be_attached()
    await expect(agent.locator("#inbox-list")).to_have_attribute("aria-busy", "false")
    await expect(agent.locator("#inbox-rows tr", has_text=subject)).to_have_count(0)

    # Nova solicitação with a PDF: the confirmation gives its number.
    reference = await open_request(page, subject, pdf)
    await shoot(page, "journey-000-ticket-sent")

    # Solicitações: the request with the day and time it was opened, "Em espera".
    await page.get_by_role("link", name="Voltar para Solicitações").click()
    row = page.locator("tr.ticket-row", has_text=reference)
    await expect(row).to_contain_text(subject)
    await expect(row.locator(".badge")).to_have_text("Em espera")
    await expect(row.locator("td").nth(3)).to_have_text(DAY_AND_TIME)
    await shoot(page, "journey-000-customer-list")

    # The agent's inbox shows it without a reload.
    inbox_row = agent.locator("#inbox-rows tr", has_text=subject)
    await expect(inbox_row).to_contain_text(reference)
    await expect(inbox_row).to_contain_text("Joana Silva")
    await expect(inbox_row).to_contain_text("Em espera")
    await expect(agent.locator("#inbox-news")).to_contain_text(f"{reference} aberta")
    await shoot(agent, "journey-000-agent-inbox-live")

    # The agent opens it, notes internally, then replies publicly with a file.
    await agent.get_by_role("link", name=subject).click()
    await expect(agent.get_by_role("heading", level=1)).to_contain_text(subject)
    await expect(agent.locator("[data-field=status]")).to_have_text("Em espera")
    await expect(agent.get_by_role("link", name=pdf.name)).to_be_visible()
    await expect(agent.locator(".connection[data-state=open]")).to_be_attached()
    await add_note(agent, NOTE)
    await reply_publicly(agent, "Olá, Joana! Veja o comprovante do estorno.", png)
    await expect(agent.locator("[data-field=status]")).to_have_text("Aguardando sua resposta")

    # The customer's request: the status top right, the agent's message and file, never the note.
    await row.click()
    await page.wait_for_url(re.compile(r"/tickets/[0-9a-f-]{36}$"))
    await expect(page.locator("#ticket-status")).to_have_text("Aguardando sua resposta")
    answer = page.locator(".entry.from-support", has_text="comprovante do estorno")
    await expect(answer).to_contain_text("Ana Agente")
    await expect(answer.get_by_role("link", name=re.compile(re.escape(png.name)))).to_be_visible()
    await expect(page.locator("#history")).not_to_contain_text("Estorno pendente")
    await status_is_top_right(page)
    await shoot(page, "journey-000-customer-awaits-reply")

    # The customer replies with a file; the agent's open page shows it live.
    await customer_replies(page, "Recebi, obrigada! Segue o documento assinado.", docx)
    from_customer = agent.locator(".entry-customer", has_text="documento assinado")
    await expect(from_customer).to_be_visible()
    await expect(from_customer.get_by_role("link", name=docx.name)).to_be_visible()
    await expect(agent.locator("#ticket-notice")).to_contain_text("Nova atividade nesta solicitação")
    await expect(agent.locator("[data-field=status]")).to_have_text("Em andamento")
    await shoot(agent, "journey-000-agent-sees-reply")

    # The agent finishes it; the customer sees "Finalizado".
    await agent.get_by_role("button", name="Finalizar").click()
    await expect(agent.locator("[data-field=status]")).to_have_text("Finalizado")
    await page.reload()
    await expect(page.locator("#ticket-status")).to_have_text("Finalizado")
    await expect(page.get_by_role("button", name="Meu problema foi resolvido")).to_be_hidden()
    await expect(page.locator("#history")).not_to_contain_text("Estorno pendente")
    await shoot(page, "journey-000-customer-finished")
    assert page.script_errors == []  # type: ignore[attr-defined]
    assert agent.script_errors == []  # type: ignore[attr-defined]
