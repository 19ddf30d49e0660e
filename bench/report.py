"""Render a run as a markdown table (stdout and latest.md) and as JSON (latest.json)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from bench.model import Outcome
from bench.runner import Report


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _rate(outcome: Outcome) -> str:
    return "" if outcome.rate is None else f"{outcome.rate:,.0f} {outcome.unit}/s"


def _facts(facts: dict[str, object]) -> str:
    return ", ".join(f"{key}={value}" for key, value in facts.items())


def _row(outcome: Outcome, last: str) -> str:
    if outcome.error:
        return f"| {outcome.name} | **failed** | | | | | {outcome.error} |"
    lat = outcome.latency_ms
    cells = [outcome.name, _rate(outcome)]
    cells += [_ms(lat.p50), _ms(lat.p90), _ms(lat.p99)] if lat else ["", "", ""]
    cells += [str(outcome.count), last]
    return "| " + " | ".join(cells) + " |"


def render_markdown(report: Report) -> str:
    """Facts, then one table of baselines and one of scenarios with their ratios."""
    m = report.machine
    lines = [
        f"# Atende benchmarks — {m['timestamp']}{' (quick)' if report.quick else ''}",
        "",
        f"- machine: {m['cores']} cores, {m['platform']}, {m['python']}, loop {m['loop']}",
        f"- NATS {report.endpoints['nats']} (server {m.get('nats_server', '?')})",
        f"- PostgreSQL {report.endpoints['postgres']} (server {m.get('postgres_server', '?')})",
        f"- 1-min load average: {m['loadavg_1m_before']} before, {m.get('loadavg_1m_after', '?')} after",
        f"- {report.rounds} interleaved round(s) pooled; judge scenarios by ratios to these baselines",
        "- a ratio reads scenario ÷ baseline: rate below 1× or latency above 1× is slower than the baseline",
        "",
        "## Baselines",
        "",
        "| baseline | rate | p50 ms | p90 ms | p99 ms | n | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
        *(_row(o, _facts(o.facts)) for o in report.baselines),
    ]
    if report.scenarios:
        lines += [
            "",
            "## Scenarios",
            "",
            "| scenario | rate | p50 ms | p90 ms | p99 ms | n | vs baseline |",
            "|---|---:|---:|---:|---:|---:|---|",
            *(_row(o, "; ".join(r.text for r in o.ratios)) for o in report.scenarios),
            "",
            *(f"- `{o.name}`: {o.description} {_facts(o.facts)}" for o in report.scenarios),
        ]
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> str:
    """Every figure, raw, for tools that track ratios across runs."""
    return json.dumps({"schema": 1, **dataclasses.asdict(report)}, indent=2, ensure_ascii=False) + "\n"


def write(report: Report, out: Path) -> tuple[Path, Path]:
    """Write latest.md and latest.json into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / "latest.md", out / "latest.json"
    md.write_text(render_markdown(report), encoding="utf-8")
    js.write_text(to_json(report), encoding="utf-8")
    return md, js
