"""Network faults between a client and a real server: a TCP proxy that goes down mid-transfer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from devstack.procs import free_port


class DyingProxy:
    """Forwards to ``upstream`` until ``cutoff`` bytes went up, then cuts every link and refuses new ones."""

    def __init__(self, upstream: str, cutoff: int) -> None:
        host, _, port = upstream.rpartition(":")
        self.upstream = (host, int(port))
        self.cutoff = cutoff
        self.sent = 0
        self.dead = asyncio.Event()
        self.port = free_port()
        self._links: set[asyncio.StreamWriter] = set()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upward: bool) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while not self.dead.is_set() and (chunk := await reader.read(64 * 1024)):
                if upward:
                    self.sent += len(chunk)
                    if self.sent > self.cutoff:
                        self._die()
                        return
                writer.write(chunk)
                await writer.drain()
        writer.close()

    def _die(self) -> None:
        self.dead.set()
        for link in self._links:
            link.close()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.dead.is_set():
            client_writer.close()
            return
        server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        self._links |= {client_writer, server_writer}
        await asyncio.gather(
            self._pipe(client_reader, server_writer, upward=True),
            self._pipe(server_reader, client_writer, upward=False),
        )


@asynccontextmanager
async def dying_proxy(upstream: str, cutoff: int) -> AsyncIterator[DyingProxy]:
    """A DyingProxy listening on 127.0.0.1 for the block's duration."""
    proxy = DyingProxy(upstream, cutoff)
    server = await asyncio.start_server(proxy._serve, "127.0.0.1", proxy.port)
    try:
        yield proxy
    finally:
        proxy._die()
        server.close()
        await server.wait_closed()
