"""The front desk and the cooks: who waits, who gets picked up, and who is turned away."""

from __future__ import annotations

import heapq
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import anyio
import anyio.lowlevel

from kitchen_tui.kitchen.settings import Mode

if TYPE_CHECKING:
    from kitchen_tui.kitchen.events import Emitter


@dataclass(eq=False)
class Ticket:
    """One order ticket inside the kitchen: a request and everything measured about it."""

    n: int
    id: str
    dish: str
    arrival: float  # real stamp, set by the sender
    cancel: threading.Event
    accepted: bool | None = None  # None until it reaches the front desk
    mode: Mode | None = None
    prep_shelf: bool = False
    seated: float | None = None
    # Tickets arriving at the same instant wake one after another, in number order: the event
    # loop's timer queue does not promise an order for equal deadlines.
    after: anyio.Event | None = None
    greeted: anyio.Event | None = None
    parts: dict[str, float] = field(
        default_factory=lambda: {"front_desk": 0.0, "cook": 0.0, "rail": 0.0, "shelf": 0.0}
    )


class FrontDesk:
    """The accept queue: tickets that arrived and wait to be seated; full means 86'd.

    Arrival is stamped by the sender and may be processed from the doorman thread (so a stalled
    loop still shows the queue growing) or from the ticket's own task, whichever comes first.
    """

    def __init__(self, emitter: Emitter, capacity: int) -> None:
        self._emitter = emitter
        self._lock = threading.Lock()
        self.capacity = capacity
        self.waiting = 0

    def arrive(self, ticket: Ticket) -> bool:
        """Put the ticket on the desk once; False when it was 86'd."""
        with self._lock:
            if ticket.accepted is None:
                ticket.accepted = self.waiting < self.capacity
                self.waiting += ticket.accepted
                self._emit_arrived(ticket)
                if not ticket.accepted:
                    self._emitter.emit(
                        "refused",
                        t=ticket.arrival,
                        id=ticket.id,
                        n=ticket.n,
                        dish=ticket.dish,
                        reason=f"front desk full ({self.capacity} waiting)",
                    )
            return ticket.accepted

    def _emit_arrived(self, ticket: Ticket) -> None:
        self._emitter.emit(
            "arrived",
            t=ticket.arrival,
            id=ticket.id,
            n=ticket.n,
            dish=ticket.dish,
            front_desk=self.waiting,
        )

    def leave(self, ticket: Ticket) -> None:
        """The ticket was seated or cancelled: it no longer waits at the desk."""
        with self._lock:
            self.waiting -= 1


class Cooks:
    """The line cooks: one in sync, N in threads; in async the event loop is the only cook.

    Waiting tickets are picked up first come, first served. When the mode changes, tickets still
    waiting follow the new mode; seated ones keep the cook they have.
    """

    def __init__(self, mode: Mode, count: int) -> None:
        self.mode: Mode = mode
        self.count = count
        self.busy: set[int] = set()
        self._queue: list[_Waiter] = []  # a heap, first come first served

    @property
    def capacity(self) -> int:
        return 1 if self.mode == "sync" else self.count

    async def take(self, ticket: Ticket) -> tuple[Mode, int | None]:
        """Wait for a cook; returns the mode the ticket is served in and the cook's number."""
        if self.mode == "async" and not self._queue:
            return ("async", None)
        waiter = _Waiter((ticket.arrival, ticket.n))
        heapq.heappush(self._queue, waiter)
        try:
            # One scheduling round lets tickets that arrived together line up first, so they are
            # seated by arrival and number even on trio, which wakes ready tasks in random order.
            await anyio.lowlevel.checkpoint()
            self.pump()
            await waiter.event.wait()
        except BaseException:
            if waiter.seat is None:
                self._queue.remove(waiter)
                heapq.heapify(self._queue)
            else:
                self.give_back(waiter.seat[1])
            raise
        assert waiter.seat is not None
        return waiter.seat

    def give_back(self, cook: int | None) -> None:
        if cook is not None:
            self.busy.discard(cook)
        self.pump()

    def configure(self, mode: Mode, count: int) -> None:
        self.mode, self.count = mode, count
        self.pump()

    def pump(self) -> None:
        """Seat waiting tickets while cooks are free (all of them in async)."""
        while self._queue:
            seat = self._try_seat()
            if seat is None:
                return
            waiter = heapq.heappop(self._queue)
            waiter.seat = seat
            waiter.event.set()

    def _try_seat(self) -> tuple[Mode, int | None] | None:
        if self.mode == "async":
            return ("async", None)
        if len(self.busy) >= self.capacity:
            return None
        cook = next(i for i in range(self.capacity + len(self.busy)) if i not in self.busy)
        self.busy.add(cook)
        return (self.mode, cook)


@dataclass(order=True)
class _Waiter:
    key: tuple[float, int]
    event: anyio.Event = field(default_factory=anyio.Event, compare=False)
    seat: tuple[Mode, int | None] | None = field(default=None, compare=False)
