"""Request-reply commands: agents' decisions on recurring demands, onto the Decisions application."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from contracts.insights import (
    DemandCommand,
    DemandDecision,
    DemandDecisionV1,
    DemandDevelopment,
    MergeDemandV1,
    NameDemandV1,
    SendDemandToDevelopmentV1,
    SplitDemandV1,
    WithdrawDemandFromDevelopmentV1,
)
from contracts.subjects import (
    MERGE_DEMAND_V1,
    NAME_DEMAND_V1,
    SEND_DEMAND_TO_DEVELOPMENT_V1,
    SPLIT_DEMAND_V1,
    WITHDRAW_DEMAND_FROM_DEVELOPMENT_V1,
)
from insights.adapters import demands
from insights.decisions.application import Decisions
from insights.domain.decisions import DemandDecisions, Refused
from plumbing.bus import Bus
from plumbing.errors import Conflict, Invalid, NotFound

C = TypeVar("C", bound=DemandCommand)
# Refusals that are about the request's data (422), not about the demands' state (409).
_INVALID = {"demand_name_too_long": "name", "demand_note_blank": "note", "demand_note_too_long": "note"}


def reply(decided: DemandDecisions) -> DemandDecisionV1:
    """The wire form of a demand's decisions."""
    development = decided.development
    return DemandDecisionV1(
        id=decided.demand_id,
        name=decided.name,
        merged_into=decided.merged_into,
        development=DemandDevelopment(note=development.note, by=development.by_name, at=development.at)
        if development
        else None,
        decisions=[DemandDecision.model_validate(entry.as_json()) for entry in decided.decisions],
    )


@contextmanager
def refusals() -> Iterator[None]:
    """The one place where the rules' refusals become coded errors (→ HTTP at the gateway)."""
    try:
        yield
    except Refused as refused:
        if (field := _INVALID.get(refused.reason)) is not None:
            raise Invalid("invalid", errors=[{"field": field, "reason": refused.reason}]) from None
        raise Conflict(refused.reason) from None


async def register(
    bus: Bus, pool: AsyncConnectionPool, app: Decisions, include_views: Callable[[int], None]
) -> None:
    """Serve the decision commands in the insights queue group; answers leave once the page shows them."""

    def handler(decide: Callable[[C], DemandDecisions]) -> Callable[[C, Envelope], Awaitable[Message]]:
        async def handle(command: C, envelope: Envelope) -> Message:
            await _known(pool, command)

            def saving() -> DemandDecisions:
                app.saves.position = None
                decided = decide(command)
                if (position := app.saves.position) is not None:
                    include_views(position)  # read-your-writes: the page shows it once this answers
                return decided

            with refusals():
                return reply(await asyncio.to_thread(saving))

        return handle

    def by(command: DemandCommand) -> dict[str, Any]:
        return {"by_id": command.by_agent_id, "by_name": command.by_agent_name}

    async def serve(name: str, subject: str, kind: type[C], decide: Callable[[C], DemandDecisions]) -> None:
        await bus.serve(name, subject, kind, handler(decide))

    await serve(
        "name-demand", NAME_DEMAND_V1, NameDemandV1, lambda c: app.rename(c.demand_id, c.name, **by(c))
    )
    await serve(
        "merge-demand", MERGE_DEMAND_V1, MergeDemandV1, lambda c: app.merge(c.demand_id, c.into, **by(c))
    )
    await serve("split-demand", SPLIT_DEMAND_V1, SplitDemandV1, lambda c: app.split(c.demand_id, **by(c)))
    await serve(
        "send-demand",
        SEND_DEMAND_TO_DEVELOPMENT_V1,
        SendDemandToDevelopmentV1,
        lambda c: app.send_to_development(c.demand_id, c.note, **by(c)),
    )
    await serve(
        "withdraw-demand",
        WITHDRAW_DEMAND_FROM_DEVELOPMENT_V1,
        WithdrawDemandFromDevelopmentV1,
        lambda c: app.withdraw_from_development(c.demand_id, **by(c)),
    )


async def _known(pool: AsyncConnectionPool, command: DemandCommand) -> None:
    """Refuse a demand id the grouping does not know now (404 ``demand_unknown``, naming the field)."""
    asked = {"id": command.demand_id}
    if isinstance(command, MergeDemandV1):
        asked["into"] = command.into
    async with pool.connection() as conn:
        found = await demands.existing(conn, list(asked.values()))
    for field, demand_id in asked.items():
        if demand_id not in found:
            raise NotFound("demand_unknown", errors=[{"field": field, "reason": "demand_unknown"}])
