"""Offline checks of how Atende scales on Kubernetes: HPAs, disruption budgets, the Ingress, NATS replicas."""

from __future__ import annotations

import re
from typing import Any

import yaml

from .support import K8S, REPO, SERVICES, compose, find, kinds, read_env_file, render

AUTOSCALED = {"gateway", "chat"}
NATS_VALUES = REPO / "deploy" / "nats" / "values-prod.yaml"


def matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert set(selector) == {"matchLabels"}, f"only matchLabels selectors are checked here: {selector}"
    return bool(selector["matchLabels"]) and selector["matchLabels"].items() <= labels.items()


def least_replicas(docs: tuple[dict[str, Any], ...]) -> dict[str, int]:
    """Deployment name -> the fewest pods it runs: its HPA's minReplicas, else spec.replicas (default 1)."""
    counts = {d["metadata"]["name"]: d["spec"].get("replicas", 1) for d in kinds(docs, "Deployment")}
    for hpa in kinds(docs, "HorizontalPodAutoscaler"):
        counts[hpa["spec"]["scaleTargetRef"]["name"]] = hpa["spec"]["minReplicas"]
    return counts


def mebibytes(size: str) -> int:
    """An nginx size ("11m", "512k", "1g") in bytes."""
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", size.lower()).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


def test_prod_autoscales_gateway_and_chat_on_cpu_and_leaves_them_the_replica_count() -> None:
    docs = render("prod")
    hpas = {h["metadata"]["name"]: h for h in kinds(docs, "HorizontalPodAutoscaler")}
    assert set(hpas) == AUTOSCALED
    for name, hpa in hpas.items():
        spec = hpa["spec"]
        assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        deployment = find(docs, "Deployment", name)
        assert "replicas" not in deployment["spec"], f"{name}: the HPA owns the count"
        assert 2 <= spec["minReplicas"] < spec["maxReplicas"]
        [metric] = spec["metrics"]
        assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
        assert metric["resource"]["target"]["type"] == "Utilization"
        assert 50 <= metric["resource"]["target"]["averageUtilization"] <= 90
        # Utilization is a share of the CPU request: without one the HPA cannot compute it.
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["resources"]["requests"]["cpu"]
        # Scaling in closes WebSockets: one pod at a time, after a quiet window.
        scale_down = spec["behavior"]["scaleDown"]
        assert scale_down["stabilizationWindowSeconds"] >= 300
        assert scale_down["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": 120}]


def test_dev_has_no_autoscaler_and_no_disruption_budget_that_would_block_a_drain() -> None:
    docs = render("dev")
    assert not kinds(docs, "HorizontalPodAutoscaler")
    assert not kinds(docs, "PodDisruptionBudget")
    assert set(least_replicas(docs).values()) == {1}


def test_prod_every_multi_replica_deployment_has_a_budget_and_no_budget_blocks_a_drain() -> None:
    docs = render("prod")
    least = least_replicas(docs)
    assert {name for name, count in least.items() if count >= 2} == AUTOSCALED
    budgets = kinds(docs, "PodDisruptionBudget")
    for deployment in kinds(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        covering = [b for b in budgets if matches(b["spec"]["selector"], pod_labels)]
        if least[name] < 2:
            assert not covering, f"{name} runs one pod: a budget on it would block every node drain"
            continue
        [budget] = covering
        assert budget["spec"] == {
            "minAvailable": 1,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
        }
        assert budget["spec"]["minAvailable"] < least[name], f"{name}: the budget must leave one pod to evict"
    assert len(budgets) == len(AUTOSCALED)


def test_prod_ingress_routes_the_public_host_to_the_gateway_api_with_tls_and_websockets() -> None:
    docs = render("prod")
    [ingress] = kinds(docs, "Ingress")
    spec = ingress["spec"]
    assert spec["ingressClassName"] == "nginx"
    [rule] = spec["rules"]
    [path] = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    backend = path["backend"]["service"]
    service = find(docs, "Service", backend["name"])
    assert backend["name"] == "gateway"
    assert backend["port"] == {"name": "http"}
    assert [p["name"] for p in service["spec"]["ports"]] == ["http"], "the ops port stays unreachable"
    [tls] = spec["tls"]
    assert tls["hosts"] == [rule["host"]] and tls["secretName"]

    # The host is the one the gateway and the mails call public.
    [config] = kinds(docs, "ConfigMap")
    assert config["data"]["ATENDE_GATEWAY_PUBLIC_URL"] == f"https://{rule['host']}"
    assert config["data"]["ATENDE_NOTIFIER_PUBLIC_URL"] == f"https://{rule['host']}"

    annotations = ingress["metadata"]["annotations"]
    # ingress-nginx closes a proxied connection idle for 60 s by default: WebSockets need far longer.
    for timeout in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(annotations[f"nginx.ingress.kubernetes.io/{timeout}"]) >= 3600
    # ...and refuses bodies over 1 MB: an attachment of the largest allowed size (plus framing) must pass.
    body = mebibytes(annotations["nginx.ingress.kubernetes.io/proxy-body-size"])
    assert body > int(config["data"]["ATENDE_FILES_MAX_BYTES"]) + 512 * 1024


def stream_replicas(env: dict[str, str]) -> set[int]:
    found = {int(env[f"{prefix}STREAM_REPLICAS"]) for _, _, prefix, _ in SERVICES.values()}
    assert len(found) == 1, "every service must ask for the same count: they ensure the same streams"
    return found


def test_stream_replicas_fit_the_nats_each_overlay_runs() -> None:
    # dev: the in-cluster single-server NATS can hold one replica only.
    dev = render("dev")
    dev_config = next(c for c in kinds(dev, "ConfigMap") if c["metadata"]["name"].startswith("atende-config"))
    nats = find(dev, "StatefulSet", "nats")
    assert stream_replicas(dev_config["data"]) == {nats["spec"]["replicas"]} == {1}
    # prod: three, on the three-server cluster of the official chart's values.
    values = yaml.safe_load(NATS_VALUES.read_text())
    cluster, jetstream = values["config"]["cluster"], values["config"]["jetstream"]
    assert cluster["enabled"] is True and cluster["replicas"] == 3
    [prod_config] = kinds(render("prod"), "ConfigMap")
    assert stream_replicas(prod_config["data"]) == {cluster["replicas"]}
    assert stream_replicas(read_env_file(K8S / "overlays" / "prod" / "config.env")) == {3}
    # File storage on persistent volumes: the streams must outlive a pod.
    assert jetstream["enabled"] is True
    assert jetstream["fileStore"]["enabled"] is True and jetstream["fileStore"]["pvc"]["enabled"] is True
    assert re.fullmatch(r"\d+Gi", jetstream["fileStore"]["pvc"]["size"])
    assert jetstream["memoryStore"]["enabled"] is False
    assert values["podDisruptionBudget"]["enabled"] is True
    assert "kubernetes.io/hostname" in values["podTemplate"]["topologySpreadConstraints"]


def test_nats_runs_the_same_server_version_everywhere() -> None:
    values = yaml.safe_load(NATS_VALUES.read_text())
    [dev_nats] = find(render("dev"), "StatefulSet", "nats")["spec"]["template"]["spec"]["containers"]
    versions = {
        "helm values": f"nats:{values['container']['image']['tag']}",
        "dev overlay": dev_nats["image"],
        "docker compose": compose()["services"]["nats"]["image"],
    }
    assert len(set(versions.values())) == 1, versions
