"""A save brings the tickets views along in its own transaction: when, with how many round trips, and
what a failing view does (it never fails the save)."""

from __future__ import annotations

import pytest
from support.fakes import Clock
from views_helpers import Failing, catch_up, open_ticket, saved_position, view_rows

from plumbing.projection import Projector
from tickets.application import Tickets
from tickets.views.rebuild import rebuild


def test_a_save_brings_the_views_along_in_its_own_transaction_only_when_they_hold_all_before_it(
    app: Tickets, views: Projector, postgres_url: str, clock: Clock
) -> None:
    app.alongside = views.alongside
    opened = open_ticket(app, "a1", "maria@example.com", "Nota fiscal")
    # Committed with the save: no step ran, and the projector knows (read-your-writes waits for nothing).
    assert saved_position(postgres_url) == app.recorder.max_notification_id() == views.position
    assert len(view_rows(postgres_url)[0]) == 1
    # A save that bypassed the views (another replica's, say) leaves a gap: the next save does not
    # jump it, and the background step then applies both, in order.
    app.alongside = None
    open_ticket(app, "a2", "joao@example.com", "Senha")
    app.alongside = views.alongside
    behind = saved_position(postgres_url)
    app.start_work(opened.id, opened.version, "ana")
    assert saved_position(postgres_url) == behind and len(view_rows(postgres_url)[0]) == 1
    catch_up(views)
    assert views.position == app.recorder.max_notification_id()
    # Caught up again, saves go along again, and the views equal a rebuild from the events.
    app.reply(
        opened.id,
        opened.version + 1,
        reply_id="r",
        author_kind="agent",
        author="ana",
        body="Feito",
        channel="portal",
    )
    assert saved_position(postgres_url) == app.recorder.max_notification_id()
    along = view_rows(postgres_url)
    rebuild(postgres_url)
    assert view_rows(postgres_url) == along


@pytest.mark.parametrize("in_postgresql", [False, True], ids=["in_python", "in_postgresql"])
def test_a_view_that_fails_alongside_never_fails_the_save(
    app: Tickets, postgres_url: str, clock: Clock, in_postgresql: bool
) -> None:
    failing = Projector(app, Failing(fail_on=1, in_postgresql=in_postgresql), batch=5)
    failing.create()
    app.alongside = failing.alongside
    ticket = open_ticket(app, "f1", "maria@example.com", "Nota fiscal")
    assert app.get(ticket.id).number == ticket.number, "saved"
    assert saved_position(postgres_url) == 0 and view_rows(postgres_url) == ([], []), "none of its rows"
    assert failing.step() == 1 and len(view_rows(postgres_url)[0]) == 1, "the loop applies it later"
