"""Offline checks of docker-compose.yml, no Docker engine needed.

The Compose specification JSON schema (vendored by PyPI check-jsonschema) checks the file through
jsonschema; it is also shown a broken file, so a silently permissive schema cannot pass unnoticed.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import re
from functools import cache
from typing import Any

import jsonschema
import pytest

from .support import K8S, REPO, SERVICES, compose, settings_class

DATABASES = (
    "atende_tickets",
    "atende_chat",
    "atende_mail_ingest",
    "atende_notifier",
    "atende_files",
    "atende_insights",
    "atende_gateway",
)


def uses_postgres(service: str) -> bool:
    return "postgres_url" in settings_class(service).model_fields


@cache
def compose_validator() -> jsonschema.protocols.Validator:
    schema_file = importlib.resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text())
    assert schema["title"] == "Compose Specification"
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def compose_errors(document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in compose_validator().iter_errors(document)
    ]


def test_compose_file_follows_the_compose_specification() -> None:
    assert compose_errors(compose()) == []
    assert "version" not in compose(), "the Compose specification dropped the top-level version key"


def test_compose_schema_rejects_an_unknown_field() -> None:
    broken = copy.deepcopy(compose())
    broken["services"]["gateway"]["restart_policy"] = "always"
    assert any("restart_policy" in e for e in compose_errors(broken))


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_compose_runs_each_service_from_the_image_after_its_infrastructure(service: str) -> None:
    services = compose()["services"]
    definition = services[service]
    assert definition["build"] == {"context": ".", "dockerfile": "Dockerfile"}
    assert definition["environment"] == {"ATENDE_SERVICE": service}
    assert definition["env_file"] == ".env"
    assert definition["restart"] in ("unless-stopped", "always", "on-failure")
    assert definition["healthcheck"]["test"] == ["CMD", "python", "/opt/atende/service.py", "healthcheck"]
    depends = definition["depends_on"]
    assert "nats" in depends
    assert ("postgres" in depends) == uses_postgres(service), "waits for PostgreSQL exactly when it uses it"
    assert not set(depends) & set(SERVICES), "an Atende service must not wait for another one"
    for target, rule in depends.items():
        assert target in services, target
        if rule["condition"] == "service_healthy":
            assert "healthcheck" in services[target], (
                f"{service} waits for {target}, which has no healthcheck"
            )
        else:
            assert rule["condition"] == "service_completed_successfully"
            assert services[target].get("restart") == "no"


def test_compose_infrastructure_is_pinned_persistent_and_health_checked() -> None:
    document = compose()
    services = document["services"]
    for name in ("nats", "postgres", "minio", "mail"):
        assert "healthcheck" in services[name], name
        assert services[name]["restart"] == "unless-stopped"
    for name, definition in services.items():
        image = definition["image"]
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert tag, f"{name}: image {image} has no tag"
        assert tag != "latest", f"{name}: image {image} is not pinned"
    declared = set(document["volumes"])
    for name, definition in services.items():
        for volume in definition.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith("."):
                assert source in declared, f"{name} uses undeclared volume {source}"
            else:
                assert (REPO / source).exists(), f"{name} mounts missing {source}"
    assert "-js" in services["nats"]["command"]
    assert services["postgres"]["image"].startswith("postgres:16.")
    assert services["gateway"]["ports"] == ["8000:${ATENDE_GATEWAY_HTTP_PORT:-8000}"]
    assert "-Dgreenmail.setup.test.smtp" in services["mail"]["environment"]["GREENMAIL_OPTS"]
    assert "-Dgreenmail.setup.test.imap" in services["mail"]["environment"]["GREENMAIL_OPTS"]


def test_postgres_init_creates_one_database_per_service_in_compose_and_dev() -> None:
    compose_sql = REPO / "deploy" / "compose" / "initdb" / "01-databases.sql"
    dev_sql = K8S / "overlays" / "dev" / "infra" / "01-databases.sql"
    assert compose_sql.read_text() == dev_sql.read_text()
    created = re.findall(r"^CREATE DATABASE (\w+);$", compose_sql.read_text(), flags=re.MULTILINE)
    assert sorted(created) == sorted(DATABASES)
    assert set(DATABASES) == {"atende_" + SERVICES[s][0] for s in SERVICES if uses_postgres(s)}
