"""Small value types shared by several message families."""

from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
]
Id = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def _without_nul(value: object) -> object:
    """NUL becomes U+FFFD, as an undecodable byte does: PostgreSQL cannot store it in text or jsonb,
    so one NUL in a mail's body stopped every consumer and projection that kept the text."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


ShortText = Annotated[str, BeforeValidator(_without_nul), StringConstraints(max_length=500)]
LongText = Annotated[str, BeforeValidator(_without_nul), StringConstraints(max_length=200_000)]
TicketNumber = Annotated[int, Field(ge=1, description="Human ticket number, shown as #1042.")]
Score = Annotated[
    int, Field(ge=1, le=5, description="The customer's satisfaction: 1 (very bad) to 5 (very good).")
]
RatingComment = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2_000),
    Field(description="The customer's words."),
]


class Channel(StrEnum):
    """Where a request or reply came in."""

    PORTAL = "portal"
    EMAIL = "email"
    CHAT = "chat"


class ActorKind(StrEnum):
    """Who caused a change."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"
