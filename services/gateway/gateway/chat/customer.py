"""The customer's socket: one conversation, resumable with its token, gap-filled by sequence number."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from starlette.websockets import WebSocket

from contracts.chat import ChatLiveFrameV1, ConversationStatus, ConversationV1
from contracts.chat_commands import TouchChatV1
from contracts.common import ActorKind
from contracts.subjects import TOUCH_CHAT_V1, chat_live_conversation
from gateway.chat import protocol
from gateway.chat.frames import conversation_for_customer, entry_for_customer, for_customer
from gateway.chat.sessions import Limits, Session, every
from gateway.chat.tokens import ResumeTokens, Visitor
from plumbing.bus import Bus

# This often while the socket is open: a fresh resume token (the resume window then runs from the
# last time the customer was here), and a heartbeat that keeps chat from marking the chat abandoned.
TOKEN_EVERY_S = 60.0


class CustomerSession(Session):
    """One visitor's socket on its conversation."""

    def __init__(
        self,
        bus: Bus,
        websocket: WebSocket,
        language: str,
        limits: Limits,
        visitor: Visitor,
        tokens: ResumeTokens,
        after_seq: int,
    ) -> None:
        super().__init__(bus, websocket, language, limits)
        self.visitor = visitor
        self.tokens = tokens
        self.after_seq = after_seq
        self._refresher: asyncio.Task[None] | None = None

    @property
    def conversation_id(self) -> str:
        return self.visitor.conversation_id

    def render(self, frame: ChatLiveFrameV1) -> dict[str, Any] | None:
        return for_customer(self.conversation_id, frame)

    async def opened(self) -> None:
        # Listen first, then read: a frame that races the read arrives twice at worst (entries
        # carry their sequence number, so the client keeps one), never not at all.
        # Only its own subject: chat tells each waiting customer their place there, so the whole
        # queue (every waiting customer's summary, each time it moves) never reaches each of them.
        await self.link.listen(chat_live_conversation(self.conversation_id))
        found = await self.entries_after(self.conversation_id, self.after_seq)
        self.link.send(
            {
                "type": "conversation",
                "conversation": conversation_for_customer(found.conversation),
                "entries": [entry_for_customer(e) for e in found.entries],
                "resume_token": self.tokens.mint(self.visitor),
            }
        )
        if found.conversation.status in (ConversationStatus.QUEUED, ConversationStatus.ACTIVE):
            await self._still_here()
        self._refresher = asyncio.create_task(every(TOKEN_EVERY_S, self._still_here))

    async def _still_here(self) -> None:
        self.link.send({"type": "token", "resume_token": self.tokens.mint(self.visitor)})
        touch = TouchChatV1(conversation_id=self.conversation_id, customer_email=self.visitor.email)
        await self.ask(TOUCH_CHAT_V1, touch, ConversationV1)

    async def handle(self, frame: Any) -> None:
        me, name = self.visitor.email, self.visitor.name
        if isinstance(frame, protocol.Say):
            await self.post(self.conversation_id, frame, ActorKind.CUSTOMER, me, name)
        elif isinstance(frame, protocol.Typing | protocol.Read):
            await self.signal(self.conversation_id, frame, ActorKind.CUSTOMER)
        elif isinstance(frame, protocol.Sync):
            found = await self.entries_after(self.conversation_id, frame.after_seq)
            self.link.send({"type": "entries", "entries": [entry_for_customer(e) for e in found.entries]})
        elif isinstance(frame, protocol.Close):
            await self.close_chat(self.conversation_id, ActorKind.CUSTOMER, me, frame.send_transcript)
        elif isinstance(frame, protocol.Ping):
            self.link.send({"type": "pong"})

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            if self._refresher is not None:
                self._refresher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._refresher
