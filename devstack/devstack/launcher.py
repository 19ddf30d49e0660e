"""The commands behind `python -m devstack`: up (run Atende), exec (infra around a command), check.

Environment read by `up`:
  ATENDE_NATS_URL                          use this NATS instead of starting one
  ATENDE_POSTGRES_URL                      admin URL of a PostgreSQL to use instead of var/postgres
  ATENDE_S3_ENDPOINT, ATENDE_S3_ACCESS_KEY, ATENDE_S3_SECRET_KEY [, ATENDE_S3_SECURE]
                                           use this S3 instead of SeaweedFS in var/s3
  ATENDE_SMTP_HOST [, ATENDE_SMTP_PORT]    use this SMTP server instead of the dev one
  ATENDE_IMAP_HOST [, ATENDE_IMAP_PORT, ATENDE_IMAP_USER, ATENDE_IMAP_PASSWORD]
                                           use this IMAP server instead of Dovecot
  ATENDE_DEV_NATS_PORT (14222), ATENDE_DEV_NATS_MONITOR_PORT (18222), ATENDE_DEV_S3_PORT (18333),
  ATENDE_DEV_SMTP_PORT (2525), ATENDE_DEV_IMAP_PORT (1143)
                                           ports of the servers `up` starts itself
  ATENDE_<SERVICE>_OPS_PORT (8101..8105, gateway 8100)
                                           private ops ports: /healthz, /readyz, /metrics
  ATENDE_GATEWAY_HTTP_PORT (8000)          the gateway's public HTTP port (portal and API)
  ATENDE_LOG_FORMAT (console), ATENDE_LOG_LEVEL (INFO), ATENDE_MAIL_FROM
  ATENDE_DEV_START_TIMEOUT (120)           seconds to wait for every service's /readyz

`exec` ignores those and hands its command ATENDE_NATS_URL, ATENDE_POSTGRES_URL (admin URL),
ATENDE_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY/_SECURE, ATENDE_SMTP_HOST/_PORT and
ATENDE_IMAP_HOST/_PORT/_USER/_PASSWORD for the servers it started.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import IO

from devstack.console_login import ensure_dev_admin
from devstack.fleet import Fleet, ServiceFailed
from devstack.infra import INFRA, Endpoints, Infra, InfraPorts, external_endpoints
from devstack.procs import StartupError, http_status, port_open
from devstack.services import SERVICES, public_urls
from devstack.summary import summary

STATE_FILE = Path("run") / "stack.json"


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _shield_signals() -> None:
    # Once stopping, a second Ctrl-C must not abandon half-stopped servers.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def write_state(var: Path, state: Mapping[str, object]) -> None:
    """Write var/run/stack.json atomically (read by `check` and by tests)."""
    path = var / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    tmp.replace(path)


def read_state(var: Path) -> dict[str, object] | None:
    """The state of a running `up` in var, or None."""
    try:
        state: dict[str, object] = json.loads((var / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    return state


def _lock(var: Path) -> IO[str] | None:
    """Hold var/run/up.lock for this process's lifetime; None if another `up` holds it."""
    path = var / "run" / "up.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        # flock dies with its holder, so a killed launcher never leaves a stale lock.
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def _busy_ports(ports: InfraPorts, given: Endpoints, environ: Mapping[str, str]) -> list[str]:
    wanted = {
        "NATS": [ports.nats, ports.nats_monitor] if not given.provides("nats") else [],
        "S3": [ports.s3] if not given.provides("s3") else [],
        "SMTP": [ports.smtp] if not given.provides("smtp") else [],
        "IMAP": [ports.imap] if not given.provides("imap") else [],
    }
    wanted |= {spec.name: sorted(spec.ports(environ).values()) for spec in SERVICES}
    return [
        f"{name} {port}" for name, nums in wanted.items() for port in nums if port_open("127.0.0.1", port)
    ]


def up(var: Path, environ: Mapping[str, str] = os.environ) -> int:
    """Run the infrastructure and every service until Ctrl-C/SIGTERM (exit 0) or a service dies (exit 1)."""
    var = var.resolve()
    var.mkdir(parents=True, exist_ok=True)
    lock = _lock(var)
    if lock is None:
        _say(f"devstack: outro `up` já usa / another `up` already uses {var}")
        return 2
    with lock:
        return _up(var, environ)


def _up(var: Path, environ: Mapping[str, str]) -> int:
    given = external_endpoints(environ)
    ports = InfraPorts.for_up(environ)
    if busy := _busy_ports(ports, given, environ):
        _say(f"devstack: portas em uso / ports in use: {', '.join(busy)} (see `python -m devstack -h`)")
        return 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)
    infra = Infra(var, ports, INFRA, given)
    fleet = Fleet(SERVICES, infra.logs, environ)
    code = 0
    try:
        _say(f"devstack: iniciando a infraestrutura / starting infrastructure in {var} ...")
        endpoints = infra.start()
        state: dict[str, object] = {"launcher_pid": os.getpid(), "status": "starting", "infra": infra.pids()}
        write_state(var, state)
        _say("devstack: iniciando os serviços / starting services ...")
        fleet.start(endpoints)
        state |= {
            "services": fleet.pids(),
            "health": fleet.health_urls(),
            "public": public_urls(SERVICES, environ),
        }
        write_state(var, state)
        fleet.wait_healthy(float(environ.get("ATENDE_DEV_START_TIMEOUT", "120")))
        write_state(var, state | {"status": "ready"})
        portal = public_urls(SERVICES, environ).get("gateway")
        login = ensure_dev_admin(var, fleet) if "gateway" in fleet.envs else None
        print(summary(var, endpoints, fleet.health_urls(), infra.started, portal, login), flush=True)
        fleet.watch()
    except KeyboardInterrupt:
        _say("\ndevstack: parando / stopping ...")
    except (StartupError, ServiceFailed, LookupError, FileNotFoundError) as exc:
        _say(f"\n!!! devstack: FALHOU / FAILED: {exc}\n!!! parando tudo / stopping everything")
        code = 1
    except Exception:
        _say(
            f"\n!!! devstack: FALHOU / FAILED:\n{traceback.format_exc()}!!! parando tudo / stopping everything"
        )
        code = 1
    finally:
        _shield_signals()
        try:
            fleet.stop()
        finally:
            infra.stop()
            (var / STATE_FILE).unlink(missing_ok=True)
    _say("devstack: tudo parado / everything stopped")
    return code


def run_command(command: Sequence[str], only: Collection[str] = INFRA, var: Path | None = None) -> int:
    """Start the wanted infrastructure on free ports, run command with ATENDE_* set, return its exit code."""
    if not command:
        _say("devstack exec: nothing to run (usage: python -m devstack exec [--only ...] -- CMD ARGS)")
        return 2
    temp = var is None
    workdir = Path(tempfile.mkdtemp(prefix="atende-devstack-")) if var is None else var
    infra = Infra(workdir, InfraPorts.free(), only)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        endpoints = infra.start()
        _say(f"devstack exec: {', '.join(infra.wanted)} ready; running {' '.join(command)}")
        try:
            child = subprocess.Popen(command, env=os.environ | endpoints.as_env())
        except OSError as exc:
            _say(f"devstack exec: cannot run {command[0]}: {exc}")
            return 127
        # The command shares our terminal: Ctrl-C reaches it directly, so we only wait for it;
        # a SIGTERM sent to us alone is passed on.
        signal.signal(signal.SIGINT, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
        status = child.wait()
        return 128 - status if status < 0 else status
    except KeyboardInterrupt:
        return 130
    except (StartupError, FileNotFoundError) as exc:
        _say(f"devstack exec: {exc}")
        return 1
    finally:
        _shield_signals()
        infra.stop()
        if temp:
            shutil.rmtree(workdir, ignore_errors=True)


def check(var: Path, environ: Mapping[str, str] = os.environ) -> int:
    """Print each service's readiness status; 0 only if every one answers 200."""
    state = read_state(var.resolve())
    recorded = state.get("health") if state else None
    if isinstance(recorded, dict):
        urls = {str(name): str(url) for name, url in recorded.items()}
    else:
        urls = {spec.name: spec.health_url(environ) for spec in SERVICES}
    width = max(len(name) for name in urls)
    failures = 0
    for name, url in urls.items():
        status = http_status(url)
        ok = status == 200
        failures += not ok
        shown = "OK " if ok else "FALHA/FAIL"
        print(f"{name:<{width}}  {shown:<10}  {status if status is not None else '---'}  {url}")
    return 0 if failures == 0 else 1
