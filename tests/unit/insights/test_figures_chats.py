"""Chat figures on a hand-built week of chats and offline messages, every value counted by hand below."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from insights.domain.periods import Period
from insights.domain.records import ChatRecord, Outcome, StatusSpan, TicketRecord
from insights.figures import ChatFigures, Durations, chat_figures
from insights.figures.stats import NO_DURATIONS

SP = ZoneInfo("America/Sao_Paulo")
WEEK = Period.week(date(2026, 3, 2))  # Monday 2 to Sunday 8 March 2026, São Paulo


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SP)


def chat(
    conversation_id: str,
    department: str,
    requested: str,
    waited_s: float | None,
    agent_id: str | None,
    outcome: Outcome | None,
    messages: int,
) -> ChatRecord:
    requested_at = at(requested)
    accepted_at = (
        None if waited_s is None else datetime.fromtimestamp(requested_at.timestamp() + waited_s, SP)
    )
    return ChatRecord(
        conversation_id=conversation_id,
        department=department,
        customer_email="cliente@example.com",
        question="dúvida",
        text="dúvida",
        requested_at=requested_at,
        accepted_at=accepted_at,
        waited_s=waited_s,
        agent_id=agent_id,
        closed_at=None if outcome is None else requested_at + timedelta(hours=1),
        outcome=outcome,
        messages=messages,
    )


def left_message(
    ticket_id: str, department: str, opened: str, assignee: str | None, channel: str = "chat"
) -> TicketRecord:
    opened_at = at(opened)
    return TicketRecord(
        ticket_id=ticket_id,
        number=int(ticket_id[1:]),
        department=department,
        channel=channel,
        customer_email="cliente@example.com",
        subject="mensagem deixada no chat",
        text="mensagem deixada no chat",
        opened_at=opened_at,
        first_response_at=None,
        first_responder=None,
        finished_at=None,
        assignee=assignee,
        spans=(StatusSpan("waiting", opened_at, None),),
    )


# The week, by hand (wait in seconds, messages):
# c1 Suporte   Mon 09:00, waited 30, ana, closed, 10 messages
# c2 Suporte   Mon 09:30, waited 90, ana, closed, 6 messages
# c3 Suporte   Mon 09:45, never accepted, the customer gave up: abandoned, 1 message
# c4 Comercial Tue 09:00, waited 150, bia, the customer left mid-chat: abandoned, 4 messages
# c5 Comercial Tue 09:10, waited 20, ana (helping Comercial), still going, 2 messages
# c6 Suporte   the Friday before: in nothing
# Offline messages (tickets on channel chat): o1 Suporte Mon, unassigned; o2 Comercial Tue, bia;
# o3 Suporte the Monday after: not this week; p1 a portal ticket: not an offline message.
CHATS = [
    chat("c1", "Suporte", "2026-03-02 09:00", 30, "ana", "closed", 10),
    chat("c2", "Suporte", "2026-03-02 09:30", 90, "ana", "closed", 6),
    chat("c3", "Suporte", "2026-03-02 09:45", None, None, "abandoned", 1),
    chat("c4", "Comercial", "2026-03-03 09:00", 150, "bia", "abandoned", 4),
    chat("c5", "Comercial", "2026-03-03 09:10", 20, "ana", None, 2),
    chat("c6", "Suporte", "2026-02-27 09:00", 45, "bia", "closed", 3),
]
TICKETS = [
    left_message("o1", "Suporte", "2026-03-02 20:00", None),
    left_message("o2", "Comercial", "2026-03-03 21:00", "bia"),
    left_message("o3", "Suporte", "2026-03-09 20:00", None),
    left_message("p1", "Suporte", "2026-03-02 20:00", "ana", channel="portal"),
]


def test_overall_chat_figures_of_the_week() -> None:
    (row,) = chat_figures(CHATS, TICKETS, WEEK)

    # Requested c1–c5; accepted c1 c2 c4 c5; abandoned c3 c4.
    # Waits 20, 30, 90, 150 → median (30 + 90) / 2 = 60; p90 at rank 2.7: 90 + 0.7 × 60 = 132.
    # Agents ana and bia: 4 accepted / 2 = 2 each; messages (10 + 6 + 4 + 2) / 4 = 5.5.
    assert row == ChatFigures(
        key=None,
        requested=5,
        accepted=4,
        abandoned=2,
        wait=Durations(4, 60.0, pytest.approx(132.0)),
        offline_messages=2,
        agents=2,
        chats_per_agent=2.0,
        average_messages=5.5,
    )


def test_chat_figures_per_department() -> None:
    comercial, suporte = chat_figures(CHATS, TICKETS, WEEK, by="department")

    # Comercial: c4 c5. Waits 20, 150 → median 85, p90 20 + 0.9 × 130 = 137. Two agents, one chat each.
    assert comercial == ChatFigures(
        "Comercial", 2, 2, 1, Durations(2, 85.0, pytest.approx(137.0)), 1, 2, 1.0, 3.0
    )
    # Suporte: c1 c2 c3. Waits 30, 90 → median 60, p90 30 + 0.9 × 60 = 84. ana alone took both.
    assert suporte == ChatFigures("Suporte", 3, 2, 1, Durations(2, 60.0, pytest.approx(84.0)), 1, 1, 2.0, 8.0)


def test_chat_figures_per_agent_who_held_the_chat_last() -> None:
    rows = chat_figures(CHATS, TICKETS, WEEK, by="agent")

    assert [row.key for row in rows] == ["ana", "bia", None]
    ana, bia, nobody = rows
    # ana: c1 c2 c5. Waits 20, 30, 90 → median 30, p90 at rank 1.8: 30 + 0.8 × 60 = 78. Messages 18 / 3.
    assert ana == ChatFigures("ana", 3, 3, 0, Durations(3, 30.0, pytest.approx(78.0)), 0, 1, 3.0, 6.0)
    # bia: c4, and the offline message o2 assigned to her.
    assert bia == ChatFigures("bia", 1, 1, 1, Durations(1, 150.0, 150.0), 1, 1, 1.0, 4.0)
    # Nobody: c3 was never accepted; o1 is unassigned. No agents: no chats per agent, no average.
    assert nobody == ChatFigures(None, 1, 0, 1, NO_DURATIONS, 1, 0, None, None)


def test_no_chats_give_one_empty_overall_row() -> None:
    assert chat_figures([], [], WEEK) == (ChatFigures(None, 0, 0, 0, NO_DURATIONS, 0, 0, None, None),)
    assert chat_figures([], [], WEEK, by="department") == ()
    # Offline messages alone still make their rows.
    assert chat_figures([], TICKETS, WEEK, by="department") == (
        ChatFigures("Comercial", 0, 0, 0, NO_DURATIONS, 1, 0, None, None),
        ChatFigures("Suporte", 0, 0, 0, NO_DURATIONS, 1, 0, None, None),
    )


def test_the_week_before_holds_only_its_own_chat() -> None:
    (row,) = chat_figures(CHATS, TICKETS, WEEK.previous())

    assert row == ChatFigures(None, 1, 1, 0, Durations(1, 45.0, 45.0), 0, 1, 1.0, 3.0)
