"""The kitchen's timers: how a ticket sleeps until it arrives and how awaited I/O ends on time.

One implementation a backend, chosen once per run (as anyio's `_backends/` does): asyncio gets
timers shared by many tickets, any other backend plain `anyio` sleeps. Both take their
deadlines as `perf_counter()` stamps, the kitchen's clock, and schedule them on the loop's own
clock, which is not perf_counter's (asyncio's is `time.monotonic()`; trio's carries a random
offset).
"""

from __future__ import annotations

from typing import Protocol

from kitchen_tui.kitchen.timers.on_anyio import AnyioTimers
from kitchen_tui.kitchen.timers.on_asyncio import AsyncioTimers


class Timers(Protocol):
    """What the kitchen needs of a backend's timers."""

    async def sleep_until(self, stamp: float) -> None:
        """Sleep until the `perf_counter()` stamp; tasks waiting for the same stamp wake in
        the order they began to wait."""

    async def sleep(self, seconds: float) -> None:
        """Sleep `seconds`; sleeps of the same length end in the order they began."""

    def forget(self) -> None:
        """Drop the timers of tickets a reset cancelled."""


def timers_for(backend: str) -> Timers:
    """The timers for the backend this kitchen runs on."""
    return AsyncioTimers() if backend == "asyncio" else AnyioTimers()


__all__ = ["AnyioTimers", "AsyncioTimers", "Timers", "timers_for"]
