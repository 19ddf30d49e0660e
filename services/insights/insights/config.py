"""Settings of the insights service (env prefix ATENDE_INSIGHTS_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from plumbing.settings import ConsumerSettings, PostgresSettings, ServiceSettings


class Settings(ServiceSettings, PostgresSettings, ConsumerSettings):
    """Everything the insights service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ATENDE_INSIGHTS_", extra="ignore", frozen=True)

    ops_port: int | None = 8106
    timezone: str = Field(default="America/Sao_Paulo", description="Where days and weeks begin and end.")
    business_hours: str = Field(
        default="",
        description='Opening hours for the figures, e.g. "mon-fri 08:00-18:00; sat 08:00-12:00"; empty: 24×7.',
    )
    holidays: str = Field(default="", description="Closed days, e.g. 2026-12-25,2027-01-01.")
    demands_window_days: int = Field(default=90, ge=1, description="Recurring demands group this many days.")
    demands_every_s: float = Field(default=600, gt=0, description="How often the demands are grouped again.")
