"""A ticket's life as the tickets relay publishes it, for tests that feed consumers without tickets."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts import Message
from contracts.common import ActorKind, Channel
from contracts.subjects import TICKET_CLOSED_V1, TICKET_OPENED_V1, TICKET_REPLIED_V1
from contracts.tickets import TicketClosedV1, TicketOpenedV1, TicketRepliedV1, TicketStatus


def ticket_life(tag: str, i: int) -> list[tuple[str, Message, str]]:
    """Opened, answered by an agent, finished: (subject, fact, the relay's message id) for each.

    Each of the three mails the customer, whose address is unique to ``tag`` and ``i``.
    """
    now = datetime.now(UTC)
    common = {"ticket_id": f"{tag}-{i}", "number": i + 1, "customer_email": f"c{i}@{tag}.example.com"}
    return [
        (
            TICKET_OPENED_V1,
            TicketOpenedV1(**common, channel=Channel.PORTAL, customer_name="Maria", subject=f"Boleto {i}",
                           status=TicketStatus.WAITING, opened_at=now),
            f"tickets:{tag}-{i}:1",
        ),
        (
            TICKET_REPLIED_V1,
            TicketRepliedV1(**common, reply_id=f"r{i}", author_kind=ActorKind.AGENT, author_name="ana",
                            body="Segue a segunda via.", channel=Channel.PORTAL, replied_at=now),
            f"tickets:{tag}-{i}:2",
        ),
        (
            TICKET_CLOSED_V1,
            TicketClosedV1(**common, closed_by=ActorKind.AGENT, closed_at=now),
            f"tickets:{tag}-{i}:3",
        ),
    ]  # fmt: skip
