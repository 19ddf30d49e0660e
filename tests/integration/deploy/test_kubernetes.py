"""Offline checks of deploy/k8s: every overlay rendered by ``kubectl kustomize``, no cluster needed.

kubernetes-validate checks every rendered document against the Kubernetes schemas, strictly
(an unknown field is an error), for the oldest version we support and the newest it knows; it is
also shown a broken document, so a silently permissive validator cannot pass unnoticed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from .support import (
    IMAGE_UID,
    INTERNAL_PORTS,
    K8S,
    NAMESPACES,
    PUBLIC_PORTS,
    SERVICES,
    TERMINATION_GRACE_S,
    find,
    kinds,
    read_env_file,
    render,
    run,
    settings_vars,
    tool,
)

OLDEST_K8S = "1.32.0"
K8S_VERSIONS = (OLDEST_K8S, kubernetes_validate.latest_version())
# Autoscaled in prod: the HPA owns the count (at least 2), so the Deployment sets none.
PROD_AUTOSCALED = {"gateway", "chat"}


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
    if overlay == "prod" and service in PROD_AUTOSCALED:
        assert "replicas" not in spec, "an applied spec.replicas would reset what the HPA scaled to"
    else:
        assert spec["replicas"] == 1
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
    internal = INTERNAL_PORTS.get(service)
    assert set(ports) == {"ops"} | ({"http"} if public else set()) | ({"internal"} if internal else set())
    if public is not None:
        assert ports["http"] == {"name": "http", "containerPort": public, "protocol": "TCP"}
    if internal is not None:
        assert ports["internal"] == {"name": "internal", "containerPort": internal, "protocol": "TCP"}
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

    # The gateway's Service exposes only its public API; a backend's Service, its ops port (and the
    # private port other services call, if it has one).
    svc = find(docs, "Service", service)
    assert svc["spec"]["selector"] == selector
    exposed = [("ops", port)] if public is None else [("http", public)]
    exposed += [("internal", internal)] if internal is not None else []
    assert svc["spec"]["ports"] == [
        {"name": name, "port": number, "targetPort": name, "protocol": "TCP"} for name, number in exposed
    ]


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
