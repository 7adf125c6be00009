"""A discrete-event model of the kitchen: predicts every order's latency without running a task.

It mirrors the engine's scheduling rules (one cook, a pool of cooks sharing the GIL, or one event
loop; a prep shelf of worker processes; a front desk that refuses orders when full), so the
engine can be checked against it. Times are story seconds; the speed factor only scales them.

Ties: events at the same time run in the order they were scheduled, and every arrival is
scheduled before the simulation starts, so arrivals come first (in the order of `orders`).
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from kitchen_tui.protocol.menu import Dish, StepKind
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings

Action = Callable[[], None]


@dataclass(frozen=True)
class Prediction:
    """What the model says happens to one order: when it was seated and served, or 86'd."""

    id: str
    dish: str
    arrived: float
    seated: float | None
    served: float | None  # None when refused (86'd)
    refused: bool
    failed: bool = False  # a step raised: the error response went out at `served`

    @property
    def latency(self) -> float | None:
        return None if self.served is None else self.served - self.arrived


class _Ticket:
    """One order ticket in flight: its steps, which one is next, and what happened to it."""

    __slots__ = ("arrived", "failed", "idx", "order", "refused", "seated", "served", "steps")

    def __init__(self, order: Order, steps: list[tuple[StepKind, float]], failed: bool) -> None:
        self.order = order
        self.steps = steps
        self.failed = failed
        self.idx = 0
        self.arrived = order.at
        self.seated: float | None = None
        self.served: float | None = None
        self.refused = False

    def prediction(self) -> Prediction:
        return Prediction(
            self.order.id,
            self.order.dish,
            self.arrived,
            self.seated,
            self.served,
            self.refused,
            self.failed and not self.refused,
        )


class _Clock:
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


class _Shelf:
    """The prep shelf: P worker processes running cpu steps, FIFO by submission."""

    def __init__(self, clock: _Clock, workers: int) -> None:
        self._clock = clock
        self._free = workers
        self._queue: deque[tuple[_Ticket, float, Callable[[_Ticket], None]]] = deque()

    def submit(self, ticket: _Ticket, seconds: float, done: Callable[[_Ticket], None]) -> None:
        self._queue.append((ticket, seconds, done))
        self._start()

    def _start(self) -> None:
        while self._free and self._queue:
            ticket, seconds, done = self._queue.popleft()
            self._free -= 1
            self._clock.at(self._clock.now + seconds, partial(self._finish, ticket, done))

    def _finish(self, ticket: _Ticket, done: Callable[[_Ticket], None]) -> None:
        self._free += 1
        self._start()  # hand the worker on before `done` can queue more: keeps FIFO
        done(ticket)


class _Gil:
    """The GIL under cook threads: k running cpu steps each progress at rate 1/k.

    Processor sharing via virtual time: `virtual` is the work every running step has received
    since time 0, so a step finishes when `virtual` reaches its start value plus its work.
    """

    def __init__(self, clock: _Clock, done: Callable[[_Ticket], None]) -> None:
        self._clock = clock
        self._done = done
        self._jobs: list[tuple[float, int, _Ticket]] = []  # (virtual finish, seq, ticket)
        self._seq = itertools.count()
        self._virtual = 0.0
        self._stamp = 0.0
        self._token = 0  # bumped on every change: older wake-ups are stale

    def add(self, ticket: _Ticket, seconds: float) -> None:
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
        finished: list[_Ticket] = []
        while self._jobs and self._jobs[0][0] <= self._virtual:
            finished.append(heapq.heappop(self._jobs)[2])
        self._reschedule()
        for ticket in finished:
            self._done(ticket)


class _Cooks:
    """Cook threads (sync: one; threads: N): each runs one ticket's steps start to finish."""

    def __init__(self, clock: _Clock, settings: KitchenSettings, cooks: int) -> None:
        self._clock = clock
        self._on_shelf = settings.prep_shelf
        self._capacity = settings.front_desk
        self._shelf = _Shelf(clock, settings.shelf_workers)
        self._gil = _Gil(clock, self._next_step)
        self._free = cooks
        self._desk: deque[_Ticket] = deque()
        self._seating = False

    def arrive(self, ticket: _Ticket) -> None:
        if len(self._desk) >= self._capacity:
            ticket.refused = True
            return
        self._desk.append(ticket)
        self._seat()

    def _seat(self) -> None:
        if self._seating:  # an outer call is already seating: no recursion per ticket
            return
        self._seating = True
        while self._free and self._desk:
            ticket = self._desk.popleft()
            self._free -= 1
            ticket.seated = self._clock.now
            self._next_step(ticket)
        self._seating = False

    def _next_step(self, ticket: _Ticket) -> None:
        # Zero-length steps take no time and yield nothing: run through them here.
        while ticket.idx < len(ticket.steps):
            kind, seconds = ticket.steps[ticket.idx]
            ticket.idx += 1
            if kind == "cpu" and self._on_shelf:
                self._shelf.submit(ticket, seconds, self._next_step)
                return
            if seconds > 0:
                if kind == "cpu":
                    self._gil.add(ticket, seconds)
                else:
                    self._clock.at(self._clock.now + seconds, partial(self._next_step, ticket))
                return
        ticket.served = self._clock.now
        self._free += 1
        self._seat()


class _Loop:
    """One event loop: runs one ready ticket until it awaits; cpu and blocking steps stall it."""

    def __init__(self, clock: _Clock, settings: KitchenSettings) -> None:
        self._clock = clock
        self._on_shelf = settings.prep_shelf
        self._capacity = settings.front_desk
        self._shelf = _Shelf(clock, settings.shelf_workers)
        self._ready: deque[_Ticket] = deque()
        self._unseated = 0  # the front desk: arrived, not yet picked up by the loop
        self._busy = False

    def arrive(self, ticket: _Ticket) -> None:
        if self._unseated >= self._capacity:
            ticket.refused = True
            return
        self._unseated += 1
        self._wake(ticket)

    def _wake(self, ticket: _Ticket) -> None:
        self._ready.append(ticket)
        self._dispatch()

    def _dispatch(self) -> None:
        while not self._busy and self._ready:
            ticket = self._ready.popleft()
            if ticket.seated is None:
                ticket.seated = self._clock.now
                self._unseated -= 1
            held = self._run_on_loop(ticket)
            if held > 0:
                self._busy = True
                self._clock.at(self._clock.now + held, partial(self._release, ticket))
            else:
                self._yield(ticket)

    def _run_on_loop(self, ticket: _Ticket) -> float:
        """Consume the ticket's consecutive on-loop steps; return how long they hold the loop."""
        held = 0.0
        while ticket.idx < len(ticket.steps):
            kind, seconds = ticket.steps[ticket.idx]
            if kind == "wait" or (kind == "cpu" and self._on_shelf):
                break
            held += seconds
            ticket.idx += 1
        return held

    def _release(self, ticket: _Ticket) -> None:
        self._busy = False
        self._yield(ticket)
        self._dispatch()

    def _yield(self, ticket: _Ticket) -> None:
        """The ticket leaves the loop: served, off to the rail, or off to the shelf."""
        if ticket.idx == len(ticket.steps):
            ticket.served = self._clock.now
            return
        kind, seconds = ticket.steps[ticket.idx]
        ticket.idx += 1
        if kind == "wait":
            self._clock.at(self._clock.now + seconds, partial(self._wake, ticket))
        else:
            self._shelf.submit(ticket, seconds, self._wake)


def _ticket(
    order: Order, dishes: Mapping[str, Dish], durations: Mapping[str, Sequence[float]] | None
) -> _Ticket:
    dish = dishes.get(order.dish)
    if dish is None:
        raise KeyError(f"order {order.id!r} asks for an unknown dish {order.dish!r}")
    seconds = [step.seconds for step in dish.steps]
    if durations is not None and order.id in durations:
        seconds = [float(s) for s in durations[order.id]]
        if len(seconds) != len(dish.steps):
            raise ValueError(
                f"order {order.id!r}: {len(seconds)} durations for {len(dish.steps)} steps"
            )
    if any(not s >= 0 for s in seconds):  # also rejects NaN
        raise ValueError(f"order {order.id!r}: step durations must be >= 0, got {seconds}")
    steps: list[tuple[StepKind, float]] = []
    for step, s in zip(dish.steps, seconds, strict=True):
        steps.append((step.kind, s))
        if step.error is not None:  # the step raises: the ticket ends there
            return _Ticket(order, steps, failed=True)
    return _Ticket(order, steps, failed=False)


def predict(
    orders: Sequence[Order],
    dishes: Mapping[str, Dish],
    settings: KitchenSettings,
    durations: Mapping[str, Sequence[float]] | None = None,
) -> list[Prediction]:
    """Predict when each order is seated and served (or refused), in the order of `orders`.

    `durations`, per order id, replaces that order's nominal step durations one for one.
    """
    tickets = [_ticket(order, dishes, durations) for order in orders]
    clock = _Clock()
    kitchen: _Cooks | _Loop
    if settings.mode == "sync":
        kitchen = _Cooks(clock, settings, cooks=1)
    elif settings.mode == "threads":
        kitchen = _Cooks(clock, settings, cooks=settings.cooks)
    elif settings.mode == "async":
        kitchen = _Loop(clock, settings)
    else:
        raise ValueError(f"unknown mode {settings.mode!r}")
    for ticket in tickets:  # pushed in position order: arrival ties go by position
        clock.at(ticket.arrived, partial(kitchen.arrive, ticket))
    clock.run()
    return [ticket.prediction() for ticket in tickets]
