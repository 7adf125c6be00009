"""The model's shared parts: story time, a ticket in flight, and the resources tickets queue
for (prep shelf workers, the GIL under computing threads, the to_thread limiter's tokens)."""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Literal, Protocol

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
        "awaiting",
        "cancel_called",
        "cancelled",
        "deadline_at",
        "ended",
        "failed",
        "idx",
        "job_done",
        "jobs",
        "leaves_at",
        "op_start",
        "order",
        "refused",
        "seated",
        "served",
        "slice_s",
        "steps",
        "timed_out",
        "turn_s",
        "wake_token",
        "wasted",
        "wasted_left",
    )

    def __init__(
        self, order: Order, steps: list[tuple[Op, float]], failed: bool, patience: float = 0.0
    ) -> None:
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
        # Giving up: when the customer leaves and the deadline falls (inf: never), and how
        # the deadline's cancel reaches the ticket (see model_loop).
        self.leaves_at = self.arrived + patience if patience else math.inf
        self.deadline_at = math.inf
        self.timed_out = False
        self.ended = False  # served or timed out: later wake-ups are stale
        self.cancel_called = False  # the deadline's timer has gone off on the loop
        self.cancelled = False  # woken to end: the cancel landed at its await
        self.awaiting: str | None = None  # rail, token, thread or shelf while it awaits
        self.wake_token = 0  # bumped when a cancel ends an await: its own wake-up is stale
        self.op_start: float | None = None  # the await (or cook step) it is in began
        self.wasted = 0.0  # step time after the customer left or the deadline passed
        self.wasted_left = 0.0  # step time after the customer left
        # Checkpointed steps: how long each slice holds the loop, and the loop's own turn
        # between two of them (step index -> seconds).
        self.slice_s: dict[int, float] = {}
        self.turn_s: dict[int, float] = {}

    def credit(self, start: float, end: float) -> None:
        """Step time from `start` to `end`: what of it came after nobody waited for it."""
        if end > self.leaves_at:
            self.wasted_left += end - max(start, self.leaves_at)
        gone = min(self.leaves_at, self.deadline_at)
        if end > gone:
            self.wasted += end - max(start, gone)

    def end(self, now: float, timed_out: bool = False) -> None:
        self.served, self.timed_out, self.ended = now, timed_out, True

    @property
    def walked_out(self) -> bool:
        """Its customer left before the answer (the kitchen cooked on for nobody)."""
        return not self.refused and self.served is not None and self.served > self.leaves_at

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


Compute = Callable[[float, float, Action], None]  # (seconds, of them computing, then)


class Shelf:
    """The prep shelf: P worker processes running cpu steps, FIFO by submission. With
    `compute` (a worker of several), each job computes on the share of a core it gets."""

    compute: Compute | None = None

    def __init__(self, clock: Clock, workers: int) -> None:
        self._clock = clock
        self._free = workers
        self._queue: deque[tuple[Ticket, float, Callable[[Ticket], None], bool]] = deque()
        self._seq = itertools.count()
        self._running: dict[int, Ticket] = {}  # awaited steps at work, by their number

    def submit(
        self, ticket: Ticket, seconds: float, done: Callable[[Ticket], None], awaited: bool = False
    ) -> None:
        """`awaited`: the handler waits for it, so a cancel reaches it (a job's does not)."""
        self._queue.append((ticket, seconds, done, awaited))
        self._start()

    def cancel(self, ticket: Ticket) -> None:
        """A cancel reached the ticket's awaited step: out of the queue, or its worker killed
        (`to_process.run_sync(cancellable=True)`; the respawn's cost is left out)."""
        self._queue = deque(job for job in self._queue if not (job[0] is ticket and job[3]))
        for number, running in list(self._running.items()):
            if running is ticket:
                del self._running[number]
                self._free += 1
                self._start()

    def _start(self) -> None:
        while self._free and self._queue:
            ticket, seconds, done, awaited = self._queue.popleft()
            self._free -= 1
            number = next(self._seq)
            if awaited:
                self._running[number] = ticket
            finish = partial(self._finish, number, awaited, ticket, done)
            if self.compute is None:
                self._clock.at(self._clock.now + seconds, finish)
            else:
                self.compute(seconds, seconds, finish)

    def _finish(
        self, number: int, awaited: bool, ticket: Ticket, done: Callable[[Ticket], None]
    ) -> None:
        if awaited and self._running.pop(number, None) is None:
            return  # killed by a cancel: its worker went free then
        self._free += 1
        self._start()  # hand the worker on before `done` can queue more: keeps FIFO
        done(ticket)


class Sharer(Protocol):
    """Whatever computes on the machine's cores (see model_pool.Cores): told before and
    after the share it gets changes."""

    def settle(self) -> None: ...

    def replan(self) -> None: ...


class CoreShare(Protocol):
    rate: float  # of one core, for each process computing now

    def join(self, member: Sharer) -> None: ...

    def leave(self, member: Sharer) -> None: ...


class Gil:
    """The GIL under computing threads: k running cpu steps each progress at rate 1/k.

    Processor sharing via virtual time: `virtual` is the work every running step has received
    since time 0, so a step finishes when `virtual` reaches its start value plus its work.
    With `cores` (a worker of several), the process computes at the share of a core the
    machine gives it, not always a whole one.
    """

    cores: CoreShare | None = None
    _joined = False  # one of the cores' members: it has a step computing

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
        idle = not self._jobs
        heapq.heappush(self._jobs, (self._virtual + seconds, next(self._seq), ticket))
        if idle and self.cores is not None and not self._joined:
            self._joined = True
            self.cores.join(self)  # replans every member, this one too
        else:
            self._reschedule()

    def remove(self, ticket: Ticket) -> None:
        """A killed worker's computing step: it stops sharing the GIL."""
        self._advance()
        self._jobs = [job for job in self._jobs if job[2] is not ticket]
        heapq.heapify(self._jobs)
        self._reschedule()
        self._leave_when_idle()

    def settle(self) -> None:
        self._advance()

    def replan(self) -> None:
        self._reschedule()

    def _leave_when_idle(self) -> None:
        if not self._jobs and self.cores is not None and self._joined:
            self._joined = False
            self.cores.leave(self)

    @property
    def _rate(self) -> float:
        return 1.0 if self.cores is None else self.cores.rate

    def _advance(self) -> None:
        now = self._clock.now
        if self._jobs:
            self._virtual += (now - self._stamp) * self._rate / len(self._jobs)
        self._stamp = now

    def _reschedule(self) -> None:
        self._token += 1
        if self._jobs:
            left = (self._jobs[0][0] - self._virtual) * len(self._jobs) / self._rate
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
        self._leave_when_idle()
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

    def withdraw(self, start: Action) -> None:
        """A cancel reached a task waiting for a token: it leaves the line."""
        self._waiting = deque(waiting for waiting in self._waiting if waiting is not start)

    def release(self) -> None:
        if self._waiting:
            self._waiting.popleft()()  # the token passes straight to the next in line
        else:
            self._free += 1
