"""Settings of the files service (env prefix ATENDE_FILES_)."""

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from plumbing.settings import PostgresSettings, ServiceSettings


class Settings(ServiceSettings, PostgresSettings):
    """Everything the files service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ATENDE_FILES_", extra="ignore", frozen=True)

    ops_port: int | None = 8105
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = ""
    s3_secret_key: SecretStr = SecretStr("")
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    s3_bucket: str = "atende-files"
