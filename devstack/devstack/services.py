"""The Atende services the launcher runs: one row each, and the environment each one reads."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from devstack.infra import S3_BUCKET, Endpoints

NATS, POSTGRES, S3, SMTP, IMAP = "nats", "postgres", "s3", "smtp", "imap"
MAIL_FROM = "Atende <suporte@atende.local>"


@dataclass(frozen=True)
class ServiceSpec:
    """How to run one service: `python -m module`, its env prefix, port and needed infrastructure."""

    name: str
    module: str
    env_prefix: str
    default_port: int
    needs: frozenset[str]
    port_var: str = "OPS_PORT"
    health_path: str = "/readyz"

    @property
    def database(self) -> str | None:
        """Its own PostgreSQL database (atende_<module>) when it needs PostgreSQL."""
        return f"atende_{self.module}" if POSTGRES in self.needs else None

    def port(self, environ: Mapping[str, str] = os.environ) -> int:
        """Its port: the default, unless the service's own variable (e.g. ATENDE_TICKETS_OPS_PORT) is set."""
        return int(environ.get(self.env_prefix + self.port_var, self.default_port))

    def health_url(self, environ: Mapping[str, str] = os.environ) -> str:
        """The readiness URL the launcher polls."""
        return f"http://127.0.0.1:{self.port(environ)}{self.health_path}"


def _spec(name: str, module: str, port: int, *needs: str, port_var: str = "OPS_PORT") -> ServiceSpec:
    prefix = "ATENDE_" + module.upper() + "_"
    return ServiceSpec(name, module, prefix, port, frozenset({NATS, *needs}), port_var)


# Start order: backends first, the gateway (the public door) last. A new service is one new row.
SERVICES: tuple[ServiceSpec, ...] = (
    _spec("tickets", "tickets", 8101, POSTGRES),
    _spec("chat", "chat", 8102, POSTGRES),
    _spec("mail-ingest", "mail_ingest", 8103, POSTGRES, IMAP),
    _spec("notifier", "notifier", 8104, POSTGRES, SMTP),
    _spec("files", "files", 8105, POSTGRES, S3),
    _spec("gateway", "gateway", 8000, port_var="HTTP_PORT"),
)


def service_env(
    spec: ServiceSpec,
    endpoints: Endpoints,
    database_url: str | None,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, str]:
    """The variables (already prefixed) that spec reads, pointing at endpoints."""
    values: dict[str, str] = {
        "NATS_URL": endpoints.require("nats_url"),
        "LOG_FORMAT": environ.get("ATENDE_LOG_FORMAT", "console"),
        "LOG_LEVEL": environ.get("ATENDE_LOG_LEVEL", "INFO"),
        spec.port_var: str(spec.port(environ)),
    }
    if spec.port_var == "HTTP_PORT":
        values["HTTP_HOST"] = "127.0.0.1"
    if POSTGRES in spec.needs:
        if database_url is None:
            raise ValueError(f"{spec.name} needs its PostgreSQL database URL")
        values["POSTGRES_URL"] = database_url
    if IMAP in spec.needs:
        values |= {
            "IMAP_HOST": endpoints.require("imap_host"),
            "IMAP_PORT": str(endpoints.require("imap_port")),
            "IMAP_USER": endpoints.require("imap_user"),
            "IMAP_PASSWORD": endpoints.require("imap_password"),
            "IMAP_MAILBOX": "INBOX",
        }
    if SMTP in spec.needs:
        values |= {
            "SMTP_HOST": endpoints.require("smtp_host"),
            "SMTP_PORT": str(endpoints.require("smtp_port")),
            "MAIL_FROM": environ.get("ATENDE_MAIL_FROM", MAIL_FROM),
        }
    if S3 in spec.needs:
        values |= {
            "S3_ENDPOINT": endpoints.require("s3_endpoint"),
            "S3_ACCESS_KEY": endpoints.require("s3_access_key"),
            "S3_SECRET_KEY": endpoints.require("s3_secret_key"),
            "S3_SECURE": "true" if endpoints.s3_secure else "false",
            "S3_BUCKET": S3_BUCKET,
        }
    return {spec.env_prefix + key: value for key, value in values.items()}
