"""The rail: tickets parked at an `await` while their I/O is in flight."""

from __future__ import annotations

import asyncio
import time
from collections import deque

import anyio


class Rail:
    """Where awaited I/O hangs until it comes back: one timer per wait length, not per ticket.

    On asyncio a `wait` step awaits a future that the loop resolves at its deadline, which is
    what `asyncio.sleep` does, minus a timer handle per ticket in the loop's heap. Waits of
    the same length end in the order they began, so each length keeps a queue in deadline
    order and one timer for its head: in a burst of 10,000 tickets the loop keeps one timer
    instead of 10,000. Trio gets a plain `anyio.sleep`.
    """

    def __init__(self, backend: str) -> None:
        self._asyncio = backend == "asyncio"
        self._queues: dict[float, deque[tuple[float, asyncio.Future[None]]]] = {}

    async def wait(self, seconds: float) -> None:
        """Suspend the calling task for `seconds`, as awaited I/O would."""
        if not self._asyncio or seconds <= 0:
            await anyio.sleep(seconds)
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        deadline = time.perf_counter() + seconds  # the loop's clock is perf_counter's
        queue = self._queues.get(seconds)
        if queue is None:
            queue = self._queues[seconds] = deque()
        queue.append((deadline, future))
        if len(queue) == 1:
            loop.call_at(deadline, self._ring, seconds)
        await future

    def _ring(self, seconds: float) -> None:
        """Release every wait of this length whose deadline has come; re-arm for the next."""
        queue = self._queues[seconds]
        now = time.perf_counter()
        while queue and queue[0][0] <= now:
            future = queue.popleft()[1]
            if not future.done():  # a cancelled ticket leaves a cancelled future behind
                future.set_result(None)
        if queue:
            asyncio.get_running_loop().call_at(queue[0][0], self._ring, seconds)
        else:
            del self._queues[seconds]
