"""The rendered NetworkPolicies, evaluated: who can open a connection to which pod port, per overlay.

A small evaluator of the NetworkPolicy ingress rules (the subset Atende uses: matchLabels selectors,
named or numbered ports, pod and namespace peers) answers "may this source reach that pod's port?",
and the tests ask it about every service port, every infrastructure port (dev) and every caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from devstack.services import SERVICES as DEVSTACK_SERVICES

from .support import INTERNAL_PORTS, NAMESPACES, PUBLIC_PORTS, SERVICES, kinds, render

MONITORING = "monitoring"


@dataclass(frozen=True)
class Pod:
    """A source or destination: None namespace is a client outside the cluster."""

    name: str
    namespace: str | None
    labels: dict[str, str]
    ports: dict[str, int] = field(default_factory=dict)


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, f"the evaluator knows matchLabels only: {selector}"
    return bool(selector.get("matchLabels", {}).items() <= labels.items())


def namespace_labels(name: str) -> dict[str, str]:
    # The API server labels every namespace with its own name.
    return {"kubernetes.io/metadata.name": name}


def peer_admits(peer: dict[str, Any], source: Pod, namespace: str) -> bool:
    assert set(peer) <= {"podSelector", "namespaceSelector"}, f"unexpected peer {peer}"
    if source.namespace is None:
        return False
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], namespace_labels(source.namespace)):
            return False
    elif source.namespace != namespace:
        return False
    return "podSelector" not in peer or selects(peer["podSelector"], source.labels)


def port_admits(entry: dict[str, Any], destination: Pod, port: int) -> bool:
    assert entry.get("protocol", "TCP") == "TCP" and "endPort" not in entry
    wanted = entry["port"]
    return destination.ports.get(wanted) == port if isinstance(wanted, str) else wanted == port


def allowed(policies: list[dict[str, Any]], source: Pod, destination: Pod, port: int) -> bool:
    assert port in destination.ports.values(), f"{destination.name} does not listen on {port}"
    selecting = [
        p
        for p in policies
        if p["metadata"]["namespace"] == destination.namespace
        and "Ingress" in p["spec"]["policyTypes"]
        and selects(p["spec"]["podSelector"], destination.labels)
    ]
    if not selecting:
        return True
    for policy in selecting:
        for rule in policy["spec"].get("ingress", []):
            port_ok = "ports" not in rule or any(port_admits(e, destination, port) for e in rule["ports"])
            from_ok = "from" not in rule or any(
                peer_admits(peer, source, policy["metadata"]["namespace"]) for peer in rule["from"]
            )
            if port_ok and from_ok:
                return True
    return False


def pods(docs: tuple[dict[str, Any], ...]) -> dict[str, Pod]:
    """Every workload's pod, by workload name."""
    found = {}
    for doc in docs:
        if doc["kind"] not in ("Deployment", "StatefulSet", "Job"):
            continue
        template = doc["spec"]["template"]
        ports = {
            p["name"]: p["containerPort"] for c in template["spec"]["containers"] for p in c.get("ports", [])
        }
        name = doc["metadata"]["name"]
        found[name] = Pod(name, doc["metadata"]["namespace"], template["metadata"]["labels"], ports)
    return found


OUTSIDER = Pod("a browser", None, {})
INGRESS_CONTROLLER = Pod("ingress-nginx", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
PROMETHEUS = Pod("prometheus", MONITORING, {"app.kubernetes.io/name": "prometheus"})
STRAY_PROMETHEUS = Pod("prometheus elsewhere", "observability", {"app.kubernetes.io/name": "prometheus"})


@pytest.mark.parametrize("overlay", sorted(NAMESPACES))
def test_every_pod_is_closed_by_default(overlay: str) -> None:
    docs = render(overlay)
    [deny] = [p for p in kinds(docs, "NetworkPolicy") if p["metadata"]["name"] == "default-deny-ingress"]
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    # Egress is deliberately left open (external NATS, PostgreSQL, S3, SMTP, IMAP).
    assert all("Egress" not in p["spec"]["policyTypes"] for p in kinds(docs, "NetworkPolicy"))


@pytest.mark.parametrize("overlay", sorted(NAMESPACES))
def test_only_the_gateway_api_is_open_to_all_and_ops_ports_only_to_monitoring(overlay: str) -> None:
    docs = render(overlay)
    policies, workloads = kinds(docs, "NetworkPolicy"), pods(docs)
    services = [workloads[name] for name in SERVICES]
    for destination in services:
        ops = destination.ports["ops"]
        assert allowed(policies, PROMETHEUS, destination, ops), destination.name
        for source in [OUTSIDER, INGRESS_CONTROLLER, STRAY_PROMETHEUS, *services]:
            assert not allowed(policies, source, destination, ops), f"{source.name} -> {destination.name} ops"
        public = PUBLIC_PORTS.get(destination.name)
        if public is not None:
            for source in (OUTSIDER, INGRESS_CONTROLLER, PROMETHEUS):
                assert allowed(policies, source, destination, public), f"{source.name} -> public API"
    assert set(PUBLIC_PORTS) == {"gateway"}


@pytest.mark.parametrize("overlay", sorted(NAMESPACES))
def test_the_files_private_port_admits_exactly_the_services_that_call_it(overlay: str) -> None:
    docs = render(overlay)
    policies, workloads = kinds(docs, "NetworkPolicy"), pods(docs)
    callers = {spec.name for spec in DEVSTACK_SERVICES if "files" in spec.calls}
    assert callers == {"gateway", "mail-ingest"}
    files = workloads["files"]
    internal = INTERNAL_PORTS["files"]
    for name in SERVICES:
        assert allowed(policies, workloads[name], files, internal) is (name in callers), name
    for source in (OUTSIDER, INGRESS_CONTROLLER, PROMETHEUS):
        assert not allowed(policies, source, files, internal), source.name


def test_dev_infrastructure_is_reachable_from_the_namespace_only() -> None:
    docs = render("dev")
    policies, workloads = kinds(docs, "NetworkPolicy"), pods(docs)
    infrastructure = [
        p for p in workloads.values() if p.labels["app.kubernetes.io/component"] == "infrastructure"
    ]
    assert {p.name for p in infrastructure} >= {"nats", "postgres", "minio", "mail", "minio-bucket"}
    clients = [workloads[name] for name in SERVICES] + [workloads["minio-bucket"]]
    for destination in infrastructure:
        for port in destination.ports.values():
            for source in clients:
                assert allowed(policies, source, destination, port), (
                    f"{source.name} -> {destination.name}:{port}"
                )
            for source in (OUTSIDER, PROMETHEUS):
                assert not allowed(policies, source, destination, port), (
                    f"{source.name} -> {destination.name}"
                )


def test_prod_has_no_infrastructure_policy_to_leave_open() -> None:
    names = {p["metadata"]["name"] for p in kinds(render("prod"), "NetworkPolicy")}
    assert names == {"default-deny-ingress", "gateway-http", "ops-from-monitoring", "files-internal"}


def test_the_evaluator_itself_denies_and_admits() -> None:
    """A permissive evaluator would pass every test above: check it on hand-made policies."""
    target = Pod("t", "ns", {"app": "t"}, {"web": 80})
    friend, stranger = Pod("f", "ns", {"app": "f"}), Pod("s", "ns", {"app": "s"})
    assert allowed([], stranger, target, 80), "no policy selects it: open"
    deny = {"metadata": {"namespace": "ns"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}
    assert not allowed([deny], friend, target, 80)
    only_friend = {
        "metadata": {"namespace": "ns"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "t"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": [{"podSelector": {"matchLabels": {"app": "f"}}}], "ports": [{"port": "web"}]}
            ],
        },
    }
    assert allowed([deny, only_friend], friend, target, 80)
    assert not allowed([deny, only_friend], stranger, target, 80)
    assert not allowed([deny, only_friend], Pod("f elsewhere", "other", {"app": "f"}), target, 80)
    assert not allowed([deny, only_friend], OUTSIDER, target, 80)
