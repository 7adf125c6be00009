"""The model's event loop (async): asyncio's ready queue, as anyio and CPython feed it.

asyncio's order: a step that held the loop puts what it schedules in line first; the timers
that came due meanwhile (arrivals, awaited waits, deadlines) are looked at after it, while a
worker thread's result (call_soon_threadsafe) got in line the moment it came. An idle loop
takes its turn once everything due at that instant is in line. docs/model.md says where each
rule comes from, and what the model cannot know.
"""

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
from kitchen_tui.stream.model_parts import Action, Clock, Compute, Gil, Limiter, Shelf, Ticket

_LEFT_OVER = 1e-12  # a slice's remainder below this is rounding, not work
_CANCELLABLE = ("rail", "token", "shelf")  # awaits a cancel ends at once


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


class _Hop:
    """A ticket's task back in line at a checkpoint on its way to a thread, or a callback
    that wakes it: it runs in its turn, taking no time, and puts what comes next in line."""

    __slots__ = ("then",)

    def __init__(self, then: Action) -> None:
        self.then = then


class _FromThread:
    """A ticket whose to_thread call came back: it gives its limiter token back as it resumes
    (anyio releases it when the awaiting task leaves the limiter, not when the thread ends)."""

    __slots__ = ("ticket",)

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket


class _Turn:
    """The loop's own work between two rounds of its ready queue (the select call, timers):
    it holds the loop a moment, for every ticket alike."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


Entry = Ticket | _Due | _Cancel | _Hop | _FromThread | _Turn


class Loop:
    """One event loop: runs one ready ticket until it awaits; cpu and blocking steps stall it.

    The remedies: checkpointed work runs a slice, then goes back in line behind the loop's own
    turn; a to_thread call goes back in line twice (anyio's checkpoint, then its limiter's)
    before a thread takes it, and that thread waits for the GIL while the loop computes (one
    switch interval at most); its result wakes the ticket in two hops; while a thread computes,
    every wake-up of the idle loop waits one GIL switch interval for the GIL. A deadline
    (`fail_after` from the handler's start) cancels the ticket at its next await.
    """

    def __init__(self, clock: Clock, settings: KitchenSettings) -> None:
        self._clock = clock
        self._capacity = settings.front_desk
        self._shelf = Shelf(clock, settings.shelf_workers)
        self._tokens = Limiter(THREAD_TOKENS)
        self._threads = Gil(clock, self._thread_done)
        self._slice = CHECKPOINT_SLICE_S * settings.speed  # story seconds
        self._switch = GIL_SWITCH_S * settings.speed
        self._ready: deque[Entry] = deque()
        self._deadline = settings.deadline
        self._token_waits: dict[Ticket, Action] = {}  # waiting for a limiter token
        self._unseated = 0  # the front desk: arrived, not yet picked up by the loop
        self._busy = False  # a step holds the loop, or the loop waits for the GIL
        self._holding = False  # a step holds the loop, until its ticket has gone on
        self._turn_due = False  # an idle loop's turn is coming, at this instant
        self._turn_queued = False  # a _Turn is in line: this round's end is marked
        self._gil_held = 0.0  # how long the hold just begun keeps the GIL from other threads
        self._timers_later: list[_Due | _Cancel] = []  # timers come due during a hold
        self._starting: list[tuple[Ticket, str, float]] = []  # calls handed to a thread
        self._jobs_heard: list[Ticket] = []  # jobs done while the loop was held
        self.on_free: Callable[[], None] | None = None  # a worker of several: it accepts more
        self.hold: Compute | None = None  # a worker of several's (share_cores); None: a core

    def arrive(self, ticket: Ticket) -> None:
        # The front desk fills only while a step holds the loop: a free loop takes every
        # arrival (the kitchen's FrontDesk, as uvicorn accepts while its loop runs).
        if self._holding and self._unseated >= self._capacity:
            ticket.refused = True
            return
        self._unseated += 1
        self._timer_due(_Due(ticket))  # the ticket's task sleeps until its arrival, on a timer

    def share_cores(self, hold: Compute, compute: Compute) -> None:
        """A worker of several: its holds' computing and its shelf's get a share of a core."""
        self.hold, self._shelf.compute = hold, compute

    @property
    def ready(self) -> bool:
        """Nothing holds the loop: a worker of several accepts whatever waits."""
        return not self._busy

    def take(self, ticket: Ticket) -> None:
        """Accepted from the shared desk: in line behind what is ready (the caller runs it)."""
        self._unseated += 1
        self._ready.append(_Due(ticket))

    def _timer_due(self, entry: _Due | _Cancel) -> None:
        """A timer's callback; during a hold the loop looks at its timers only once the
        holding ticket has gone on."""
        if self._holding:
            self._timers_later.append(entry)
        else:
            self._wake(entry)

    def _wake(self, entry: Entry) -> None:
        """Put `entry` in line; an idle loop takes its turn once everything due at this
        instant is in line (asyncio runs every timer come due before the first of them)."""
        self._ready.append(entry)
        if not self._busy and not self._turn_due:
            self._turn_due = True
            self._clock.at(self._clock.now, self._turn)

    def _turn(self) -> None:
        self._turn_due = False
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
            ticket = self._next_ticket(self._ready.popleft())
            if ticket is None or not self._resume(ticket):
                continue
            held, sliced, gil = self._run_on_loop(ticket)
            if held > 0:
                ticket.credit(self._clock.now, self._clock.now + held)
                self._busy = self._holding = True
                self._gil_held = gil
                release = partial(self._release, ticket, sliced)
                if self.hold is None:
                    self._clock.at(self._clock.now + held, release)
                else:
                    self.hold(held, gil, release)
            elif sliced:
                ticket.awaiting = "checkpoint"
                self._requeue(ticket)
            else:
                self._yield(ticket)
        self._start_threads()

    def _next_ticket(self, entry: Entry) -> Ticket | None:
        """Run a callback in line; the ticket whose task runs now, if any."""
        if isinstance(entry, _Due):  # the timer's callback only wakes the ticket's task
            if entry.token == entry.ticket.wake_token:
                self._ready.append(entry.ticket)
        elif isinstance(entry, _Cancel):
            self._cancel(entry.ticket)
        elif isinstance(entry, _Hop):
            entry.then()
        elif isinstance(entry, _Turn):
            self._turn_queued = False
            self._busy = True
            self._clock.at(self._clock.now + entry.seconds, self._end_turn)
        elif isinstance(entry, _FromThread):
            self._tokens.release()  # may put the next ticket waiting for one in line
            return entry.ticket
        else:
            return entry
        return None

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
                self._clock.at(ticket.deadline_at, partial(self._timer_due, _Cancel(ticket)))
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

    def _run_on_loop(self, ticket: Ticket) -> tuple[float, bool, float]:
        """Run the ticket's steps that stay on the loop: how long they hold it, whether it
        stopped at a checkpoint (True) rather than at an await or its end, and how long it
        computes before a blocking call first lets go of the GIL."""
        held, gil = 0.0, None
        while ticket.idx < len(ticket.steps):
            op, seconds = ticket.steps[ticket.idx]
            if op == "job":
                ticket.idx += 1
                self._submit_job(ticket, seconds, held)
                continue
            if op == "slices":
                run = min(ticket.slice_s.get(ticket.idx, self._slice), seconds)
                held += run
                if seconds - run > _LEFT_OVER:
                    ticket.steps[ticket.idx] = ("slices", seconds - run)
                    return held, True, held if gil is None else gil
                ticket.idx += 1
                continue
            if op not in ("cpu", "block"):
                break
            if op == "block" and gil is None:
                gil = held
            held += seconds
            ticket.idx += 1
        return held, False, held if gil is None else gil

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

    def _release(self, ticket: Ticket, sliced: bool) -> None:
        self._busy = False
        self._hear_jobs()
        if sliced:  # back in line at its checkpoint, behind what came from threads meanwhile
            ticket.awaiting = "checkpoint"
            self._requeue(ticket)
            self._after_hold()
            return
        # A blocking call let go of the GIL: with a thread computing, the loop waits for it.
        self._with_gil(partial(self._go_on, ticket))

    def _requeue(self, ticket: Ticket) -> None:
        """A ticket at its checkpoint goes back in line for the loop's next round: behind the
        loop's own turn between rounds (as long as the kitchen measured it), once a round."""
        turn = ticket.turn_s.get(ticket.idx, 0.0)
        if turn > 0 and not self._turn_queued:
            self._turn_queued = True
            self._ready.append(_Turn(turn))
        self._ready.append(ticket)

    def _end_turn(self) -> None:
        self._busy = False
        self._dispatch()

    def _go_on(self, ticket: Ticket) -> None:
        self._yield(ticket)
        self._after_hold()

    def _after_hold(self) -> None:
        """The held ticket has gone on: now the loop looks at what came meanwhile (a worker
        of several accepts what waited at the shared desk), then at the timers come due."""
        self._holding = False
        if self.on_free is not None:
            self.on_free()
        self._ready.extend(self._timers_later)
        self._timers_later.clear()
        self._dispatch()

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
            due = _Due(ticket, ticket.wake_token)
            self._clock.at(now + seconds, partial(self._timer_due, due))
        elif op == "shelf":
            ticket.awaiting = "shelf"
            self._shelf.submit(ticket, seconds, self._wake, awaited=True)
        else:  # thread_io, thread_cpu: anyio's run_sync first goes back in line (a checkpoint)
            ticket.awaiting = "checkpoint"
            self._ready.append(_Hop(partial(self._ask_token, ticket, op, seconds)))

    def _ask_token(self, ticket: Ticket, op: str, seconds: float) -> None:
        """Past run_sync's checkpoint (where a cancel lands): the limiter's token, now or once
        one is free; then, in line once more (the limiter's shielded checkpoint, or the wake-up
        from waiting), the call goes to a thread."""
        if ticket.ended:
            return
        if ticket.cancel_called:
            ticket.cancelled = True
            self._ready.append(ticket)
            return
        ticket.awaiting = "token"
        start = self._token_waits[ticket] = partial(self._token_got, ticket, op, seconds)
        self._tokens.acquire(start)

    def _token_got(self, ticket: Ticket, op: str, seconds: float) -> None:
        self._token_waits.pop(ticket, None)
        ticket.awaiting = "thread"  # shielded from here: it cannot be cancelled, only awaited
        self._ready.append(_Hop(partial(self._starting.append, (ticket, op, seconds))))

    def _start_threads(self) -> None:
        """Threads handed a call in this turn take it once they get the GIL: at once if the
        loop goes idle (or blocks), else after the hold's computing, one switch interval at
        most (CPython then makes the loop's thread drop the GIL)."""
        wait = min(self._switch, self._gil_held) if self._holding else 0.0
        for ticket, op, seconds in self._starting:
            run = partial(self._run_thread, ticket, op, seconds)
            if wait > 0:
                self._clock.at(self._clock.now + wait, run)
            else:
                run()
        self._starting.clear()

    def _run_thread(self, ticket: Ticket, op: str, seconds: float) -> None:
        if op == "thread_io":
            self._clock.at(self._clock.now + seconds, partial(self._thread_done, ticket))
        else:
            self._threads.add(ticket, seconds)

    def _thread_done(self, ticket: Ticket) -> None:
        """The worker's result reaches the loop as a callback (call_soon_threadsafe), which
        wakes the ticket's task: in line twice, as a timer's wake-up is."""
        self._wake(_Hop(partial(self._ready.append, _FromThread(ticket))))
