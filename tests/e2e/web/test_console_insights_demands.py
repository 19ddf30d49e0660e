"""The insights page's recurring demands, satisfaction, customers' comments and department filter, in a browser.

A seeded history (support.history: planted topics, varied wording, noise) reaches Atende as it would
in use: its tickets as ticket requests (the tickets service opens real tickets, whose links open), its
chats as the chat service's facts; five ratings are published as the tickets and chat relays publish
them. The demands are grouped once by hand (the service's loop runs every ten minutes).

Ratings, all given now: Financeiro tickets 5 ("Resolveram rápido, obrigado!") and 4; a Suporte ticket
2 ("Demorou demais."); a Suporte chat 1 ("Ninguém respondeu <b>nada</b>"); a Websites chat 5. So 5
ratings, average 3,4, CSAT 60% (chats alone: 2 ratings, CSAT 50%); Financeiro alone: 2, CSAT 100%.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Locator, Page, expect
from support import infra
from support.accounts import PASSWORD
from support.history import NOISE, History, history
from support.pages import PHONE, Shoot, accessibility_problems
from support.site import Site, running
from support.waiting import eventually

from contracts.chat import (
    ChatAcceptedV1,
    ChatClosedV1,
    ChatMessagePostedV1,
    ChatRatedV1,
    ChatRequestedV1,
    ConversationStatus,
)
from contracts.common import ActorKind, Channel
from contracts.subjects import (
    CHAT_ACCEPTED_V1,
    CHAT_CLOSED_V1,
    CHAT_MESSAGE_POSTED_V1,
    CHAT_RATED_V1,
    CHAT_REQUESTED_V1,
    TICKET_RATED_V1,
    TICKET_REQUESTED_V1,
)
from contracts.tickets import TicketRatedV1, TicketRequestedV1, ticket_id_for
from insights.entrypoints.demands import regroup
from plumbing import postgres
from plumbing.bus import Bus

ADMIN, AGENT = "ana.demandas@example.com", "bruno.demandas@example.com"
NOW = datetime.now(UTC)
TODAY = NOW.astimezone(ZoneInfo("America/Sao_Paulo")).date()  # the site's insights count days there
PERIOD = f"{TODAY - timedelta(days=1)}..{TODAY}"
PAGE = f"/console/insights?period={PERIOD}"


@dataclass
class Seeded:
    """What was planted: each ticket's and chat's topic (by its id in Atende), departments, numbers."""

    topics: dict[str, str]
    departments: dict[str, str | None]
    numbers: dict[str, int]
    subjects: dict[str, str]
    demands: dict[str, dict[str, Any]]  # planted topic → its demand as the API first answered


@pytest.fixture(autouse=True)
def patient() -> Iterator[None]:
    """Pages fetch across NATS on a shared, busy machine."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture(scope="module")
def database(servers: infra.Session) -> str:
    url: str = servers.database("web")
    return url


@pytest.fixture(scope="module")
async def site(
    servers: infra.Session, database: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Site]:
    """The whole of Atende (as conftest's), on a database this module can group the demands of."""
    async with running(tmp_path_factory.mktemp("site"), database, servers.s3, servers.mail) as started:
        yield started


async def publish_history(bus: Bus, planted: History) -> tuple[dict[str, str], dict[str, str | None]]:
    """Tickets as requests (real tickets open), chats as their facts; each record's topic and department."""
    topics: dict[str, str] = {}
    departments: dict[str, str | None] = {}
    for ticket in planted.tickets:
        body = ticket.text.split("\n", 1)[1] if "\n" in ticket.text else ticket.text
        request = TicketRequestedV1(request_id=ticket.ticket_id, channel=Channel.EMAIL, customer_email=ticket.customer_email,
            subject=ticket.subject, body=body, department=ticket.department, received_at=NOW)  # fmt: skip
        await bus.publish(TICKET_REQUESTED_V1, request, message_id=f"request:{ticket.ticket_id}")
        topics[ticket_id_for(ticket.ticket_id)] = planted.topics[ticket.ticket_id]
        departments[ticket_id_for(ticket.ticket_id)] = ticket.department
    for n, chat in enumerate(planted.chats):
        ids = {"conversation_id": chat.conversation_id, "department": chat.department}
        person = {"customer_email": chat.customer_email, "customer_name": "Cliente"}
        at = NOW - timedelta(minutes=30 + n % 20)
        words = chat.text.split("\n", 1)[1] if "\n" in chat.text else ""
        facts: list[tuple[str, Any]] = [
            (CHAT_REQUESTED_V1, ChatRequestedV1(**ids, **person, question=chat.question, requested_at=at)),
            (CHAT_ACCEPTED_V1, ChatAcceptedV1(**ids, agent_id="agent-x", waited_s=30, accepted_at=at + timedelta(seconds=30))),
            (CHAT_MESSAGE_POSTED_V1, ChatMessagePostedV1(conversation_id=chat.conversation_id, seq=3, author_kind=ActorKind.CUSTOMER,
                author_id=chat.customer_email, text=words or "ok", posted_at=at + timedelta(minutes=1))),
            (CHAT_CLOSED_V1, ChatClosedV1(**ids, **person, agent_id="agent-x", closed_by=ActorKind.AGENT,
                status=ConversationStatus.CLOSED, messages=3, closed_at=at + timedelta(minutes=5))),
        ]  # fmt: skip
        for version, (subject, fact) in enumerate(facts, start=1):
            await bus.publish(subject, fact, message_id=f"chat:{chat.conversation_id}:{version}")
        topics[chat.conversation_id] = planted.topics[chat.conversation_id]
        departments[chat.conversation_id] = chat.department
    return topics, departments


async def rate(bus: Bus, seeded: Seeded, agent_id: str) -> None:
    """The five ratings of the module's docstring, on tickets and chats of the history."""

    def one(kind: str, department: str) -> str:
        return next(
            key
            for key, where in seeded.departments.items()
            if where == department and (key in seeded.numbers) == (kind == "ticket") and key not in rated
        )

    rated: set[str] = set()
    for department, score, comment in (
        ("Financeiro", 5, "Resolveram rápido, obrigado!"), ("Financeiro", 4, ""), ("Suporte", 2, "Demorou demais."),
    ):  # fmt: skip
        key = one("ticket", department)
        rated.add(key)
        ticket = TicketRatedV1(ticket_id=key, number=seeded.numbers[key], customer_email="cliente@example.com",
            department=department, agent_id=agent_id, score=score, comment=comment, rated_at=NOW)  # fmt: skip
        await bus.publish(TICKET_RATED_V1, ticket, message_id=f"tickets:{key}:1000")
    for department, score, comment in (("Suporte", 1, "Ninguém respondeu <b>nada</b>"), ("Websites", 5, "")):
        key = one("chat", department)
        rated.add(key)
        fact = ChatRatedV1(conversation_id=key, department=department, customer_email="cliente@example.com",
            agent_id=None, score=score, comment=comment, rated_at=NOW)  # fmt: skip
        await bus.publish(CHAT_RATED_V1, fact, message_id=f"chat:{key}:1000")


def table(answer: dict[str, Any], name: str) -> list[dict[str, Any]]:
    found: dict[str, Any] = next(
        (t for t in answer["tables"] if t["name"] == name), {"columns": [], "rows": []}
    )
    return [dict(zip(found["columns"], row, strict=True)) for row in found["rows"]]


@pytest.fixture(scope="module")
async def staff(site: Site) -> str:
    """An admin and an agent of Financeiro; the agent's account id."""
    await site.agent(ADMIN, "Ana Admin", kind="admin")
    return await site.agent(AGENT, "Bruno Agente", "Financeiro")


@pytest.fixture(scope="module")
async def seeded(site: Site, database: str, staff: str) -> Seeded:
    """The history and its ratings, folded; the demands grouped."""
    agent_id = staff
    planted = history(150, seed=2, start=NOW - timedelta(days=1), days=1)
    bus = await Bus.connect(site.nats_url, "insights-demands-page-test")
    try:
        topics, departments = await publish_history(bus, planted)
        async with httpx.AsyncClient(base_url=site.url, timeout=15) as admin:
            await admin.post("/api/v1/session", json={"email": ADMIN, "password": PASSWORD})
            numbers: dict[str, int] = {}
            subjects: dict[str, str] = {}

            async def opened() -> bool:
                for key in [ticket_id_for(t.ticket_id) for t in planted.tickets]:
                    if key in numbers:
                        continue
                    answer = await admin.get(f"/api/v1/agent/tickets/{key}")
                    if answer.status_code != 200:
                        return False
                    found = answer.json()["ticket"]
                    numbers[key], subjects[key] = found["number"], found["subject"]
                return True

            await eventually(opened, timeout=180, what="every ticket of the history opened")
            seeded = Seeded(topics, departments, numbers, subjects, {})
            await rate(bus, seeded, agent_id)

            async def folded() -> bool:
                answer = (
                    await admin.get(
                        "/api/v1/agent/insights/figures", params={"period": PERIOD, "by": "overall"}
                    )
                ).json()
                [tickets] = table(answer, "tickets") or [{}]
                [chats] = table(answer, "chats") or [{}]
                rated = [row for row in table(answer, "satisfaction") if row["kind"] == "all"]
                return (tickets.get("opened"), chats.get("requested"), rated[0]["count"] if rated else 0) == (
                    len(planted.tickets), len(planted.chats), 5
                )  # fmt: skip

            await eventually(folded, timeout=180, what="every fact folded into the figures")
            async with postgres.open_pool(database, max_size=2) as pool:
                await regroup(pool, window_days=90)()
            answer = (await admin.get("/api/v1/agent/insights/demands", params={"period": PERIOD})).json()
    finally:
        await bus.close()
    assert answer["computed_at"] and answer["demands"], answer
    for demand in answer["demands"]:
        topic, hits = Counter(topics[m["id"]] for m in demand["members"]).most_common(1)[0]
        if topic != NOISE and hits >= 0.8 * len(demand["members"]):
            seeded.demands.setdefault(topic, demand)
    assert {"boleto", "senha", "nota_fiscal", "backup", "ssl"} <= seeded.demands.keys(), seeded.demands.keys()
    return seeded


async def log_in(page: Page, email: str, then: str) -> None:
    await page.goto("/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Senha").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url(re.compile(r"/console"))
    await page.goto(then)


def demand(page: Page, seeded: Seeded, topic: str) -> Locator:
    return page.locator(f'li.demand[data-demand-id="{seeded.demands[topic]["id"]}"]')


def card(page: Page, name: str) -> Locator:
    return page.locator(f'[data-card="{name}"] .insight-value')


async def test_the_demands_show_a_planted_topic_whose_links_open_its_tickets(
    page: Page, seeded: Seeded, shoot: Shoot
) -> None:
    await log_in(page, ADMIN, PAGE)
    await expect(page.get_by_role("heading", name="Demandas recorrentes")).to_be_visible()
    await expect(page.locator("#demands-updated")).to_have_text(re.compile(r"^Atualizado (às|em) "))
    items = page.locator("#demand-list > li.demand")
    answer = await (await page.request.get(f"/api/v1/agent/insights/demands?period={PERIOD}")).json()
    await expect(items).to_have_count(len(answer["demands"]))
    sizes = [
        int(await size.get_attribute("data-size") or -1) for size in await items.locator(".demand-size").all()
    ]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 0, "biggest first"

    # Nota fiscal: unnamed, so its top words; all new this period; how customers put it; its members.
    notas, planted = demand(page, seeded, "nota_fiscal"), seeded.demands["nota_fiscal"]
    await expect(notas.locator("h3")).to_contain_text("nota")
    await expect(notas.locator(".demand-unnamed")).to_have_text("sem nome")
    await expect(notas.locator(".demand-size")).to_have_text(f"{planted['size']} no período")
    await expect(notas.locator(".trend")).to_contain_text("novo")
    await expect(notas.locator(".demand-split")).to_contain_text(
        f"{planted['tickets']} solicitações · {planted['chats']} chats"
    )
    quotes = notas.locator(".demand-typical q")
    assert 1 <= await quotes.count() <= 3
    await notas.get_by_text(re.compile(r"^Solicitações e chats \(")).click()
    tickets = [m for m in planted["members"] if m["kind"] == "ticket"]
    assert tickets, "the planted topic has tickets"
    first = tickets[0]
    link = notas.locator(f'.demand-members a[href="/console/tickets/{first["id"]}"]')
    await expect(link).to_have_text(f"#{seeded.numbers[first['id']]} {seeded.subjects[first['id']]}")
    for member in planted["members"]:
        if member["kind"] == "chat":
            await expect(notas.locator(f'a[href="/console/chats?transcript={member["id"]}"]')).to_have_count(
                1
            )
    assert await accessibility_problems(page) == []
    await shoot(page, "console-insights-demands")

    await link.click()
    await expect(page).to_have_url(re.compile(f"/console/tickets/{first['id']}$"))
    await expect(page.locator("#ticket-title")).to_contain_text(f"#{seeded.numbers[first['id']]}")
    await expect(page.locator("#ticket-title")).to_contain_text(seeded.subjects[first["id"]])
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_an_agent_names_a_demand_and_sends_another_to_development(page: Page, seeded: Seeded) -> None:
    await log_in(page, AGENT, PAGE)
    boleto = demand(page, seeded, "boleto")
    await boleto.get_by_role("button", name="Dar nome").click()
    name = boleto.get_by_label("Nome da demanda")
    await expect(name).to_be_focused()
    await name.fill("   ")
    await name.press("Escape")
    await expect(name).to_have_count(0)
    await expect(boleto.get_by_role("button", name="Dar nome")).to_be_focused()
    await boleto.get_by_role("button", name="Dar nome").click()
    await boleto.get_by_label("Nome da demanda").fill("Boleto em atraso")
    await boleto.get_by_role("button", name="Salvar nome").click()
    await expect(boleto.locator("h3")).to_have_text("Boleto em atraso")
    await expect(boleto.locator("h3")).to_be_focused()
    await expect(page.locator("#demands-status")).to_have_text("Decisão registrada.")

    await page.reload()
    await expect(boleto.locator("h3")).to_have_text("Boleto em atraso")
    await expect(boleto.locator(".demand-unnamed")).to_have_count(0)
    await boleto.get_by_text("Histórico (1)").click()
    await expect(boleto.locator(".demand-history li")).to_have_text(
        re.compile(r"^Bruno Agente deu o nome “Boleto em atraso” em \d\d/\d\d \d\d:\d\d$")
    )

    # Nota fiscal (Financeiro, the agent's) to development: a note is required, then it shows with who and when; withdrawn again.
    fiscal = demand(page, seeded, "nota_fiscal")
    await fiscal.get_by_role("button", name="Enviar ao desenvolvimento").click()
    await fiscal.locator("form").get_by_role("button", name="Enviar ao desenvolvimento").click()
    note = fiscal.get_by_label("Nota para o desenvolvimento")
    await expect(note).to_have_attribute("aria-invalid", "true")
    await expect(fiscal.locator(".field-error")).to_have_text("Escreva uma nota para o desenvolvimento.")
    await note.fill("Registrado no time de produto: JIRA-123")
    await fiscal.locator("form").get_by_role("button", name="Enviar ao desenvolvimento").click()
    await expect(fiscal.locator(".badge-development")).to_have_text("Enviada ao desenvolvimento")
    await expect(fiscal.locator(".demand-development")).to_contain_text(
        "Registrado no time de produto: JIRA-123"
    )
    await expect(fiscal.locator(".demand-development")).to_contain_text("Bruno Agente")
    await page.reload()
    await expect(fiscal.locator(".demand-development")).to_contain_text("JIRA-123")
    await fiscal.get_by_role("button", name="Retirar do desenvolvimento").click()
    await fiscal.get_by_role("button", name="Retirar", exact=True).click()
    await expect(fiscal.locator(".demand-development")).to_have_count(0)
    await expect(fiscal.get_by_role("button", name="Enviar ao desenvolvimento")).to_be_visible()
    await fiscal.get_by_text(re.compile(r"^Histórico \(2\)")).click()
    await expect(fiscal.locator(".demand-history li")).to_have_text([
        re.compile(r"^Bruno Agente enviou ao desenvolvimento: “Registrado no time de produto: JIRA-123” em "),
        re.compile(r"^Bruno Agente retirou do desenvolvimento em "),
    ])  # fmt: skip
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_two_demands_merged_show_their_summed_size_and_split_back(page: Page, seeded: Seeded) -> None:
    backup, ssl = seeded.demands["backup"], seeded.demands["ssl"]
    await log_in(page, ADMIN, PAGE)
    await demand(page, seeded, "backup").get_by_role("button", name="Juntar com…").click()
    into = demand(page, seeded, "backup").get_by_label("Juntar esta demanda com")
    await expect(into).to_be_focused()
    await into.select_option(ssl["id"])
    await demand(page, seeded, "backup").get_by_role("button", name="Juntar", exact=True).click()

    merged = demand(page, seeded, "ssl")
    await expect(merged.locator(".demand-size")).to_have_text(f"{backup['size'] + ssl['size']} no período")
    await expect(merged.locator(".demand-merged")).to_have_text("inclui 1 demanda juntada")
    await expect(demand(page, seeded, "backup")).to_have_count(0)
    await expect(merged.locator("h3")).to_be_focused()
    await page.reload()
    await expect(merged.locator(".demand-size")).to_have_text(f"{backup['size'] + ssl['size']} no período")

    await merged.get_by_role("button", name="Separar").click()
    await merged.get_by_role("button", name="Separar", exact=True).last.click()
    await expect(merged.locator(".demand-size")).to_have_text(f"{ssl['size']} no período")
    await expect(demand(page, seeded, "backup").locator(".demand-size")).to_have_text(
        f"{backup['size']} no período"
    )
    await expect(merged.locator(".demand-merged")).to_have_count(0)
    # Both sides of the pair keep the history, naming the other demand now that both are listed.
    title = await demand(page, seeded, "backup").locator("h3").inner_text()
    await merged.get_by_text("Histórico (2)").click()
    await expect(merged.locator(".demand-history li")).to_have_text([
        re.compile(f"^Ana Admin juntou esta demanda com “{re.escape(title)}” em "),
        re.compile(f"^Ana Admin separou esta demanda de “{re.escape(title)}” em "),
    ])  # fmt: skip
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_satisfaction_and_the_department_filter_narrow_figures_demands_and_csv(
    page: Page, seeded: Seeded, shoot: Shoot
) -> None:
    await log_in(page, ADMIN, PAGE)
    await expect(card(page, "ratings")).to_have_text("5")
    await expect(card(page, "csat")).to_have_text("60% notas 4 e 5")
    await expect(card(page, "average")).to_have_text("3,4 de 5")
    bars = page.locator("#satisfaction-chart g.bar")
    assert [await bar.get_attribute("data-value") for bar in await bars.all()] == ["1", "1", "0", "1", "2"]
    satisfaction = page.locator("#satisfaction-table tbody tr")
    await expect(satisfaction).to_have_count(3)  # Financeiro, Suporte, Websites
    await expect(satisfaction.first).to_contain_text("Financeiro")
    await page.locator("label[for=rating-chat]").click()
    await expect(card(page, "ratings")).to_have_text("2")
    await expect(card(page, "csat")).to_have_text("50% notas 4 e 5")
    await page.locator("label[for=rating-all]").click()
    await expect(page.get_by_role("link", name="Baixar CSV da satisfação")).to_have_attribute(
        "href", re.compile(r"table=satisfaction")
    )

    opened = sum(
        1 for key, where in seeded.departments.items() if where == "Financeiro" and key in seeded.numbers
    )
    await page.get_by_role("combobox", name="Departamento").select_option("Financeiro")
    await expect(page).to_have_url(re.compile(r"department=Financeiro"))
    await expect(card(page, "opened")).to_have_text(str(opened))
    await expect(card(page, "ratings")).to_have_text("2")
    await expect(card(page, "csat")).to_have_text("100% notas 4 e 5")
    await expect(page.get_by_role("link", name="Baixar CSV das solicitações")).to_have_attribute(
        "href", re.compile(r"[?&]department=Financeiro(&|$)")
    )
    # Demands count Financeiro's tickets and chats only: the senha demand (Suporte) shrinks or goes.
    senha = seeded.demands["senha"]
    only = sum(1 for m in senha["members"] if seeded.departments[m["id"]] == "Financeiro")
    shown = demand(page, seeded, "senha")
    if only:
        await expect(shown.locator(".demand-size")).not_to_have_text(f"{senha['size']} no período")
    else:
        await expect(shown).to_have_count(0)
    await expect(page.locator("#comment-list > li")).to_have_count(1)  # Financeiro's one comment

    await page.reload()
    await expect(page.get_by_role("combobox", name="Departamento")).to_have_value("Financeiro")
    await expect(card(page, "opened")).to_have_text(str(opened))
    await page.go_back()
    await expect(page).not_to_have_url(re.compile(r"department="))
    await expect(card(page, "ratings")).to_have_text("5")
    await expect(page.get_by_role("combobox", name="Departamento")).to_have_value("")
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_admins_read_customers_comments_and_agents_do_not_even_ask(
    page: Page, new_context: Any, seeded: Seeded, shoot: Shoot, tmp_path: Path
) -> None:
    await log_in(page, ADMIN, PAGE)
    comments = page.locator("#comment-list > li")
    await expect(comments).to_have_count(3)
    texts = [" ".join(text.split()) for text in await comments.locator(".comment-text").all_inner_texts()]
    assert sorted(texts) == sorted(
        ["Resolveram rápido, obrigado!", "Demorou demais.", "Ninguém respondeu <b>nada</b>"]
    )
    assert await page.locator("#comment-list b").count() == 0, "a comment is text, never markup"
    rude = comments.filter(has_text="Ninguém respondeu")
    await expect(rude.locator(".comment-score")).to_contain_text("Nota 1 de 5")
    await expect(rude).to_contain_text("Suporte")
    await expect(rude.get_by_role("link", name="Ver o chat")).to_have_attribute(
        "href", re.compile(r"^/console/chats\?transcript=")
    )
    thanks = comments.filter(has_text="Resolveram rápido")
    await expect(thanks).to_contain_text("Financeiro · Bruno Agente")
    ticket_link = thanks.get_by_role("link", name=re.compile(r"^Solicitação #\d+$"))
    await expect(ticket_link).to_have_attribute("href", re.compile(r"^/console/tickets/"))
    assert await accessibility_problems(page) == []

    # An agent of Financeiro: no comments section, no request for them; only their departments offered.
    agent = await (await new_context()).new_page()
    asked: list[str] = []
    agent.on("request", lambda request: asked.append(request.url))
    await log_in(agent, AGENT, PAGE)
    await expect(card(agent, "ratings")).to_have_text("2")  # only Financeiro's ratings
    await expect(agent.locator("#demand-list > li.demand").first).to_be_visible()
    await expect(agent.locator("#comments")).to_have_count(0)
    assert not [url for url in asked if "/insights/comments" in url]
    options = await agent.get_by_role("combobox", name="Departamento").locator("option").all_inner_texts()
    assert options == ["Todos os meus departamentos", "Financeiro"]
    async with httpx.AsyncClient(base_url=str(page.url).split("/console")[0], timeout=15) as client:
        await client.post("/api/v1/session", json={"email": AGENT, "password": PASSWORD})
        refused = await client.get("/api/v1/agent/insights/comments", params={"period": PERIOD})
        assert refused.status_code == 403
        other = await client.get(
            "/api/v1/agent/insights/figures", params={"period": PERIOD, "department": "Suporte"}
        )
        assert other.status_code == 403

    # On a phone, in the agent's view: the page fits and stays accessible.
    await agent.set_viewport_size(PHONE)
    await expect(agent.locator("#demand-list > li.demand").first).to_be_visible()
    width = await agent.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "nothing wider than the phone"
    assert await accessibility_problems(agent) == []
    await shoot(agent, "console-insights-demands-phone")


async def test_a_chat_link_opens_its_transcript_in_the_chat_console(
    page: Page, site: Site, staff: str
) -> None:
    """/console/chats?transcript=<id> (the demands' and comments' chat links) opens that chat's transcript."""
    await log_in(page, ADMIN, "/console/chats")
    await page.get_by_label("Online", exact=True).check()  # a chat starts only with someone online
    await expect(page.locator("#presence-state")).to_contain_text("Registrado: Online")
    async with httpx.AsyncClient(base_url=site.url, timeout=15) as customer:
        started = await customer.post(
            "/api/v1/chat/conversations",
            json={"name": "Joana Link", "email": "joana.link@example.com", "question": "Meu boleto sumiu",
                  "department": "Financeiro"},
        )  # fmt: skip
    assert started.status_code == 201, started.text
    conversation = started.json()["conversation"]["conversation_id"]
    await page.goto(f"/console/chats?transcript={conversation}")
    tab = page.get_by_role("tab", name=re.compile("Joana Link"))
    await expect(tab).to_be_visible()
    await expect(tab).to_have_attribute("aria-selected", "true")
    await expect(page.get_by_role("tabpanel")).to_contain_text("Meu boleto sumiu")
    assert page.script_errors == []  # type: ignore[attr-defined]
