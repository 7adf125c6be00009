"""The prep shelf: worker processes that take CPU-heavy steps off the cook and the loop."""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio
from anyio import to_process

from kitchen_tui.kitchen.cpu import burn_cpu_on_shelf
from kitchen_tui.protocol.settings import MAX_SHELF

# Hears ("shelf_in" | "shelf_out", slot, real stamp, worker pid) as a job moves.
SlotCallback = Callable[[str, int, float, int], None]


class PrepShelf:
    """P worker processes (anyio.to_process), each a numbered slot; a cancel kills the worker."""

    def __init__(self, size: int) -> None:
        self._slots = anyio.CapacityLimiter(size)
        # to_process gets its own, wider limiter: our slots decide who runs, not anyio's default.
        self._processes = anyio.CapacityLimiter(MAX_SHELF)
        self._free = list(range(size))
        self.size = size

    def resize(self, size: int) -> None:
        self._free.extend(range(self.size, size))
        self._free = [slot for slot in self._free if slot < size]
        self.size = size
        self._slots.total_tokens = size

    async def warm_up(self) -> None:
        """Start the workers now, so the first order does not pay the 45 ms spawn."""
        async with anyio.create_task_group() as tg:
            for _ in range(self.size):
                tg.start_soon(self._run_job, 0.0)

    async def _run_job(self, seconds: float) -> tuple[float, int]:
        return await to_process.run_sync(
            burn_cpu_on_shelf, seconds, cancellable=True, limiter=self._processes
        )

    async def cook(self, seconds: float, on_slot: SlotCallback) -> tuple[float, int]:
        """Run `seconds` of CPU work on a free worker; `on_slot` hears when it starts and ends."""
        async with self._slots:
            slot = self._free.pop(0) if self._free else self.size
            on_slot("shelf_in", slot, time.perf_counter(), 0)
            try:
                cpu_s, pid = await self._run_job(seconds)
            finally:
                if slot < self.size:
                    self._free.append(slot)
                    self._free.sort()
            on_slot("shelf_out", slot, time.perf_counter(), pid)
            return cpu_s, pid
