"""The infrastructure under Atende: which servers to start locally, where, and how to reach them."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from devstack.imap import DEV_USERS, Dovecot
from devstack.nats import NatsServer
from devstack.postgres import EmbeddedPostgres
from devstack.procs import Server, free_port
from devstack.s3 import SeaweedS3
from devstack.smtp import DEFAULT_SUPPORT_ADDRESS, DevSmtp

INFRA = ("nats", "postgres", "s3", "smtp", "imap")
S3_BUCKET = "atende-files"
IMAP_USER = "support"


@dataclass
class Endpoints:
    """Where each piece of infrastructure answers; None for what is neither given nor started."""

    nats_url: str | None = None
    postgres_url: str | None = None
    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_secure: bool = False
    smtp_host: str | None = None
    smtp_port: int | None = None
    imap_host: str | None = None
    imap_port: int | None = None
    imap_user: str | None = None
    imap_password: str | None = None

    def require(self, name: str) -> str:
        """The value of field name as text; a clear error if that infrastructure is missing."""
        value = getattr(self, name)
        if value is None:
            raise LookupError(f"no {name}: that infrastructure was neither given nor started")
        return str(value)

    def as_env(self) -> dict[str, str]:
        """ATENDE_* variables for every known endpoint (what `devstack exec` hands its command)."""
        env = {
            f"ATENDE_{f.name.upper()}": str(getattr(self, f.name))
            for f in fields(self)
            if f.name != "s3_secure" and getattr(self, f.name) is not None
        }
        if self.s3_endpoint is not None:
            env["ATENDE_S3_SECURE"] = "true" if self.s3_secure else "false"
        return env

    def provides(self, kind: str) -> bool:
        """Tell whether the endpoints for one kind of infrastructure are all known."""
        needed = {
            "nats": ("nats_url",),
            "postgres": ("postgres_url",),
            "s3": ("s3_endpoint", "s3_access_key", "s3_secret_key"),
            "smtp": ("smtp_host", "smtp_port"),
            "imap": ("imap_host", "imap_port", "imap_user", "imap_password"),
        }[kind]
        return all(getattr(self, name) is not None for name in needed)


def external_endpoints(environ: Mapping[str, str]) -> Endpoints:
    """Infrastructure the developer already runs, from ATENDE_NATS_URL, ATENDE_POSTGRES_URL, ..."""

    def get(name: str) -> str | None:
        return environ.get(f"ATENDE_{name.upper()}") or None

    ends = Endpoints(nats_url=get("nats_url"), postgres_url=get("postgres_url"))
    if get("s3_endpoint") and get("s3_access_key") and get("s3_secret_key"):
        ends.s3_endpoint, ends.s3_access_key, ends.s3_secret_key = (
            get("s3_endpoint"),
            get("s3_access_key"),
            get("s3_secret_key"),
        )
        ends.s3_secure = (get("s3_secure") or "false").lower() in ("1", "true", "yes")
    if host := get("smtp_host"):
        ends.smtp_host, ends.smtp_port = host, int(get("smtp_port") or 25)
    if host := get("imap_host"):
        ends.imap_host, ends.imap_port = host, int(get("imap_port") or 143)
        ends.imap_user = get("imap_user") or IMAP_USER
        ends.imap_password = get("imap_password") or DEV_USERS[IMAP_USER]
    return ends


@dataclass
class InfraPorts:
    """TCP ports of the locally started servers."""

    nats: int
    nats_monitor: int
    s3: int
    smtp: int
    imap: int

    @classmethod
    def for_up(cls, environ: Mapping[str, str]) -> InfraPorts:
        """Fixed defaults for `up`, each overridable by ATENDE_DEV_<NAME>_PORT."""
        defaults = cls(nats=14222, nats_monitor=18222, s3=18333, smtp=2525, imap=1143)
        return cls(**{
            name: int(environ.get(f"ATENDE_DEV_{name.upper()}_PORT", port))
            for name, port in asdict(defaults).items()
        })  # fmt: skip

    @classmethod
    def free(cls) -> InfraPorts:
        """Ports the kernel says are free now (for tests and `exec`)."""
        return cls(
            nats=free_port(), nats_monitor=free_port(), s3=free_port(), smtp=free_port(), imap=free_port()
        )


def s3_keys(var: Path) -> tuple[str, str]:
    """The dev S3 access and secret key, generated once and kept in var/ so restarts reuse them."""
    path = var / "s3-credentials.json"
    if path.exists():
        saved = json.loads(path.read_text())
        return str(saved["access_key"]), str(saved["secret_key"])
    access, secret = "atende" + secrets.token_hex(6), secrets.token_urlsafe(30)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"access_key": access, "secret_key": secret}, out)
    return access, secret


class Infra:
    """Starts the wanted servers under var/ (logs in var/logs/) and stops them in reverse order."""

    def __init__(
        self,
        var: Path,
        ports: InfraPorts,
        wanted: Collection[str] = INFRA,
        given: Endpoints | None = None,
    ) -> None:
        unknown = set(wanted) - set(INFRA)
        if unknown:
            raise ValueError(f"unknown infrastructure {sorted(unknown)}; choose from {', '.join(INFRA)}")
        self.var = var.resolve()
        self.ports = ports
        self.wanted = [kind for kind in INFRA if kind in wanted]
        self.given = given or Endpoints()
        self.logs = self.var / "logs"
        self.started: list[tuple[str, Server]] = []

    def start(self) -> Endpoints:
        """Start every wanted server the given endpoints do not already provide; return all endpoints."""
        ends = Endpoints(**asdict(self.given))
        self.logs.mkdir(parents=True, exist_ok=True)
        try:
            for kind in self.wanted:
                if not ends.provides(kind):
                    getattr(self, f"_start_{kind}")(ends)
        except BaseException:
            self.stop()
            raise
        return ends

    def _run(self, name: str, server: Server) -> None:
        self.started.append((name, server))
        server.start()

    def _start_nats(self, ends: Endpoints) -> None:
        nats = NatsServer(
            self.ports.nats, self.ports.nats_monitor, self.var / "nats", log_file=self.logs / "nats.log"
        )
        self._run("nats", nats)
        ends.nats_url = nats.url

    def _start_postgres(self, ends: Endpoints) -> None:
        postgres = EmbeddedPostgres(self.var / "postgres")
        self._run("postgres", postgres)
        link = self.logs / "postgres.log"
        if not link.is_symlink():
            # pgserver fixes its log path inside the data dir; a link keeps all logs in one place.
            link.unlink(missing_ok=True)
            link.symlink_to(postgres.log_file)
        ends.postgres_url = postgres.url

    def _start_s3(self, ends: Endpoints) -> None:
        access, secret = s3_keys(self.var)
        s3 = SeaweedS3(
            self.var / "s3", self.ports.s3, access, secret, buckets=[S3_BUCKET], log_file=self.logs / "s3.log"
        )
        self._run("s3", s3)
        ends.s3_endpoint, ends.s3_access_key, ends.s3_secret_key, ends.s3_secure = (
            s3.endpoint,
            access,
            secret,
            False,
        )

    def _start_smtp(self, ends: Endpoints) -> None:
        smtp = DevSmtp(
            self.ports.smtp, self.var / "mail", DEFAULT_SUPPORT_ADDRESS, log_file=self.logs / "smtp.log"
        )
        self._run("smtp", smtp)
        ends.smtp_host, ends.smtp_port = smtp.host, smtp.port

    def _start_imap(self, ends: Endpoints) -> None:
        imap = Dovecot(
            self.var / "imap", self.ports.imap, DEV_USERS, self.var / "mail", log_file=self.logs / "imap.log"
        )
        self._run("imap", imap)
        ends.imap_host, ends.imap_port = imap.host, imap.port
        ends.imap_user, ends.imap_password = IMAP_USER, DEV_USERS[IMAP_USER]

    def pids(self) -> dict[str, int]:
        """Process ids of the running local servers (for stray-process checks)."""
        found = {name: getattr(server, "pid", None) for name, server in self.started}
        return {name: pid for name, pid in found.items() if isinstance(pid, int)}

    def stop(self) -> None:
        """Stop what was started, last first; every stop runs even if one fails."""
        errors: list[BaseException] = []
        while self.started:
            _, server = self.started.pop()
            try:
                server.stop()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]
