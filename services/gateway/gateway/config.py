"""Settings of the gateway (env prefix ATENDE_GATEWAY_)."""

from pydantic_settings import SettingsConfigDict

from plumbing.settings import ServiceSettings


class Settings(ServiceSettings):
    """Everything the gateway reads from its environment; its health lives on its own HTTP port."""

    model_config = SettingsConfigDict(env_prefix="ATENDE_GATEWAY_", extra="ignore", frozen=True)

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    request_timeout_s: float = 5.0
