"""Asks the chat service over NATS for a whole conversation (the transcript its customer asked for)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import nats.errors

from contracts.chat import ChatEntry, ConversationV1
from contracts.chat_queries import GetConversationV1
from contracts.subjects import GET_CONVERSATION_V1
from plumbing.bus import Bus, RemoteError

# The conversation with every entry; None when chat does not know it. Raises ChatUnavailable.
ReadConversation = Callable[[str], Awaitable[ConversationV1 | None]]


class ChatUnavailable(Exception):
    """The chat service did not answer (or failed): the consumer tries the event again later."""


def conversation_reader(bus: Bus, timeout_s: float) -> ReadConversation:
    """A ``ReadConversation`` over the bus, each query bounded by ``timeout_s``."""

    async def read(conversation_id: str) -> ConversationV1 | None:
        entries: list[ChatEntry] = []
        after = 0
        try:
            while True:
                query = GetConversationV1(conversation_id=conversation_id, after_seq=after)
                found = await bus.request(GET_CONVERSATION_V1, query, ConversationV1, timeout=timeout_s)
                entries += found.entries
                last = max((entry.seq for entry in found.entries), default=after)
                # Chat answers every entry at once today; should it ever page, ask for the rest.
                if last <= after or last >= found.conversation.last_seq:
                    break
                after = last
        except RemoteError as exc:
            if exc.code == "404":
                return None
            raise ChatUnavailable(f"chat refused the conversation: {exc}") from exc
        except nats.errors.Error as exc:  # a timeout, no responders
            raise ChatUnavailable(f"chat did not answer: {exc!r}") from exc
        return found.model_copy(update={"entries": entries})

    return read
