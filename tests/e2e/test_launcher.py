"""`python -m devstack up` runs the whole of Atende on free ports and Ctrl-C stops every process it started."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import httpx
import nats
import psycopg
import pytest
from imapclient import IMAPClient
from minio import Minio
from support.samples import accepted

from devstack.pids import descendants, process_alive
from devstack.procs import free_port, http_status, port_open
from devstack.services import SERVICES
from devstack.summary import READY_BANNER

pytestmark = pytest.mark.e2e

START_TIMEOUT = 240.0
STOP_TIMEOUT = 120.0


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A folder outside /tmp/pytest-of-root, which each new pytest session resets to 0700.

    The launcher's PostgreSQL (user pgserver) and Dovecot (user nobody) must traverse its parents.
    """
    path = Path(tempfile.mkdtemp(prefix="atende-e2e-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _hermetic_env(tmp_path: Path) -> tuple[dict[str, str], list[int]]:
    """Our environment minus any ATENDE_* the developer set, with every port chosen free."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ATENDE_")}
    ports = {
        f"ATENDE_DEV_{name}_PORT": free_port() for name in ("NATS", "NATS_MONITOR", "S3", "SMTP", "IMAP")
    }
    # Every service port too (the gateway's public HTTP port and its ops port included), so the test
    # never collides with a developer's running `make up`.
    ports |= {var: free_port() for spec in SERVICES for var in spec.ports({})}
    env |= {key: str(port) for key, port in ports.items()}
    env["ATENDE_LOG_FORMAT"] = "json"
    env["ATENDE_DEV_START_TIMEOUT"] = str(START_TIMEOUT - 30)
    return env, list(ports.values())


def _processes_using(var: Path) -> list[str]:
    """Live processes whose command line mentions the var folder (servers started by the launcher)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(var) in cmdline and process_alive(int(entry.name)):
            found.append(f"{entry.name}: {cmdline}")
    return found


def _get(url: str) -> tuple[int, object]:
    """Status and body (parsed when JSON) of a GET on a local URL; (0, None) if nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a local http URL)
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except OSError:
        return 0, None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def _wait_for_banner(launcher: subprocess.Popen[bytes], out: Path, err: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while READY_BANNER not in out.read_text(errors="replace"):
        if launcher.poll() is not None or time.monotonic() > deadline:
            logs = err.read_text(errors="replace")[-4000:]
            pytest.fail(f"devstack up never became ready (exit {launcher.returncode}):\n{logs}")
        time.sleep(0.2)


@contextmanager
def _up(var: Path, env: dict[str, str], out: Path, err: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`devstack up` until it is ready; whatever happens, nothing it started outlives the block."""
    with out.open("wb") as stdout, err.open("wb") as stderr:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "devstack", "up", "--var", str(var)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        _wait_for_banner(launcher, out, err)
        yield launcher
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()


def _stop(launcher: subprocess.Popen[bytes], err: Path) -> None:
    """Ctrl-C, as a developer would; the launcher must stop everything and exit 0."""
    launcher.send_signal(signal.SIGINT)
    assert launcher.wait(STOP_TIMEOUT) == 0, err.read_text(errors="replace")[-4000:]


def _leave_data(var: Path, env: dict[str, str]) -> None:
    """Something in every store: a JetStream message, a row, an object and a mail."""

    async def publish() -> None:
        nc = await nats.connect(f"nats://127.0.0.1:{env['ATENDE_DEV_NATS_PORT']}")
        await nc.jetstream().publish("atende.deadletter.e2e.marker", b"kept", headers={"Nats-Msg-Id": "e2e"})
        await nc.close()

    asyncio.run(publish())
    with psycopg.connect(f"postgresql://postgres@/atende_tickets?host={var / 'postgres'}") as conn:
        conn.execute("CREATE TABLE e2e_marker (v text)")
        conn.execute("INSERT INTO e2e_marker VALUES ('kept')")
    keys = json.loads((var / "s3-credentials.json").read_text())
    s3 = Minio(f"127.0.0.1:{env['ATENDE_DEV_S3_PORT']}", keys["access_key"], keys["secret_key"], secure=False)
    s3.put_object("atende-files", "e2e/marker.txt", io.BytesIO(b"kept"), 4)
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "maria@example.com", "suporte@atende.local", "Marca e2e"
    mail.set_content("kept")
    with smtplib.SMTP("127.0.0.1", int(env["ATENDE_DEV_SMTP_PORT"])) as smtp:
        smtp.send_message(mail)


def _data_is_still_there(var: Path, env: dict[str, str]) -> None:
    async def read() -> bytes | None:
        nc = await nats.connect(f"nats://127.0.0.1:{env['ATENDE_DEV_NATS_PORT']}")
        message = await nc.jetstream().get_last_msg("DEADLETTER", "atende.deadletter.e2e.marker")
        await nc.close()
        return message.data

    assert asyncio.run(read()) == b"kept"
    with psycopg.connect(f"postgresql://postgres@/atende_tickets?host={var / 'postgres'}") as conn:
        assert conn.execute("SELECT v FROM e2e_marker").fetchall() == [("kept",)]
    keys = json.loads((var / "s3-credentials.json").read_text())
    s3 = Minio(f"127.0.0.1:{env['ATENDE_DEV_S3_PORT']}", keys["access_key"], keys["secret_key"], secure=False)
    assert s3.get_object("atende-files", "e2e/marker.txt").read() == b"kept"
    with IMAPClient("127.0.0.1", port=int(env["ATENDE_DEV_IMAP_PORT"]), ssl=False) as imap:
        imap.login("support", "atende-dev")
        imap.select_folder("INBOX")
        assert len(imap.search(["SUBJECT", "Marca e2e"])) == 1


def test_up_keeps_its_data_across_a_restart(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env, _ = _hermetic_env(tmp_path)
    for run in ("first", "second"):
        out, err = tmp_path / f"{run}.out", tmp_path / f"{run}.err"
        with _up(var, env, out, err) as launcher:
            if run == "first":
                _leave_data(var, env)
            else:
                _data_is_still_there(var, env)
            _stop(launcher, err)


def _attachment_round_trip(public: str) -> None:
    """As a new customer would: sign up, attach a file to a new ticket, open it, download the file."""
    name, data = accepted("png")
    with httpx.Client(base_url=public, timeout=30) as client:
        signed = client.post(
            "/api/v1/accounts",
            json={"name": "Nova", "email": "nova@example.com", "password": "senha bem longa 1"},
        )
        token = signed.json()["dev_verification_url"].rsplit("#token=", 1)[1]
        assert client.post("/api/v1/accounts/verify", json={"token": token}).status_code == 204
        session = client.post(
            "/api/v1/session", json={"email": "nova@example.com", "password": "senha bem longa 1"}
        )
        csrf = {"X-CSRF-Token": session.json()["csrf_token"], "Idempotency-Key": "e2e-1"}
        stored = client.post(
            "/api/v1/tickets/new/attachments", params={"filename": name}, content=data, headers=csrf
        )
        assert stored.status_code == 201, stored.text
        body = {"subject": "Print", "description": "Veja.", "attachment_ids": [stored.json()["id"]]}
        assert client.post("/api/v1/tickets", json=body, headers=csrf).status_code == 201
        assert client.get(stored.json()["url"]).content == data
        # The chat answers too: nobody is online yet, so the widget would offer to leave a message.
        availability = client.get("/api/v1/chat/availability").json()["departments"]
        assert [(d["department"], d["agents_online"]) for d in availability] == [
            ("Comercial", 0),
            ("Financeiro", 0),
            ("Suporte", 0),
            ("Websites", 0),
        ]


def _console_log_in(public: str, printed: str, var: Path) -> None:
    """The summary names a console log-in that works, and the pages are served."""
    found = re.search(r"console log-in: (\S+) / (\S+)", printed)
    assert found, printed
    email, password = found.groups()
    assert json.loads((var / "dev-admin.json").read_text()) == {"email": email, "password": password}
    with httpx.Client(base_url=public, timeout=30) as client:
        opened = client.post("/api/v1/session", json={"email": email, "password": password})
        assert opened.status_code == 200 and opened.json()["principal"]["kind"] == "admin", opened.text
        home = client.get("/")
        assert home.status_code == 200 and "Central de atendimento" in home.text


def test_up_serves_every_service_and_sigint_stops_everything(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env, ports = _hermetic_env(tmp_path)
    out, err = tmp_path / "up.out", tmp_path / "up.err"
    with _up(var, env, out, err) as launcher:
        checked = subprocess.run(
            [sys.executable, "-m", "devstack", "check", "--var", str(var)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        for spec in SERVICES:
            assert http_status(spec.health_url(env)) == 200, spec.name

        # The gateway's public port serves the API (and the summary names it), never the ops endpoints.
        [gateway] = [spec for spec in SERVICES if spec.name == "gateway"]
        public = gateway.public_url(env)
        assert public == f"http://127.0.0.1:{env['ATENDE_GATEWAY_HTTP_PORT']}"
        assert gateway.health_url(env) == f"http://127.0.0.1:{env['ATENDE_GATEWAY_OPS_PORT']}/readyz"
        printed = out.read_text(errors="replace")
        assert public in printed
        assert gateway.health_url(env) in printed
        status, body = _get(f"{public}/api/v1/system/services")
        assert status == 200, body
        assert isinstance(body, dict)
        assert set(body["services"]) == {spec.name for spec in SERVICES}
        for path in ("/metrics", "/healthz", "/readyz"):
            assert _get(public + path)[0] == 404, path
        assert _get(f"http://127.0.0.1:{env['ATENDE_GATEWAY_OPS_PORT']}/metrics")[0] == 200
        _attachment_round_trip(public)
        _console_log_in(public, printed, var)

        state = json.loads((var / "run" / "stack.json").read_text())
        assert state["status"] == "ready"
        assert state["public"] == {"gateway": public}
        started = {**state["infra"], **state["services"]}
        assert set(state["services"]) == {spec.name for spec in SERVICES}
        assert {"nats", "postgres", "s3", "smtp", "imap"} <= set(state["infra"])
        watched = set(started.values()) | descendants(launcher.pid)
        assert all(process_alive(pid) for pid in started.values())

        _stop(launcher, err)

    survivors = [pid for pid in watched if process_alive(pid)]
    assert survivors == [], f"processes left running: {survivors}"
    assert _processes_using(var) == []
    assert [port for port in ports if port_open("127.0.0.1", port)] == []
    assert not (var / "run" / "stack.json").exists()
    logs = {path.name for path in (var / "logs").iterdir()}
    assert {f"{spec.name}.log" for spec in SERVICES} <= logs
