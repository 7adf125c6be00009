"""Timers on asyncio: one timer handle for many sleeping tickets, not one each."""

from __future__ import annotations

import asyncio
import time
from collections import deque

import anyio

# Tickets woken together at one arrival instant: the first are seated at once instead of
# after every ticket of the burst has been scheduled (a 10,000-ticket burst's first seat:
# 30 ms late with one shared future).
WAKE_BATCH = 64


class AsyncioTimers:
    """asyncio's timer heap, shared: futures resolved by one `call_at` handle for many tickets.

    A burst of 10,000 tickets would put 10,000 timer handles in the loop's heap, whose pops
    cost more than the tickets' own work. Instead the tickets of one arrival instant share one
    handle and wake WAKE_BATCH at a time, in the order they began to wait (ticket order); and
    sleeps of one length, which end in the order they began, keep a queue in deadline order
    with one handle for its head.
    """

    def __init__(self) -> None:
        # arrival stamp -> its batches, each a future and how many tickets wait on it
        self._arrivals: dict[float, deque[tuple[asyncio.Future[None], int]]] = {}
        # sleep length -> (loop deadline, future) in deadline order
        self._sleeps: dict[float, deque[tuple[float, asyncio.Future[None]]]] = {}

    async def sleep_until(self, stamp: float) -> None:
        loop = asyncio.get_running_loop()
        batches = self._arrivals.get(stamp)
        if batches is None:
            batches = self._arrivals[stamp] = deque()
            deadline = loop.time() + (stamp - time.perf_counter())
            loop.call_at(deadline, self._arrival_due, stamp)
        if not batches or batches[-1][1] >= WAKE_BATCH:
            batches.append((loop.create_future(), 0))
        future, waiting = batches[-1]
        batches[-1] = (future, waiting + 1)
        # Not shielded: only a reset cancels a waiting ticket, and it cancels every ticket
        # sharing this future along with it.
        await future

    def _arrival_due(self, stamp: float) -> None:
        batches = self._arrivals.pop(stamp, None)
        if batches:
            self._wake_batch(batches)

    def _wake_batch(self, batches: deque[tuple[asyncio.Future[None], int]]) -> None:
        """Wake one batch; the next goes after the tickets this one woke."""
        future, _ = batches.popleft()
        if not future.done():
            future.set_result(None)
        if batches:
            asyncio.get_running_loop().call_soon(self._wake_batch, batches)

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await anyio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        deadline = loop.time() + seconds
        queue = self._sleeps.get(seconds)
        if queue is None:
            queue = self._sleeps[seconds] = deque()
        queue.append((deadline, future))
        if len(queue) == 1:
            loop.call_at(deadline, self._sleeps_due, seconds)
        await future

    def _sleeps_due(self, seconds: float) -> None:
        """End every sleep of this length whose deadline has come; re-arm for the next."""
        queue = self._sleeps[seconds]
        loop = asyncio.get_running_loop()
        now = loop.time()
        while queue and queue[0][0] <= now:
            future = queue.popleft()[1]
            if not future.done():  # a cancelled ticket leaves a cancelled future behind
                future.set_result(None)
        if queue:
            loop.call_at(queue[0][0], self._sleeps_due, seconds)
        else:
            del self._sleeps[seconds]

    def forget(self) -> None:
        self._arrivals.clear()
