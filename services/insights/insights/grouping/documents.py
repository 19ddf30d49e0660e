"""What the grouping reads of a ticket or a chat: its key, kind, department, time and what it is about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from insights.domain.records import ChatRecord, Kind, TicketRecord


@dataclass(frozen=True)
class Document:
    """One ticket or chat to group; ``key`` is the ticket's or the conversation's id."""

    key: str
    kind: Kind
    department: str | None
    at: datetime
    text: str


def from_ticket(ticket: TicketRecord) -> Document:
    """A ticket as a document: its subject and the customer's opening message, when it was opened."""
    return Document(ticket.ticket_id, "ticket", ticket.department, ticket.opened_at, ticket.text)


def from_chat(chat: ChatRecord) -> Document:
    """A chat as a document: its start-form question and the customer's messages, when it was requested."""
    return Document(chat.conversation_id, "chat", chat.department, chat.requested_at, chat.text)


def documents(tickets: Iterable[TicketRecord] = (), chats: Iterable[ChatRecord] = ()) -> list[Document]:
    """The tickets' and the chats' documents, tickets first."""
    return [*map(from_ticket, tickets), *map(from_chat, chats)]
