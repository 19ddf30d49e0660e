"""The tickets read models on real PostgreSQL: lists, inbox counts, history, search, tracking, rebuild."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from support.fakes import Clock
from views_helpers import Failing, catch_up, open_ticket, view_rows

from contracts.ticket_queries import ListCustomerTicketsV1, SearchInboxV1
from contracts.tickets import TicketStatus
from plumbing.projection import Projector
from tickets.application import Tickets
from tickets.views.projection import TicketViews
from tickets.views.queries import TicketQueries
from tickets.views.rebuild import rebuild


def seed(app: Tickets, clock: Clock) -> dict[str, Any]:
    """Three customers' tickets in several states, with a note and an assignment."""
    maria = open_ticket(app, "r1", "maria@example.com", "Boleto vencido", department="Financeiro")
    clock.now += timedelta(minutes=5)
    site = open_ticket(app, "r2", "maria@example.com", "Site fora do ar", body="O servidor caiu")
    clock.now += timedelta(minutes=5)
    mail = open_ticket(app, "r3", "maria@example.com", "Pedido por email", channel="email")
    joao = open_ticket(app, "r4", "joao@example.com", "Problemas com a senha", department=None)
    clock.now += timedelta(minutes=5)
    maria = app.start_work(maria.id, maria.version, "ana")
    maria = app.add_note(maria.id, maria.version, note_id="n1", agent="ana", body="cliente antigo, segredo")
    maria = app.assign(maria.id, maria.version, agent="ana", by="ana")
    clock.now += timedelta(minutes=5)
    maria = app.reply(
        maria.id,
        maria.version,
        reply_id="a1",
        author_kind="agent",
        author="ana",
        body="Enviamos a segunda via do boleto",
        channel="portal",
        attachment_ids=["file-1"],
    )
    clock.now += timedelta(minutes=5)
    site = app.finish(site.id, site.version, actor_kind="customer", actor="maria@example.com")
    return {"maria": maria, "site": site, "mail": mail, "joao": joao}


async def test_the_customer_list_shows_their_tickets_latest_public_activity_first(
    app: Tickets, views: Projector, queries: TicketQueries, clock: Clock
) -> None:
    seeded = seed(app, clock)
    catch_up(views)
    verified = await queries.customer_list(
        ListCustomerTicketsV1(customer_email="maria@example.com", email_verified=True)
    )
    assert [t.subject for t in verified.tickets] == ["Site fora do ar", "Boleto vencido", "Pedido por email"]
    assert verified.total == 3
    boleto = verified.tickets[1]
    assert boleto.number == seeded["maria"].number
    assert boleto.status is TicketStatus.AWAITING_CUSTOMER
    assert boleto.opened_at == seeded["maria"].opened_at
    assert boleto.replies == 1
    assert verified.tickets[0].status is TicketStatus.FINISHED
    # An address not yet verified sees only what it opened in the portal.
    unverified = await queries.customer_list(
        ListCustomerTicketsV1(customer_email="maria@example.com", email_verified=False)
    )
    assert {t.subject for t in unverified.tickets} == {"Site fora do ar", "Boleto vencido"}
    page = await queries.customer_list(
        ListCustomerTicketsV1(customer_email="maria@example.com", email_verified=True, limit=1, offset=1)
    )
    assert [t.subject for t in page.tickets] == ["Boleto vencido"] and page.total == 3


async def test_internal_work_is_not_activity_for_the_customer(
    app: Tickets, views: Projector, queries: TicketQueries, clock: Clock
) -> None:
    ticket = open_ticket(app, "r1", "maria@example.com", "Boleto")
    opened_at = ticket.opened_at
    clock.now += timedelta(hours=1)
    app.add_note(ticket.id, ticket.version, note_id="n1", agent="ana", body="interno")
    catch_up(views)
    mine = await queries.customer_list(
        ListCustomerTicketsV1(customer_email="maria@example.com", email_verified=True)
    )
    assert mine.tickets[0].last_activity_at == opened_at
    inbox = await queries.inbox(SearchInboxV1())
    assert inbox.tickets[0].last_activity_at == opened_at + timedelta(hours=1)


async def test_the_inbox_filters_and_counts_within_the_agents_departments(
    app: Tickets, views: Projector, queries: TicketQueries, clock: Clock
) -> None:
    seed(app, clock)
    catch_up(views)
    everything = await queries.inbox(SearchInboxV1())
    assert everything.total == 4
    support = await queries.inbox(SearchInboxV1(departments=["Suporte"]))
    # Suporte's two tickets and the one not routed to any department; never Financeiro's.
    assert {t.subject for t in support.tickets} == {
        "Site fora do ar",
        "Pedido por email",
        "Problemas com a senha",
    }
    counts = {c.status: c.count for c in support.by_status}
    assert counts == {TicketStatus.WAITING: 2, TicketStatus.FINISHED: 1}
    assert {c.department: c.count for c in support.by_department} == {"Suporte": 2, None: 1}
    waiting = await queries.inbox(SearchInboxV1(departments=["Suporte"], status=[TicketStatus.WAITING]))
    assert waiting.total == 2
    assert {c.status: c.count for c in waiting.by_status} == counts, "counts ignore the status filter"
    mine = await queries.inbox(SearchInboxV1(assignee="ana"))
    assert [t.subject for t in mine.tickets] == ["Boleto vencido"] and mine.tickets[0].assignee == "ana"
    unassigned = await queries.inbox(SearchInboxV1(assignee="-"))
    assert unassigned.total == 3
    routed_only = await queries.inbox(SearchInboxV1(departments=["Suporte"], include_unrouted=False))
    assert routed_only.total == 2


async def test_search_understands_portuguese_and_ticket_numbers(
    app: Tickets, views: Projector, queries: TicketQueries, clock: Clock
) -> None:
    seeded = seed(app, clock)
    catch_up(views)

    async def found(text: str) -> set[str]:
        return {t.subject for t in (await queries.inbox(SearchInboxV1(text=text))).tickets}

    assert await found("problema") == {"Problemas com a senha"}  # stemming: problema ~ problemas
    assert await found("servidores") == {"Site fora do ar"}  # a word of a message, not of the subject
    assert await found("boletos") == {"Boleto vencido"}
    assert await found("segredo") == {"Boleto vencido"}, "agents' search covers notes too"
    assert await found(f"#{seeded['joao'].number}") == {"Problemas com a senha"}
    # Without "#" a number is that ticket or the ones that mention it (an invoice, an order).
    assert await found(str(seeded["joao"].number)) == {"Problemas com a senha"}
    assert await found("inexistente") == set()


async def test_the_history_lists_every_event_and_hides_internal_ones_from_customers(
    app: Tickets, views: Projector, queries: TicketQueries, clock: Clock
) -> None:
    seeded = seed(app, clock)
    catch_up(views)
    ticket_id = str(seeded["maria"].id)
    agent_view = await queries.history(ticket_id, include_internal=True)
    assert agent_view is not None
    assert [e.kind for e in agent_view.entries] == [
        "opened",
        "status_changed",
        "note",
        "assigned",
        "replied",
        "status_changed",
    ]
    assert [e.version for e in agent_view.entries] == list(range(1, 7))
    reply = agent_view.entries[4]
    assert (reply.actor_kind.value, reply.actor, reply.body) == (
        "agent",
        "ana",
        "Enviamos a segunda via do boleto",
    )
    assert reply.attachment_ids == ["file-1"]
    assert agent_view.entries[-1].previous_status is TicketStatus.IN_PROGRESS
    assert agent_view.entries[-1].status is TicketStatus.AWAITING_CUSTOMER
    assert agent_view.entries[0].body == "Olá" and agent_view.entries[0].at == seeded["maria"].opened_at
    customer_view = await queries.history(ticket_id, include_internal=False)
    assert customer_view is not None
    assert [e.kind for e in customer_view.entries] == [
        "opened",
        "status_changed",
        "replied",
        "status_changed",
    ]
    assert all("segredo" not in (e.body or "") for e in customer_view.entries)
    assert await queries.history("00000000-0000-0000-0000-000000000000", include_internal=True) is None
    # A download's check: only the entries carrying the file, or none.
    carrying = await queries.history(ticket_id, include_internal=False, attachment="file-1")
    assert carrying is not None and [(e.kind, e.attachment_ids) for e in carrying.entries] == [
        ("replied", ["file-1"])
    ]
    elsewhere = await queries.history(ticket_id, include_internal=False, attachment="file-2")
    assert (
        elsewhere is not None
        and elsewhere.entries == []
        and elsewhere.ticket.number == seeded["maria"].number
    )


def test_a_crash_mid_batch_neither_skips_nor_repeats(app: Tickets, postgres_url: str, clock: Clock) -> None:
    seed(app, clock)
    failing = Projector(app, Failing(fail_on=2), batch=5)
    failing.create()
    assert failing.step() == 5
    with pytest.raises(RuntimeError):
        failing.step()
    assert failing.position == 5, "the failed batch left the position where it was"
    _summary, history = view_rows(postgres_url)
    assert len(history) == 5, "and none of its rows"
    # A restarted projector goes on from the saved position and ends where an unbroken one would.
    restarted = Projector(app, TicketViews(), batch=5)
    catch_up(restarted)
    after_crash = view_rows(postgres_url)
    applied, _ = rebuild(postgres_url)
    assert applied == restarted.position
    assert view_rows(postgres_url) == after_crash


def test_replicas_take_turns_and_never_apply_a_batch_twice(
    app: Tickets, postgres_url: str, clock: Clock
) -> None:
    seed(app, clock)
    replicas = [Projector(app, TicketViews(), batch=2) for _ in range(3)]
    replicas[0].create()
    barrier = threading.Barrier(len(replicas))

    def follow(projector: Projector) -> None:
        barrier.wait()
        catch_up(projector)

    threads = [threading.Thread(target=follow, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    summary, history = view_rows(postgres_url)
    assert len(summary) == 4
    assert len(history) == app.recorder.max_notification_id()


def test_the_rebuild_command_replays_everything(
    app: Tickets, views: Projector, postgres_url: str, clock: Clock
) -> None:
    seed(app, clock)
    catch_up(views)
    before = view_rows(postgres_url)
    with psycopg.connect(postgres_url) as conn:
        conn.execute("DELETE FROM ticket_history")  # a damaged view
    import os

    from tickets.entrypoints.cli import main

    os.environ["ATENDE_TICKETS_POSTGRES_URL"] = postgres_url
    try:
        assert main(["rebuild-views"]) == 0
    finally:
        del os.environ["ATENDE_TICKETS_POSTGRES_URL"]
    assert view_rows(postgres_url) == before


def kept_and_counted(postgres_url: str) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """ticket_counts as kept, and the same figures counted from every ticket."""
    with psycopg.connect(postgres_url) as conn:
        kept = conn.execute("SELECT department, status, count FROM ticket_counts WHERE count <> 0").fetchall()
        counted = conn.execute(
            "SELECT coalesce(department, ''), status, count(*) FROM ticket_summary GROUP BY 1, 2"
        ).fetchall()
    return set(kept), set(counted)


def test_the_kept_counts_follow_every_move_and_an_older_view_is_counted_once(
    app: Tickets, views: Projector, postgres_url: str, clock: Clock
) -> None:
    tickets = seed(app, clock)  # opened and moved in the same batches (7 events) and across them
    catch_up(views)
    kept, counted = kept_and_counted(postgres_url)
    assert kept == counted and ("", "waiting", 1) in kept
    site = app.reopen(tickets["site"].id, tickets["site"].version, actor_kind="customer", actor="m@x.com")
    app.finish(site.id, site.version, actor_kind="agent", actor="ana")
    joao = app.start_work(tickets["joao"].id, tickets["joao"].version, "ana")
    app.add_note(joao.id, joao.version, note_id="n2", agent="ana", body="nota")  # no move
    catch_up(views)
    kept, counted = kept_and_counted(postgres_url)
    assert kept == counted and ("Suporte", "finished", 1) in kept and ("", "in_progress", 1) in kept
    # A view built before ticket_counts existed gains it, counted once from its tickets.
    with psycopg.connect(postgres_url) as conn:
        conn.execute("DROP TABLE ticket_counts")
    views.create()
    views.create()
    assert kept_and_counted(postgres_url) == (kept, counted)
