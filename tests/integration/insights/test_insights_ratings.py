"""Satisfaction on real NATS and PostgreSQL: rating facts on JetStream → insights → figures, comments, API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import psycopg
import test_insights_api as api
from support.waiting import eventually

from contracts import Envelope
from contracts.chat import ChatRatedV1
from contracts.insights import FiguresV1, GetFiguresV1, GetRatingCommentsV1, RatingCommentsV1
from contracts.subjects import CHAT_RATED_V1, GET_FIGURES_V1, GET_RATING_COMMENTS_V1, TICKET_RATED_V1
from contracts.tickets import TicketRatedV1
from insights.adapters.rebuild import rebuild
from insights.entrypoints.facts import handle_facts
from plumbing import postgres
from plumbing.bus import Bus

Site = tuple[str, Any, Bus]
# The gateway and insights on a NATS server of their own, and their helpers: as the figures' API tests.
site = api.site
MONDAY, chat, console, table, ticket = api.MONDAY, api.chat, api.console, api.table, api.ticket
COLUMNS = ["kind", "count", "average", "score_1", "score_2", "score_3", "score_4", "score_5", "csat_pct"]


def ticket_rating(
    n: int, department: str, agent: str | None, score: int, comment: str, hours: int
) -> TicketRatedV1:
    return TicketRatedV1(
        ticket_id=f"t-{n}", number=1000 + n, customer_email="maria@example.com", department=department,
        agent_id=agent, score=score, comment=comment, rated_at=MONDAY + timedelta(hours=hours),
    )  # fmt: skip


def chat_rating(
    n: int, department: str, agent: str | None, score: int, comment: str, hours: int
) -> ChatRatedV1:
    return ChatRatedV1(
        conversation_id=f"c-{n}", department=department, customer_email="joao@example.com", agent_id=agent,
        score=score, comment=comment, rated_at=MONDAY + timedelta(hours=hours),
    )  # fmt: skip


async def rated_week(bus: Bus, ana: str, bia: str) -> None:
    """Financeiro's tickets rated 5 (after a 2), 4 and 1; Suporte's chats rated 3 and 5.

    ``ana`` answered t-1, t-2 and c-2, ``bia`` answered c-1; t-3 nobody answered.
    """
    for n, department in ((1, "Financeiro"), (2, "Financeiro"), (3, "Financeiro")):
        await ticket(bus, n, department, timedelta(hours=1), timedelta(hours=2))  # versions 1–3
    for n in (1, 2):
        await chat(bus, n, "Suporte", 30.0)  # versions 1–3
    # t-1's re-rating (version 5) arrives before its first rating (version 4): the later version wins.
    await bus.publish(TICKET_RATED_V1, ticket_rating(1, "Financeiro", ana, 5, "Resolveram, obrigada", 26),
                      message_id="tickets:t-1:5")  # fmt: skip
    await bus.publish(TICKET_RATED_V1, ticket_rating(1, "Financeiro", ana, 2, "Demorou", 25),
                      message_id="tickets:t-1:4")  # fmt: skip
    await bus.publish(
        TICKET_RATED_V1, ticket_rating(2, "Financeiro", ana, 4, "", 27), message_id="tickets:t-2:4"
    )
    await bus.publish(TICKET_RATED_V1, ticket_rating(3, "Financeiro", None, 1, "Ninguém respondeu", 28),
                      message_id="tickets:t-3:4")  # fmt: skip
    await bus.publish(CHAT_RATED_V1, chat_rating(1, "Suporte", bia, 3, "Demorou um pouco", 29),
                      message_id="chat:c-1:4")  # fmt: skip
    await bus.publish(CHAT_RATED_V1, chat_rating(2, "Suporte", ana, 5, "Ótimo", 30), message_id="chat:c-2:4")


def ratings(postgres_url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(postgres_url) as conn:
        return conn.execute("SELECT * FROM ratings ORDER BY kind, subject_id").fetchall()


def facts_kept(postgres_url: str) -> int:
    with psycopg.connect(postgres_url) as conn:
        [(count,)] = conn.execute("SELECT count(*) FROM facts").fetchall()
        return int(count)


def rows_of(figures: FiguresV1) -> list[list[Any]]:
    [found] = [t for t in figures.tables if t.name == "satisfaction"]
    return [list(row) for row in found.rows]


async def test_ratings_fold_into_satisfaction_figures_and_comments_and_rebuild_the_same(
    site: Site, postgres_url: str
) -> None:
    _, _, bus = site
    await rated_week(bus, "ana-id", "bia-id")
    await eventually(lambda: len(ratings(postgres_url)) == 5, timeout=60, what="five rated subjects")
    await eventually(
        lambda: ("ticket", "t-1", 5) in [(r[0], r[1], r[4]) for r in ratings(postgres_url)],
        what="t-1's re-rating, whatever order its facts came in",
    )

    overall = await bus.request(GET_FIGURES_V1, GetFiguresV1(period="2026-11", by="overall"), FiguresV1)
    [found] = [t for t in overall.tables if t.name == "satisfaction"]
    assert found.columns == ["scope", *COLUMNS]
    assert rows_of(overall) == [
        [None, "all", 5, 3.6, 1, 0, 1, 1, 2, 60.0],  # 5 4 1 3 5: 18 / 5; 4–5: 3 of 5
        [None, "ticket", 3, 3.33, 1, 0, 0, 1, 1, 66.7],  # 5 4 1: 10 / 3; 2 of 3
        [None, "chat", 2, 4.0, 0, 0, 1, 0, 1, 50.0],  # 3 5
    ]
    by_department = await bus.request(
        GET_FIGURES_V1, GetFiguresV1(period="2026-11", by="department"), FiguresV1
    )
    assert rows_of(by_department) == [
        ["Financeiro", "all", 3, 3.33, 1, 0, 0, 1, 1, 66.7],
        ["Suporte", "all", 2, 4.0, 0, 0, 1, 0, 1, 50.0],
        ["Financeiro", "ticket", 3, 3.33, 1, 0, 0, 1, 1, 66.7],
        ["Suporte", "ticket", 0, None, 0, 0, 0, 0, 0, None],
        ["Financeiro", "chat", 0, None, 0, 0, 0, 0, 0, None],
        ["Suporte", "chat", 2, 4.0, 0, 0, 1, 0, 1, 50.0],
    ]
    by_agent = await bus.request(
        GET_FIGURES_V1, GetFiguresV1(period="2026-11", by="agent", departments=["Suporte"]), FiguresV1
    )
    assert [row[:4] for row in rows_of(by_agent) if row[1] == "all"] == [
        ["ana-id", "all", 1, 5.0],
        ["bia-id", "all", 1, 3.0],
    ]
    before = await bus.request(GET_FIGURES_V1, GetFiguresV1(period="2026-10", by="overall"), FiguresV1)
    assert [row[2] for row in rows_of(before)] == [0, 0, 0], "October had no ratings"

    said = await bus.request(GET_RATING_COMMENTS_V1, GetRatingCommentsV1(period="2026-11"), RatingCommentsV1)
    assert [(c.kind, c.id, c.number, c.score, c.comment) for c in said.comments] == [
        ("chat", "c-2", None, 5, "Ótimo"),
        ("chat", "c-1", None, 3, "Demorou um pouco"),
        ("ticket", "t-3", 1003, 1, "Ninguém respondeu"),
        ("ticket", "t-1", 1001, 5, "Resolveram, obrigada"),  # the re-rating's words; t-2 said nothing
    ]
    tickets_only = await bus.request(
        GET_RATING_COMMENTS_V1,
        GetRatingCommentsV1(period="2026-11", kind="ticket", departments=["Financeiro"]),
        RatingCommentsV1,
    )
    assert [c.id for c in tickets_only.comments] == ["t-3", "t-1"]
    assert tickets_only.comments[0].agent_id is None and tickets_only.comments[1].agent_id == "ana-id"

    async with postgres.open_pool(postgres_url) as pool:
        # NATS redelivers: the first rating again keeps nothing and leaves the re-rating in place.
        facts = facts_kept(postgres_url)
        stale = ticket_rating(1, "Financeiro", "ana-id", 2, "Demorou", 25)
        await handle_facts(pool)(stale, Envelope.wrap(stale, message_id="tickets:t-1:4"))
        assert facts_kept(postgres_url) == facts
        kept = ratings(postgres_url)
        assert ("t-1", 5) in [(r[1], r[4]) for r in kept]
        # Dropped and folded again from the kept facts: the very same ratings.
        async with pool.connection() as conn:
            await conn.execute("UPDATE ratings SET score = 1")  # a rebuild must not keep anything of these
            assert await rebuild(conn) == facts
    assert ratings(postgres_url) == kept
    again = await bus.request(GET_FIGURES_V1, GetFiguresV1(period="2026-11", by="department"), FiguresV1)
    assert rows_of(again) == rows_of(by_department)


async def test_comments_are_for_admins_and_an_agent_sees_only_their_departments(
    site: Site, postgres_url: str
) -> None:
    url, accounts, bus = site
    fabio = await console(url, accounts, "fabio@example.com", "agent", "Financeiro")
    admin = await console(url, accounts, "root@example.com", "admin")
    # Fabio answered Financeiro's tickets and chat c-2; the admin (Root) answered chat c-1.
    fabio_id, root_id = [(await c.get("/api/v1/me")).json()["account_id"] for c in (fabio, admin)]
    await rated_week(bus, fabio_id, root_id)
    figures = "/api/v1/agent/insights/figures"

    await eventually(lambda: len(ratings(postgres_url)) == 5, timeout=60, what="five rated subjects")
    await eventually(
        lambda: ("t-1", 5) in [(r[1], r[4]) for r in ratings(postgres_url)], what="t-1's re-rating"
    )

    # An agent: their own department, filtered or not; another one is refused.
    mine = await fabio.get(figures, params={"period": "2026-11", "by": "department"})
    assert [(r["department"], r["kind"], r["count"]) for r in table(mine.json(), "satisfaction")] == [
        ("Financeiro", "all", 3),
        ("Financeiro", "ticket", 3),
        ("Financeiro", "chat", 0),
    ]
    narrowed = await fabio.get(
        figures, params={"period": "2026-11", "by": "overall", "department": "Financeiro"}
    )
    assert narrowed.status_code == 200 and table(narrowed.json(), "satisfaction")[0]["average"] == 3.33
    refused = await fabio.get(
        figures, params={"period": "2026-11", "department": "Suporte"}, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "department_not_yours"
    [field] = refused.json()["fields"]
    assert (field["field"], field["reason"]) == ("department", "department_not_yours")
    assert field["message"] == "You only see the figures of your own departments."
    refused_csv = await fabio.get(f"{figures}.csv", params={"period": "2026-11", "department": "Suporte"})
    assert refused_csv.status_code == 403

    # An admin narrows to one department; the CSV has the same table.
    suporte = await admin.get(figures, params={"period": "2026-11", "by": "overall", "department": "Suporte"})
    assert [(r["kind"], r["count"], r["csat_pct"]) for r in table(suporte.json(), "satisfaction")] == [
        ("all", 2, 50.0),
        ("ticket", 0, None),
        ("chat", 2, 50.0),
    ]
    assert table(suporte.json(), "tickets")[0]["opened"] == 0, "Financeiro's tickets are filtered out"
    exported = await admin.get(
        f"{figures}.csv", params={"period": "2026-11", "table": "satisfaction", "department": "Suporte"}
    )
    assert exported.status_code == 200
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "department," + ",".join(COLUMNS)
    assert lines[1] == "Suporte,all,2,4.0,0,0,1,0,1,50.0"

    # Comments: admins only, newest first, agents by name.
    comments = "/api/v1/agent/insights/comments"
    denied = await fabio.get(comments, params={"period": "2026-11"})
    assert denied.status_code == 403 and denied.json()["error"] == "admins_only"
    said = await admin.get(comments, params={"period": "2026-11"})
    assert said.status_code == 200, said.text
    assert said.json()["period"] == "2026-11"
    assert [(c["kind"], c["id"], c["number"], c["department"], c["agent"], c["score"], c["comment"])
            for c in said.json()["comments"]] == [
        ("chat", "c-2", None, "Suporte", "Fabio", 5, "Ótimo"),
        ("chat", "c-1", None, "Suporte", "Root", 3, "Demorou um pouco"),
        ("ticket", "t-3", 1003, "Financeiro", None, 1, "Ninguém respondeu"),
        ("ticket", "t-1", 1001, "Financeiro", "Fabio", 5, "Resolveram, obrigada"),
    ]  # fmt: skip
    assert said.json()["comments"][0]["rated_at"].startswith("2026-11-03T19:00:00")
    chats = await admin.get(comments, params={"period": "2026-11", "kind": "chat", "department": "Suporte"})
    assert [c["id"] for c in chats.json()["comments"]] == ["c-2", "c-1"]
    wrong = await admin.get(comments, params={"period": "novembro"})
    assert wrong.status_code == 422 and wrong.json()["fields"][0]["reason"] == "period_invalid"
    async with httpx.AsyncClient(base_url=url) as anonymous:
        assert (await anonymous.get(comments, params={"period": "2026-11"})).status_code == 401
    for client in (fabio, admin):
        await client.aclose()
