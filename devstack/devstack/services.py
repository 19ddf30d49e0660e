"""The Atende services the launcher runs: one row each, and the environment each one reads."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from devstack.infra import S3_BUCKET, Endpoints

NATS, POSTGRES, S3, SMTP, IMAP = "nats", "postgres", "s3", "smtp", "imap"
MAIL_FROM = "Atende <suporte@atende.local>"


@dataclass(frozen=True)
class ServiceSpec:
    """How to run one service: `python -m module`, its env prefix, ports and needed infrastructure.

    Every service serves /healthz, /readyz and /metrics on its private OPS_PORT; a service with a
    public HTTP API (the gateway) also has an HTTP_PORT, which never serves those.
    """

    name: str
    module: str
    env_prefix: str
    default_port: int
    needs: frozenset[str]
    default_http_port: int | None = None  # its public HTTP API's port, if it has one (the gateway)
    default_internal_port: int | None = None  # a private HTTP port other services call (files: bytes)
    calls: frozenset[str] = frozenset()  # services whose private port it calls
    port_var: str = "OPS_PORT"  # the variable (after env_prefix) of its ops port
    health_path: str = "/readyz"
    dev_settings: tuple[tuple[str, str], ...] = ()  # what `make up` sets for development only

    @property
    def database(self) -> str | None:
        """Its own PostgreSQL database (atende_<module>) when it needs PostgreSQL."""
        return f"atende_{self.module}" if POSTGRES in self.needs else None

    def port(self, environ: Mapping[str, str] = os.environ) -> int:
        """Its ops (health) port: the default, unless its own variable (e.g. ATENDE_TICKETS_OPS_PORT) is set."""
        return int(environ.get(self.env_prefix + self.port_var, self.default_port))

    def http_port(self, environ: Mapping[str, str] = os.environ) -> int | None:
        """Its public HTTP port (e.g. ATENDE_GATEWAY_HTTP_PORT overrides the default), None if it has none."""
        if self.default_http_port is None:
            return None
        return int(environ.get(self.env_prefix + "HTTP_PORT", self.default_http_port))

    def internal_port(self, environ: Mapping[str, str] = os.environ) -> int | None:
        """Its private HTTP port (e.g. ATENDE_FILES_INTERNAL_PORT overrides the default), None if none."""
        if self.default_internal_port is None:
            return None
        return int(environ.get(self.env_prefix + "INTERNAL_PORT", self.default_internal_port))

    def ports(self, environ: Mapping[str, str] = os.environ) -> dict[str, int]:
        """Every port it listens on, by its (prefixed) variable: OPS_PORT, plus HTTP_PORT and INTERNAL_PORT."""
        found = {self.env_prefix + self.port_var: self.port(environ)}
        if (http := self.http_port(environ)) is not None:
            found[self.env_prefix + "HTTP_PORT"] = http
        if (internal := self.internal_port(environ)) is not None:
            found[self.env_prefix + "INTERNAL_PORT"] = internal
        return found

    def health_url(self, environ: Mapping[str, str] = os.environ) -> str:
        """The readiness URL the launcher polls, on the ops port."""
        return f"http://127.0.0.1:{self.port(environ)}{self.health_path}"

    def public_url(self, environ: Mapping[str, str] = os.environ) -> str | None:
        """The root of its public HTTP API, None if it has none."""
        http = self.http_port(environ)
        return None if http is None else f"http://127.0.0.1:{http}"


def _spec(
    name: str,
    module: str,
    port: int,
    *needs: str,
    http_port: int | None = None,
    internal_port: int | None = None,
    calls: frozenset[str] = frozenset(),
    **dev: str,
) -> ServiceSpec:
    prefix = "ATENDE_" + module.upper() + "_"
    return ServiceSpec(
        name,
        module,
        prefix,
        port,
        frozenset({NATS, *needs}),
        http_port,
        internal_port,
        calls,
        dev_settings=tuple(dev.items()),
    )


# Start order: backends first, the gateway (the public door) last. A new service is one new row.
SERVICES: tuple[ServiceSpec, ...] = (
    _spec("tickets", "tickets", 8101, POSTGRES),
    _spec("chat", "chat", 8102, POSTGRES),
    _spec("mail-ingest", "mail_ingest", 8103, POSTGRES, IMAP, calls=frozenset({"files"})),
    _spec("notifier", "notifier", 8104, POSTGRES, SMTP),
    _spec("files", "files", 8105, POSTGRES, S3, internal_port=8005),
    _spec("insights", "insights", 8106, POSTGRES),
    # Plain http on 127.0.0.1 and no mail sent for sign-ups yet: links in answers, cookies not Secure.
    _spec(
        "gateway",
        "gateway",
        8100,
        POSTGRES,
        http_port=8000,
        calls=frozenset({"files"}),
        DEV_MODE="true",
        COOKIE_SECURE="false",
    ),
)
# Shared by a service's private port and its callers; the launcher makes one per run.
INTERNAL_TOKEN_VAR = "ATENDE_DEV_INTERNAL_TOKEN"  # noqa: S105 (a variable name, not a secret)


def spec_named(name: str, specs: Sequence[ServiceSpec] = SERVICES) -> ServiceSpec:
    """The spec of the service called ``name``."""
    return next(spec for spec in specs if spec.name == name)


def public_urls(
    specs: Sequence[ServiceSpec] = SERVICES, environ: Mapping[str, str] = os.environ
) -> dict[str, str]:
    """Service name -> root of its public HTTP API, for the services that have one."""
    return {spec.name: url for spec in specs if (url := spec.public_url(environ)) is not None}


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
    if (http_port := spec.http_port(environ)) is not None:
        values |= {
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(http_port),
            "PUBLIC_URL": f"http://127.0.0.1:{http_port}",
        }
    token = environ.get(INTERNAL_TOKEN_VAR, "")
    if (internal_port := spec.internal_port(environ)) is not None:
        values |= {"INTERNAL_HOST": "127.0.0.1", "INTERNAL_PORT": str(internal_port), "INTERNAL_TOKEN": token}
    for callee in sorted(spec.calls):
        callee_port = spec_named(callee).internal_port(environ)
        prefix = callee.upper().replace("-", "_")
        values |= {f"{prefix}_URL": f"http://127.0.0.1:{callee_port}", f"{prefix}_TOKEN": token}
    values |= dict(spec.dev_settings)
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
