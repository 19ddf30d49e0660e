"""Settings of the gateway (env prefix ATENDE_GATEWAY_)."""

from pydantic_settings import SettingsConfigDict

from plumbing.settings import ServiceSettings


class Settings(ServiceSettings):
    """Everything the gateway reads from its environment.

    The public API listens on HTTP_PORT; /healthz, /readyz and /metrics stay on the private OPS_PORT.
    """

    model_config = SettingsConfigDict(env_prefix="ATENDE_GATEWAY_", extra="ignore", frozen=True)

    ops_port: int | None = 8100
    http_host: str = "127.0.0.1"
    http_port: int = 8000
