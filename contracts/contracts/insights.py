"""Messages of insights: the gateway's queries for the service figures (and, later, demands and ratings)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.common import Id, ShortText
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
    number: int | None = Field(default=None, description="The ticket's number; null for a chat.")
    title: str = Field(default="", description="The ticket's subject or the chat's question (≤ 120 chars).")


class DemandDevelopment(BaseModel):
    """A demand handed to the development team: the agent's note, who and when."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    note: str
    by: ShortText = Field(description="The agent's name.")
    at: datetime


class DemandDecision(BaseModel):
    """One decision in a demand's history (merged/split: ``other_id`` is the other demand of the pair)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: Literal["named", "merged", "split", "sent_to_development", "development_withdrawn"]
    by: ShortText = Field(description="The agent's name.")
    at: datetime
    name: ShortText | None = None
    other_id: ShortText | None = None
    note: str | None = None


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
    name: ShortText | None = Field(default=None, description="Given by agents; null: none yet.")
    merged_from: list[ShortText] = Field(
        default_factory=list, description="Demands merged into it (their members and sizes are in it)."
    )
    development: DemandDevelopment | None = Field(default=None, description="null: not sent to development.")
    decisions: list[DemandDecision] = Field(
        default_factory=list, description="Agents' decisions, oldest first."
    )


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


DemandName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
DevelopmentNote = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class DemandCommand(Message):
    """What every decision on a demand carries: which demand, and which agent decides."""

    demand_id: Id
    by_agent_id: Id
    by_agent_name: ShortText


@message_type("insights.NameDemand", 1)
class NameDemandV1(DemandCommand):
    """Name a demand (an empty name clears it)."""

    name: DemandName = ""


@message_type("insights.MergeDemand", 1)
class MergeDemandV1(DemandCommand):
    """Merge a demand into another (no chains: neither may already be merged into a third)."""

    into: Id


@message_type("insights.SplitDemand", 1)
class SplitDemandV1(DemandCommand):
    """Split a merged demand back out of the one it was merged into."""


@message_type("insights.SendDemandToDevelopment", 1)
class SendDemandToDevelopmentV1(DemandCommand):
    """Mark a demand "sent to development", with a note (a new note replaces the old one)."""

    note: DevelopmentNote


@message_type("insights.WithdrawDemandFromDevelopment", 1)
class WithdrawDemandFromDevelopmentV1(DemandCommand):
    """Take a demand back from the development team."""


@message_type("insights.DemandDecision", 1)
class DemandDecisionV1(Message):
    """A demand's decisions after a command: its name, what it is merged into, development, history."""

    id: ShortText
    name: ShortText | None
    merged_into: ShortText | None
    development: DemandDevelopment | None
    decisions: list[DemandDecision]


class RatingComment(BaseModel):
    """A customer's comment on a rated ticket or chat, with its score (customers' words: for admins)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: Literal["ticket", "chat"]
    id: ShortText = Field(description="The ticket's or the conversation's id.")
    number: int | None = Field(default=None, description="The ticket's number; null for a chat.")
    department: ShortText | None = None
    agent_id: ShortText | None = Field(default=None, description="Who answered; null: nobody.")
    score: int = Field(ge=1, le=5)
    comment: str
    rated_at: datetime


@message_type("insights.GetRatingComments", 1)
class GetRatingCommentsV1(Message):
    """The customers' comments given with their ratings in a period, newest first (at most 200)."""

    period: ShortText = Field(description="2026-03-05, 2026-W10, 2026-03 or 2026-03-01..2026-03-15.")
    departments: list[ShortText] | None = Field(default=None, description="null: every department.")
    kind: Literal["ticket", "chat"] | None = Field(default=None, description="null: tickets and chats.")


@message_type("insights.RatingComments", 1)
class RatingCommentsV1(Message):
    """The comments asked for, newest first."""

    period: ShortText
    comments: list[RatingComment]
