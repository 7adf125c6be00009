"""The doorman: a thread that walks each order to the front desk at its arrival time."""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

from kitchen_tui.kitchen.frontdesk import Ticket


class Greeter(Protocol):
    """Whoever puts an order on the desk at its arrival: the front desk, or a shared one."""

    def arrive(self, ticket: Ticket) -> bool | None: ...


class Doorman:
    """The kernel accepting connections: greets orders on time even while the loop is stalled.

    Real servers keep accepting connections into the kernel's backlog while the app is stuck;
    this thread plays that part. The ticket's own task also calls `FrontDesk.arrive`, and
    whichever comes first counts. It also sees customers hang up at their patience (the kernel
    gets their FIN), which the handler never hears of until it writes the answer.
    """

    def __init__(
        self,
        desk: Greeter,
        wake_loop: Callable[[], None] = lambda: None,
        walk_out: Callable[[Ticket], None] = lambda ticket: None,
    ) -> None:
        self._desk = desk
        self._walk_out = walk_out
        # Wakes the event loop: an epoll timeout is rounded up to the next millisecond, so a
        # ticket sleeping until its arrival would be seated up to 1 ms late without it.
        self._wake_loop = wake_loop
        # (when, kind, number, ticket): kind 0 arrives, 1 walks out (after arriving, on a tie).
        self._heap: list[tuple[float, int, int, Ticket]] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="doorman", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def expect(self, tickets: list[Ticket]) -> None:
        with self._cond:
            for ticket in tickets:
                heapq.heappush(self._heap, (ticket.arrival, 0, ticket.n, ticket))
                if ticket.leaves_at != math.inf:
                    heapq.heappush(self._heap, (ticket.leaves_at, 1, ticket.n, ticket))
            self._cond.notify()

    def expect_walk_out(self, ticket: Ticket) -> None:
        """A ticket greeted elsewhere (by a worker's master): only its customer's leaving to
        see, at once if that time has passed while it waited in the shared socket."""
        with self._cond:
            heapq.heappush(self._heap, (ticket.leaves_at, 1, ticket.n, ticket))
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
            for leaves, ticket in due:
                if leaves:
                    self._walk_out(ticket)
                elif not ticket.cancel.is_set():
                    self._desk.arrive(ticket)

    def _due(self) -> list[tuple[int, Ticket]]:
        """Pop every arrival and walk-out whose time has come (kind, ticket), or wait (under
        the lock) a while for one."""
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
        due: list[tuple[int, Ticket]] = []
        while self._heap and self._heap[0][0] <= now:
            _when, kind, _n, ticket = heapq.heappop(self._heap)
            due.append((kind, ticket))
        return due
