"""Composition root of the chat service: event store, relay, views, writer, endpoints, loops, health."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from chat import VERSION
from chat.adapters.presence import Presence
from chat.changes import Outcome
from chat.config import Settings
from chat.entrypoints.background import Abandonment, AutoAssignment
from chat.entrypoints.batching import Behind, Coalesced, Writer
from chat.entrypoints.commands import Commands
from chat.entrypoints.live import LiveFrames
from chat.entrypoints.queries import Queries
from chat.store import open_conversations
from chat.translate import translate
from chat.views.projection import ChatViews
from chat.views.queries import ChatQueries
from contracts.subjects import CHAT, DEADLETTER, TICKETS_INTAKE
from plumbing.postgres import schema_lock
from plumbing.projection import Projector
from plumbing.relay import Relay, positions_recorder, relay_leadership
from plumbing.runtime import Runtime, open_runtime


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every dependency of the service; everything closes in reverse order on exit."""
    async with open_runtime(
        "chat",
        settings,
        version=VERSION,
        description="Live chat: department queues, conversations, files, transcripts.",
        # chat turns an offline message into TicketRequested on the tickets intake stream.
        streams=(CHAT, TICKETS_INTAKE, DEADLETTER),
    ) as runtime:
        pool = await runtime.open_postgres(settings)
        # Replicas starting together create the tables one at a time (IF NOT EXISTS races).
        async with schema_lock(settings.postgres_url):
            app = await runtime.enter(open_conversations(settings))
            positions = await asyncio.to_thread(positions_recorder, app)
            relay = Relay(
                runtime.bus,
                app,
                translate,
                positions,
                leadership=relay_leadership(settings.postgres_url, app),
            )
            await relay.start()
            runtime.on_stop(relay.stop)
            views = Projector(app, ChatViews())
            app.alongside = views.alongside  # each save brings the views along in its own transaction
            await views.start()
            runtime.on_stop(views.stop)
            presence = Presence(pool, settings.presence_timeout_s)
            await presence.create()
        queries = ChatQueries(
            pool,
            settings.presence_timeout_s,
            events_table=app.events_table,
            decode=app.mapper.to_domain_event,
        )
        live = LiveFrames(runtime.bus, queries)

        # The facts go out within 50 ms rather than at the relay's next poll; under load the relay
        # takes many batches per round instead of competing with the writer for every one.
        relay_soon = Coalesced(relay.nudge)

        async def committed(outcomes: list[tuple[Outcome, str | None]]) -> None:
            relay_soon()
            await live.committed(outcomes)

        # The views include each batch before frames and answers leave (messages: see Writer).
        writer = Writer(
            app,
            after_save=views.include,
            later=Behind(views, every_s=0.02),  # when they could not come along, in bigger steps
            committed=committed,
            max_batch=settings.max_batch,
        )
        runtime.on_stop(live.stop)
        runtime.on_stop(writer.stop)
        assignment = AutoAssignment(writer, queries, presence, pool, poll_s=settings.auto_assign_poll_s)
        nudge = assignment.nudge if settings.auto_assign else _nothing
        await Commands(writer, queries, presence, nudge).register(runtime.bus)
        await Queries(queries).register(runtime.bus)
        abandonment = Abandonment(
            writer, queries, pool, after_s=settings.abandon_after_s, poll_s=settings.abandon_poll_s
        )
        abandonment.worker.start()
        runtime.on_stop(abandonment.worker.stop)
        if settings.auto_assign:
            assignment.worker.start()
            runtime.on_stop(assignment.worker.stop)
        yield runtime


def _nothing() -> None:
    return None
