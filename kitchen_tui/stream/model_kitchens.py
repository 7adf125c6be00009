"""The model's two kinds of kitchen: cook threads (sync, threads) and one event loop (async)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
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


class _Due:
    """A timer come due: asyncio runs its callback, which puts the sleeping task in line
    (unless a cancel ended that sleep first: its token is then stale)."""

    __slots__ = ("ticket", "token")

    def __init__(self, ticket: Ticket, token: int = 0) -> None:
        self.ticket, self.token = ticket, token


class _Cancel:
    """The deadline's timer come due: its callback cancels the ticket's task where it awaits
    (a task already woken, or on a thread, runs on to its next await first)."""

    __slots__ = ("ticket",)

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket


_CANCELLABLE = ("rail", "token", "shelf")  # awaits a cancel ends at once


class Loop:
    """One event loop: runs one ready ticket until it awaits; cpu and blocking steps stall it.

    The remedies: checkpointed work runs a slice, then goes back in line behind the tickets
    that were ready before the slice (asyncio's order: timers that came due during the slice
    are looked at after it); to_thread steps queue for the limiter's tokens; while a thread
    computes, every wake-up of the idle loop waits one GIL switch interval for the GIL.
    A deadline (`fail_after` from the handler's start) cancels the ticket at its next await.
    """

    def __init__(self, clock: Clock, settings: KitchenSettings) -> None:
        self._clock = clock
        self._capacity = settings.front_desk
        self._shelf = Shelf(clock, settings.shelf_workers)
        self._tokens = Limiter(THREAD_TOKENS)
        self._threads = Gil(clock, self._thread_done)
        self._slice = CHECKPOINT_SLICE_S * settings.speed  # story seconds
        self._switch = GIL_SWITCH_S * settings.speed
        self._ready: deque[Ticket | _Due | _Cancel] = deque()
        self._deadline = settings.deadline
        self._token_waits: dict[Ticket, Action] = {}  # waiting for a limiter token
        self._unseated = 0  # the front desk: arrived, not yet picked up by the loop
        self._busy = False  # a step holds the loop, or the loop waits for the GIL
        self._jobs_heard: list[Ticket] = []  # jobs done while the loop was held
        self.on_free: Callable[[], None] | None = None  # a worker of several: it accepts more

    def arrive(self, ticket: Ticket) -> None:
        if self._unseated >= self._capacity:
            ticket.refused = True
            return
        self._unseated += 1
        self._wake(_Due(ticket))  # the ticket's task sleeps until its arrival, on a timer

    @property
    def ready(self) -> bool:
        """Nothing holds the loop: a worker of several accepts whatever waits."""
        return not self._busy

    def take(self, ticket: Ticket) -> None:
        """Accepted from the shared desk: in line behind what is ready (the caller runs it)."""
        self._unseated += 1
        self._ready.append(_Due(ticket))

    def _wake(self, ticket: Ticket | _Due | _Cancel) -> None:
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
                if entry.token == entry.ticket.wake_token:
                    self._ready.append(entry.ticket)
                continue
            if isinstance(entry, _Cancel):
                self._cancel(entry.ticket)
                continue
            ticket = entry
            if not self._resume(ticket):
                continue
            ahead = len(self._ready)
            held, sliced = self._run_on_loop(ticket)
            if held > 0:
                ticket.credit(self._clock.now, self._clock.now + held)
                self._busy = True
                self._clock.at(
                    self._clock.now + held, partial(self._release, ticket, sliced, ahead)
                )
            elif sliced:
                ticket.awaiting = "checkpoint"
                self._ready.insert(ahead, ticket)
            else:
                self._yield(ticket)

    def _resume(self, ticket: Ticket) -> bool:
        """The ticket's task runs again: False when it is over (the cancel landed)."""
        now = self._clock.now
        if ticket.ended:
            return False
        if ticket.op_start is not None:  # the await it comes back from was step time
            ticket.credit(ticket.op_start, now)
            ticket.op_start = None
        if ticket.cancelled or (ticket.cancel_called and ticket.awaiting == "checkpoint"):
            ticket.end(now, timed_out=True)
            return False
        ticket.awaiting = None
        if ticket.seated is None:
            ticket.seated = now
            self._unseated -= 1
            if self._deadline:
                ticket.deadline_at = now + self._deadline
                self._clock.at(ticket.deadline_at, partial(self._wake, _Cancel(ticket)))
        return True

    def _cancel(self, ticket: Ticket) -> None:
        """The deadline's callback: an await that a cancel ends wakes the task to end."""
        if ticket.ended:
            return
        ticket.cancel_called = True
        if ticket.awaiting in _CANCELLABLE:
            if ticket.awaiting == "token":
                self._tokens.withdraw(self._token_waits.pop(ticket))
            elif ticket.awaiting == "shelf":
                self._shelf.cancel(ticket)
            ticket.wake_token += 1
            ticket.cancelled = True
            self._ready.append(ticket)

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
            ticket.awaiting = "checkpoint"
            self._ready.insert(min(ahead, len(self._ready)), ticket)
            self._accept()
            self._dispatch()
            return
        # A blocking call let go of the GIL: with a thread computing, the loop waits for it.
        self._with_gil(partial(self._go_on, ticket))

    def _go_on(self, ticket: Ticket) -> None:
        self._yield(ticket)
        self._accept()
        self._dispatch()

    def _accept(self) -> None:
        """The loop runs again: a worker of several accepts what waited at the shared desk."""
        if self.on_free is not None:
            self.on_free()

    def _yield(self, ticket: Ticket) -> None:
        """The ticket leaves the loop: served, off to the rail, the shelf or a thread."""
        now = self._clock.now
        if ticket.idx == len(ticket.steps):
            ticket.end(now)  # served, even past its deadline: no await met the cancel
            return
        if ticket.cancel_called:  # the cancel lands at this await
            ticket.cancelled = True
            self._ready.append(ticket)
            return
        op, seconds = ticket.steps[ticket.idx]
        ticket.idx += 1
        ticket.op_start = now
        if op == "wait":
            ticket.awaiting = "rail"
            self._clock.at(now + seconds, partial(self._wake, _Due(ticket, ticket.wake_token)))
        elif op == "shelf":
            ticket.awaiting = "shelf"
            self._shelf.submit(ticket, seconds, self._wake, awaited=True)
        else:  # thread_io, thread_cpu: a token first
            ticket.awaiting = "token"
            start = self._token_waits[ticket] = partial(self._on_thread, ticket, op, seconds)
            self._tokens.acquire(start)

    def _on_thread(self, ticket: Ticket, op: str, seconds: float) -> None:
        """A worker thread took the step: it cannot be cancelled, only waited for."""
        self._token_waits.pop(ticket, None)
        ticket.awaiting = "thread"
        if op == "thread_io":
            self._clock.at(self._clock.now + seconds, partial(self._thread_done, ticket))
        else:
            self._threads.add(ticket, seconds)

    def _thread_done(self, ticket: Ticket) -> None:
        self._tokens.release()
        self._wake(ticket)
