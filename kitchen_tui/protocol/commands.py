"""The commands the parent sends the kitchen: typed values, one JSON object a line.

The parent builds them and writes `to_json()`; the kitchen's command reader calls
`parse_command` once a line, and the engine dispatches on the type.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from typing import Any, TypeGuard, TypeVar

from kitchen_tui.protocol.arrivals import ARRIVAL_KINDS, MAX_STREAM_RATE, ArrivalKind
from kitchen_tui.protocol.menu import MAX_STEP_SECONDS, STEP_KINDS, Dish
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.pool_commands import Retire, RollCall
from kitchen_tui.protocol.settings import (
    BLOCKING_FIXES,
    COOKS,
    CPU_FIXES,
    FRONT_DESK,
    MAX_DEADLINE_S,
    MAX_PATIENCE_S,
    MAX_SPEED,
    MIN_SPEED,
    MODES,
    SHELF_PER_CPU,
    SHELF_SIZE,
    WORKERS,
    BlockingFix,
    CpuFix,
    Mode,
    Range,
)

Choice = TypeVar("Choice", bound=str)


class MalformedCommand(ValueError):
    """A line the kitchen cannot take as a command: it is ignored, with one line on stderr."""


@dataclass(frozen=True)
class PlaceOrders:
    """Customers' orders: each arrives `at` story seconds after `t0`, the sender's
    `perf_counter()` (None: when the kitchen reads it)."""

    orders: tuple[Order, ...]
    t0: float | None = None

    def to_json(self) -> dict[str, object]:
        orders = [_order_json(order) for order in self.orders]
        return {"cmd": "order", "orders": orders, "t0": self.t0}


def _order_json(order: Order) -> dict[str, object]:
    data: dict[str, object] = {"id": order.id, "dish": order.dish, "at": order.at}
    if order.patience is not None:
        data["patience"] = order.patience
    return data


@dataclass(frozen=True)
class DefineDishes:
    """Dishes to put on the kitchen's menu (a scenario's own), replacing any of the same name."""

    dishes: tuple[Dish, ...]

    def to_json(self) -> dict[str, object]:
        return {"cmd": "dishes", "dishes": [dish.to_json() for dish in self.dishes]}


@dataclass(frozen=True)
class ChangeSettings:
    """New values for some of the kitchen's settings; None leaves one as it is."""

    mode: Mode | None = None
    fix_blocking: BlockingFix | None = None
    fix_cpu: CpuFix | None = None
    prep_shelf: bool | None = None  # the older spelling of fix_cpu = "prep_shelf" (or inline)
    cooks: int | None = None
    shelf_size: int | None = None
    front_desk: int | None = None
    speed: float | None = None
    patience: float | None = None  # 0: customers wait for ever
    deadline: float | None = None  # 0: no deadline

    def changes(self) -> dict[str, Any]:
        """The settings this command changes, by name."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in values.items() if value is not None}

    def to_json(self) -> dict[str, object]:
        return {"cmd": "settings", **self.changes()}

    @classmethod
    def of(cls, changes: dict[str, object]) -> ChangeSettings:
        """The command for these changes by name; MalformedCommand if one is not a setting
        or out of its range."""
        unknown = sorted(set(changes) - {f.name for f in fields(cls)})
        if unknown:
            raise MalformedCommand(f"settings: no setting named {', '.join(unknown)}")
        return cls(
            mode=_one_of(changes, "mode", MODES),
            fix_blocking=_one_of(changes, "fix_blocking", BLOCKING_FIXES),
            fix_cpu=_one_of(changes, "fix_cpu", CPU_FIXES),
            prep_shelf=_flag(changes, "prep_shelf"),
            cooks=_count(changes, "cooks", COOKS),
            shelf_size=_count(changes, "shelf_size", SHELF_SIZE, SHELF_PER_CPU),
            front_desk=_count(changes, "front_desk", FRONT_DESK),
            speed=_speed(changes),
            patience=_seconds(changes, "patience", MAX_PATIENCE_S),
            deadline=_seconds(changes, "deadline", MAX_DEADLINE_S),
        )


@dataclass(frozen=True)
class SetStream:
    """A steady stream of customers the kitchen's own thread sends in: `rate` story arrivals a
    second of `mix` (dish: weight), seeded; a rate of 0 stops it."""

    rate: float
    mix: dict[str, int] = field(default_factory=lambda: {"message": 1})
    arrivals: ArrivalKind = "poisson"
    seed: int = 1

    def to_json(self) -> dict[str, object]:
        return {
            "cmd": "stream",
            "rate": self.rate,
            "mix": dict(self.mix),
            "arrivals": self.arrivals,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class Reset:
    """Cancel everything in flight and serve on, with the same settings and menu."""

    def to_json(self) -> dict[str, object]:
        return {"cmd": "reset"}


@dataclass(frozen=True)
class Shutdown:
    """Cancel everything in flight and end the kitchen process."""

    def to_json(self) -> dict[str, object]:
        return {"cmd": "shutdown"}


@dataclass(frozen=True)
class RestartWorker:
    """Start a worker that died again, in its place (gunicorn's master does it by itself)."""

    worker: int

    def to_json(self) -> dict[str, object]:
        return {"cmd": "restart_worker", "worker": self.worker}


@dataclass(frozen=True)
class SetWorkers:
    """Run this many workers from now (gunicorn's TTIN and TTOU signals): new ones start, the
    ones too many stop taking tickets and leave once theirs are served."""

    count: int

    def to_json(self) -> dict[str, object]:
        return {"cmd": "workers", "count": self.count}


Command = (
    PlaceOrders
    | DefineDishes
    | ChangeSettings
    | SetStream
    | Reset
    | Shutdown
    | RestartWorker
    | SetWorkers
    | Retire
    | RollCall
)


def parse_command(line: bytes | str) -> Command:
    """The command one line carries; MalformedCommand says what is wrong with it."""
    try:
        data = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MalformedCommand(f"not JSON ({error})") from None
    if not isinstance(data, dict):
        raise MalformedCommand(f"not a JSON object: {type(data).__name__}")
    body = {key: value for key, value in data.items() if key != "cmd"}
    match data.get("cmd"):
        case "order":
            return _orders(body)
        case "dishes":
            return _dishes(body)
        case "settings":
            return ChangeSettings.of(body)
        case "stream":
            return _stream(body)
        case "reset":
            return Reset()
        case "shutdown":
            return Shutdown()
        case "restart_worker":
            return _restart(body)
        case "workers":
            count = body.get("count")
            if not _is_count(count) or not WORKERS.low <= count <= WORKERS.high:
                raise MalformedCommand(
                    f"workers: `count` must be from {WORKERS.low} to {WORKERS.high}, got {count!r}"
                )
            return SetWorkers(count)
        case "retire":
            return Retire()
        case "roll_call":
            return RollCall(_count(body, "call", Range(0, 1 << 62)) or 0)
        case name:
            raise MalformedCommand(f"no command named {name!r}")


def _restart(body: dict[str, Any]) -> RestartWorker:
    worker = body.get("worker")
    if not _is_count(worker) or not WORKERS.low <= worker <= WORKERS.high:
        raise MalformedCommand(
            f"restart_worker: `worker` must be from {WORKERS.low} to {WORKERS.high}, got {worker!r}"
        )
    return RestartWorker(worker)


def _orders(body: dict[str, Any]) -> PlaceOrders:
    orders, t0 = body.get("orders"), body.get("t0")
    if not isinstance(orders, list):
        raise MalformedCommand("order: `orders` must be a list")
    if t0 is not None and not _is_number(t0):
        raise MalformedCommand(f"order: `t0` must be a number, got {t0!r}")
    placed = tuple(_order_or_problem(item, number) for number, item in enumerate(orders, 1))
    return PlaceOrders(placed, None if t0 is None else float(t0))


def _order_or_problem(item: object, number: int) -> Order:
    """The order, or one that fails alone with the reason it could not be read: one bad order
    must not cost the rest of the batch their dinner."""
    try:
        return _order(item)
    except MalformedCommand as error:
        fields = item if isinstance(item, dict) else {}
        order_id, dish, at = fields.get("id"), fields.get("dish"), fields.get("at", 0.0)
        return Order(
            str(order_id) if isinstance(order_id, str | int) else f"#{number}",
            dish if isinstance(dish, str) else "?",
            float(at) if _is_number(at) and math.isfinite(at) and at >= 0 else 0.0,
            problem=str(error),
        )


def _order(item: object) -> Order:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
        raise MalformedCommand(f"order: each order needs an id and a dish, got {item!r}")
    dish, at = item.get("dish"), item.get("at", 0.0)
    if not isinstance(dish, str):
        raise MalformedCommand(f"order {item['id']}: `dish` must be a name, got {dish!r}")
    if not _is_number(at) or not math.isfinite(at) or at < 0:
        raise MalformedCommand(f"order {item['id']}: `at` must be seconds >= 0, got {at!r}")
    patience = item.get("patience")
    if patience is not None and not (_is_number(patience) and 0 < patience <= MAX_PATIENCE_S):
        raise MalformedCommand(
            f"order {item['id']}: `patience` must be seconds above 0 to {MAX_PATIENCE_S:g},"
            f" got {patience!r}"
        )
    return Order(str(item["id"]), dish, float(at), None if patience is None else float(patience))


def _stream(body: dict[str, Any]) -> SetStream:
    rate, mix, seed = body.get("rate"), body.get("mix", {"message": 1}), body.get("seed", 1)
    if not _is_number(rate) or not 0 <= rate <= MAX_STREAM_RATE:
        raise MalformedCommand(
            f"stream: `rate` must be from 0 to {MAX_STREAM_RATE:g}, got {rate!r}"
        )
    if not isinstance(mix, dict) or not mix:
        raise MalformedCommand(f"stream: `mix` must name a dish or more, got {mix!r}")
    for dish, weight in mix.items():
        if not _is_count(weight) or weight < 1:
            raise MalformedCommand(f"stream: {dish}: a weight must be an integer >= 1")
    if not _is_count(seed):
        raise MalformedCommand(f"stream: `seed` must be an integer, got {seed!r}")
    arrivals = body.get("arrivals", "poisson")
    for kind in ARRIVAL_KINDS:
        if arrivals == kind:
            return SetStream(float(rate), dict(mix), kind, seed)
    raise MalformedCommand(f"stream: `arrivals` must be poisson or even, got {arrivals!r}")


def _dishes(body: dict[str, Any]) -> DefineDishes:
    dishes = body.get("dishes")
    if not isinstance(dishes, list):
        raise MalformedCommand("dishes: `dishes` must be a list")
    for data in dishes:
        _needs(data, ("name", "label", "steps"), "dishes: a dish")
        steps = data["steps"]
        if not isinstance(steps, list):
            raise MalformedCommand(f"dishes: {data['name']}: `steps` must be a list")
        for step in steps:
            _needs(step, ("kind", "seconds", "label"), f"dishes: {data['name']}: a step")
    try:
        parsed = tuple(Dish.from_json(data) for data in dishes)
    except (TypeError, ValueError) as error:
        raise MalformedCommand(f"dishes: {error}") from None
    for dish in parsed:
        for step in dish.steps:
            if step.kind not in STEP_KINDS or not 0 <= step.seconds <= MAX_STEP_SECONDS:
                raise MalformedCommand(
                    f"dishes: {dish.name}: a step is {step.kind} for {step.seconds} s;"
                    f" expected one of {', '.join(STEP_KINDS)} for 0 to {MAX_STEP_SECONDS:g} s"
                )
    return DefineDishes(parsed)


def _needs(data: object, keys: tuple[str, ...], what: str) -> None:
    if not isinstance(data, dict):
        raise MalformedCommand(f"{what} must be an object, got {data!r}")
    missing = [key for key in keys if key not in data]
    if missing:
        raise MalformedCommand(f"{what} needs {', '.join(missing)}; got {data!r}")


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _one_of(changes: dict[str, object], name: str, allowed: tuple[Choice, ...]) -> Choice | None:
    value = changes.get(name)
    if value is None:
        return None
    for choice in allowed:
        if value == choice:
            return choice
    raise MalformedCommand(f"settings: `{name}` must be one of {', '.join(allowed)}, got {value!r}")


def _flag(changes: dict[str, object], name: str) -> bool | None:
    value = changes.get(name)
    if value is not None and not isinstance(value, bool):
        raise MalformedCommand(f"settings: `{name}` must be true or false, got {value!r}")
    return value


def _count(
    changes: dict[str, object], name: str, allowed: Range, default: int | None = None
) -> int | None:
    """The count named, if sent: in its range, or `default` (the value that means default)."""
    value = changes.get(name)
    if value is None:
        return None
    if _is_count(value) and (allowed.low <= value <= allowed.high or value == default):
        return value
    also = "" if default is None else f" (or {default}: the default)"
    raise MalformedCommand(
        f"settings: `{name}` must be from {allowed.low} to {allowed.high}{also}, got {value!r}"
    )


def _speed(changes: dict[str, object]) -> float | None:
    value = changes.get("speed")
    if value is None:
        return None
    if not _is_number(value) or not MIN_SPEED <= value <= MAX_SPEED:
        raise MalformedCommand(f"settings: `speed` must be from {MIN_SPEED} to {MAX_SPEED}")
    return float(value)


def _seconds(changes: dict[str, object], name: str, most: float) -> float | None:
    """A patience or deadline, if sent: 0 (none) to `most` story seconds."""
    value = changes.get(name)
    if value is None:
        return None
    if not _is_number(value) or not 0 <= value <= most:
        raise MalformedCommand(f"settings: `{name}` must be from 0 (none) to {most:g} s")
    return float(value)
