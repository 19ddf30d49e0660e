"""The settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.subjects import Durable


class ServiceSettings(BaseSettings):
    """Read once at start-up from the environment (``ATENDE_<SERVICE>_*``), never at import time."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    nats_url: str = "nats://127.0.0.1:4222"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["auto", "json", "console"] = "auto"
    ops_host: str = "127.0.0.1"
    ops_port: int | None = Field(
        default=None, description="Port of /healthz, /readyz and /metrics; None: off."
    )
    # SIGTERM to exit, at most: pods allow 20 s (the gateway spends 5 of them leaving the Service).
    shutdown_grace_s: float = 9.0
    # The same value in every service: they all ensure shared streams (TICKETS, DEADLETTER...).
    stream_replicas: int = Field(
        default=1, ge=1, le=5, description="JetStream servers holding each stream; >1 needs a cluster."
    )
    # CPython's (700, 10, 10) runs a young collection every 700 allocations and a full one (50–150 ms
    # on a service's heap) often enough to set the p99 of the busiest routes (docs/reliability.md).
    gc_thresholds: tuple[int, int, int] = Field(
        default=(20_000, 20, 20), description="gc.set_threshold for the service process."
    )

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


class ConsumerSettings(BaseSettings):
    """Mixin for services with durable consumers: the delivery policy every one of them uses.

    The defaults are the contracts' (``contracts.subjects.Durable``). Tests shorten them so that many
    retry cycles fit in seconds; an operator may lengthen them.
    """

    # Failed deliveries before a message is dead-lettered (a dependency away does not count).
    consumer_max_deliver: int = Field(default=Durable.max_deliver, ge=1)
    # How long a delivery is ours before the server gives it to another replica (kept alive meanwhile).
    consumer_ack_wait_s: float = Field(default=Durable.ack_wait_s, gt=0)
    # The waits before each retry (the last repeats), e.g. [1,5,15,60].
    consumer_backoff_s: tuple[float, ...] = Field(default=Durable.backoff_s, min_length=1)


class PostgresSettings(BaseSettings):
    """Mixin for services that keep state in their own PostgreSQL database."""

    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    postgres_pool_max: int = 10
