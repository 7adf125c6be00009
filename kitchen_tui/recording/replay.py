"""Replay: a recorded kitchen's event stream, released at its original pace with nothing cooking.

A trace is what `KitchenProcess(trace=PATH)` writes: the kitchen's events, one JSON object a
line (docs/events.md). `ReplayKitchen` has the interface the app uses for a live kitchen, so the
app animates a trace exactly as it was recorded; commands are counted and otherwise ignored.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.commands import SetStream
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.menu import Dish
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import MAX_SPEED, MIN_SPEED
from kitchen_tui.recording.trace_file import Trace, TraceFile, load_trace

__all__ = ["ReplayKitchen", "Trace", "TraceFile", "load_trace"]
MAX_DRAIN = 20_000  # events handed out in one frame at most: a dense trace cannot stall it


class ReplayKitchen:
    """A kitchen that already cooked: it hands out a trace's events as their time comes round.

    Each event is due `(t - first t) / speed` real seconds after `start()`, by `clock`. Released
    events carry `t` moved into `clock`'s time (the instant they were due), so an app that
    animates by its own `perf_counter()` sees them exactly as the live kitchen's. `events` is
    read as the replay goes (a TraceFile streams its file), and again from the top on `start()`.
    """

    def __init__(
        self,
        events: Iterable[Event],
        speed: float = 1.0,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._source = events
        self._events: Iterator[Event] = iter(())
        self._due: tuple[Event, float] | None = None  # the next event and its trace time
        self._first: float | None = None  # the first stamp: trace time 0
        self._latest = 0.0
        self._clock = clock
        self._speed = _checked_speed(speed)
        self._anchor_real: float | None = None  # clock reading when trace time was _anchor_trace
        self._anchor_trace = 0.0
        self._running = False
        self._last_due = float("-inf")
        self.commands: Counter[str] = Counter()  # what the app asked for; nothing is cooked

    @classmethod
    def from_file(
        cls, path: Path | str, speed: float = 1.0, clock: Callable[[], float] = time.perf_counter
    ) -> ReplayKitchen:
        return cls(TraceFile(path), speed=speed, clock=clock)

    # -- the kitchen's life cycle -------------------------------------------------------------

    def start(self) -> None:
        """Start (or restart) the replay from its first event."""
        self._events = iter(self._source)
        self._due, self._first, self._latest = None, None, 0.0
        self._anchor_real, self._anchor_trace = self._clock(), 0.0
        self._last_due = float("-inf")
        self._running = True

    def stop(self) -> None:
        self._running = False

    @property
    def alive(self) -> bool:
        return self._running

    @property
    def finished(self) -> bool:
        """Every event of the trace was handed out."""
        return self._next_due() is None

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def position(self) -> float:
        """Trace seconds played so far."""
        if self._anchor_real is None:
            return 0.0
        return self._anchor_trace + (self._clock() - self._anchor_real) * self._speed

    # -- commands: counted, since nothing cooks --------------------------------------------------

    def order(self, orders: Sequence[Order], t0: float | None = None) -> None:
        self.commands["order"] += 1

    def define_dishes(self, dishes: Iterable[Dish]) -> None:
        self.commands["dishes"] += 1

    def configure(self, **changes: object) -> None:
        """Only `speed` means something here: the pace of the replay from now on."""
        self.commands["settings"] += 1
        speed = changes.get("speed")
        if isinstance(speed, (int, float)) and not isinstance(speed, bool):
            self.set_speed(float(speed))

    def reset(self) -> None:
        self.commands["reset"] += 1

    def restart_worker(self, worker: int) -> None:
        """A trace's workers died or came back as recorded: nothing to restart."""
        self.commands["restart_worker"] += 1

    def set_workers(self, count: int) -> None:
        self.commands["workers"] += 1

    def stream(self, stream: SetStream) -> None:
        self.commands["stream"] += 1

    def set_speed(self, speed: float) -> None:
        """Play on at `speed` times the recorded pace, from where the replay is now."""
        speed = _checked_speed(speed)
        if self._anchor_real is not None:
            self._anchor_trace = self.position
            self._anchor_real = self._clock()
        self._speed = speed

    # -- events -----------------------------------------------------------------------------------

    def drain(self, limit: int | None = None) -> list[Event]:
        """The events due by now that were not handed out yet (at most `limit`, MAX_DRAIN)."""
        if not self._running or self._anchor_real is None:
            return []
        played = self.position
        limit = MAX_DRAIN if limit is None else limit
        out: list[Event] = []
        while len(out) < limit and (due := self._next_due()) is not None:
            event, offset = due
            if offset > played:
                break
            out.append(self._restamped(event, offset))
            self._due = None
        return out

    def _next_due(self) -> tuple[Event, float] | None:
        """The next event and its trace time, seconds after the first stamp; never earlier than
        the one before (events without a stamp, or a clock hiccup, keep the stream's order)."""
        if self._due is None:
            event = next(self._events, None)
            if event is None:
                return None
            stamp = _stamp(event)
            if stamp is not None:
                self._first = stamp if self._first is None else self._first
                self._latest = max(self._latest, stamp - self._first)
            self._due = (event, self._latest)
        return self._due

    def _restamped(self, event: Event, offset: float) -> Event:
        assert self._anchor_real is not None
        if _stamp(event) is None:
            return dict(event)
        due = self._anchor_real + (offset - self._anchor_trace) / self._speed
        # An event released late across a speed change must not go back in time.
        self._last_due = max(self._last_due, due)
        return {**event, "t": self._last_due}


def _stamp(event: Event) -> float | None:
    t = event.get("t")
    return float(t) if isinstance(t, int | float) and not isinstance(t, bool) else None


def _checked_speed(speed: float) -> float:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise UsageError(f"replay speed must be from {MIN_SPEED:g} to {MAX_SPEED:g}, got {speed:g}")
    return speed
