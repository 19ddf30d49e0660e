"""Small value types shared by several message families."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
]
Id = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=200_000)]
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
