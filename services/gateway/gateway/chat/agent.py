"""The agent's socket: presence, the queues of its departments, every chat it holds, and ticket changes."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import nats.errors
from starlette.websockets import WebSocket

from contracts.chat import ChatLiveFrameV1, ConversationListV1, ConversationStatus, ConversationV1, Presence
from contracts.chat_commands import AcceptChatV1, PresenceStateV1, SetPresenceV1, TransferChatV1
from contracts.chat_queries import GetConversationV1, ListAgentChatsV1, ListQueueV1
from contracts.common import ActorKind
from contracts.subjects import (
    ACCEPT_CHAT_V1,
    GET_CONVERSATION_V1,
    LIST_AGENT_CHATS_V1,
    LIST_QUEUE_V1,
    SET_PRESENCE_V1,
    TRANSFER_CHAT_V1,
    chat_live_agent,
    chat_live_conversation,
    chat_live_queue,
)
from gateway.accounts.service import Accounts
from gateway.chat import protocol
from gateway.chat.frames import for_agent, ticket_for_agent
from gateway.chat.live import TicketChange
from gateway.chat.sessions import Limits, Session, every
from gateway.domain.principal import Principal
from plumbing.bus import Bus, RemoteError

# Presence is a lease in chat: renewed while the socket is open, it lapses when the agent is gone.
PRESENCE_EVERY_S = 30.0
# While chat does not answer, the agent's socket asks again this often (tickets flow meanwhile).
CHAT_RETRY_S = 5.0


class AgentSession(Session):
    """One agent's console socket."""

    agent = True

    def __init__(
        self, bus: Bus, websocket: WebSocket, language: str, limits: Limits, me: Principal, accounts: Accounts
    ) -> None:
        super().__init__(bus, websocket, language, limits)
        self.me = me
        self.accounts = accounts  # who a chat may be transferred to
        self.mine: set[str] = set()  # conversations this agent holds
        self._seq: dict[str, int] = {}  # each held chat's last_seq in the newest status applied
        self.presence: protocol.SetPresence | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._chat_back: asyncio.Task[None] | None = None

    def render(self, frame: ChatLiveFrameV1) -> dict[str, Any] | None:
        summary = frame.conversation
        if frame.kind == "status" and summary is not None:
            if summary.last_seq < self._seq.get(summary.conversation_id, 0):
                # An older picture of a held chat: the place in the queue chat computed just before
                # the accept, or two chat replicas' frames crossing. Acted on, it would drop the chat.
                return None
            # A chat given to this agent (accepted, transferred in) is followed; one that left, dropped.
            if summary.agent_id == self.me.account_id and summary.status is ConversationStatus.ACTIVE:
                self._follow(summary.conversation_id, summary.last_seq)
            elif summary.conversation_id in self.mine:
                self.mine.discard(summary.conversation_id)
                self._seq.pop(summary.conversation_id, None)
                subject = chat_live_conversation(summary.conversation_id)
                asyncio.get_running_loop().create_task(self.link.forget(subject))
        return for_agent(frame)

    def _follow(self, conversation_id: str, last_seq: int) -> None:
        self._seq[conversation_id] = max(self._seq.get(conversation_id, 0), last_seq)
        if conversation_id not in self.mine:
            self.mine.add(conversation_id)
            asyncio.get_running_loop().create_task(self.link.listen(chat_live_conversation(conversation_id)))

    def render_ticket(self, change: TicketChange) -> dict[str, Any] | None:
        """A ticket changed: the console refreshes what it shows of it (only its agents hear of it)."""
        return ticket_for_agent(self.me, change)

    async def opened(self) -> None:
        # First, so a change that races the console's first look at its inbox still reaches it.
        await self.link.follow_tickets(self.render_ticket)
        for department in self.me.departments:
            await self.link.listen(chat_live_queue(department))
        await self.link.listen(chat_live_agent(self.me.account_id))
        if not await self._hello(tell_unavailable=True):
            # Chat is away: the socket stays for tickets; the chats come in a second hello once it answers.
            self._chat_back = asyncio.create_task(self._hello_when_chat_answers())

    async def _hello(self, *, tell_unavailable: bool) -> bool:
        """Send the chats this agent holds and its departments' queues; False if chat did not answer."""
        departments = list(self.me.departments)
        try:
            held: ConversationListV1 = await self.ask(
                LIST_AGENT_CHATS_V1, ListAgentChatsV1(agent_id=self.me.account_id), ConversationListV1
            )
            queue: ConversationListV1 = await self.ask(
                LIST_QUEUE_V1, ListQueueV1(departments=departments), ConversationListV1
            )
        except (RemoteError, nats.errors.NoRespondersError, nats.errors.TimeoutError):
            if tell_unavailable:
                hello = {"type": "hello", "departments": departments, "chats": [], "queue": []}
                self.link.send(hello | {"chat_available": False})
            return False
        for conversation in held.conversations:
            self._follow(conversation.conversation_id, conversation.last_seq)
        self.link.send(
            {
                "type": "hello",
                "departments": departments,
                "chats": [c.model_dump(mode="json") for c in held.conversations],
                "queue": [c.model_dump(mode="json") for c in queue.conversations],
                "chat_available": True,
            }
        )
        return True

    async def _hello_when_chat_answers(self) -> None:
        while True:
            await asyncio.sleep(CHAT_RETRY_S)
            if await self._hello(tell_unavailable=False):
                return

    async def _renew(self) -> None:
        if self.presence is not None:
            await self._set_presence(self.presence)

    async def _set_presence(self, frame: protocol.SetPresence) -> PresenceStateV1:
        state: PresenceStateV1 = await self.ask(
            SET_PRESENCE_V1,
            SetPresenceV1(
                agent_id=self.me.account_id,
                agent_name=self.me.name,
                presence=Presence(frame.presence),
                departments=list(self.me.departments),
                capacity=frame.capacity,
            ),
            PresenceStateV1,
        )
        return state

    def _own(self, conversation_id: str | None) -> str | None:
        """The conversation named by a frame, if this agent holds it (else an error frame)."""
        if conversation_id is None or conversation_id not in self.mine:
            self.refuse("not_your_chat", "conversation_id")
            return None
        return conversation_id

    async def handle(self, frame: Any) -> None:
        me = self.me.account_id
        if isinstance(frame, protocol.SetPresence):
            self.presence = frame if frame.presence != "offline" else None
            state = await self._set_presence(frame)
            self.link.send({"type": "presence", **state.model_dump(mode="json", exclude={"type", "version"})})
            if self._heartbeat is None:
                self._heartbeat = asyncio.create_task(every(PRESENCE_EVERY_S, self._renew))
        elif isinstance(frame, protocol.Accept):
            # Only chats of one's own departments (the chat service does not know who serves what).
            found = await self.ask(
                GET_CONVERSATION_V1,
                GetConversationV1(conversation_id=frame.conversation_id, entries=False),
                ConversationV1,
            )
            if found.conversation.department not in self.me.departments:
                self.refuse("not_your_chat", "conversation_id")
                return
            # Listen before accepting: the subscription reaches NATS ahead of the request on the same
            # connection, so nothing the customer sends once they see the agent can be missed.
            subject = chat_live_conversation(frame.conversation_id)
            await self.link.listen(subject)
            try:
                accepted: ConversationV1 = await self.ask(
                    ACCEPT_CHAT_V1,
                    AcceptChatV1(conversation_id=frame.conversation_id, agent_id=me, agent_name=self.me.name),
                    ConversationV1,
                )
            except BaseException:
                if frame.conversation_id not in self.mine:  # another agent was first
                    await self.link.forget(subject)
                raise
            self._follow(frame.conversation_id, accepted.conversation.last_seq)
            self.link.send(
                {
                    "type": "accepted",
                    "conversation": accepted.conversation.model_dump(mode="json"),
                    "entries": [e.model_dump(mode="json") for e in accepted.entries],
                }
            )
        elif isinstance(frame, protocol.Say):
            if conversation_id := self._own(frame.conversation_id):
                await self.post(conversation_id, frame, ActorKind.AGENT, me, self.me.name)
        elif isinstance(frame, protocol.Typing | protocol.Read):
            if conversation_id := self._own(frame.conversation_id):
                await self.signal(conversation_id, frame, ActorKind.AGENT)
        elif isinstance(frame, protocol.Sync):
            if conversation_id := self._own(frame.conversation_id):
                found = await self.entries_after(conversation_id, frame.after_seq)
                entries = [e.model_dump(mode="json") for e in found.entries]
                self.link.send({"type": "entries", "conversation_id": conversation_id, "entries": entries})
        elif isinstance(frame, protocol.Transfer):
            allowed, name = (False, None)
            if conversation_id := self._own(frame.conversation_id):
                allowed, name = await self._transferable(frame)
            if conversation_id and allowed:
                await self.ask(
                    TRANSFER_CHAT_V1,
                    TransferChatV1(
                        conversation_id=conversation_id,
                        by_agent_id=me,
                        to_agent_id=frame.to_agent_id,
                        to_agent_name=name,
                        to_department=frame.to_department,
                    ),
                    ConversationV1,
                )
        elif isinstance(frame, protocol.Close):
            if conversation_id := self._own(frame.conversation_id):
                await self.close_chat(conversation_id, ActorKind.AGENT, me, frame.send_transcript)
        elif isinstance(frame, protocol.Ping):
            self.link.send({"type": "pong"})

    async def _transferable(self, frame: protocol.Transfer) -> tuple[bool, str | None]:
        """Whether the target may take the chat, and the agent's name (None for a department)."""
        if frame.to_agent_id is not None:
            target = (await self.accounts.staff_members([frame.to_agent_id])).get(frame.to_agent_id)
            if target is None:
                self.refuse("agent_unknown", "to_agent_id")
                return False, None
            return True, target.name
        elif frame.to_department not in self.accounts.settings.departments:
            self.refuse("department_unknown", "to_department")
            return False, None
        return True, None

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            for task in (self._heartbeat, self._chat_back):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
