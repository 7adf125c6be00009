"""The rail: awaited I/O ends on time, in order, and a cancelled wait leaves the rest alone."""

from __future__ import annotations

import time

import anyio
import pytest

from kitchen_tui.kitchen.rail import Rail
from kitchen_tui.kitchen.timers import timers_for

pytestmark = pytest.mark.anyio

# The loop's timers round up to the millisecond; a busy shared machine adds a few more.
LATE_S = 0.05


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_waits_end_after_their_length_in_deadline_order(anyio_backend: str) -> None:
    rail = Rail(timers_for(anyio_backend))
    ended: list[tuple[str, float]] = []
    start = time.perf_counter()

    async def hang(name: str, seconds: float, delay: float) -> None:
        await anyio.sleep(delay)
        began = time.perf_counter()
        await rail.wait(seconds)
        ended.append((name, time.perf_counter() - began))

    async with anyio.create_task_group() as tg:
        tg.start_soon(hang, "long", 0.12, 0.0)
        tg.start_soon(hang, "short", 0.03, 0.0)
        tg.start_soon(hang, "same length, later", 0.03, 0.04)
        tg.start_soon(hang, "same length, first", 0.03, 0.01)
    assert [name for name, _ in ended] == [
        "short",
        "same length, first",
        "same length, later",
        "long",
    ]
    lengths = {"long": 0.12, "short": 0.03, "same length, later": 0.03, "same length, first": 0.03}
    for name, took in ended:
        assert lengths[name] <= took < lengths[name] + LATE_S, (name, took)
    assert time.perf_counter() - start < 0.12 + LATE_S * 2


async def test_a_cancelled_wait_does_not_hold_up_the_others(anyio_backend: str) -> None:
    rail = Rail(timers_for(anyio_backend))
    ended: list[str] = []

    async def hang(name: str) -> None:
        await rail.wait(0.05)
        ended.append(name)

    async with anyio.create_task_group() as tg:
        with anyio.CancelScope() as scope:
            scope.cancel()
            await rail.wait(0.05)  # cancelled at once: never resolved, never blocks the rail
        tg.start_soon(hang, "kept")
        async with anyio.create_task_group() as doomed:
            doomed.start_soon(hang, "cancelled")
            await anyio.sleep(0.01)
            doomed.cancel_scope.cancel()
        tg.start_soon(hang, "after")
    assert ended == ["kept", "after"]


async def test_zero_length_wait_returns_at_once(anyio_backend: str) -> None:
    start = time.perf_counter()
    await Rail(timers_for(anyio_backend)).wait(0.0)
    assert time.perf_counter() - start < LATE_S
