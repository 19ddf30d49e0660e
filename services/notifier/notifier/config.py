"""Settings of the notifier service (env prefix ATENDE_NOTIFIER_)."""

from pydantic import SecretStr
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
    mail_from: str = "Atende <suporte@atende.local>"
