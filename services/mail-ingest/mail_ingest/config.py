"""Settings of the mail-ingest service (env prefix ATENDE_MAIL_INGEST_)."""

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from plumbing.settings import PostgresSettings, ServiceSettings


class Settings(ServiceSettings, PostgresSettings):
    """Everything the mail-ingest service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ATENDE_MAIL_INGEST_", extra="ignore", frozen=True)

    ops_port: int | None = 8103
    imap_host: str = "127.0.0.1"
    imap_port: int = 1143
    imap_ssl: bool = False
    imap_user: str = "support"
    imap_password: SecretStr = SecretStr("")
    imap_mailbox: str = "INBOX"
    # Longest wait in IDLE between two looks at the mailbox (new mail ends it at once); without
    # IDLE on the server, the pause between polls.
    poll_s: float = 2.0
