"""The responses: how each handler ended, sent as served or failed, and counted."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, Literal

from kitchen_tui.kitchen.steps import OrderCancelled, StepFailed

if TYPE_CHECKING:
    from kitchen_tui.kitchen.clock import StoryClock
    from kitchen_tui.kitchen.events import Emitter
    from kitchen_tui.kitchen.frontdesk import Ticket

Outcome = Literal["served", "failed", "refused"]


class Responses:
    """The kitchen's pass: a finished handler's response goes out here, on the loop or a cook
    thread, with its latency and where its time went; every outcome is counted."""

    def __init__(self, clock: StoryClock, emitter: Emitter) -> None:
        self._clock = clock
        self._emitter = emitter
        self._lock = threading.Lock()
        self.counts: dict[Outcome, int] = {"served": 0, "failed": 0, "refused": 0}
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
        elif isinstance(exc, Exception):
            self.finish(ticket, "failed", error=_error_text(exc))
        else:
            return False
        return True

    def finish(self, ticket: Ticket, outcome: Outcome, error: str | None = None) -> None:
        done = time.perf_counter()
        real_latency = done - ticket.arrival
        latency = self._clock.span(ticket.arrival, done)
        self.count(outcome)
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
