"""A customer rates a finished request from the real "Finalizado" mail, then sees it on their request's page.

The agent finishes the request in the console; the notifier's mail (through the session's SMTP server)
carries five one-click links; opening "4" in a browser that is not logged in records the score at once,
the customer adds a comment, and their request's page, and the agent's history, show the rating.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect
from support.mails import received, text_of
from support.pages import Shoot
from support.site import Site
from support.waiting import eventually
from test_guide_000_journey import NewContext, log_in, person, sign_up_and_verify, unique

RATE_LINK = re.compile(r"(http://\S+/rate/ticket/[0-9a-f-]{36}\?key=[\w-]+&score=)4")


@pytest.fixture(autouse=True)
def patient() -> Iterator[None]:
    """The mail crosses the relay, NATS, the notifier and SMTP: on a busy machine that may take a while."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def rating_link(site: Site, address: str) -> str | None:
    """The "4 – Bom" link of the finished mail to ``address``, if it arrived."""
    for mail in received(site.mail, address):
        if found := RATE_LINK.search(text_of(mail)):
            return found.group(1) + "4"
    return None


async def test_the_customer_rates_from_the_mail_and_the_request_page_shows_it(
    page: Page, site: Site, shoot: Shoot, new_context: NewContext
) -> None:
    customer, ana = unique("rita"), unique("ana")
    subject = f"Segunda via do boleto {uuid.uuid4().hex[:4]}"
    await site.agent(ana, "Ana Agente", "Financeiro")
    await sign_up_and_verify(page, site, customer, "Rita Souza")
    await log_in(page, customer, r"/tickets$")

    # The customer asks; the agent finishes the request in the console.
    await page.goto("/tickets/new")
    await page.get_by_label("Assunto").fill(subject)
    await page.get_by_label("Departamento").select_option("Financeiro")
    await page.get_by_label("Descrição").fill("Preciso da segunda via do boleto de outubro.")
    await page.get_by_role("button", name="Enviar solicitação").click()
    await expect(page.get_by_role("heading", name=re.compile(r"^Solicitação #\d+ enviada$"))).to_be_visible()
    agent = await person(new_context)
    await log_in(agent, ana, r"/console")
    await agent.get_by_role("link", name=subject).click()
    await expect(agent.locator("[data-field=status]")).to_have_text("Em espera")
    ticket_url = agent.url
    await agent.get_by_role("button", name="Finalizar").click()
    await expect(agent.locator("[data-field=status]")).to_have_text("Finalizado")

    # The "Finalizado" mail: five links; "4" opened where nobody is logged in records it at once.
    await eventually(lambda: rating_link(site, customer) is not None, what="the finished mail's rating links")
    link = rating_link(site, customer)
    assert link is not None
    stranger = await person(new_context)
    await stranger.goto(link)
    await expect(stranger.get_by_role("heading", level=1)).to_have_text(
        "Como foi o atendimento da sua solicitação?"
    )
    await expect(stranger.locator("#rate-recorded")).to_have_text(re.compile("Sua nota foi registrada"))
    await expect(stranger.get_by_role("radio", name="4 Bom")).to_be_checked()
    await expect(stranger.locator("main")).not_to_contain_text(subject)  # a forwarded link tells nothing
    assert "score=" not in stranger.url, "a reload does not post the score again"
    await stranger.get_by_label("Comentário (opcional)").fill("Atendimento rápido e cordial.")
    await shoot(stranger, "rating-from-mail")
    await stranger.get_by_role("button", name="Enviar avaliação").click()
    await expect(stranger.get_by_role("heading", name="Obrigado pela sua avaliação!")).to_be_visible()

    # A key that is not the ticket's: a clear "link inválido".
    await stranger.goto(link.replace("key=", "key=x"))
    await expect(stranger.get_by_role("heading", name="Link inválido")).to_be_visible()

    # The customer's request page shows the rating, with "Alterar avaliação".
    ticket_id = ticket_url.rsplit("/", 1)[-1]
    await page.goto(f"/tickets/{ticket_id}")
    await expect(page.locator("#ticket-status")).to_have_text("Finalizado")
    await expect(page.locator("#rating-given")).to_have_text("Sua avaliação: 4/5 (Bom)")
    await expect(page.locator("#rating-section")).to_contain_text("Atendimento rápido e cordial.")
    await expect(page.get_by_role("button", name="Alterar avaliação")).to_be_visible()
    await shoot(page, "rating-on-request-page")
    # Changed from the request's page: the same form, inline.
    await page.get_by_role("button", name="Alterar avaliação").click()
    await expect(page.get_by_role("radio", name="4 Bom")).to_be_focused()
    await page.keyboard.press("ArrowRight")  # real radio buttons: the keyboard moves the choice
    await expect(page.get_by_role("radio", name="5 Excelente")).to_be_checked()
    await page.get_by_role("button", name="Enviar avaliação").click()
    await expect(page.locator("#ticket-notice")).to_have_text("Obrigado pela sua avaliação!")
    await expect(page.locator("#rating-given")).to_have_text("Sua avaliação: 5/5 (Excelente)")
    await expect(page.locator("#rating-section")).to_contain_text("Atendimento rápido e cordial.")

    # The agent's history says it too.
    await agent.reload()
    await expect(agent.locator("#history")).to_contain_text("Cliente avaliou: 4/5")
    await expect(agent.locator("#history")).to_contain_text("Cliente avaliou: 5/5")
    await expect(agent.locator("#history")).to_contain_text("Atendimento rápido e cordial.")
    for tab in (page, agent, stranger):
        assert tab.script_errors == []  # type: ignore[attr-defined]
