"""A backlog in the support mailbox becoming tickets: IMAP → mail-ingest → TICKETS_INTAKE → tickets.

The mail is APPENDed to a fresh IMAP folder first (untimed); the clock starts with the poller and
stops once the tickets service's read model lists every mail as a ticket. Both services run in this
process, like tickets_open_over_nats. IMAP comes from `devstack exec --only ...,imap`.
"""

from __future__ import annotations

import asyncio
import os
from contextlib import suppress
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, localtime
from time import perf_counter_ns

import psycopg
from imapclient import IMAPClient
from nats.js.errors import NotFoundError
from psycopg import sql

from bench.scenarios import BenchContext, Sample, scenario
from contracts.subjects import DEADLETTER, TICKETS, TICKETS_INTAKE, TICKETS_INTAKE_DURABLE
from devstack.infra import external_endpoints
from devstack.postgres import ensure_database
from mail_ingest.bootstrap import bootstrap as mail_ingest
from mail_ingest.config import Settings as MailIngestSettings
from plumbing.bus import Bus
from tickets.bootstrap import bootstrap as tickets
from tickets.config import Settings as TicketsSettings

SUBJECTS = (
    "Não consigo emitir a nota fiscal",
    "Boleto vencido: preciso da segunda via",
    "Erro ao acessar o painel",
    "Cobrança em duplicidade no cartão",
)


def _mail(index: int, run: str) -> bytes:
    mail = EmailMessage(policy=SMTP)
    mail["From"] = f"João da Silva {index} <joao.silva{index}@cliente.example.com.br>"
    mail["To"] = "Suporte <suporte@atende.local>"
    mail["Subject"] = SUBJECTS[index % len(SUBJECTS)]
    mail["Date"] = format_datetime(localtime())
    mail["Message-ID"] = f"<{run}.{index}@cliente.example.com.br>"
    mail.set_content(
        'Bom dia,\n\nDesde ontem aparece a mensagem "Falha na comunicação" quando tento concluir a '
        f"operação. Já reiniciei o computador e limpei o cache. Pedido nº {index}.\n\n"
        f"Podem me ajudar?\n\nAtenciosamente,\nJoão da Silva {index}\n"
    )
    return mail.as_bytes()


@scenario("mail_ingest_backlog", unit="emails", baseline="pg_commit")
async def mail_ingest_backlog(ctx: BenchContext) -> Sample:
    """A backlog of mails in the support mailbox, polled until each is an opened ticket (target ≥ 50/s)."""
    n = ctx.count(1_000, 100)
    imap = external_endpoints(os.environ)
    login = (imap.require("imap_host"), int(imap.require("imap_port")))
    user, password = imap.require("imap_user"), imap.require("imap_password")
    folder = ctx.unique("bench")  # the poller's mailbox: runs and other mail never mix
    mails = [_mail(index, folder) for index in range(n)]

    def fill() -> None:
        with IMAPClient(*login, ssl=False, timeout=30) as client:
            client.login(user, password)
            client.create_folder(folder)
            for raw in mails:
                client.append(folder, raw)

    databases = [ctx.unique("bench_mail_tickets").lower(), ctx.unique("bench_mail_ingest").lower()]
    urls = [await asyncio.to_thread(ensure_database, ctx.endpoints.postgres_url, db) for db in databases]
    bus = await Bus.connect(ctx.endpoints.nats_url, "bench-mail", connect_timeout=5)
    try:
        await asyncio.to_thread(fill)
        await _forget_intake(bus)
        tickets_settings = TicketsSettings(
            nats_url=ctx.endpoints.nats_url, postgres_url=urls[0], ops_port=None
        )
        settings = MailIngestSettings(
            nats_url=ctx.endpoints.nats_url,
            postgres_url=urls[1],
            ops_port=None,
            imap_host=login[0],
            imap_port=login[1],
            imap_user=user,
            imap_password=password,
            imap_mailbox=folder,
            poll_s=0.2,
        )
        async with (
            tickets(tickets_settings),
            await psycopg.AsyncConnection.connect(urls[0], autocommit=True) as db,
        ):
            start = perf_counter_ns()
            async with mail_ingest(settings):
                opened = 0
                while opened < n:
                    await asyncio.sleep(0.02)
                    row = await (await db.execute("SELECT count(*) FROM ticket_summary")).fetchone()
                    opened = int(row[0]) if row else 0
                elapsed = perf_counter_ns() - start
    finally:
        await _forget_intake(bus)
        await bus.close()
        await asyncio.to_thread(_delete_folder, login, user, password, folder)
        await asyncio.to_thread(_drop, ctx.endpoints.postgres_url, databases)
    if opened != n:
        raise RuntimeError(f"{opened} tickets opened from {n} mails")
    return Sample(n, elapsed / 1e9, [], {"poll_s": settings.poll_s})


async def _forget_intake(bus: Bus) -> None:
    # The intake stream and its durable are fixed by contracts: other runs' requests would open
    # tickets here too, so the bench's own NATS starts (and ends) without them.
    await bus.ensure_streams([TICKETS, TICKETS_INTAKE, DEADLETTER])
    await bus.js.purge_stream(TICKETS_INTAKE.name)
    with suppress(NotFoundError):
        await bus.js.delete_consumer(TICKETS_INTAKE.name, TICKETS_INTAKE_DURABLE.name)


def _delete_folder(login: tuple[str, int], user: str, password: str, folder: str) -> None:
    with IMAPClient(*login, ssl=False, timeout=30) as client:
        client.login(user, password)
        if client.folder_exists(folder):
            client.delete_folder(folder)


def _drop(admin_url: str, databases: list[str]) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for database in databases:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
