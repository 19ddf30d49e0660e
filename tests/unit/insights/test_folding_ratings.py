"""A ticket's or a chat's rating facts fold into its one rating: the latest by version, whatever came twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts.chat import ChatRatedV1, ChatRequestedV1
from contracts.common import Channel
from contracts.tickets import TicketOpenedV1, TicketRatedV1, TicketStatus
from insights.domain.folding import fold_rating
from insights.domain.records import RatingRecord

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TICKET = {"ticket_id": "t-1", "number": 1042, "customer_email": "maria@example.com"}
OPENED = TicketOpenedV1(
    **TICKET, channel=Channel.PORTAL, subject="Boleto", body="Não gera.", department="Financeiro",
    status=TicketStatus.WAITING, opened_at=T0,
)  # fmt: skip


def ticket_rated(
    score: int, comment: str, minutes: int, department: str | None = "Financeiro"
) -> TicketRatedV1:
    return TicketRatedV1(
        **TICKET, department=department, agent_id="ana", score=score, comment=comment,
        rated_at=T0 + timedelta(minutes=minutes),
    )  # fmt: skip


def chat_rated(score: int, comment: str, minutes: int) -> ChatRatedV1:
    return ChatRatedV1(
        conversation_id="c-1", department="Suporte", customer_email="joao@example.com", agent_id="bia",
        score=score, comment=comment, rated_at=T0 + timedelta(minutes=minutes),
    )  # fmt: skip


def test_an_unrated_subject_has_no_rating() -> None:
    assert fold_rating([]) is None
    assert fold_rating([OPENED]) is None


def test_a_ticket_rating_keeps_its_department_agent_and_number() -> None:
    assert fold_rating([OPENED, ticket_rated(4, "Bom", 60)]) == RatingRecord(
        "ticket", "t-1", "Financeiro", "ana", 4, "Bom", T0 + timedelta(minutes=60), number=1042
    )


def test_a_re_rating_replaces_the_earlier_one_and_duplicates_change_nothing() -> None:
    first, again = ticket_rated(2, "Demorou", 60), ticket_rated(5, "Resolveram, obrigada", 120)
    once = fold_rating([OPENED, first, again])
    assert once is not None and (once.score, once.comment) == (5, "Resolveram, obrigada")
    # Redelivered facts kept twice over (in version order: the store sorts them) fold the same.
    assert fold_rating([OPENED, OPENED, first, first, again, again]) == once


def test_the_later_version_wins_even_when_its_rated_at_is_earlier() -> None:
    # Version order is the aggregate's order; a clock that went back does not undo a re-rating.
    rating = fold_rating([OPENED, ticket_rated(5, "", 120), ticket_rated(1, "Mudei de ideia", 60)])
    assert rating is not None and rating.score == 1 and rating.comment == "Mudei de ideia"


def test_a_ticket_rating_without_department_takes_the_tickets() -> None:
    rating = fold_rating([OPENED, ticket_rated(3, "", 60, department=None)])
    assert rating is not None and rating.department == "Financeiro"
    alone = fold_rating([ticket_rated(3, "", 60, department=None)])  # the opening not (yet) kept
    assert alone is not None and alone.department is None


def test_a_chat_rating_is_the_latest_chat_rated_fact() -> None:
    requested = ChatRequestedV1(
        conversation_id="c-1", department="Suporte", customer_email="joao@example.com", customer_name="João",
        question="O site caiu", requested_at=T0,
    )  # fmt: skip
    assert fold_rating([requested, chat_rated(1, "Ruim", 30), chat_rated(4, "Melhorou", 40)]) == RatingRecord(
        "chat", "c-1", "Suporte", "bia", 4, "Melhorou", T0 + timedelta(minutes=40)
    )
