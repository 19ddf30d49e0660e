"""A socket's conversation(s): frames in → chat commands over NATS; stored changes → frames out.

The customer's socket serves one conversation; the agent's, the queues of its departments and the
chats it holds. Every refusal becomes an error frame on the sender's socket only.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import nats.errors
from starlette.websockets import WebSocket

from contracts import Message
from contracts.chat import ChatLiveFrameV1, ConversationV1
from contracts.chat_commands import ChatMessageAckV1, CloseChatV1, PostChatMessageV1
from contracts.chat_queries import GetConversationV1
from contracts.common import ActorKind
from contracts.files import OwnerKind
from contracts.subjects import (
    CLOSE_CHAT_V1,
    GET_CONVERSATION_V1,
    POST_CHAT_MESSAGE_V1,
    chat_live_conversation,
)
from gateway.chat import protocol
from gateway.chat.live import Link
from gateway.domain.messages import text
from gateway.domain.rate import Bucket
from gateway.files.calls import uploaded_by
from plumbing.bus import Bus, RemoteError
from plumbing.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Limits:
    """Per-socket limits: message size, and a flood bucket for messages."""

    max_text_bytes: int = protocol.MAX_TEXT_BYTES
    burst: float = 10
    per_s: float = 1.0


class Session(ABC):
    """What both kinds of socket share: the link, the error frames, the loop over incoming frames."""

    agent = False

    def __init__(self, bus: Bus, websocket: WebSocket, language: str, limits: Limits) -> None:
        self.bus = bus
        self.websocket = websocket
        self.language = language
        self.limits = limits
        self.link = Link(websocket.app.state.chat_hub, websocket, self.render)
        self.flood = Bucket(limits.burst, limits.per_s)
        self.answering: str | None = None  # the conversation named by the frame being handled

    @abstractmethod
    def render(self, frame: ChatLiveFrameV1) -> dict[str, Any] | None:
        """What this socket's reader may see of a live frame (None: nothing)."""

    @abstractmethod
    async def opened(self) -> None:
        """Subscribe and send the initial state."""

    @abstractmethod
    async def handle(self, frame: Any) -> None:
        """Act on one valid client frame."""

    def refuse(self, reason: str, field: str | None = None, client_id: str | None = None) -> None:
        """An error frame in the reader's language, naming the conversation of the frame it answers."""
        self.link.send(protocol.error(reason, text(reason, self.language), field, client_id, self.answering))

    async def run(self) -> None:
        """Serve the socket until it closes."""
        self.link.start()
        try:
            await self.opened()
            async for raw in self.websocket.iter_text():
                if self.link.broken:
                    break
                try:
                    frame = protocol.parse(raw, agent=self.agent, max_text_bytes=self.limits.max_text_bytes)
                except protocol.BadFrame as bad:
                    self.refuse(bad.reason, bad.field)
                    continue
                if isinstance(frame, protocol.Say) and not self.flood.take(time.monotonic()):
                    self.refuse("rate_limited", client_id=frame.client_id)
                    continue
                client_id = getattr(frame, "client_id", None)
                self.answering = getattr(frame, "conversation_id", None)
                try:
                    await self.handle(frame)
                except RemoteError as refused:
                    self.refuse(refused.reason, client_id=client_id)
                except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
                    self.refuse("unavailable", client_id=client_id)  # chat or files away: try again
                except Exception:
                    log.exception("chat.frame_failed", frame=frame.type)
                    self.refuse("internal_error", client_id=client_id)
        finally:
            await self.link.close()

    async def ask(self, subject: str, message: Message, reply: type[Any]) -> Any:
        """A chat command or query; its refusal raises RemoteError (turned into an error frame)."""
        return await self.bus.request(subject, message, reply)

    async def entries_after(self, conversation_id: str, after_seq: int) -> ConversationV1:
        """The conversation and what came after ``after_seq``: the gap a reconnecting client lacks."""
        found: ConversationV1 = await self.ask(
            GET_CONVERSATION_V1,
            GetConversationV1(conversation_id=conversation_id, after_seq=after_seq),
            ConversationV1,
        )
        return found

    async def post(
        self, conversation_id: str, frame: protocol.Say, kind: ActorKind, who: str, name: str
    ) -> None:
        """Store a message; the sender gets an ack with its sequence number, both sides the entry."""
        if frame.attachment_id is not None:
            # Only a file this sender uploaded for this chat: nobody shares someone else's file.
            mine = await uploaded_by(
                self.bus, who, OwnerKind.CONVERSATION, conversation_id, [frame.attachment_id]
            )
            if not mine:
                self.refuse("attachment_unknown", "attachment_id", frame.client_id)
                return
        ack: ChatMessageAckV1 = await self.ask(
            POST_CHAT_MESSAGE_V1,
            PostChatMessageV1(
                conversation_id=conversation_id,
                client_id=frame.client_id,
                author_kind=kind,
                author_id=who,
                author_name=name,
                text=frame.text,
                attachment_id=frame.attachment_id,
            ),
            ChatMessageAckV1,
        )
        self.link.send({"type": "ack", "client_id": ack.client_id, "seq": ack.seq, "at": ack.at.isoformat()})

    async def signal(
        self, conversation_id: str, frame: protocol.Typing | protocol.Read, kind: ActorKind
    ) -> None:
        """Typing and read receipts go straight to the other side; nothing is stored."""
        live = ChatLiveFrameV1(
            conversation_id=conversation_id,
            kind=frame.type,
            by_kind=kind,
            up_to_seq=frame.up_to_seq if isinstance(frame, protocol.Read) else None,
        )
        await self.link.publish(chat_live_conversation(conversation_id), live)

    async def close_chat(self, conversation_id: str, kind: ActorKind, who: str, transcript: bool) -> None:
        """End the conversation; both sides get the status frame from chat."""
        await self.ask(
            CLOSE_CHAT_V1,
            CloseChatV1(conversation_id=conversation_id, by_kind=kind, by_id=who, send_transcript=transcript),
            ConversationV1,
        )


async def every(seconds: float, action: Any) -> None:
    """Run ``action`` every ``seconds`` until cancelled; a failed round is logged and skipped."""
    while True:
        await asyncio.sleep(seconds)
        with contextlib.suppress(Exception):
            await action()
