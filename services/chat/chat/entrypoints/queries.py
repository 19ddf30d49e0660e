"""Request-reply query endpoints over the read models: a conversation (gap-fill), queues, search."""

from __future__ import annotations

from chat.entrypoints.commands import conversation_uuid
from chat.views.queries import ChatQueries
from contracts import Envelope, Message
from contracts.chat import ConversationListV1, ConversationV1
from contracts.chat_queries import (
    AvailabilityV1,
    GetAvailabilityV1,
    GetConversationV1,
    ListAgentChatsV1,
    ListQueueV1,
    SearchChatsV1,
)
from contracts.subjects import (
    GET_AVAILABILITY_V1,
    GET_CONVERSATION_V1,
    LIST_AGENT_CHATS_V1,
    LIST_QUEUE_V1,
    SEARCH_CHATS_V1,
)
from plumbing.bus import Bus
from plumbing.errors import NotFound


class Queries:
    """Thin: validate (done by the bus), ask the read models, answer."""

    def __init__(self, queries: ChatQueries) -> None:
        self.queries = queries

    async def register(self, bus: Bus) -> None:
        """Serve every query in the chat queue group."""
        await bus.serve(
            "conversation", GET_CONVERSATION_V1, GetConversationV1, self.conversation, concurrency=256
        )
        await bus.serve("queue", LIST_QUEUE_V1, ListQueueV1, self.queue)
        await bus.serve("agent-chats", LIST_AGENT_CHATS_V1, ListAgentChatsV1, self.agent_chats)
        await bus.serve("search", SEARCH_CHATS_V1, SearchChatsV1, self.search)
        await bus.serve("availability", GET_AVAILABILITY_V1, GetAvailabilityV1, self.availability)

    async def conversation(self, query: GetConversationV1, envelope: Envelope) -> Message:
        found = await self.queries.conversation(
            conversation_uuid(query.conversation_id),
            query.after_seq,
            entries=query.entries,
            attachment=query.attachment_id,
        )
        if found is None:
            raise NotFound("conversation_not_found")
        summary, entries = found
        return ConversationV1(conversation=summary, entries=entries)

    async def queue(self, query: ListQueueV1, envelope: Envelope) -> Message:
        queued = await self.queries.queue(list(query.departments))
        return ConversationListV1(conversations=queued, total=len(queued))

    async def agent_chats(self, query: ListAgentChatsV1, envelope: Envelope) -> Message:
        chats = await self.queries.agent_chats(query.agent_id)
        return ConversationListV1(conversations=chats, total=len(chats))

    async def search(self, query: SearchChatsV1, envelope: Envelope) -> Message:
        return await self.queries.search(query)

    async def availability(self, query: GetAvailabilityV1, envelope: Envelope) -> Message:
        return AvailabilityV1(departments=await self.queries.availability(list(query.departments)))
