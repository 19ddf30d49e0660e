"""Each service runs alone with ``python -m <package>`` against env-given infrastructure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from support import infra

from devstack.infra import Endpoints
from devstack.procs import free_port
from devstack.services import IMAP, S3, SERVICES, SMTP, ServiceSpec
from devstack.services import service_env as env_for


def endpoints_for(spec: ServiceSpec, servers: infra.Session) -> Endpoints:
    """Only the infrastructure this service needs, from the session's real servers."""
    ends = Endpoints(nats_url=servers.nats_url)
    if S3 in spec.needs:
        s3 = servers.s3
        ends.s3_endpoint, ends.s3_access_key, ends.s3_secret_key = s3.endpoint, s3.access_key, s3.secret_key
    if SMTP in spec.needs or IMAP in spec.needs:
        mail = servers.mail
        ends.smtp_host, ends.smtp_port = mail.smtp_host, mail.smtp_port
        ends.imap_host, ends.imap_port = mail.imap_host, mail.imap_port
        ends.imap_user, ends.imap_password = mail.imap_user, mail.imap_password
    return ends


def get(url: str) -> tuple[int, dict[str, object] | str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local http URL)
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode(), error.code
    except OSError:
        return 0, ""
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


@pytest.mark.parametrize("spec", SERVICES, ids=[spec.name for spec in SERVICES])
def test_service_runs_alone_reports_ready_and_stops_cleanly(
    spec: ServiceSpec, servers: infra.Session, tmp_path: Path
) -> None:
    ports = {variable: str(free_port()) for variable in spec.ports({})}
    port = int(ports[spec.env_prefix + spec.port_var])
    database = servers.database(spec.module) if spec.database else None
    env = env_for(spec, endpoints_for(spec, servers), database, ports)
    env[spec.env_prefix + "LOG_FORMAT"] = "json"
    log_path = tmp_path / f"{spec.name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", spec.module],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 45
        status, body = get(f"http://127.0.0.1:{port}/readyz")
        while status != 200 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            status, body = get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200, f"{spec.name} not ready: {body!r}\n{log_path.read_text()[-3000:]}"
        assert isinstance(body, dict)
        expected = {"nats"} | {need for need in spec.needs if need != "nats"}
        assert expected <= set(body["checks"]), "every dependency is checked"
        assert set(body["checks"].values()) == {"ok"}
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        metrics_status, metrics = get(f"http://127.0.0.1:{port}/metrics")
        assert metrics_status == 200 and "process_resident_memory_bytes" in str(metrics)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    assert code == 0, log_path.read_text()[-3000:]
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    events = [line["event"] for line in lines]
    assert {"service.ready", "service.stopping", "service.stopped"} <= set(events)
    assert all(line["service"] == spec.name for line in lines), "every log line names its service"
