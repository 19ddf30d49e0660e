"""The Atende service processes run by `devstack up`: start, wait for health, watch, stop."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from devstack.infra import Endpoints
from devstack.postgres import ensure_database
from devstack.procs import ManagedProcess, StartupError, http_ok, poll
from devstack.services import INTERNAL_TOKEN_VAR, ServiceSpec, service_env


class ServiceFailed(RuntimeError):
    """A service exited while the stack was running."""


class Fleet:
    """One managed `python -m <module>` process per service spec, logs in log_dir/<name>.log."""

    def __init__(
        self, specs: Sequence[ServiceSpec], log_dir: Path, environ: Mapping[str, str] = os.environ
    ) -> None:
        self.specs = list(specs)
        self.log_dir = log_dir
        self.environ = dict(environ)
        # One secret per run guards the services' private ports (files' bytes) from everyone else.
        self.environ.setdefault(INTERNAL_TOKEN_VAR, secrets.token_urlsafe(24))
        self.procs: dict[str, ManagedProcess] = {}
        self.envs: dict[str, dict[str, str]] = {}  # each started service's environment

    def databases(self, admin_url: str | None) -> dict[str, str]:
        """Create (if missing) each service's own database; return service name -> database URL."""
        urls: dict[str, str] = {}
        for spec in self.specs:
            if spec.database is not None:
                if admin_url is None:
                    raise LookupError(f"{spec.name} needs PostgreSQL but none was given or started")
                urls[spec.name] = ensure_database(admin_url, spec.database)
        return urls

    def start(self, endpoints: Endpoints) -> None:
        """Launch every service with its environment (its own database created first)."""
        databases = self.databases(endpoints.postgres_url)
        for spec in self.specs:
            env = self.environ | service_env(spec, endpoints, databases.get(spec.name), self.environ)
            # Unbuffered output so a crash's last words reach the log file.
            env["PYTHONUNBUFFERED"] = "1"
            # As deployed: without asserts, eventsourcing's per-event protocol checks cost ~3× on replay.
            env.setdefault("PYTHONOPTIMIZE", "1")
            self.envs[spec.name] = env
            argv = [sys.executable, "-m", spec.module]
            proc = ManagedProcess(spec.name, argv, self.log_dir / f"{spec.name}.log", env=env)
            self.procs[spec.name] = proc
            proc.start()

    def command(self, name: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run one of the started service's commands (``python -m <module> args``) in its environment."""
        module = next(spec.module for spec in self.specs if spec.name == name)
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            env=self.envs[name],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def health_urls(self) -> dict[str, str]:
        """Service name -> readiness URL."""
        return {spec.name: spec.health_url(self.environ) for spec in self.specs}

    def wait_healthy(self, timeout: float) -> None:
        """Wait until every readiness URL answers 200; fail at once, naming the log, if a service exits."""
        pending = dict(self.health_urls())

        def all_ready() -> bool:
            for name in list(pending):
                proc = self.procs[name]
                if not proc.running():
                    raise proc.failure(f"exited with status {proc.returncode} while starting")
                if http_ok(pending[name], timeout=1.0):
                    del pending[name]
            return not pending

        if not poll(all_ready, timeout):
            names = ", ".join(sorted(pending))
            logs = ", ".join(str(self.procs[name].log_file) for name in sorted(pending))
            raise StartupError(f"not ready after {timeout:.0f}s: {names}; see {logs}")

    def pids(self) -> dict[str, int]:
        """Service name -> process id (also its process group id)."""
        return {name: proc.pid for name, proc in self.procs.items() if proc.pid is not None}

    def watch(self, interval: float = 0.5) -> None:
        """Block while every service runs; raise ServiceFailed naming the first one that exits."""
        while True:
            for name, proc in self.procs.items():
                if not proc.running():
                    raise ServiceFailed(
                        f"service {name} exited with status {proc.returncode}; see {proc.log_file}"
                    )
            time.sleep(interval)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM every service at once so they drain in parallel, then reap each (SIGKILL if stuck)."""
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            proc.stop(timeout)
        self.procs.clear()
