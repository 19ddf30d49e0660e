"""Settings of the notifier service (env prefix ATENDE_NOTIFIER_)."""

from datetime import UTC, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from plumbing.settings import ConsumerSettings, PostgresSettings, ServiceSettings


class Settings(ServiceSettings, PostgresSettings, ConsumerSettings):
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
    # Mails per hour at most, about one ticket and to one address; the excess is recorded as skipped.
    mails_per_ticket_hour: int = Field(default=10, ge=1)
    mails_per_address_hour: int = Field(default=30, ge=1)
    # Account mails (verification, reset) have their own cap per address: a burst of reset requests
    # must not flood a mailbox, and a storm of ticket mail must not hold back a password reset.
    account_mails_per_address_hour: int = Field(default=5, ge=1)
    # An agent's reply lists its files by name, asked of the files service. If it does not answer in
    # files_timeout_s, the event is retried this many times (the consumer's backoff: 1 s, then 5 s),
    # so a restarting files service costs seconds; after that the mail goes with "anexo 1", "anexo 2"
    # and the links, which work whatever the names.
    files_timeout_s: float = Field(default=2.0, gt=0)
    attachment_name_retries: int = Field(default=2, ge=0, le=3)  # under the durable's max_deliver (5)
    # A chat's transcript is read from the chat service; not answering in time fails the event, and the
    # consumer tries it again with its backoff (dead-lettered after max_deliver, like any failure).
    chat_timeout_s: float = Field(default=5.0, gt=0)
    # The zone a transcript's times are shown in (an IANA name, e.g. America/Sao_Paulo); the mail says which.
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value != "UTC":
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def zone(self) -> tzinfo:
        """The configured time zone (UTC needs no zone database)."""
        return UTC if self.timezone == "UTC" else ZoneInfo(self.timezone)

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")
