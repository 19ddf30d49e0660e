"""Queries of the live chat (gateway → chat, NATS request-reply) and their own answers."""

from pydantic import Field

from contracts.chat import ChatPart, Department
from contracts.common import Email, Id, ShortText
from contracts.envelope import Message
from contracts.registry import message_type


@message_type("chat.GetConversation", 1)
class GetConversationV1(Message):
    """A conversation and its entries after ``after_seq`` (0: all): resume and gap-fill."""

    conversation_id: Id
    after_seq: int = Field(default=0, ge=0)
    entries: bool = Field(
        default=True, description="False: the conversation alone, e.g. for an access check (no entries)."
    )
    attachment_id: Id | None = Field(
        default=None,
        description="Only the entry that shared this file (none if it was not shared here): a download's check.",
    )


@message_type("chat.ListQueue", 1)
class ListQueueV1(Message):
    """Queued conversations of these departments, oldest first (an agent's queue view)."""

    departments: list[Department]


@message_type("chat.ListAgentChats", 1)
class ListAgentChatsV1(Message):
    """The conversations an agent has open."""

    agent_id: Id


@message_type("chat.SearchChats", 1)
class SearchChatsV1(Message):
    """Past conversations by words of their transcript, department or customer (agents)."""

    q: ShortText | None = None
    departments: list[Department] = Field(default_factory=list)
    customer_email: Email | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


@message_type("chat.GetAvailability", 1)
class GetAvailabilityV1(Message):
    """Whether each department can take a chat now (the widget's start form asks this)."""

    departments: list[Department]


class DepartmentAvailability(ChatPart):
    """One department: agents online with free capacity, queue length and the expected wait."""

    department: Department
    agents_online: int = Field(ge=0)
    free_slots: int = Field(ge=0)
    queued: int = Field(ge=0)
    estimated_wait_s: int | None = Field(default=None, ge=0)


@message_type("chat.Availability", 1)
class AvailabilityV1(Message):
    """Answer to GetAvailability."""

    departments: list[DepartmentAvailability]
