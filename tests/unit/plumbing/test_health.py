"""Readiness: started, not stopping, and every check passing."""

import asyncio

from plumbing.ops import Health


async def test_ready_only_when_started_and_every_check_passes() -> None:
    health = Health("tickets")
    health.add("sync", lambda: True)
    assert (await health.report())[0] is False, "not ready before start-up finished"
    health.started = True
    ready, details = await health.report()
    assert ready and details == {"service": "tickets", "status": "running", "checks": {"sync": "ok"}}


async def test_a_failing_raising_or_hanging_check_makes_it_unready() -> None:
    health = Health("files")
    health.started = True

    async def hangs() -> bool:
        await asyncio.sleep(60)
        return True

    def raises() -> bool:
        raise ConnectionRefusedError

    health.add("false", lambda: False)
    health.add("raises", raises)
    health.add("hangs", hangs)
    ready, details = await asyncio.wait_for(health.report(), timeout=10)
    assert not ready
    assert details["checks"] == {
        "false": "failing",
        "raises": "failing: ConnectionRefusedError",
        "hangs": "failing: TimeoutError",
    }


async def test_stopping_is_not_ready() -> None:
    health = Health("chat")
    health.started = True
    health.stopping = True
    ready, details = await health.report()
    assert not ready and details["status"] == "stopping"


async def test_an_expensive_check_is_reused_for_its_interval() -> None:
    health = Health("notifier")
    health.started = True
    calls = 0

    async def smtp_login() -> bool:
        nonlocal calls
        calls += 1
        return True

    health.add("smtp", smtp_login, every_s=60)
    health.add("cheap", lambda: True)
    for _ in range(3):
        assert (await health.report())[0]
    assert calls == 1


async def test_a_report_begun_during_start_up_never_says_ready() -> None:
    health = Health("files")
    slow_started = asyncio.Event()

    async def slow_database() -> bool:
        slow_started.set()
        await asyncio.sleep(0.1)
        return True

    health.add("postgres", slow_database)
    report = asyncio.create_task(health.report())
    await slow_started.wait()
    # Start-up finishes while the report runs: a check it did not run appears.
    health.add("s3", lambda: False)
    health.started = True
    ready, details = await report
    assert not ready
    assert details["status"] == "starting"
