"""Settings of the mail-ingest service (env prefix ATENDE_MAIL_INGEST_)."""

from pydantic import Field, SecretStr
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
    # A mail storm from one address (a loop, a script) opens at most this many tickets/replies an
    # hour; the rest stays in IMAP, recorded as capped, for an admin to retry.
    mails_per_sender_hour: int = Field(default=20, ge=1)
    # Larger mail (by the server's RFC822.SIZE) is never downloaded: it is quarantined as too_large.
    max_mail_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    # Attachments go to the files service's private port, under the same rules as uploads.
    files_url: str = "http://127.0.0.1:8005"
    files_token: SecretStr = Field(default=SecretStr(""), description="The files service's INTERNAL_TOKEN.")
