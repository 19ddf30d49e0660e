"""What an answer promised the read models show survives a PostgreSQL crash (stop -m immediate)."""

from __future__ import annotations

import psycopg
from support.fakes import Counter
from support.own_postgres import restartable_postgres

from devstack.postgres import ensure_database
from plumbing.eventstore import postgres_env
from plumbing.projection import Projector
from tickets.application import Tickets
from tickets.views.projection import TicketViews


def test_the_views_a_command_brought_up_to_date_keep_its_change_through_a_crash() -> None:
    with restartable_postgres() as server:
        url = ensure_database(server.url, "views_crash")
        app = Tickets(Counter(), env=postgres_env(url))
        try:
            views = Projector(app, TicketViews())
            views.create()
            opened = []
            for n in range(10):
                ticket = app.open(
                    f"crash-{n}", channel="portal", customer_email="maria@example.com",
                    customer_name="Maria", subject=f"Pedido {n}", body="Olá", department=None,
                )  # fmt: skip
                views.include(app.recorder.max_notification_id() or 0)  # as a command does before answering
                opened.append(str(ticket.id))
            server.stop("immediate")  # right after the last answer: no checkpoint, no flush
            server.start()
            with psycopg.connect(url) as conn:
                listed = [str(row[0]) for row in conn.execute("SELECT ticket_id FROM ticket_summary")]
            assert sorted(listed) == sorted(opened), "a crash took back from the views what was answered"
        finally:
            app.close()
