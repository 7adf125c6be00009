"""A scripted stand-in for the kitchen process: records commands, answers like the kitchen.

`FakeKitchen` answers each command with the events the real kitchen would send first (hello,
arrived, settings, dishes, reset), stamped with the test's clock, and can replay a recorded
trace: `drain()` hands out the trace's events whose stamp the clock has reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from kitchen_tui.protocol.commands import ChangeSettings, SetStream
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.menu import MENU, Dish
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.recording.replay import load_trace

FIXTURES = Path(__file__).parent / "fixtures"


class FakeClock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeKitchen:
    """Records every command; answers with realistic events; replays a trace by the clock."""

    def __init__(
        self,
        clock: Callable[[], float],
        settings: KitchenSettings | None = None,
        trace: Iterable[Event] = (),
        answer: bool = True,
    ) -> None:
        self.clock = clock
        self.settings = settings or KitchenSettings()
        self.menu: dict[str, Dish] = dict(MENU)
        self.answer = answer
        self.commands: list[tuple[str, Any]] = []
        self.started = 0
        self.stopped = 0
        self._alive = False
        self._n = 0
        self._seq = 0
        self._pending: list[Event] = []
        self._trace = sorted(trace, key=lambda e: e.get("t", 0.0))

    # -- the client's interface -----------------------------------------------------------------

    def start(self) -> None:
        self.started += 1
        self._alive = True
        if self.answer and not self._trace:
            self._emit(
                "hello",
                pid=4242,
                backend="asyncio",
                settings=self._settings_json(),
                menu=self._menu_json(),
            )

    def order(self, orders: Sequence[Order], t0: float | None = None) -> None:
        self.commands.append(("order", list(orders)))
        stamp = self.clock() if t0 is None else t0
        for order in orders:
            self._n += 1
            if self.answer:
                self._emit(
                    "arrived",
                    t=stamp + order.at,
                    id=order.id,
                    n=self._n,
                    dish=order.dish,
                    front_desk=self._n,
                )

    def define_dishes(self, dishes: Iterable[Dish]) -> None:
        dishes = list(dishes)
        self.commands.append(("dishes", dishes))
        self.menu.update({dish.name: dish for dish in dishes})
        if self.answer:
            self._emit("dishes", menu=self._menu_json())

    def configure(self, **changes: object) -> None:
        self.commands.append(("settings", changes))
        # Checked as the real client checks them: a bad setting fails here, not in the kitchen.
        self.settings = replace(self.settings, **ChangeSettings.of(changes).changes())
        if self.answer:
            self._emit("settings", settings=self._settings_json())

    def reset(self) -> None:
        self.commands.append(("reset", None))
        if self.answer:
            self._emit("reset", cancelled=0)

    def restart_worker(self, worker: int) -> None:
        self.commands.append(("restart_worker", worker))

    def set_workers(self, count: int) -> None:
        self.commands.append(("workers", count))
        self.settings = replace(self.settings, workers=count)
        if self.answer:
            self._emit("settings", settings=self._settings_json())

    def stream(self, stream: SetStream) -> None:
        self.commands.append(("stream", stream))
        if self.answer:
            self._emit(
                "stream",
                rate=stream.rate,
                mix=stream.mix,
                arrivals=stream.arrivals,
                seed=stream.seed,
            )

    def drain(self, limit: int | None = None) -> list[Event]:
        now = self.clock()
        due = 0
        while due < len(self._trace) and self._trace[due].get("t", 0.0) <= now:
            due += 1
        events, self._trace = self._pending + self._trace[:due], self._trace[due:]
        self._pending = []
        return events

    def stop(self) -> None:
        self.stopped += 1
        self._alive = False

    @property
    def alive(self) -> bool:
        return self._alive

    # -- test controls --------------------------------------------------------------------------

    def die(
        self, code: int = -9, message: str = "the kitchen process was killed by signal 9"
    ) -> None:
        self._alive = False
        self._pending.append(
            {"type": "died", "seq": None, "t": self.clock(), "code": code, "message": message}
        )

    def push(self, events: Iterable[Event]) -> None:
        self._pending.extend(events)

    def sent(self, kind: str) -> list[Any]:
        return [payload for name, payload in self.commands if name == kind]

    def _emit(self, kind: str, t: float | None = None, **fields: Any) -> None:
        event = {
            "v": 1,
            "seq": self._seq,
            "type": kind,
            "t": self.clock() if t is None else t,
            "story": 0.0,
            **fields,
        }
        self._seq += 1
        self._pending.append(event)

    def _settings_json(self) -> dict[str, object]:
        return self.settings.to_json()

    def _menu_json(self) -> dict[str, Any]:
        return {name: dish.to_json() for name, dish in self.menu.items()}


def fixture_trace(name: str) -> list[Event]:
    """A recorded event stream, tests/ui/fixtures/NAME.jsonl, read as a replay reads it."""
    return list(load_trace(FIXTURES / f"{name}.jsonl").events)
