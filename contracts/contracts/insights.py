"""Messages of insights: the gateway's queries for the service figures (and, later, demands and ratings)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.common import ShortText
from contracts.envelope import Message
from contracts.registry import message_type

Cell = str | int | float | None


class FigureTable(BaseModel):
    """One table of figures: its name, column names and rows of plain cells (as a CSV would hold it)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: ShortText = Field(description="tickets, status_times, chats or satisfaction.")
    columns: list[ShortText]
    rows: list[list[Cell]]


@message_type("insights.GetFigures", 1)
class GetFiguresV1(Message):
    """The service figures of a period, overall or by department or agent, for some departments."""

    period: ShortText = Field(description="2026-03-05, 2026-W10, 2026-03 or 2026-03-01..2026-03-15.")
    by: Literal["overall", "department", "agent"] = "department"
    departments: list[ShortText] | None = Field(
        default=None, description="Only these departments (an agent's own); null: every one (admins)."
    )


@message_type("insights.Figures", 1)
class FiguresV1(Message):
    """The figures asked for: the period read, and a table each."""

    period: ShortText
    starts_at: datetime
    ends_at: datetime
    previous_period: ShortText
    tables: list[FigureTable]


class DemandMember(BaseModel):
    """A ticket or a chat in a demand (the most typical first)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: Literal["ticket", "chat"]
    id: ShortText


class Demand(BaseModel):
    """A recurring demand in a period: what it is about, how big it is now and in the period before."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: ShortText = Field(description="Kept across recomputations (agents' decisions hang on it).")
    terms: list[ShortText] = Field(description="Its top words, as customers write them.")
    typical: list[str] = Field(description="Up to three texts nearest its centre: the typical wording.")
    size: int = Field(ge=0, description="Tickets and chats of the period in it.")
    previous_size: int = Field(ge=0, description="The same in the period before.")
    tickets: int = Field(ge=0)
    chats: int = Field(ge=0)
    members: list[DemandMember] = Field(description="Its most typical tickets and chats of the period.")


@message_type("insights.GetDemands", 1)
class GetDemandsV1(Message):
    """The recurring demands of a period, for some departments."""

    period: ShortText = Field(description="2026-03-05, 2026-W10, 2026-03 or 2026-03-01..2026-03-15.")
    departments: list[ShortText] | None = Field(default=None, description="null: every department (admins).")


@message_type("insights.Demands", 1)
class DemandsV1(Message):
    """The demands asked for, biggest first, and when they were last grouped."""

    period: ShortText
    previous_period: ShortText
    computed_at: datetime | None = Field(description="When grouping last ran; null: not yet.")
    demands: list[Demand]
