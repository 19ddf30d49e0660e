"""The files service on real S3, PostgreSQL and NATS: bytes in through its private port, facts out."""

from __future__ import annotations

import io
import os
import secrets
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from minio import Minio
from prometheus_client import REGISTRY
from support import infra
from support.accounts import sql
from support.faults import dying_proxy
from support.samples import accepted, sample
from support.waiting import eventually

from contracts import Envelope
from contracts.files import AttachmentListV1, DescribeAttachmentsV1, OwnerKind
from contracts.subjects import ATTACHMENT_REJECTED_V1, ATTACHMENT_STORED_V1, DESCRIBE_ATTACHMENTS_V1
from devstack.procs import free_port
from files.adapters.catalog import Catalog
from files.adapters.storage import Storage, client
from files.bootstrap import bootstrap
from files.config import Settings
from files.sweeper import Sweeper
from files.uploads import Upload, Uploads
from plumbing.bus import Bus
from plumbing.errors import ServiceError
from plumbing.postgres import open_pool

TOKEN = "internal-secret"
MAX = 10 * 1024 * 1024


@dataclass
class Files:
    """A running files service: its private port's client, its bucket and its database."""

    http: httpx.AsyncClient
    minio: Minio
    bucket: str
    postgres_url: str

    def objects(self) -> list[str]:
        return [o.object_name for o in self.minio.list_objects(self.bucket, recursive=True)]

    def rows(self) -> list[tuple[Any, ...]]:
        return sql(self.postgres_url, "SELECT attachment_id, state FROM attachments")

    async def upload(
        self, filename: str, body: Any, *, owner: str = "ticket-1", **params: str
    ) -> httpx.Response:
        query = {"filename": filename, "owner_kind": "ticket", "owner_id": owner, "uploaded_by": "acc-1"}
        return await self.http.post("/v1/attachments", params=query | params, content=body)


def minio_for(s3: infra.S3) -> Minio:
    return Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)


def settings_for(nats_url: str, postgres_url: str, s3: infra.S3, bucket: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "postgres_url": postgres_url,
        "ops_port": None,
        "internal_port": free_port(),
        "internal_token": TOKEN,
        "s3_endpoint": s3.endpoint,
        "s3_access_key": s3.access_key,
        "s3_secret_key": s3.secret_key,
        "s3_bucket": bucket,
    }
    return Settings(**(values | overrides))


@pytest.fixture
async def files(nats_url: str, postgres_url: str, s3: infra.S3) -> AsyncIterator[Files]:
    bucket = f"t-{secrets.token_hex(6)}"
    settings = settings_for(nats_url, postgres_url, s3, bucket)
    async with (
        bootstrap(settings),
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{settings.internal_port}",
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as http,
    ):
        yield Files(http, minio_for(s3), bucket, postgres_url)


async def published(bus: Bus, subject: str, attachment_id: str) -> Envelope | None:
    """The fact about ``attachment_id`` on ``subject``, if it reached JetStream."""
    js = bus.nc.jetstream()
    subscription = await js.subscribe(subject, ordered_consumer=True, deliver_policy="all")
    try:
        while True:
            try:
                message = await subscription.next_msg(timeout=0.5)
            except TimeoutError:
                return None
            envelope = Envelope.model_validate_json(message.data)
            if envelope.data.get("attachment_id") == attachment_id:
                return envelope
    finally:
        await subscription.unsubscribe()


async def test_a_real_file_is_stored_described_and_announced(files: Files, bus: Bus) -> None:
    name, data = accepted("png")
    answer = await files.upload(name, data)
    assert answer.status_code == 201, answer.text
    stored = answer.json()
    assert stored["content_type"] == "image/png" and stored["size"] == len(data)
    assert stored["filename"] == name and stored["owner_id"] == "ticket-1"
    [key] = files.objects()
    assert name not in key, "the storage key is generated, never the caller's name"
    assert files.minio.get_object(files.bucket, key).read() == data
    described = await bus.request(
        DESCRIBE_ATTACHMENTS_V1,
        DescribeAttachmentsV1(attachment_ids=["unknown", stored["attachment_id"]]),
        AttachmentListV1,
    )
    assert [a.attachment_id for a in described.attachments] == [stored["attachment_id"]]
    assert described.attachments[0].sha256 == stored["sha256"]

    async def announced() -> bool:
        return await published(bus, ATTACHMENT_STORED_V1, stored["attachment_id"]) is not None

    await eventually(announced, what="AttachmentStored on JetStream")
    download = await files.http.get(f"/v1/attachments/{stored['attachment_id']}/content")
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-type"] == "image/png"


async def test_every_allowed_type_is_accepted(files: Files) -> None:
    before = _uploads("stored", "")
    for extension in ("gif", "jpeg", "jpg", "png", "zip", "rar", "xls", "xlsx", "doc", "docx", "sql", "pdf"):
        name, data = accepted(extension)
        answer = await files.upload(name, data)
        assert answer.status_code == 201, (extension, answer.text)
    assert len(files.objects()) == 12
    assert _uploads("stored", "") == before + 12


async def test_one_byte_over_ten_megabytes_is_refused_and_leaves_nothing(files: Files, bus: Bus) -> None:
    declared = await files.upload("grande.pdf", b"%PDF-1.4\n" + b"0" * (MAX + 1 - 9))
    assert declared.status_code == 413, declared.text
    assert declared.json() == {"error": "too_large", "limit": MAX, "detail": None, "filename": "grande.pdf"}

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: the stream is cut at the limit
        yield b"%PDF-1.4\n"
        for _ in range(11):
            yield b"0" * (1024 * 1024)

    streamed = await files.upload("grande.pdf", chunked(), attachment_id=str(uuid.uuid4()))
    assert streamed.status_code == 413
    assert files.objects() == [] and files.rows() == []

    exactly = await files.upload("limite.sql", b"-- " + b"a" * (MAX - 4) + b"\n")
    assert exactly.status_code == 201, "exactly 10 MB is allowed"
    assert await _rejections(bus, "too_large") >= 2


async def _rejections(bus: Bus, code: str) -> int:
    js = bus.nc.jetstream()
    subscription = await js.subscribe(ATTACHMENT_REJECTED_V1, ordered_consumer=True, deliver_policy="all")
    count = 0
    try:
        while True:
            try:
                message = await subscription.next_msg(timeout=0.5)
            except TimeoutError:
                return count
            count += Envelope.model_validate_json(message.data).data["reason_code"] == code
    finally:
        await subscription.unsubscribe()


@pytest.mark.parametrize(
    ("filename", "body", "status", "reason"),
    [
        ("programa.exe", b"MZ\x90\x00", 415, "extension_not_allowed"),
        ("fatura.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, 415, "content_mismatch"),
        ("pagina.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>", 415, "content_mismatch"),
        ("vazio.pdf", b"", 422, "empty"),
    ],
)
async def test_refusals_name_the_rule(
    files: Files, filename: str, body: bytes, status: int, reason: str
) -> None:
    before = _uploads("refused", reason)
    answer = await files.upload(filename, body)
    assert (answer.status_code, answer.json()["error"]) == (status, reason)
    assert files.objects() == [] and files.rows() == []
    assert _uploads("refused", reason) == before + 1, "operators see each refusal by its rule"


def _uploads(outcome: str, reason: str) -> float:
    return REGISTRY.get_sample_value("atende_uploads_total", {"outcome": outcome, "reason": reason}) or 0.0


async def test_a_retried_upload_with_the_same_id_stores_one_file(files: Files) -> None:
    attachment_id = str(uuid.uuid4())
    first = await files.upload("a.png", sample("png"), attachment_id=attachment_id)
    again = await files.upload("a.png", sample("png"), attachment_id=attachment_id)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(files.objects()) == 1


async def test_the_private_port_wants_the_token(files: Files) -> None:
    anonymous = httpx.AsyncClient(base_url=str(files.http.base_url))
    async with anonymous:
        answer = await anonymous.post(
            "/v1/attachments",
            params={"filename": "a.png", "owner_kind": "ticket", "owner_id": "t", "uploaded_by": "x"},
            content=sample("png"),
        )
    assert answer.status_code == 401
    assert files.objects() == []


async def test_s3_down_gives_a_clear_503_and_records_nothing(
    nats_url: str, postgres_url: str, s3: infra.S3
) -> None:
    settings = settings_for(nats_url, postgres_url, s3, "never-reached")
    nobody = settings.model_copy(update={"s3_endpoint": f"127.0.0.1:{free_port()}"})
    async with open_pool(postgres_url) as pool:
        catalog = Catalog(pool)
        await catalog.ensure_schema()
        uploads = Uploads(catalog, Storage(client(nobody), "never-reached"), settings)

        async def body() -> AsyncIterator[bytes]:
            yield sample("png")

        with pytest.raises(ServiceError) as refused:
            await uploads.receive(Upload("a.png", OwnerKind.TICKET, "ticket-1", "acc-1"), body())
    assert (refused.value.code, refused.value.reason) == ("503", "storage_unavailable")
    assert sql(postgres_url, "SELECT count(*) FROM attachments") == [(0,)]
    assert sql(postgres_url, "SELECT count(*) FROM outbox") == [(0,)], (
        "no fact about a file that is not there"
    )


async def test_s3_going_down_mid_upload_leaves_no_trace(files: Files, s3: infra.S3, nats_url: str) -> None:
    settings = settings_for(nats_url, files.postgres_url, s3, files.bucket)
    data = _incompressible_zip(9 * 1024 * 1024)
    async with (
        dying_proxy(s3.endpoint, cutoff=2 * 1024 * 1024) as proxy,
        open_pool(files.postgres_url) as pool,
    ):
        flaky = settings.model_copy(update={"s3_endpoint": proxy.address})
        uploads = Uploads(Catalog(pool), Storage(client(flaky), files.bucket), settings)

        async def body() -> AsyncIterator[bytes]:
            yield data

        with pytest.raises(ServiceError) as refused:
            await uploads.receive(Upload("backup.zip", OwnerKind.TICKET, "ticket-1", "acc-1"), body())
        assert proxy.dead.is_set(), "S3 went away in the middle of the upload"
    assert (refused.value.code, refused.value.reason) == ("503", "storage_unavailable")
    assert files.rows() == [] and files.objects() == []
    assert sql(files.postgres_url, "SELECT count(*) FROM outbox") == [(0,)]


def _incompressible_zip(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("dump.bin", os.urandom(size))
    return buffer.getvalue()


async def test_the_sweeper_removes_what_a_dead_upload_left(files: Files, s3: infra.S3) -> None:
    key = "2026/01/01/orphan"
    files.minio.put_object(files.bucket, key, io.BytesIO(b"half"), 4)
    sql(
        files.postgres_url,
        "INSERT INTO attachments (attachment_id, state, storage_key, owner_kind, owner_id, filename,"
        " uploaded_by, created_at) VALUES ('dead', 'pending', %s, 'ticket', 't', 'a.png', 'x', %s)",
        key,
        datetime.now(UTC) - timedelta(hours=2),
    )
    async with open_pool(files.postgres_url) as pool:
        assert await Sweeper(Catalog(pool), Storage(minio_for(s3), files.bucket)).sweep() == 1
    assert files.objects() == [] and files.rows() == []
