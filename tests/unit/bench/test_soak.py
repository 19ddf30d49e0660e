"""The soak's judging parts: the RSS trend, per-flow tallies, ticket mails counted and the runner's limits."""

import asyncio
import os
import time
from pathlib import Path

import pytest

from bench import runner
from bench.context import BenchContext, Endpoints
from bench.model import Benchmark, Sample
from bench.scenarios import SCENARIOS
from bench.scenarios.soak_mixed import Rates, duration_s, warmup_s
from bench.soak.recorder import KEPT_ERRORS, Flows
from bench.soak.sampler import Sampler, slope_per_min
from bench.soak.stack import ticket_mails


def test_a_flat_series_has_no_slope() -> None:
    assert slope_per_min([(t * 5.0, 120.0) for t in range(20)]) == 0.0


def test_the_slope_is_the_growth_per_minute_through_noise() -> None:
    # 0.5 MB per minute, with a sawtooth of ±1 MB (what a garbage collector looks like).
    points = [(t * 5.0, 100 + 0.5 * t * 5 / 60 + (1 if t % 2 else -1)) for t in range(120)]
    assert slope_per_min(points) == pytest.approx(0.5, abs=0.05)


def test_too_few_points_have_no_slope() -> None:
    assert slope_per_min([]) == 0.0
    assert slope_per_min([(3.0, 80.0)]) == 0.0
    assert slope_per_min([(3.0, 80.0), (3.0, 90.0)]) == 0.0


def test_the_sampler_reports_memory_after_warm_up_only() -> None:
    sampler = Sampler({"me": os.getpid()}, every_s=5)
    rss = [(0.0, 50.0), (10.0, 100.0), (70.0, 101.0), (130.0, 102.0), (190.0, 102.0), (250.0, 90.0)]
    sampler.series["me"].rss_mb[:] = rss
    sampler.series["me"].cpu_s[:] = [(0.0, 0.0), (10.0, 1.0), (70.0, 7.0), (130.0, 13.0), (250.0, 14.0)]
    facts = sampler.facts(after_s=10, until_s=190)  # warm-up before 10 s, draining after 190 s
    assert facts["me_rss_start_mb"] == 100.0
    assert facts["me_rss_end_mb"] == 90.0
    assert facts["me_rss_slope_mb_per_min"] == pytest.approx(0.7)
    assert facts["me_rss_late_slope_mb_per_min"] == 0.0  # it levelled off: a cache filled, not a leak
    assert facts["me_cpu_pct"] == 10.0


def test_the_sampler_reads_a_live_process() -> None:
    sampler = Sampler({"me": os.getpid()}, every_s=5)
    sampler.sample()
    assert sampler.latest_rss()["me"] > 1


def test_flows_count_every_outcome_but_time_only_after_warm_up() -> None:
    flows = Flows("open")
    flows.done("open", time.perf_counter_ns())
    flows.measuring = True
    flows.done("open", 0, ended_ns=5_000_000)
    for n in range(KEPT_ERRORS + 2):
        flows.failed("open", f"answered 503 ({n})")
    facts = flows["open"].facts()
    assert facts["open_n"] == 2
    assert facts["open_errors"] == KEPT_ERRORS + 2
    assert facts["open_p99_ms"] == 5.0
    assert flows.errors == KEPT_ERRORS + 2
    assert flows.error_lines()[0] == "open: answered 503 (0)"
    assert len(flows.error_lines()) == KEPT_ERRORS


def test_ticket_mails_are_told_apart_from_other_mail(tmp_path: Path) -> None:
    new = tmp_path / "new"
    new.mkdir()
    heads = {
        "receipt": "Return-Path: <s@x>\nSubject: =?utf-8?q?=5B#1=5D?=\nMessage-ID: <ticket-ab12@atende.local>\n",
        "reply": "Return-Path: <s@x>\nMessage-ID: <9f@atende.local>\nIn-Reply-To: <ticket-ab12@atende.local>\n",
        "closed": "Return-Path: <s@x>\nMessage-Id: <7e@atende.local>\nIn-Reply-To: <ticket-ab12@atende.local>\n",
        "account": "Return-Path: <s@x>\nSubject: Confirme seu e-mail\nMessage-ID: <1c@atende.local>\n",
    }
    for name, head in heads.items():
        (new / name).write_text(head + "\nIn-Reply-To: <ticket-in-the-body@x>\n")
    assert ticket_mails(tmp_path) == (1, 2)


def test_the_soak_runs_once_with_a_limit_past_its_duration(monkeypatch: pytest.MonkeyPatch) -> None:

    soak = SCENARIOS["soak_mixed"]
    ctx = BenchContext(Endpoints("nats://127.0.0.1:1", "postgresql://x"), quick=True)
    monkeypatch.delenv("BENCH_SOAK_S", raising=False)
    assert duration_s(ctx) == 60
    assert duration_s(BenchContext(ctx.endpoints)) == 600
    monkeypatch.setenv("BENCH_SOAK_S", "45")
    assert duration_s(ctx) == 45
    assert soak.once
    assert soak.timeout_s is not None and soak.timeout_s(ctx) > 45 + warmup_s(45)


def test_the_scale_multiplies_every_rate_and_the_agents_and_cache_follow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BENCH_SOAK_SCALE", raising=False)
    base = Rates.from_env()
    monkeypatch.setenv("BENCH_SOAK_SCALE", "2")
    doubled = Rates.from_env()
    assert doubled.tickets_per_s == 2 * base.tickets_per_s
    assert doubled.emails_per_s == 2 * base.emails_per_s
    assert doubled.conversations == 2 * base.conversations
    assert doubled.file_every_s == base.file_every_s / 2
    assert doubled.agents * 4 >= doubled.conversations
    assert doubled.chat_cache == 2 * doubled.conversations


def test_warm_up_is_a_tenth_and_never_under_ten_seconds() -> None:
    assert warmup_s(600) == 60
    assert warmup_s(30) == 10


async def test_the_runner_runs_a_once_benchmark_in_the_first_round_and_keeps_its_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = {"steady": 0, "long": 0, "slow": 0}

    async def steady(ctx: BenchContext) -> Sample:
        calls["steady"] += 1
        return Sample(1, 1.0)

    async def long(ctx: BenchContext) -> Sample:
        calls["long"] += 1
        return Sample(1, 1.0)

    async def slow(ctx: BenchContext) -> Sample:
        calls["slow"] += 1
        await asyncio.sleep(5)
        return Sample(1, 1.0)

    async def no_servers(ctx: BenchContext) -> dict[str, object]:
        return {}

    monkeypatch.setattr(runner, "server_facts", no_servers)
    chosen = [
        Benchmark("steady", "ops", "d", steady, "pg_commit"),
        Benchmark("long", "ops", "d", long, "pg_commit", once=True),
        Benchmark("slow", "ops", "d", slow, "pg_commit", timeout_s=lambda ctx: 0.05),
    ]
    ctx = BenchContext(Endpoints("nats://127.0.0.1:1", "postgresql://x"), quick=True)
    report = await runner.run(ctx, [], chosen, "asyncio", rounds=2)
    assert calls == {"steady": 2, "long": 1, "slow": 1}
    outcomes = {o.name: o for o in report.scenarios}
    assert outcomes["long"].count == 1
    assert outcomes["slow"].error == "TimeoutError: no result within 0 s"
