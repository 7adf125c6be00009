"""The customers: a steady stream of orders at a rate, sent in by a thread of their own.

Open loop, as a load generator like wrk2 runs it: each customer's arrival instant is drawn from
the seeded schedule, never from when the kitchen is ready, and the order goes in stamped with
that instant. The thread hands each order to the doorman LEAD_S before it is due, so neither a
busy UI, a slow pipe nor a stalled event loop can delay an arrival: the doorman seats it at its
stamp.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.events import Emitter
from kitchen_tui.protocol.arrivals import ArrivalDraws
from kitchen_tui.protocol.commands import PlaceOrders, SetStream
from kitchen_tui.protocol.orders import Order

LEAD_S = 0.05  # real seconds ahead of its arrival an order reaches the doorman
ID_PREFIX = "L"  # the orders are L1, L2, ... as a scenario's [load] stream names them


class Customers:
    """People who come on their own schedule: `place` gets each order before its instant."""

    def __init__(
        self, place: Callable[[PlaceOrders], None], clock: StoryClock, emitter: Emitter
    ) -> None:
        self._place = place
        self._emitter = emitter
        self._clock = clock
        self._cond = threading.Condition()
        self._stream: SetStream | None = None
        self._draws: ArrivalDraws | None = None
        self._next: float | None = None  # real instant of the next customer
        self._count = 0  # customers sent so far, every stream of the session: the ids' numbers
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="customers", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def stream(self) -> SetStream | None:
        return self._stream

    def set(self, stream: SetStream) -> None:
        """A new rate (or mix): from now on; a rate of 0 stops the stream. Said in a `stream`
        event."""
        self._emitter.emit(
            "stream", rate=stream.rate, mix=stream.mix, arrivals=stream.arrivals, seed=stream.seed
        )
        now = time.perf_counter()
        with self._cond:
            old = self._stream
            if stream.rate <= 0:
                self._stream, self._draws, self._next = None, None, None
            elif old is None or (old.mix, old.arrivals, old.seed) != (
                stream.mix,
                stream.arrivals,
                stream.seed,
            ):
                # A new dish or seed draws new customers, numbered on: ids stay unique in a
                # session (L13 chat after L19 message put two L13s on the rail).
                self._stream = stream
                self._draws = ArrivalDraws(stream.mix, stream.arrivals, stream.seed)
                self._next = now + self._draws.first_gap(stream.rate) / self._clock.speed
            else:
                # The same customers at a new rate. Poisson arrivals have no memory: the next
                # one is drawn afresh from now; an even stream keeps its last arrival's beat.
                self._stream = stream
                assert self._draws is not None and self._next is not None
                self._next = self._after(self._last(old, now), stream.rate)
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=2)

    def _last(self, old: SetStream, now: float) -> float:
        """The instant the next gap counts from on a change of rate."""
        if old.arrivals == "poisson" or self._next is None:
            return now
        return max(now, self._next - 1.0 / old.rate / self._clock.speed)

    def _after(self, instant: float, rate: float) -> float:
        assert self._draws is not None
        return instant + self._draws.gap(rate) / self._clock.speed

    def _run(self) -> None:
        while True:
            with self._cond:
                due = self._due()
                if self._closed:
                    return
            if due:
                self._place(due)

    def _due(self) -> PlaceOrders | None:
        """The orders whose instant is within LEAD_S, or wait (under the lock) for the next."""
        if self._closed:
            return None
        if self._stream is None or self._next is None or self._draws is None:
            self._cond.wait()
            return None
        now = time.perf_counter()
        if self._next - LEAD_S > now:
            self._cond.wait(self._next - LEAD_S - now)
            return None
        t0, speed = self._next, self._clock.speed
        orders = []
        while self._next - LEAD_S <= now:
            self._count += 1
            at = (self._next - t0) * speed  # story seconds after the first of this batch
            orders.append(Order(f"{ID_PREFIX}{self._count}", self._draws.dish(), at))
            self._next = self._after(self._next, self._stream.rate)
        return PlaceOrders(tuple(orders), t0)
