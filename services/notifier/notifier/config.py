"""Settings of the notifier service (env prefix ATENDE_NOTIFIER_)."""

from typing import Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from plumbing.settings import PostgresSettings, ServiceSettings


class Settings(ServiceSettings, PostgresSettings):
    """Everything the notifier service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ATENDE_NOTIFIER_", extra="ignore", frozen=True)

    ops_port: int | None = 8104
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    smtp_timeout_s: float = 30.0
    mail_from: str = "Atende <suporte@atende.local>"
    # Where customers' answers go (mail-ingest's mailbox); its domain also names our Message-IDs.
    support_address: str = "suporte@atende.local"
    public_url: str = "http://127.0.0.1:8000"
    language: Literal["pt-BR", "en"] = "pt-BR"

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")
