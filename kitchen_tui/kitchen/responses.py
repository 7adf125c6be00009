"""The responses: how each handler ended, sent as served or failed, and counted."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, Literal

from kitchen_tui.kitchen.deadline import RanOn, WorkerKilled
from kitchen_tui.kitchen.steps import OrderCancelled, StepFailed

if TYPE_CHECKING:
    from kitchen_tui.kitchen.clock import StoryClock
    from kitchen_tui.kitchen.events import Emitter
    from kitchen_tui.kitchen.frontdesk import Ticket

Outcome = Literal["served", "failed", "refused", "timed_out", "uneaten"]


class Responses:
    """The kitchen's pass: a finished handler's response goes out here, on the loop or a cook
    thread, with its latency and where its time went; every outcome is counted."""

    def __init__(self, clock: StoryClock, emitter: Emitter) -> None:
        self._clock = clock
        self._emitter = emitter
        self._lock = threading.Lock()
        self.counts: dict[Outcome, int] = dict.fromkeys(_OUTCOMES, 0)
        self.walked_out = 0  # customers who left before their answer
        # Tickets a reset's cancel flag stopped, maybe before the loop read the reset.
        self.unwound: set[int] = set()

    def on_exit(self, ticket: Ticket) -> RespondOnExit:
        """`with responses.on_exit(ticket):` around a handler sends its response."""
        return RespondOnExit(self, ticket)

    def count(self, outcome: Outcome) -> None:
        with self._lock:  # cook threads count too
            self.counts[outcome] += 1

    def respond(self, ticket: Ticket, exc: BaseException | None) -> bool:
        """How the handler ended decides the response: served, failed (a bug in one order
        must not take the kitchen down), or none at all when a reset cancelled it. True when
        the exception is dealt with; a cancellation or an exit goes on up."""
        if exc is None:
            self.finish(ticket, "served")
        elif isinstance(exc, OrderCancelled):
            self.unwound.add(ticket.n)
        elif isinstance(exc, TimeoutError):  # the deadline's cancel landed, or it killed
            self.time_out(ticket, _how(ticket, exc))
        elif isinstance(exc, Exception):
            self.finish(ticket, "failed", error=_error_text(exc))
        else:
            return False
        return True

    def walk_out(self, ticket: Ticket) -> None:
        """From the doorman, at the customer's patience: they leave unless answered. The
        handler is not told: it learns only when it writes the answer to a closed connection."""
        with self._lock:  # one decision with finish(): left before, or answered before
            if ticket.answered or ticket.accepted is False or ticket.cancel.is_set():
                return
            ticket.gone = True
            self.walked_out += 1
            self._emitter.put(
                {
                    "type": "walked_out",
                    "t": ticket.leaves_at,
                    "id": ticket.id,
                    "n": ticket.n,
                    "dish": ticket.dish,
                    "patience_s": self._clock.span(ticket.arrival, ticket.leaves_at),
                    "where": "desk" if ticket.seated is None else ticket.where,
                }
            )

    def finish(self, ticket: Ticket, outcome: Outcome, error: str | None = None) -> None:
        """The answer goes out: to the customer, or to nobody when they walked out."""
        done = time.perf_counter()
        with self._lock:
            ticket.answered = True
            if ticket.gone:
                self._uneaten(ticket, outcome, done)
                return
            self.counts[outcome] += 1
        self._answer(ticket, outcome, done, error)

    def time_out(self, ticket: Ticket, how: str = "cancelled") -> None:
        """The deadline ended the ticket (how: cancelled, killed or ran_on): no answer."""
        done = time.perf_counter()
        with self._lock:
            ticket.answered = True
            self.counts["timed_out"] += 1
        self._timed_out(ticket, done, how)

    def _uneaten(self, ticket: Ticket, response: Outcome, done: float) -> None:
        """The answer went to a closed connection: the customer had walked out."""
        self.counts["uneaten"] += 1
        self._emitter.put(
            {
                "type": "uneaten",
                "t": done,
                "id": ticket.id,
                "n": ticket.n,
                "dish": ticket.dish,
                "response": response,
                "latency_s": self._clock.span(ticket.arrival, done),
                "wasted_s": self._clock.span(done - ticket.wasted_left, done),
            }
        )

    def _timed_out(self, ticket: Ticket, done: float, how: str) -> None:
        """The deadline ended the ticket: no answer; how late the cancel landed, and the work
        done after nobody waited for it."""
        self._emitter.put(
            {
                "type": "timed_out",
                "t": done,
                "id": ticket.id,
                "n": ticket.n,
                "dish": ticket.dish,
                "where": "desk" if ticket.seated is None else ticket.where,
                "how": how,
                "latency_s": self._clock.span(ticket.arrival, done),
                "overrun_s": self._clock.span(min(ticket.deadline_at, done), done),
                "wasted_s": self._clock.span(done - ticket.wasted, done),
            }
        )

    def _answer(self, ticket: Ticket, outcome: Outcome, done: float, error: str | None) -> None:
        real_latency = done - ticket.arrival
        latency = self._clock.span(ticket.arrival, done)
        if outcome == "failed":
            self._emitter.emit(
                "failed",
                t=done,
                error=error,
                latency_s=latency,
                id=ticket.id,
                n=ticket.n,
                dish=ticket.dish,
            )
            return
        self._emitter.put(
            {
                "type": "served",
                "t": done,
                "latency_s": latency,
                "real_latency_s": real_latency,
                "split": _split(ticket.parts, latency, real_latency),
                "id": ticket.id,
                "n": ticket.n,
                "dish": ticket.dish,
            }
        )


class RespondOnExit:
    """The end of a handler, however it ends: the response goes out. A class, not a
    generator-based context manager: entered once a ticket, it costs a third as much."""

    __slots__ = ("responses", "ticket")

    def __init__(self, responses: Responses, ticket: Ticket) -> None:
        self.responses, self.ticket = responses, ticket

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: Any
    ) -> bool:
        return self.responses.respond(self.ticket, exc)


_OUTCOMES: tuple[Outcome, ...] = ("served", "failed", "refused", "timed_out", "uneaten")


def _how(ticket: Ticket, exc: TimeoutError) -> str:
    """How the deadline ended it: a cancel at an await, a killed worker, or a thread that could
    not be stopped and ran to its end first."""
    if isinstance(exc, WorkerKilled):
        return "killed"
    return "ran_on" if isinstance(exc, RanOn) or ticket.ran_on else "cancelled"


def _error_text(exc: Exception) -> str:
    return str(exc) if isinstance(exc, StepFailed) else f"{type(exc).__name__}: {exc}"


def _split(parts: dict[str, float], latency: float, real_latency: float) -> dict[str, float]:
    """The real seconds of each part, in story seconds, with `ready` taking the remainder.

    Not rounded: `round` cost more than the rest of the split (five calls, 1.7 us a ticket).
    """
    scale = latency / real_latency if real_latency > 0 else 1.0
    front_desk = parts["front_desk"] * scale
    cook = parts["cook"] * scale
    rail = parts["rail"] * scale
    shelf = parts["shelf"] * scale
    ready = max(0.0, latency - front_desk - cook - rail - shelf)
    return {"front_desk": front_desk, "cook": cook, "rail": rail, "shelf": shelf, "ready": ready}
