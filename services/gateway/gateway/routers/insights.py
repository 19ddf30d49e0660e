"""Insights for agents and admins: the service figures of a period, as JSON or a CSV download, and the
customers' comments for admins."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from contracts.common import Id
from contracts.insights import (
    DemandCommand,
    DemandDecisionV1,
    DemandName,
    DemandsV1,
    DevelopmentNote,
    FiguresV1,
    GetDemandsV1,
    GetFiguresV1,
    GetRatingCommentsV1,
    MergeDemandV1,
    NameDemandV1,
    RatingCommentsV1,
    SendDemandToDevelopmentV1,
    SplitDemandV1,
    WithdrawDemandFromDevelopmentV1,
)
from contracts.subjects import (
    GET_DEMANDS_V1,
    GET_FIGURES_V1,
    GET_RATING_COMMENTS_V1,
    MERGE_DEMAND_V1,
    NAME_DEMAND_V1,
    SEND_DEMAND_TO_DEVELOPMENT_V1,
    SPLIT_DEMAND_V1,
    WITHDRAW_DEMAND_FROM_DEVELOPMENT_V1,
)
from gateway.accounts import staff
from gateway.auth import CurrentAgent
from gateway.dependencies import AccountsDep, BusDep
from gateway.domain.accounts import ADMIN
from gateway.domain.principal import Principal
from gateway.openapi import documented
from plumbing.bus import Bus
from plumbing.errors import Invalid, ServiceError

router = APIRouter(
    prefix="/api/v1/agent/insights", tags=["insights"], responses=documented(401, 403, 422, 503, 504)
)
Period = Annotated[
    str, Query(min_length=7, max_length=40, description="2026-03-05, 2026-W10, 2026-03 or a..b")
]
By = Annotated[Literal["overall", "department", "agent"], Query()]
Department = Annotated[str | None, Query(max_length=100, description="Only this department (empty: all).")]


def _visible(me: Principal, department: str | None = None) -> list[str] | None:
    """An admin sees every department (None); an agent only theirs; ``department`` narrows it to one.

    An agent asking for a department not theirs is refused (403 ``department_not_yours``).
    """
    if not department:
        return None if me.kind == ADMIN else list(me.departments)
    if me.kind != ADMIN and department not in me.departments:
        raise ServiceError(
            "403",
            "department_not_yours",
            {"errors": [{"field": "department", "reason": "department_not_yours"}]},
        )
    return [department]


async def _figures(
    bus: Bus,
    me: Principal,
    period: str,
    by: Literal["overall", "department", "agent"],
    department: str | None = None,
) -> FiguresV1:
    """The figures of what ``me`` may see."""
    query = GetFiguresV1(period=period, by=by, departments=_visible(me, department))
    found: FiguresV1 = await bus.request(GET_FIGURES_V1, query, FiguresV1)
    return found


@router.get("/figures")
async def figures(
    me: CurrentAgent, bus: BusDep, period: Period, by: By = "department", department: Department = None
) -> FiguresV1:
    """Tickets (opened, first response, resolution, backlog), time in each status, chats and satisfaction."""
    return await _figures(bus, me, period, by, department)


@router.get("/figures.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def figures_csv(
    me: CurrentAgent,
    bus: BusDep,
    period: Period,
    table: Annotated[str, Query(max_length=40)] = "tickets",
    by: By = "department",
    department: Department = None,
) -> Response:
    """One table of the figures as a CSV file (UTF-8 with BOM, so spreadsheets read the accents)."""
    found = await _figures(bus, me, period, by, department)
    chosen = next((t for t in found.tables if t.name == table), None)
    if chosen is None:
        raise Invalid("invalid", errors=[{"field": "table", "reason": "table_unknown"}])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(chosen.columns)
    writer.writerows(chosen.rows)
    filename = f"atende-{table}-{found.period}.csv".replace("..", "_")
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/demands")
async def demands(me: CurrentAgent, bus: BusDep, period: Period, department: Department = None) -> DemandsV1:
    """Recurring demands of a period, biggest first: their words, typical wording, size now and before."""
    found: DemandsV1 = await bus.request(
        GET_DEMANDS_V1, GetDemandsV1(period=period, departments=_visible(me, department)), DemandsV1
    )
    return found


# Agents' decisions on a demand: name, merge/split, sent to development (each one an event in insights).
DemandId = Annotated[str, Path(min_length=1, max_length=200)]


class DemandNameIn(BaseModel):
    """A demand's new name (trimmed; empty clears it)."""

    model_config = ConfigDict(extra="forbid")
    name: DemandName


class DemandMergeIn(BaseModel):
    """The demand to merge into."""

    model_config = ConfigDict(extra="forbid")
    into: Id


class DemandNoteIn(BaseModel):
    """What was handed to the development team (a ticket key, a link), 1–2000 characters."""

    model_config = ConfigDict(extra="forbid")
    note: DevelopmentNote


async def _decide(bus: Bus, subject: str, command: DemandCommand) -> DemandDecisionV1:
    found: DemandDecisionV1 = await bus.request(subject, command, DemandDecisionV1)
    return found


def _by(me: Principal) -> dict[str, str]:
    return {"by_agent_id": me.account_id, "by_agent_name": me.name}


@router.put("/demands/{demand_id}/name", responses=documented(404))
async def name_demand(
    demand_id: DemandId, new: DemandNameIn, me: CurrentAgent, bus: BusDep
) -> DemandDecisionV1:
    """Name a demand (an empty name clears it); answers the demand's decisions."""
    return await _decide(bus, NAME_DEMAND_V1, NameDemandV1(demand_id=demand_id, name=new.name, **_by(me)))


@router.post("/demands/{demand_id}/merge", responses=documented(404, 409))
async def merge_demand(
    demand_id: DemandId, merge: DemandMergeIn, me: CurrentAgent, bus: BusDep
) -> DemandDecisionV1:
    """Merge a demand into another: its tickets and chats count there (no chains)."""
    command = MergeDemandV1(demand_id=demand_id, into=merge.into, **_by(me))
    return await _decide(bus, MERGE_DEMAND_V1, command)


@router.delete("/demands/{demand_id}/merge", responses=documented(404, 409))
async def split_demand(demand_id: DemandId, me: CurrentAgent, bus: BusDep) -> DemandDecisionV1:
    """Split a merged demand back out."""
    return await _decide(bus, SPLIT_DEMAND_V1, SplitDemandV1(demand_id=demand_id, **_by(me)))


@router.put("/demands/{demand_id}/development", responses=documented(404))
async def send_demand_to_development(
    demand_id: DemandId, sent: DemandNoteIn, me: CurrentAgent, bus: BusDep
) -> DemandDecisionV1:
    """Mark a demand "sent to development" with a note (a new note replaces the old one)."""
    command = SendDemandToDevelopmentV1(demand_id=demand_id, note=sent.note, **_by(me))
    return await _decide(bus, SEND_DEMAND_TO_DEVELOPMENT_V1, command)


@router.delete("/demands/{demand_id}/development", responses=documented(404, 409))
async def withdraw_demand_from_development(
    demand_id: DemandId, me: CurrentAgent, bus: BusDep
) -> DemandDecisionV1:
    """Take a demand back from the development team."""
    command = WithdrawDemandFromDevelopmentV1(demand_id=demand_id, **_by(me))
    return await _decide(bus, WITHDRAW_DEMAND_FROM_DEVELOPMENT_V1, command)


class RatingCommentOut(BaseModel):
    """A customer's comment as the console shows it: the agent by name."""

    kind: Literal["ticket", "chat"]
    id: str
    number: int | None
    department: str | None
    agent: str | None
    score: int
    comment: str
    rated_at: datetime


class RatingCommentsOut(BaseModel):
    """The customers' comments of a period, newest first (at most 200)."""

    period: str
    comments: list[RatingCommentOut]


@router.get("/comments")
async def rating_comments(
    me: CurrentAgent,
    bus: BusDep,
    accounts: AccountsDep,
    period: Period,
    department: Department = None,
    kind: Annotated[Literal["ticket", "chat"] | None, Query()] = None,
) -> RatingCommentsOut:
    """The customers' comments given with their ratings in a period, newest first; admins only."""
    if me.kind != ADMIN:
        raise ServiceError("403", "admins_only")
    query = GetRatingCommentsV1(period=period, departments=_visible(me, department), kind=kind)
    found: RatingCommentsV1 = await bus.request(GET_RATING_COMMENTS_V1, query, RatingCommentsV1)
    names = {p.account_id: p.name for p in await staff.listed(accounts)} if found.comments else {}
    return RatingCommentsOut(
        period=found.period,
        comments=[
            RatingCommentOut(
                kind=c.kind,
                id=c.id,
                number=c.number,
                department=c.department,
                # An agent whose account is gone is still told apart by their id.
                agent=None if c.agent_id is None else names.get(c.agent_id, c.agent_id),
                score=c.score,
                comment=c.comment,
                rated_at=c.rated_at,
            )
            for c in found.comments
        ],
    )
