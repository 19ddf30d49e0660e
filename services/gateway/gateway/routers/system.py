"""What is running: every Atende service instance that answers on NATS."""

from typing import Any

from fastapi import APIRouter

from gateway.dependencies import BusDep
from gateway.openapi import documented

router = APIRouter(prefix="/api/v1/system", tags=["system"])


@router.get("/services", responses=documented(503))
async def services(bus: BusDep) -> dict[str, Any]:
    """Instances that answered a NATS micro PING, grouped by service name."""
    answers = await bus.ping_services()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for answer in answers:
        grouped.setdefault(answer.get("name", "?"), []).append(
            {"id": answer.get("id"), "version": answer.get("version")}
        )
    return {"services": dict(sorted(grouped.items()))}
