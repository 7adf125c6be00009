"""Timers on any anyio backend (trio): one plain `anyio.sleep` a task."""

from __future__ import annotations

import time

import anyio


class AnyioTimers:
    """The loop's own timers, one a sleeping task; trio wakes ready tasks in a random order
    anyway, so there is no order to keep."""

    async def sleep_until(self, stamp: float) -> None:
        await anyio.sleep(max(0.0, stamp - time.perf_counter()))

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)

    def forget(self) -> None:
        return None
