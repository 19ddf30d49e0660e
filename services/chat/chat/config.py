"""Settings of the chat service (env prefix ATENDE_CHAT_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from plumbing.settings import PostgresSettings, ServiceSettings


class Settings(ServiceSettings, PostgresSettings):
    """Everything the chat service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ATENDE_CHAT_", extra="ignore", frozen=True)

    ops_port: int | None = 8102
    presence_timeout_s: float = Field(
        default=90.0, gt=0, description="An agent not heard from for this long counts as offline."
    )
    abandon_after_s: float = Field(
        default=600.0,
        gt=0,
        description="A queued or active chat whose customer is not seen this long is abandoned.",
    )
    abandon_poll_s: float = Field(default=15.0, gt=0, description="How often to look for abandoned chats.")
    auto_assign: bool = Field(
        default=False, description="Give queued chats to the least-loaded online agent with a free slot."
    )
    auto_assign_poll_s: float = Field(default=5.0, gt=0, description="How often auto-assignment looks again.")
    cache_size: int = Field(default=5000, ge=1, description="Conversations kept in memory (recently active).")
    snapshot_every: int = Field(
        default=100, ge=2, description="Snapshot a conversation every this many events."
    )
    max_batch: int = Field(default=256, ge=1, description="Most changes saved in one transaction.")
