"""Callers of the files service's private port give idle connections up before its server closes them."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from devstack.procs import free_port
from gateway.files.client import FilesClient
from mail_ingest.adapters.files import Files
from plumbing.ops import CLIENT_KEEP_ALIVE_S, SERVER_KEEP_ALIVE_S, embedded_server


async def _peer_port(request: Request) -> PlainTextResponse:
    assert request.client is not None
    return PlainTextResponse(str(request.client.port))  # one port per TCP connection


async def _connections_used(client: httpx.AsyncClient) -> tuple[str, str, str]:
    """The client's port for two quick requests, then for one after it sat idle past its expiry."""
    first = (await client.get("/")).text
    second = (await client.get("/")).text
    await asyncio.sleep(CLIENT_KEEP_ALIVE_S + 0.3)
    return first, second, (await client.get("/")).text


async def test_the_gateway_and_mail_ingest_reconnect_rather_than_reuse_a_connection_the_server_may_be_closing() -> (
    None
):
    """At equal idle timeouts a request can race the server's close and fail (a 503 on an upload)."""
    assert CLIENT_KEEP_ALIVE_S + 1 < SERVER_KEEP_ALIVE_S
    port = free_port()
    server = embedded_server(Starlette(routes=[Route("/", _peer_port)]), "127.0.0.1", port)
    await server.start()
    gateway, mail_ingest = FilesClient(f"http://127.0.0.1:{port}", ""), Files(f"http://127.0.0.1:{port}", "")
    try:
        for first, second, later in await asyncio.gather(
            _connections_used(gateway.http), _connections_used(mail_ingest.http)
        ):
            assert second == first  # kept alive while busy
            assert later != first  # a new connection once idle, well before the server's 5 s
    finally:
        await gateway.close()
        await mail_ingest.close()
        await server.stop()
