"""What the deployment checks share: the service table, the tools, the rendered and parsed files.

Imported relatively (this folder is a package): a top-level ``support`` is tests/support.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr
from pydantic_settings import BaseSettings

REPO = Path(__file__).resolve().parents[3]
# Not resolved: .venv/bin/python is a symlink to the system interpreter, and the tools live beside it.
VENV_BIN = Path(sys.executable).parent
K8S = REPO / "deploy" / "k8s"

NAMESPACES = {"dev": "atende-dev", "prod": "atende"}
IMAGE_UID = 10001


# name -> (python module, directory under services/, env prefix, ops port)
# Every service serves /healthz, /readyz and /metrics on its private ops port (named "ops").
SERVICES: dict[str, tuple[str, str, str, int]] = {
    "tickets": ("tickets", "tickets", "ATENDE_TICKETS_", 8101),
    "chat": ("chat", "chat", "ATENDE_CHAT_", 8102),
    "mail-ingest": ("mail_ingest", "mail-ingest", "ATENDE_MAIL_INGEST_", 8103),
    "notifier": ("notifier", "notifier", "ATENDE_NOTIFIER_", 8104),
    "files": ("files", "files", "ATENDE_FILES_", 8105),
    "insights": ("insights", "insights", "ATENDE_INSIGHTS_", 8106),
    "gateway": ("gateway", "gateway", "ATENDE_GATEWAY_", 8100),
}
# name -> its public HTTP port (named "http"): only the gateway has one, and only it is in the Service.
PUBLIC_PORTS = {"gateway": 8000}
# name -> its private HTTP port (named "internal") other services call: files takes attachment bytes there.
INTERNAL_PORTS = {"files": 8005}
# Settings that are credentials although typed str (every SecretStr field is one too).
CREDENTIALS = {"postgres_url", "s3_access_key"}
TERMINATION_GRACE_S = 20


@cache
def settings_class(service: str) -> type[BaseSettings]:
    module = importlib.import_module(f"{SERVICES[service][0]}.config")
    settings: type[BaseSettings] = module.Settings
    assert settings.model_config.get("env_prefix") == SERVICES[service][2]
    return settings


@cache
def settings_vars(service: str) -> dict[str, bool]:
    """Every environment variable the service reads (from its Settings class) -> is it a secret."""
    prefix = SERVICES[service][2]
    found = {}
    for name, field in settings_class(service).model_fields.items():
        found[prefix + name.upper()] = field.annotation is SecretStr or name in CREDENTIALS
    return found


def tool(name: str) -> Path:
    path = VENV_BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: install requirements/lock.txt into the venv (scripts/install.sh)")
    return path


def run(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, check=False
    )


def read_env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"{path}: not KEY=VALUE: {line!r}"
            pairs[key] = value
    return pairs


@cache
def render(target: str) -> tuple[dict[str, Any], ...]:
    """kubectl kustomize of overlays/<target> (or 'base'), as parsed documents."""
    path = K8S / "base" if target == "base" else K8S / "overlays" / target
    result = run(tool("kubectl"), "kustomize", path)
    assert result.returncode == 0, f"kustomize {path} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def find(docs: tuple[dict[str, Any], ...], kind: str, name: str) -> dict[str, Any]:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def kinds(docs: tuple[dict[str, Any], ...], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


@cache
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return data
