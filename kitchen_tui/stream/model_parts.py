"""The model's shared parts: story time, a ticket in flight, and the resources tickets queue
for (prep shelf workers, the GIL under computing threads, the to_thread limiter's tokens)."""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Literal

from kitchen_tui.protocol.orders import Order

Action = Callable[[], None]
# How the kitchen serves each step, once the remedies are applied to it:
# wait (awaited I/O, or blocking I/O on a cook thread), block (a blocking call holding the
# thread it runs on), cpu (computing on the thread it runs on), slices (computing on the loop
# with checkpoints between slices), thread_io / thread_cpu (blocking I/O or computing on a
# to_thread worker), shelf (computing on a prep shelf worker, awaited), job (handed to the
# shelf, not awaited).
Op = Literal["wait", "block", "cpu", "slices", "thread_io", "thread_cpu", "shelf", "job"]


class Ticket:
    """One order ticket in flight: its steps, which one is next, and what happened to it."""

    __slots__ = (
        "arrived",
        "failed",
        "idx",
        "job_done",
        "jobs",
        "order",
        "refused",
        "seated",
        "served",
        "steps",
    )

    def __init__(self, order: Order, steps: list[tuple[Op, float]], failed: bool) -> None:
        self.order = order
        self.steps = steps
        self.failed = failed
        self.idx = 0
        self.arrived = order.at
        self.seated: float | None = None
        self.served: float | None = None
        self.refused = False
        self.jobs = sum(1 for op, _ in steps if op == "job")  # jobs not yet done
        self.job_done: float | None = None

    def finish_job(self, now: float) -> None:
        self.jobs -= 1
        if self.jobs == 0:
            self.job_done = now


class Clock:
    """Story time: a heap of timed actions, run in time order (ties in scheduling order)."""

    def __init__(self) -> None:
        self.now = 0.0
        self._heap: list[tuple[float, int, Action]] = []
        self._seq = itertools.count()

    def at(self, when: float, action: Action) -> None:
        heapq.heappush(self._heap, (when, next(self._seq), action))

    def run(self) -> None:
        while self._heap:
            self.now, _, action = heapq.heappop(self._heap)
            action()


class Shelf:
    """The prep shelf: P worker processes running cpu steps, FIFO by submission."""

    def __init__(self, clock: Clock, workers: int) -> None:
        self._clock = clock
        self._free = workers
        self._queue: deque[tuple[Ticket, float, Callable[[Ticket], None]]] = deque()

    def submit(self, ticket: Ticket, seconds: float, done: Callable[[Ticket], None]) -> None:
        self._queue.append((ticket, seconds, done))
        self._start()

    def _start(self) -> None:
        while self._free and self._queue:
            ticket, seconds, done = self._queue.popleft()
            self._free -= 1
            self._clock.at(self._clock.now + seconds, partial(self._finish, ticket, done))

    def _finish(self, ticket: Ticket, done: Callable[[Ticket], None]) -> None:
        self._free += 1
        self._start()  # hand the worker on before `done` can queue more: keeps FIFO
        done(ticket)


class Gil:
    """The GIL under computing threads: k running cpu steps each progress at rate 1/k.

    Processor sharing via virtual time: `virtual` is the work every running step has received
    since time 0, so a step finishes when `virtual` reaches its start value plus its work.
    """

    def __init__(self, clock: Clock, done: Callable[[Ticket], None]) -> None:
        self._clock = clock
        self._done = done
        self._jobs: list[tuple[float, int, Ticket]] = []  # (virtual finish, seq, ticket)
        self._seq = itertools.count()
        self._virtual = 0.0
        self._stamp = 0.0
        self._token = 0  # bumped on every change: older wake-ups are stale

    @property
    def running(self) -> bool:
        return bool(self._jobs)

    def add(self, ticket: Ticket, seconds: float) -> None:
        self._advance()
        heapq.heappush(self._jobs, (self._virtual + seconds, next(self._seq), ticket))
        self._reschedule()

    def _advance(self) -> None:
        now = self._clock.now
        if self._jobs:
            self._virtual += (now - self._stamp) / len(self._jobs)
        self._stamp = now

    def _reschedule(self) -> None:
        self._token += 1
        if self._jobs:
            left = (self._jobs[0][0] - self._virtual) * len(self._jobs)
            self._clock.at(self._clock.now + max(left, 0.0), partial(self._wake, self._token))

    def _wake(self, token: int) -> None:
        if token != self._token:
            return
        self._advance()
        # Snap to the exact finish value, so steps that tie finish together despite rounding.
        self._virtual = self._jobs[0][0]
        finished: list[Ticket] = []
        while self._jobs and self._jobs[0][0] <= self._virtual:
            finished.append(heapq.heappop(self._jobs)[2])
        self._reschedule()
        for ticket in finished:
            self._done(ticket)


class Limiter:
    """anyio's to_thread limiter: N tokens, handed on in the order the tickets asked."""

    def __init__(self, tokens: int) -> None:
        self._free = tokens
        self._waiting: deque[Action] = deque()

    def acquire(self, start: Action) -> None:
        if self._free:
            self._free -= 1
            start()
        else:
            self._waiting.append(start)

    def release(self) -> None:
        if self._waiting:
            self._waiting.popleft()()  # the token passes straight to the next in line
        else:
            self._free += 1
