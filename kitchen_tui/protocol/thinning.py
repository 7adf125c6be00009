"""Thinning a flood: a ticket's life events always go through; only step detail may be dropped.

Both ends of the stream thin the same way: the kitchen's writer when its reader falls behind,
and the parent's client when its consumer does. What was dropped is counted per kind in the
`dropped` event, with the seconds of the loop holds it leaves out, so totals stay true.
"""

from __future__ import annotations

import threading
from collections import Counter

from kitchen_tui.protocol.events import STREAM_VERSION, Event

# A ticket's life: never dropped, so every consumer can account for every order.
LIFE_EVENTS = frozenset(
    {"arrived", "seated", "served", "failed", "refused", "walked_out", "uneaten", "timed_out"}
)
# What happens within a step: may be thinned, a whole step at a time.
# (A cpu_progress is live detail only: the step's own end carries its totals.)
STEP_DETAIL = frozenset(
    {"step_started", "step_finished", "shelf_in", "shelf_out", "stall", "cpu_progress"}
)
_AFTER_START = STEP_DETAIL - {"step_started"}


class StepThinner:
    """Says which events may go once a buffer is full: whole steps of detail, judged at their start.

    A step dropped at its start takes its shelf trips, its finish and a short stall with it, so
    a consumer never hears a step end that it never saw begin; a step kept at its start is kept
    whole, so a step seen holding the loop is always seen letting go. A stall of 50 ms or more
    is always kept: it is what a learner came to see. Safe from several threads at once (each
    ticket's steps come from one thread at a time; dict reads and writes are atomic).
    """

    def __init__(self) -> None:
        self.thinned: dict[int, int] = {}  # ticket n -> the step whose start was dropped

    def keeps(self, event: Event, full: bool) -> bool:
        kind = event["type"]
        if kind == "step_started":
            if full:
                self.thinned[event["n"]] = event["i"]
                return False
            self.thinned.pop(event["n"], None)
            return True
        if kind in _AFTER_START:
            if kind == "stall" and event.get("level", 0) > 0:
                return True
            return self.thinned.get(event.get("n")) != event.get("i")  # type: ignore[arg-type]
        if kind in ("served", "failed"):
            self.thinned.pop(event["n"], None)
        elif kind == "reset":
            self.thinned.clear()
        return True


class DropCount:
    """What was thinned since the last look: per kind, and the loop seconds of its stalls.

    Counts, not the events: a writer stuck on a slow pipe must not keep every event it drops.
    The lock is taken only to drop, never on the way of an event that goes through.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kinds: Counter[str] = Counter()
        self._stall_s = 0.0

    def __bool__(self) -> bool:
        return bool(self._kinds)

    def add(self, event: Event) -> None:
        with self._lock:
            self._kinds[event["type"]] += 1
            if event["type"] == "stall":
                self._stall_s += float(event.get("seconds", 0.0))

    def take(self, t: float, seq: int | None = None) -> Event | None:
        """The `dropped` event for everything counted so far (and start again), or None."""
        with self._lock:
            kinds, stall_s = self._kinds, self._stall_s
            self._kinds, self._stall_s = Counter(), 0.0
        if not kinds:
            return None
        return {
            "v": STREAM_VERSION,
            "seq": seq,
            "type": "dropped",
            "t": t,
            "count": sum(kinds.values()),
            "kinds": dict(kinds),
            "stall_s": stall_s,
        }
