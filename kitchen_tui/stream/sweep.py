"""A capacity sweep: each kitchen served for real at rising open-loop rates, beside the model.

Each point is one headless run (a real kitchen process) of a seeded stream at one rate, and the
model's run of the very same arrivals. Rates, throughputs and latencies are in story time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kitchen_tui.protocol.menu import MENU, Dish
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.capacity import capacity, served_against_offered
from kitchen_tui.stream.headless import run_scenario
from kitchen_tui.stream.model import loop_turns, predict
from kitchen_tui.stream.sketch import percentile
from kitchen_tui.talk.load import Arrivals, LoadSpec
from kitchen_tui.talk.scenario import Scenario

MIN_ORDERS = 20  # a point's stream lasts long enough for this many customers at its rate
# A kitchen has shown its capacity once it serves clearly less than is offered: a seeded
# Poisson stream offers within a few per cent of its rate, so 10 % short is the knee, not luck.
SHORT_OF_OFFERED = 0.9
# What became of each customer, as `report` names it: a point counts them all.
OUTCOMES = ("served", "refused", "walked_out", "timed_out", "failed")
LOST = ("refused", "walked_out", "timed_out")  # customers who came and got no answer


@dataclass(frozen=True)
class Point:
    """One rate: what the kitchen served, and what the model says of the same arrivals."""

    rate_per_s: float
    throughput_per_s: float | None
    p50_s: float | None
    p99_s: float | None
    predicted_throughput_per_s: float | None
    predicted_p50_s: float | None
    predicted_p99_s: float | None
    orders: int
    wall_s: float
    # What became of the point's customers (of `orders`): throughput counts only the served,
    # answered while their customer was still there; the model's counts of the same arrivals.
    outcomes: Mapping[str, int] = field(default_factory=dict)
    predicted_outcomes: Mapping[str, int] = field(default_factory=dict)
    # The arrivals a second actually offered while the orders throughput counts arrived (a
    # Poisson stream's differ from its rate); throughput is never above it. None: unknown.
    offered_per_s: float | None = None

    @property
    def asked_per_s(self) -> float:
        """What the point's customers asked for: as they came, or its rate when not known."""
        return self.rate_per_s if self.offered_per_s is None else self.offered_per_s

    @property
    def lost(self) -> int:
        """Customers who came and got no answer: 86'd, walked out or timed out."""
        return sum(self.outcomes.get(name, 0) for name in LOST)

    def to_json(self) -> dict[str, object]:
        keys = ("rate_per_s", "offered_per_s", "throughput_per_s", "p50_s", "p99_s")
        return {
            **{key: getattr(self, key) for key in keys},
            "predicted_p50_s": self.predicted_p50_s,
            "predicted_p99_s": self.predicted_p99_s,
            "orders": self.orders,
            **{name: self.outcomes.get(name, 0) for name in OUTCOMES},
            **{f"predicted_{name}": self.predicted_outcomes.get(name, 0) for name in OUTCOMES},
        }


@dataclass
class KitchenCurve:
    """One kitchen's points, its capacity measured (the most it served) and predicted."""

    label: str
    settings: KitchenSettings
    predicted_capacity_per_s: float
    bottleneck: str
    points: list[Point] = field(default_factory=list)

    @property
    def capacity_per_s(self) -> float | None:
        """The most it served at any rate (each point's throughput is capped at the arrivals
        it was offered, so a lucky Poisson window does not read as capacity)."""
        served = [p.throughput_per_s for p in self.points if p.throughput_per_s is not None]
        return max(served) if served else None

    @property
    def capacity_reached(self) -> bool:
        """Whether some rate asked more than the kitchen served; if none did, the most it
        served is only a floor under its capacity."""
        return any(
            p.throughput_per_s is not None and p.throughput_per_s < SHORT_OF_OFFERED * p.asked_per_s
            for p in self.points
        )

    def to_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "settings": self.settings.served_json(),
            "capacity_per_s": self.capacity_per_s,
            "capacity_reached": self.capacity_reached,
            "predicted_capacity_per_s": self.predicted_capacity_per_s,
            "points": [point.to_json() for point in self.points],
        }


@dataclass(frozen=True)
class SweepPlan:
    """What to sweep: the mix, the stream's shape, and the rates (absolute, or `relative` as
    multiples of each kitchen's predicted capacity)."""

    mix: Mapping[str, int]
    dishes: Mapping[str, Dish]
    rates: tuple[float, ...]
    relative: bool
    seconds: float
    arrivals: Arrivals = "poisson"
    seed: int = 1
    backend: str = "asyncio"

    def rates_for(self, predicted_per_s: float) -> list[float]:
        return [r * predicted_per_s for r in self.rates] if self.relative else list(self.rates)

    def stream(self, rate: float) -> LoadSpec:
        seconds = max(self.seconds, MIN_ORDERS / rate)
        return LoadSpec(rate, seconds, dict(self.mix), self.arrivals, self.seed)


Progress = Callable[[KitchenCurve, Point], None]


def sweep(
    kitchens: Sequence[tuple[str, KitchenSettings]],
    plan: SweepPlan,
    progress: Progress = lambda curve, point: None,
) -> list[KitchenCurve]:
    """Every kitchen at every rate, for real; `progress` hears of each point as it is done."""
    curves = []
    for label, settings in kitchens:
        limit = capacity(plan.mix, plan.dishes, settings)
        curve = KitchenCurve(label, settings, limit.per_s, limit.bottleneck)
        for rate in plan.rates_for(limit.per_s):
            curve.points.append(measure(plan, settings, rate))
            progress(curve, curve.points[-1])
        curves.append(curve)
    return curves


def measure(plan: SweepPlan, settings: KitchenSettings, rate: float) -> Point:
    """One point: the stream at `rate` served by a real kitchen, and by the model."""
    stream = plan.stream(rate)
    orders = stream.orders()
    extra = {name: dish for name, dish in plan.dishes.items() if name in plan.mix}
    scenario = Scenario("sweep", "sweep", dishes=_own(extra), orders=orders)
    run = run_scenario(scenario, settings, backend=plan.backend, keep_events=False)
    served = [o for o in run.orders if o.outcome == "served" and o.served_s is not None]
    latencies = [o.latency_s for o in served if o.latency_s is not None]
    # Each customer's intended arrival (the stamp the kitchen put on it) and when it was
    # served, if it was: the same arrivals for the kitchen and for the model.
    kitchen_stays = [(o.at, o.served_s if o.outcome == "served" else None) for o in run.orders]
    # The model with the loop's own turns between checkpointed slices, as this run measured
    # them (as `report` feeds it; the events kept without keep_events are those).
    predict_all = predict(orders, plan.dishes, settings, turns=loop_turns(run.events))
    model = [p for p in predict_all if p.served is not None and p.outcome == "served"]
    model_latencies = [p.latency for p in model if p.latency is not None]
    model_stays = [(p.arrived, p.served if p.outcome == "served" else None) for p in predict_all]
    measured = served_against_offered(kitchen_stays, stream.seconds)
    predicted = served_against_offered(model_stays, stream.seconds)
    return Point(
        rate_per_s=rate,
        throughput_per_s=None if measured is None else measured.served_per_s,
        p50_s=percentile(latencies, 50),
        p99_s=percentile(latencies, 99),
        predicted_throughput_per_s=None if predicted is None else predicted.served_per_s,
        predicted_p50_s=percentile(model_latencies, 50),
        predicted_p99_s=percentile(model_latencies, 99),
        orders=len(orders),
        wall_s=run.wall_s / settings.speed,
        outcomes=_counted(o.outcome for o in run.orders),
        predicted_outcomes=_counted(p.outcome for p in predict_all),
        offered_per_s=None if measured is None else measured.offered_per_s,
    )


def _counted(outcomes: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for outcome in outcomes:
        if outcome in counts:
            counts[outcome] += 1
    return counts


def _own(dishes: Mapping[str, Dish]) -> dict[str, Dish]:
    """The dishes the kitchen must be told of: those not on its built-in menu."""
    return {name: dish for name, dish in dishes.items() if MENU.get(name) != dish}
