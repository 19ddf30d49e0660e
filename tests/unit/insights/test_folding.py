"""A ticket's and a chat's facts fold into the records insights reads, whatever came twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts.chat import (
    ChatAcceptedV1,
    ChatClosedV1,
    ChatMessagePostedV1,
    ChatRequestedV1,
    ChatTransferredV1,
    ConversationStatus,
)
from contracts.common import ActorKind, Channel
from contracts.tickets import (
    TicketAssignedV1,
    TicketClosedV1,
    TicketNoteAddedV1,
    TicketOpenedV1,
    TicketRepliedV1,
    TicketStatus,
    TicketStatusChangedV1,
)
from insights.domain.folding import fold_chat, fold_ticket

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TICKET = {"ticket_id": "t-1", "number": 1042, "customer_email": "maria@example.com"}


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def moved(before: TicketStatus, after: TicketStatus, minutes: int) -> TicketStatusChangedV1:
    return TicketStatusChangedV1(
        **TICKET, previous_status=before, status=after, changed_by=ActorKind.AGENT, changed_at=at(minutes)
    )


def replied(kind: ActorKind, who: str, minutes: int) -> TicketRepliedV1:
    return TicketRepliedV1(
        **TICKET, reply_id=f"r{minutes}", author_kind=kind, author_name=who, body="…",
        channel=Channel.PORTAL, replied_at=at(minutes),
    )  # fmt: skip


OPENED = TicketOpenedV1(
    **TICKET, channel=Channel.EMAIL, customer_name="Maria", subject="Boleto não gera",
    body="Dá erro ao gerar a segunda via.", department="Financeiro", status=TicketStatus.WAITING, opened_at=T0,
)  # fmt: skip


def test_a_ticket_keeps_its_first_response_its_spans_and_when_it_finished() -> None:
    W, P, A, F = (TicketStatus.WAITING, TicketStatus.IN_PROGRESS, TicketStatus.AWAITING_CUSTOMER,
                  TicketStatus.FINISHED)  # fmt: skip
    facts = [
        OPENED,
        moved(W, P, 10),
        TicketNoteAddedV1(**TICKET, author="ana", noted_at=at(11)),
        replied(ActorKind.AGENT, "ana", 15),
        moved(P, A, 15),
        replied(ActorKind.CUSTOMER, "maria@example.com", 40),
        moved(A, P, 40),
        replied(ActorKind.AGENT, "bia", 50),
        TicketAssignedV1(**TICKET, assignee="bia", assigned_by="ana", assigned_at=at(51)),
        TicketClosedV1(**TICKET, closed_by=ActorKind.AGENT, closed_at=at(60)),
    ]
    record = fold_ticket(facts)
    assert record is not None
    assert (record.channel, record.department, record.text) == (
        "email",
        "Financeiro",
        "Boleto não gera\nDá erro ao gerar a segunda via.",
    )
    assert (record.first_response_at, record.first_responder) == (at(15), "ana")
    assert (record.finished_at, record.assignee) == (at(60), "bia")
    assert [(s.status, s.start, s.end) for s in record.spans] == [
        ("waiting", T0, at(10)),
        ("in_progress", at(10), at(15)),
        ("awaiting_customer", at(15), at(40)),
        ("in_progress", at(40), at(60)),
        ("finished", at(60), None),
    ]
    # Folding the later facts onto the record of the earlier ones (what insights does with a fact that
    # comes in order) gives the same record, wherever the history is cut.
    assert all(fold_ticket(facts[cut:], fold_ticket(facts[:cut])) == record for cut in range(1, len(facts)))
    reopened = fold_ticket([*facts, moved(F, W, 90)])
    assert reopened is not None and reopened.finished_at is None and reopened.spans[-1].status == "waiting"


def test_nothing_is_known_of_a_ticket_before_its_opening_fact() -> None:
    assert fold_ticket([moved(TicketStatus.WAITING, TicketStatus.IN_PROGRESS, 5)]) is None


def test_a_chat_keeps_its_wait_its_agent_its_customers_words_and_how_it_ended() -> None:
    chat = {"conversation_id": "c-1"}
    facts = [
        ChatRequestedV1(
            **chat,
            department="Suporte",
            customer_email="joao@example.com",
            customer_name="João",
            question="O site caiu",
            requested_at=T0,
        ),
        ChatAcceptedV1(**chat, department="Suporte", agent_id="ana", waited_s=42.0, accepted_at=at(1)),
        ChatMessagePostedV1(
            **chat, seq=3, author_kind=ActorKind.AGENT, author_id="ana", text="Olá!", posted_at=at(2)
        ),
        ChatMessagePostedV1(
            **chat,
            seq=4,
            author_kind=ActorKind.CUSTOMER,
            author_id="joao@example.com",
            text="Aparece erro 500",
            posted_at=at(3),
        ),
        ChatTransferredV1(
            **chat, from_agent_id="ana", to_agent_id="bia", department="Websites", transferred_at=at(4)
        ),
        ChatClosedV1(
            **chat,
            department="Websites",
            customer_email="joao@example.com",
            customer_name="João",
            agent_id="bia",
            closed_by=ActorKind.AGENT,
            status=ConversationStatus.CLOSED,
            messages=2,
            closed_at=at(9),
        ),
    ]
    record = fold_chat(facts)
    assert record is not None
    assert all(fold_chat(facts[cut:], fold_chat(facts[:cut])) == record for cut in range(1, len(facts)))
    assert (record.accepted_at, record.waited_s, record.agent_id, record.department) == (
        at(1),
        42.0,
        "bia",
        "Websites",
    )
    assert (record.text, record.messages, record.outcome, record.closed_at) == (
        "O site caiu\nAparece erro 500",
        2,
        "closed",
        at(9),
    )
    left = fold_chat([facts[0], facts[-1].model_copy(update={"status": ConversationStatus.ABANDONED})])
    assert left is not None and (left.outcome, left.accepted_at, left.waited_s) == ("abandoned", None, None)
