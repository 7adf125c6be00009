"""The line cooks of sync and threads mode: worker threads that take tickets off the front desk."""

from __future__ import annotations

import heapq
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kitchen_tui.kitchen.frontdesk import Ticket
from kitchen_tui.protocol.settings import Mode


@dataclass(order=True)
class Job:
    """A ticket waiting for a cook, and how its cooking ended (filled in by the cook thread)."""

    key: tuple[float, int]
    ticket: Ticket = field(compare=False)
    rerouted: bool = field(default=False, compare=False)  # the mode became async before a cook
    done: Any = field(default=None, compare=False)  # the loop's anyio.Event, never touched here


# Called on the cook thread: (job, cook number, mode) -> None; it cooks the whole ticket.
CookFn = Callable[[Job, int, Mode], None]

# GIL time slices while cooks are at work, finer than CPython's 5 ms: cook threads that
# compute together then share the GIL evenly, as the model and the eye assume. The work and
# the contention are the same; only the slices are thinner. With no cook at work the usual
# slices come back: each forced hand-over of the GIL costs a thread wake-up, and in an async
# burst of 10,000 tickets, a thread that did nothing but take the GIL every 2 ms cost the loop
# 3 us a ticket (docs/performance.md).
COOKS_SWITCH_S = 0.0005


class CookLine:
    """A threaded WSGI server's workers: N threads (one in sync), each taking the oldest ticket.

    A cook that finishes a ticket takes the next one itself, with no trip through the event
    loop, as a real worker thread does. Shrinking the line retires cooks after their current
    ticket: seated tickets finish the way they started.
    """

    def __init__(self, cook: CookFn) -> None:
        self._cook = cook
        self._cond = threading.Condition()
        self._queue: list[Job] = []
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._cooking = 0  # cooks at work on a ticket right now
        self._usual_switch_s = sys.getswitchinterval()
        self.mode: Mode = "sync"
        self.capacity = 1

    def configure(self, mode: Mode, count: int) -> list[Job]:
        """Set the mode and cook count; returns the waiting jobs that now go async."""
        with self._cond:
            self.mode = mode
            self.capacity = 1 if mode == "sync" else count
            rerouted = self._queue if mode == "async" else []
            if mode == "async":
                self._queue = []
            self._cond.notify_all()
        if mode != "async":
            self._hire(self.capacity)
        for job in rerouted:
            job.rerouted = True
        return rerouted

    @property
    def on_duty(self) -> int:
        """Cooks taking tickets: none in async mode, where the loop seats them itself."""
        return 0 if self.mode == "async" else self.capacity

    def enqueue(self, job: Job) -> None:
        with self._cond:
            heapq.heappush(self._queue, job)
            if len(self._threads) > self.capacity:
                # Cooks off duty wait too, and a wake-up given to one of them would be lost.
                self._cond.notify_all()
            else:
                self._cond.notify()

    def withdraw(self, job: Job) -> bool:
        """Take a job back before a cook got it (its ticket was cancelled); False if too late."""
        with self._cond:
            if job in self._queue:
                self._queue.remove(job)
                heapq.heapify(self._queue)
                return True
            return False

    def clear(self) -> None:
        with self._cond:
            self._queue.clear()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._queue.clear()
            self._cond.notify_all()

    def _hire(self, count: int) -> None:
        while len(self._threads) < count:
            number = len(self._threads)
            thread = threading.Thread(
                target=self._work, args=(number,), name=f"cook-{number}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _work(self, number: int) -> None:
        while (taken := self._take(number)) is not None:
            job, mode = taken
            try:
                self._cook(job, number, mode)
            finally:
                self._clock_out()

    def _take(self, number: int) -> tuple[Job, Mode] | None:
        """Wait for the oldest ticket while this cook is on duty; None when the line closes."""
        with self._cond:
            while not (self._queue and number < self.capacity and self.mode != "async"):
                if self._closed:
                    return None
                self._cond.wait()
            self._clock_in()
            return heapq.heappop(self._queue), self.mode

    def _clock_in(self) -> None:
        """A cook starts on a ticket (called with the lock held): fine GIL slices from now."""
        if not self._cooking:
            self._usual_switch_s = sys.getswitchinterval()
            sys.setswitchinterval(COOKS_SWITCH_S)
        self._cooking += 1

    def _clock_out(self) -> None:
        with self._cond:
            self._cooking -= 1
            if not self._cooking:
                sys.setswitchinterval(self._usual_switch_s)
