"""Scenarios: who orders what and when, plus the kitchen settings to serve them with.

A scenario is a TOML file (never code: nothing in it is executed). Every key is optional; a file
with no orders is valid and only sets up the kitchen (the user injects orders by hand)::

    title = "Three tables"     # default: the file's stem
    mode = "sync"              # sync | threads | async (default: async)
    fix_blocking = "inline"    # a blocking call: inline | to_thread | await (async only)
    fix_cpu = "inline"         # cpu work: inline | checkpoints | to_thread (async only)
                               #   | prep_shelf | job
    prep_shelf = false         # the older spelling of fix_cpu = "prep_shelf"
    cooks = 40                 # threads mode: pool threads, 1..MAX_COOKS
    front_desk = 1000          # accept queue capacity, 1..MAX_FRONT_DESK
    shelf_size = 2             # prep shelf workers, 1..MAX_SHELF (default: one per CPU)
    speed = 1.0                # MIN_SPEED..MAX_SPEED
    patience = 5.0             # customers walk out after this many seconds (default: never)
    deadline = 3.0             # the server's fail_after on each request (default: none)
    workers = 1                # kitchen processes behind one front desk, 1..MAX_WORKERS

    [load]                     # a steady stream of customers (see talk/load.py)
    rate = 20.0                # customers a story second
    arrivals = "poisson"       # poisson (seeded) | even
    seed = 1
    seconds = 60
    mix = { message = 9, pdf = 1 }
    patience = 4.0             # the stream's customers' patience

    [[orders]]
    id = "A"                   # optional, see below
    dish = "llm"               # required: a menu dish or one defined under [dishes]
    at = 0.0                   # seconds after the start, 0..MAX_AT_SECONDS
    count = 1                  # that many copies, 1..MAX_COUNT
    every = 0.1                # seconds between copies (default 0: all at once)
    patience = 2.0             # these customers' own patience (default: the kitchen's)

    [dishes.lookup]            # a new dish; its name may not be one of the built-in menu's
    label = "Redis lookup"     # default: the dish name
    steps = [{ kind = "wait", seconds = 0.05, label = "GET session", error = "timeout" }]

Order ids: `id` as given when count is 1; with count > 1 the copies are numbered (`M` gives
`M1..M10`, `T1` gives `T1-1..`). Without an id, orders are numbered per dish across the file
(`redis1`, `redis2`, ...). Ids must be unique after expansion. Orders are sorted by `at`, stable,
so orders arriving together keep their file order.

Errors are one line naming the file and the key path, with 0-based array indexes
(`orders[0]` is the first `[[orders]]` block): `three.toml: orders[2].dish: unknown dish ...`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from kitchen_tui.protocol.menu import MAX_STEP_SECONDS, MENU, STEP_KINDS, Dish, Step
from kitchen_tui.protocol.orders import Order
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
    NO_LIMIT,
    SHELF_PER_CPU,
    SHELF_SIZE,
    WORKERS,
    CpuFix,
    KitchenSettings,
)
from kitchen_tui.talk.catalog import BUILTIN_SCENARIOS
from kitchen_tui.talk.load import LoadSpec, check_load
from kitchen_tui.talk.toml_checker import TomlChecker, describe
from kitchen_tui.talk.tomlfile import did_you_mean, load_toml, parse_toml

Fix = TypeVar("Fix", bound=str)


@dataclass(frozen=True)
class Scenario:
    """A named run: settings, extra dishes and the orders in the order they arrive."""

    name: str
    title: str
    settings: KitchenSettings = field(default_factory=KitchenSettings)
    dishes: dict[str, Dish] = field(default_factory=dict)
    orders: tuple[Order, ...] = ()
    load: LoadSpec | None = None  # a steady stream of customers; its orders are in `orders`


MAX_COUNT = 100_000
MAX_ORDERS = 100_000  # all orders of a file after expansion: more is a typo, not a demo
MAX_AT_SECONDS = 3600.0  # an hour of story time
MAX_STEPS = 100

_TOP_KEYS = (
    "title",
    "mode",
    "fix_blocking",
    "fix_cpu",
    "prep_shelf",
    "cooks",
    "front_desk",
    "shelf_size",
    "speed",
    "patience",
    "deadline",
    "workers",
)
_ORDER_KEYS = ("id", "dish", "at", "count", "every", "patience")
_DISH_KEYS = ("label", "steps")
_STEP_KEYS = ("kind", "seconds", "label", "error")


def load_scenario(name_or_path: str) -> Scenario:
    """A built-in by name (it wins over a file of the same name: use `./name`), or a TOML file."""
    doc, source = load_toml(
        name_or_path, kind="scenario", builtins=BUILTIN_SCENARIOS, folder="scenarios"
    )
    return ScenarioChecker(source).scenario(doc, Path(source).stem)


def parse_scenario(text: str, source: str) -> Scenario:
    """Parse and check scenario TOML; `source` names the file in errors and gives the name."""
    return ScenarioChecker(source).scenario(parse_toml(text, source), Path(source).stem)


def full_menu(scenario: Scenario) -> dict[str, Dish]:
    """Every dish the scenario may order: the built-in menu plus the scenario's own dishes."""
    return {**MENU, **scenario.dishes}


def copy_ids(order_id: str, count: int) -> list[str]:
    """The ids of `count` copies of an order named `order_id`: `M` gives M1.., `T1` gives T1-1.."""
    if count == 1:
        return [order_id]
    sep = "-" if order_id[-1].isdigit() else ""  # T1 -> T1-1, not T11
    return [f"{order_id}{sep}{n}" for n in range(1, count + 1)]


def _expanded_ids(order_id: str | None, dish: str, count: int, seen: dict[str, int]) -> list[str]:
    if order_id is not None:
        return copy_ids(order_id, count)
    start = seen.get(dish, 0)  # numbered per dish across the file: redis1, redis2, ...
    seen[dish] = start + count
    return [f"{dish}{start + n}" for n in range(1, count + 1)]


class ScenarioChecker(TomlChecker):
    """Checks a scenario document: its settings, dishes and orders."""

    def scenario(
        self, doc: dict[str, object], name: str, extra_keys: tuple[str, ...] = ()
    ) -> Scenario:
        """The scenario in `doc`; `extra_keys` are top-level keys the caller reads itself."""
        self.check_keys(doc, "", (*_TOP_KEYS, "orders", "dishes", "load", *extra_keys))
        dishes = self.dishes(doc.get("dishes", {}))
        settings = self.settings(doc)
        menu = (*MENU, *dishes)
        orders = self.orders(doc.get("orders", []), full_menu_names=menu)
        load = check_load(self, doc["load"], menu, settings.speed) if "load" in doc else None
        if load is not None:
            orders = self.with_load(orders, load)
        return Scenario(
            name=name,
            title=self.text(doc, "title", "", default="") if "title" in doc else name,
            settings=settings,
            dishes=dishes,
            orders=orders,
            load=load,
        )

    def with_load(self, orders: tuple[Order, ...], load: LoadSpec) -> tuple[Order, ...]:
        """The file's orders and the stream's, in arrival order; ids stay unique."""
        taken = {order.id for order in orders}
        stream = load.orders()
        clash = next((order.id for order in stream if order.id in taken), None)
        if clash is not None:
            raise self.fail("load", f"the stream's order ids (L1, L2, ...) clash with {clash!r}")
        if len(orders) + len(stream) > MAX_ORDERS:
            raise self.fail("load", f"more than {MAX_ORDERS} orders in all")
        return tuple(sorted((*orders, *stream), key=lambda order: order.at))

    # --- settings --------------------------------------------------------------------------

    def settings(self, doc: dict[str, object]) -> KitchenSettings:
        base = KitchenSettings()
        has_shelf = "shelf_size" in doc
        settings = KitchenSettings(
            mode=self.choice(doc.get("mode", base.mode), "mode", MODES),
            fix_blocking=self.fix(doc, "fix_blocking", "", BLOCKING_FIXES),
            fix_cpu=self.fix_cpu(doc, ""),
            cooks=self.integer(doc, "cooks", "", *COOKS, base.cooks),
            shelf_size=(
                self.integer(doc, "shelf_size", "", *SHELF_SIZE, 1) if has_shelf else SHELF_PER_CPU
            ),
            front_desk=self.integer(doc, "front_desk", "", *FRONT_DESK, base.front_desk),
            speed=self.number(doc, "speed", "", MIN_SPEED, MAX_SPEED, base.speed),
            patience=self.limit(doc, "patience", "", MAX_PATIENCE_S) or NO_LIMIT,
            deadline=self.limit(doc, "deadline", "", MAX_DEADLINE_S) or NO_LIMIT,
            workers=self.integer(doc, "workers", "", *WORKERS, base.workers),
        )
        self.check_remedies(settings, "")
        return settings

    def fix(self, table: dict[str, object], key: str, path: str, fixes: tuple[Fix, ...]) -> Fix:
        """A remedy (the first of `fixes` when not given), with a hint for a near miss."""
        value = table.get(key, fixes[0])
        if isinstance(value, str) and value not in fixes:
            expected = f"expected one of {', '.join(fixes)}, got {describe(value)}"
            raise self.fail(path + key, expected + did_you_mean(value, fixes))
        return self.choice(value, path + key, fixes)

    def fix_cpu(self, table: dict[str, object], path: str) -> CpuFix:
        """`fix_cpu`, or the older `prep_shelf = true`, which means fix_cpu = "prep_shelf"."""
        fix = self.fix(table, "fix_cpu", path, CPU_FIXES)
        if "prep_shelf" not in table:
            return fix
        on = self.boolean(table, "prep_shelf", path, False)
        if "fix_cpu" in table and on != (fix == "prep_shelf"):
            raise self.fail(
                path + "prep_shelf",
                f"prep_shelf = {describe(on)} disagrees with fix_cpu = {fix!r}: keep only fix_cpu",
            )
        return "prep_shelf" if on else fix

    def check_remedies(self, settings: KitchenSettings, path: str) -> None:
        problem = settings.remedy_problem
        if problem is not None:
            raise self.fail(path + problem.setting, f"{problem.value!r} {problem.reason}")

    # --- dishes ----------------------------------------------------------------------------

    def dishes(self, value: object) -> dict[str, Dish]:
        table = self.table(value, "dishes", "a table of dishes ([dishes.NAME])")
        dishes: dict[str, Dish] = {}
        for name, body in table.items():
            path = f"dishes.{name}"
            self.name(name, "dishes", "a dish name")
            if name in MENU:
                raise self.fail(
                    path, f"name taken by the built-in menu ({', '.join(MENU)}); pick another"
                )
            dishes[name] = self.dish(name, self.table(body, path, "a table"), path + ".")
        return dishes

    def dish(self, name: str, table: dict[str, object], path: str) -> Dish:
        self.check_keys(table, path, _DISH_KEYS)
        if "steps" not in table:
            raise self.fail(path + "steps", "missing: a dish needs at least one step")
        steps = self.array(table["steps"], path + "steps", "an array of steps")
        if not 1 <= len(steps) <= MAX_STEPS:
            raise self.fail(path + "steps", f"expected 1 to {MAX_STEPS} steps, got {len(steps)}")
        return Dish(
            name=name,
            label=self.text(table, "label", path, default=name),
            steps=tuple(self.step(step, f"{path}steps[{i}]") for i, step in enumerate(steps)),
        )

    def step(self, value: object, path: str) -> Step:
        table = self.table(value, path, "a step table ({ kind = ..., seconds = ... })")
        self.check_keys(table, path + ".", _STEP_KEYS)
        for key in ("kind", "seconds"):
            if key not in table:
                raise self.fail(f"{path}.{key}", "missing: every step needs a kind and seconds")
        kind = self.choice(table["kind"], path + ".kind", STEP_KINDS)
        has_error = "error" in table
        return Step(
            kind=kind,
            seconds=self.number(table, "seconds", path + ".", 0, MAX_STEP_SECONDS, 0),
            label=self.text(table, "label", path + ".", default=kind),
            error=self.text(table, "error", path + ".", "", limit=200) if has_error else None,
        )

    # --- orders ----------------------------------------------------------------------------

    def orders(self, value: object, full_menu_names: tuple[str, ...]) -> tuple[Order, ...]:
        blocks = self.array(value, "orders", "an array of tables ([[orders]])")
        orders: list[Order] = []
        made_by: dict[str, int] = {}  # id -> index of the [[orders]] block that made it
        per_dish: dict[str, int] = {}
        for index, block in enumerate(blocks):
            path = f"orders[{index}]"
            room = MAX_ORDERS - len(orders)
            for order in self.order_block(block, path, full_menu_names, per_dish, room):
                if order.id in made_by:
                    first = f"orders[{made_by[order.id]}]"
                    raise self.fail(
                        path + ".id", f"duplicate order id {order.id!r} (also made by {first})"
                    )
                made_by[order.id] = index
                orders.append(order)
        return tuple(sorted(orders, key=lambda order: order.at))  # sorted() is stable

    def order_block(
        self, value: object, path: str, menu: tuple[str, ...], per_dish: dict[str, int], room: int
    ) -> list[Order]:
        table = self.table(value, path, "a table ([[orders]])")
        self.check_keys(table, path + ".", _ORDER_KEYS)
        dish = self.order_dish(table, path, menu)
        order_id = self.name(table["id"], path + ".id", "an order id") if "id" in table else None
        at = self.number(table, "at", path + ".", 0, MAX_AT_SECONDS, 0.0)
        count = self.integer(table, "count", path + ".", 1, MAX_COUNT, 1)
        if count > room:  # checked before expanding, so a huge file fails fast
            raise self.fail(path + ".count", f"more than {MAX_ORDERS} orders in all")
        every = self.number(table, "every", path + ".", 0, MAX_AT_SECONDS, 0.0)
        last = at + (count - 1) * every
        if last > MAX_AT_SECONDS:
            raise self.fail(
                path + ".every",
                f"the last copy would arrive at {last:g} s, past {MAX_AT_SECONDS:g} s",
            )
        ids = _expanded_ids(order_id, dish, count, per_dish)
        # Rounded to the nanosecond: copy 31 of `every = 0.1` is at 3.0, not 3.0000000000000004.
        patience = self.limit(table, "patience", path + ".", MAX_PATIENCE_S)
        return [
            Order(id=id_, dish=dish, at=round(at + n * every, 9), patience=patience)
            for n, id_ in enumerate(ids)
        ]

    def order_dish(self, table: dict[str, object], path: str, menu: tuple[str, ...]) -> str:
        if "dish" not in table:
            raise self.fail(path + ".dish", "missing: every order needs a dish")
        dish = table["dish"]
        if not isinstance(dish, str):
            raise self.fail(path + ".dish", f"expected a dish name, got {describe(dish)}")
        if dish not in menu:
            raise self.fail(
                path + ".dish",
                f"unknown dish {dish!r} (menu: {', '.join(menu)}, or define it under [dishes])"
                + did_you_mean(dish, menu),
            )
        return dish
