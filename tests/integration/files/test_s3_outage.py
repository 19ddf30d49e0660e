"""S3 away while files keeps running: uploads answer 503 at once, and the same upload succeeds once it is back.

The files service runs in-process through its bootstrap; it reaches the session's real S3 through a
TCP switch the test turns off (the listener closed and every open connection cut, as when S3 goes
down) and on again on the same port. The service is never restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
import uuid
from collections.abc import AsyncIterator

import httpx
from minio import Minio
from support import infra
from support.accounts import sql
from support.samples import sample

from devstack.procs import free_port
from files.bootstrap import bootstrap
from files.config import Settings

TOKEN = "internal-secret"


class S3Switch:
    """Forwards 127.0.0.1:``port`` to ``upstream`` while on; off, it refuses connections and cuts open ones."""

    def __init__(self, upstream: str) -> None:
        host, _, port = upstream.rpartition(":")
        self.upstream = (host, int(port))
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def on(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def off(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for link in self._links:
            link.close()
        self._links.clear()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        self._links |= {client_writer, server_writer}
        await asyncio.gather(
            self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer)
        )

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while chunk := await reader.read(64 * 1024):
                writer.write(chunk)
                await writer.drain()
        writer.close()


async def test_an_upload_refused_while_s3_is_down_succeeds_once_it_is_back_without_a_restart(
    nats_url: str, postgres_url: str, s3: infra.S3
) -> None:
    """503 storage_unavailable during the outage, nothing kept; then the same upload stores one file."""
    bucket = f"t-{secrets.token_hex(6)}"
    switch = S3Switch(s3.endpoint)
    await switch.on()
    settings = Settings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        internal_port=free_port(),
        internal_token=TOKEN,
        s3_endpoint=switch.address,
        s3_access_key=s3.access_key,
        s3_secret_key=s3.secret_key,
        s3_bucket=bucket,
    )
    minio = Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)

    def objects() -> list[str]:
        return [str(o.object_name) for o in minio.list_objects(bucket, recursive=True)]

    def rows(attachment_id: str) -> list[tuple[object, ...]]:
        return sql(postgres_url, "SELECT state FROM attachments WHERE attachment_id = %s", attachment_id)

    async with bootstrap(settings), http_client(settings) as http:

        async def upload(attachment_id: str) -> httpx.Response:
            query = {"filename": "boleto.pdf", "owner_kind": "ticket", "owner_id": "ticket-1"}
            query |= {"uploaded_by": "acc-1", "attachment_id": attachment_id}
            return await http.post("/v1/attachments", params=query, content=sample("pdf"))

        before = str(uuid.uuid4())
        assert (await upload(before)).status_code == 201  # pooled connections to S3 now exist
        assert len(objects()) == 1

        await switch.off()
        attachment_id = str(uuid.uuid4())
        began = time.monotonic()
        refused = await upload(attachment_id)
        took = time.monotonic() - began
        print(f"503 after {took:.2f} s")
        assert refused.status_code == 503, refused.text
        assert "storage_unavailable" in refused.text
        # A bound far above the ~1 s it takes, far below a hang (the uploader would wait for 60 s).
        assert took < 30
        assert rows(attachment_id) == [] and len(objects()) == 1, "nothing kept of a refused upload"

        await switch.on()
        stored = await upload(attachment_id)  # the uploader's retry, with the same id
        assert stored.status_code == 201, stored.text
        assert stored.json()["attachment_id"] == attachment_id
    await switch.off()
    assert rows(attachment_id) == [("stored",)]
    assert len(objects()) == 2, "exactly one object for the retried upload"


@contextlib.asynccontextmanager
async def http_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The files service's private port, with its token and a timeout well past any answer it gives."""
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{settings.internal_port}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    ) as http:
        yield http
