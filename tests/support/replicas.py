"""Services as real processes (``python -m <module>``), as a pod runs them: start, probe, read metrics, stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from devstack.infra import Endpoints
from devstack.procs import free_port
from devstack.services import ServiceSpec, service_env

# Greedy labels: a route label like "/api/v1/tickets/{ticket_id}" holds braces of its own.
_SAMPLE = re.compile(r"^(\w+)\{(.*)\} (\S+)$", re.MULTILINE)


@dataclass
class Replica:
    """One service process, its ports and its log."""

    name: str
    process: subprocess.Popen[bytes]
    ops_port: int
    log: Path
    spec: ServiceSpec
    nats_url: str
    database: str
    endpoints: Endpoints | None = None
    env: Mapping[str, str] = field(default_factory=dict)  # extra (prefixed) variables
    ports: Mapping[str, str] = field(default_factory=dict)  # every port it listens on, by variable

    def again(self, *, same_ports: bool = False) -> Replica:
        """The same replica started anew (a restarted pod): on fresh ports, or on its own again."""
        return launch(
            self.spec,
            f"{self.name}-again",
            self.nats_url,
            self.database,
            self.log.parent,
            endpoints=self.endpoints,
            env=self.env,
            ports=self.ports if same_ports else None,
        )

    @property
    def url(self) -> str:
        """The root of its public HTTP API (the gateway's HTTP_PORT)."""
        return f"http://127.0.0.1:{self.port('HTTP_PORT')}"

    def port(self, variable: str) -> int:
        """The port it listens on for ``variable`` (without its prefix, e.g. HTTP_PORT)."""
        return int(self.ports[self.spec.env_prefix + variable])

    def tail(self, chars: int = 3000) -> str:
        """The end of its log, for a failure's message."""
        return self.log.read_text(errors="replace")[-chars:]

    def command(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run ``python -m <module> *args`` with its environment (an operator's command beside the pod)."""
        return subprocess.run(
            [sys.executable, "-m", self.spec.module, *args],
            env={
                **os.environ,
                **_variables(self.spec, self.nats_url, self.database, self.ports, self.endpoints, self.env),
            },
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def kill(self) -> None:
        """SIGKILL (a pod lost, no goodbye), then wait until it is gone."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM, then its exit code once it is gone (TimeoutExpired if it takes longer)."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    async def metrics(self) -> list[tuple[str, str, float]]:
        """(name, labels, value) of every labelled sample on its /metrics."""
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"http://127.0.0.1:{self.ops_port}/metrics", timeout=5)).text
        return [(name, labels, float(value)) for name, labels, value in _SAMPLE.findall(text)]

    async def leads(self, app: str) -> bool:
        """True while its relay of ``app`` is the one publishing."""
        if self.process.poll() is not None:
            return False
        wanted = f'app="{app}"'
        samples = await self.metrics()
        return any(n == "atende_relay_leading" and wanted in labels and v == 1 for n, labels, v in samples)

    async def requests_served(self) -> float:
        """Request-reply calls it answered (commands and queries)."""
        return sum(v for n, _, v in await self.metrics() if n == "atende_requests_total")

    async def http_requests(self, method: str = "", route: str = "") -> float:
        """HTTP requests it answered, of ``method`` and ``route`` (a route template) when given."""
        wanted = [f'method="{method}"'] if method else []
        wanted += [f'route="{route}"'] if route else []
        return sum(
            v
            for n, labels, v in await self.metrics()
            if n == "atende_http_requests_total" and all(w in labels for w in wanted)
        )


def launch(
    spec: ServiceSpec,
    name: str,
    nats_url: str,
    database: str,
    root: Path,
    *,
    endpoints: Endpoints | None = None,
    env: Mapping[str, str] | None = None,
    ports: Mapping[str, str] | None = None,
) -> Replica:
    """Start ``python -m <module>`` with the environment the launcher would give it, logging to ``root``.

    ``endpoints`` name the infrastructure beyond NATS (S3, SMTP, IMAP); ``env`` adds or overrides
    (prefixed) variables; ``ports`` reuses given ports instead of free ones.
    """
    ports = dict(ports) if ports is not None else {variable: str(free_port()) for variable in spec.ports({})}
    variables = _variables(spec, nats_url, database, ports, endpoints, env)
    log = root / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", spec.module],
            env={**os.environ, **variables},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Replica(
        name,
        process,
        int(ports[spec.env_prefix + spec.port_var]),
        log,
        spec,
        nats_url,
        database,
        endpoints,
        dict(env or {}),
        ports,
    )


def _variables(
    spec: ServiceSpec,
    nats_url: str,
    database: str,
    ports: Mapping[str, str],
    endpoints: Endpoints | None,
    env: Mapping[str, str] | None,
) -> dict[str, str]:
    """The (prefixed) variables the launcher would give it, then ``env`` on top."""
    ends = replace(endpoints, nats_url=nats_url) if endpoints is not None else Endpoints(nats_url=nats_url)
    return service_env(spec, ends, database, ports) | dict(env or {})


async def ready(replica: Replica) -> bool:
    """True once its /readyz answers 200."""
    async with httpx.AsyncClient() as client:
        try:
            return (
                await client.get(f"http://127.0.0.1:{replica.ops_port}/readyz", timeout=2)
            ).status_code == 200
        except httpx.HTTPError:
            return False


def end(replicas: list[Replica], timeout: float = 20) -> None:
    """Stop what still runs (SIGTERM, then SIGKILL after ``timeout``): a test's clean-up."""
    for replica in replicas:
        if replica.process.poll() is None:
            replica.process.send_signal(signal.SIGTERM)
    for replica in replicas:
        try:
            replica.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            replica.process.kill()
            replica.process.wait()
