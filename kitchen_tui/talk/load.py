"""A steady stream of customers: open-loop arrivals at a rate, of a mix of dishes, for a while.

In a scenario file::

    [load]
    rate = 20.0              # customers a story second, on average
    arrivals = "poisson"     # poisson (seeded, so a run repeats) | even (one every 1/rate s)
    seed = 1
    seconds = 60             # arrivals from 0 to this (story seconds), or from `at` on
    at = 0.0
    mix = { message = 9, pdf = 1 }   # dish = weight (default: { message = 1 })
    patience = 4.0           # seconds before its customers walk out (default: the kitchen's)

Open loop: every order is stamped with its intended arrival before any is sent, and the
kitchen's doorman seats it at that instant whatever the kitchen is doing, so a kitchen that falls
behind never slows its customers down (no coordinated omission).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.arrivals import ARRIVAL_KINDS, ArrivalDraws, ArrivalKind
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import MAX_PATIENCE_S
from kitchen_tui.talk.toml_checker import TomlChecker
from kitchen_tui.talk.tomlfile import did_you_mean

Arrivals = ArrivalKind
ARRIVALS = ARRIVAL_KINDS
# Real arrivals a second the doorman can seat on time: its thread wakes the loop once a batch,
# and an epoll wait rounds up to the millisecond, so past ~1,000 a second instants blur.
MAX_REAL_RATE_PER_S = 1000.0
MAX_LOAD_ORDERS = 100_000
MAX_LOAD_SECONDS = 3600.0
_LOAD_KEYS = ("rate", "arrivals", "seed", "seconds", "at", "mix", "patience")


@dataclass(frozen=True)
class LoadSpec:
    """Open-loop customers: `rate` a story second of `mix` (dish: weight) for `seconds`."""

    rate: float
    seconds: float
    mix: Mapping[str, int] = field(default_factory=lambda: {"message": 1})
    arrivals: Arrivals = "poisson"
    seed: int = 1
    at: float = 0.0
    patience: float | None = None  # story seconds its customers wait (None: the kitchen's)

    def orders(self, prefix: str = "L") -> tuple[Order, ...]:
        """The stream's orders, stamped at their intended arrivals: the same for the same seed."""
        draws = ArrivalDraws(self.mix, self.arrivals, self.seed)
        orders: list[Order] = []
        t = draws.first_gap(self.rate)
        while t < self.seconds:
            at = round(self.at + t, 9)
            orders.append(Order(f"{prefix}{len(orders) + 1}", draws.dish(), at, self.patience))
            if self.arrivals == "even":
                t = len(orders) / self.rate  # not a running sum: no drift over thousands
            else:
                t += draws.gap(self.rate)
        return tuple(orders)


def check_rate(rate: float, speed: float, where: str = "rate") -> None:
    """UsageError unless `rate` (story orders a second) is one the machine can stamp on time."""
    if not rate > 0:
        raise UsageError(f"{where}: must be above 0 customers a second, got {rate:g}")
    if rate * speed > MAX_REAL_RATE_PER_S:
        raise UsageError(
            f"{where}: {rate:g} a second at speed {speed:g} is {rate * speed:g} real arrivals"
            f" a second, past the {MAX_REAL_RATE_PER_S:g} the doorman can seat on time;"
            " lower the rate or the speed"
        )


def check_positive(checker: TomlChecker, rate: float) -> None:
    """A rate of 0 or below says so as check_rate does (not "expected a number from 0")."""
    if not rate > 0:
        raise checker.fail("load.rate", f"must be above 0 customers a second, got {rate:g}")


def check_mix(mix: Mapping[str, int], menu: tuple[str, ...], where: str = "mix") -> None:
    """UsageError unless `mix` names at least one dish of `menu`, each with a weight >= 1."""
    if not mix:
        raise UsageError(f"{where}: empty; name at least one dish, e.g. message = 1")
    for dish, weight in mix.items():
        if dish not in menu:
            hint = did_you_mean(dish, menu) or f" (menu: {', '.join(menu)})"
            raise UsageError(f"{where}: unknown dish {dish!r}{hint}")
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise UsageError(f"{where}.{dish}: a weight must be an integer >= 1, got {weight!r}")


def parse_mix(text: str, menu: tuple[str, ...]) -> dict[str, int]:
    """`message=9,pdf=1` (or one dish name) as a mix; UsageError names what is wrong."""
    mix: dict[str, int] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        dish, _, weight = part.partition("=")
        try:
            mix[dish.strip()] = int(weight) if weight else 1
        except ValueError:
            raise UsageError(f"--mix: {part!r}: expected DISH=WEIGHT, e.g. message=9") from None
    check_mix(mix, menu, "--mix")
    return mix


def check_load(
    checker: TomlChecker, value: object, menu: tuple[str, ...], speed: float
) -> LoadSpec:
    """The `[load]` table of a scenario, checked; errors name the file and the key."""
    table = checker.table(value, "load", "a table ([load])")
    checker.check_keys(table, "load.", _LOAD_KEYS)
    if "rate" not in table:
        raise checker.fail("load.rate", "missing: customers a second, e.g. rate = 20.0")
    if isinstance(table["rate"], int | float) and not isinstance(table["rate"], bool):
        check_positive(checker, table["rate"])
    rate = checker.number(table, "rate", "load.", 0, float("inf"), 0)
    seconds = checker.number(table, "seconds", "load.", 0, MAX_LOAD_SECONDS, 10.0)
    spec = LoadSpec(
        rate=rate,
        seconds=seconds,
        mix=_mix(checker, table.get("mix", {"message": 1}), menu),
        arrivals=checker.choice(table.get("arrivals", "poisson"), "load.arrivals", ARRIVALS),
        seed=checker.integer(table, "seed", "load.", 0, 2**63 - 1, 1),
        at=checker.number(table, "at", "load.", 0, MAX_LOAD_SECONDS, 0.0),
        patience=checker.limit(table, "patience", "load.", MAX_PATIENCE_S),
    )
    try:
        check_rate(rate, speed)
    except UsageError as error:
        raise checker.fail("load.rate", str(error).removeprefix("rate: ")) from None
    if rate * seconds > MAX_LOAD_ORDERS:
        raise checker.fail(
            "load.seconds",
            f"{rate:g} a second for {seconds:g} s is past {MAX_LOAD_ORDERS} orders; shorten it",
        )
    return spec


def _mix(checker: TomlChecker, value: object, menu: tuple[str, ...]) -> dict[str, int]:
    table = checker.table(value, "load.mix", "a table of dish = weight")
    if not table:
        raise checker.fail("load.mix", "empty; name at least one dish, e.g. mix = { message = 1 }")
    for dish in table:
        if dish not in menu:
            hint = did_you_mean(dish, menu) or f" (menu: {', '.join(menu)})"
            raise checker.fail(f"load.mix.{dish}", f"unknown dish{hint}")
    return {dish: checker.integer(table, dish, "load.mix.", 1, 1_000_000, 1) for dish in table}
