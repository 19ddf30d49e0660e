"""Settings of the chat service (env prefix ATENDE_CHAT_)."""

from pydantic_settings import SettingsConfigDict

from plumbing.settings import PostgresSettings, ServiceSettings


class Settings(ServiceSettings, PostgresSettings):
    """Everything the chat service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ATENDE_CHAT_", extra="ignore", frozen=True)

    ops_port: int | None = 8102
