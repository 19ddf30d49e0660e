"""The background loop every relay, projector and poller runs on."""

from __future__ import annotations

import asyncio

from support.waiting import eventually

from plumbing.worker import Loop


async def test_runs_at_once_on_a_nudge_and_on_its_poll() -> None:
    rounds: list[float] = []

    async def work() -> None:
        rounds.append(asyncio.get_running_loop().time())

    loop = Loop("test", work, poll_s=30)
    loop.start()
    await eventually(lambda: len(rounds) == 1, what="the first round, at once")
    loop.nudge()
    await eventually(lambda: len(rounds) == 2, what="a round after the nudge, long before the poll")
    assert loop.healthy
    await loop.stop()
    assert not loop.healthy


async def test_a_failing_round_is_retried_with_backoff_and_marks_it_unhealthy() -> None:
    attempts = 0
    errors: list[str] = []

    async def work() -> None:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise ConnectionError("away")

    async def on_error() -> None:
        errors.append("reset")

    loop = Loop("test", work, poll_s=30, on_error=on_error)
    loop.start()
    await eventually(lambda: attempts == 1 and not loop.healthy, what="the first failure")
    await eventually(lambda: attempts == 3, what="retries after 1 s and 2 s", timeout=6)
    assert loop.healthy and errors == ["reset", "reset"]
    await loop.stop()


async def test_stop_lets_the_round_in_hand_finish() -> None:
    finished = asyncio.Event()
    started = asyncio.Event()

    async def work() -> None:
        started.set()
        await asyncio.sleep(0.2)
        finished.set()

    loop = Loop("test", work, poll_s=30)
    loop.start()
    await started.wait()
    await loop.stop()
    assert finished.is_set()


async def test_with_a_linger_a_burst_of_nudges_makes_one_round() -> None:
    rounds: list[float] = []

    async def work() -> None:
        rounds.append(asyncio.get_running_loop().time())

    loop = Loop("test", work, poll_s=30, linger_s=0.3)
    loop.start()
    await eventually(lambda: len(rounds) == 1, what="the first round, at once")
    loop.nudge()
    await asyncio.sleep(0.05)
    loop.nudge()
    loop.nudge()
    await eventually(lambda: len(rounds) == 2, what="a round after the nudges")
    assert rounds[1] - rounds[0] >= 0.3, "it waited for the burst"
    await asyncio.sleep(0.5)
    assert len(rounds) == 2, "one round for the whole burst"
    await loop.stop()
