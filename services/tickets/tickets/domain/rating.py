"""The rules of a customer's rating of a finished ticket (pure: the aggregate applies them)."""

from __future__ import annotations

import hmac

SCORES = range(1, 6)  # 1 "Muito ruim" … 5 "Excelente"
SIGNED_IN, LINK = "signed_in", "link"  # how the rater proved the ticket is theirs


class NotRatable(Exception):
    """Only a finished ticket can be rated."""


class NotTheirs(Exception):
    """Neither the customer's address nor the link's key matches: the ticket does not exist for them."""


def proof(customer: str, key: str | None, *, customer_email: str | None, rating_key: str | None) -> str:
    """How the rater proved the ticket is theirs (SIGNED_IN or LINK); raises NotTheirs otherwise."""
    if customer_email is not None and customer_email.strip().lower() == customer.lower():
        return SIGNED_IN
    # Compared in constant time: an answer's timing must not help guess a key.
    if key is not None and rating_key is not None and hmac.compare_digest(rating_key.encode(), key.encode()):
        return LINK
    raise NotTheirs


def checked_score(score: int) -> int:
    """``score`` if it is 1 to 5 (the contract already says so; the domain keeps its own rule)."""
    if score not in SCORES:
        raise ValueError(f"a score is 1 to 5, not {score}")
    return score
