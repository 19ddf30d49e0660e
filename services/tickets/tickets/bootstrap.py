"""Composition root of the tickets service: event store, relay, commands, intake consumer and health."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from contracts.subjects import DEADLETTER, TICKETS, TICKETS_INTAKE, TICKETS_INTAKE_DURABLE
from plumbing.consumer import DurableConsumer, tuned
from plumbing.postgres import schema_lock
from plumbing.projection import Projector
from plumbing.relay import Relay, positions_recorder, relay_leadership
from plumbing.runtime import Runtime, open_runtime
from tickets import VERSION
from tickets.config import Settings
from tickets.entrypoints.commands import Commands
from tickets.entrypoints.intake import handle_requests
from tickets.entrypoints.queries import Queries
from tickets.entrypoints.replies import views_current
from tickets.store import open_tickets
from tickets.translate import Translator
from tickets.views.projection import TicketViews
from tickets.views.queries import TicketQueries


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every dependency of the service; everything closes in reverse order on exit."""
    async with open_runtime(
        "tickets",
        settings,
        version=VERSION,
        description="Support requests (solicitações): open, reply, change status, close.",
        streams=(TICKETS, TICKETS_INTAKE, DEADLETTER),
    ) as runtime:
        pool = await runtime.open_postgres(settings)
        # Replicas starting together create the tables one at a time (IF NOT EXISTS races).
        async with schema_lock(settings.postgres_url):
            app = await runtime.enter(open_tickets(settings.postgres_url))
            positions = await asyncio.to_thread(positions_recorder, app)
            # Opens in quick succession share one relay round (one log read, one position saved); their
            # facts leave at most 20 ms later, which no mail or view notices.
            relay = Relay(
                runtime.bus,
                app,
                Translator(app.get),
                positions,
                linger_s=0.02,
                leadership=relay_leadership(settings.postgres_url, app),
            )
            await relay.start()
            runtime.on_stop(relay.stop)
            views = Projector(app, TicketViews())
            app.alongside = views.alongside  # each save brings the views along in its own transaction
            await views.start()
            runtime.on_stop(views.stop)

        def changed() -> None:
            relay.nudge()
            views.nudge()

        # Commands bring the views up to their own saves in the saving thread; intake only nudges.
        await Commands(app, relay.nudge, views.include).register(runtime.bus)
        await Queries(TicketQueries(pool)).register(runtime.bus)
        handler = handle_requests(app, changed, views_current(app, views))
        intake = DurableConsumer(runtime.bus, tuned(TICKETS_INTAKE_DURABLE, settings), handler)
        await intake.start()
        runtime.on_stop(intake.stop)
        runtime.health.add("intake", lambda: intake.healthy)
        yield runtime
