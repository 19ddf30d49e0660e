"""Rating by the mailed link: no account, no cookie; the link's key is the proof (a wrong one is a 404)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gateway.dependencies import BusDep
from gateway.openapi import ApiId, documented
from gateway.ratelimit import http as limits
from gateway.ratelimit.limiter import RATING
from gateway.tickets.models import KeyedRating, NewRating, Rating
from gateway.tickets.ratings import rate

router = APIRouter(prefix="/api/v1/ratings", tags=["ratings (public)"], responses=documented(422, 503, 504))


@router.post("/tickets/{ticket_id}", responses=documented(404, 409, 429))
async def rate_ticket(ticket_id: ApiId, new: KeyedRating, request: Request, bus: BusDep) -> Rating:
    """Rate a finished ticket with the key of the link in its "Finalizado" mail.

    1 (Muito ruim) to 5 (Excelente); rating again replaces the rating; without ``comment``, the one
    given before stays. 404 ``ticket_not_found`` for an unknown ticket and a wrong key alike.
    """
    await limits.by_ip(request, RATING)  # also what keeps keys from being guessed
    score = NewRating(score=new.score, comment=new.comment)
    return await rate(bus, ticket_id, score, key=new.key)
