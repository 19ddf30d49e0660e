"""Composition root of the notifier service: wires NATS, PostgreSQL, SMTP and health together."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from contracts.subjects import (
    ACCOUNTS,
    CHAT,
    DEADLETTER,
    NOTIFIER_ACCOUNTS_DURABLE,
    NOTIFIER_CHAT_DURABLE,
    NOTIFIER_TICKETS_DURABLE,
    TICKETS,
)
from notifier import VERSION
from notifier.adapters import known_tickets, mail_log, name_lookups, smtp
from notifier.adapters.chat import conversation_reader
from notifier.adapters.files import describer
from notifier.adapters.templates import Templates
from notifier.config import Settings
from notifier.entrypoints.accounts import handle_account_emails
from notifier.entrypoints.chats import handle_chat_events
from notifier.entrypoints.consumer import handle_ticket_events
from plumbing import inbox
from plumbing.consumer import DurableConsumer, tuned
from plumbing.runtime import Runtime, open_runtime


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every dependency of the service; everything closes in reverse order on exit."""
    async with open_runtime(
        "notifier",
        settings,
        version=VERSION,
        description="Emails customers on every answer and status change, account links and chat transcripts.",
        streams=(TICKETS, ACCOUNTS, CHAT, DEADLETTER),
    ) as runtime:
        pool = await runtime.open_postgres(settings)
        # What was sent is recorded per event id, so a redelivery never sends twice.
        await inbox.ensure_schema(pool)
        await known_tickets.ensure_schema(pool)
        await mail_log.ensure_schema(pool)
        await name_lookups.ensure_schema(pool)
        templates = Templates(settings.language, settings.public_url)
        # One SMTP session per consumer, kept open; closed after its consumer stopped (LIFO).
        ticket_mail = smtp.Connection(settings, "tickets")
        account_mail = smtp.Connection(settings, "accounts")
        chat_mail = smtp.Connection(settings, "chat")
        runtime.on_stop(ticket_mail.close)
        runtime.on_stop(account_mail.close)
        runtime.on_stop(chat_mail.close)
        describe = describer(runtime.bus, settings.files_timeout_s)
        handler = handle_ticket_events(pool, settings, templates, ticket_mail, describe)
        tickets = DurableConsumer(runtime.bus, tuned(NOTIFIER_TICKETS_DURABLE, settings), handler)
        await tickets.start()
        runtime.health.add("tickets-consumer", lambda: tickets.healthy)
        accounts_handler = handle_account_emails(pool, settings, templates, account_mail)
        accounts = DurableConsumer(runtime.bus, tuned(NOTIFIER_ACCOUNTS_DURABLE, settings), accounts_handler)
        await accounts.start()
        runtime.health.add("accounts-consumer", lambda: accounts.healthy)
        read_conversation = conversation_reader(runtime.bus, settings.chat_timeout_s)
        chat_handler = handle_chat_events(pool, settings, templates, read_conversation, chat_mail, describe)
        chats = DurableConsumer(runtime.bus, tuned(NOTIFIER_CHAT_DURABLE, settings), chat_handler)
        await chats.start()
        runtime.health.add("chat-consumer", lambda: chats.healthy)
        runtime.health.add("smtp", partial(smtp.reachable, settings), every_s=15)

        async def stop_consumers() -> None:
            # Together: each may wait out an idle pull, and one after another that added up to ~6 s.
            await asyncio.gather(tickets.stop(), accounts.stop(), chats.stop())

        runtime.on_stop(stop_consumers)
        yield runtime
