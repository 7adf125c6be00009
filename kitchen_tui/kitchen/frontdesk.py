"""The front desk: order tickets, and the accept queue that holds them until a cook is free."""

from __future__ import annotations

import itertools
import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kitchen_tui.protocol.settings import BlockingFix, CpuFix, Mode

if TYPE_CHECKING:
    import anyio

    from kitchen_tui.kitchen.events import Emitter

HOLDS_KEPT = 8  # loop holds remembered: more than can end within one greeting's delay


@dataclass(eq=False)
class Ticket:
    """One order ticket inside the kitchen: a request and everything measured about it."""

    n: int
    id: str
    dish: str
    arrival: float  # real stamp, set by the sender
    cancel: threading.Event
    accepted: bool | None = None  # None until it reaches the front desk
    # Set by its task, on the loop, when another thread is greeting it: set for it when the
    # verdict is in.
    verdict_heard: anyio.Event | None = None
    # next() on a counter is atomic: the first to call it (the doorman or the ticket's task)
    # greets the ticket, without a lock.
    greetings: itertools.count[int] = field(default_factory=itertools.count)
    at_desk: bool = False
    mode: Mode | None = None
    # The remedies it was seated with, as served in its mode: it keeps them to the end.
    blocking_fix: BlockingFix = "inline"
    cpu_fix: CpuFix = "inline"
    problem: str | None = None  # an order the kitchen could not read: it fails on arrival

    @property
    def prep_shelf(self) -> bool:
        return self.cpu_fix == "prep_shelf"

    @property
    def gone_at(self) -> float:
        """From when nobody waits for its answer: the customer left, or the deadline passed."""
        return min(self.leaves_at, self.deadline_at)

    seated: float | None = None
    # Real stamps: when the customer walks out (their patience), and when the server's
    # deadline falls (its `fail_after`); inf for none. The handler never looks at `leaves_at`:
    # a server cannot tell a closed connection until it writes the response.
    leaves_at: float = math.inf
    deadline_at: float = math.inf
    kill_at: float = math.inf  # sync: its deadline, where the arbiter kills the worker
    gone: bool = False  # the customer walked out (set under Responses' lock)
    answered: bool = False  # the response, or a timeout, went out (under the same lock)
    wasted: float = 0.0  # real seconds of steps run after gone_at
    wasted_left: float = 0.0  # of steps run after leaves_at
    ran_on: bool = False  # a thread of its ran past its deadline (it cannot be stopped)
    step_start: float | None = None  # the running step's start, for a step cut short
    where: str = "desk"  # where the ticket is: the running step's `where`, "ready" between
    parts: dict[str, float] = field(
        default_factory=lambda: {"front_desk": 0.0, "cook": 0.0, "rail": 0.0, "shelf": 0.0}
    )


def arrived_event(ticket: Ticket, waiting: int) -> dict[str, object]:
    """The ticket's `arrived` event, stamped at its arrival, with the desk's count after it."""
    return {
        "type": "arrived",
        "t": ticket.arrival,
        "id": ticket.id,
        "n": ticket.n,
        "dish": ticket.dish,
        "front_desk": waiting,
    }


class FrontDesk:
    """The accept queue: tickets that arrived and wait to be seated; full means 86'd.

    Arrival is stamped by the sender and may be processed from the doorman thread (so a stalled
    loop still shows the queue growing) or from the ticket's own task, whichever comes first.
    A ticket that a free cook, or a free event loop, will take takes no place: orders arriving
    together are greeted faster than they can be seated, and the desk must not turn them away
    while nothing keeps the kitchen from taking them. It fills while every cook is busy, or
    while a step holds the loop.
    """

    def __init__(
        self,
        emitter: Emitter,
        capacity: int,
        wake: Callable[[anyio.Event], None] = lambda heard: None,
    ) -> None:
        self._emitter = emitter
        self._wake = wake  # from any thread: have the loop set this event
        self._lock = threading.Lock()
        self.capacity = capacity
        self.waiting = 0
        self.cooks = 0  # cook threads on duty (sync, threads); async has none
        self._cooking = 0  # cooks at work on a ticket they took off this desk
        self.loop_seats = False  # async: the event loop seats every ticket itself...
        # ...except while steps hold it: the latest of those times, (from, until) real stamps.
        # Judged by arrival, not by greeting: a doorman waiting up to a GIL slice (5 ms) for a
        # cpu step to let go must not find the loop free and seat what arrived during it.
        self._holds: deque[list[float]] = deque(maxlen=HOLDS_KEPT)

    def arrive(self, ticket: Ticket) -> bool | None:
        """Put the ticket on the desk once: True, or False when it was 86'd; None when another
        thread is greeting it at this moment (its verdict follows in microseconds)."""
        if next(ticket.greetings):
            return ticket.accepted  # greeted already, or being greeted
        with self._lock:  # held for a sum only: a lock held while emitting made a convoy
            accepted = self._has_room(ticket)
            self.waiting += accepted
        ticket.at_desk = accepted
        self._emit_arrived(ticket)
        if not accepted:
            self._emitter.emit(
                "refused",
                t=ticket.arrival,
                id=ticket.id,
                n=ticket.n,
                dish=ticket.dish,
                reason=f"front desk full ({self.capacity} waiting)",
            )
        ticket.accepted = accepted  # last: whoever waits for the verdict sees the events first
        if ticket.verdict_heard is not None:  # its task waits: set after `accepted`, read here
            self._wake(ticket.verdict_heard)
        return accepted

    def _has_room(self, ticket: Ticket) -> bool:
        """Whether one more ticket fits (called with the lock held)."""
        if self.loop_seats and not self._loop_held_at(ticket.arrival):
            return True
        free_cooks = max(0, self.cooks - self._cooking)
        return self.waiting - free_cooks < self.capacity

    def _emit_arrived(self, ticket: Ticket) -> None:
        self._emitter.put(arrived_event(ticket, self.waiting))

    def leave(self, ticket: Ticket) -> None:
        """The ticket was seated or cancelled: it no longer waits at the desk (idempotent)."""
        if ticket.at_desk:  # looked at first without the lock: most calls find nothing to do
            with self._lock:
                self.waiting -= ticket.at_desk
                ticket.at_desk = False

    def taken(self, ticket: Ticket) -> None:
        """A cook takes the ticket: one place and one free cook fewer, in one step, so that an
        arrival in between never counts the ticket twice."""
        with self._lock:
            self.waiting -= ticket.at_desk
            ticket.at_desk = False
            self._cooking += 1

    def hold(self, t: float) -> None:
        """From real stamp `t` a step holds the loop; a run of such steps is one hold."""
        if not (self._holds and self._holds[-1][1] == math.inf):
            with self._lock:
                self._holds.append([t, math.inf])

    def let_go(self, t: float) -> None:
        """The loop is free again from `t` (nothing to do when no step held it)."""
        if self._holds and self._holds[-1][1] == math.inf:
            with self._lock:
                self._holds[-1][1] = t

    def _loop_held_at(self, t: float) -> bool:
        return any(start <= t < end for start, end in self._holds)

    def cook_free(self) -> None:
        """The cook that took a ticket is done with it."""
        with self._lock:
            self._cooking -= 1
