"""Settings of the files service (env prefix ATENDE_FILES_)."""

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from plumbing.settings import PostgresSettings, ServiceSettings

# Guide 003's table: images, compressed backups, spreadsheets, documents, database scripts, PDF.
EXTENSIONS = ("gif", "jpeg", "jpg", "png", "zip", "rar", "xls", "xlsx", "doc", "docx", "sql", "pdf")


class Settings(ServiceSettings, PostgresSettings):
    """Everything the files service reads from its environment.

    Bytes arrive over a private HTTP port (INTERNAL_PORT) that only the gateway and mail-ingest
    reach; every request there must carry INTERNAL_TOKEN. Metadata questions go over NATS.
    """

    model_config = SettingsConfigDict(env_prefix="ATENDE_FILES_", extra="ignore", frozen=True)

    ops_port: int | None = 8105
    internal_host: str = "127.0.0.1"
    internal_port: int = 8005
    internal_token: SecretStr = Field(
        default=SecretStr(""), description="Shared with the gateway and mail-ingest; empty: no check."
    )
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = ""
    s3_secret_key: SecretStr = SecretStr("")
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    s3_bucket: str = "atende-files"
    max_bytes: int = Field(default=10 * 1024 * 1024, gt=0, description="Guide 003: at most 10 MB.")
    # Comma-separated in the environment: ATENDE_FILES_EXTENSIONS=pdf,png
    extensions: Annotated[tuple[str, ...], NoDecode] = EXTENSIONS
    spool_dir: Path | None = Field(
        default=None, description="Where uploads wait while checked; None: $TMPDIR."
    )
    clamd_address: str | None = Field(
        default=None, description="host:port of a clamd to scan every upload with; None: no scan."
    )

    @field_validator("spool_dir", "clamd_address", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("extensions", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(name.strip().lower().lstrip(".") for name in value.split(",") if name.strip())
        return value
