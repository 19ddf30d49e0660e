"""Live chats over WebSockets: a fixed number of conversations at a time, each side writing once a
second; each conversation lasts about ``length_s``, is closed by its agent and replaced by a new one.
Now and then a customer sends a small image (uploaded over HTTP, then shared in the chat).

A message counts when the other side's socket shows it; its latency is from the sender's frame
leaving to that entry arriving. A file counts when the agent's socket shows it, timed from the
upload's start.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import random
from dataclasses import dataclass, field
from time import perf_counter_ns
from typing import Any

import aiohttp
from PIL import Image
from websockets.asyncio.client import ClientConnection, connect

from bench.soak.recorder import Flows

START, MESSAGE, UPLOAD, FILE, CLOSE = "chat_start", "chat_message", "chat_upload", "chat_file", "chat_close"
FLOWS = (START, MESSAGE, UPLOAD, FILE, CLOSE)
CAPACITY = 20  # chats per agent (the most SetPresence allows)
SETTLE_S = 15.0  # how long a conversation's last messages and its close may take before it is an error


def small_png() -> bytes:
    """A 96×96 noise image (~28 KB): a screenshot-sized file that does not compress away."""
    image = Image.frombytes("RGB", (96, 96), random.randbytes(96 * 96 * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclass
class Conversation:
    """One chat's sockets and tallies."""

    conversation_id: str
    resume_token: str
    customer: ClientConnection | None = None
    sent: dict[str, int] = field(default_factory=lambda: {"customer": 0, "agent": 0})
    seen: dict[str, int] = field(default_factory=lambda: {"customer": 0, "agent": 0})
    files: dict[str, int] = field(default_factory=dict)  # attachment id → upload start (ns)
    files_sent: int = 0
    files_seen: int = 0
    ending: bool = False  # its agent is about to close it: no new file for it
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)  # set whenever settled() holds

    def settled(self) -> bool:
        """Everything sent has reached the other side."""
        return self.sent == self.seen and self.files_seen == self.files_sent


class ChatLoad:
    """``conversations`` chats at a time until ``stop``, with a file every ``file_every_s``."""

    def __init__(
        self,
        url: str,
        client: aiohttp.ClientSession,
        agent_tokens: list[str],
        flows: Flows,
        conversations: int,
        length_s: float,
        file_every_s: float,
    ) -> None:
        self.url, self.ws_url = url, url.replace("http://", "ws://")
        self.client, self.agent_tokens, self.flows = client, agent_tokens, flows
        self.conversations, self.length_s, self.file_every_s = conversations, length_s, file_every_s
        self.agents: list[ClientConnection] = []
        self.live: dict[str, Conversation] = {}
        self.accepted: dict[str, asyncio.Future[None]] = {}
        self.totals = {"sent": 0, "seen": 0, "files_sent": 0, "files_seen": 0, "started": 0, "closed": 0}
        self.png = small_png()
        self.tasks: list[asyncio.Task[None]] = []

    async def open_agents(self, stack: contextlib.AsyncExitStack) -> None:
        """Each agent's socket, online with room for its share of the chats."""
        for token in self.agent_tokens:
            ws = await stack.enter_async_context(
                connect(
                    f"{self.ws_url}/api/v1/agent/chats/socket",
                    additional_headers={"Authorization": f"Bearer {token}"},
                    max_queue=None,
                )
            )
            await _next(ws, "hello")
            await ws.send(json.dumps({"type": "presence", "presence": "online", "capacity": CAPACITY}))
            await _next(ws, "presence")
            self.agents.append(ws)
            self.tasks.append(asyncio.create_task(self._agent_frames(ws)))

    async def _agent_frames(self, ws: ClientConnection) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "entry":
                conversation = self.live.get(frame.get("conversation_id", ""))
                if conversation is not None:
                    self._entry(conversation, frame["entry"], reader="agent")
            elif kind == "accepted":
                waiting = self.accepted.pop(frame["conversation"]["conversation_id"], None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(None)
            elif kind == "error":
                self.flows.failed(MESSAGE, f"agent socket error frame: {frame}")

    async def _customer_frames(self, conversation: Conversation, ws: ClientConnection) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "entry":
                self._entry(conversation, frame["entry"], reader="customer")
            elif kind == "status" and frame["conversation"]["status"] == "closed":
                conversation.closed.set()
            elif kind == "error":
                self.flows.failed(MESSAGE, f"customer socket error frame: {frame}")

    def _entry(self, conversation: Conversation, entry: dict[str, Any], reader: str) -> None:
        """An entry arrived at ``reader``'s socket; only what the other side wrote counts."""
        arrived = perf_counter_ns()
        author = entry.get("author_kind")
        if author == reader:
            return
        if entry.get("kind") == "message" and author in conversation.seen:
            conversation.seen[author] += 1
            self.flows.done(MESSAGE, int(entry["text"].split(":", 1)[0]), arrived)
        elif entry.get("kind") == "file" and reader == "agent":
            started = conversation.files.pop(entry.get("attachment_id") or "", None)
            if started is not None:
                conversation.files_seen += 1
                self.flows.done(FILE, started, arrived)
        if conversation.settled():
            conversation.caught_up.set()

    async def _start(self, slot: int, serial: int, agent: ClientConnection) -> Conversation | None:
        t0 = perf_counter_ns()
        form = {
            "name": f"Cliente {slot}",
            "email": f"chat{slot}.{serial}@soak.example.com",
            "question": "Oi, preciso de ajuda com a fatura",
            "department": "Suporte",
        }
        try:
            async with self.client.post("/api/v1/chat/conversations", json=form) as answer:
                body = await answer.json(content_type=None)
            if answer.status != 201:
                raise RuntimeError(f"start answered {answer.status}: {str(body)[:200]}")
            conversation = Conversation(body["conversation"]["conversation_id"], body["resume_token"])
            accepted = asyncio.get_running_loop().create_future()
            self.accepted[conversation.conversation_id] = accepted
            self.live[conversation.conversation_id] = conversation
            await agent.send(json.dumps({"type": "accept", "conversation_id": conversation.conversation_id}))
            await asyncio.wait_for(accepted, SETTLE_S)
            ws = await connect(
                f"{self.ws_url}/api/v1/chat/socket?token={conversation.resume_token}", max_queue=None
            )
            conversation.customer = ws
            await asyncio.wait_for(_next(ws, "conversation"), SETTLE_S)
        except (Exception, TimeoutError) as exc:
            self.flows.failed(START, f"{type(exc).__name__}: {exc}")
            return None
        self.tasks.append(asyncio.create_task(self._customer_frames(conversation, ws)))
        self.totals["started"] += 1
        self.flows.done(START, t0)
        return conversation

    async def _talk(self, conversation: Conversation, agent: ClientConnection | None, until: float) -> None:
        """One side's messages, once a second from a random phase, until ``until`` (loop time)."""
        loop = asyncio.get_running_loop()
        side = "agent" if agent is not None else "customer"
        ws = agent or conversation.customer
        assert ws is not None
        tick = loop.time() + random.random()
        while tick < until:
            await asyncio.sleep(max(0.0, tick - loop.time()))
            frame = {
                "type": "message",
                "client_id": f"{side[0]}{conversation.sent[side]}",
                "text": f"{perf_counter_ns()}:Olá, tudo bem? Consegue me ajudar com a nota fiscal?",
            }
            if agent is not None:
                frame["conversation_id"] = conversation.conversation_id
            try:
                await ws.send(json.dumps(frame))
                conversation.sent[side] += 1
            except Exception as exc:
                self.flows.failed(MESSAGE, f"{side} send: {type(exc).__name__}: {exc}")
                return
            tick += 1.0

    async def _finish(self, conversation: Conversation, agent: ClientConnection) -> None:
        """Wait for the last messages to arrive, then the agent closes the chat."""
        conversation.ending = True
        conversation.caught_up.clear()  # it may have been set mid-talk; only from now on counts
        if not conversation.settled():
            with contextlib.suppress(TimeoutError):  # what never arrived shows in the totals
                await asyncio.wait_for(conversation.caught_up.wait(), SETTLE_S)
        t0 = perf_counter_ns()
        try:
            await agent.send(json.dumps({"type": "close", "conversation_id": conversation.conversation_id}))
            await asyncio.wait_for(conversation.closed.wait(), SETTLE_S)
            self.flows.done(CLOSE, t0)
            self.totals["closed"] += 1
        except (Exception, TimeoutError) as exc:
            self.flows.failed(CLOSE, f"{type(exc).__name__}: {exc}")
        finally:
            for key in ("sent", "seen"):
                self.totals[key] += sum(getattr(conversation, key).values())
            self.totals["files_sent"] += conversation.files_sent
            self.totals["files_seen"] += conversation.files_seen
            self.live.pop(conversation.conversation_id, None)
            if conversation.customer is not None:
                await conversation.customer.close()

    async def _slot(self, slot: int, stop_at: float) -> None:
        """Conversation after conversation in one place, until ``stop_at``."""
        loop = asyncio.get_running_loop()
        agent = self.agents[slot % len(self.agents)]
        await asyncio.sleep(random.random() * 2)  # spread the first starts
        serial = 0
        while loop.time() < stop_at:
            conversation = await self._start(slot, serial, agent)
            serial += 1
            if conversation is None:
                await asyncio.sleep(1.0)
                continue
            # Lengths vary around length_s, so closes and starts spread over time rather than align.
            until = min(stop_at, loop.time() + self.length_s * random.uniform(0.5, 1.5))
            await asyncio.gather(
                self._talk(conversation, None, until), self._talk(conversation, agent, until)
            )
            await self._finish(conversation, agent)

    async def _files(self, stop_at: float) -> None:
        """A customer of a random live chat sends the image, every ``file_every_s``."""
        loop = asyncio.get_running_loop()
        tick = loop.time() + self.file_every_s
        while tick < stop_at:
            await asyncio.sleep(max(0.0, tick - loop.time()))
            tick += self.file_every_s
            talking = [c for c in self.live.values() if c.customer is not None and not c.ending]
            if talking:
                await self._send_file(random.choice(talking))

    async def _send_file(self, conversation: Conversation) -> None:
        # Counted as sent from the start, so the conversation is not closed while it uploads.
        conversation.files_sent += 1
        t0 = perf_counter_ns()
        path = f"/api/v1/chat/conversations/{conversation.conversation_id}/attachments"
        try:
            async with self.client.post(
                path,
                params={"filename": "print-da-tela.png"},
                data=self.png,
                headers={
                    "X-Chat-Token": conversation.resume_token,
                    "Content-Type": "application/octet-stream",
                },
            ) as answer:
                body = await answer.json(content_type=None)
            if answer.status != 201:
                raise RuntimeError(f"upload answered {answer.status}: {str(body)[:200]}")
            self.flows.done(UPLOAD, t0)
            conversation.files[body["id"]] = t0
            assert conversation.customer is not None
            frame = {"type": "message", "client_id": f"f{body['id']}", "attachment_id": body["id"]}
            await conversation.customer.send(json.dumps(frame))
        except Exception as exc:
            conversation.files_sent -= 1
            self.flows.failed(UPLOAD, f"{type(exc).__name__}: {exc}")

    async def run(self, stop_at: float) -> None:
        """Every slot and the file sender until ``stop_at``; then the last conversations settle."""
        try:
            await asyncio.gather(
                self._files(stop_at), *(self._slot(slot, stop_at) for slot in range(self.conversations))
            )
        finally:
            for task in self.tasks:
                task.cancel()


async def _next(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await ws.recv())
        if frame.get("type") == kind:
            return frame
