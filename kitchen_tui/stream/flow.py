"""The flow: the last minute of the stream as queueing theory reads it.

The ledger feeds it one event at a time: who came in and when, how long each stayed, when each
cook, the loop and each shelf worker was busy. `stream/queueing.py` turns a window of it into
the live figures (offered load, throughput, utilisation, Little's law, latency percentiles).
Instants are the kitchen's real `perf_counter()` stamps; latencies are story seconds, as the
events carry them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kitchen_tui.protocol.events import Event

KEEP_S = 60.0  # real seconds of flow kept: the longest window a figure may ask for


@dataclass(frozen=True)
class Stay:
    """One customer's time in the kitchen: from their arrival to their answer (served or
    failed), or to the moment they walked out, whichever came first."""

    arrived: float
    left: float
    latency_s: float  # story seconds, as the kitchen measured them (or their patience)
    served: bool
    walked: bool = False  # they walked out (their ticket may cook on, for nobody)


@dataclass(frozen=True)
class Busy:
    """A stretch in which one server (a cook, a shelf worker) was taken by one order."""

    server: int
    start: float
    end: float


class Flow:
    """Arrivals, stays and busy stretches within KEEP_S of the latest event, plus what is open."""

    def __init__(self, keep_s: float = KEEP_S) -> None:
        self.keep_s = keep_s
        self.arrivals: deque[float] = deque()  # every customer who came, 86'd ones too
        self.stays: deque[Stay] = deque()  # in the order they left
        self.inside: dict[int, float] = {}  # ticket number -> arrival, not yet answered
        # Tickets still cooking whose customer walked out: ticket -> when they left. Not
        # inside any more (L counts customers present); their cooking is work for nobody.
        self.for_nobody: dict[int, float] = {}
        self.nobody: deque[tuple[float, float]] = deque()  # (left, ended) of such tickets
        self.cooks: deque[Busy] = deque()
        self.cooking: dict[int, tuple[int, float]] = {}  # ticket -> (cook, since)
        self.shelf: deque[Busy] = deque()
        self.on_shelf: dict[int, tuple[int, float]] = {}  # ticket -> (slot, since)
        self.loop_samples: deque[tuple[float, float]] = deque()  # (t, loop busy s so far)
        # (end, real seconds) of each step that held a loop, as the step events tell it: what
        # the loop was busy with since its last heartbeat (a loop too busy to beat sends none).
        self.loop_holds: deque[tuple[float, float]] = deque()
        self.stream: dict[str, Any] | None = None  # the customers' stream running (rate, mix)

    def apply(self, e: Event) -> None:
        """One event of the stream, as the ledger applies it (after its own handler)."""
        feed = _FEEDS.get(e["type"])
        if feed is not None:
            feed(self, e)

    # -- fed by the ledger ------------------------------------------------------------------

    def arrived(self, n: int, t: float) -> None:
        self.arrivals.append(t)
        self.inside[n] = t
        self._forget(t)

    def refused(self, n: int, t: float) -> None:
        """86'd at the door: an arrival that never came inside (or left at once)."""
        if self.inside.pop(n, None) is None:
            self.arrivals.append(t)

    def seated(self, n: int, cook: int | None, t: float) -> None:
        if cook is not None:
            self.cooking[n] = (cook, t)

    def shelf_in(self, n: int, slot: int, t: float) -> None:
        self.on_shelf[n] = (slot, t)

    def shelf_out(self, n: int, t: float) -> None:
        slot, since = self.on_shelf.pop(n, (-1, t))
        if slot >= 0:
            self.shelf.append(Busy(slot, since, t))

    def walked_out(self, n: int, t: float, patience_s: float) -> None:
        """The customer left at `t`, their ticket cooks on: their stay ends here, after their
        patience (W of a customer who left is how long they stayed)."""
        arrived = self.inside.pop(n, None)
        if arrived is not None:
            self.stays.append(Stay(arrived, t, patience_s, False, walked=True))
            self.for_nobody[n] = t

    def left(self, n: int, t: float, latency_s: float, served: bool) -> None:
        arrived = self.inside.pop(n, None)
        if arrived is not None:
            self.stays.append(Stay(arrived, t, latency_s, served))
        gone = self.for_nobody.pop(n, None)
        if gone is not None:
            self.nobody.append((gone, t))
        cooking = self.cooking.pop(n, None)
        if cooking is not None:
            self.cooks.append(Busy(cooking[0], cooking[1], t))
        self.shelf_out(n, t)
        self._forget(t)

    def heartbeat(self, t: float, loop_busy_s: float) -> None:
        self.loop_samples.append((t, loop_busy_s))
        self._forget(t)

    def loop_held(self, t: float, seconds: float) -> None:
        self.loop_holds.append((t, seconds))
        self._forget(t)

    def forget_open(self, t: float) -> None:
        """A reset cancelled everything in flight: those orders left with no answer."""
        self.inside.clear()
        for gone in self.for_nobody.values():
            self.nobody.append((gone, t))
        self.for_nobody.clear()
        for n in list(self.cooking):
            cook, since = self.cooking.pop(n)
            self.cooks.append(Busy(cook, since, t))
        for n in list(self.on_shelf):
            self.shelf_out(n, t)

    def _forget(self, now: float) -> None:
        horizon = now - self.keep_s
        while self.arrivals and self.arrivals[0] < horizon:
            self.arrivals.popleft()
        samples = self.loop_samples  # the last one before the horizon starts the window
        while len(samples) > 1 and samples[1][0] < horizon:
            samples.popleft()
        while self.loop_holds and self.loop_holds[0][0] < horizon:
            self.loop_holds.popleft()
        while self.stays and self.stays[0].left < horizon:
            self.stays.popleft()
        while self.nobody and self.nobody[0][1] < horizon:
            self.nobody.popleft()
        for done in (self.cooks, self.shelf):
            while done and done[0].end < horizon:
                done.popleft()


def _left(flow: Flow, e: Event) -> None:
    flow.left(e["n"], e["t"], e["latency_s"], e["type"] == "served")


def _step_finished(flow: Flow, e: Event) -> None:
    if e["where"] == "loop":  # as the kitchen adds it to the heartbeat's loop busy
        flow.loop_held(e["t"], e["measured_s"])


def _dropped(flow: Flow, e: Event) -> None:
    if e.get("stall_s"):  # the loop holds among thinned step detail
        flow.loop_held(e["t"], e["stall_s"])


def _stream(flow: Flow, e: Event) -> None:
    flow.stream = None if e["rate"] <= 0 else {"rate": e["rate"], "mix": dict(e["mix"])}


# Event type -> what it changes in the flow; the outcomes that end a stay all leave it.
_FEEDS: dict[str, Callable[[Flow, Event], None]] = {
    "arrived": lambda flow, e: flow.arrived(e["n"], e["t"]),
    "refused": lambda flow, e: flow.refused(e["n"], e["t"]),
    "seated": lambda flow, e: flow.seated(
        e["n"], e.get("cook") if e.get("mode") != "async" else None, e["t"]
    ),
    "shelf_in": lambda flow, e: flow.shelf_in(e["n"], e["slot"], e["t"]),
    "shelf_out": lambda flow, e: flow.shelf_out(e["n"], e["t"]),
    "walked_out": lambda flow, e: flow.walked_out(e["n"], e["t"], e["patience_s"]),
    "served": _left,
    "failed": _left,
    "uneaten": _left,
    "timed_out": _left,
    "heartbeat": lambda flow, e: flow.heartbeat(e["t"], e["loop_busy_s"]),
    "step_finished": _step_finished,
    "dropped": _dropped,
    "reset": lambda flow, e: flow.forget_open(e["t"]),
    "stream": _stream,
}
