"""Request-reply command endpoints: the gateway's chat commands, as changes saved by the writer."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from chat import changes, wire
from chat.adapters.presence import Presence
from chat.application import Busy
from chat.changes import Change, ConversationNotFound, Outcome
from chat.domain.conversation import conversation_id
from chat.domain.transitions import EmptyMessage, NotAParticipant, Refused, Status, TransferTargetMissing
from chat.entrypoints.batching import Writer
from chat.views.queries import ChatQueries
from contracts import Envelope, Message
from contracts.chat import ConversationV1
from contracts.chat_commands import (
    AcceptChatV1,
    ChatMessageAckV1,
    CloseChatV1,
    LeaveOfflineMessageV1,
    PostChatMessageV1,
    PresenceStateV1,
    RateChatV1,
    SetPresenceV1,
    StartChatV1,
    TouchChatV1,
    TransferChatV1,
)
from contracts.subjects import (
    ACCEPT_CHAT_V1,
    CLOSE_CHAT_V1,
    LEAVE_OFFLINE_MESSAGE_V1,
    POST_CHAT_MESSAGE_V1,
    RATE_CHAT_V1,
    SET_PRESENCE_V1,
    START_CHAT_V1,
    TOUCH_CHAT_V1,
    TRANSFER_CHAT_V1,
)
from plumbing.bus import Bus
from plumbing.errors import Conflict, Invalid, NotFound, ServiceError, Unavailable


def conversation_uuid(value: str) -> UUID:
    """A conversation id from the wire; anything else names no conversation (404)."""
    try:
        return UUID(value)
    except ValueError:
        raise NotFound("conversation_not_found") from None


def _nothing() -> None:
    return None


class Commands:
    """Thin: check presence where the rules need it, submit the change, answer the new state."""

    def __init__(
        self,
        writer: Writer,
        queries: ChatQueries,
        presence: Presence,
        changed: Callable[[], None] = _nothing,
    ) -> None:
        self.writer = writer
        self.queries = queries
        self.presence = presence
        self.changed = changed  # someone may be assignable now (auto-assignment looks again)

    async def register(self, bus: Bus) -> None:
        """Serve every command in the chat queue group."""
        await bus.serve("start", START_CHAT_V1, StartChatV1, self.start)
        await bus.serve(
            "offline-message", LEAVE_OFFLINE_MESSAGE_V1, LeaveOfflineMessageV1, self.leave_message
        )
        await bus.serve("accept", ACCEPT_CHAT_V1, AcceptChatV1, self.accept)
        await bus.serve("post", POST_CHAT_MESSAGE_V1, PostChatMessageV1, self.post, concurrency=1024)
        await bus.serve("transfer", TRANSFER_CHAT_V1, TransferChatV1, self.transfer)
        await bus.serve("close", CLOSE_CHAT_V1, CloseChatV1, self.close)
        await bus.serve("rate", RATE_CHAT_V1, RateChatV1, self.rate)
        await bus.serve("presence", SET_PRESENCE_V1, SetPresenceV1, self.set_presence)
        await bus.serve("touch", TOUCH_CHAT_V1, TouchChatV1, self.touch)

    async def start(self, command: StartChatV1, envelope: Envelope) -> Message:
        if not await self.presence.anyone_online(command.department):
            # A retried start of a chat that began while someone was online still finds it.
            known = await self.queries.conversation(conversation_id(command.request_id), entries=False)
            if known is None:
                raise Conflict("no_agent_available", department=command.department)
            return ConversationV1(conversation=known[0])
        change = changes.start(
            command.request_id,
            command.department,
            command.customer_email,
            command.customer_name,
            command.question,
        )
        outcome = await self._submit(change)
        self.changed()
        return await self._answer(outcome)

    async def leave_message(self, command: LeaveOfflineMessageV1, envelope: Envelope) -> Message:
        existing = None if command.conversation_id is None else conversation_uuid(command.conversation_id)
        change = changes.leave_message(
            command.request_id,
            command.department,
            command.customer_email,
            command.customer_name,
            command.message,
            existing,
        )
        return await self._answer(await self._submit(change))

    async def accept(self, command: AcceptChatV1, envelope: Envelope) -> Message:
        conversation = conversation_uuid(command.conversation_id)
        agent = await self.presence.get(command.agent_id)
        if agent is not None and agent.active_chats >= agent.capacity:
            known = await self.queries.conversation(conversation, entries=False)
            if known is None or known[0].agent_id != command.agent_id:  # (not the winner's retry)
                raise Conflict("at_capacity", capacity=agent.capacity, active_chats=agent.active_chats)
        outcome = await self._submit(changes.accept(conversation, command.agent_id, command.agent_name))
        return await self._answer(outcome)

    async def post(self, command: PostChatMessageV1, envelope: Envelope) -> Message:
        change = changes.post(
            conversation_uuid(command.conversation_id),
            command.client_id,
            command.author_kind.value,
            command.author_id,
            command.author_name,
            command.text,
            command.attachment_id,
        )
        outcome = await self._submit(change)
        seq, at = outcome.value
        return ChatMessageAckV1(
            conversation_id=command.conversation_id, client_id=command.client_id, seq=seq, at=at
        )

    async def transfer(self, command: TransferChatV1, envelope: Envelope) -> Message:
        change = changes.transfer(
            conversation_uuid(command.conversation_id),
            command.by_agent_id,
            command.to_agent_id,
            command.to_agent_name,
            command.to_department,
        )
        outcome = await self._submit(change)
        self.changed()
        return await self._answer(outcome)

    async def close(self, command: CloseChatV1, envelope: Envelope) -> Message:
        change = changes.close(
            conversation_uuid(command.conversation_id),
            command.by_kind.value,
            command.by_id,
            command.send_transcript,
        )
        outcome = await self._submit(change)
        self.changed()
        return await self._answer(outcome)

    async def rate(self, command: RateChatV1, envelope: Envelope) -> Message:
        change = changes.rate(
            conversation_uuid(command.conversation_id), command.customer_email, command.score, command.comment
        )
        return await self._answer(await self._submit(change))

    async def set_presence(self, command: SetPresenceV1, envelope: Envelope) -> Message:
        departments = list(dict.fromkeys(command.departments))
        state = await self.presence.set(
            command.agent_id, command.agent_name, command.presence.value, departments, command.capacity
        )
        self.changed()
        return PresenceStateV1(
            agent_id=state.agent_id,
            presence=state.presence,
            departments=state.departments,
            capacity=state.capacity,
            active_chats=state.active_chats,
        )

    async def touch(self, command: TouchChatV1, envelope: Envelope) -> Message:
        conversation = conversation_uuid(command.conversation_id)
        known = await self.queries.conversation(conversation, entries=False)
        if known is None:
            raise NotFound("conversation_not_found")
        if known[0].customer_email != command.customer_email:
            raise ServiceError("403", "not_a_participant")
        await self.presence.touch(conversation)
        return ConversationV1(conversation=known[0])

    async def _answer(self, outcome: Outcome) -> ConversationV1:
        """The conversation after the change, with the entries it added (a queued one with its place)."""
        summary = wire.summary(outcome.summary)
        if outcome.summary.status == Status.QUEUED:
            known = await self.queries.conversation(outcome.summary.conversation_id, entries=False)
            summary = known[0] if known is not None else summary
        return ConversationV1(conversation=summary, entries=wire.entries(outcome.events))

    async def _submit(self, change: Change) -> Outcome:
        """The one place where the domain's refusals become coded errors (→ HTTP at the gateway)."""
        try:
            return await self.writer.submit(change)
        except ConversationNotFound:
            raise NotFound("conversation_not_found") from None
        except NotAParticipant:
            raise ServiceError("403", "not_a_participant") from None
        except (EmptyMessage, TransferTargetMissing) as refused:
            raise Invalid(refused.reason) from None
        except Refused as refused:
            raise Conflict(refused.reason, status=refused.status) from None
        except Busy:
            raise Unavailable("busy") from None
