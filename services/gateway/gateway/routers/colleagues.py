"""The console's list of colleagues: whom a ticket can be assigned to, or a chat transferred to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gateway.accounts import staff
from gateway.accounts.models import Me
from gateway.auth import CurrentAgent
from gateway.dependencies import AccountsDep
from gateway.openapi import documented

router = APIRouter(prefix="/api/v1/agent", tags=["console"], responses=documented(401, 403, 422, 503))


@router.get("/colleagues")
async def colleagues(
    me: CurrentAgent,
    accounts: AccountsDep,
    department: Annotated[str | None, Query(max_length=100)] = None,
) -> list[Me]:
    """Agents and admins who share a department with the caller (or serve ``department``), by name."""
    wanted = {department} if department else set(me.departments)
    found = [Me.of(p) for p in await staff.listed(accounts) if wanted & set(p.departments)]
    return sorted(found, key=lambda colleague: colleague.name.casefold())
