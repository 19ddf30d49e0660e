"""Offline checks of the Grafana dashboard (deploy/grafana/atende.json) and of Prometheus' scraping.

The metrics our code defines are read from the modules that define them (imported: nothing connects
at import time), so renaming a metric without the dashboard, or charting a label the metric does not
have, fails here; so does defining a metric that no panel shows.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.metrics import MetricWrapperBase

from .support import REPO, SERVICES, find, render

DASHBOARD = REPO / "deploy" / "grafana" / "atende.json"
ROWS = {"Traffic", "Messaging", "Chat", "Mail", "Files"}
# Labels Prometheus adds to every scraped series (static configs, pod discovery).
TARGET_LABELS = {"job", "instance", "namespace", "pod"}
NAME = re.compile(r"\b((?:atende|process)_[a-z_]+)\b")
SELECTOR = re.compile(r"\b((?:atende|process)_[a-z_]+)\{([^}]*)\}")
MATCHER_LABEL = re.compile(r"(\w+)\s*(?:=~|!~|!=|=)")
GROUPING = re.compile(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)")
# label_replace(v, "dst", "replacement", "src", "regex"): the last four arguments.
REPLACED = re.compile(r'"(\w+)",\s*"[^"]*",\s*"\w+",\s*"[^"]*"\)')


@dataclass(frozen=True)
class Series:
    """One series name Prometheus stores and the labels it carries."""

    name: str
    labels: frozenset[str]


def metric_modules() -> Iterator[ModuleType]:
    """Every module of ours that uses prometheus_client, imported."""
    roots = [REPO / "plumbing" / "plumbing", *(REPO / "services" / d / m for m, d, _, _ in SERVICES.values())]
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "prometheus_client" in path.read_text():
                parts = path.relative_to(root.parent).with_suffix("").parts
                yield importlib.import_module(".".join(p for p in parts if p != "__init__"))


@cache
def defined_series() -> dict[str, Series]:
    """Series name -> series, for every atende_ metric our code defines and the process metrics."""
    found: dict[str, Series] = {}
    for module in metric_modules():
        for value in vars(module).values():
            if not isinstance(value, MetricWrapperBase):
                continue
            [family] = value.describe()
            labels = frozenset(value._labelnames)  # no public accessor for a metric's label names
            if family.type == "counter":
                names = {f"{family.name}_total": labels}
            elif family.type == "histogram":
                names = {family.name + s: labels for s in ("_count", "_sum")}
                names[f"{family.name}_bucket"] = labels | {"le"}
            else:
                names = {family.name: labels}
            found.update({name: Series(name, lbl) for name, lbl in names.items()})
    # The default registry's process collector (CPU, memory, file descriptors) on every service.
    for family in REGISTRY.collect():
        if family.name.startswith("process_"):
            for sample in family.samples:
                found.setdefault(sample.name, Series(sample.name, frozenset()))
    return found


def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return data


def charts(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in data["panels"] if p["type"] != "row"]


def expressions(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["title"], t["expr"]) for p in charts(data) for t in p["targets"]]


def problems(expr: str, series: dict[str, Series]) -> list[str]:
    """What in one PromQL expression names a series or label our code does not define."""
    found = []
    names = set(NAME.findall(expr))
    for name in sorted(names - series.keys()):
        found.append(f"unknown metric {name}")
    known = {name: series[name] for name in names & series.keys()}
    for name, matchers in SELECTOR.findall(expr):
        if name in known:
            for label in set(MATCHER_LABEL.findall(matchers)) - known[name].labels - TARGET_LABELS:
                found.append(f"{name} has no label {label}")
    available = set().union(TARGET_LABELS, REPLACED.findall(expr), *(s.labels for s in known.values()))
    for group in GROUPING.findall(expr):
        for label in {g.strip() for g in group.split(",") if g.strip()} - available:
            found.append(f"no metric in the expression has the label {label}")
    return found


def unbalanced(expr: str) -> bool:
    """True when (), {} or [] do not pair up outside string literals."""
    pairs, stack = {")": "(", "}": "{", "]": "["}, []
    for char in re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr):
        if char in "({[":
            stack.append(char)
        elif char in pairs and (not stack or stack.pop() != pairs[char]):
            return True
    return bool(stack)


def test_the_dashboard_is_a_grafana_dashboard_with_a_prometheus_datasource_variable() -> None:
    data = dashboard()
    assert data["schemaVersion"] >= 36
    assert data["uid"] and data["title"]
    variables = {v["name"]: v for v in data["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["job"]["datasource"]["uid"] == "${datasource}"
    assert {p["title"] for p in data["panels"] if p["type"] == "row"} >= ROWS

    ids = [p["id"] for p in data["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in charts(data):
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], f"{panel['title']}: no targets"
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs)), f"{panel['title']}: repeated refId"
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]
            assert target["expr"].strip(), panel["title"]


def test_panels_fit_the_grid_without_overlapping() -> None:
    taken: set[tuple[int, int]] = set()
    for panel in dashboard()["panels"]:
        box = panel["gridPos"]
        assert box["x"] >= 0 and box["x"] + box["w"] <= 24, panel["title"]
        cells = {
            (x, y) for x in range(box["x"], box["x"] + box["w"]) for y in range(box["y"], box["y"] + box["h"])
        }
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells


def test_every_expression_is_balanced_and_filtered_by_the_job_variable() -> None:
    for title, expr in expressions(dashboard()):
        assert not unbalanced(expr), f"{title}: unbalanced brackets in {expr}"
        for name, matchers in SELECTOR.findall(expr):
            assert 'job=~"$job"' in matchers, f"{title}: {name} ignores the job variable"
        assert len(SELECTOR.findall(expr)) == len(NAME.findall(expr)), f"{title}: a bare metric in {expr}"


def test_every_metric_and_label_the_dashboard_uses_is_defined_by_our_code() -> None:
    series = defined_series()
    assert {
        "atende_http_requests_total",
        "atende_relay_lag_events",
        "atende_chat_batch_changes_bucket",
    } <= set(series), "the metric modules were not all found"
    found = [f"{title}: {p}" for title, expr in expressions(dashboard()) for p in problems(expr, series)]
    assert not found, "\n".join(found)


def test_every_metric_our_code_defines_is_on_the_dashboard() -> None:
    used = {name for _, expr in expressions(dashboard()) for name in NAME.findall(expr)}
    families = {re.sub(r"_(bucket|count|sum)$", "", name) for name in used}
    ours = {
        re.sub(r"_(bucket|count|sum)$", "", name) for name in defined_series() if name.startswith("atende_")
    }
    assert not ours - families, f"metrics no panel shows: {sorted(ours - families)}"


def test_the_checks_reject_a_renamed_metric_an_unknown_label_and_a_missing_bracket() -> None:
    series = defined_series()
    good = 'sum by (consumer) (rate(atende_messages_handled_total{job=~"$job",outcome="ok"}[5m]))'
    assert problems(good, series) == []
    assert not unbalanced(good)
    renamed = good.replace("messages_handled", "messages_processed")
    assert "unknown metric atende_messages_processed_total" in problems(renamed, series)
    assert problems(good.replace("outcome=", "result="), series) == [
        "atende_messages_handled_total has no label result"
    ]
    assert problems(good.replace("by (consumer)", "by (route)"), series) == [
        "no metric in the expression has the label route"
    ]
    assert unbalanced(good + ")")
    assert unbalanced(good.replace("[5m]", "[5m"))


def test_every_deployment_is_scraped_on_its_ops_port() -> None:
    docs = render("prod")
    for service, (_, _, _, port) in SERVICES.items():
        template = find(docs, "Deployment", service)["spec"]["template"]
        annotations = template["metadata"].get("annotations", {})
        scrape = {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": str(port),
            "prometheus.io/path": "/metrics",
        }
        assert annotations.items() >= scrape.items(), service
        [container] = template["spec"]["containers"]
        assert {"name": "ops", "containerPort": port, "protocol": "TCP"} in container["ports"], service


def test_the_operations_guide_names_the_dashboard_and_every_metric() -> None:
    guide = (REPO / "docs" / "operations.md").read_text()
    assert str(DASHBOARD.relative_to(REPO)) in guide
    ours = {
        re.sub(r"_(bucket|count|sum)$", "", name) for name in defined_series() if name.startswith("atende_")
    }
    missing = sorted(name for name in ours if name not in guide)
    assert not missing, f"docs/operations.md does not describe {missing}"
