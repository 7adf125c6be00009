"""The issue's third must-show, on the model's side: capacity grows with workers up to the
machine's cores for a CPU-bound dish and far past them for a wait-bound one, both in the
capacity formula and in the model's discrete-event run that the sweep puts beside each real
point (the real curves, measured: docs/performance.md, "Capacity with workers")."""

from __future__ import annotations

import json
import os

import pytest

from kitchen_tui.protocol.menu import MENU
from kitchen_tui.protocol.settings import KitchenSettings, Mode
from kitchen_tui.stream.capacity import capacity, steady_throughput
from kitchen_tui.stream.model import predict
from kitchen_tui.talk.load import LoadSpec
from tests.conftest import kitchen_tui

RATES = (0.75, 1.0, 1.25, 1.5)  # the documented sweeps': multiples of the capacity


def _most_served(dish: str, mode: Mode, workers: int, cores: int, seconds: float) -> float:
    """What the model's run serves a second at the sweep's rates, at the most (its "most
    served"): an even stream of `dish` at each multiple of the kitchen's capacity."""
    settings = KitchenSettings(mode, workers=workers)
    limit = capacity({dish: 1}, MENU, settings).per_s
    most = 0.0
    for rate in (limit * x for x in RATES):
        orders = LoadSpec(rate, seconds, {dish: 1}, "even").orders()
        done = [p.served for p in predict(orders, MENU, settings, cores=cores)]
        served = steady_throughput([t for t in done if t is not None], seconds)
        most = max(most, served or 0.0)
    return most


@pytest.mark.parametrize(
    ("cores", "workers", "per_s"),
    [(2, 1, 25.0), (2, 2, 50.0), (2, 4, 50.0), (4, 4, 100.0)],
)
def test_cpu_bound_capacity_grows_with_workers_up_to_the_cores(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int, per_s: float
) -> None:
    """40 ms of CPU on the loop an order (`message`): a loop a worker, but a worker computes
    on one core at most, so four on two cores serve as two do."""
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    limit = capacity({"message": 1}, MENU, KitchenSettings("async", workers=workers))
    assert limit.per_s == pytest.approx(per_s)
    if workers != cores:  # at as many as the cores the two tie
        assert limit.bottleneck == ("loop" if workers < cores else "cores")
    most = _most_served("message", "async", workers, cores, 20.0)
    assert most == pytest.approx(per_s, rel=0.02)


@pytest.mark.parametrize("workers", [1, 2, 4, 8])
def test_wait_bound_capacity_grows_with_workers_far_past_the_cores(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """A sync worker is held 2 s an order (`llm`) and computes nothing: each adds 0.5 orders
    a second, eight on two cores as one does."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    limit = capacity({"llm": 1}, MENU, KitchenSettings("sync", workers=workers))
    assert limit.per_s == pytest.approx(workers / 2.0)
    assert _most_served("llm", "sync", workers, 2, 200.0) == pytest.approx(workers / 2, rel=0.02)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_real_sweep_of_wait_bound_workers_serves_half_an_order_a_second_each() -> None:
    """The real side, loosely, where the machine's load cannot move it: sync workers held by a
    2 s wait compute nothing, so 1 and 4 workers serve 0.5 and 2 a second (at 10x: 2 s of
    story a point is 0.2 s real). The CPU-bound curves, which the load moves, are benched."""
    run = kitchen_tui(
        "sweep", "--dish", "llm", "--modes", "sync", "--workers", "1,4",
        "--rates", "1x,1.25x", "--seconds", "30", "--speed", "10", "--arrivals", "even",
        "--json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    one, four = json.loads(run.stdout)["kitchens"]
    assert (one["settings"]["workers"], four["settings"]["workers"]) == (1, 4)
    assert one["capacity_per_s"] == pytest.approx(0.5, rel=0.1)
    assert four["capacity_per_s"] == pytest.approx(2.0, rel=0.1)
