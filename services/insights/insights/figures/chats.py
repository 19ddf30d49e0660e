"""Chat figures for a period: requests, queue waits, abandoned chats, offline messages, chats per agent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from insights.domain.periods import Period
from insights.domain.records import ChatRecord, TicketRecord
from insights.figures.breakdown import By, in_order, ticket_keys
from insights.figures.stats import Durations, durations, mean

OFFLINE_CHANNEL = "chat"  # a chat's "leave a message" opens a ticket on this channel


@dataclass(frozen=True)
class ChatFigures:
    """One row of chat figures: the whole team (key None), a department or an agent.

    Chats belong to the period by when they were requested; per agent, by the agent who held them
    last (key None: never accepted).
    - ``accepted``: taken by an agent; ``abandoned``: ended by the customer (outcome abandoned).
    - ``wait``: time in the queue of the accepted chats, in elapsed seconds.
    - ``offline_messages``: tickets opened in the period from the chat's "leave a message" (per
      agent: the ticket's assignee, else its first responder).
    - ``agents``: agents who held an accepted chat; ``chats_per_agent``: accepted / agents.
    - ``average_messages``: messages per accepted chat.
    """

    key: str | None
    requested: int
    accepted: int
    abandoned: int
    wait: Durations
    offline_messages: int
    agents: int
    chats_per_agent: float | None
    average_messages: float | None


@dataclass
class _Tally:
    requested: int = 0
    accepted: int = 0
    abandoned: int = 0
    waits: list[float] = field(default_factory=list)
    offline_messages: int = 0
    agents: set[str] = field(default_factory=set)
    messages: list[float] = field(default_factory=list)


def chat_figures(
    chats: Iterable[ChatRecord], tickets: Iterable[TicketRecord], period: Period, by: By = "overall"
) -> tuple[ChatFigures, ...]:
    """The figures of the period, one row per key (``overall``: exactly one row, key None)."""
    tallies: dict[str | None, _Tally] = defaultdict(_Tally)
    if by == "overall":
        tallies[None] = _Tally()
    for chat in chats:
        if not period.holds(chat.requested_at):
            continue
        tally = tallies[_key(chat, by)]
        tally.requested += 1
        if chat.outcome == "abandoned":
            tally.abandoned += 1
        if chat.accepted_at is not None:
            tally.accepted += 1
            tally.messages.append(chat.messages)
            if chat.agent_id is not None:
                tally.agents.add(chat.agent_id)
            if chat.waited_s is not None:
                tally.waits.append(chat.waited_s)
    _, owner_of = ticket_keys(by)
    for ticket in tickets:
        if ticket.channel == OFFLINE_CHANNEL and period.holds(ticket.opened_at):
            tallies[owner_of(ticket)].offline_messages += 1
    return tuple(
        ChatFigures(
            key,
            tally.requested,
            tally.accepted,
            tally.abandoned,
            durations(tally.waits),
            tally.offline_messages,
            len(tally.agents),
            tally.accepted / len(tally.agents) if tally.agents else None,
            mean(tally.messages),
        )
        for key, tally in in_order(tallies)
    )


def _key(chat: ChatRecord, by: By) -> str | None:
    if by == "department":
        return chat.department
    if by == "agent":
        return chat.agent_id
    return None
