"""Object storage through the minio SDK (synchronous: called from async code through a thread)."""

from __future__ import annotations

import asyncio

from minio import Minio

from files.config import Settings


def client(settings: Settings) -> Minio:
    """A client for the configured S3 endpoint (MinIO in production, SeaweedFS here)."""
    return Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key.get_secret_value(),
        secure=settings.s3_secure,
        region=settings.s3_region,
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
