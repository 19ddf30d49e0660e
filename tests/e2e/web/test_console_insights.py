"""The console's insights page in a real browser: hand-computed figures, the bar chart, by agent, CSV.

Facts reach the insights service as the tickets and chat relays publish them (message ids
``tickets:<id>:<version>``), all on Monday 5 October 2026 at 10:00 in São Paulo, elapsed time
(the site keeps no business hours):

- Financeiro: #1 answered by Ana after 1 h, finished after 2 h; #2 answered by Bruno after 3 h, in
  progress from then, finished after 5 h; #3 never answered, still open.
- Suporte: #4 answered by Ana after 30 min, finished after 45 min; #5 a chat's offline message, open.
- Chats: Suporte — Ana after 40 s and after 100 s, one abandoned; Financeiro — Bruno after 20 s.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Locator, Page, expect
from support.accounts import PASSWORD
from support.pages import PHONE, Shoot, accessibility_problems
from support.site import Site
from support.waiting import eventually

from contracts.chat import ChatAcceptedV1, ChatClosedV1, ChatRequestedV1, ConversationStatus
from contracts.common import ActorKind, Channel
from contracts.subjects import (
    CHAT_ACCEPTED_V1,
    CHAT_CLOSED_V1,
    CHAT_REQUESTED_V1,
    TICKET_CLOSED_V1,
    TICKET_OPENED_V1,
    TICKET_REPLIED_V1,
    TICKET_STATUS_CHANGED_V1,
)
from contracts.tickets import (
    TicketClosedV1,
    TicketOpenedV1,
    TicketRepliedV1,
    TicketStatus,
    TicketStatusChangedV1,
)
from plumbing.bus import Bus

MONDAY = datetime(2026, 10, 5, 13, 0, tzinfo=UTC)
PERIOD = "2026-10"
ANA, BRUNO = "ana.insights@example.com", "bruno.insights@example.com"
HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def patient() -> Iterator[None]:
    """Pages fetch across NATS on a shared, busy machine."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


async def ticket(
    bus: Bus,
    n: int,
    department: str,
    *,
    channel: Channel = Channel.PORTAL,
    reply: tuple[str, timedelta] | None = None,
    in_progress: timedelta | None = None,
    closed: timedelta | None = None,
) -> None:
    ids = {"ticket_id": f"t-{n}", "number": 1000 + n, "customer_email": "maria@example.com"}
    facts: list[tuple[str, Any]] = [
        (TICKET_OPENED_V1, TicketOpenedV1(**ids, channel=channel, subject="Boleto", body="Não gera.",
            department=department, status=TicketStatus.WAITING, opened_at=MONDAY)),
    ]  # fmt: skip
    if reply:
        facts.append((TICKET_REPLIED_V1, TicketRepliedV1(**ids, reply_id=f"r{n}", author_kind=ActorKind.AGENT,
            author_name=reply[0], body="Segue.", channel=channel, replied_at=MONDAY + reply[1])))  # fmt: skip
    if in_progress:
        facts.append((TICKET_STATUS_CHANGED_V1, TicketStatusChangedV1(**ids, previous_status=TicketStatus.WAITING,
            status=TicketStatus.IN_PROGRESS, changed_by=ActorKind.AGENT, changed_at=MONDAY + in_progress)))  # fmt: skip
    if closed:
        facts.append(
            (TICKET_CLOSED_V1, TicketClosedV1(**ids, closed_by=ActorKind.AGENT, closed_at=MONDAY + closed))
        )
    for version, (subject, fact) in enumerate(facts, start=1):
        await bus.publish(subject, fact, message_id=f"tickets:t-{n}:{version}")


async def chat(bus: Bus, n: int, department: str, agent_id: str | None, waited_s: float = 0) -> None:
    ids = {"conversation_id": f"c-{n}"}
    person = {"customer_email": "joao@example.com", "customer_name": "João"}
    facts: list[tuple[str, Any]] = [
        (CHAT_REQUESTED_V1, ChatRequestedV1(**ids, **person, department=department, question="O site caiu",
            requested_at=MONDAY)),
    ]  # fmt: skip
    if agent_id:
        facts.append((CHAT_ACCEPTED_V1, ChatAcceptedV1(**ids, department=department, agent_id=agent_id,
            waited_s=waited_s, accepted_at=MONDAY + timedelta(seconds=waited_s))))  # fmt: skip
    status = ConversationStatus.CLOSED if agent_id else ConversationStatus.ABANDONED
    facts.append((CHAT_CLOSED_V1, ChatClosedV1(**ids, **person, department=department, agent_id=agent_id,
        closed_by=ActorKind.SYSTEM, status=status, messages=0, closed_at=MONDAY + timedelta(minutes=20))))  # fmt: skip
    for version, (subject, fact) in enumerate(facts, start=1):
        await bus.publish(subject, fact, message_id=f"chat:c-{n}:{version}")


@pytest.fixture(scope="module")
async def seeded(site: Site) -> None:
    """Two agents of Financeiro and Suporte, the facts above, folded into figures."""
    ana = await site.agent(ANA, "Ana Agente", "Financeiro", "Suporte")
    bruno = await site.agent(BRUNO, "Bruno Colega", "Financeiro", "Suporte")
    bus = await Bus.connect(site.nats_url, "insights-page-test")
    try:
        await ticket(bus, 1, "Financeiro", reply=("Ana Agente", HOUR), closed=2 * HOUR)
        await ticket(
            bus, 2, "Financeiro", reply=("Bruno Colega", 3 * HOUR), in_progress=3 * HOUR, closed=5 * HOUR
        )
        await ticket(bus, 3, "Financeiro")
        await ticket(bus, 4, "Suporte", reply=("Ana Agente", HOUR / 2), closed=HOUR * 3 / 4)
        await ticket(bus, 5, "Suporte", channel=Channel.CHAT)
        await chat(bus, 1, "Suporte", ana, 40)
        await chat(bus, 2, "Suporte", None)
        await chat(bus, 3, "Suporte", ana, 100)
        await chat(bus, 4, "Financeiro", bruno, 20)
    finally:
        await bus.close()
    async with httpx.AsyncClient(base_url=site.url, timeout=15) as client:
        await client.post("/api/v1/session", json={"email": ANA, "password": PASSWORD})

        async def folded() -> bool:
            answer = (
                await client.get("/api/v1/agent/insights/figures", params={"period": PERIOD, "by": "overall"})
            ).json()
            tables = {
                table["name"]: dict(zip(table["columns"], table["rows"][0], strict=True))
                for table in answer["tables"]
                if table["rows"]
            }
            tickets, chats = tables.get("tickets", {}), tables.get("chats", {})
            return (tickets.get("opened"), tickets.get("finished"), tickets.get("first_response_count")) == (5, 3, 3) and (
                chats.get("requested"), chats.get("accepted"), chats.get("abandoned"), chats.get("offline_messages")
            ) == (4, 3, 1, 1)  # fmt: skip

        await eventually(folded, timeout=60, what="every fact folded into the figures")


async def log_in(page: Page, email: str, then: str) -> None:
    await page.goto("/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Senha").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url(re.compile(r"/console"))
    await page.goto(then)


def card(page: Page, name: str) -> Locator:
    return page.locator(f'[data-card="{name}"]')


def row(page: Page, box: str, name: str) -> Locator:
    return page.locator(f"#{box} tbody tr", has=page.locator("th", has_text=re.compile(f"^{name}$")))


async def cells(line: Locator) -> list[str]:
    return [" ".join(text.split()) for text in await line.locator("th, td").all_inner_texts()]


async def test_a_months_figures_by_department_then_by_agent_with_chart_tables_and_csv(
    page: Page, site: Site, seeded: None, shoot: Shoot, tmp_path: Path
) -> None:
    await log_in(page, ANA, f"/console/insights?period={PERIOD}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Indicadores")
    await expect(page.get_by_role("link", name="Indicadores")).to_have_attribute("aria-current", "page")
    await expect(page.locator("#period-name")).to_have_text("Outubro de 2026")

    # The whole team: 5 opened, 3 finished; first responses 30 min, 1 h, 3 h; resolutions 45 min, 2 h, 5 h.
    await expect(card(page, "opened").locator(".insight-value")).to_have_text("5")
    await expect(card(page, "finished").locator(".insight-value")).to_have_text("3")
    await expect(card(page, "backlog").locator(".insight-value")).to_have_text("2")
    await expect(card(page, "unanswered").locator(".insight-value")).to_have_text("2")
    await expect(card(page, "first_response").locator(".insight-value")).to_have_text("1 h mediana")
    await expect(card(page, "first_response")).to_contain_text("90% em até 2 h 36 min · em 3 solicitações")
    await expect(card(page, "resolution").locator(".insight-value")).to_have_text("2 h mediana")
    await expect(card(page, "resolution")).to_contain_text("90% em até 4 h 24 min")

    # One bar per department, its numbers again in the table under it.
    chart = page.locator("#ticket-chart svg[role=img]")
    await expect(chart.locator("title").first).to_have_text("Abertas por departamento")
    bars = chart.locator("g.bar")
    await expect(bars).to_have_count(2)
    assert [await bar.get_attribute("data-label") for bar in await bars.all()] == ["Financeiro", "Suporte"]
    assert [await bar.get_attribute("data-value") for bar in await bars.all()] == ["3", "2"]
    assert await cells(row(page, "ticket-table", "Financeiro")) == [
        "Financeiro", "3", "2", "1", "1", "2 h", "2 h 48 min", "3 h 30 min", "4 h 42 min",
    ]  # fmt: skip
    assert await cells(row(page, "ticket-table", "Suporte")) == [
        "Suporte", "2", "1", "1", "1", "30 min", "30 min", "45 min", "45 min",
    ]  # fmt: skip
    await page.get_by_label("No gráfico").first.select_option("first_response_median_s")
    await expect(chart.locator("title").first).to_have_text("1ª resposta (mediana) por departamento")
    await expect(bars.locator(".bar-value")).to_have_text(["2 h", "30 min"])

    # Time in each status, of the tickets finished: Financeiro waited 2 h and 3 h, worked 2 h on #2.
    assert await cells(page.locator("#status-table tbody tr").nth(0)) == [
        "Financeiro", "Em espera", "2", "2 h 30 min", "5 h",
    ]  # fmt: skip
    assert await cells(page.locator("#status-table tbody tr").nth(1)) == [
        "Financeiro", "Em andamento", "1", "2 h", "2 h",
    ]  # fmt: skip
    assert await cells(page.locator("#status-table tbody tr").nth(2)) == [
        "Suporte", "Em espera", "1", "45 min", "45 min",
    ]  # fmt: skip

    # Chats: waits of 20, 40 and 100 s; Suporte's offline message; 3 accepted by 2 agents.
    await expect(card(page, "requested").locator(".insight-value")).to_have_text("4")
    await expect(card(page, "accepted").locator(".insight-value")).to_have_text("3")
    await expect(card(page, "abandoned").locator(".insight-value")).to_have_text("1")
    await expect(card(page, "wait").locator(".insight-value")).to_have_text("40 s mediana")
    await expect(card(page, "wait")).to_contain_text("90% em até 1 min 28 s · em 3 chats atendidos")
    await expect(card(page, "offline_messages").locator(".insight-value")).to_have_text("1")
    await expect(card(page, "chats_per_agent").locator(".insight-value")).to_have_text("1,5")
    assert await cells(row(page, "chat-table", "Suporte")) == [
        "Suporte", "3", "2", "1", "1 min 10 s", "1 min 34 s", "1", "1", "2",
    ]  # fmt: skip
    await expect(page.locator("#chat-chart g.bar")).to_have_count(2)
    assert await accessibility_problems(page) == []
    await shoot(page, "console-insights")

    # Each table downloads as CSV, the same period and breakdown.
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="Baixar CSV das solicitações").click()
    download = await downloading.value
    assert download.suggested_filename == "atende-tickets-2026-10.csv"
    saved = tmp_path / "tickets.csv"
    await download.save_as(saved)
    exported = list(csv.DictReader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert [(r["department"], r["opened"], r["first_response_median_s"]) for r in exported] == [
        ("Financeiro", "3", "7200.0"),
        ("Suporte", "2", "1800.0"),
    ]

    # By agent: first responses count for who gave them, the rest for the ticket's owner; agents by name.
    await page.locator("label[for=by-agent]").click()
    await expect(page).to_have_url(re.compile(r"by=agent"))
    await expect(page.locator("#ticket-chart g.bar")).to_have_count(3)
    labels = [
        await bar.get_attribute("data-label") for bar in await page.locator("#ticket-chart g.bar").all()
    ]
    assert labels == ["Ana Agente", "Bruno Colega", "Sem atendente"]
    assert (await cells(row(page, "ticket-table", "Ana Agente")))[:5] == ["Ana Agente", "2", "2", "0", "0"]
    assert (await cells(row(page, "chat-table", "Ana Agente")))[:3] == ["Ana Agente", "2", "2"]
    assert (await cells(row(page, "chat-table", "Bruno Colega")))[:3] == ["Bruno Colega", "1", "1"]
    await expect(page.get_by_role("link", name="Baixar CSV dos chats")).to_have_attribute(
        "href", "/api/v1/agent/insights/figures.csv?period=2026-10&by=agent&table=chats"
    )

    # The address keeps the choice: a reload shows the same, Back goes to the breakdown by department.
    await page.reload()
    await expect(page.locator("#by-agent")).to_be_checked()
    await expect(page.locator("#ticket-chart g.bar")).to_have_count(3)
    await page.go_back()
    await expect(page).not_to_have_url(re.compile(r"by=agent"))
    await expect(page.locator("#by-department")).to_be_checked()
    await expect(page.locator("#ticket-chart g.bar")).to_have_count(2)

    # The period before, named and linked: nothing happened in September.
    previous = page.get_by_role("link", name="Período anterior: Setembro de 2026")
    await previous.click()
    await expect(page).to_have_url(re.compile(r"period=2026-09"))
    await expect(page.locator("#insights-empty")).to_be_visible()
    await expect(page.locator("#insights-empty")).to_contain_text("Nada aconteceu neste período")
    await page.go_back()
    await expect(card(page, "opened").locator(".insight-value")).to_have_text("5")
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_quick_periods_a_range_of_days_and_a_wrong_period(page: Page, seeded: None) -> None:
    await log_in(page, ANA, "/console/insights")
    await expect(page.locator("#choice-this_month")).to_be_checked()
    today = date.fromisoformat(await page.evaluate("new Date().toLocaleDateString('sv')"))
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    await page.locator("label[for=choice-last_month]").click()
    await expect(page).to_have_url(re.compile(f"period={last_month}$"))
    year, week, _ = today.isocalendar()
    await page.locator("label[for=choice-this_week]").click()
    await expect(page).to_have_url(re.compile(f"period={year}-W{week:02d}$"))
    await expect(page.locator("#period-name")).to_contain_text(f"Semana {week} de {year}")

    # A range of days, checked before asking.
    await page.locator("label[for=choice-range]").click()
    await page.get_by_label("De", exact=True).fill("2026-10-05")
    await page.get_by_label("Até", exact=True).fill("2026-10-04")
    await page.get_by_role("button", name="Mostrar").click()
    await expect(page.locator("#filters-alert")).to_have_text(
        "A data final deve ser igual ou posterior à inicial."
    )
    await expect(page.get_by_label("Até", exact=True)).to_have_attribute("aria-invalid", "true")
    await page.get_by_label("Até", exact=True).fill("2026-10-06")
    await page.get_by_label("Até", exact=True).press("Enter")
    await expect(page).to_have_url(re.compile(r"period=2026-10-05\.\.2026-10-06"))
    await expect(card(page, "opened").locator(".insight-value")).to_have_text("5")
    await expect(page.locator("#previous-link")).to_have_attribute(
        "href", "/console/insights?period=2026-10-03..2026-10-04"
    )
    await expect(page.locator("#previous-link")).to_have_text(
        re.compile(r"^Período anterior: 3\s*–\s*4 de out")
    )

    # A period the API cannot read is said politely, with a way back.
    await page.goto("/console/insights?period=novembro")
    await expect(page.locator("#insights-error")).to_contain_text("Não entendemos esse período")
    await expect(page.locator("#insights-results")).to_be_hidden()
    await page.get_by_role("link", name="Ver este mês").click()
    await expect(page).to_have_url(re.compile(f"period={today.strftime('%Y-%m')}$"))
    await expect(page.locator("#insights-error")).to_be_hidden()
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_on_a_phone_and_in_english_and_only_for_staff(
    page: Page, site: Site, seeded: None, shoot: Shoot
) -> None:
    await page.set_viewport_size(PHONE)
    await log_in(page, BRUNO, f"/console/insights?period={PERIOD}")
    await expect(card(page, "opened").locator(".insight-value")).to_have_text("5")
    await expect(page.locator("#ticket-chart g.bar")).to_have_count(2)
    chart_width = await page.locator("#ticket-chart svg").evaluate("svg => svg.getBoundingClientRect().width")
    assert chart_width <= PHONE["width"], "the chart fits the phone's screen"
    last_choice = await page.locator("label[for=choice-range]").bounding_box()
    assert last_choice and last_choice["x"] + last_choice["width"] <= PHONE["width"], (
        "every period choice shows"
    )
    assert await accessibility_problems(page) == []
    await shoot(page, "console-insights-phone")

    # English, on the same period.
    await page.get_by_role("link", name="English").click()
    await expect(page).to_have_url(re.compile(rf"/console/insights\?period={PERIOD}"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    await expect(page.locator("#period-name")).to_have_text("October 2026")
    await expect(card(page, "opened").locator(".insight-label")).to_have_text("Opened")
    await expect(card(page, "first_response")).to_contain_text("90% within 2 h 36 min · over 3 tickets")
    await expect(page.get_by_role("link", name="Previous period: September 2026")).to_be_visible()
    assert page.script_errors == []  # type: ignore[attr-defined]

    # Only staff: nobody logged in goes to log in; a customer is sent to their own pages.
    async with httpx.AsyncClient(base_url=site.url) as anonymous:
        answer = await anonymous.get("/console/insights?period=2026-10")
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login?next=/console/insights")
