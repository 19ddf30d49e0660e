"""Settings of the gateway (env prefix ATENDE_GATEWAY_)."""

from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from gateway.domain.limits import networks
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
    # Rate limits (docs/architecture.md, "Rate limits"): counted in the database, so shared by every
    # replica; each is a number of requests per period, 0 turns that one off.
    rate_limits: bool = Field(default=True, description="False turns every rate limit off (load tests).")
    # Comma-separated CIDRs: proxies whose X-Forwarded-For is believed; from anyone else it is ignored.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    sign_ups_per_ip_hour: int = Field(default=10, ge=0)
    password_resets_per_ip_hour: int = Field(default=10, ge=0)
    logins_per_ip_minute: int = Field(default=20, ge=0)
    login_failures_per_account: int = Field(
        default=10, ge=0, description="Failed log-ins of one email in the window before it slows down…"
    )
    login_failures_per_ip: int = Field(default=50, ge=0, description="…and of one client IP.")
    login_failure_window_s: float = Field(
        default=900, gt=0, description="Failures are forgotten this long after the last; the longest wait."
    )
    tickets_per_customer_hour: int = Field(default=30, ge=0)
    replies_per_customer_hour: int = Field(default=120, ge=0)
    chats_per_ip_hour: int = Field(default=20, ge=0)
    offline_messages_per_ip_hour: int = Field(default=10, ge=0)
    ratings_per_ip_hour: int = Field(default=30, ge=0)
    session_idle_days: float = Field(default=7, gt=0)
    session_max_days: float = Field(default=30, gt=0)
    # Comma-separated in the environment: ATENDE_GATEWAY_DEPARTMENTS=Comercial,Financeiro,Suporte
    departments: Annotated[tuple[str, ...], NoDecode] = DEPARTMENTS

    @field_validator("departments", "chat_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(name.strip() for name in value.split(",") if name.strip())
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        networks(value)  # a typo must stop the start, not silently trust nobody (or everybody)
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
