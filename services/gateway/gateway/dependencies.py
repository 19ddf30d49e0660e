"""FastAPI dependencies: the bus and the accounts service live on app.state, set by bootstrap."""

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from gateway.accounts.service import Accounts
from plumbing.bus import Bus
from plumbing.errors import Unavailable


async def get_bus(request: HTTPConnection) -> Bus:
    """The process's bus."""
    bus: Bus = request.app.state.bus
    return bus


async def get_accounts(request: HTTPConnection) -> Accounts:
    """The accounts service over the gateway's database (503 in an app built without one)."""
    accounts: Accounts | None = getattr(request.app.state, "accounts", None)
    if accounts is None:
        raise Unavailable()
    return accounts


BusDep = Annotated[Bus, Depends(get_bus)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
