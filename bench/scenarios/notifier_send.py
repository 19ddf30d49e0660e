"""Ticket events becoming customer mail: TICKETS stream → notifier → SMTP.

The notifier runs in this process against an aiosmtpd sink (its own thread) that only counts; the
clock runs from the first publish until the sink has accepted a mail for every event.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import UTC, datetime
from time import perf_counter_ns

import psycopg
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from nats.js.errors import NotFoundError
from psycopg import sql

from bench.scenarios import BenchContext, Sample, scenario
from contracts.common import Channel
from contracts.subjects import ACCOUNTS, DEADLETTER, NOTIFIER_TICKETS_DURABLE, TICKET_OPENED_V1, TICKETS
from contracts.tickets import TicketOpenedV1, TicketStatus
from devstack.postgres import ensure_database
from devstack.procs import free_port
from notifier.bootstrap import bootstrap
from notifier.config import Settings
from plumbing.bus import Bus


class Sink:
    """Accepts every mail and notes when the one for each of our customers arrived."""

    def __init__(self, domain: str, n: int) -> None:
        self.domain = domain
        self.n = n
        self.accepted: dict[int, int] = {}
        self.all_in = asyncio.Event()
        self.loop = asyncio.get_running_loop()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        for rcpt in envelope.rcpt_tos:
            local, _, domain = rcpt.partition("@")
            if domain == self.domain:  # account mail of earlier scenarios may still be queued
                self.accepted.setdefault(int(local.removeprefix("cliente")), perf_counter_ns())
        if len(self.accepted) >= self.n:
            # aiosmtpd runs its own event loop in a thread; the bench waits on its loop.
            self.loop.call_soon_threadsafe(self.all_in.set)
        return "250 OK"


@scenario("notifier_send", unit="emails", baseline="pg_commit")
async def notifier_send(ctx: BenchContext) -> Sample:
    """TicketOpened events published, until the SMTP server has accepted each one's mail (target ≥ 100/s)."""
    n = ctx.count(1_000, 100)
    domain = f"{ctx.unique('c').lower().replace('_', '-')}.example.com"
    sink = Sink(domain, n)
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    database = ctx.unique("bench_notifier").lower()
    url = await asyncio.to_thread(ensure_database, ctx.endpoints.postgres_url, database)
    settings = Settings(
        nats_url=ctx.endpoints.nats_url,
        postgres_url=url,
        ops_port=None,
        smtp_port=smtp.port,
    )
    bus = await Bus.connect(ctx.endpoints.nats_url, "bench-notifier", connect_timeout=5)
    sent: list[int] = []
    try:
        smtp.start()
        await _forget_tickets(bus)
        async with bootstrap(settings):
            start = perf_counter_ns()
            for index in range(n):
                event = TicketOpenedV1(
                    ticket_id=f"{domain}-{index}",
                    number=index + 1,
                    channel=Channel.EMAIL,
                    customer_email=f"cliente{index}@{domain}",
                    customer_name=f"Cliente {index}",
                    subject="Não consigo emitir a nota fiscal",
                    status=TicketStatus.WAITING,
                    opened_at=datetime.now(UTC),
                )
                sent.append(perf_counter_ns())
                await bus.publish(TICKET_OPENED_V1, event)
            await sink.all_in.wait()
            elapsed = perf_counter_ns() - start
    finally:
        await _forget_tickets(bus)
        await bus.close()
        smtp.stop()
        await asyncio.to_thread(_drop, ctx.endpoints.postgres_url, database)
    if len(sink.accepted) != n:
        raise RuntimeError(f"the SMTP server accepted {len(sink.accepted)} of {n} mails")
    latencies = [sink.accepted[index] - published for index, published in enumerate(sent)]
    return Sample(n, elapsed / 1e9, latencies, {"latency_means": "publish to SMTP accept"})


async def _forget_tickets(bus: Bus) -> None:
    # Stream and durable names are fixed by contracts: earlier scenarios' ticket facts would be
    # mailed too, so the bench's own NATS starts (and ends) without them.
    await bus.ensure_streams([TICKETS, ACCOUNTS, DEADLETTER])
    await bus.js.purge_stream(TICKETS.name)
    with suppress(NotFoundError):
        await bus.js.delete_consumer(TICKETS.name, NOTIFIER_TICKETS_DURABLE.name)


def _drop(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
