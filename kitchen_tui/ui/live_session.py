"""A live kitchen: a kitchen process that cooks what the keys and the talk's script send it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from functools import partial
from pathlib import Path

from kitchen_tui.protocol.commands import SetStream
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.menu import Dish
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.headless import LEAD_S
from kitchen_tui.stream.pool_account import Death
from kitchen_tui.talk.scenario import Scenario
from kitchen_tui.ui.commands import (
    Again,
    Command,
    PlayScenario,
    Reset,
    RunStream,
    SendOrders,
    SetMode,
    SetRemedy,
    SetShelf,
    SetSpeed,
    SetWorkers,
)
from kitchen_tui.ui.frame import Frame
from kitchen_tui.ui.glyphs import counted
from kitchen_tui.ui.link import KitchenLink
from kitchen_tui.ui.remedy_words import remedy_echo
from kitchen_tui.ui.stream_dial import stream_words

# Events applied in one frame at most (about 0.1 s of work): under a flood the rest waits in the
# client's queue, where step detail is thinned, instead of freezing the screen for seconds.
FRAME_EVENTS = 10_000

# What a scenario sets up, and of that what a talk's scene starts from (the front desk and the
# shelf stay as the talk's scenario made them).
SCENE_SETTINGS = ("mode", "fix_blocking", "fix_cpu", "prep_shelf", "cooks", "speed")
SCENARIO_SETTINGS = (*SCENE_SETTINGS, "front_desk", "shelf_size")


def chosen(settings: KitchenSettings, names: tuple[str, ...]) -> dict[str, object]:
    return {name: getattr(settings, name) for name in names}


class LiveSession:
    """Orders and settings go to the kitchen; x resets it, and a dead one is replaced by a new
    process with the settings and the dishes it had."""

    title = ""  # nothing for the scene bar: the kitchen on screen is the real one

    def __init__(
        self,
        frame: Frame,
        settings: KitchenSettings,
        *,
        backend: str = "asyncio",
        trace: Path | None = None,
        kitchen: KitchenLink | None = None,
        scenario: Scenario | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.frame = frame
        self.settings = settings  # as the command line asked: the fallback for unknown values
        self.kitchen = kitchen
        self._owns_kitchen = kitchen is None
        self._backend = backend
        self._trace = trace
        self._scenario = scenario
        self._dishes: dict[str, Dish] = {}  # every dish sent: a new process is sent them again
        self._after_reset: list[Callable[[], object]] = []
        # A scenario's orders wait for the kitchen's hello: its clock starts when the kitchen
        # is ready, so no order spends the kitchen's start-up at the front desk.
        self._after_hello: list[Callable[[], object]] = []
        self._ready = False
        self._clock = clock
        self.died: str | None = None
        self.dead_workers: dict[int, str] = {}  # worker -> what its death was, until it is up
        self.stream: SetStream | None = None  # the customers asked for: a new kitchen gets them

    # -- the process -----------------------------------------------------------------------------

    def open(self) -> str | None:
        """Start the kitchen; with a scenario, play it. The echo, if any."""
        kitchen = self._kitchen()
        if not kitchen.alive:
            kitchen.start()
        if self._scenario is None:
            return None
        # The command line already laid its options over the scenario's settings.
        return self.play(self._scenario, self.settings)

    def close(self) -> None:
        if self.kitchen is not None:
            self.kitchen.stop()

    @property
    def alive(self) -> bool:
        return self.died is None and self.kitchen is not None and self.kitchen.alive

    def drain(self) -> list[Event]:
        """The kitchen's events since the last frame; a death and a finished reset are acted on
        at once, even while the picture is frozen."""
        events = self.kitchen.drain(FRAME_EVENTS) if self.kitchen is not None else []
        for event in events:
            kind = event.get("type")
            if kind == "died":
                self.died = str(event.get("message", "it ended unexpectedly"))
                self.frame.show_death(self.died)
            elif kind in ("worker_died", "worker_lost", "worker_up"):
                self._worker_news(event)
            elif kind == "hello":
                self._ready = True
                pending, self._after_hello = self._after_hello, []
                for then in pending:
                    then()
            elif kind == "reset" and self._after_reset:
                pending, self._after_reset = self._after_reset, []
                for then in pending:
                    then()
        return events

    def _worker_news(self, event: Event) -> None:
        """A worker died (its banner stays until it is back), its death cost more than it
        first said (a roll call's `worker_lost`, while its banner is up), or it is up again."""
        worker = int(event.get("worker", 0))
        if event["type"] == "worker_up":
            self.dead_workers.pop(worker, None)
        elif event["type"] == "worker_died" or worker in self.dead_workers:
            death = Death(
                str(event["message"]), int(event.get("failed", 0)), int(event.get("lost", 0))
            )
            self.dead_workers[worker] = death.words
        else:
            return
        if self.died is None:
            news = "; ".join(self.dead_workers.values()) or None
            self.frame.show_death(news, worker=True)

    def restart(self, settings: KitchenSettings | None = None) -> None:
        """A stopped kitchen cannot be reset: start a new one with the last known settings (or
        `settings`), and give it the dishes the old one had been given."""
        settings = settings or self._current_settings()
        self.close()
        if self._owns_kitchen or self.kitchen is None:
            self.kitchen = self._new_kitchen(settings)
        self.kitchen.start()
        self._ready = False
        if self._dishes:
            self.kitchen.define_dishes(self._dishes.values())
        if self.stream is not None:  # the customers keep coming to the new kitchen
            self.kitchen.stream(self.stream)
        self.died = None
        self.dead_workers.clear()
        self.frame.show_death(None)
        self._after_reset.clear()
        self.frame.clear()

    # -- commands --------------------------------------------------------------------------------

    def perform(self, command: Command) -> str | None:
        """Do what `command` asks of the kitchen; the header's echo."""
        match command:
            case SendOrders(orders=orders):
                self.order(orders)
                return command.echo
            case SetMode(mode=mode):
                return self._configure("mode", mode, f"mode -> {mode}")
            case SetShelf(on=on):
                return self._configure("prep_shelf", on, f"prep shelf {'on' if on else 'off'}")
            case SetRemedy(setting=setting, value=value):
                return self._configure(setting, value, remedy_echo(setting, value))
            case SetSpeed(speed=speed):
                return self._configure("speed", speed, f"speed {speed:g}x")
            case RunStream(rate=rate, mix=mix):
                self.run_stream(SetStream(rate, dict(mix)) if rate > 0 else None)
                return f"> stream {stream_words(rate, mix)}" if rate > 0 else "> stream stopped"

            case Reset() | Again():
                if not self.alive:
                    self.restart()
                    return "> started a new kitchen"
                if self.dead_workers:  # gunicorn's master would start them by itself
                    dead = sorted(self.dead_workers)
                    for worker in dead:
                        self._kitchen().restart_worker(worker)
                    return f"> restarting worker {', '.join(map(str, dead))}"
                self.reset_then(lambda: None)
                return "> reset: everything in flight cancelled"
            case SetWorkers(count=count):
                return self._set_workers(count)
            case PlayScenario(scenario=scenario):
                # The scenario's orders into the kitchen as the user has set it: its own mode,
                # shelf and speed apply only as the starting --scenario and in report.
                self.reset_then(partial(self.play_orders, scenario))
                return f"> {scenario.name}: {scenario.title}, in {self.setting('mode')}"
        return None

    def _set_workers(self, count: int) -> str:
        """More or fewer workers: the master starts or retires them; to or from one, a new
        kitchen (one kitchen alone has no master to add a worker to)."""
        current = int(str(self.setting("workers") or 1))
        if count == current:  # at the fewest or the most there may be
            return f"> {counted(count, 'worker')} already"
        if current > 1 and count > 1 and self.alive:
            self._kitchen().set_workers(count)
            gone = "" if count > current else ": the newest serves its tickets, then goes"
            return f"> {counted(count, 'worker')}{gone}"
        self.restart(self._current_settings().changed({"workers": count}))
        why = "one kitchen has no master" if current == 1 else "one worker runs without a master"
        return f"> {counted(count, 'worker')}, a new kitchen: in flight cancelled ({why})"

    def setting(self, name: str) -> object:
        """The value last asked for, else what the kitchen last confirmed."""
        scene = self.frame.scene
        if name in scene.asked:
            return scene.asked[name]
        return scene.board.settings.get(name, getattr(self.settings, name, None))

    def order(self, orders: Sequence[Order], t0: float | None = None) -> None:
        self._kitchen().order(orders, t0=t0)

    def speed(self) -> float:
        value = self.setting("speed")
        return float(value) if isinstance(value, int | float) else self.settings.speed

    def configure(self, **changes: object) -> None:
        """New settings, shown as asked until the kitchen confirms them."""
        self._kitchen().configure(**changes)
        self.frame.scene.asked.update(changes)

    def run_stream(self, stream: SetStream | None) -> None:
        """Customers at a rate (None stops them); they outlive resets and restarts."""
        self.stream = stream
        self._kitchen().stream(stream or SetStream(0.0))

    def define_dishes(self, dishes: Iterable[Dish]) -> None:
        dishes = list(dishes)
        self._dishes.update((dish.name, dish) for dish in dishes)
        self._kitchen().define_dishes(dishes)

    def play(self, scenario: Scenario, wanted: KitchenSettings, send_orders: bool = True) -> str:
        """Set the kitchen up (dishes, then settings) and send the scenario's orders."""
        if scenario.dishes:
            self.define_dishes(scenario.dishes.values())
        self._kitchen().configure(**chosen(wanted, SCENARIO_SETTINGS))
        if scenario.orders and send_orders:
            self._when_ready(partial(self._order_soon, scenario.orders))
        return f"> {scenario.name}: {scenario.title}"

    def play_orders(self, scenario: Scenario) -> None:
        """The scenario's dishes and orders, and nothing of its settings."""
        if scenario.dishes:
            self.define_dishes(scenario.dishes.values())
        if scenario.orders:
            self._when_ready(partial(self._order_soon, scenario.orders))

    def reset_then(self, then: Callable[[], object]) -> None:
        """Reset, and only once the kitchen confirms it, go on: orders sent earlier would be
        cancelled with the old ones. A dead kitchen is replaced, and then goes on at once."""
        if not self.alive:
            self.restart()
            then()
            return
        self._after_reset.append(then)
        self._kitchen().reset()
        self.frame.scene.asked.clear()

    def when_reset(self, then: Callable[[], object]) -> None:
        """Now, or once the reset the kitchen was asked for is done."""
        if self._after_reset:
            self._after_reset.append(then)
        else:
            then()

    # -- helpers ---------------------------------------------------------------------------------

    def _when_ready(self, then: Callable[[], object]) -> None:
        if self._ready:
            then()
        else:
            self._after_hello.append(then)

    def _order_soon(self, orders: Sequence[Order]) -> None:
        self.order(orders, t0=self._clock() + LEAD_S)

    def _configure(self, name: str, value: object, words: str) -> str:
        self.configure(**{name: value})
        return f"> {words}"

    def _kitchen(self) -> KitchenLink:
        if self.kitchen is None:
            self.kitchen = self._new_kitchen(self.settings)
        return self.kitchen

    def _new_kitchen(self, settings: KitchenSettings) -> KitchenLink:
        from kitchen_tui.stream.client import KitchenProcess

        return KitchenProcess(settings, backend=self._backend, trace=self._trace)

    def _current_settings(self) -> KitchenSettings:
        known = {f.name for f in fields(KitchenSettings)}
        last = {k: v for k, v in self.frame.scene.board.settings.items() if k in known}
        try:
            return KitchenSettings.from_json(last) if last else self.settings
        except (TypeError, ValueError):
            return self.settings
