"""Mixed sustained load: every flow at once, for minutes, with every service run as deployed.

Customers open tickets over HTTP and agents answer and finish them; chats run with messages both
ways and now and then an image; mails arrive in the support mailbox and become tickets. All seven
services are separate processes (PYTHONOPTIMIZE=1, as `make up` runs them) on NATS, PostgreSQL,
S3 and IMAP from `devstack exec`, with an SMTP server of the run's own; the load generator shares
the machine's cores with them. Every service's RSS and CPU are sampled throughout.

Rates (`Rates`; BENCH_SOAK_SCALE multiplies them): 5 tickets/s, each answered and finished by an
agent 2 s later (15 HTTP writes/s and 15 ticket mails/s); 20 chats at a time, each side writing
once a second (40 messages/s), each chat ~60 s long, then closed by its agent and replaced; a
28 KB image every 5 s in one of them; 1 mail/s into the support mailbox. Measured on the shared
2-core machine, this load takes about 0.8 of a core for the seven services and the load generator;
twice it left the notifier and insights durables growing while other work ran. The rest leaves
room for PostgreSQL, NATS, S3 and IMAP, so on a quiet machine p99s stay low and nothing backs up.

At the end: every queue drains (durables, relays, outboxes) within a deadline, and the counts line
up (tickets opened = listed; mails in = tickets requested = opened; messages sent = received; mails
out = what the tickets' events ask for). Any error or mismatch fails the scenario, after printing
the figures. Duration: 600 s, 60 s with --quick, or BENCH_SOAK_S seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from dataclasses import dataclass

import aiohttp

from bench.scenarios import BenchContext, Sample, scenario
from bench.soak import chats, emails, tickets
from bench.soak.drain import backlog, wait_drained
from bench.soak.pauses import Pauses
from bench.soak.recorder import Flows
from bench.soak.sampler import Sampler
from bench.soak.stack import Stack, stack, ticket_mails
from contracts.subjects import TICKETS_INTAKE

ANSWER_AFTER_S = 2.0
CHAT_LENGTH_S = 60.0
CHATS_PER_AGENT = 4  # an agent socket handles its frames in order, as a person would
CUSTOMERS = 10
SAMPLE_EVERY_S = 5.0
PROGRESS_EVERY_S = 20.0
DRAIN_DEADLINE_S = 120.0
# Flows a person waits on, pooled into the scenario's own latency figures (mail and uploads are
# reported apart: mail waits for the poller, an upload's time is mostly its bytes).
INTERACTIVE = (tickets.OPEN, tickets.REPLY, tickets.FINISH, chats.MESSAGE)


@dataclass(frozen=True)
class Rates:
    """The offered load; BENCH_SOAK_SCALE multiplies it (to look for the limit on a quiet machine)."""

    tickets_per_s: float = 5.0
    conversations: int = 20
    file_every_s: float = 5.0
    emails_per_s: float = 1.0

    @classmethod
    def from_env(cls) -> Rates:
        """The default rates, times BENCH_SOAK_SCALE (1 if unset)."""
        scale = float(os.environ.get("BENCH_SOAK_SCALE") or 1)
        base = cls()
        return cls(
            tickets_per_s=base.tickets_per_s * scale,
            conversations=max(1, round(base.conversations * scale)),
            file_every_s=base.file_every_s / scale,
            emails_per_s=base.emails_per_s * scale,
        )

    @property
    def agents(self) -> int:
        """Agents online, each holding a few of the chats."""
        return -(-self.conversations // CHATS_PER_AGENT)

    @property
    def chat_cache(self) -> int:
        """Conversations chat keeps in memory. Deployed, its LRU holds 5,000 (each with its client
        ids); over 10 minutes that would only fill, which looks like a leak. Twice the chats at a
        time fills during warm-up, so what RSS still gains afterwards is not that cache."""
        return 2 * self.conversations


def duration_s(ctx: BenchContext) -> float:
    """How long the load runs: BENCH_SOAK_S if set, else 600 s (60 s with --quick)."""
    return float(os.environ.get("BENCH_SOAK_S") or (60 if ctx.quick else 600))


def warmup_s(duration: float) -> float:
    """The first tenth (at least 10 s), while connections, pools and caches settle: not measured."""
    return max(10.0, duration / 10)


@scenario(
    "soak_mixed",
    unit="operations",
    baseline="pg_commit",
    timeout_s=lambda ctx: duration_s(ctx) + 420,  # start-up, settling, draining and stopping
    once=True,
)
async def soak_mixed(ctx: BenchContext) -> Sample:
    """Tickets, chats with files and inbound mail together for 10 min: errors 0, queues drained, RSS trend."""
    seconds, rates = duration_s(ctx), Rates.from_env()
    warmup = warmup_s(seconds)
    flows = Flows(*tickets.FLOWS, *chats.FLOWS, *emails.FLOWS)
    pauses = Pauses(ctx.endpoints.postgres_url)
    flows.watched, flows.on_answer = INTERACTIVE, pauses.answered
    async with (
        stack(ctx, CUSTOMERS, rates.agents, rates.chat_cache) as st,
        aiohttp.ClientSession(
            st.url, connector=aiohttp.TCPConnector(limit=200), timeout=aiohttp.ClientTimeout(total=30)
        ) as client,
        contextlib.AsyncExitStack() as sockets,
    ):
        ticket_load = tickets.TicketLoad(
            client, st.customers, st.agents, flows, rates.tickets_per_s, ANSWER_AFTER_S
        )
        chat_load = chats.ChatLoad(
            st.url, client, st.agents, flows, rates.conversations, CHAT_LENGTH_S, rates.file_every_s
        )
        email_load = emails.EmailLoad(st.imap, st.bus, flows, rates.emails_per_s)
        await chat_load.open_agents(sockets)
        await email_load.watch()
        loop = asyncio.get_running_loop()
        sampler = Sampler(st.running.pids, SAMPLE_EVERY_S)
        peaks: dict[str, int] = {}  # the most each queue held at any look during the load
        begin = loop.time()
        pauses.restart()  # seconds count from here, like the progress lines
        cpu_before = time.process_time()
        background = [
            asyncio.create_task(sampler.run()),
            asyncio.create_task(pauses.run()),
            asyncio.create_task(_measure_after(flows, warmup)),
            asyncio.create_task(_progress(st, flows, sampler, begin, peaks)),
        ]
        try:
            await asyncio.gather(
                ticket_load.run(begin + seconds),
                chat_load.run(begin + seconds),
                email_load.run(begin + seconds),
            )
            loaded_s = loop.time() - begin
            generator_cpu = time.process_time() - cpu_before
            drain_s, waiting = await wait_drained(
                st.bus, st.running.ops_ports, st.running.databases, DRAIN_DEADLINE_S
            )
            sampler.sample()
        finally:
            for task in background:
                task.cancel()
        facts, problems = await _check(st, flows, ticket_load, chat_load, email_load, drain_s, waiting)
    facts |= {
        "seconds": seconds,
        "tickets_per_s": rates.tickets_per_s,
        "chats_at_a_time": rates.conversations,
        "emails_per_s": rates.emails_per_s,
        "warmup_s": warmup,
        "load_generator_cpu_pct": round(100 * generator_cpu / loaded_s, 1),
        **sampler.facts(after_s=warmup, until_s=loaded_s),
        **pauses.facts(),
    }
    for flow in flows.by_name.values():
        facts |= flow.facts()
    if peaks:
        queue, most = max(peaks.items(), key=lambda item: item[1])
        facts |= {"backlog_peak": most, "backlog_peak_queue": queue}
    if problems:
        print(f"soak_mixed figures: {facts}", file=sys.stderr)
        raise RuntimeError("; ".join(problems + flows.error_lines()))
    latencies = [x for name in INTERACTIVE for x in flows[name].latencies_ns]
    done = sum(len(flow.latencies_ns) for flow in flows.by_name.values())
    return Sample(done, loaded_s - warmup, latencies, facts)


async def _check(
    st: Stack,
    flows: Flows,
    ticket_load: tickets.TicketLoad,
    chat_load: chats.ChatLoad,
    email_load: emails.EmailLoad,
    drain_s: float | None,
    waiting: dict[str, int],
) -> tuple[dict[str, object], list[str]]:
    """Counts that must line up once the queues drained, and every way they did not."""
    problems = [f"{flows.errors} errors"] if flows.errors else []
    if drain_s is None:
        left = {queue: n for queue, n in waiting.items() if n}
        problems.append(f"queues not drained within {DRAIN_DEADLINE_S:.0f} s: {left}")
    customers_listed, inbox, finished = await ticket_load.listed()
    intake = (await st.bus.js.stream_info(TICKETS_INTAKE.name)).state.messages
    await email_load.stop_watching()
    receipts, follow_ups = await asyncio.to_thread(ticket_mails, st.maildir)
    opened, by_mail = flows[tickets.OPEN].ok, len(email_load.opened)
    answers = flows[tickets.REPLY].ok + flows[tickets.FINISH].ok
    totals = chat_load.totals
    expected = {
        "tickets opened = listed in the customers' lists": (opened, customers_listed),
        "tickets opened (web + mail) = in the agents' inbox": (opened + by_mail, inbox),
        "tickets finished = finished in the inbox": (flows[tickets.FINISH].ok, finished),
        "mails appended = tickets requested (intake)": (flows[emails.APPEND].ok, intake),
        "mails appended = tickets opened from mail": (flows[emails.APPEND].ok, by_mail),
        "chat messages sent = received": (totals["sent"], totals["seen"]),
        "chat files sent = received": (totals["files_sent"], totals["files_seen"]),
        "chats started = closed": (totals["started"], totals["closed"]),
        "receipts mailed = tickets opened": (opened + by_mail, receipts),
        "follow-up mails = replies + finishes": (answers, follow_ups),
    }
    problems += [f"{what}: {a} ≠ {b}" for what, (a, b) in expected.items() if a != b]
    facts: dict[str, object] = {
        "drain_s": drain_s,
        "tickets_listed": customers_listed,
        "inbox": inbox,
        "intake": intake,
        "chat_messages_sent": totals["sent"],
        "chat_messages_received": totals["seen"],
        "chats": totals["started"],
        "mails_out": receipts + follow_ups,
        "counts_line_up": not any(a != b for a, b in expected.values()),
    }
    return facts, problems


async def _measure_after(flows: Flows, warmup: float) -> None:
    await asyncio.sleep(warmup)
    flows.measuring = True


async def _progress(st: Stack, flows: Flows, sampler: Sampler, begin: float, peaks: dict[str, int]) -> None:
    """A line every 20 s, so a long run shows it is alive, what waits and how memory goes; keeps
    each queue's peak (a queue that grows look after look is a rate the machine does not sustain)."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(PROGRESS_EVERY_S)
        done = ", ".join(f"{f.name} {f.ok}" for f in flows.by_name.values())
        try:
            waiting = await backlog(st.bus, st.running.ops_ports, st.running.databases)
        except Exception as exc:  # a look that failed must not end the run; the drain check decides
            queued = f"unknown ({type(exc).__name__}: {exc})"
        else:
            for queue, n in waiting.items():
                peaks[queue] = max(n, peaks.get(queue, 0))
            queued = ", ".join(f"{queue} {n}" for queue, n in waiting.items() if n) or "nothing"
        rss = ", ".join(f"{name} {mb:.0f}" for name, mb in sampler.latest_rss().items())
        print(
            f"    soak {loop.time() - begin:.0f} s: {done}; errors {flows.errors}; waiting: {queued};"
            f" RSS MB: {rss}",
            file=sys.stderr,
            flush=True,
        )
