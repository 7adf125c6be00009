"""The model's workers: several kitchens behind one front desk, handed tickets as servers do."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import partial

from kitchen_tui.stream.model_kitchens import Cooks
from kitchen_tui.stream.model_loop import Loop
from kitchen_tui.stream.model_parts import Ticket


class Pool:
    """Worker processes sharing one listening socket (the shared front desk).

    An arrival goes to a worker that would accept it now: one with a free cook (sync, threads)
    or whose loop nothing holds (async); when several would, the one handed fewest so far (the
    kernel wakes them all and one wins; over a run they share the work). With none, it waits
    at the shared desk (86'd past its capacity) until a worker is free again: a cook that comes
    free takes one, a loop that runs again takes every one waiting.
    """

    def __init__(self, capacity: int, workers: list[Cooks | Loop]) -> None:
        self._capacity = capacity
        self._workers = workers
        self._handed = [0] * len(workers)
        self._desk: deque[Ticket] = deque()
        self.worker_of: dict[int, int] = {}  # id(ticket) -> worker number (from 1)
        for index, worker in enumerate(workers):
            worker.on_free = partial(self._free, index)

    def arrive(self, ticket: Ticket) -> None:
        ready = [i for i, worker in enumerate(self._workers) if worker.ready]
        if ready and not self._desk:
            index = min(ready, key=lambda i: (self._handed[i], i))
            self._hand(index, ticket, self._workers[index].arrive)
            return
        if len(self._desk) >= self._capacity:
            ticket.refused = True
            return
        self._desk.append(ticket)

    def _free(self, index: int) -> None:
        worker = self._workers[index]
        while self._desk and worker.ready:
            self._hand(index, self._desk.popleft(), worker.take)

    def _hand(self, index: int, ticket: Ticket, to: Callable[[Ticket], None]) -> None:
        self._handed[index] += 1
        self.worker_of[id(ticket)] = index + 1
        to(ticket)
