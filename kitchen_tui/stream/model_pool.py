"""The model's workers: several kitchens behind one front desk, handed tickets as servers do."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import partial

from kitchen_tui.stream.model_kitchens import Cooks
from kitchen_tui.stream.model_loop import Loop
from kitchen_tui.stream.model_parts import Action, Clock, Sharer, Ticket


class Cores:
    """The machine's cores under the worker processes. A process computes on one core at most
    (its GIL), so k computing on C cores each get min(1, C / k) of one (the kernel's fair
    share); every member is told before and after the share changes."""

    def __init__(self, count: int) -> None:
        self.count = max(1, count)
        self._members: list[Sharer] = []
        self.rate = 1.0

    def join(self, member: Sharer) -> None:
        self._change(lambda: self._members.append(member))

    def leave(self, member: Sharer) -> None:
        self._change(lambda: self._members.remove(member))

    def _change(self, change: Callable[[], None]) -> None:
        for member in self._members:
            member.settle()
        change()
        self.rate = min(1.0, self.count / len(self._members)) if self._members else 1.0
        for member in self._members:
            member.replan()


class LoopHold:
    """A worker's loop held by a step: its computing part at the share of a core it gets,
    then the rest (a blocking call's sleep takes no core) as it is."""

    def __init__(self, clock: Clock, cores: Cores) -> None:
        self._clock = clock
        self._cores = cores
        self._left = 0.0  # computing still to do
        self._rest = 0.0
        self._stamp = 0.0
        self._then: Action | None = None
        self._token = 0

    def __call__(self, held: float, computing: float, then: Action) -> None:
        if computing <= 0:
            self._clock.at(self._clock.now + held, then)
            return
        self._left, self._rest, self._then = computing, held - computing, then
        self._stamp = self._clock.now
        self._cores.join(self)

    def settle(self) -> None:
        now = self._clock.now
        self._left -= (now - self._stamp) * self._cores.rate
        self._stamp = now

    def replan(self) -> None:
        self._token += 1
        done = partial(self._computed, self._token)
        self._clock.at(self._clock.now + max(self._left, 0.0) / self._cores.rate, done)

    def _computed(self, token: int) -> None:
        if token != self._token or self._then is None:
            return
        self._cores.leave(self)
        then, self._then = self._then, None
        self._clock.at(self._clock.now + self._rest, then)


class Pool:
    """Worker processes sharing one listening socket (the shared front desk).

    An arrival goes to a worker that would accept it now: one with a free cook (sync, threads)
    or whose loop nothing holds (async); when several would, the one handed fewest so far (the
    kernel wakes them all and one wins; over a run they share the work). With none, it waits
    at the shared desk (86'd past its capacity) until a worker is free again: a cook that comes
    free takes one, a loop that runs again takes every one waiting.
    """

    def __init__(
        self, capacity: int, workers: list[Cooks | Loop], clock: Clock, cores: int
    ) -> None:
        """`cores`: the machine's, which every worker's computing shares."""
        self._capacity = capacity
        self._workers = workers
        self._handed = [0] * len(workers)
        self._desk: deque[Ticket] = deque()
        self.worker_of: dict[int, int] = {}  # id(ticket) -> worker number (from 1)
        machine = Cores(cores)

        def compute(seconds: float, computing: float, then: Action) -> None:
            """A shelf job: a process of its own, computing on its share of a core."""
            LoopHold(clock, machine)(seconds, computing, then)

        for index, worker in enumerate(workers):
            worker.on_free = partial(self._free, index)
            if isinstance(worker, Loop):
                worker.share_cores(LoopHold(clock, machine), compute)
            else:
                worker.share_cores(machine, compute)

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
