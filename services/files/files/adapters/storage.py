"""Object storage through the minio SDK (synchronous: called from async code through a thread)."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from pathlib import Path

import urllib3
from minio import Minio
from minio.error import S3Error

from files.config import Settings

# The SDK reads one part into memory at a time; S3's smallest part keeps an upload's RAM bounded.
PART_SIZE = 5 * 1024 * 1024
CHUNK = 64 * 1024


def client(settings: Settings) -> Minio:
    """A client for the configured S3 endpoint (MinIO in production, SeaweedFS here)."""
    # Fewer retries than the SDK's default five: with S3 away, the uploader hears 503 in seconds.
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5.0, read=60.0),
        maxsize=16,
        retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )
    return Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key.get_secret_value(),
        secure=settings.s3_secure,
        region=settings.s3_region,
        http_client=http,
    )


class Storage:
    """The attachments bucket."""

    def __init__(self, minio: Minio, bucket: str) -> None:
        self.minio = minio
        self.bucket = bucket

    def _ensure_bucket(self) -> None:
        if not self.minio.bucket_exists(self.bucket):
            self.minio.make_bucket(self.bucket)

    async def ensure_bucket(self) -> None:
        """Create the bucket if it is missing (idempotent, safe for several replicas)."""
        await asyncio.to_thread(self._ensure_bucket)

    async def reachable(self) -> bool:
        """Readiness: our credentials work and the bucket is there."""
        return await asyncio.to_thread(self.minio.bucket_exists, self.bucket)

    def put(self, key: str, path: Path, size: int, content_type: str) -> None:
        """Store the spooled file under ``key`` (blocking)."""
        with path.open("rb") as data:
            self.minio.put_object(
                self.bucket,
                key,
                data,
                size,
                content_type=content_type,
                part_size=PART_SIZE,
                num_parallel_uploads=1,
            )

    def remove(self, key: str) -> None:
        """Delete ``key``; a missing object is fine (blocking)."""
        try:
            self.minio.remove_object(self.bucket, key)
        except S3Error as exc:
            if exc.code != "NoSuchKey":
                raise

    def chunks(self, key: str) -> Generator[bytes, None, None]:
        """The object's bytes in small chunks (blocking; the response is released at the end)."""
        response = self.minio.get_object(self.bucket, key)
        try:
            yield from response.stream(CHUNK)
        finally:
            response.close()
            response.release_conn()
