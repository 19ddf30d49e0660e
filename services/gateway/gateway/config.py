"""Settings of the gateway (env prefix ATENDE_GATEWAY_)."""

from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from plumbing.settings import PostgresSettings, ServiceSettings

DEPARTMENTS = ("Comercial", "Financeiro", "Suporte", "Websites")


class Settings(ServiceSettings, PostgresSettings):
    """Everything the gateway reads from its environment.

    The public API listens on HTTP_PORT; /healthz, /readyz and /metrics stay on the private OPS_PORT.
    Accounts, sessions and API tokens live in the gateway's own database (POSTGRES_URL).
    """

    model_config = SettingsConfigDict(env_prefix="ATENDE_GATEWAY_", extra="ignore", frozen=True)

    ops_port: int | None = 8100
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people reach the portal; links in emails start here.",
    )
    dev_mode: bool = Field(
        default=False, description="Development only: answers carry the email links (no mail is sent yet)."
    )
    cookie_secure: bool = Field(
        default=True, description="Mark cookies Secure; false only with DEV_MODE, for plain-http development."
    )
    files_url: str = Field(
        default="http://127.0.0.1:8005", description="The files service's private port (attachment bytes)."
    )
    files_token: SecretStr = Field(default=SecretStr(""), description="The files service's INTERNAL_TOKEN.")
    chat_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Signs chat resume tokens; the same on every replica. Empty: one made up per process.",
    )
    chat_resume_window_s: float = Field(
        default=1800, gt=0, description="A closed browser may come back this long."
    )
    chat_max_message_bytes: int = Field(default=4096, ge=1, le=65536)
    chat_messages_burst: float = Field(
        default=10, ge=1, description="Messages a chat socket may send at once…"
    )
    chat_messages_per_s: float = Field(
        default=1.0, gt=0, description="…and then per second (flooding is refused)."
    )
    # Comma-separated in the environment: sites that embed the support button may open customer sockets.
    chat_origins: Annotated[tuple[str, ...], NoDecode] = ()
    session_idle_days: float = Field(default=7, gt=0)
    session_max_days: float = Field(default=30, gt=0)
    # Comma-separated in the environment: ATENDE_GATEWAY_DEPARTMENTS=Comercial,Financeiro,Suporte
    departments: Annotated[tuple[str, ...], NoDecode] = DEPARTMENTS

    @field_validator("departments", "chat_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(name.strip() for name in value.split(",") if name.strip())
        return value

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _secure_outside_dev(self) -> "Settings":
        if not self.cookie_secure and not self.dev_mode:
            raise ValueError("COOKIE_SECURE=false is for plain-http development only: set DEV_MODE=true too")
        if not self.departments:
            raise ValueError("DEPARTMENTS needs at least one department")
        return self
