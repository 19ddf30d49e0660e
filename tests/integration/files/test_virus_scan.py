"""The optional virus scan with a real clamd (its database knows only the EICAR test file)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from minio import Minio
from support import infra
from support.accounts import sql

from contracts.files import OwnerKind
from devstack.clamd import EICAR, SIGNATURE
from devstack.procs import free_port
from files.adapters.catalog import Catalog
from files.adapters.storage import Storage, client
from files.config import Settings
from files.uploads import Refused, Upload, Uploads
from plumbing.errors import ServiceError
from plumbing.postgres import open_pool


async def _body(data: bytes) -> AsyncIterator[bytes]:
    yield data


@pytest.fixture
async def uploads_with(postgres_url: str, s3: infra.S3) -> AsyncIterator[Callable[[str], Uploads]]:
    """A factory of Uploads against real S3 and PostgreSQL, scanning with the given clamd."""
    minio = Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)
    bucket = f"scan-{free_port()}"
    minio.make_bucket(bucket)
    async with open_pool(postgres_url) as pool:
        catalog = Catalog(pool)
        await catalog.ensure_schema()

        def make(address: str) -> Uploads:
            settings = Settings(
                s3_endpoint=s3.endpoint,
                s3_access_key=s3.access_key,
                s3_secret_key=s3.secret_key,
                s3_bucket=bucket,
                clamd_address=address,
            )
            return Uploads(catalog, Storage(client(settings), bucket), settings)

        yield make


UPLOAD = Upload("script.sql", OwnerKind.TICKET, "ticket-1", "acc-1")


async def test_a_clean_file_passes_and_an_infected_one_is_refused_by_name(
    uploads_with: Callable[[str], Uploads], clamd: str, postgres_url: str
) -> None:
    uploads = uploads_with(clamd)
    clean = await uploads.receive(UPLOAD, _body(b"SELECT 1;\n"))
    assert clean.size == 10
    with pytest.raises(Refused) as refused:
        await uploads.receive(UPLOAD, _body(EICAR))
    assert refused.value.refusal.code == "infected"
    assert SIGNATURE in (refused.value.refusal.detail or "")
    assert sql(postgres_url, "SELECT count(*) FROM attachments") == [(1,)], "only the clean file"


async def test_a_scanner_that_cannot_be_reached_stores_nothing(
    uploads_with: Callable[[str], Uploads], postgres_url: str
) -> None:
    uploads = uploads_with(f"127.0.0.1:{free_port()}")
    with pytest.raises(ServiceError) as refused:
        await uploads.receive(UPLOAD, _body(b"SELECT 1;\n"))
    assert (refused.value.code, refused.value.reason) == ("503", "scanner_unavailable")
    assert sql(postgres_url, "SELECT count(*) FROM attachments") == [(0,)]
