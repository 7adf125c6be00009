"""The model's cook threads (sync, threads); the event loop (async) is in model_loop."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import partial

from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.model_parts import Clock, Compute, CoreShare, Gil, Shelf, Ticket


class Cooks:
    """Cook threads (sync: one; threads: N): each runs one ticket's steps start to finish.

    A deadline: in sync, gunicorn's --timeout from the moment the cook takes the ticket, which
    kills the cook where it is; in threads, a `fail_after` around the route from arrival: a
    ticket still waiting for a cook then ends, a cook at work runs on and its answer is lost.
    """

    def __init__(self, clock: Clock, settings: KitchenSettings, cooks: int) -> None:
        self._clock = clock
        self._capacity = settings.front_desk
        self._shelf = Shelf(clock, settings.shelf_workers)
        self._gil = Gil(clock, self._next_step)
        self._free = cooks
        self._desk: deque[Ticket] = deque()
        self._waiting = 0  # at the desk: timed-out tickets stay in the deque until popped
        self._seating = False
        self._deadline = settings.deadline
        self._kills = settings.mode == "sync"
        self.on_free: Callable[[], None] | None = None  # a worker of several: it accepts more

    def share_cores(self, cores: CoreShare, compute: Compute) -> None:
        """A worker of several: its threads and its prep shelf's processes compute on the
        share of a core they get."""
        self._gil.cores = cores
        self._shelf.compute = compute

    def arrive(self, ticket: Ticket) -> None:
        if self._waiting >= self._capacity:
            ticket.refused = True
            return
        self.take(ticket)

    @property
    def ready(self) -> bool:
        """A cook is free: a worker of several would accept a ticket now."""
        return self._free > 0

    def take(self, ticket: Ticket) -> None:
        self._desk.append(ticket)
        self._waiting += 1
        if self._deadline and not self._kills:
            ticket.deadline_at = self._clock.now + self._deadline
            self._clock.at(ticket.deadline_at, partial(self._expire, ticket))
        self._seat()

    def _expire(self, ticket: Ticket) -> None:
        """threads: the deadline found it still waiting for a cook."""
        if ticket.seated is None and not ticket.ended:
            self._waiting -= 1
            ticket.end(self._clock.now, timed_out=True)

    def _seat(self) -> None:
        if self._seating:  # an outer call is already seating: no recursion per ticket
            return
        self._seating = True
        while self._free and self._desk:
            ticket = self._desk.popleft()
            if ticket.ended:
                continue
            self._waiting -= 1
            self._free -= 1
            ticket.seated = ticket.op_start = self._clock.now
            if self._deadline and self._kills:
                ticket.deadline_at = self._clock.now + self._deadline
                self._clock.at(ticket.deadline_at, partial(self._kill, ticket))
            self._next_step(ticket)
        self._seating = False

    def _kill(self, ticket: Ticket) -> None:
        """sync: the arbiter kills the worker at its deadline; a new one takes the next."""
        if ticket.ended:
            return
        self._gil.remove(ticket)
        self._done(ticket, timed_out=True)

    def _done(self, ticket: Ticket, timed_out: bool = False) -> None:
        now = self._clock.now
        if ticket.op_start is not None:
            ticket.credit(ticket.op_start, now)
        ticket.end(now, timed_out)
        self._free += 1
        self._seat()
        if self.on_free is not None:
            self.on_free()

    def _next_step(self, ticket: Ticket) -> None:
        if ticket.ended:  # a killed ticket's step, come to its end: nobody is there
            return
        # Zero-length steps take no time and yield nothing: run through them here.
        while ticket.idx < len(ticket.steps):
            op, seconds = ticket.steps[ticket.idx]
            ticket.idx += 1
            if op == "job":  # handed to the shelf; the handler goes on at once
                self._shelf.submit(ticket, seconds, self._job_done)
                continue
            if op == "shelf":
                self._shelf.submit(ticket, seconds, self._next_step)
                return
            if seconds > 0:
                if op == "cpu":
                    self._gil.add(ticket, seconds)
                else:
                    self._clock.at(self._clock.now + seconds, partial(self._next_step, ticket))
                return
        self._done(ticket, timed_out=self._clock.now >= ticket.deadline_at)  # threads: ran on

    def _job_done(self, ticket: Ticket) -> None:
        ticket.finish_job(self._clock.now)
