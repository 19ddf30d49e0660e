"""The read models against a real PostgreSQL: the tail behind the views, and a rebuild that changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from psycopg_pool import AsyncConnectionPool

from chat import changes
from chat.application import Conversations
from chat.views.projection import ChatViews
from chat.views.queries import ChatQueries
from chat.views.rebuild import rebuild
from plumbing.eventstore import postgres_env
from plumbing.projection import Projector

EMAIL = "maria@example.com"


@pytest.fixture
def app(postgres_url: str) -> Iterator[Conversations]:
    application = Conversations(postgres_env(postgres_url))
    yield application
    application.close()


@pytest.fixture
def views(app: Conversations) -> Projector:
    projector = Projector(app, ChatViews())
    projector.create()
    return projector


@pytest.fixture
async def queries(postgres_url: str, app: Conversations) -> AsyncIterator[ChatQueries]:
    async with AsyncConnectionPool(postgres_url, open=False, kwargs={"autocommit": True}) as pool:
        async with pool.connection() as conn:  # the presence table the availability figures join
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS chat_presence (agent_id text PRIMARY KEY, agent_name text, "
                "presence text, departments text[], capacity integer, last_seen timestamptz)"
            )
        yield ChatQueries(pool, events_table=app.events_table, decode=app.mapper.to_domain_event)


def run(app: Conversations, *batch: changes.Change) -> list[Any]:
    results, _ = app.run(batch)
    assert all(not isinstance(result, Exception) for result in results), results
    return results


async def test_a_conversation_is_current_even_before_the_views_catch_up(
    app: Conversations, views: Projector, queries: ChatQueries
) -> None:
    start = changes.start("r-1", "Suporte", EMAIL, "Maria", "Ajuda com a nota")
    cid = start.conversation_id
    run(app, start, changes.accept(cid, "ana", "Ana"))
    views.include(10**9)
    run(app, *(changes.post(cid, f"m{n}", "customer", EMAIL, "Maria", f"texto {n}", None) for n in range(5)))
    run(app, changes.transfer(cid, "ana", "bia", "Bia", None))  # not in the views either
    found = await queries.conversation(cid, after_seq=4)
    assert found is not None
    summary, entries = found
    assert [(e.seq, e.kind) for e in entries] == [
        (5, "message"),
        (6, "message"),
        (7, "message"),
        (8, "transferred"),
    ]
    assert (summary.last_seq, summary.agent_id, summary.status) == (8, "bia", "active")
    views.include(10**9)
    caught_up = await queries.conversation(cid, after_seq=4)
    assert caught_up == found


async def test_a_rebuild_gives_the_same_views(
    app: Conversations, views: Projector, queries: ChatQueries, postgres_url: str
) -> None:
    made = [changes.start(f"r-{n}", "Suporte", EMAIL, "Maria", f"pergunta {n}") for n in range(3)]
    run(app, *made)
    first, second, third = (change.conversation_id for change in made)
    run(app, changes.accept(first, "ana", "Ana"), changes.accept(second, "bia", "Bia"))
    run(
        app,
        changes.post(first, "a", "agent", "ana", "Ana", "olá", None),
        changes.close(second, "agent", "bia", True),
    )
    run(app, changes.leave_message("r-2", "Suporte", EMAIL, "Maria", "liguem-me", third))
    views.include(10**9)
    run(app, changes.rate(second, EMAIL, 4, "Bom"))  # the views know the chat: the rating alone patches it
    assert views.step() == 1  # (step raises where include would only log)
    before = [await queries.conversation(cid) for cid in (first, second, third)]
    applied, _ = rebuild(postgres_url)
    assert applied == 12
    assert [await queries.conversation(cid) for cid in (first, second, third)] == before
    assert [s.status for s, _ in (b for b in before if b)] == ["active", "closed", "offline"]
    ratings = [summary.rating for summary, _ in (b for b in before if b)]
    assert [(r.score, r.comment) if r else None for r in ratings] == [None, (4, "Bom"), None]


async def test_saves_bring_the_views_along_and_end_equal_to_a_rebuild(
    app: Conversations, views: Projector, queries: ChatQueries, postgres_url: str
) -> None:
    app.alongside = views.alongside
    start = changes.start("r-a", "Suporte", EMAIL, "Maria", "Ajuda com a nota")
    cid = start.conversation_id
    run(app, start, changes.accept(cid, "ana", "Ana"))
    run(app, *(changes.post(cid, f"m{n}", "customer", EMAIL, "Maria", f"texto {n}", None) for n in range(5)))
    run(app, changes.close(cid, "agent", "ana", True))
    # Committed with each save: the views hold everything, and no step has anything left to do.
    assert views.position == app.recorder.max_notification_id()
    assert views.step() == 0
    along = await queries.conversation(cid)
    assert along is not None and along[0].status == "closed" and len(along[1]) == 8
    rebuild(postgres_url)
    assert await queries.conversation(cid) == along
