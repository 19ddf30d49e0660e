"""The gateway as a real HTTP server over a real NATS: health, discovery, correlation, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import Query

from devstack.procs import free_port
from gateway.app import create_app
from gateway.bootstrap import bootstrap
from gateway.config import Settings
from plumbing.bus import RemoteError
from plumbing.errors import Conflict
from plumbing.runtime import Runtime

OPS_PORT = free_port()


@pytest.fixture
async def gateway(nats_url: str, postgres_url: str) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = Settings(
        nats_url=nats_url, postgres_url=postgres_url, http_port=free_port(), ops_port=OPS_PORT
    )
    async with bootstrap(settings) as runtime:
        runtime.health.started = True
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as client:
            yield runtime, client


async def test_health_and_metrics_are_private(gateway: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = gateway
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{OPS_PORT}") as ops:
        assert (await ops.get("/healthz")).json() == {"service": "gateway", "status": "alive"}
        ready = await ops.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"nats": "ok", "postgres": "ok"}
        await client.get("/api/v1/system/services")
        metrics = (await ops.get("/metrics")).text
        assert "atende_requests_total" in metrics
        # By route template, so a ticket id never becomes a label.
        assert 'route="/api/v1/system/services",status="200"' in metrics
        assert 'atende_http_request_seconds_count{method="GET",route="/api/v1/system/services"}' in metrics
        runtime.health.stopping = True
        assert (await ops.get("/readyz")).status_code == 503
    for private in ("/healthz", "/readyz", "/metrics"):
        assert (await client.get(private)).status_code == 404, f"{private} must not be public"


async def test_lists_the_services_answering_on_nats(gateway: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = gateway
    body = (await client.get("/api/v1/system/services")).json()
    assert [instance["version"] for instance in body["services"]["gateway"]] == ["0.1.0"]


async def test_correlation_id_is_echoed_or_created(gateway: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = gateway
    given = await client.get("/api/v1/system/services", headers={"X-Correlation-Id": "abc-123"})
    assert given.headers["x-correlation-id"] == "abc-123"
    hostile = await client.get(
        "/api/v1/system/services", headers={"X-Correlation-Id": "bad value\twith spaces"}
    )
    assert hostile.headers["x-correlation-id"] not in {"", "bad value\twith spaces"}


async def test_errors_are_clear_and_localised(gateway: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, _ = gateway
    app = create_app(runtime.bus)

    async def refuse() -> None:
        raise Conflict("conflict", current_version=2)

    async def needs_number(page: int = Query(ge=1)) -> dict[str, int]:
        return {"page": page}

    async def crash() -> None:
        raise RuntimeError("database password is hunter2")

    async def remote_crash() -> None:
        raise RemoteError("500", "TypeError('Object of type UUID is not JSON serializable')")

    async def odd_reason() -> None:
        raise RemoteError("409", "Traceback (most recent call last): ...")

    app.add_api_route("/test/refuse", refuse)
    app.add_api_route("/test/number", needs_number)
    app.add_api_route("/test/crash", crash)
    app.add_api_route("/test/remote-crash", remote_crash)
    app.add_api_route("/test/odd", odd_reason)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        refused = await client.get("/test/refuse", headers={"Accept-Language": "en-US,en;q=0.9"})
        assert refused.status_code == 409
        assert refused.json() == {
            "error": "conflict",
            "message": "The request conflicts with the current state.",
        }

        invalid = await client.get("/test/number?page=0")
        assert invalid.status_code == 422
        body = invalid.json()
        assert (body["error"], body["message"]) == ("invalid", "Dados inválidos.")
        assert body["fields"][0]["field"] == "query.page"
        assert body["fields"][0]["reason"] == "greater_than_equal"

        unknown = await client.get("/api/v1/nowhere")
        assert unknown.status_code == 404
        assert unknown.json() == {"error": "not_found", "message": "Não encontrado."}
        wrong_method = await client.post("/api/v1/system/services", headers={"Accept-Language": "en"})
        assert wrong_method.status_code == 405
        assert wrong_method.json() == {"error": "method_not_allowed", "message": "Method not allowed here."}

        crashed = await client.get("/test/crash", headers={"Accept-Language": "en"})
        assert crashed.status_code == 500
        assert crashed.json() == {
            "error": "internal_error",
            "message": "Internal error. We have been notified.",
        }
