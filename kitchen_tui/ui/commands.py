"""What a key or the talk's script asks of the kitchen, as values: one dispatcher performs them.

A key press and a script step that mean the same thing make the same command, so both are
sent, echoed and reported (key overlay, recording) by the same code. Each command names the key
that asks for it: the script's steps are shown and recorded as the keys a speaker would press.
"""

from __future__ import annotations

from dataclasses import dataclass

from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import MAX_SPEED, MIN_SPEED, WORKERS, Mode
from kitchen_tui.talk.scenario import Scenario
from kitchen_tui.ui.dishes import (
    RUSH_DISH,
    RUSH_SIZE,
    RUSH_WORDS,
    OrderNumbers,
    dish_words,
)
from kitchen_tui.ui.keys import KEY_BY_ACTION, Key

MODE_KEY = KEY_BY_ACTION["cycle_mode"]
SHELF_KEY = KEY_BY_ACTION["toggle_shelf"]
FASTER_KEY = KEY_BY_ACTION["speed(1)"]
SLOWER_KEY = KEY_BY_ACTION["speed(-1)"]
RESET_KEY = KEY_BY_ACTION["reset"]
STREAM_KEY = KEY_BY_ACTION["stream"]
SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)  # the steps + and - go through


@dataclass(frozen=True)
class SendOrders:
    """Orders for the kitchen, and what the echo calls them ("slow LLM order")."""

    orders: tuple[Order, ...]
    words: str
    key: Key | None

    @property
    def echo(self) -> str:
        first, last = self.orders[0].id, self.orders[-1].id
        return f"> {first if len(self.orders) == 1 else f'{first}..{last}'} {self.words}"


@dataclass(frozen=True)
class SetMode:
    mode: Mode
    key: Key | None = MODE_KEY


@dataclass(frozen=True)
class SetShelf:
    on: bool
    key: Key | None = SHELF_KEY


@dataclass(frozen=True)
class SetRemedy:
    """How the kitchen serves a blocking call (fix_blocking) or CPU work (fix_cpu)."""

    setting: str
    value: str
    key: Key | None = None  # only the script chooses a remedy on the way


@dataclass(frozen=True)
class SetSpeed:
    """Story seconds per real second, for the kitchen (and a talk's script)."""

    speed: float
    key: Key | None


@dataclass(frozen=True)
class RunStream:
    """The rate dial: customers at `rate` story arrivals a second of `mix`; 0 stops them."""

    rate: float
    mix: dict[str, int]
    key: Key | None = STREAM_KEY


@dataclass(frozen=True)
class Reset:
    """The script's reset: every ticket in flight cancelled, the settings kept."""

    key: Key | None = RESET_KEY


@dataclass(frozen=True)
class Again:
    """The x key: reset the kitchen (a dead one restarts), run a talk's scene again, or
    rewind a replay."""

    key: Key | None = RESET_KEY


@dataclass(frozen=True)
class PlayScenario:
    """A reset, then the scenario's dishes, settings and orders."""

    scenario: Scenario
    key: Key | None = None


@dataclass(frozen=True)
class SetWorkers:
    """How many kitchen processes stand behind the front desk."""

    count: int
    key: Key | None


Command = (
    SendOrders
    | SetMode
    | SetShelf
    | SetRemedy
    | SetSpeed
    | RunStream
    | Reset
    | Again
    | PlayScenario
    | SetWorkers
)


def order_of(dish: str, numbers: OrderNumbers) -> SendOrders:
    """One order, as the dish's key places it."""
    key = KEY_BY_ACTION.get(f"order('{dish}')")
    return SendOrders((Order(numbers.next_id(dish), dish),), dish_words(dish), key)


def rush(numbers: OrderNumbers) -> SendOrders:
    orders = tuple(Order(numbers.next_id(RUSH_DISH), RUSH_DISH) for _ in range(RUSH_SIZE))
    return SendOrders(orders, RUSH_WORDS, KEY_BY_ACTION["rush"])


def orders_of(dish: str, orders: list[Order]) -> SendOrders:
    """A script's order step: the dish's key, once for all its copies."""
    words = dish_words(dish) if len(orders) == 1 else f"{len(orders)} x {dish_words(dish)}"
    return SendOrders(tuple(orders), words, KEY_BY_ACTION.get(f"order('{dish}')"))


def speed_to(speed: float, current: float) -> SetSpeed:
    """A new pace, pressed as the key that goes that way from the current one."""
    if speed > current:
        return SetSpeed(speed, FASTER_KEY)
    return SetSpeed(speed, SLOWER_KEY if speed < current else None)


def workers_step(current: int, direction: int) -> SetWorkers:
    """One worker more (direction > 0) or fewer, within 1 and the most there may be."""
    count = max(WORKERS.low, min(WORKERS.high, current + (1 if direction > 0 else -1)))
    return SetWorkers(count, KEY_BY_ACTION[f"workers({1 if direction > 0 else -1})"])


def speed_step(current: float, direction: int) -> SetSpeed:
    """The next pace up (direction > 0) or down from `current`, within the kitchen's limits."""
    if direction > 0:
        chosen = next((s for s in SPEEDS if s > current + 1e-9), MAX_SPEED)
        return SetSpeed(chosen, FASTER_KEY)
    chosen = next((s for s in reversed(SPEEDS) if s < current - 1e-9), MIN_SPEED)
    return SetSpeed(chosen, SLOWER_KEY)
