"""Inbound email: mails APPENDed to the support folder at a fixed rate; each counts once the tickets
service has published its ticket as opened (seen on a plain NATS subscription to that subject)."""

from __future__ import annotations

import asyncio
import json
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, localtime
from time import perf_counter_ns

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from bench.soak.recorder import Flows
from bench.soak.stack import Imap
from contracts.subjects import TICKET_OPENED_V1
from plumbing.bus import Bus

APPEND, TICKET = "email_append", "email_ticket"
FLOWS = (APPEND, TICKET)
DOMAIN = "cliente.soak.example.com"


def mail(index: int, run: str) -> bytes:
    """A customer's plain request, from an address of its own (mail-ingest caps mails per sender)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = f"João da Silva {index} <joao{index}@{DOMAIN}>"
    message["To"] = "Suporte <suporte@atende.local>"
    message["Subject"] = f"Boleto vencido: preciso da segunda via ({index})"
    message["Date"] = format_datetime(localtime())
    message["Message-ID"] = f"<{run}.{index}@{DOMAIN}>"
    message.set_content(
        "Bom dia,\n\nO boleto deste mês venceu e não consigo emitir a segunda via pelo site.\n"
        f"Pedido nº {index}.\n\nAtenciosamente,\nJoão da Silva\n"
    )
    return message.as_bytes()


class EmailLoad:
    """APPENDs ``rate`` mails a second on one IMAP connection; times each until its ticket opens."""

    def __init__(self, imap: Imap, bus: Bus, flows: Flows, rate: float) -> None:
        self.imap, self.bus, self.flows, self.rate = imap, bus, flows, rate
        self.appended: dict[int, int] = {}  # index → when its APPEND started (ns)
        self.opened: set[int] = set()
        self.subscription: Subscription | None = None

    async def watch(self) -> None:
        """Subscribe to the tickets' opened facts before the first mail goes in."""

        async def on_opened(msg: Msg) -> None:
            arrived = perf_counter_ns()
            data = json.loads(msg.data)["data"]
            local, _, domain = str(data.get("customer_email", "")).partition("@")
            if data.get("channel") != "email" or domain != DOMAIN:
                return
            index = int(local.removeprefix("joao"))
            if index in self.opened:
                return  # a republish (at least once); the ticket is the same one
            self.opened.add(index)
            started = self.appended.get(index)
            if started is None:
                self.flows.failed(TICKET, f"a ticket opened for mail {index}, which was never sent")
            else:
                self.flows.done(TICKET, started, arrived)

        self.subscription = await self.bus.nc.subscribe(TICKET_OPENED_V1, cb=on_opened)
        await self.bus.nc.flush()

    async def run(self, stop_at: float) -> None:
        """APPEND until ``stop_at``; a slow APPEND delays the next (one connection, in order)."""
        loop = asyncio.get_running_loop()
        client = await asyncio.to_thread(self.imap.client)
        try:
            begin, index = loop.time(), 0
            while (due := begin + index / self.rate) < stop_at:
                await asyncio.sleep(max(0.0, due - loop.time()))
                raw = mail(index, self.imap.folder)
                t0 = perf_counter_ns()
                self.appended[index] = t0
                try:
                    await asyncio.to_thread(client.append, self.imap.folder, raw)
                    self.flows.done(APPEND, t0)
                except Exception as exc:
                    del self.appended[index]
                    self.flows.failed(APPEND, f"{type(exc).__name__}: {exc}")
                index += 1
        finally:
            await asyncio.to_thread(client.logout)

    async def stop_watching(self) -> None:
        """End the subscription (after the queues drained: every ticket has been opened by then)."""
        if self.subscription is not None:
            await self.subscription.unsubscribe()
