"""Insights for agents and admins: the service figures of a period, as JSON or a CSV download."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from contracts.insights import DemandsV1, FiguresV1, GetDemandsV1, GetFiguresV1
from contracts.subjects import GET_DEMANDS_V1, GET_FIGURES_V1
from gateway.auth import CurrentAgent
from gateway.dependencies import BusDep
from gateway.domain.accounts import ADMIN
from gateway.domain.principal import Principal
from gateway.openapi import documented
from plumbing.bus import Bus
from plumbing.errors import Invalid

router = APIRouter(
    prefix="/api/v1/agent/insights", tags=["insights"], responses=documented(401, 403, 422, 503, 504)
)
Period = Annotated[
    str, Query(min_length=7, max_length=40, description="2026-03-05, 2026-W10, 2026-03 or a..b")
]
By = Annotated[Literal["overall", "department", "agent"], Query()]


def _visible(me: Principal) -> list[str] | None:
    """An admin sees every department (None); an agent only theirs."""
    return None if me.kind == ADMIN else list(me.departments)


async def _figures(
    bus: Bus, me: Principal, period: str, by: Literal["overall", "department", "agent"]
) -> FiguresV1:
    """The figures of what ``me`` may see."""
    query = GetFiguresV1(period=period, by=by, departments=_visible(me))
    found: FiguresV1 = await bus.request(GET_FIGURES_V1, query, FiguresV1)
    return found


@router.get("/figures")
async def figures(me: CurrentAgent, bus: BusDep, period: Period, by: By = "department") -> FiguresV1:
    """Tickets (opened, first response, resolution, backlog), time in each status and chats, for a period."""
    return await _figures(bus, me, period, by)


@router.get("/figures.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def figures_csv(
    me: CurrentAgent,
    bus: BusDep,
    period: Period,
    table: Annotated[str, Query(max_length=40)] = "tickets",
    by: By = "department",
) -> Response:
    """One table of the figures as a CSV file (UTF-8 with BOM, so spreadsheets read the accents)."""
    found = await _figures(bus, me, period, by)
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
async def demands(me: CurrentAgent, bus: BusDep, period: Period) -> DemandsV1:
    """Recurring demands of a period, biggest first: their words, typical wording, size now and before."""
    found: DemandsV1 = await bus.request(
        GET_DEMANDS_V1, GetDemandsV1(period=period, departments=_visible(me)), DemandsV1
    )
    return found
