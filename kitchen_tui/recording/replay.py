"""Replay: a recorded kitchen's event stream, released at its original pace with nothing cooking.

A trace is what `KitchenProcess(trace=PATH)` writes: the kitchen's events, one JSON object a
line (docs/events.md). `ReplayKitchen` has the interface the app uses for a live kitchen, so the
app animates a trace exactly as it was recorded; commands are counted and otherwise ignored.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.events import STREAM_VERSION, Event
from kitchen_tui.protocol.menu import Dish
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import MAX_SPEED, MIN_SPEED


@dataclass(frozen=True)
class Trace:
    """A recorded run of a kitchen: its events in the order it wrote them."""

    path: Path
    events: tuple[Event, ...]
    # The last line was cut off mid-write (the recorder was killed): it was left out.
    truncated: bool = False

    @property
    def duration(self) -> float:
        """Real seconds from the first stamped event to the last."""
        stamps = [float(e["t"]) for e in self.events if _stamp(e) is not None]
        return max(stamps) - min(stamps) if stamps else 0.0


def load_trace(path: Path | str) -> Trace:
    """Read and check a trace file; every problem is a UsageError of one line."""
    path = Path(path)
    data = _read(path)
    lines = data.split(b"\n")
    ends_cleanly = lines[-1] == b""
    if ends_cleanly:
        lines.pop()
    events: list[Event] = []
    truncated = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        event = _event(line)
        if event is None and number == len(lines) and not ends_cleanly and events:
            truncated = True  # cut off mid-line: replay up to the cut
            break
        if event is None or (number == 1 and not _is_hello_like(event)):
            what = "not a kitchen trace" if not events else "not a kitchen event"
            raise UsageError(f"{path}:{number}: {what} (expected one JSON event a line)")
        events.append(_checked_version(event, path, number))
    if not events:
        raise UsageError(f"{path}: empty: not a kitchen trace")
    return Trace(path, tuple(events), truncated)


def _read(path: Path) -> bytes:
    try:
        if not path.exists():
            raise UsageError(f"{path}: no such trace file")
        if not path.is_file():
            raise UsageError(f"{path}: not a regular file")
        return path.read_bytes()
    except OSError as error:
        raise UsageError(f"{path}: cannot read: {error.strerror or error}") from None


def _event(line: bytes) -> Event | None:
    """The line's event, or None when it is not a JSON object with a type."""
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        return None
    return value


def _is_hello_like(event: Event) -> bool:
    """A kitchen event: versioned and stamped (a trace starts with one, usually `hello`)."""
    return "v" in event and _stamp(event) is not None


def _checked_version(event: Event, path: Path, number: int) -> Event:
    version = event.get("v", STREAM_VERSION)
    if version != STREAM_VERSION:
        raise UsageError(
            f"{path}:{number}: event stream version {version!r} is not supported"
            f" (this kitchen reads version {STREAM_VERSION})"
        )
    return event


def _stamp(event: Event) -> float | None:
    t = event.get("t")
    return float(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else None


class ReplayKitchen:
    """A kitchen that already cooked: it hands out a trace's events as their time comes round.

    Each event is due `(t - first t) / speed` real seconds after `start()`, by `clock`. Released
    events carry `t` moved into `clock`'s time (the instant they were due), so an app that
    animates by its own `perf_counter()` sees them exactly as the live kitchen's.
    """

    def __init__(
        self,
        events: Sequence[Event],
        speed: float = 1.0,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._events = list(events)
        self._offsets = _offsets(self._events)
        self._clock = clock
        self._speed = _checked_speed(speed)
        self._next = 0
        self._anchor_real: float | None = None  # clock reading when trace time was _anchor_trace
        self._anchor_trace = 0.0
        self._running = False
        self._last_due = float("-inf")
        self.commands: Counter[str] = Counter()  # what the app asked for; nothing is cooked

    @classmethod
    def from_file(
        cls, path: Path | str, speed: float = 1.0, clock: Callable[[], float] = time.perf_counter
    ) -> ReplayKitchen:
        return cls(load_trace(path).events, speed=speed, clock=clock)

    # -- the kitchen's life cycle -------------------------------------------------------------

    def start(self) -> None:
        """Start (or restart) the replay from its first event."""
        self._next = 0
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
        return self._next >= len(self._events)

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

    def set_speed(self, speed: float) -> None:
        """Play on at `speed` times the recorded pace, from where the replay is now."""
        speed = _checked_speed(speed)
        if self._anchor_real is not None:
            self._anchor_trace = self.position
            self._anchor_real = self._clock()
        self._speed = speed

    # -- events -----------------------------------------------------------------------------------

    def drain(self, limit: int | None = None) -> list[Event]:
        """The events due by now that were not handed out yet (at most `limit`)."""
        if not self._running or self._anchor_real is None:
            return []
        played = self.position
        out: list[Event] = []
        while self._next < len(self._events) and (limit is None or len(out) < limit):
            offset = self._offsets[self._next]
            if offset > played:
                break
            out.append(self._restamped(self._events[self._next], offset))
            self._next += 1
        return out

    def _restamped(self, event: Event, offset: float) -> Event:
        assert self._anchor_real is not None
        if _stamp(event) is None:
            return dict(event)
        due = self._anchor_real + (offset - self._anchor_trace) / self._speed
        # An event released late across a speed change must not go back in time.
        self._last_due = max(self._last_due, due)
        return {**event, "t": self._last_due}


def _offsets(events: list[Event]) -> list[float]:
    """Each event's trace time, seconds after the first stamp; never earlier than the one before
    (events without a stamp, or a clock hiccup, keep the stream's order)."""
    first = next((s for e in events if (s := _stamp(e)) is not None), 0.0)
    offsets: list[float] = []
    latest = 0.0
    for event in events:
        stamp = _stamp(event)
        if stamp is not None:
            latest = max(latest, stamp - first)
        offsets.append(latest)
    return offsets


def _checked_speed(speed: float) -> float:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise UsageError(f"replay speed must be from {MIN_SPEED:g} to {MAX_SPEED:g}, got {speed:g}")
    return speed
