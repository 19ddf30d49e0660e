"""FastAPI dependencies: the bus and the health registry live on app.state, set by bootstrap."""

from typing import Annotated

from fastapi import Depends, Request

from plumbing.bus import Bus


def get_bus(request: Request) -> Bus:
    """The process's bus."""
    bus: Bus = request.app.state.bus
    return bus


BusDep = Annotated[Bus, Depends(get_bus)]
