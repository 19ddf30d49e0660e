"""The environment the services get, checked against each service's own Settings class.

.env.example, the ConfigMap, the Deployments and the dev Secret: the same names, secrets only
from the Secret, values that parse.
"""

from __future__ import annotations

import base64
import os
import re

import pytest
from pydantic_settings import BaseSettings

from .support import (
    K8S,
    NAMESPACES,
    PUBLIC_PORTS,
    REPO,
    SERVICES,
    TERMINATION_GRACE_S,
    compose,
    find,
    kinds,
    read_env_file,
    render,
    settings_class,
    settings_vars,
)


def all_vars() -> set[str]:
    return set().union(*(settings_vars(s) for s in SERVICES))


def assert_same_vars(actual: set[str], where: str) -> None:
    missing, stale = sorted(all_vars() - actual), sorted(actual - all_vars())
    assert not missing, f"{where} lacks settings the services read: {missing}"
    assert not stale, f"{where} has variables no service reads: {stale}"


def load_settings(service: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> BaseSettings:
    """The service's own Settings class, read from exactly ``env`` (as the process would)."""
    for key in list(os.environ):
        if key.startswith("ATENDE_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return settings_class(service)()


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.parametrize("overlay", sorted(NAMESPACES))
def test_each_service_gets_every_setting_it_reads_and_secrets_only_from_the_secret(
    overlay: str, service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ConfigMap keys + the Deployment's env = exactly what its Settings class reads, and it parses."""
    docs = render(overlay)
    prefix = SERVICES[service][2]
    [container] = find(docs, "Deployment", service)["spec"]["template"]["spec"]["containers"]
    [config] = [c for c in kinds(docs, "ConfigMap") if c["metadata"]["name"].startswith("atende-config")]
    from_config = {k: v for k, v in config["data"].items() if k.startswith(prefix)}
    env = {e["name"]: e for e in container["env"]}
    own = set(env) - {"ATENDE_SERVICE"}
    assert not set(from_config) & own
    assert set(from_config) | own == set(settings_vars(service))

    if overlay == "dev":
        [secret] = kinds(docs, "Secret")
        secret_values = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    else:
        secret_values = read_env_file(K8S / "overlays" / "prod" / "secrets.env.example")
    values = dict(from_config)
    for name, is_secret in settings_vars(service).items():
        if not is_secret:
            assert "secretKeyRef" not in env.get(name, {}).get("valueFrom", {}), name
            continue
        assert name in env, f"{name} is a credential: it must come from the Secret, not the ConfigMap"
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref["name"].startswith("atende-secrets")
        assert ref["key"] == name
        values[name] = secret_values[name]
    values.update({name: e["value"] for name, e in env.items() if "value" in e and name != "ATENDE_SERVICE"})

    settings = load_settings(service, values, monkeypatch)
    assert settings.model_dump()["shutdown_grace_s"] < TERMINATION_GRACE_S


def test_dev_secrets_match_the_dev_infrastructure() -> None:
    """The dev-only file drives both the in-cluster infrastructure and the services: keep it coherent."""
    secrets = read_env_file(K8S / "overlays" / "dev" / "secrets.env")
    for service in SERVICES:
        prefix, database = SERVICES[service][2], "atende_" + SERVICES[service][0]
        url = secrets[f"{prefix}POSTGRES_URL"]
        assert url == f"postgresql://atende:{secrets['POSTGRES_PASSWORD']}@postgres:5432/{database}"
    assert secrets["ATENDE_FILES_S3_ACCESS_KEY"] == secrets["MINIO_ROOT_USER"]
    assert secrets["ATENDE_FILES_S3_SECRET_KEY"] == secrets["MINIO_ROOT_PASSWORD"]
    # Same throwaway values as the compose stack's .env.example.
    env_example = read_env_file(REPO / ".env.example")
    for key, value in secrets.items():
        if key.startswith("ATENDE_"):
            assert env_example[key] == value, key


def test_env_example_binds_each_container_port_where_compose_and_the_health_check_expect_it() -> None:
    """Ops ports (health checks, metrics) and the gateway's public port listen on every interface."""
    env_example = read_env_file(REPO / ".env.example")
    for _, _, prefix, port in SERVICES.values():
        assert env_example[f"{prefix}OPS_HOST"] == "0.0.0.0", prefix
        assert env_example[f"{prefix}OPS_PORT"] == str(port), prefix
    for service, public in PUBLIC_PORTS.items():
        prefix = SERVICES[service][2]
        assert env_example[f"{prefix}HTTP_HOST"] == "0.0.0.0", prefix
        assert env_example[f"{prefix}HTTP_PORT"] == str(public), prefix


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_env_example_settings_parse_with_the_service_settings(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_example = read_env_file(REPO / ".env.example")
    own = {k: v for k, v in env_example.items() if k in settings_vars(service)}
    settings = load_settings(service, own, monkeypatch)
    assert settings.model_dump()["shutdown_grace_s"] < TERMINATION_GRACE_S


def test_env_example_holds_every_variable_compose_and_kubernetes_use() -> None:
    env_example = read_env_file(REPO / ".env.example")
    assert_same_vars({k for k in env_example if k.startswith("ATENDE_")}, ".env.example")
    interpolated = set(re.findall(r"\$\{(\w+)", (REPO / "docker-compose.yml").read_text()))
    assert interpolated <= env_example.keys()
    # Kubernetes: ConfigMap + what the Deployments set = the same variables, with the same dev values.
    docs = render("prod")
    [config] = kinds(docs, "ConfigMap")
    set_in_pods = {
        e["name"]
        for d in kinds(docs, "Deployment")
        for e in d["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert_same_vars((set(config["data"]) | set_in_pods) - {"ATENDE_SERVICE"}, "deploy/k8s (prod)")
    for key, value in read_env_file(K8S / "base" / "config.env").items():
        assert env_example[key] == value, f"base config.env and .env.example disagree on {key}"
    assert compose()["x-atende-service"]["stop_grace_period"] == f"{TERMINATION_GRACE_S}s"
