"""Tickets over HTTP: customers open them at a fixed rate (open loop); agents answer each a moment later
(a public reply, then finished), as the console does, with the version they saw."""

from __future__ import annotations

import asyncio
from time import perf_counter_ns
from typing import Any

import aiohttp

from bench.soak.recorder import Flows

OPEN, REPLY, FINISH = "ticket_open", "ticket_reply", "ticket_finish"
FLOWS = (OPEN, REPLY, FINISH)


async def _call(
    client: aiohttp.ClientSession, method: str, path: str, token: str, body: dict[str, Any], **headers: str
) -> tuple[int, Any]:
    async with client.request(
        method, path, json=body, headers={"Authorization": f"Bearer {token}", **headers}
    ) as answer:
        return answer.status, await answer.json(content_type=None)


class TicketLoad:
    """Opens ``rate`` tickets a second until ``stop`` and has each answered ``answer_after_s`` later."""

    def __init__(
        self,
        client: aiohttp.ClientSession,
        customers: list[str],
        agents: list[str],
        flows: Flows,
        rate: float,
        answer_after_s: float,
    ) -> None:
        self.client, self.customers, self.agents, self.flows = client, customers, agents, flows
        self.rate, self.answer_after_s = rate, answer_after_s

    async def _step(self, flow: str, started: int, call: Any, want: int, what: str) -> dict[str, Any] | None:
        try:
            status, body = await call
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.flows.failed(flow, f"{what}: {type(exc).__name__}: {exc}")
            return None
        if status != want:
            self.flows.failed(flow, f"{what} answered {status}: {str(body)[:200]}")
            return None
        self.flows.done(flow, started)
        return dict(body)

    async def life(self, index: int) -> None:
        """One ticket: opened by a customer, answered and finished by an agent."""
        customer = self.customers[index % len(self.customers)]
        agent = self.agents[index % len(self.agents)]
        opening = {
            "subject": f"Não consigo emitir a nota {index}",
            "description": "Aparece um erro ao emitir a nota fiscal desde ontem.",
            "department": "Suporte",
        }
        t0 = perf_counter_ns()
        call = _call(
            self.client, "POST", "/api/v1/tickets", customer, opening, **{"Idempotency-Key": f"t{index}"}
        )
        opened = await self._step(OPEN, t0, call, 201, "open")
        if opened is None:
            return
        await asyncio.sleep(self.answer_after_s)
        path = f"/api/v1/agent/tickets/{opened['id']}"
        reply = {
            "body": "Olá! Já corrigimos: tente de novo, por favor.",
            "expected_version": opened["version"],
        }
        t0 = perf_counter_ns()
        replied = await self._step(
            REPLY, t0, _call(self.client, "POST", f"{path}/replies", agent, reply), 201, "reply"
        )
        if replied is None:
            return
        finish = {"status": "finished", "expected_version": replied["version"]}
        t0 = perf_counter_ns()
        await self._step(
            FINISH, t0, _call(self.client, "PUT", f"{path}/status", agent, finish), 200, "finish"
        )

    async def run(self, stop_at: float) -> None:
        """Start a ticket every 1/rate s (open loop: a slow answer never delays the next one), then
        wait for every ticket's life to end."""
        loop = asyncio.get_running_loop()
        begin, lives = loop.time(), set[asyncio.Task[None]]()
        index = 0
        while (due := begin + index / self.rate) < stop_at:
            await asyncio.sleep(max(0.0, due - loop.time()))
            task = asyncio.create_task(self.life(index))
            lives.add(task)
            task.add_done_callback(lives.discard)
            index += 1
        if lives:
            await asyncio.gather(*lives)

    async def listed(self) -> tuple[int, int, int]:
        """(tickets in the customers' lists, in the agents' inbox, finished in the inbox)."""
        customers = 0
        for token in self.customers:
            customers += await self._total("/api/v1/tickets", token, {})
        inbox = await self._total("/api/v1/agent/tickets", self.agents[0], {})
        finished = await self._total("/api/v1/agent/tickets", self.agents[0], {"status": "finished"})
        return customers, inbox, finished

    async def _total(self, path: str, token: str, params: dict[str, str]) -> int:
        async with self.client.get(
            path, params={"limit": "1", **params}, headers={"Authorization": f"Bearer {token}"}
        ) as answer:
            body = await answer.json(content_type=None)
            if answer.status != 200:
                raise RuntimeError(f"GET {path} answered {answer.status}: {str(body)[:200]}")
            return int(body["total"])
