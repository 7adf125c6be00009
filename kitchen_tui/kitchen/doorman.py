"""The doorman: a thread that walks each order to the front desk at its arrival time."""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable

from kitchen_tui.kitchen.frontdesk import FrontDesk, Ticket


class Doorman:
    """The kernel accepting connections: greets orders on time even while the loop is stalled.

    Real servers keep accepting connections into the kernel's backlog while the app is stuck;
    this thread plays that part. The ticket's own task also calls `FrontDesk.arrive`, and
    whichever comes first counts.
    """

    def __init__(self, desk: FrontDesk, wake_loop: Callable[[], None] = lambda: None) -> None:
        self._desk = desk
        # Wakes the event loop: an epoll timeout is rounded up to the next millisecond, so a
        # ticket sleeping until its arrival would be seated up to 1 ms late without it.
        self._wake_loop = wake_loop
        self._heap: list[tuple[float, int, Ticket]] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="doorman", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def expect(self, tickets: list[Ticket]) -> None:
        with self._cond:
            for ticket in tickets:
                heapq.heappush(self._heap, (ticket.arrival, ticket.n, ticket))
            self._cond.notify()

    def clear(self) -> None:
        with self._cond:
            self._heap.clear()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while True:
            with self._cond:
                due = self._due()
                if self._closed:
                    return
            if due:
                # Wake the loop first, once per batch: the tickets' own tasks may greet them
                # while this thread is still at it (whoever comes first counts).
                self._wake_loop()
            for ticket in due:
                if not ticket.cancel.is_set():
                    self._desk.arrive(ticket)

    def _due(self) -> list[Ticket]:
        """Pop every ticket whose time has come, or wait (under the lock) a while for one."""
        if self._closed:
            return []
        if not self._heap:
            self._cond.wait()
            return []
        delay = self._heap[0][0] - time.perf_counter()
        if delay > 0:
            self._cond.wait(delay)
            return []
        now = time.perf_counter()
        due = []
        while self._heap and self._heap[0][0] <= now:
            due.append(heapq.heappop(self._heap)[2])
        return due
