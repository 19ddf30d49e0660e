"""Settings of the tickets service (env prefix ATENDE_TICKETS_)."""

from pydantic_settings import SettingsConfigDict

from plumbing.settings import ConsumerSettings, PostgresSettings, ServiceSettings


class Settings(ServiceSettings, PostgresSettings, ConsumerSettings):
    """Everything the tickets service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ATENDE_TICKETS_", extra="ignore", frozen=True)

    ops_port: int | None = 8101
