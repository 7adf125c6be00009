"""The model's two kinds of kitchen: cook threads (sync, threads) and one event loop (async)."""

from __future__ import annotations

from collections import deque
from functools import partial

from kitchen_tui.protocol.settings import (
    CHECKPOINT_SLICE_S,
    GIL_SWITCH_S,
    THREAD_TOKENS,
    KitchenSettings,
)
from kitchen_tui.stream.model_parts import Action, Clock, Gil, Limiter, Shelf, Ticket

_LEFT_OVER = 1e-12  # a slice's remainder below this is rounding, not work


class Cooks:
    """Cook threads (sync: one; threads: N): each runs one ticket's steps start to finish."""

    def __init__(self, clock: Clock, settings: KitchenSettings, cooks: int) -> None:
        self._clock = clock
        self._capacity = settings.front_desk
        self._shelf = Shelf(clock, settings.shelf_workers)
        self._gil = Gil(clock, self._next_step)
        self._free = cooks
        self._desk: deque[Ticket] = deque()
        self._seating = False

    def arrive(self, ticket: Ticket) -> None:
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

    def _next_step(self, ticket: Ticket) -> None:
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
        ticket.served = self._clock.now
        self._free += 1
        self._seat()

    def _job_done(self, ticket: Ticket) -> None:
        ticket.finish_job(self._clock.now)


class _Due:
    """A timer come due: asyncio runs its callback, which puts the sleeping task in line."""

    __slots__ = ("ticket",)

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket


class Loop:
    """One event loop: runs one ready ticket until it awaits; cpu and blocking steps stall it.

    The remedies: checkpointed work runs a slice, then goes back in line behind the tickets
    that were ready before the slice (asyncio's order: timers that came due during the slice
    are looked at after it); to_thread steps queue for the limiter's tokens; while a thread
    computes, every wake-up of the idle loop waits one GIL switch interval for the GIL.
    """

    def __init__(self, clock: Clock, settings: KitchenSettings) -> None:
        self._clock = clock
        self._capacity = settings.front_desk
        self._shelf = Shelf(clock, settings.shelf_workers)
        self._tokens = Limiter(THREAD_TOKENS)
        self._threads = Gil(clock, self._thread_done)
        self._slice = CHECKPOINT_SLICE_S * settings.speed  # story seconds
        self._switch = GIL_SWITCH_S * settings.speed
        self._ready: deque[Ticket | _Due] = deque()
        self._unseated = 0  # the front desk: arrived, not yet picked up by the loop
        self._busy = False  # a step holds the loop, or the loop waits for the GIL
        self._jobs_heard: list[Ticket] = []  # jobs done while the loop was held

    def arrive(self, ticket: Ticket) -> None:
        if self._unseated >= self._capacity:
            ticket.refused = True
            return
        self._unseated += 1
        self._wake(_Due(ticket))  # the ticket's task sleeps until its arrival, on a timer

    def _wake(self, ticket: Ticket | _Due) -> None:
        self._ready.append(ticket)
        if not self._busy:
            self._with_gil(self._dispatch)

    def _with_gil(self, then: Action) -> None:
        """Run `then` now, or one switch interval from now while a thread holds the GIL."""
        if not self._threads.running:
            then()
            return
        self._busy = True

        def granted() -> None:
            self._busy = False
            self._hear_jobs()
            then()

        self._clock.at(self._clock.now + self._switch, granted)

    def _dispatch(self) -> None:
        while not self._busy and self._ready:
            entry = self._ready.popleft()
            if isinstance(entry, _Due):  # the timer's callback only wakes the ticket's task
                self._ready.append(entry.ticket)
                continue
            ticket = entry
            if ticket.seated is None:
                ticket.seated = self._clock.now
                self._unseated -= 1
            ahead = len(self._ready)
            held, sliced = self._run_on_loop(ticket)
            if held > 0:
                self._busy = True
                self._clock.at(
                    self._clock.now + held, partial(self._release, ticket, sliced, ahead)
                )
            elif sliced:
                self._ready.insert(ahead, ticket)
            else:
                self._yield(ticket)

    def _run_on_loop(self, ticket: Ticket) -> tuple[float, bool]:
        """Run the ticket's steps that stay on the loop: how long they hold it, and whether
        it stopped at a checkpoint (True) rather than at an await or its end."""
        held = 0.0
        while ticket.idx < len(ticket.steps):
            op, seconds = ticket.steps[ticket.idx]
            if op == "job":
                ticket.idx += 1
                self._submit_job(ticket, seconds, held)
                continue
            if op == "slices":
                run = min(self._slice, seconds)
                held += run
                if seconds - run > _LEFT_OVER:
                    ticket.steps[ticket.idx] = ("slices", seconds - run)
                    return held, True
                ticket.idx += 1
                continue
            if op not in ("cpu", "block"):
                break
            held += seconds
            ticket.idx += 1
        return held, False

    def _submit_job(self, ticket: Ticket, seconds: float, after: float) -> None:
        if after > 0:
            self._clock.at(
                self._clock.now + after, partial(self._shelf.submit, ticket, seconds, self._job)
            )
        else:
            self._shelf.submit(ticket, seconds, self._job)

    def _job(self, ticket: Ticket) -> None:
        """A job's result reaches its task on the loop: now, or once the loop is free."""
        if self._busy:
            self._jobs_heard.append(ticket)
        else:
            ticket.finish_job(self._clock.now)

    def _hear_jobs(self) -> None:
        for ticket in self._jobs_heard:
            ticket.finish_job(self._clock.now)
        self._jobs_heard.clear()

    def _release(self, ticket: Ticket, sliced: bool, ahead: int) -> None:
        self._busy = False
        self._hear_jobs()
        if sliced:
            self._ready.insert(min(ahead, len(self._ready)), ticket)
            self._dispatch()
            return
        # A blocking call let go of the GIL: with a thread computing, the loop waits for it.
        self._with_gil(partial(self._go_on, ticket))

    def _go_on(self, ticket: Ticket) -> None:
        self._yield(ticket)
        self._dispatch()

    def _yield(self, ticket: Ticket) -> None:
        """The ticket leaves the loop: served, off to the rail, the shelf or a thread."""
        if ticket.idx == len(ticket.steps):
            ticket.served = self._clock.now
            return
        op, seconds = ticket.steps[ticket.idx]
        ticket.idx += 1
        if op == "wait":
            self._clock.at(self._clock.now + seconds, partial(self._wake, _Due(ticket)))
        elif op == "shelf":
            self._shelf.submit(ticket, seconds, self._wake)
        elif op == "thread_io":
            self._tokens.acquire(partial(self._sleep_on_thread, ticket, seconds))
        else:  # thread_cpu
            self._tokens.acquire(partial(self._threads.add, ticket, seconds))

    def _sleep_on_thread(self, ticket: Ticket, seconds: float) -> None:
        self._clock.at(self._clock.now + seconds, partial(self._thread_done, ticket))

    def _thread_done(self, ticket: Ticket) -> None:
        self._tokens.release()
        self._wake(ticket)
