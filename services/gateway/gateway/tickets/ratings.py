"""A customer's rating of a finished ticket: signed in, or by the mailed link's key (no account needed)."""

from __future__ import annotations

from contracts.subjects import GET_TICKET_V1, RATE_TICKET_V1
from contracts.ticket_commands import GetTicketV1, RateTicketV1, TicketV1
from gateway.tickets.models import NewRating, Rating, rating_out
from plumbing.bus import Bus
from plumbing.errors import NotFound

_ID_MAX = 200  # contracts.common.Id: a longer id names no ticket


async def rate(
    bus: Bus,
    ticket_id: str,
    new: NewRating,
    *,
    customer_email: str | None = None,
    key: str | None = None,
    before: Rating | None = None,
) -> Rating:
    """Rate the ticket; the tickets service checks the proof (404 if it fails) and that it is finished (409).

    A rating without a comment (the mail's one-click link) keeps the comment given before, so
    opening the link again never wipes what the customer wrote; ``before``: the rating the caller
    already read (signed in), else it is read here.
    """
    if len(ticket_id) > _ID_MAX:
        raise NotFound("ticket_not_found")
    comment = new.comment
    if comment is None:
        if before is None and customer_email is None:
            # Read only to keep the comment: nothing of it is answered unless the key proves right.
            found = await bus.request(GET_TICKET_V1, GetTicketV1(ticket_id=ticket_id), TicketV1)
            before = rating_out(found.rating)
        comment = before.comment if before is not None else ""
    command = RateTicketV1(
        ticket_id=ticket_id, customer_email=customer_email, rating_key=key, score=new.score, comment=comment
    )
    rated = rating_out((await bus.request(RATE_TICKET_V1, command, TicketV1)).rating)
    assert rated is not None, "a rating that was accepted is there"
    return rated
